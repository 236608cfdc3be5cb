//! Invariant checkers of every protocol behind one type, so a `Sim` can hold them, and the
//! registry that says which checkers a world of given protocols runs.
//!
//! Each checker is a small struct in its protocol's folder (`cluster/zk/checks`,
//! `cluster/heartbeat`) implementing [`ClusterChecker`]: its name, kind and description sit
//! beside its logic. Adding a protocol's checkers is one line in [`REGISTRY`].

use std::fmt;

use crate::sim::{Checker, CheckerInfo, World};

use super::{Node, Record};

/// Which protocol a checker set or a scenario belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Protocol {
    Heartbeat,
    Zk,
    Kafka,
}

/// A checker over a cluster world (see [`crate::sim::Checker`]).
pub trait ClusterChecker: fmt::Debug + CloneChecker {
    /// Name, kind and description.
    fn info(&self) -> CheckerInfo;
    /// Looks at the world after a step; an explanation if the property is violated.
    fn after_step(&mut self, world: &World<Node>, rec: &Record) -> Option<String>;
    /// Looks at the world at the end of a run (for `Sometimes` properties).
    fn at_end(&mut self, _world: &World<Node>) -> Option<String> {
        None
    }
}

/// Cloning a boxed checker (checkpoints clone the checkers with the world).
pub trait CloneChecker {
    fn clone_box(&self) -> Box<dyn ClusterChecker>;
}

impl<T: ClusterChecker + Clone + 'static> CloneChecker for T {
    fn clone_box(&self) -> Box<dyn ClusterChecker> {
        Box::new(self.clone())
    }
}

/// Any protocol's checker.
#[derive(Debug)]
pub struct AnyChecker(Box<dyn ClusterChecker>);

impl AnyChecker {
    /// Wraps a checker.
    pub fn new(c: impl ClusterChecker + 'static) -> AnyChecker {
        AnyChecker(Box::new(c))
    }
}

impl Clone for AnyChecker {
    fn clone(&self) -> Self {
        AnyChecker(self.0.clone_box())
    }
}

impl Checker<Node> for AnyChecker {
    fn info(&self) -> CheckerInfo {
        self.0.info()
    }

    fn after_step(&mut self, world: &World<Node>, rec: &Record) -> Option<String> {
        self.0.after_step(world, rec)
    }

    fn at_end(&mut self, world: &World<Node>) -> Option<String> {
        self.0.at_end(world)
    }
}

/// Makes a protocol's checkers, fresh.
type CheckerSet = fn() -> Vec<AnyChecker>;

/// Each protocol's checker set.
const REGISTRY: &[(Protocol, CheckerSet)] = &[
    (Protocol::Heartbeat, super::heartbeat::checkers),
    (Protocol::Zk, super::zk::checks::checkers),
    (Protocol::Kafka, super::kafka::checks::checkers),
    (Protocol::Kafka, super::kafka::checks::data::checkers),
    (Protocol::Kafka, super::kafka::checks::zk_consumer::checkers),
    (Protocol::Kafka, super::kafka::checks::groups::checkers),
];

/// The checkers of a world running `protocols`, in registry order.
pub fn checkers_for(protocols: &[Protocol]) -> Vec<AnyChecker> {
    REGISTRY
        .iter()
        .filter(|(p, _)| protocols.contains(p))
        .flat_map(|(_, make)| make())
        .collect()
}
