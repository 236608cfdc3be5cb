//! Kafka's inputs by direct manipulation, checked natively through the view's run: what each
//! node's menu offers, what each item does to the cluster, the sentence and the timeline mark
//! it leaves, its URL round trip and undo.

use zooscope::cluster::kafka::{brokers, consumers, controller, producers, running_brokers};
use zooscope::cluster::zk::running_servers;
use zooscope::cluster::ClusterWorld;
use zooscope::kafka::broker::ReplicaRole;
use zooscope::kafka::config::Acks;
use zooscope::kafka::consumer::MemberState;
use zooscope::sim::{Input, NodeId, TimeUs, SEC};
use zooscope::view::history::MarkerKind;
use zooscope::view::protocols::NodeAction;
use zooscope::view::run::{Run, RunSpec};
use zooscope::view::state::EVENTS;
use zooscope::view::url;

fn run(seed: u64) -> Run {
    Run::new(RunSpec {
        scenario: "kafka-default".into(),
        seed,
        servers: None,
    })
    .expect("kafka-default builds")
}

fn world(r: &Run) -> &ClusterWorld {
    &r.timeline().current().world
}

/// Steps until `done` holds, at most `limit` of simulated time from now.
fn run_until(r: &mut Run, limit: TimeUs, done: impl Fn(&Run) -> bool) -> bool {
    let end = r.now_us() + limit;
    while r.now_us() < end {
        if done(r) {
            return true;
        }
        if !r.step() {
            return false;
        }
    }
    done(r)
}

fn run_for(r: &mut Run, t: TimeUs) {
    run_until(r, t, |_| false);
}

fn node(r: &Run, label: &str) -> NodeId {
    let w = world(r);
    w.node_ids()
        .find(|id| w.label(*id) == label)
        .unwrap_or_else(|| panic!("no node {label}"))
}

fn menu(r: &Run, id: NodeId) -> (Vec<NodeAction>, Option<String>) {
    r.frame().node_menu(world(r), id)
}

/// Gives the menu item labelled `label` of node `id`; returns its input.
fn choose(r: &mut Run, id: NodeId, label: &str) -> Input<zooscope::cluster::Msg> {
    let (items, _) = menu(r, id);
    let labels: Vec<&str> = items.iter().map(|a| a.label.as_str()).collect();
    let item = items
        .iter()
        .find(|a| a.label == label)
        .unwrap_or_else(|| panic!("no item {label:?} in {labels:?}"))
        .clone();
    r.inject(item.input.clone());
    item.input
}

fn registered(r: &Run, broker_id: i32) -> bool {
    running_servers(world(r))
        .map(|(_, s)| s.tree())
        .max_by_key(|t| t.last_processed_zxid())
        .is_some_and(|t| t.stat(&format!("/brokers/ids/{broker_id}")).is_some())
}

fn settled(r: &Run) -> bool {
    controller(world(r)).is_some()
        && consumers(world(r))
            .filter(|(id, _)| world(r).is_up(*id))
            .all(|(_, c)| c.state == MemberState::Stable)
        && producers(world(r)).all(|(_, p)| p.acked.len() >= 3)
}

/// A run of kafka-default with a controller, a stable group and some acknowledged records.
fn settled_run(seed: u64) -> Run {
    let mut r = run(seed);
    assert!(
        run_until(&mut r, 40 * SEC, settled),
        "kafka-default settles"
    );
    r
}

/// The sentence and the marker the step just applied left.
fn said_and_marked(r: &Run) -> (String, bool) {
    let f = r.frame();
    let marked = f
        .scene
        .markers
        .iter()
        .any(|m| m.step == r.cursor() && m.kind == MarkerKind::Fault);
    (f.scene.narration.clone(), marked)
}

