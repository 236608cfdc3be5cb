//! The shipped scenarios and lessons, and how to build a run from one.
//!
//! A run is fully described by (scenario, seed, user inputs). Building a scenario is
//! deterministic in its options; `chaos` adds a random fault plan drawn from the seed, for
//! sweeps.

use serde::Serialize;

use crate::heartbeat::Member;
use crate::sim::Input;
use crate::sim::{LinkConfig, NodeId, TimeUs, World, MS, SEC};
use crate::zk::recipes::{ConfigReader, ConfigWriter, GroupMember, GroupWatcher, Recipe, SeqQueue};
use crate::zk::{self, ZkConfig};

use super::chaos::{self, ChaosConfig};
use super::spec::ScenarioSpec;
use super::{AnyChecker, ClusterSim, Node};

/// Whether an entry is a guided lesson or a free scenario.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ScenarioKind {
    Lesson,
    Scenario,
}

impl ScenarioKind {
    /// `lesson` or `scenario`.
    pub fn as_str(self) -> &'static str {
        match self {
            ScenarioKind::Lesson => "lesson",
            ScenarioKind::Scenario => "scenario",
        }
    }
}

/// A catalogue entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct ScenarioInfo {
    pub name: &'static str,
    pub kind: ScenarioKind,
    pub title: &'static str,
    pub description: &'static str,
    /// Suggested number of steps for a CLI run or a sweep seed.
    pub default_steps: u64,
}

/// How to build a run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildOptions {
    pub seed: u64,
    /// Add a random fault plan drawn from the seed (for sweeps).
    pub chaos: bool,
    /// Override the scenario's number of servers, where it has servers.
    pub servers: Option<usize>,
}

impl BuildOptions {
    /// Options for `seed`, without chaos or overrides.
    pub fn seed(seed: u64) -> Self {
        Self {
            seed,
            chaos: false,
            servers: None,
        }
    }
}

/// Why a scenario could not be built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioError(pub String);

impl std::fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ScenarioError {}

const CATALOGUE: &[ScenarioInfo] = &[
    ScenarioInfo {
        name: "default",
        kind: ScenarioKind::Scenario,
        title: "A three-server ZooKeeper ensemble elects a leader",
        description: "Three servers run Fast Leader Election, then Zab discovery and sync; crash the leader and watch a new one take over.",
        default_steps: 5_000,
    },
    ScenarioInfo {
        name: "zk-ensemble",
        kind: ScenarioKind::Scenario,
        title: "ZooKeeper ensemble of 1, 3, 5 or 7 servers",
        description: "Servers only; pick the size. Crash, partition and restart servers to see elections and synchronization.",
        default_steps: 5_000,
    },
    ScenarioInfo {
        name: "zk-leader-crash",
        kind: ScenarioKind::Scenario,
        title: "The leader crashes while clients work",
        description: "Three servers and recipe clients; the leader crashes at 8 s and comes back at 25 s as a follower. Watch the followers time out, elect, and the clients reconnect with their sessions.",
        default_steps: 8_000,
    },
    ScenarioInfo {
        name: "zk-minority-leader",
        kind: ScenarioKind::Scenario,
        title: "The leader is cut off with a minority",
        description: "Five servers; at 8 s the leader and one follower are partitioned from the other three. The majority elects a new leader; the old one gives up after syncLimit; the partition heals at 30 s.",
        default_steps: 8_000,
    },
    ScenarioInfo {
        name: "zk-old-leader-returns",
        kind: ScenarioKind::Scenario,
        title: "An old leader returns with a transaction nobody else has",
        description: "Sheet B.7: the leader is isolated, logs a write that never commits, and crashes; the others move on to epoch 2. When it returns it joins as a follower and the stray transaction is truncated or replaced by a snapshot.",
        default_steps: 8_000,
    },
    ScenarioInfo {
        name: "zk-faults",
        kind: ScenarioKind::Scenario,
        title: "Five servers under random crashes, partitions, loss and duplication",
        description: "A 5-server ensemble with clients writing while faults are injected from the seed; everything heals at 20 s and must recover.",
        default_steps: 30_000,
    },
    ScenarioInfo {
        name: "heartbeat",
        kind: ScenarioKind::Scenario,
        title: "Heartbeat membership among five members",
        description: "The kernel's demo protocol: pings, pongs and failure detection.",
        default_steps: 5_000,
    },
];

