//! What the view remembers about a run beyond the current step: when each node changed role
//! (elections, crashes), the timeline markers (elections, faults, invariant violations), and
//! what each protocol keeps for itself (ZooKeeper: the step that committed each zxid).
//!
//! Records alone do not say when a server became LEADING, so the history *observes* the world
//! right after each new step: only the node whose handler ran can have changed, so that costs
//! one summary per step. Steps replayed after a seek are already known and skipped; a fork
//! (an input given in the past) truncates the history at the fork point.

use crate::cluster::{ClusterWorld, Record};
use crate::sim::{EventRecord, NodeId, TimeUs};

use super::cards::Role;
use super::names::Names;
use super::narrate;
use super::protocols::{self, ProtocolHistory};
use super::quiet;

/// A node's role, epoch and leader: what a transition changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RoleState {
    pub role: Role,
    pub epoch: u32,
    /// The leader it follows, in its protocol's own ids (a ZooKeeper sid).
    pub leader: Option<u64>,
}

impl RoleState {
    /// The state of node `id` in `world` now.
    pub fn of(world: &ClusterWorld, id: NodeId) -> RoleState {
        protocols::role_state(world, id)
    }

    /// A role without epoch or leader.
    pub fn plain(role: Role) -> RoleState {
        RoleState {
            role,
            epoch: 0,
            leader: None,
        }
    }
}

/// A node changed role or epoch at a step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transition {
    pub step: u64,
    pub node: NodeId,
    pub from: RoleState,
    pub to: RoleState,
}

impl Transition {
    /// Whether this is a node becoming a leader.
    pub fn is_election(&self) -> bool {
        self.to.role.leads && !self.from.role.leads
    }

    /// The sentence for it: "zk1 is now LEADING", "zk2 is now FOLLOWING zk1 in epoch 2".
    pub fn sentence(&self, names: &Names) -> String {
        protocols::transition_sentence(self, names)
    }
}

/// What a timeline marker marks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MarkerKind {
    /// A server became the leader.
    Election,
    /// A fault or repair (crash, restart, partition, heal, dropped message, expiry…).
    Fault,
    /// An invariant was violated.
    Violation,
}

impl MarkerKind {
    /// `election`, `fault`, `violation` (CSS class and legend).
    pub fn as_str(self) -> &'static str {
        match self {
            MarkerKind::Election => "election",
            MarkerKind::Fault => "fault",
            MarkerKind::Violation => "violation",
        }
    }
}

/// A mark on the timeline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Marker {
    pub step: u64,
    pub kind: MarkerKind,
    pub text: String,
}

/// An invariant violation found at a step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ViolationEntry {
    pub step: u64,
    pub time_us: TimeUs,
    pub checker: &'static str,
    pub message: String,
}

/// A notable step after a long quiet stretch (see [`super::quiet`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Gap {
    pub step: u64,
    /// Simulated time since the previous notable step.
    pub span_us: TimeUs,
    /// `⏩ 9.8 s later: zk1's read timeout fires`.
    pub text: String,
}

/// The remembered past of a run.
#[derive(Clone, Debug, Default)]
pub struct History {
    initial: Vec<RoleState>,
    gaps: Vec<Gap>,
    /// Time of the last notable step (none right after a fork).
    last_notable_us: Option<TimeUs>,
    current: Vec<RoleState>,
    transitions: Vec<Transition>,
    markers: Vec<Marker>,
    violations: Vec<ViolationEntry>,
    observed: u64,
    /// What each protocol remembers.
    pub protocols: ProtocolHistory,
}

impl History {
    /// Starts remembering from the world as it is (at step `world.steps()`).
    pub fn new(world: &ClusterWorld) -> History {
        let initial: Vec<RoleState> = world
            .node_ids()
            .map(|id| RoleState::of(world, id))
            .collect();
        History {
            current: initial.clone(),
            initial,
            observed: world.steps(),
            last_notable_us: Some(world.now_us()),
            ..History::default()
        }
    }