#[test]
fn consumers_are_drawn_as_consumers_and_the_controller_says_so_in_its_role() {
    let r = settled_run(1);
    let f = r.frame();
    for c in &f.scene.nodes {
        assert!(
            ["zk-server", "broker", "producer", "consumer", "client"].contains(&c.kind.slug),
            "{} is a {}",
            c.label,
            c.kind.slug
        );
        assert_eq!(c.role.as_str(), c.role.as_str().to_lowercase());
        if c.label.starts_with("consumer") {
            assert_eq!(c.kind.slug, "consumer", "{}", c.label);
        }
    }
    let (ctl, _) = controller(world(&r)).expect("a controller");
    let card = f.scene.nodes.iter().find(|c| c.id == ctl).unwrap();
    assert!(card.role.as_str().split(' ').any(|w| w == "controller"));
    let spare = f
        .scene
        .nodes
        .iter()
        .find(|c| c.label == "consumer-3")
        .unwrap();
    assert_eq!(spare.role.as_str(), "not-started");
}

#[test]
fn a_brokers_menu_offers_a_clean_shutdown_and_cuts_and_the_shutdown_moves_its_leaders_first() {
    let mut r = settled_run(2);
    let (ctl, _) = controller(world(&r)).expect("a controller");
    let b = brokers(world(&r))
        .map(|(id, _)| id)
        .find(|id| *id != ctl)
        .unwrap();
    let l = world(&r).label(b);
    let (items, _) = menu(&r, b);
    let labels: Vec<String> = items.into_iter().map(|a| a.label).collect();
    for want in [
        format!("Shut down {l} cleanly"),
        format!("Cut {l} off from ZooKeeper only"),
        format!("Cut {l} off from the other brokers only"),
        format!("Crash {l}"),
        format!("Cut {l} off the network"),
    ] {
        assert!(labels.contains(&want), "{want:?} not in {labels:?}");
    }
    assert!(!labels.iter().any(|s| s.starts_with("Heal")), "{labels:?}");

    choose(&mut r, b, &format!("Shut down {l} cleanly"));
    let (said, marked) = said_and_marked(&r);
    assert!(said.contains(&l) && said.contains("shut"), "{said}");
    assert!(marked, "no timeline mark");
    let id = world(&r).node(b).kafka_broker().unwrap().id;
    assert!(run_until(&mut r, 30 * SEC, |r| !world(r).is_up(b)));
    // A clean shutdown: the other brokers lead every partition the moment it stops, and its
    // registration is gone at once (after a crash both wait for its session to expire).
    let led = running_brokers(world(&r))
        .flat_map(|(_, b)| b.replicas.iter().map(|(k, v)| (k.clone(), v.role)))
        .filter(|(k, role)| k.0 == "events" && *role == ReplicaRole::Leader)
        .count();
    assert_eq!(led, 3);
    assert!(!registered(&r, id));
    let (items, _) = menu(&r, b);
    assert!(items.iter().any(|a| a.label == format!("Restart {l}")));
    choose(&mut r, b, &format!("Restart {l}"));
    assert!(run_until(&mut r, 30 * SEC, |r| registered(r, id)));
}

#[test]
fn a_broker_cut_off_from_zookeeper_only_loses_its_registration_while_it_stays_up() {
    let mut r = settled_run(3);
    let (b, id) = brokers(world(&r))
        .find(|(n, _)| Some(*n) != controller(world(&r)).map(|c| c.0))
        .map(|(n, b)| (n, b.id))
        .unwrap();
    let l = world(&r).label(b);
    choose(&mut r, b, &format!("Cut {l} off from ZooKeeper only"));
    let (said, marked) = said_and_marked(&r);
    assert!(said.contains("cut off from ZooKeeper only"), "{said}");
    assert!(marked);
    // The zombie: up, still talking to the other brokers, but no longer registered.
    assert!(run_until(&mut r, 30 * SEC, |r| !registered(r, id)));
    assert!(world(&r).is_up(b));
    let others: Vec<NodeId> = brokers(world(&r))
        .map(|(n, _)| n)
        .filter(|n| *n != b)
        .collect();
    assert!(others.iter().all(|o| !world(&r).net().is_cut((b, *o))));
    assert!(!menu(&r, b)
        .0
        .iter()
        .any(|a| a.label.contains("off from ZooKeeper")));

    choose(&mut r, b, &format!("Heal {l}'s cut links"));
    assert!(world(&r).net().cut_links().next().is_none());
    assert!(run_until(&mut r, 60 * SEC, |r| registered(r, id)));
}

