//! The sequence diagram: one lane per node, each message an arrow from its sender's lane at
//! the step that sent it to its receiver's lane at the step that delivered it, for the
//! newest message events up to the cursor. Protocol-neutral: it reads only step records
//! (sends, deliveries, losses) and the neutral categories and names.
//!
//! Time flows downward, one row per step that sent, delivered or lost a message (steps with
//! no traffic, such as most timers, take no room), so the vertical axis is step order, not
//! simulated time: a gap of seconds and one of microseconds look alike (the gutter shows
//! each row's step number, the caption the span in time).
//!
//! Built for a window only: from the cursor back until [`MAX_ARROWS`] messages or
//! [`MAX_ROWS`] rows are found, looking at no more than [`MAX_SCAN`] records, so a frame
//! costs the same in a long run as in a short one. Simplified:
//! * a message delivered in the window but sent before it starts at the top edge;
//! * a message still on the wire ends on the cursor's row, as far along as its flight is
//!   (held ones part way); one sent before the window and still on the wire is not shown;
//! * a message lost on arrival (destination down, link cut) ends in a cross at its
//!   receiver's lane, one lost as it was sent a third of the way, one dropped by hand from
//!   the wire part way, at the step that dropped it;
//! * inputs the person gives (crashes, a message from the environment) are not arrows.
//!
//! Quiet mode leaves out the background chatter ([`protocols::is_chatter`]: Kafka's Fetch
//! traffic, heartbeats and pings), so the window reaches further back for the rest and
//! counts the chatter messages it passed over ([`Sequence::hidden`]).

use crate::cluster::{Msg, Record};
use crate::sim::{EventRecord, Input, Message, MsgId, NodeId, SendFate, TimeUs};

use super::categories::Category;
use super::names::Names;
use super::protocols;
use super::run::Run;
use super::state::Panel;

/// The panel (every scenario has it).
pub const SEQUENCE: Panel = Panel::new("sequence", "Sequence");

/// Most arrows in the window.
pub const MAX_ARROWS: usize = 40;
/// Most rows (steps) in the window.
pub const MAX_ROWS: usize = 24;
/// Most records looked at (a window of steps without traffic ends there).
pub const MAX_SCAN: u64 = 2_000;

/// What became of a message, as far as the cursor knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fate {
    Delivered,
    /// Lost on arrival: the receiver was down or the link cut.
    Lost,
    /// Never left its sender (link cut, bound reached, random loss).
    LostAtSend,
    /// Taken off the wire by hand.
    Dropped,
    /// Still on the wire at the cursor.
    InFlight,
}

/// One lane: a node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lane {
    pub node: NodeId,
    /// The node's label (`broker-1`).
    pub label: String,
    /// A short form for the lane's head (`b1`).
    pub short: String,
    pub up: bool,
    /// Whether any arrow of the window starts or ends here.
    pub involved: bool,
}

/// One message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Arrow {
    pub id: MsgId,
    pub src: NodeId,
    pub dst: NodeId,
    pub kind: &'static str,
    pub category: Category,
    pub summary: String,
    /// The step that sent it (none: before the window).
    pub sent: Option<u64>,
    pub sent_us: Option<TimeUs>,
    /// When it is due (none while held or unknown).
    pub due_us: Option<TimeUs>,
    /// The step that delivered, lost or dropped it (none while in flight).
    pub ended: Option<u64>,
    pub fate: Fate,
}

impl Arrow {
    /// The step a click on the arrow goes to: its end, or its send while in flight.
    pub fn seek_step(&self) -> u64 {
        self.ended.or(self.sent).unwrap_or(0)
    }
}

/// A step of the window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Row {
    pub step: u64,
    pub time_us: TimeUs,
}

/// The window of messages around the cursor.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sequence {
    pub lanes: Vec<Lane>,
    /// Oldest first; the last is the cursor's step.
    pub rows: Vec<Row>,
    /// Oldest first, by the step each was last seen at (its end, or its send while in flight).
    pub arrows: Vec<Arrow>,
    pub cursor: u64,
    /// Chatter messages left out of the window (quiet mode).
    pub hidden: usize,
}

/// A short lane label: `broker-1` → `b1`, `member2` → `m2`, `producer` → `p`, with
/// `letters` letters of the word before the number; labels of five characters or fewer
/// (`zk1`, `lock1`, `zkCli`) stay as they are.
pub fn short_label(label: &str, letters: usize) -> String {
    if label.chars().count() <= 5 {
        return label.to_string();
    }
    let word = label.split(|c: char| c.is_ascii_digit() || c == '-').next();
    let digits = label
        .rsplit(|c: char| !c.is_ascii_digit())
        .next()
        .unwrap_or("");
    let mut s: String = word.unwrap_or("").chars().take(letters).collect();
    s.push_str(digits);
    s
}

/// Short labels for every lane, with more letters where one letter would give two lanes
/// the same head (`writer`, `watcher` → `wr`, `wa`).
pub fn short_labels(labels: &[&str]) -> Vec<String> {
    let mut shorts: Vec<String> = labels.iter().map(|l| short_label(l, 1)).collect();
    for letters in 2..=4 {
        let clash: Vec<bool> = shorts
            .iter()
            .map(|s| shorts.iter().filter(|o| *o == s).count() > 1)
            .collect();
        for (i, _) in clash.iter().enumerate().filter(|(_, c)| **c) {
            shorts[i] = short_label(labels[i], letters);
        }
    }
    shorts
}

