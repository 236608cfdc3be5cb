//! Composition: the one `Node`, `Msg` and `Timer` enums of a world, scenarios, fault plans and
//! invariant checkers.
//!
//! Protocol modules write their actors against their own message and timer types; this module
//! wraps them so one world can hold ZooKeeper servers, their clients and (next) Kafka brokers.

pub mod chaos;
pub mod checkers;
pub mod node;
pub mod runner;
pub mod scenario;
pub mod spec;
pub mod zk_checks;

pub use checkers::AnyChecker;
pub use node::{Msg, Node, Timer};
pub use scenario::{build, catalogue, BuildOptions, ScenarioInfo, ScenarioKind};

use crate::sim::{Sim, StepRecord, Timeline, World};

/// A world of cluster nodes.
pub type ClusterWorld = World<Node>;
/// A cluster world with its checkers.
pub type ClusterSim = Sim<Node, AnyChecker>;
/// One step of a cluster run.
pub type Record = StepRecord<Msg, Timer>;
/// A cluster run with its history.
pub type ClusterTimeline = Timeline<Node, AnyChecker>;
