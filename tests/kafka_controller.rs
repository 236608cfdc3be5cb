//! The controller and the broker lifecycle: controlled shutdown versus a crash, controller
//! fencing, clean and unclean elections, live config changes, the preferred-leader
//! rebalance, added partitions, ISR shrink and expand (through `AlterIsr` and through the
//! older ZooKeeper path), and the checkers that catch each mistake.

mod zk_support;

use zk_support::Ens;
use zooscope::cluster::checkers::ClusterChecker;
use zooscope::cluster::kafka::checks::{HighWatermark, OneControllerPerEpoch, OneLeaderPerEpoch};
use zooscope::cluster::kafka::scenarios::controller::{
    broker_config, build_layout, operator, Layout,
};
use zooscope::cluster::kafka::scenarios::{broker_node, kafka_cluster};
use zooscope::cluster::kafka::{brokers, controller, running_brokers};
use zooscope::cluster::runner::{run_trace, RunConfig, ScenarioSource};
use zooscope::cluster::zk::running_servers;
use zooscope::cluster::{build, BuildOptions, ClusterSim};
use zooscope::kafka::broker::{Broker, Controller, ReplicaRole};
use zooscope::kafka::bugs::{KafkaBug, KafkaBugs};
use zooscope::kafka::config::Acks;
use zooscope::kafka::errors::KafkaError;
use zooscope::kafka::msg::{ConfigEntity, Operator};
use zooscope::kafka::producer::Producer;
use zooscope::kafka::znodes::{decode_entity_config, PartitionState, TopicAssignment};
use zooscope::sim::{Input, NodeId, SEC};
use zooscope::zk::msg::ClientOp;
use zooscope::zk::{DataTree, WriteOp};

fn kafka(name: &str, seed: u64) -> Ens {
    Ens::from_sim(build(name, &BuildOptions::seed(seed)).expect("scenario builds"))
}

/// The broker leading `<topic>-<p>`, with its leader epoch.
fn leader_of(e: &Ens, topic: &str, p: i32) -> Option<(i32, i32)> {
    running_brokers(&e.sim.world).find_map(|(_, b)| {
        b.replicas
            .get(&(topic.to_string(), p))
            .filter(|r| r.role == ReplicaRole::Leader)
            .map(|r| (b.id, r.leader_epoch))
    })
}

fn all_led(e: &Ens, topic: &str, n: i32) -> bool {
    (0..n).all(|p| leader_of(e, topic, p).is_some())
}

/// The tree of the running server that has applied the most.
fn tree(e: &Ens) -> &DataTree {
    running_servers(&e.sim.world)
        .map(|(_, s)| s.tree())
        .max_by_key(|t| t.last_processed_zxid())
        .expect("a running ZooKeeper server")
}

fn state(e: &Ens, topic: &str, p: i32) -> Option<PartitionState> {
    let path = format!("/brokers/topics/{topic}/partitions/{p}/state");
    let (data, _) = tree(e).get_data(&path).ok()?;
    PartitionState::decode(data.as_bytes()).ok()
}

fn registered(e: &Ens, id: i32) -> bool {
    tree(e).stat(&format!("/brokers/ids/{id}")).is_some()
}

fn broker(e: &Ens, id: i32) -> &Broker {
    brokers(&e.sim.world)
        .find(|(_, b)| b.id == id)
        .map(|(_, b)| b)
        .expect("broker")
}

fn broker_mut(sim: &mut ClusterSim, id: i32) -> &mut Broker {
    let node = broker_node(&sim.world, id);
    sim.world.node_mut(node).kafka_broker_mut().expect("broker")
}

fn producer(e: &Ens) -> &Producer {
    e.sim
        .world
        .node_ids()
        .find_map(|id| e.sim.world.node(id).kafka_producer())
        .expect("producer")
}

fn unclean_elections(e: &Ens) -> u64 {
    brokers(&e.sim.world)
        .map(|(_, b)| b.unclean_elections)
        .sum()
}

