//! The ZooKeeper scenarios: each name written once, beside its builder.

use crate::sim::{Input, NodeId, TimeUs, World, MS, SEC};
use crate::zk::recipes::{ConfigReader, ConfigWriter, GroupMember, GroupWatcher, Recipe, SeqQueue};
use crate::zk::{self, ZkConfig};

use crate::cluster::checkers::{checkers_for, Protocol};
use crate::cluster::scenario::{
    add_chaos, base_link, BuildOptions, Scenario, ScenarioInfo, ScenarioKind,
};
use crate::cluster::{ClusterSim, Node};

use super::server_count;

/// The panels of a ZooKeeper scenario, in tab order.
pub const ZK_PANELS: &[&str] = &[
    "znodes",
    "zab-log",
    "sessions",
    "events",
    "sequence",
    "invariants",
];

/// Session timeout the recipe clients ask for.
pub const RECIPE_SESSION_TIMEOUT_MS: i32 = 6_000;

/// The ZooKeeper scenarios, in display order.
pub const SCENARIOS: &[Scenario] = &[
    Scenario {
        info: ScenarioInfo {
            name: "default",
            kind: ScenarioKind::Scenario,
            title: "A ZooKeeper ensemble elects a leader",
            description: "The servers (three by default) run Fast Leader Election, then Zab discovery and sync; crash the leader and watch a new one take over.",
            default_steps: 5_000,
            panels: ZK_PANELS,
        },
        build: |opts| Ok(with_recipes(opts, opts.servers.unwrap_or(3), demo_clients())),
    },
    Scenario {
        info: ScenarioInfo {
            name: "zk-ensemble",
            kind: ScenarioKind::Scenario,
            title: "ZooKeeper ensemble of 1, 3, 5 or 7 servers",
            description: "Servers only; pick the size. Crash, partition and restart servers to see elections and synchronization.",
            default_steps: 5_000,
            panels: ZK_PANELS,
        },
        build: |opts| Ok(ensemble_with(opts, opts.servers.unwrap_or(3), &[])),
    },
    Scenario {
        info: ScenarioInfo {
            name: "zk-leader-crash",
            kind: ScenarioKind::Scenario,
            title: "The leader crashes while clients work",
            description: "Three servers by default, and recipe clients; the leader crashes at 8 s and comes back at 25 s as a follower. Watch the followers time out, elect, and the clients reconnect with their sessions.",
            default_steps: 8_000,
            panels: ZK_PANELS,
        },
        build: |opts| Ok(leader_crash(opts)),
    },
    Scenario {
        info: ScenarioInfo {
            name: "zk-minority-leader",
            kind: ScenarioKind::Scenario,
            title: "The leader is cut off with a minority",
            description: "Five servers by default; at 8 s the leader and one follower are partitioned from the rest. The majority elects a new leader; the old one gives up after syncLimit; the partition heals at 30 s.",
            default_steps: 8_000,
            panels: ZK_PANELS,
        },
        build: |opts| Ok(minority_leader(opts)),
    },
    Scenario {
        info: ScenarioInfo {
            name: "zk-old-leader-returns",
            kind: ScenarioKind::Scenario,
            title: "An old leader returns with a transaction nobody else has",
            description: "Sheet B.7: the leader is isolated, logs a write that never commits, and crashes; the others move on to epoch 2. When it returns it joins as a follower and the stray transaction is truncated or replaced by a snapshot.",
            default_steps: 8_000,
            panels: ZK_PANELS,
        },
        build: |opts| Ok(old_leader_returns(opts)),
    },
    Scenario {
        info: ScenarioInfo {
            name: "zk-faults",
            kind: ScenarioKind::Scenario,
            title: "Voters and two observers under random crashes, partitions, loss and duplication",
            description: "Five voters by default and two observers (the last two servers), with clients writing while faults are injected from the seed; everything heals at 20 s and must recover, observers OBSERVING again.",
            default_steps: 30_000,
            panels: ZK_PANELS,
        },
        build: |opts| {
            let chaotic = BuildOptions {
                chaos: true,
                ..opts.clone()
            };
            Ok(with_recipes_observed(
                &chaotic,
                opts.servers.unwrap_or(5),
                2,
                busy_clients(),
            ))
        },
    },
    Scenario {
        info: ScenarioInfo {
            name: "zk-observers",
            kind: ScenarioKind::Scenario,
            title: "Voters and two observers",
            description: "The voters (three by default) vote; the last two servers are observers: they follow the leader without a vote, get committed txns as INFORM, serve reads and forward writes. Recipe clients use the observers too; crash an observer or two voters to see who counts.",
            default_steps: 6_000,
            panels: ZK_PANELS,
        },
        build: |opts| {
            Ok(with_recipes_observed(
                opts,
                opts.servers.unwrap_or(3),
                2,
                demo_clients(),
            ))
        },
    },
];