#[test]
fn the_producers_menu_changes_acks_and_topic_configs_and_sends_a_burst() {
    let mut r = settled_run(4);
    let p = node(&r, "producer");
    let (items, _) = menu(&r, p);
    let labels: Vec<String> = items.into_iter().map(|a| a.label).collect();
    for want in [
        "Set acks to 1 (now all)",
        "Set acks to 0 (now all)",
        "Produce a burst of 10 records",
        "Set min.insync.replicas of events to 3 (now 2)",
        "Set min.insync.replicas of events to 1 (now 2)",
        "Set unclean.leader.election.enable of events to true (now false)",
    ] {
        assert!(
            labels.iter().any(|l| l == want),
            "{want:?} not in {labels:?}"
        );
    }

    let sent = |r: &Run| world(r).node(p).kafka_producer().unwrap().sent_count();
    let before = sent(&r);
    choose(&mut r, p, "Produce a burst of 10 records");
    assert_eq!(sent(&r), before + 10);
    assert!(said_and_marked(&r).1);

    choose(&mut r, p, "Set acks to 1 (now all)");
    let acked = world(&r).node(p).kafka_producer().unwrap().acked.len();
    run_for(&mut r, 5 * SEC);
    let pr = world(&r).node(p).kafka_producer().unwrap();
    assert_eq!(pr.config.acks, Acks::One);
    assert!(pr.acked[acked..].iter().any(|a| a.acks == Acks::One));
    assert!(menu(&r, p)
        .0
        .iter()
        .any(|a| a.label == "Set acks to all (now 1)"));

    choose(&mut r, p, "Set min.insync.replicas of events to 3 (now 2)");
    assert!(run_until(&mut r, 10 * SEC, |r| brokers(world(r))
        .all(|(_, b)| b.min_insync_replicas_for("events") == 3)));
    assert!(menu(&r, p)
        .0
        .iter()
        .any(|a| a.label == "Set min.insync.replicas of events to 2 (now 3)"));
    choose(
        &mut r,
        p,
        "Set unclean.leader.election.enable of events to true (now false)",
    );
    assert!(run_until(&mut r, 10 * SEC, |r| menu(r, p).0.iter().any(
        |a| a.label == "Set unclean.leader.election.enable of events to false (now true)"
    )));
}

#[test]
fn a_spare_consumer_starts_from_its_menu_and_joins_the_group_and_a_member_can_be_stopped() {
    let mut r = settled_run(5);
    let spare = node(&r, "consumer-3");
    let (items, _) = menu(&r, spare);
    let labels: Vec<&str> = items.iter().map(|a| a.label.as_str()).collect();
    assert_eq!(labels, ["Start consumer-3"]);
    let generation = |r: &Run, n: &str| {
        consumers(world(r))
            .find(|(_, c)| c.name == n)
            .map(|(_, c)| (c.generation, c.state, c.assigned.len()))
            .unwrap()
    };
    let g = generation(&r, "consumer-1").0;
    choose(&mut r, spare, "Start consumer-3");
    assert!(said_and_marked(&r).0.contains("consumer-3 starts"));
    assert!(run_until(&mut r, 40 * SEC, |r| {
        let (gen, state, n) = generation(r, "consumer-3");
        gen > g && state == MemberState::Stable && n == 1
    }));

    let c2 = node(&r, "consumer-2");
    let g = generation(&r, "consumer-1").0;
    choose(&mut r, c2, "Stop consumer-2 (close: it leaves my-group)");
    let (said, marked) = said_and_marked(&r);
    assert!(said.contains("consumer-2"), "{said}");
    assert!(marked);
    assert!(run_until(&mut r, 40 * SEC, |r| {
        let (gen, state, _) = generation(r, "consumer-1");
        gen > g && state == MemberState::Stable
    }));
    assert_eq!(generation(&r, "consumer-2").1, MemberState::Closed);
    assert!(!menu(&r, c2).0.iter().any(|a| a.label.starts_with("Stop")));
}

