//! End-to-end tests of the recipes against the test stand-in server (one tree, no quorum).

use super::*;
use crate::sim::{Input, NodeId, TimeUs, SEC};
use crate::zk::client::node::ClientNode;
use crate::zk::msg::Control;
use crate::zk::script::fake_server::{self, TestNode, TestSim};

const SERVER: NodeId = NodeId(0);

fn world(recipes: Vec<(&str, Recipe)>) -> TestSim {
    let nodes = recipes
        .into_iter()
        .map(|(name, r)| {
            TestNode::Client(Box::new(ClientNode::recipe(name, vec![SERVER], 6000, r)))
        })
        .collect();
    fake_server::world(3, 1, true, nodes)
}

fn client(sim: &TestSim, i: usize) -> &ClientNode {
    fake_server::client_of(sim.world.node(NodeId(1 + i as u32))).expect("a client")
}

fn recipe(sim: &TestSim, i: usize) -> &Recipe {
    client(sim, i).recipe_state().expect("a recipe")
}

fn queue(sim: &TestSim, i: usize) -> &SeqQueue {
    match recipe(sim, i) {
        Recipe::Queue(q) => q,
        other => panic!("{other:?}"),
    }
}

/// Runs until `until_us`, calling `each` after every step.
fn run(sim: &mut TestSim, until_us: TimeUs, mut each: impl FnMut(&TestSim)) {
    while sim.world.next_event_us().is_some_and(|t| t <= until_us) {
        sim.step();
        each(sim);
    }
}

#[test]
fn lock_contenders_take_turns_and_never_hold_it_together() {
    let lock = || Recipe::Queue(SeqQueue::lock("/lock", 300, 500));
    let mut sim = world(vec![("c1", lock()), ("c2", lock()), ("c3", lock())]);
    let mut saw_waiting_on_predecessor = false;
    run(&mut sim, 10 * SEC, |sim| {
        let owners = (0..3).filter(|i| queue(sim, *i).is_owner()).count();
        assert!(owners <= 1, "two lock holders at {}", sim.world.now_us());
        for i in 0..3 {
            saw_waiting_on_predecessor |= queue(sim, i).status().starts_with("waiting for c");
        }
    });
    for i in 0..3 {
        assert!(
            queue(&sim, i).wins >= 2,
            "c{} won {} times",
            i + 1,
            queue(&sim, i).wins
        );
    }
    assert!(saw_waiting_on_predecessor);
}

#[test]
fn a_follower_watches_only_its_predecessor() {
    let lock = || Recipe::Queue(SeqQueue::lock("/lock", 60_000, 500));
    let mut sim = world(vec![("c1", lock()), ("c2", lock()), ("c3", lock())]);
    run(&mut sim, 2 * SEC, |_| {});
    let server = match sim.world.node(SERVER) {
        TestNode::Server(s) => s,
        _ => unreachable!(),
    };
    let mut statuses: Vec<String> = (0..3).map(|i| queue(&sim, i).status()).collect();
    statuses.sort();
    let owner = (0..3)
        .find(|i| queue(&sim, *i).is_owner())
        .expect("an owner");
    let me = |i: usize| queue(&sim, i).me.clone().unwrap();
    // Each waiter watches exactly the node just before its own.
    let mut names: Vec<String> = (0..3).map(me).collect();
    sort_by_sequence(&mut names);
    assert_eq!(names[0], me(owner));
    for pair in names.windows(2) {
        let w = server.watches.watches_on(&format!("/lock/{}", pair[0]));
        assert_eq!(w.data.len(), 1, "one watcher on {}", pair[0]);
    }
    assert!(server
        .watches
        .watches_on(&format!("/lock/{}", names[2]))
        .data
        .is_empty());
    assert_eq!(statuses[0], "holds the lock");
}

#[test]
fn a_new_leader_is_elected_when_the_leaders_session_expires() {
    let cand = || Recipe::Queue(SeqQueue::election("/election", None, 500));
    let mut sim = world(vec![("c1", cand()), ("c2", cand()), ("c3", cand())]);
    run(&mut sim, 2 * SEC, |_| {});
    let leader = (0..3)
        .find(|i| queue(&sim, *i).is_owner())
        .expect("a leader");
    let session = client(&sim, leader).zk.session_id();
    let expire = Msg::Control(Control::ExpireSession(session));
    sim.world.inject(Input::Deliver(SERVER, expire));
    // For a moment two candidates may believe they lead: the old leader learns of its expiry
    // only when the server tells it (the hazard every ZooKeeper election has to live with).
    run(&mut sim, 6 * SEC, |_| {});
    assert_eq!((0..3).filter(|i| queue(&sim, *i).is_owner()).count(), 1);
    let new_leader = (0..3)
        .find(|i| queue(&sim, *i).is_owner())
        .expect("a new leader");
    assert_ne!(new_leader, leader);
    // The old leader opened a new session and queued up again behind the others.
    let old = client(&sim, leader);
    assert_ne!(old.zk.session_id(), session);
    assert!(queue(&sim, leader)
        .status()
        .starts_with("follower, watching"));
}

#[test]
fn a_config_reader_follows_the_writer() {
    let mut sim = world(vec![
        (
            "w",
            Recipe::ConfigWriter(ConfigWriter::new("/app/config", 1000)),
        ),
        ("r", Recipe::ConfigReader(ConfigReader::new("/app/config"))),
    ]);
    run(&mut sim, 5 * SEC + 500 * MS, |_| {});
    let Recipe::ConfigReader(r) = recipe(&sim, 1) else {
        unreachable!()
    };
    let Recipe::ConfigWriter(w) = recipe(&sim, 0) else {
        unreachable!()
    };
    assert!(w.written >= 4, "{}", w.written);
    assert_eq!(r.value, Some((format!("v{}", w.written), w.written as i32)));
    assert!(
        r.status.contains(&format!("\"v{}\"", w.written)),
        "{}",
        r.status
    );
}

#[test]
fn the_group_watcher_sees_members_join_and_leave() {
    let mut sim = world(vec![
        (
            "watcher",
            Recipe::GroupWatcher(GroupWatcher::new("/members")),
        ),
        (
            "m1",
            Recipe::GroupMember(GroupMember::new("/members", None)),
        ),
        (
            "m2",
            Recipe::GroupMember(GroupMember::new("/members", Some(2000))),
        ),
    ]);
    let mut saw_both = false;
    run(&mut sim, 4 * SEC, |sim| {
        saw_both |= recipe(sim, 0).status() == "members: m1, m2";
    });
    assert!(saw_both);
    assert_eq!(recipe(&sim, 0).status(), "members: m1");
    assert_eq!(recipe(&sim, 2).status(), "left /members");
}

#[test]
fn everyone_passes_the_barrier_once_all_are_there() {
    let b = || Recipe::Barrier(Barrier::new("/barrier", 3));
    let mut sim = world(vec![("b1", b()), ("b2", b())]);
    run(&mut sim, 2 * SEC, |_| {});
    assert_eq!(recipe(&sim, 0).status(), "waiting at the barrier: 2 of 3");
    let late = ClientNode::recipe("b3", vec![SERVER], 6000, b());
    sim.world
        .add_node_at(TestNode::Client(Box::new(late)), 2 * SEC);
    run(&mut sim, 4 * SEC, |_| {});
    for i in 0..3 {
        assert!(
            recipe(&sim, i).status().starts_with("passed the barrier"),
            "{}",
            recipe(&sim, i).status()
        );
    }
}