fn plant(sim: &mut ClusterSim, bug: KafkaBug) {
    for id in 1..=3 {
        let b = broker_mut(sim, id);
        b.config.bugs = KafkaBugs::NONE.with(bug);
        b.dynamic.static_config.bugs = b.config.bugs;
    }
}

/// Steps until a step's notes contain `text` (or `limit_us` passes).
fn run_until_note(e: &mut Ens, limit_us: u64, text: &str) -> bool {
    let end = e.sim.world.now_us() + limit_us;
    while e.sim.world.now_us() < end {
        let Some(rec) = e.sim.step() else {
            return false;
        };
        e.violations.extend(rec.violations.clone());
        if rec.notes.iter().any(|n| n.contains(text)) {
            return true;
        }
    }
    false
}

fn fired(e: &Ens, checker: &str) -> Option<String> {
    e.violations
        .iter()
        .find(|v| v.checker == checker)
        .map(|v| v.message.clone())
}

#[test]
fn a_controlled_shutdown_moves_leadership_before_the_brokers_registration_goes() {
    let mut e = kafka("kafka-controlled-shutdown", 1);
    assert!(e.run_until(14 * SEC, |e| all_led(e, "events", 3)));
    e.run_until(15 * SEC, |e| e.sim.world.now_us() >= 15 * SEC);
    assert!(
        (0..3).any(|p| state(&e, "events", p).is_some_and(|s| s.leader == 3)),
        "broker-3 leads a partition before it stops"
    );
    assert!(e.run_until(5 * SEC, |e| !registered(e, 3)));
    let gone_at = e.sim.world.now_us();
    assert!(
        gone_at < 16 * SEC,
        "the registration goes with the closed session, not after a session timeout: {gone_at}"
    );
    for p in 0..3 {
        let s = state(&e, "events", p).expect("state");
        assert_ne!(s.leader, 3, "events-{p} moved before broker-3 left: {s:?}");
        assert!(s.leader >= 0, "events-{p} has a leader: {s:?}");
    }
    let node = broker_node(&e.sim.world, 3);
    assert!(
        e.run_until(SEC, |e| !e.sim.world.is_up(node)),
        "broker-3 exited"
    );
    // It comes back at 35 s and rejoins every ISR.
    assert!(e.run_until(40 * SEC, |e| (0..3)
        .all(|p| state(e, "events", p).is_some_and(|s| s.isr.len() == 3))));
    assert!(e.violations.is_empty(), "{:?}", e.violations);
}

#[test]
fn a_crashed_broker_keeps_its_registration_until_its_session_expires() {
    let mut e = kafka("kafka-leader-failover", 1);
    assert!(e.run_until(14 * SEC, |e| all_led(e, "events", 3)));
    e.run_until(19 * SEC, |e| e.sim.world.now_us() >= 19 * SEC);
    assert!(
        registered(&e, 3),
        "4 s after the crash the ephemeral is still there"
    );
    assert!(e.run_until(10 * SEC, |e| !registered(e, 3)));
    // The session times out 6 s after the leader last heard from broker-3, which pings every
    // 2 s (a third of the timeout) when idle: so no earlier than 19 s for a crash at 15 s.
    assert!(
        e.sim.world.now_us() >= 19 * SEC,
        "gone only after the 6 s session timeout: {}",
        e.sim.world.now_us()
    );
    assert!(e.violations.is_empty(), "{:?}", e.violations);
}

#[test]
fn a_controlled_shutdown_of_a_sole_replica_retries_three_times_then_shuts_down_anyway() {
    let mut e = kafka("kafka-single-node-single-broker", 1);
    assert!(e.run_until(10 * SEC, |e| all_led(e, "test", 1)));
    let node = broker_node(&e.sim.world, 1);
    e.input(operator(node, Operator::Shutdown));
    let mut failed = 0;
    let end = e.sim.world.now_us() + 30 * SEC;
    while e.sim.world.is_up(node) && e.sim.world.now_us() < end {
        let rec = e.sim.step().expect("events");
        failed += rec
            .notes
            .iter()
            .filter(|n| n.contains("controlled shutdown attempt failed"))
            .count();
    }
    assert!(!e.sim.world.is_up(node), "the broker stopped");
    assert_eq!(failed, 3, "controlled.shutdown.max.retries attempts");
    assert!(!registered(&e, 1));
}