/// Every shipped scenario and lesson, in display order.
pub fn catalogue() -> &'static [ScenarioInfo] {
    CATALOGUE
}

/// Looks a scenario up by name.
pub fn info(name: &str) -> Option<&'static ScenarioInfo> {
    CATALOGUE.iter().find(|s| s.name == name)
}

/// Builds the named scenario.
pub fn build(name: &str, opts: &BuildOptions) -> Result<ClusterSim, ScenarioError> {
    match name {
        "default" => Ok(zk_with_recipes(
            opts,
            opts.servers.unwrap_or(3),
            demo_clients(),
        )),
        "zk-ensemble" => Ok(zk_scenario(opts, opts.servers.unwrap_or(3), &[])),
        "zk-leader-crash" => {
            let mut sim = zk_with_recipes(opts, opts.servers.unwrap_or(3), demo_clients());
            let n = server_count(&sim);
            let leader = NodeId(n as u32 - 1);
            sim.world.schedule(8 * SEC, Input::Crash(leader));
            sim.world.schedule(25 * SEC, Input::Restart(leader));
            Ok(sim)
        }
        "zk-minority-leader" => {
            let mut sim = zk_with_recipes(opts, opts.servers.unwrap_or(5).max(3), demo_clients());
            let n = server_count(&sim) as u32;
            let minority: Vec<NodeId> = (n - (n - 1) / 2..n).map(NodeId).collect();
            let majority: Vec<NodeId> = (0..n - (n - 1) / 2).map(NodeId).collect();
            sim.world
                .schedule(8 * SEC, Input::Partition(vec![minority, majority]));
            sim.world.schedule(30 * SEC, Input::Heal);
            Ok(sim)
        }
        "zk-old-leader-returns" => Ok(old_leader_returns(opts)),
        "zk-faults" => Ok(zk_with_recipes(
            &BuildOptions {
                chaos: true,
                ..opts.clone()
            },
            opts.servers.unwrap_or(5),
            busy_clients(),
        )),
        "heartbeat" => Ok(heartbeat_group(opts, opts.servers.unwrap_or(5))),
        other => Err(ScenarioError(format!(
            "unknown scenario `{other}`; `zooscope-cli scenarios` lists them"
        ))),
    }
}

/// Builds a scenario given as a file's text (JSON, see [`ScenarioSpec`]).
pub fn build_from_text(text: &str, opts: &BuildOptions) -> Result<ClusterSim, ScenarioError> {
    ScenarioSpec::parse(text)?.build(opts)
}

/// Base link used by the shipped scenarios.
pub fn base_link() -> LinkConfig {
    LinkConfig::default()
}

/// A heartbeat group of `n` members (the kernel's demo protocol).
pub fn heartbeat_group(opts: &BuildOptions, n: usize) -> ClusterSim {
    let n = n.clamp(1, 9);
    let mut world = World::new(opts.seed, base_link());
    let ids: Vec<NodeId> = (0..n as u32).map(NodeId).collect();
    for (i, id) in ids.iter().enumerate() {
        let peers = ids.iter().copied().filter(|p| p != id).collect();
        let mut member = Member::new(format!("m{}", i + 1), peers);
        member.peer_names = ids.iter().map(|p| (*p, format!("m{}", p.0 + 1))).collect();
        // Stagger the starts a little so the first pings do not all coincide.
        world.add_node_at(Node::Heartbeat(member), (i as TimeUs) * 7 * MS);
    }
    if opts.chaos {
        add_chaos(&mut world, opts.seed, ids, n.saturating_sub(1));
    }
    ClusterSim::new(world, AnyChecker::heartbeat_set())
}

/// A ZooKeeper ensemble of `servers` servers (labels `zk1..zkN`, sids 1..N, the sample
/// configuration) and scripted clients with the given labels, able to use every server.
pub fn zk_ensemble(seed: u64, servers: usize, clients: &[&str]) -> ClusterSim {
    zk_scenario(&BuildOptions::seed(seed), servers, clients)
}

