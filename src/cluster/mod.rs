//! Composition: the one `Node`, `Msg` and `Timer` enums of a world, the scenario catalogue,
//! fault plans and the invariant checkers.
//!
//! Protocol modules write their actors against their own message and timer types; this module
//! wraps them so one world can hold ZooKeeper servers, their clients and (next) Kafka brokers.
//! What is specific to one protocol lives in its folder here (`zk/`, `heartbeat/`): how to find
//! its nodes in a world, its checkers and its scenarios.

pub mod chaos;
pub mod checkers;
pub mod heartbeat;
pub mod kafka;
pub mod node;
pub mod runner;
pub mod scenario;
pub mod spec;
pub mod zk;

pub use checkers::{checkers_for, AnyChecker, Protocol};
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