#[test]
fn a_stale_controller_without_epoch_fencing_writes_and_the_fencing_checker_fires() {
    let mut sim = kafka_cluster(&BuildOptions::seed(3), Acks::All, 2);
    plant(&mut sim, KafkaBug::NoControllerFencing);
    let mut e = Ens::from_sim(sim);
    assert!(e.run_until(30 * SEC, |e| all_led(e, "events", 3)));
    e.run_for(2 * SEC);
    let ctl = controller(&e.sim.world)
        .map(|(_, b)| b.id)
        .expect("controller");
    // Another writer moves /controller_epoch on, as a newer controller would.
    let mut c = e.connect(1);
    e.await_session(&c);
    let op = ClientOp::Write(WriteOp::set_data("/controller_epoch", "7", -1));
    e.request(&mut c, 1, op);
    e.run_for(SEC);
    let victim = (1..=3).find(|&b| b != ctl).unwrap();
    let node = broker_node(&e.sim.world, victim);
    e.input(Input::Crash(node));
    assert!(e.run_until(20 * SEC, |e| fired(e, "kafka.controller-fencing").is_some()));
    let msg = fired(&e, "kafka.controller-fencing").unwrap();
    assert!(msg.contains("a deposed controller was not fenced"), "{msg}");
    assert!(controller(&e.sim.world).is_some(), "nothing made it resign");
}

#[test]
fn two_brokers_acting_as_controller_of_one_epoch_are_reported() {
    let mut e = kafka("kafka-default", 1);
    assert!(e.run_until(30 * SEC, |e| all_led(e, "events", 3)));
    let mut sim = e.sim;
    let (_, ctl) = controller(&sim.world).unwrap();
    let (id, epoch) = (ctl.id, ctl.controller_epoch().unwrap());
    let mut chk = OneControllerPerEpoch::default();
    let rec = sim.step().unwrap();
    assert_eq!(chk.after_step(&sim.world, &rec), None);
    let other = (1..=3).find(|&b| b != id).unwrap();
    broker_mut(&mut sim, other).controller = Some(Controller::new(epoch, 1));
    let msg = chk.after_step(&sim.world, &rec).expect("reported");
    assert!(
        msg.contains(&format!("both act as controller of epoch {epoch}")),
        "{msg}"
    );
}

#[test]
fn two_leaders_in_one_leader_epoch_are_reported() {
    let mut e = kafka("kafka-default", 1);
    assert!(e.run_until(30 * SEC, |e| all_led(e, "events", 3)));
    let mut sim = e.sim;
    let mut chk = OneLeaderPerEpoch::default();
    let rec = sim.step().unwrap();
    assert_eq!(chk.after_step(&sim.world, &rec), None);
    let (leader, epoch) = running_brokers(&sim.world)
        .find_map(|(_, b)| {
            b.replicas
                .get(&("events".to_string(), 0))
                .filter(|r| r.role == ReplicaRole::Leader)
                .map(|r| (b.id, r.leader_epoch))
        })
        .unwrap();
    let other = (1..=3).find(|&b| b != leader).unwrap();
    let r = broker_mut(&mut sim, other)
        .replicas
        .get_mut(&("events".to_string(), 0))
        .unwrap();
    r.role = ReplicaRole::Leader;
    r.leader_epoch = epoch;
    let msg = chk.after_step(&sim.world, &rec).expect("reported");
    assert!(
        msg.contains(&format!("lead events-0 in leader epoch {epoch}")),
        "{msg}"
    );
}

