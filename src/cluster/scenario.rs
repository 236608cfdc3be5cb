//! The scenario catalogue: every shipped scenario and lesson, and how to build a run from one.
//!
//! A run is fully described by (scenario, seed, user inputs). Building a scenario is
//! deterministic in its options; `chaos` adds a random fault plan drawn from the seed, for
//! sweeps. Each protocol lists its scenarios in its own folder (`cluster/zk/scenarios.rs`,
//! `cluster/heartbeat`), each name written once beside its builder; [`REGISTRY`] puts them in
//! display order.

use std::sync::OnceLock;

use serde::Serialize;

use crate::sim::{LinkConfig, NodeId, World, MS, SEC};

use super::chaos::{self, ChaosConfig};
use super::spec::ScenarioSpec;
use super::{ClusterSim, Node};

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
    /// The side panels the page shows for it (slugs, in tab order).
    #[serde(skip)]
    pub panels: &'static [&'static str],
}

/// A catalogue entry and its builder.
#[derive(Clone, Copy)]
pub struct Scenario {
    pub info: ScenarioInfo,
    pub build: fn(&BuildOptions) -> Result<ClusterSim, ScenarioError>,
}

/// Each protocol's scenarios, in display order.
const REGISTRY: &[&[Scenario]] = &[
    super::zk::scenarios::SCENARIOS,
    super::zk::whatif::SCENARIOS,
    super::heartbeat::SCENARIOS,
    super::kafka::scenarios::SCENARIOS,
    super::kafka::scenarios::controller::SCENARIOS,
    super::kafka::scenarios::faults::SCENARIOS,
    super::kafka::scenarios::producer::SCENARIOS,
    super::kafka::scenarios::groups::SCENARIOS,
    super::kafka::scenarios::whatif::SCENARIOS,
];

fn scenarios() -> impl Iterator<Item = &'static Scenario> {
    REGISTRY.iter().flat_map(|s| s.iter())
}

/// Every shipped scenario and lesson, in display order.
pub fn catalogue() -> &'static [ScenarioInfo] {
    static CATALOGUE: OnceLock<Vec<ScenarioInfo>> = OnceLock::new();
    CATALOGUE.get_or_init(|| scenarios().map(|s| s.info).collect())
}

/// Looks a scenario up by name.
pub fn info(name: &str) -> Option<&'static ScenarioInfo> {
    catalogue().iter().find(|s| s.name == name)
}

/// Builds the named scenario.
pub fn build(name: &str, opts: &BuildOptions) -> Result<ClusterSim, ScenarioError> {
    match scenarios().find(|s| s.info.name == name) {
        Some(s) => (s.build)(opts),
        None => Err(ScenarioError(format!(
            "unknown scenario `{name}`; `zooscope-cli scenarios` lists them"
        ))),
    }
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

/// Builds a scenario given as a file's text (JSON, see [`ScenarioSpec`]).
pub fn build_from_text(text: &str, opts: &BuildOptions) -> Result<ClusterSim, ScenarioError> {
    ScenarioSpec::parse(text)?.build(opts)
}

/// Base link used by the shipped scenarios.
pub fn base_link() -> LinkConfig {
    LinkConfig::default()
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