/// A ZooKeeper ensemble of `servers` servers (labels `zk1..zkN`, sids 1..N, the sample
/// configuration) and scripted clients with the given labels, able to use every server.
pub fn ensemble(seed: u64, servers: usize, clients: &[&str]) -> ClusterSim {
    ensemble_with(&BuildOptions::seed(seed), servers, clients)
}

/// The recipe clients of the default scenario: a config writer and reader, two group
/// members with a watcher, two lock contenders.
pub(super) fn demo_clients() -> Vec<(&'static str, Recipe)> {
    vec![
        (
            "writer",
            Recipe::ConfigWriter(ConfigWriter::new("/config", 5_000)),
        ),
        ("reader", Recipe::ConfigReader(ConfigReader::new("/config"))),
        (
            "member1",
            Recipe::GroupMember(GroupMember::new("/members", None)),
        ),
        (
            "member2",
            Recipe::GroupMember(GroupMember::new("/members", Some(30_000))),
        ),
        (
            "watcher",
            Recipe::GroupWatcher(GroupWatcher::new("/members")),
        ),
        (
            "lock1",
            Recipe::Queue(SeqQueue::lock("/lock", 4_000, 3_000)),
        ),
        (
            "lock2",
            Recipe::Queue(SeqQueue::lock("/lock", 4_000, 3_000)),
        ),
    ]
}

/// Clients that write often, for fault sweeps.
pub(super) fn busy_clients() -> Vec<(&'static str, Recipe)> {
    vec![
        (
            "writer1",
            Recipe::ConfigWriter(ConfigWriter::new("/config", 700)),
        ),
        (
            "writer2",
            Recipe::ConfigWriter(ConfigWriter::new("/app/flag", 900)),
        ),
        ("reader", Recipe::ConfigReader(ConfigReader::new("/config"))),
        (
            "member",
            Recipe::GroupMember(GroupMember::new("/members", Some(8_000))),
        ),
        (
            "watcher",
            Recipe::GroupWatcher(GroupWatcher::new("/members")),
        ),
        ("lock1", Recipe::Queue(SeqQueue::lock("/lock", 1_500, 500))),
        ("lock2", Recipe::Queue(SeqQueue::lock("/lock", 1_500, 500))),
        (
            "multi",
            Recipe::MultiWriter(zk::recipes::MultiWriter::new("/config", "/multi", 600)),
        ),
    ]
}