#[test]
fn a_high_watermark_going_backwards_is_reported() {
    let mut e = kafka("kafka-default", 1);
    assert!(
        e.run_until(30 * SEC, |e| (0..3).all(|p| running_brokers(&e.sim.world)
            .any(|(_, b)| b
                .replicas
                .get(&("events".to_string(), p))
                .is_some_and(
                    |r| r.role == ReplicaRole::Leader && r.log.high_watermark() > 0
                ))))
    );
    let mut sim = e.sim;
    let mut chk = HighWatermark::default();
    let rec = sim.step().unwrap();
    assert_eq!(chk.after_step(&sim.world, &rec), None);
    let leader = running_brokers(&sim.world)
        .find(|(_, b)| {
            b.replicas
                .get(&("events".to_string(), 0))
                .is_some_and(|r| r.role == ReplicaRole::Leader)
        })
        .map(|(_, b)| b.id)
        .unwrap();
    let r = broker_mut(&mut sim, leader)
        .replicas
        .get_mut(&("events".to_string(), 0))
        .unwrap();
    r.log.update_high_watermark(0);
    let msg = chk.after_step(&sim.world, &rec).expect("reported");
    assert!(msg.contains("its high watermark went back"), "{msg}");
}

#[test]
fn an_out_of_sync_replica_is_elected_when_unclean_election_is_enabled_and_loses_records() {
    let mut e = kafka("kafka-unclean-election", 1);
    assert!(e.run_until(14 * SEC, |e| all_led(e, "events", 3)));
    assert!(e.run_until(40 * SEC, |e| all_led(e, "events", 3)
        && e.sim.world.now_us() > 37 * SEC));
    assert!(unclean_elections(&e) >= 1, "counted");
    for p in 0..3 {
        let s = state(&e, "events", p).unwrap();
        assert_eq!((s.leader, s.isr.clone()), (3, vec![3]), "events-{p}: {s:?}");
    }
    // Brokers 1 and 2 return and truncate to broker-3's log.
    assert!(run_until_note(&mut e, 20 * SEC, "records removed"));
    assert!(e.violations.is_empty(), "{:?}", e.violations);
}

/// The unclean-election schedule with the brokers' settings `overrides`.
fn unclean_schedule(overrides: &[(&str, &str)], seed: u64) -> ClusterSim {
    let mut sim = build_layout(
        &BuildOptions::seed(seed),
        &Layout::standard(broker_config(overrides)),
    );
    let b: Vec<NodeId> = (1..=3).map(|id| broker_node(&sim.world, id)).collect();
    sim.world.schedule(10 * SEC, Input::Crash(b[2]));
    sim.world.schedule(30 * SEC, Input::Crash(b[0]));
    sim.world.schedule(30 * SEC, Input::Crash(b[1]));
    sim.world.schedule(37 * SEC, Input::Restart(b[2]));
    sim.world.schedule(50 * SEC, Input::Restart(b[0]));
    sim.world.schedule(50 * SEC, Input::Restart(b[1]));
    sim
}

#[test]
fn with_unclean_election_off_the_partition_waits_for_its_last_isr_member() {
    let mut e = Ens::from_sim(unclean_schedule(&[("min.insync.replicas", "1")], 1));
    e.run_until(46 * SEC, |e| e.sim.world.now_us() >= 46 * SEC);
    assert_eq!(unclean_elections(&e), 0);
    for p in 0..3 {
        let s = state(&e, "events", p).unwrap();
        assert_ne!(
            s.leader, 3,
            "the out-of-sync broker-3 never leads events-{p}: {s:?}"
        );
    }
    assert!(e.run_until(20 * SEC, |e| all_led(e, "events", 3)));
    assert!(e.violations.is_empty(), "{:?}", e.violations);
}

#[test]
fn the_controller_reads_the_topics_unclean_setting_from_zookeeper() {
    let mut sim = unclean_schedule(&[("min.insync.replicas", "1")], 1);
    let b1 = broker_node(&sim.world, 1);
    let op = Operator::AlterConfig {
        entity: ConfigEntity::Topic("events".into()),
        configs: vec![("unclean.leader.election.enable".into(), "true".into())],
    };
    sim.world.schedule(20 * SEC, operator(b1, op));
    let mut e = Ens::from_sim(sim);
    e.run_until(46 * SEC, |e| e.sim.world.now_us() >= 46 * SEC);
    assert!(unclean_elections(&e) >= 1);
    assert!((0..3).all(|p| state(&e, "events", p).is_some_and(|s| s.leader == 3)));
    assert!(e.violations.is_empty(), "{:?}", e.violations);
}

