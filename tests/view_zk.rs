//! The view model over a real ZooKeeper run: the cards, narration, znode tree, sessions and
//! URL round trip as the browser shows them, checked natively (the browser tests check the
//! same things through the page).

use zooscope::cluster::Msg;
use zooscope::sim::{Input, NodeId};
use zooscope::view::run::{scenario_names, Run, RunSpec};
use zooscope::view::zk::sessions::session_table;
use zooscope::view::zk::znodes::znode_table;
use zooscope::view::{url, Frame, Panel, Role};
use zooscope::zk::{self, msg::Control};

fn default_run(seed: u64, servers: Option<usize>) -> Run {
    Run::new(RunSpec {
        scenario: "default".into(),
        seed,
        servers,
    })
    .expect("the default scenario builds")
}

/// Steps until `done` holds on the frame; panics after `max` steps.
fn until(run: &mut Run, max: u64, done: impl Fn(&Run, &Frame) -> bool) -> Frame {
    for _ in 0..max {
        let f = run.frame();
        if done(run, &f) {
            return f;
        }
        assert!(run.step(), "the run ended");
    }
    panic!("not reached in {max} steps (at step {})", run.cursor());
}

fn leader(f: &Frame) -> Option<NodeId> {
    f.scene.leader.filter(|l| {
        f.scene
            .nodes
            .iter()
            .any(|n| n.id == *l && n.role.as_str() == "leading" && n.has_badge("quorum"))
    })
}

fn znode_paths(run: &Run, f: &Frame) -> Vec<(String, Option<String>, String)> {
    let tl = run.timeline();
    let t = znode_table(
        &tl.current().world,
        &f.names,
        &f.protocols.zk,
        run.history(),
        tl.cursor(),
        None,
    );
    t.rows
        .into_iter()
        .map(|r| (r.path, r.owner, r.last_zxid_text))
        .collect()
}

#[test]
fn a_leader_is_elected_and_its_followers_are_in_its_quorum() {
    for servers in [1, 3, 5, 7] {
        let mut run = default_run(1, Some(servers));
        let f = until(&mut run, 20_000, |_, f| {
            leader(f).is_some()
                && f.scene
                    .nodes
                    .iter()
                    .filter(|n| n.has_badge("quorum"))
                    .count()
                    > servers / 2
        });
        let l = leader(&f).unwrap();
        let card = f.scene.nodes.iter().find(|n| n.id == l).unwrap();
        assert!(
            card.label.starts_with("zk"),
            "{servers} servers: {}",
            card.label
        );
        assert!(
            card.description.contains("is the LEADER for epoch"),
            "{}",
            card.description
        );
        let elections: Vec<_> = run
            .history()
            .markers()
            .iter()
            .filter(|m| m.kind == zooscope::view::history::MarkerKind::Election)
            .collect();
        assert!(
            !elections.is_empty(),
            "{servers} servers: no election marker"
        );
        println!(
            "{servers} servers: leader {} at step {}",
            card.label,
            run.cursor()
        );
    }
}

#[test]
fn a_clients_write_shows_in_the_tree_with_its_zxid_and_commit_step() {
    let mut run = default_run(1, None);
    let f = until(&mut run, 40_000, |run, f| {
        znode_paths(run, f).iter().any(|(p, _, _)| p == "/config")
    });
    let tl = run.timeline();
    let t = znode_table(
        &tl.current().world,
        &f.names,
        &f.protocols.zk,
        run.history(),
        tl.cursor(),
        None,
    );
    let config = t.rows.iter().find(|r| r.path == "/config").unwrap();
    assert_ne!(config.last_zxid, 0);
    assert!(config.last_zxid_text.starts_with("0x"));
    let step = config.changed_step.expect("the commit step is known");
    assert!(step <= run.cursor());
    assert!(config.recent);
    println!(
        "/config at {} committed at step {step}; now step {}",
        config.last_zxid_text,
        run.cursor()
    );
}

#[test]
fn expiring_a_session_removes_its_ephemerals() {
    let mut run = default_run(1, None);
    // Wait until member1 has an ephemeral under /members.
    let f = until(&mut run, 40_000, |run, f| {
        znode_paths(run, f).iter().any(|(p, o, _)| {
            p.starts_with("/members/") && o.as_deref().is_some_and(|o| o.starts_with("member1"))
        })
    });
    let tl = run.timeline();
    let sessions = session_table(&tl.current().world, &f.names, &f.protocols.zk);
    let row = sessions
        .rows
        .iter()
        .find(|r| r.owner_label == "member1" && r.live)
        .expect("member1's session is in the table");
    assert!(row.ephemerals.iter().any(|p| p.starts_with("/members/")));
    let session = row.session;
    let via = sessions.expire_via.expect("a leader to expire it");
    println!("expiring {} at step {}", row.session_text, run.cursor());
    run.inject(Input::Deliver(
        via,
        Msg::Zk(zk::Msg::Control(Control::ExpireSession(session))),
    ));
    let owner = format!("member1 ({})", row.session_text);
    until(&mut run, 2_000, |run, f| {
        !znode_paths(run, f)
            .iter()
            .any(|(_, o, _)| o.as_deref() == Some(owner.as_str()))
    });
    println!("gone at step {}", run.cursor());
}

#[test]
fn crashing_the_leader_elects_another_and_the_url_replays_it() {
    let mut run = default_run(3, None);
    let f = until(&mut run, 20_000, |_, f| leader(f).is_some());
    let old = leader(&f).unwrap();
    run.inject(Input::Crash(old));
    let f = until(&mut run, 40_000, |_, f| leader(f).is_some_and(|l| l != old));
    let new = leader(&f).unwrap();
    assert_eq!(
        f.scene.nodes.iter().find(|n| n.id == old).unwrap().role,
        Role::DOWN
    );
    assert!(run
        .history()
        .transitions()
        .iter()
        .any(|t| t.node == new && t.is_election()));

    let q = url::encode(&run.url_state(Panel::default_panel()));
    let d = url::decode(&q, &scenario_names());
    assert!(d.problems.is_empty(), "{:?}", d.problems);
    let (again, problems) = Run::from_url(&d.state);
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(again.frame().scene, run.frame().scene);
    println!("{q}");
}
