//! "Run to …": targets the person can fast-forward to — the next election result, the next
//! commit, the next effect of the last fault, the next violation — each a predicate over a
//! step's record and the remembered history. The search ([`super::run::Run::run_to`]) steps
//! forward at most [`MAX_SEARCH_STEPS`] steps, so it never hangs, and stops on the first step
//! the predicate holds for, naming the node that caused it so the page can highlight it.
//!
//! Protocol-neutral targets live here; each protocol's own (ZooKeeper's commit; Kafka's
//! controller change, partition leader change, ISR change, rebalance as they land) are one
//! line each in [`super::protocols::TARGETS`], defined in the protocol's view folder.

use crate::cluster::{ClusterWorld, Record};
use crate::sim::NodeId;

use super::history::{History, MarkerKind};
use super::protocols;

/// Most steps one "run to" search takes before giving up.
pub const MAX_SEARCH_STEPS: u64 = 20_000;

/// What a predicate sees of one step (just taken).
pub struct Probe<'a> {
    pub rec: &'a Record,
    pub history: &'a History,
    pub world: &'a ClusterWorld,
    /// The step of the last fault or repair given before the search began.
    pub fault_step: Option<u64>,
}

/// A place to run to.
#[derive(Clone, Copy)]
pub struct Target {
    /// Stable, id-safe name (`election`, `commit`…).
    pub slug: &'static str,
    /// What the button says after "Run to": `next election`.
    pub label: &'static str,
    /// Its keyboard shortcut, if any.
    pub key: Option<&'static str>,
    /// Whether the step hits the target, and the node that caused it.
    pub hit: fn(&Probe) -> Option<Option<NodeId>>,
}

impl PartialEq for Target {
    fn eq(&self, other: &Self) -> bool {
        self.slug == other.slug
    }
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.slug)
    }
}

/// A node became the leader at this step.
pub const ELECTION: Target = Target {
    slug: "election",
    label: "next election",
    key: Some("e"),
    hit: |p| {
        p.history
            .transitions_at(p.rec.step)
            .iter()
            .find(|t| t.is_election())
            .map(|t| Some(t.node))
    },
};

/// A node changed role (or an invariant broke) after the last fault or repair.
pub const FAULT_EFFECT: Target = Target {
    slug: "fault-effect",
    label: "next effect of the last fault",
    key: Some("f"),
    hit: |p| {
        p.fault_step.filter(|f| p.rec.step > *f)?;
        if !p.rec.violations.is_empty() {
            return Some(p.rec.actor());
        }
        p.history
            .transitions_at(p.rec.step)
            .first()
            .map(|t| Some(t.node))
    },
};

/// An invariant was violated at this step.
pub const VIOLATION: Target = Target {
    slug: "violation",
    label: "next violation",
    key: Some("v"),
    hit: |p| (!p.rec.violations.is_empty()).then(|| p.rec.actor()),
};

/// Every target, in button order: the election, the protocols' own, then faults and
/// violations.
pub fn all() -> Vec<Target> {
    let mut v = vec![ELECTION];
    v.extend_from_slice(protocols::TARGETS);
    v.extend([FAULT_EFFECT, VIOLATION]);
    v
}

/// The target with this slug.
pub fn by_slug(slug: &str) -> Option<Target> {
    all().into_iter().find(|t| t.slug == slug)
}

/// The step of the last fault or repair at or before `step`.
pub fn last_fault(history: &History, step: u64) -> Option<u64> {
    history
        .markers()
        .iter()
        .rev()
        .find(|m| m.kind == MarkerKind::Fault && m.step <= step)
        .map(|m| m.step)
}

/// How a search ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    pub target: &'static str,
    /// The step it stopped at (the hit, or where it gave up).
    pub step: u64,
    /// Whether the target was reached.
    pub hit: bool,
    /// The node that caused it, to highlight.
    pub node: Option<NodeId>,
    /// What to tell the person.
    pub text: String,
}