    /// The last step observed.
    pub fn observed(&self) -> u64 {
        self.observed
    }

    /// Takes note of a step just taken; `world` is the state right after it. Steps already
    /// observed (replays after a seek) are ignored.
    pub fn observe(&mut self, rec: &Record, world: &ClusterWorld, names: &Names) {
        if rec.step <= self.observed {
            return;
        }
        self.observed = rec.step;
        let before = self.transitions.len();
        if let Some(node) = rec.actor() {
            self.check_node(rec.step, node, world, names);
        }
        if !quiet::is_quiet(rec, self.transitions.len() > before) {
            let input = matches!(rec.event, EventRecord::Input(_));
            if let Some(last) = self.last_notable_us.filter(|_| !input) {
                let span_us = rec.time_us.saturating_sub(last);
                if span_us >= quiet::GAP_MIN_US {
                    self.gaps.push(Gap {
                        step: rec.step,
                        span_us,
                        text: quiet::gap_sentence(span_us, &narrate::describe(rec, names)),
                    });
                }
            }
            self.last_notable_us = Some(rec.time_us);
        }
        if let EventRecord::Input(input) = &rec.event {
            if protocols::is_fault(input) {
                self.markers.push(Marker {
                    step: rec.step,
                    kind: MarkerKind::Fault,
                    text: narrate::describe(rec, names),
                });
            }
        }
        for v in &rec.violations {
            self.violations.push(ViolationEntry {
                step: rec.step,
                time_us: rec.time_us,
                checker: v.checker,
                message: v.message.clone(),
            });
            self.markers.push(Marker {
                step: rec.step,
                kind: MarkerKind::Violation,
                text: format!("{}: {}", v.checker, v.message),
            });
        }
        self.protocols.observe(rec, world);
    }

    fn check_node(&mut self, step: u64, node: NodeId, world: &ClusterWorld, names: &Names) {
        let i = node.index();
        if i >= self.current.len() {
            return;
        }
        let now = RoleState::of(world, node);
        let before = self.current[i];
        if now == before {
            return;
        }
        self.current[i] = now;
        let t = Transition {
            step,
            node,
            from: before,
            to: now,
        };
        if t.is_election() {
            self.markers.push(Marker {
                step,
                kind: MarkerKind::Election,
                text: format!("{} becomes the leader", names.label(node)),
            });
        }
        self.transitions.push(t);
    }

    /// Forgets everything after `step` (the run forked there).
    pub fn truncate(&mut self, step: u64) {
        self.transitions.retain(|t| t.step <= step);
        self.markers.retain(|m| m.step <= step);
        self.violations.retain(|v| v.step <= step);
        if self.observed > step {
            self.last_notable_us = None;
        }
        self.gaps.retain(|g| g.step <= step);
        self.protocols.truncate(step);
        self.current = self.initial.clone();
        for t in &self.transitions {
            if let Some(slot) = self.current.get_mut(t.node.index()) {
                *slot = t.to;
            }
        }
        self.observed = self.observed.min(step);
    }

    /// The transitions of one step.
    pub fn transitions_at(&self, step: u64) -> &[Transition] {
        let lo = self.transitions.partition_point(|t| t.step < step);
        let hi = self.transitions.partition_point(|t| t.step <= step);
        &self.transitions[lo..hi]
    }

    /// Every transition so far, in step order.
    pub fn transitions(&self) -> &[Transition] {
        &self.transitions
    }

    /// Timeline markers in step order.
    pub fn markers(&self) -> &[Marker] {
        &self.markers
    }

    /// Gaps (notable steps after long quiet stretches) in step order.
    pub fn gaps(&self) -> &[Gap] {
        &self.gaps
    }

    /// The gap that ends at `step`, if any.
    pub fn gap_at(&self, step: u64) -> Option<&Gap> {
        let at = self.gaps.partition_point(|g| g.step < step);
        self.gaps.get(at).filter(|g| g.step == step)
    }

    /// Violations in step order.
    pub fn violations(&self) -> &[ViolationEntry] {
        &self.violations
    }

