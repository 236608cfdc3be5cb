//! What the view remembers about a run beyond the current step: when each node changed role
//! (elections, crashes), at which step each zxid was first committed, and the timeline
//! markers (elections, faults, invariant violations).
//!
//! Records alone do not say when a server became LEADING, so the history *observes* the world
//! right after each new step: only the node whose handler ran can have changed, so that costs
//! one summary per step. Steps replayed after a seek are already known and skipped; a fork
//! (an input given in the past) truncates the history at the fork point.

use crate::cluster::{ClusterWorld, Msg, Node, Record};
use crate::sim::{EventRecord, Input, NodeId, TimeUs};
use crate::zk::msg::{ClientPacket, Control, QuorumPacket, ReplyBody};
use crate::zk::{self, fmt_zxid, ErrorCode, Sid, Zxid};

use super::cards::Role;
use super::names::Names;
use super::narrate;

/// A node's role, epoch and leader: what a transition changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RoleState {
    pub role: Role,
    pub epoch: u32,
    pub leader: Option<Sid>,
}

impl RoleState {
    /// The state of node `id` in `world` now.
    pub fn of(world: &ClusterWorld, id: NodeId) -> RoleState {
        let up = world.is_up(id);
        let plain = |role| RoleState {
            role: if up { role } else { Role::Down },
            epoch: 0,
            leader: None,
        };
        match world.node(id) {
            Node::ZkServer(s) if up => {
                let s = s.summary();
                RoleState {
                    role: Role::of_state(s.state),
                    epoch: s.current_epoch,
                    leader: s.leader,
                }
            }
            Node::ZkServer(_) => plain(Role::Down),
            Node::ZkClient(_) => plain(Role::Client),
            Node::Heartbeat(_) => plain(Role::Member),
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
    /// Whether this is a server becoming the leader.
    pub fn is_election(&self) -> bool {
        self.to.role == Role::Leading && self.from.role != Role::Leading
    }

    /// The sentence for it: "zk1 is now LEADING", "zk2 is now FOLLOWING zk1 in epoch 2".
    pub fn sentence(&self, names: &Names) -> String {
        let n = names.label(self.node);
        let (from, to) = (&self.from, &self.to);
        let epoch = if to.epoch > 0 {
            format!(" in epoch {}", to.epoch)
        } else {
            String::new()
        };
        if from.role == to.role {
            return match to.role {
                Role::Leading => format!("{n} now leads epoch {}", to.epoch),
                Role::Following if from.leader != to.leader => format!(
                    "{n} now follows {}{epoch}",
                    to.leader
                        .map_or("no one".to_string(), |l| names.sid_label(l))
                ),
                _ => format!("{n} moves to epoch {}", to.epoch),
            };
        }
        match to.role {
            Role::Leading => format!("{n} wins the election and is now LEADING{epoch}"),
            Role::Following => format!(
                "{n} is now FOLLOWING {}{epoch}",
                to.leader
                    .map_or("the new leader".to_string(), |l| names.sid_label(l))
            ),
            Role::Observing => format!("{n} is now OBSERVING"),
            Role::Looking => format!("{n} is LOOKING for a leader"),
            Role::Down => format!("{n} is down"),
            Role::Client | Role::Member => format!("{n} is up"),
        }
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

/// The remembered past of a run.
#[derive(Clone, Debug, Default)]
pub struct History {
    initial: Vec<RoleState>,
    current: Vec<RoleState>,
    transitions: Vec<Transition>,
    /// (zxid, step that first committed it), sorted by zxid.
    commits: Vec<(Zxid, u64)>,
    markers: Vec<Marker>,
    violations: Vec<ViolationEntry>,
    observed: u64,
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
        if let Some(node) = rec.actor() {
            self.check_node(rec.step, node, world, names);
        }
        if let EventRecord::Input(input) = &rec.event {
            if is_fault(input) {
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
        for zxid in committed_zxids(rec) {
            let at = self.commits.partition_point(|(z, _)| *z < zxid);
            if self.commits.get(at).is_none_or(|(z, _)| *z != zxid) {
                self.commits.insert(at, (zxid, rec.step));
            }
        }
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
        self.commits.retain(|(_, s)| *s <= step);
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

    /// The step at which `zxid` was first committed, if seen.
    pub fn commit_step(&self, zxid: Zxid) -> Option<u64> {
        let at = self.commits.partition_point(|(z, _)| *z < zxid);
        self.commits
            .get(at)
            .filter(|(z, _)| *z == zxid)
            .map(|(_, s)| *s)
    }

    /// Timeline markers in step order.
    pub fn markers(&self) -> &[Marker] {
        &self.markers
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
            if t.from.role == Role::Down && matches!(t.to.role, Role::Member | Role::Client) {
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

/// Whether an input is a fault or a repair (everything but asking a client to do something).
pub fn is_fault(input: &Input<Msg>) -> bool {
    !matches!(
        input,
        Input::Deliver(_, Msg::Zk(zk::Msg::Control(Control::ClientCall(_))))
    )
}

/// The zxids a step shows as committed: COMMITs it sent, and write replies it sent (a lone
/// server commits without sending COMMIT).
fn committed_zxids(rec: &Record) -> impl Iterator<Item = Zxid> + '_ {
    rec.sends.iter().filter_map(|s| match &s.msg {
        Msg::Zk(zk::Msg::Quorum {
            pkt: QuorumPacket::Commit { zxid },
            ..
        }) => Some(*zxid),
        Msg::Zk(zk::Msg::Client {
            pkt:
                ClientPacket::Reply {
                    zxid,
                    err: ErrorCode::Ok,
                    body: ReplyBody::Write(_),
                    ..
                },
            ..
        }) => Some(*zxid),
        _ => None,
    })
}

/// `0x200000004 (step 812)` style text for a zxid and the step that committed it.
pub fn zxid_with_step(h: &History, zxid: Zxid) -> String {
    match h.commit_step(zxid) {
        Some(s) => format!("{} (step {s})", fmt_zxid(zxid)),
        None => fmt_zxid(zxid),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::{build, BuildOptions, ClusterTimeline};
    use crate::sim::TimelineLimits;

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
        assert_eq!(t[0].to.role, Role::Down);
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
            .all(|t| t.step <= 10 && t.to.role != Role::Down));
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
