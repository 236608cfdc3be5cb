//! Scenario files: a JSON description of a run, for engineers who want their own set-up.
//!
//! ```json
//! {"base": "heartbeat", "servers": 4,
//!  "link": {"latency_min_us": 1000, "latency_max_us": 3000, "loss_ppm": 0, "duplicate_ppm": 0, "fifo": true},
//!  "faults": [{"at_ms": 1500, "action": "crash", "node": "m2"},
//!             {"at_ms": 3000, "action": "partition", "groups": [["m1"], ["m3", "m4"]]},
//!             {"at_ms": 4000, "action": "heal"},
//!             {"at_ms": 4500, "action": "restart", "node": "m2"}],
//!  "chaos": false}
//! ```
//!
//! Nodes are named by their labels. Unknown fields, names or bases are errors with a message
//! that says what was wrong; nothing in a file can panic the program.

use serde::Deserialize;

use crate::sim::{Input, LinkConfig, NodeId, MS};

use super::scenario::{self, BuildOptions, ScenarioError};
use super::{ClusterSim, Msg};

/// A scenario file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioSpec {
    /// The shipped scenario to start from.
    pub base: String,
    /// Number of servers/members, if the base has them.
    #[serde(default)]
    pub servers: Option<usize>,
    /// Behaviour of every link.
    #[serde(default)]
    pub link: Option<LinkConfig>,
    /// Faults at fixed times.
    #[serde(default)]
    pub faults: Vec<ScheduledFault>,
    /// Add a random fault plan drawn from the seed.
    #[serde(default)]
    pub chaos: bool,
}

/// One planned fault.
#[derive(Clone, Debug, Deserialize)]
pub struct ScheduledFault {
    pub at_ms: u64,
    #[serde(flatten)]
    pub fault: FaultSpec,
}

/// A fault, naming nodes by label.
#[derive(Clone, Debug, Deserialize)]
#[serde(tag = "action", rename_all = "kebab-case")]
pub enum FaultSpec {
    Crash { node: String },
    Restart { node: String },
    Partition { groups: Vec<Vec<String>> },
    Heal,
    Cut { a: String, b: String },
    HealLink { a: String, b: String },
    Link { config: LinkConfig },
}

impl ScenarioSpec {
    /// Parses a scenario file's text.
    pub fn parse(text: &str) -> Result<Self, ScenarioError> {
        serde_json::from_str(text)
            .map_err(|e| ScenarioError(format!("scenario file is not valid: {e}")))
    }

    /// Builds the run the file describes.
    pub fn build(&self, opts: &BuildOptions) -> Result<ClusterSim, ScenarioError> {
        let opts = BuildOptions {
            seed: opts.seed,
            chaos: opts.chaos || self.chaos,
            servers: self.servers.or(opts.servers),
        };
        let mut sim = scenario::build(&self.base, &opts)?;
        if let Some(link) = &self.link {
            sim.world.inject(Input::SetDefaultLink(link.clone()));
        }
        let world = &sim.world;
        let find = |name: &str| -> Result<NodeId, ScenarioError> {
            world
                .node_ids()
                .find(|id| world.label(*id) == name)
                .ok_or_else(|| ScenarioError(format!("no node named `{name}` in this scenario")))
        };
        let mut planned = Vec::new();
        for f in &self.faults {
            let input: Input<Msg> = match &f.fault {
                FaultSpec::Crash { node } => Input::Crash(find(node)?),
                FaultSpec::Restart { node } => Input::Restart(find(node)?),
                FaultSpec::Partition { groups } => Input::Partition(
                    groups
                        .iter()
                        .map(|g| g.iter().map(|n| find(n)).collect::<Result<Vec<_>, _>>())
                        .collect::<Result<Vec<_>, _>>()?,
                ),
                FaultSpec::Heal => Input::Heal,
                FaultSpec::Cut { a, b } => Input::CutLink(find(a)?, find(b)?),
                FaultSpec::HealLink { a, b } => Input::HealLink(find(a)?, find(b)?),
                FaultSpec::Link { config } => Input::SetDefaultLink(config.clone()),
            };
            planned.push((f.at_ms.saturating_mul(MS), input));
        }
        for (at, input) in planned {
            sim.world.schedule(at, input);
        }
        Ok(sim)
    }
}