    /// Narration of a step: the record's sentence, then the role changes it caused.
    pub fn narrate(&self, rec: &Record, names: &Names) -> String {
        let mut s = narrate::describe(rec, names);
        for t in self.transitions_at(rec.step) {
            // A node coming up is what a start event says already.
            if t.from.role == Role::DOWN && t.to.role.presence {
                continue;
            }
            let sentence = t.sentence(names);
            // The protocol's note may already have said it.
            let said = rec
                .notes
                .iter()
                .any(|n| n.contains(names.label(t.node)) && n.contains(t.to.role.title()));
            if !said {
                s = narrate::join_sentences([s.as_str(), sentence.as_str()].into_iter());
            }
        }
        for v in &rec.violations {
            let line = format!("Invariant {} is violated: {}", v.checker, v.message);
            s = narrate::join_sentences([s.as_str(), line.as_str()].into_iter());
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::{build, BuildOptions, ClusterTimeline};
    use crate::sim::{Input, TimelineLimits};

    fn heartbeat_timeline() -> ClusterTimeline {
        let sim = build(
            "heartbeat",
            &BuildOptions {
                servers: Some(3),
                ..BuildOptions::seed(7)
            },
        )
        .unwrap();
        ClusterTimeline::new(sim, TimelineLimits::default())
    }

    /// Steps once and observes, as the UI does.
    fn step(tl: &mut ClusterTimeline, h: &mut History) {
        assert!(tl.step());
        let names = Names::from_world(&tl.current().world);
        let rec = tl.record(tl.cursor()).unwrap().clone();
        h.observe(&rec, &tl.current().world, &names);
    }

    #[test]
    fn crashes_are_transitions_and_fault_markers_and_forks_forget_them() {
        let mut tl = heartbeat_timeline();
        let mut h = History::new(&tl.current().world);
        for _ in 0..20 {
            step(&mut tl, &mut h);
        }
        tl.inject(Input::Crash(NodeId(1)));
        step(&mut tl, &mut h);
        let crash_step = tl.cursor();
        let t = h.transitions_at(crash_step);
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].to.role, Role::DOWN);
        let names = Names::from_world(&tl.current().world);
        assert_eq!(t[0].sentence(&names), "m2 is down");
        assert_eq!(h.markers().len(), 1);
        assert_eq!(h.markers()[0].kind, MarkerKind::Fault);
        assert_eq!(h.markers()[0].text, "m2 crashes.");
        let rec = tl.record(crash_step).unwrap();
        assert_eq!(h.narrate(rec, &names), "m2 crashes. m2 is down.");

        // Replaying the same steps after a seek adds nothing.
        tl.seek(5);
        h.truncate(tl.len()); // no-op: nothing after the frontier
        for _ in 0..20 {
            step(&mut tl, &mut h);
        }
        assert_eq!(h.markers().len(), 1);

        // A fork before the crash forgets it.
        tl.seek(10);
        tl.inject(Input::Heal);
        h.truncate(tl.cursor());
        assert!(h.markers().is_empty());
        assert!(h
            .transitions()
            .iter()
            .all(|t| t.step <= 10 && t.to.role != Role::DOWN));
        assert_eq!(h.observed(), 10);
        step(&mut tl, &mut h);
        assert_eq!(h.markers().len(), 1);
        assert_eq!(
            h.markers()[0].text,
            "The network heals: every cut link works again."
        );
    }

    #[test]
    fn restarts_bring_a_member_back() {
        let mut tl = heartbeat_timeline();
        let mut h = History::new(&tl.current().world);
        for _ in 0..10 {
            step(&mut tl, &mut h);
        }
        tl.inject(Input::Crash(NodeId(0)));
        step(&mut tl, &mut h);
        tl.inject(Input::Restart(NodeId(0)));
        step(&mut tl, &mut h);
        let names = Names::from_world(&tl.current().world);
        let t = h.transitions_at(12);
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].sentence(&names), "m1 is up");
    }
}