pub(super) fn with_recipes(
    opts: &BuildOptions,
    servers: usize,
    clients: Vec<(&'static str, Recipe)>,
) -> ClusterSim {
    with_recipes_observed(opts, servers, 0, clients)
}

/// [`with_recipes`] with `observers` observers after the voters; every client's server list
/// holds the observers too (rotated, so some clients start on an observer).
fn with_recipes_observed(
    opts: &BuildOptions,
    servers: usize,
    observers: usize,
    clients: Vec<(&'static str, Recipe)>,
) -> ClusterSim {
    let mut sim = ensemble_observed(opts, servers, observers, &[]);
    let nodes: Vec<NodeId> = (0..server_count(&sim.world) as u32).map(NodeId).collect();
    for (i, (name, recipe)) in clients.into_iter().enumerate() {
        // Each client lists the servers starting from a different one, as connect strings
        // shuffled by the real client library would.
        let mut list = nodes.clone();
        list.rotate_left(i % nodes.len());
        let c = zk::ClientNode::recipe(name, list, RECIPE_SESSION_TIMEOUT_MS, recipe);
        sim.world
            .add_node_at(Node::from(c), 500 * MS + i as TimeUs * 150 * MS);
    }
    sim
}

fn leader_crash(opts: &BuildOptions) -> ClusterSim {
    let mut sim = with_recipes(opts, opts.servers.unwrap_or(3), demo_clients());
    let n = server_count(&sim.world);
    let leader = NodeId(n as u32 - 1);
    sim.world.schedule(8 * SEC, Input::Crash(leader));
    sim.world.schedule(25 * SEC, Input::Restart(leader));
    sim
}

fn minority_leader(opts: &BuildOptions) -> ClusterSim {
    let mut sim = with_recipes(opts, opts.servers.unwrap_or(5).max(3), demo_clients());
    let n = server_count(&sim.world) as u32;
    let minority: Vec<NodeId> = (n - (n - 1) / 2..n).map(NodeId).collect();
    let majority: Vec<NodeId> = (0..n - (n - 1) / 2).map(NodeId).collect();
    sim.world
        .schedule(8 * SEC, Input::Partition(vec![minority, majority]));
    sim.world.schedule(30 * SEC, Input::Heal);
    sim
}

/// Sheet B.7 as a scenario: the leader of epoch 1 is isolated, takes a write it can never
/// commit, crashes; the rest elect epoch 2 and go on; the old leader restarts and rejoins.
pub(super) fn old_leader_returns(opts: &BuildOptions) -> ClusterSim {
    let n = opts.servers.unwrap_or(3).max(3);
    let mut sim = ensemble_with(opts, n, &[]);
    let leader = NodeId(n as u32 - 1);
    let others: Vec<NodeId> = (0..n as u32 - 1).map(NodeId).collect();
    // The writer talks to the leader first, so its next write after the cut reaches only
    // the isolated leader, which logs it and can never commit it.
    let mut list = vec![leader];
    list.extend(others.iter().copied());
    let writer = zk::ClientNode::recipe(
        "writer",
        list,
        RECIPE_SESSION_TIMEOUT_MS,
        Recipe::ConfigWriter(ConfigWriter::new("/config", 2_500)),
    );
    sim.world.add_node_at(Node::from(writer), 500 * MS);
    sim.world
        .schedule(6 * SEC, Input::Partition(vec![vec![leader], others]));
    sim.world.schedule(9 * SEC, Input::Crash(leader));
    sim.world.schedule(9 * SEC + MS, Input::Heal);
    sim.world.schedule(40 * SEC, Input::Restart(leader));
    sim
}

/// The ensemble a zk-script runs on: [`ensemble`] with the script's server settings.
pub fn script_ensemble(setup: &crate::zk::script::ScriptSetup) -> ClusterSim {
    let opts = BuildOptions::seed(setup.seed);
    ensemble_configured(&opts, setup.servers, setup.clients, |c| {
        setup.flags.apply(c)
    })
}

/// Servers `zk1..zkN` (booting 3 ms apart) and scripted clients, with the ZooKeeper
/// checkers and, if asked, a fault plan.
pub fn ensemble_with(opts: &BuildOptions, servers: usize, clients: &[&str]) -> ClusterSim {
    ensemble_full(opts, servers, 0, clients, |_| {})
}

/// [`ensemble_with`], with a change to the servers' configuration.
fn ensemble_configured(
    opts: &BuildOptions,
    servers: usize,
    clients: &[&str],
    tweak: impl FnOnce(&mut ZkConfig),
) -> ClusterSim {
    ensemble_full(opts, servers, 0, clients, tweak)
}

/// [`ensemble_with`] plus `observers` observers: voters are `zk1..zkN` (sids 1..N), observers
/// `zkN+1..` (`server.M=…:observer`), every server sharing the same configuration.
pub fn ensemble_observed(
    opts: &BuildOptions,
    servers: usize,
    observers: usize,
    clients: &[&str],
) -> ClusterSim {
    ensemble_full(opts, servers, observers, clients, |_| {})
}

fn ensemble_full(
    opts: &BuildOptions,
    servers: usize,
    observers: usize,
    clients: &[&str],
    tweak: impl FnOnce(&mut ZkConfig),
) -> ClusterSim {
    let voters = servers.clamp(1, 9);
    let n = voters + observers.min(4);
    let mut world = World::new(opts.seed, base_link());
    let nodes: Vec<NodeId> = (0..n as u32).map(NodeId).collect();
    let members: Vec<(u64, NodeId)> = nodes
        .iter()
        .enumerate()
        .map(|(i, id)| (i as u64 + 1, *id))
        .collect();
    let mut cfg =
        ZkConfig::new(members[..voters].to_vec()).with_observers(members[voters..].to_vec());
    tweak(&mut cfg);
    for (i, _) in nodes.iter().enumerate() {
        let server = zk::Server::new(i as u64 + 1, cfg.clone());
        // Servers boot a few milliseconds apart, as real processes do.
        world.add_node_at(Node::from(server), (i as TimeUs) * 3 * MS);
    }
    for name in clients {
        let c = zk::ClientNode::scripted(name.to_string());
        world.add_node_at(Node::from(c), 0);
    }
    if opts.chaos {
        add_chaos(&mut world, opts.seed, nodes, n.saturating_sub(1));
    }
    ClusterSim::new(world, checkers_for(&[Protocol::Zk]))
}
