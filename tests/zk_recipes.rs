//! The recipes (`zooscope::zk::recipes`) on a real simulated ensemble: three servers running
//! election and Zab, recipe clients connected through the client library, the ZooKeeper
//! checkers watching every step.

use zooscope::cluster::{checkers_for, ClusterSim, Node, Protocol};
use zooscope::sim::{Input, LinkConfig, NodeId, TimeUs, World, MS, SEC};
use zooscope::zk::recipes::{ConfigReader, ConfigWriter, MultiWriter, Recipe, SeqQueue};
use zooscope::zk::{ClientNode, Server, ZkConfig};

const SERVERS: usize = 3;

/// Three servers (nodes 0..3, sids 1..3), then one client node per recipe (nodes 3..).
fn ensemble(seed: u64, recipes: Vec<(&str, Recipe)>) -> ClusterSim {
    let mut world = World::new(seed, LinkConfig::default());
    let nodes: Vec<NodeId> = (0..SERVERS as u32).map(NodeId).collect();
    let cfg = ZkConfig::new(
        nodes
            .iter()
            .enumerate()
            .map(|(i, id)| (i as u64 + 1, *id))
            .collect(),
    );
    for i in 0..SERVERS {
        let server = Server::new(i as u64 + 1, cfg.clone());
        world.add_node_at(Node::from(server), i as TimeUs * 3 * MS);
    }
    for (name, r) in recipes {
        let c = ClientNode::recipe(name, nodes.clone(), 6000, r);
        world.add_node_at(Node::from(c), 0);
    }
    ClusterSim::new(world, checkers_for(&[Protocol::Zk]))
}

fn client(sim: &ClusterSim, i: usize) -> &ClientNode {
    let node = sim.world.node(NodeId((SERVERS + i) as u32));
    node.zk_client()
        .unwrap_or_else(|| panic!("not a client: {node:?}"))
}

fn queue(sim: &ClusterSim, i: usize) -> &SeqQueue {
    match client(sim, i).recipe_state() {
        Some(Recipe::Queue(q)) => q,
        other => panic!("not a queue recipe: {other:?}"),
    }
}

/// Steps until `until_us`, calling `each` after every step; fails on any checker violation.
fn run(sim: &mut ClusterSim, until_us: TimeUs, mut each: impl FnMut(&ClusterSim)) {
    while sim.world.next_event_us().is_some_and(|t| t <= until_us) {
        let rec = sim.step().expect("a step");
        if let Some(v) = rec.violations.first() {
            panic!("{} violated at {} us: {}", v.checker, v.time_us, v.message);
        }
        each(sim);
    }
}

#[test]
fn lock_recipe_on_the_ensemble_never_has_two_holders_while_healthy() {
    let lock = || Recipe::Queue(SeqQueue::lock("/lock", 400, 300));
    let mut sim = ensemble(11, vec![("c1", lock()), ("c2", lock()), ("c3", lock())]);
    run(&mut sim, 20 * SEC, |sim| {
        let holders = (0..3).filter(|i| queue(sim, *i).is_owner()).count();
        assert!(holders <= 1, "two holders at {} us", sim.world.now_us());
    });
    for i in 0..3 {
        assert!(
            queue(&sim, i).wins >= 2,
            "c{} won {} times",
            i + 1,
            queue(&sim, i).wins
        );
    }
}

#[test]
fn election_recipe_moves_leadership_when_the_leading_client_crashes() {
    let cand = || Recipe::Queue(SeqQueue::election("/election", None, 500));
    let mut sim = ensemble(12, vec![("c1", cand()), ("c2", cand()), ("c3", cand())]);
    run(&mut sim, 5 * SEC, |_| {});
    let leader = (0..3)
        .find(|i| queue(&sim, *i).is_owner())
        .expect("a leader after 5 s");
    let node = NodeId((SERVERS + leader) as u32);
    sim.world.inject(Input::Crash(node));
    // The crashed client's session expires on the leader after its 6 s timeout (plus the
    // bucket rounding); its ephemeral node goes, and the next candidate takes over.
    run(&mut sim, 20 * SEC, |_| {});
    let new_leader = (0..3)
        .find(|i| *i != leader && queue(&sim, *i).is_owner())
        .expect("a new leader");
    sim.world.inject(Input::Restart(node));
    run(&mut sim, 25 * SEC, |_| {});
    assert!(queue(&sim, new_leader).is_owner(), "leadership stays put");
    let back = queue(&sim, leader).status();
    assert!(back.starts_with("follower, watching"), "{back}");
}

#[test]
fn config_reader_follows_the_writer_across_a_server_crash() {
    let mut sim = ensemble(
        13,
        vec![
            (
                "w",
                Recipe::ConfigWriter(ConfigWriter::new("/app/config", 1000)),
            ),
            ("r", Recipe::ConfigReader(ConfigReader::new("/app/config"))),
        ],
    );
    run(&mut sim, 6 * SEC, |_| {});
    let reader_server = client(&sim, 1)
        .zk
        .connected_server()
        .expect("reader connected");
    sim.world.inject(Input::Crash(reader_server));
    run(&mut sim, 20 * SEC, |_| {});
    sim.world.inject(Input::Restart(reader_server));
    run(&mut sim, 30 * SEC + 500 * MS, |_| {});
    let (Some(Recipe::ConfigWriter(w)), Some(Recipe::ConfigReader(r))) = (
        client(&sim, 0).recipe_state(),
        client(&sim, 1).recipe_state(),
    ) else {
        panic!("recipes")
    };
    assert!(w.written >= 20, "writer wrote {}", w.written);
    let (value, _) = r.value.clone().expect("a value");
    assert_eq!(
        value,
        format!("v{}", w.written),
        "reader status: {}",
        r.status
    );
}

#[test]
fn multi_writer_changes_both_znodes_together_on_every_replica_and_is_fenced_by_the_epoch() {
    // The config writer rewrites the epoch znode, so some of the multi writer's multis find
    // its version moved (BadVersion on the check) and apply nothing.
    let mut sim = ensemble(
        14,
        vec![
            ("e", Recipe::ConfigWriter(ConfigWriter::new("/epoch", 700))),
            (
                "m",
                Recipe::MultiWriter(MultiWriter::new("/epoch", "/multi", 200)),
            ),
        ],
    );
    run(&mut sim, 25 * SEC, |sim| {
        for i in 0..SERVERS {
            let Some(server) = sim.world.node(NodeId(i as u32)).zk_server() else {
                continue;
            };
            let tree = server.tree();
            // Created by separate creates; from then on only multis change them, together.
            let written = |p: &str| {
                tree.node(p).map(|n| {
                    let s = n.stat;
                    (
                        n.data.clone(),
                        s.version,
                        (s.version > 0).then_some(s.mzxid),
                    )
                })
            };
            let (a, b) = (written("/multi/a"), written("/multi/b"));
            if let (Some(a), Some(b)) = (a, b) {
                assert_eq!(a, b, "zk{} has /multi/a and /multi/b apart", i + 1);
            }
        }
    });
    let Some(Recipe::MultiWriter(m)) = client(&sim, 1).recipe_state() else {
        panic!("recipe")
    };
    assert!(
        m.committed >= 20,
        "{} multis applied; {}",
        m.committed,
        m.status
    );
    assert!(m.fenced >= 1, "no multi was fenced; {}", m.status);
}