#[test]
fn an_unclean_election_without_the_setting_is_caught_by_the_clean_election_checker() {
    let mut sim = unclean_schedule(&[("min.insync.replicas", "1")], 1);
    plant(&mut sim, KafkaBug::UncleanWithoutConfig);
    let mut e = Ens::from_sim(sim);
    assert!(e.run_until(50 * SEC, |e| fired(e, "kafka.clean-election").is_some()));
    let msg = fired(&e, "kafka.clean-election").unwrap();
    assert!(
        msg.contains("was not in the ISR") && msg.contains("unclean.leader.election.enable is off"),
        "{msg}"
    );
}

#[test]
fn raising_min_insync_replicas_live_refuses_acks_all_until_the_isr_grows_back() {
    let mut e = kafka("kafka-dynamic-config", 1);
    let refused = |e: &Ens| {
        producer(e)
            .errors
            .iter()
            .any(|(_, err)| *err == KafkaError::NotEnoughReplicas)
    };
    e.run_until(24 * SEC, |e| e.sim.world.now_us() >= 24 * SEC);
    assert!(!refused(&e), "min.insync.replicas=1 so far");
    assert!(
        e.run_until(10 * SEC, refused),
        "NOT_ENOUGH_REPLICAS after the change"
    );
    for id in 1..=2 {
        assert_eq!(broker(&e, id).min_insync_replicas_for("events"), 3);
        assert_eq!(broker(&e, id).min_insync_replicas_for("other"), 1);
    }
    let (data, _) = tree(&e).get_data("/config/topics/events").unwrap();
    let cfg = decode_entity_config(data.as_bytes()).unwrap();
    assert_eq!(
        cfg.get("min.insync.replicas").map(String::as_str),
        Some("3")
    );
    assert!(tree(&e)
        .stat("/config/changes/config_change_0000000000")
        .is_some());
    // broker-3 returns at 40 s; once the ISR is full again acks=all succeeds.
    let acked = producer(&e).acked.len();
    assert!(e.run_until(30 * SEC, |e| producer(e).acked.len() > acked + 5));
    assert!(e.violations.is_empty(), "{:?}", e.violations);
}

#[test]
fn a_cluster_wide_dynamic_default_reaches_every_broker() {
    let mut e = kafka("kafka-default", 2);
    assert!(e.run_until(30 * SEC, |e| all_led(e, "events", 3)));
    let node = broker_node(&e.sim.world, 2);
    let op = Operator::AlterConfig {
        entity: ConfigEntity::BrokerDefault,
        configs: vec![("min.insync.replicas".into(), "3".into())],
    };
    e.input(operator(node, op));
    assert!(e.run_until(5 * SEC, |e| (1..=3)
        .all(|id| broker(e, id).config.min_insync_replicas == 3)));
    assert!(tree(&e).stat("/config/brokers/<default>").is_some());
}

#[test]
fn a_restarted_broker_gets_its_preferred_leaderships_back() {
    let mut e = kafka("kafka-preferred-leader", 1);
    assert!(e.run_until(11 * SEC, |e| all_led(e, "events", 3)));
    e.run_for(SEC);
    let preferred: Vec<i32> = (0..3)
        .filter(|&p| leader_of(&e, "events", p).is_some_and(|(b, _)| b == 2))
        .collect();
    assert!(!preferred.is_empty(), "broker-2 leads something at first");
    assert!(e.run_until(25 * SEC, |e| e.sim.world.now_us() > 24 * SEC
        && preferred
            .iter()
            .all(|&p| state(e, "events", p).is_some_and(|s| s.leader != 2))));
    assert!(
        e.run_until(30 * SEC, |e| preferred
            .iter()
            .all(|&p| leader_of(e, "events", p).is_some_and(|(b, _)| b == 2))),
        "the auto rebalance gave broker-2 its partitions back"
    );
    assert!(e.violations.is_empty(), "{:?}", e.violations);
}

