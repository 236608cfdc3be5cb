//! Step records: what one step did, as data.
//!
//! The record is the single source for the event log, the arrows and narration in the UI, the
//! CLI's trace lines, golden traces and the trace digest.

use std::fmt::Write as _;

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::actor::{Message, NodeId, TimerKey};
use super::net::LossReason;
use super::time::{fmt_time_us, TimeUs};
use super::world::{Input, MsgId};

/// What happened to a message a handler sent.
#[derive(Clone, Debug, PartialEq)]
pub enum SendFate {
    /// On the wire, due at `at_us` (and a duplicate copy `copy` due at `copy_at_us`).
    Queued {
        at_us: TimeUs,
        copy: Option<(MsgId, TimeUs)>,
    },
    /// On the wire but held until the link is released.
    Held,
    /// Never left: lost at once.
    Lost(LossReason),
}

/// A message sent during a step.
#[derive(Clone, Debug, PartialEq)]
pub struct SendRecord<M> {
    pub id: MsgId,
    pub src: NodeId,
    pub dst: NodeId,
    pub msg: M,
    pub fate: SendFate,
}

/// A timer change during a step.
#[derive(Clone, Debug, PartialEq)]
pub enum TimerRecord<T> {
    Set { timer: T, at_us: TimeUs },
    Cancel { timer: T },
}

/// The event a step processed.
#[derive(Clone, Debug, PartialEq)]
pub enum EventRecord<M, T> {
    /// A node started (initially, or after a restart input).
    Start { node: NodeId },
    /// A message reached its destination's handler.
    Deliver {
        id: MsgId,
        src: NodeId,
        dst: NodeId,
        msg: M,
    },
    /// A message arrived but was lost (destination down, link cut).
    Lost {
        id: MsgId,
        src: NodeId,
        dst: NodeId,
        msg: M,
        reason: LossReason,
    },
    /// A timer fired.
    Timer { node: NodeId, timer: T },
    /// An input (fault, user action, injected message) was applied.
    Input(Input<M>),
}

/// How a checker's property is meant to hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum CheckKind {
    /// Must hold after every step.
    Always,
    /// Must hold at least once in a run (reported at the end if it never did).
    Sometimes,
    /// Must hold once the world has been healthy (all up, no cuts) for a grace period.
    EventuallyAfterHeal,
}

/// A checker's finding, with words a student can read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Violation {
    pub checker: &'static str,
    pub kind: CheckKind,
    pub step: u64,
    pub time_us: TimeUs,
    pub message: String,
}

/// Everything one step did.
#[derive(Clone, Debug, PartialEq)]
pub struct StepRecord<M, T> {
    /// 1-based number of this step.
    pub step: u64,
    /// Simulated time of the event.
    pub time_us: TimeUs,
    pub event: EventRecord<M, T>,
    pub sends: Vec<SendRecord<M>>,
    pub timers: Vec<TimerRecord<T>>,
    /// Narration written by the handler.
    pub notes: Vec<String>,
    /// Kernel notices: bounds reached, inputs that did nothing.
    pub kernel_notes: Vec<String>,
    /// Invariant violations found after this step.
    pub violations: Vec<Violation>,
}

impl<M: Message, T: TimerKey> StepRecord<M, T> {
    /// The node whose handler ran, if any.
    pub fn actor(&self) -> Option<NodeId> {
        match &self.event {
            EventRecord::Start { node } | EventRecord::Timer { node, .. } => Some(*node),
            EventRecord::Deliver { dst, .. } => Some(*dst),
            EventRecord::Lost { .. } => None,
            EventRecord::Input(i) => i.target(),
        }
    }

    /// One line describing the event, with node labels from `label`.
    pub fn headline(&self, label: &dyn Fn(NodeId) -> String) -> String {
        match &self.event {
            EventRecord::Start { node } => format!("{} starts", label(*node)),
            EventRecord::Deliver { src, dst, msg, .. } => {
                format!("{} <- {}: {}", label(*dst), label(*src), msg.summary())
            }
            EventRecord::Lost {
                src,
                dst,
                msg,
                reason,
                ..
            } => format!(
                "{} -x {}: {} lost ({})",
                label(*src),
                label(*dst),
                msg.kind(),
                reason.describe()
            ),
            EventRecord::Timer { node, timer } => {
                format!("{} timer {}", label(*node), timer.name())
            }
            EventRecord::Input(i) => format!("input: {}", i.describe(label)),
        }
    }

    /// The full trace line: step, time, headline, sends, timers, notes, violations.
    pub fn trace_line(&self, label: &dyn Fn(NodeId) -> String) -> String {
        let mut line = format!(
            "#{} {} {}",
            self.step,
            fmt_time_us(self.time_us),
            self.headline(label)
        );
        for s in &self.sends {
            let _ = write!(line, " | -> {} {}", label(s.dst), s.msg.summary());
            match &s.fate {
                SendFate::Queued { at_us, copy } => {
                    let _ = write!(line, " @{}", fmt_time_us(*at_us));
                    if let Some((_, c)) = copy {
                        let _ = write!(line, " +dup@{}", fmt_time_us(*c));
                    }
                }
                SendFate::Held => line.push_str(" (held)"),
                SendFate::Lost(r) => {
                    let _ = write!(line, " (lost: {})", r.describe());
                }
            }
        }
        for t in &self.timers {
            match t {
                TimerRecord::Set { timer, at_us } => {
                    let _ = write!(line, " | timer {} @{}", timer.name(), fmt_time_us(*at_us));
                }
                TimerRecord::Cancel { timer } => {
                    let _ = write!(line, " | cancel {}", timer.name());
                }
            }
        }
        for n in self.notes.iter().chain(&self.kernel_notes) {
            let _ = write!(line, " | {}", n);
        }
        for v in &self.violations {
            let _ = write!(line, " | VIOLATION {}: {}", v.checker, v.message);
        }
        line
    }
}

/// A running SHA-256 over trace lines: the digest of a whole run.
#[derive(Clone, Debug, Default)]
pub struct TraceDigest {
    hasher: Sha256,
    lines: u64,
}

impl TraceDigest {
    /// Adds one trace line.
    pub fn add_line(&mut self, line: &str) {
        self.hasher.update(line.as_bytes());
        self.hasher.update(b"\n");
        self.lines += 1;
    }

    /// Number of lines added.
    pub fn lines(&self) -> u64 {
        self.lines
    }

    /// Lower-case hex of the digest so far.
    pub fn hex(&self) -> String {
        let out = self.hasher.clone().finalize();
        let mut s = String::with_capacity(64);
        for b in out.iter() {
            let _ = write!(s, "{b:02x}");
        }
        s
    }
}