/// Builds the window ending at `cursor`. `record(n)` gives step `n`'s record if kept;
/// `up(id)` whether a node is up now (or not started yet: not drawn as down); `quiet`
/// leaves out the chatter.
pub fn sequence<'a>(
    record: &dyn Fn(u64) -> Option<&'a Record>,
    floor: u64,
    cursor: u64,
    names: &Names,
    up: &dyn Fn(NodeId) -> bool,
    quiet: bool,
) -> Sequence {
    let n_nodes = names.len();
    let known = |id: NodeId| id.index() < n_nodes;
    let mut arrows: Vec<Arrow> = Vec::new();
    let mut rows: Vec<Row> = Vec::new();
    // Messages dropped by hand after their send, with the dropping step.
    let mut dropped: Vec<(MsgId, u64)> = Vec::new();
    // Chatter left out, and which of it arrived in the window (its send is not counted again).
    let mut hidden = 0;
    let mut hid: Vec<MsgId> = Vec::new();
    let chatter = |m: &Msg| quiet && protocols::is_chatter(protocols::category_of(m));
    let mut n = cursor;
    while n > floor && cursor - n < MAX_SCAN {
        let Some(rec) = record(n) else { break };
        let mut row = n == cursor;
        match &rec.event {
            EventRecord::Deliver { id, src, dst, msg }
            | EventRecord::Lost {
                id, src, dst, msg, ..
            } if known(*src) && known(*dst) && chatter(msg) => {
                hidden += 1;
                hid.push(*id);
            }
            EventRecord::Deliver { id, src, dst, msg }
            | EventRecord::Lost {
                id, src, dst, msg, ..
            } if known(*src) && known(*dst) => {
                let fate = if matches!(rec.event, EventRecord::Deliver { .. }) {
                    Fate::Delivered
                } else {
                    Fate::Lost
                };
                arrows.push(arrow(*id, *src, *dst, msg, Some(n), fate));
                row = true;
            }
            EventRecord::Input(Input::Drop(id)) => {
                dropped.push((*id, n));
                row = true;
            }
            _ => {}
        }
        for s in rec.sends.iter().filter(|s| known(s.src) && known(s.dst)) {
            if chatter(&s.msg) {
                hidden += usize::from(!hid.contains(&s.id));
                continue;
            }
            row = true;
            let (due, copy) = match s.fate {
                SendFate::Queued { at_us, copy } => (Some(at_us), copy),
                _ => (None, None),
            };
            let copies = [Some((s.id, due)), copy.map(|(id, at)| (id, Some(at)))];
            for (id, due_us) in copies.into_iter().flatten() {
                let at = match arrows.iter().position(|a| a.id == id) {
                    Some(at) => at,
                    None => {
                        let (ended, fate) = if matches!(s.fate, SendFate::Lost(_)) {
                            (Some(n), Fate::LostAtSend)
                        } else if let Some(&(_, d)) = dropped.iter().find(|(d, _)| *d == id) {
                            (Some(d), Fate::Dropped)
                        } else {
                            (None, Fate::InFlight)
                        };
                        arrows.push(arrow(id, s.src, s.dst, &s.msg, ended, fate));
                        arrows.len() - 1
                    }
                };
                let a = &mut arrows[at];
                a.sent = Some(n);
                a.sent_us = Some(rec.time_us);
                a.due_us = due_us;
            }
        }
        if row {
            rows.push(Row {
                step: n,
                time_us: rec.time_us,
            });
        }
        if arrows.len() >= MAX_ARROWS || rows.len() >= MAX_ROWS {
            break;
        }
        n -= 1;
    }
    rows.reverse();
    // Found newest first; a sort would add to the bundle for the same order, near enough.
    arrows.reverse();
    let labels: Vec<&str> = names.ids().map(|id| names.label(id)).collect();
    let lanes = names
        .ids()
        .zip(short_labels(&labels))
        .map(|(id, short)| Lane {
            node: id,
            label: names.label(id).to_string(),
            short,
            up: up(id),
            involved: arrows.iter().any(|a| a.src == id || a.dst == id),
        })
        .collect();
    Sequence {
        lanes,
        rows,
        arrows,
        cursor,
        hidden,
    }
}

/// The window ending at the run's cursor (without the chatter if `quiet`).
pub fn of_run(run: &Run, names: &Names, quiet: bool) -> Sequence {
    let tl = run.timeline();
    let world = &tl.current().world;
    let record = |n| tl.record(n);
    let up = |id| world.is_up(id) || !world.has_started(id);
    sequence(&record, tl.floor(), tl.cursor(), names, &up, quiet)
}

fn arrow(id: MsgId, src: NodeId, dst: NodeId, msg: &Msg, ended: Option<u64>, fate: Fate) -> Arrow {
    Arrow {
        id,
        src,
        dst,
        kind: msg.kind(),
        category: protocols::category_of(msg),
        summary: msg.summary(),
        sent: None,
        sent_us: None,
        due_us: None,
        ended,
        fate,
    }
}

mod draw;

pub use draw::{ArrowMark, Drawing, LaneMark, RowMark, ROW, WIDTH};

#[cfg(test)]
mod tests;