#[test]
fn adding_partitions_to_a_topic_creates_and_elects_the_new_ones() {
    let mut e = kafka("kafka-default", 1);
    assert!(e.run_until(30 * SEC, |e| all_led(e, "events", 3)));
    let node = broker_node(&e.sim.world, 2);
    e.input(operator(
        node,
        Operator::AddPartitions {
            topic: "events".into(),
            count: 5,
        },
    ));
    assert!(e.run_until(10 * SEC, |e| all_led(e, "events", 5)));
    let (data, _) = tree(&e).get_data("/brokers/topics/events").unwrap();
    let a = TopicAssignment::decode(data.as_bytes()).unwrap();
    assert_eq!(a.partitions.len(), 5);
    for p in 3..5 {
        let s = state(&e, "events", p).expect("state of a new partition");
        assert_eq!(
            s.leader, a.partitions[&p].replicas[0],
            "its preferred replica leads"
        );
        assert_eq!(s.isr.len(), 3);
    }
    // Shrinking is refused.
    e.input(operator(
        node,
        Operator::AddPartitions {
            topic: "events".into(),
            count: 2,
        },
    ));
    assert!(run_until_note(&mut e, SEC, "can only be increased"));
    assert!(e.violations.is_empty(), "{:?}", e.violations);
}

#[test]
fn a_cut_off_follower_leaves_the_isr_and_rejoins_after_the_heal() {
    let mut e = kafka("kafka-isr-shrink", 1);
    assert!(e.run_until(14 * SEC, |e| all_led(e, "events", 3)));
    assert!(e.run_until(25 * SEC, |e| (0..3)
        .any(|p| state(e, "events", p).is_some_and(|s| s.isr.len() == 2))));
    assert!(
        e.sim.world.now_us() > 17 * SEC,
        "not before replica.lag.time.max.ms"
    );
    assert!(e.run_until(40 * SEC, |e| e.sim.world.now_us() > 30 * SEC
        && (0..3).all(|p| state(e, "events", p).is_some_and(|s| s.isr.len() == 3))));
    assert!(e.violations.is_empty(), "{:?}", e.violations);
}

#[test]
fn below_ibp_2_7_the_leader_writes_the_isr_itself_and_notifies_the_controller() {
    let overrides = [
        ("replica.lag.time.max.ms", "5000"),
        ("min.insync.replicas", "1"),
        ("inter.broker.protocol.version", "2.6"),
    ];
    let mut sim = build_layout(
        &BuildOptions::seed(1),
        &Layout::standard(broker_config(&overrides)),
    );
    let (b2, b3) = (broker_node(&sim.world, 2), broker_node(&sim.world, 3));
    sim.world.schedule(12 * SEC, Input::CutLink(b2, b3));
    sim.world.schedule(30 * SEC, Input::HealLink(b2, b3));
    let mut e = Ens::from_sim(sim);
    assert!(run_until_note(&mut e, 30 * SEC, "ISR change notification"));
    let shrunk = (0..3).find(|&p| state(&e, "events", p).is_some_and(|s| s.isr.len() == 2));
    assert!(shrunk.is_some(), "a leader wrote a smaller ISR");
    let no_alter_isr = e
        .sim
        .world
        .in_flight()
        .all(|f| f.msg.kafka().is_none_or(|m| m.kind() != "AlterIsr"));
    assert!(no_alter_isr);
    // The controller deletes the notifications it processed.
    assert!(e.run_until(5 * SEC, |e| tree(e)
        .get_children("/isr_change_notification")
        .is_ok_and(|(c, _)| c.is_empty())));
    assert!(e.run_until(60 * SEC, |e| e.sim.world.now_us() > 30 * SEC
        && (0..3).all(|p| state(e, "events", p).is_some_and(|s| s.isr.len() == 3))));
    assert!(e.violations.is_empty(), "{:?}", e.violations);
}