/// The recipe clients of the default scenario: a config writer and reader, two group
/// members with a watcher, two lock contenders.
fn demo_clients() -> Vec<(&'static str, Recipe)> {
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
fn busy_clients() -> Vec<(&'static str, Recipe)> {
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

/// Session timeout the recipe clients ask for.
pub const RECIPE_SESSION_TIMEOUT_MS: i32 = 6_000;

fn server_count(sim: &ClusterSim) -> usize {
    sim.world
        .node_ids()
        .filter(|id| matches!(sim.world.node(*id), Node::ZkServer(_)))
        .count()
}

fn zk_with_recipes(
    opts: &BuildOptions,
    servers: usize,
    clients: Vec<(&'static str, Recipe)>,
) -> ClusterSim {
    let mut sim = zk_scenario(opts, servers, &[]);
    let nodes: Vec<NodeId> = (0..server_count(&sim) as u32).map(NodeId).collect();
    for (i, (name, recipe)) in clients.into_iter().enumerate() {
        // Each client lists the servers starting from a different one, as connect strings
        // shuffled by the real client library would.
        let mut list = nodes.clone();
        list.rotate_left(i % nodes.len());
        let c = zk::ClientNode::recipe(name, list, RECIPE_SESSION_TIMEOUT_MS, recipe);
        sim.world.add_node_at(
            Node::ZkClient(Box::new(c)),
            500 * MS + i as TimeUs * 150 * MS,
        );
    }
    sim
}

/// Sheet B.7 as a scenario: the leader of epoch 1 is isolated, takes a write it can never
/// commit, crashes; the rest elect epoch 2 and go on; the old leader restarts and rejoins.
fn old_leader_returns(opts: &BuildOptions) -> ClusterSim {
    let n = opts.servers.unwrap_or(3).max(3);
    let mut sim = zk_scenario(opts, n, &[]);
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
    sim.world
        .add_node_at(Node::ZkClient(Box::new(writer)), 500 * MS);
    sim.world
        .schedule(6 * SEC, Input::Partition(vec![vec![leader], others]));
    sim.world.schedule(9 * SEC, Input::Crash(leader));
    sim.world.schedule(9 * SEC + MS, Input::Heal);
    sim.world.schedule(40 * SEC, Input::Restart(leader));
    sim
}

fn zk_scenario(opts: &BuildOptions, servers: usize, clients: &[&str]) -> ClusterSim {
    let n = servers.clamp(1, 9);
    let mut world = World::new(opts.seed, base_link());
    let nodes: Vec<NodeId> = (0..n as u32).map(NodeId).collect();
    let cfg = ZkConfig::new(
        nodes
            .iter()
            .enumerate()
            .map(|(i, id)| (i as u64 + 1, *id))
            .collect(),
    );
    for (i, _) in nodes.iter().enumerate() {
        let server = zk::Server::new(i as u64 + 1, cfg.clone());
        // Servers boot a few milliseconds apart, as real processes do.
        world.add_node_at(Node::ZkServer(Box::new(server)), (i as TimeUs) * 3 * MS);
    }
    for name in clients {
        let c = zk::ClientNode::scripted(name.to_string());
        world.add_node_at(Node::ZkClient(Box::new(c)), 0);
    }
    if opts.chaos {
        add_chaos(&mut world, opts.seed, nodes, n.saturating_sub(1));
    }
    ClusterSim::new(world, AnyChecker::zk_set())
}

/// Schedules a random fault plan over `targets`, healing at 20 s.
pub fn add_chaos(world: &mut World<Node>, seed: u64, targets: Vec<NodeId>, max_down: usize) {
    let cfg = ChaosConfig {
        targets,
        start_us: SEC,
        heal_at_us: 20 * SEC,
        mean_gap_us: 1_500 * MS,
        max_down,
        base_link: base_link(),
    };
    for (at, input) in chaos::plan(seed, &cfg) {
        world.schedule(at, input);
    }
}