#[test]
fn every_new_input_replays_from_its_url_and_undoes() {
    let mut r = settled_run(6);
    let (ctl, _) = controller(world(&r)).expect("a controller");
    let p = node(&r, "producer");
    let spare = node(&r, "consumer-3");
    let c1 = node(&r, "consumer-1");
    let l = world(&r).label(ctl);
    let steps: Vec<(NodeId, String)> = vec![
        (p, "Produce a burst of 10 records".into()),
        (p, "Set acks to 0 (now all)".into()),
        (p, "Set min.insync.replicas of events to 1 (now 2)".into()),
        (spare, "Start consumer-3".into()),
        (ctl, format!("Cut {l} off from the other brokers only")),
        (ctl, format!("Heal {l}'s cut links")),
        (c1, "Stop consumer-1 (close: it leaves my-group)".into()),
        (ctl, format!("Shut down {l} cleanly")),
    ];
    for (id, label) in steps {
        let before = r.timeline().inputs().to_vec();
        let cursor = r.cursor();
        let input = choose(&mut r, id, &label);
        assert!(url::encode_input(&input).is_some(), "{label}: no URL form");
        run_for(&mut r, 2 * SEC);
        // Undo takes it back; redo gives it again.
        assert!(r.undo());
        assert_eq!(r.timeline().inputs(), &before[..], "{label}");
        assert_eq!(r.cursor(), cursor);
        assert!(r.redo());
        assert_eq!(r.timeline().inputs().last().map(|x| &x.1), Some(&input));
        run_for(&mut r, 2 * SEC);
    }
    let q = url::encode(&r.url_state(EVENTS));
    let d = url::decode(&q, &zooscope::view::run::scenario_names());
    assert!(d.problems.is_empty(), "{:?}", d.problems);
    let (again, problems) = Run::from_url(&d.state);
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(again.cursor(), r.cursor());
    let (a, b) = (again.frame(), r.frame());
    assert_eq!(a.scene.narration, b.scene.narration);
    assert_eq!(a.scene.nodes, b.scene.nodes);
    assert_eq!(
        again.timeline().record(again.cursor()).map(|x| x.time_us),
        r.timeline().record(r.cursor()).map(|x| x.time_us)
    );
}

#[test]
fn an_idempotent_producer_keeps_acks_all_and_its_menu_says_why() {
    let mut r = Run::new(RunSpec {
        scenario: "kafka-idempotent-producer".into(),
        seed: 1,
        servers: None,
    })
    .expect("builds");
    run_for(&mut r, 10 * SEC);
    let p = producers(world(&r)).map(|(id, _)| id).next().unwrap();
    let (items, note) = menu(&r, p);
    assert!(!items.iter().any(|a| a.label.starts_with("Set acks")));
    assert!(note.is_some_and(|n| n.contains("idempotent")));
    // Given anyway (a hand-made URL), the producer refuses it as Kafka's config check does.
    r.inject(zooscope::view::kafka::inputs::operator(
        p,
        zooscope::kafka::msg::Operator::SetAcks(Acks::One),
    ));
    let rec = r.timeline().record(r.cursor()).unwrap();
    assert!(
        rec.notes.iter().any(|n| n.contains("refused")),
        "{:?}",
        rec.notes
    );
    assert_eq!(
        world(&r).node(p).kafka_producer().unwrap().config.acks,
        Acks::All
    );
}