#[test]
fn the_controller_scenarios_are_deterministic() {
    for name in [
        "kafka-controlled-shutdown",
        "kafka-unclean-election",
        "kafka-dynamic-config",
    ] {
        let source = ScenarioSource::resolve(name).unwrap();
        let cfg = RunConfig {
            seed: 4,
            steps: 15_000,
            chaos: false,
        };
        let a = run_trace(&source, cfg).unwrap();
        let b = run_trace(&source, cfg).unwrap();
        assert_eq!(a.digest, b.digest, "{name}");
    }
}

#[test]
fn inter_broker_protocol_versions_below_2_7_iv2_use_the_zookeeper_isr_path() {
    use zooscope::kafka::config::BrokerConfig;
    for (v, zk) in [
        ("2.8", false),
        ("2.7", false),
        ("2.7-IV2", false),
        ("2.7-IV1", true),
        ("2.6", true),
        ("0.10.2", true),
    ] {
        let c = BrokerConfig::from_pairs(&[("inter.broker.protocol.version", v)]).unwrap();
        assert_eq!(c.zk_isr_mode(), zk, "{v}");
    }
    assert!(BrokerConfig::default()
        .set("inter.broker.protocol.version", "two")
        .is_err());
    assert!(!BrokerConfig::default().zk_isr_mode());
}

#[test]
fn config_entity_paths_round_trip_and_bad_ones_are_refused() {
    for e in [
        ConfigEntity::Topic("events".into()),
        ConfigEntity::Broker(2),
        ConfigEntity::BrokerDefault,
    ] {
        assert_eq!(ConfigEntity::from_entity_path(&e.entity_path()), Some(e));
    }
    for bad in ["", "topics/", "users/alice", "brokers/x", "topics/a/b"] {
        assert_eq!(ConfigEntity::from_entity_path(bad), None, "{bad}");
    }
}

/// Steps until an `AlterIsr` is on the wire and returns its id.
fn run_until_alter_isr(e: &mut Ens, limit_us: u64) -> Option<zooscope::sim::MsgId> {
    let end = e.sim.world.now_us() + limit_us;
    while e.sim.world.now_us() < end {
        let rec = e.sim.step()?;
        e.violations.extend(rec.violations.clone());
        let found = e
            .sim
            .world
            .in_flight()
            .find(|f| f.msg.kafka().is_some_and(|m| m.kind() == "AlterIsr"))
            .map(|f| f.id);
        if found.is_some() {
            return found;
        }
    }
    None
}

#[test]
fn a_lost_alter_isr_is_sent_again_after_the_controller_socket_timeout() {
    let overrides = [
        ("replica.lag.time.max.ms", "5000"),
        ("min.insync.replicas", "1"),
        ("controller.socket.timeout.ms", "8000"),
    ];
    let mut sim = build_layout(
        &BuildOptions::seed(1),
        &Layout::standard(broker_config(&overrides)),
    );
    let (b2, b3) = (broker_node(&sim.world, 2), broker_node(&sim.world, 3));
    sim.world.schedule(12 * SEC, Input::CutLink(b2, b3));
    let mut e = Ens::from_sim(sim);
    let first = run_until_alter_isr(&mut e, 25 * SEC).expect("a leader asks to shrink the ISR");
    let sent_at = e.sim.world.now_us();
    e.input(Input::Drop(first));
    // Unanswered, the leader keeps its pending ISR and sends the same AlterIsr again once
    // controller.socket.timeout.ms has passed; the controller then shrinks the ISR.
    assert!(run_until_note(&mut e, 12 * SEC, "AlterIsr unanswered"));
    assert!(
        e.sim.world.now_us() >= sent_at + 8 * SEC,
        "not before the timeout"
    );
    assert!(e.run_until(5 * SEC, |e| (0..3)
        .any(|p| state(e, "events", p).is_some_and(|s| s.isr.len() == 2))));
    assert!(e.violations.is_empty(), "{:?}", e.violations);
}
