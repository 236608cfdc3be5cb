//! The shipped scenarios and lessons, and how to build a run from one.
//!
//! A run is fully described by (scenario, seed, user inputs). Building a scenario is
//! deterministic in its options; `chaos` adds a random fault plan drawn from the seed, for
//! sweeps.

use serde::Serialize;

use crate::heartbeat::Member;
use crate::sim::{LinkConfig, NodeId, TimeUs, World, MS, SEC};
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
        "default" => Ok(zk_scenario(opts, opts.servers.unwrap_or(3), &[])),
        "zk-ensemble" => Ok(zk_scenario(opts, opts.servers.unwrap_or(3), &[])),
        "zk-faults" => Ok(zk_scenario(
            &BuildOptions {
                chaos: true,
                ..opts.clone()
            },
            opts.servers.unwrap_or(5),
            &["c1", "c2", "c3"],
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
        let member = Member::new(format!("m{}", i + 1), peers);
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
