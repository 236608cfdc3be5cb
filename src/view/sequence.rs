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

use crate::cluster::{Msg, Record};
use crate::sim::time::fmt_time;
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
pub const MAX_ROWS: usize = 32;
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
    /// In order of their end (or send, while in flight).
    pub arrows: Vec<Arrow>,
    pub cursor: u64,
}

/// A short lane label: `broker-1` → `b1`, `producer` → `p`, `consumer-2` → `c2`; labels of
/// four characters or fewer (`zk1`, `m1`, `c1`) stay as they are.
pub fn short_label(label: &str) -> String {
    if label.chars().count() <= 4 {
        return label.to_string();
    }
    let first = label.chars().next().unwrap_or('?');
    let digits = label
        .rsplit(|c: char| !c.is_ascii_digit())
        .next()
        .unwrap_or("");
    let mut s = String::with_capacity(1 + digits.len());
    s.push(first);
    s.push_str(digits);
    s
}

/// Builds the window ending at `cursor`. `record(n)` gives step `n`'s record if kept;
/// `up(id)` whether a node is up now.
pub fn sequence<'a>(
    record: &dyn Fn(u64) -> Option<&'a Record>,
    floor: u64,
    cursor: u64,
    names: &Names,
    up: &dyn Fn(NodeId) -> bool,
) -> Sequence {
    let n_nodes = names.len();
    let known = |id: NodeId| id.index() < n_nodes;
    let mut arrows: Vec<Arrow> = Vec::new();
    let mut rows: Vec<Row> = Vec::new();
    // Messages dropped by hand after their send, with the dropping step.
    let mut dropped: Vec<(MsgId, u64)> = Vec::new();
    let mut n = cursor;
    while n > floor && cursor - n < MAX_SCAN {
        let Some(rec) = record(n) else { break };
        let mut row = n == cursor;
        match &rec.event {
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
    arrows.sort_by_key(|a| (a.ended.or(a.sent), a.id));
    let lanes = names
        .ids()
        .map(|id| {
            let label = names.label(id);
            Lane {
                node: id,
                label: label.to_string(),
                short: short_label(label),
                up: up(id),
                involved: arrows.iter().any(|a| a.src == id || a.dst == id),
            }
        })
        .collect();
    Sequence {
        lanes,
        rows,
        arrows,
        cursor,
    }
}

/// The window ending at the run's cursor.
pub fn of_run(run: &Run, names: &Names) -> Sequence {
    let tl = run.timeline();
    let world = &tl.current().world;
    let record = |n| tl.record(n);
    sequence(&record, tl.floor(), tl.cursor(), names, &|id| {
        world.is_up(id)
    })
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

/// Drawing width (SVG user units; the picture scales to the panel).
pub const WIDTH: i32 = 400;
/// Left gutter for step numbers.
const GUTTER: i32 = 34;
/// Room for the lane heads.
const TOP: i32 = 24;
/// Height of one row.
pub const ROW: i32 = 16;
/// Room left at the right edge for labels.
const RIGHT: i32 = 14;

/// A lane as drawn.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LaneMark {
    pub x: i32,
    pub short: String,
    pub label: String,
    pub up: bool,
}

/// A row as drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RowMark {
    /// The row's centre line.
    pub y: i32,
    pub step: u64,
    pub current: bool,
}

/// An arrow as drawn.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArrowMark {
    pub id: MsgId,
    /// The line: `M x1 y1 L x2 y2`.
    pub line: String,
    /// The arrowhead (filled) or, for a lost message, a cross (stroked).
    pub head: String,
    /// Where the sender's category shape sits.
    pub start: (i32, i32),
    /// The message kind's label: its anchor point and whether the text ends there.
    pub label: (i32, i32),
    pub label_end: bool,
    pub kind: &'static str,
    pub category: Category,
    pub fate: Fate,
    /// Delivered (or lost) at the cursor's step.
    pub current: bool,
    /// The step a click goes to.
    pub seek: u64,
    /// Accessible name: `Step 123: LeaderAndIsr from broker-1 to broker-2`.
    pub name: String,
    /// The message in full (tooltip).
    pub summary: String,
}

/// The whole picture.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Drawing {
    pub width: i32,
    pub height: i32,
    pub lanes: Vec<LaneMark>,
    pub rows: Vec<RowMark>,
    pub arrows: Vec<ArrowMark>,
    /// `Steps 12–40, 1.002s to 1.230s`.
    pub caption: String,
}

impl Sequence {
    /// Lays the window out; `only_involved` leaves out the lanes of nodes no arrow touches.
    pub fn draw(&self, only_involved: bool) -> Drawing {
        let shown: Vec<&Lane> = self
            .lanes
            .iter()
            .filter(|l| !only_involved || l.involved)
            .collect();
        let span = WIDTH - GUTTER - RIGHT - 12;
        let lanes: Vec<LaneMark> = shown
            .iter()
            .enumerate()
            .map(|(i, l)| LaneMark {
                x: match shown.len() {
                    1 => GUTTER + 12 + span / 2,
                    k => GUTTER + 12 + span * i as i32 / (k as i32 - 1),
                },
                short: l.short.clone(),
                label: l.label.clone(),
                up: l.up,
            })
            .collect();
        let lane_x = |id: NodeId| shown.iter().position(|l| l.node == id).map(|i| lanes[i].x);
        let rows: Vec<RowMark> = self
            .rows
            .iter()
            .enumerate()
            .map(|(i, r)| RowMark {
                y: TOP + ROW * i as i32 + ROW / 2,
                step: r.step,
                current: r.step == self.cursor,
            })
            .collect();
        let row_y = |step: u64| {
            rows.binary_search_by_key(&step, |r| r.step)
                .ok()
                .map(|i| rows[i].y)
        };
        let now_us = self.rows.last().map_or(0, |r| r.time_us);
        let bottom = TOP + ROW * rows.len() as i32;
        let mut arrows = Vec::with_capacity(self.arrows.len());
        for a in &self.arrows {
            let (Some(x1), Some(x2)) = (lane_x(a.src), lane_x(a.dst)) else {
                continue;
            };
            let y1 = a.sent.and_then(row_y).unwrap_or(TOP);
            let (x2, y2) = if x1 == x2 {
                // To itself: a short stub to the right.
                (x1 + 14, a.ended.and_then(row_y).unwrap_or(y1 + ROW / 2))
            } else {
                let part = |p: i64| x1 + ((x2 - x1) as i64 * p / 1000) as i32;
                match a.fate {
                    Fate::Delivered | Fate::Lost => (x2, a.ended.and_then(row_y).unwrap_or(bottom)),
                    Fate::LostAtSend => (part(333), y1),
                    Fate::Dropped => (
                        part(permille(a, self.row_time(a.ended)).clamp(100, 900)),
                        a.ended.and_then(row_y).unwrap_or(bottom),
                    ),
                    Fate::InFlight => (
                        part(permille(a, now_us).clamp(60, 1000)),
                        row_y(self.cursor).unwrap_or(bottom),
                    ),
                }
            };
            let crossed = matches!(a.fate, Fate::Lost | Fate::LostAtSend | Fate::Dropped);
            let head = if crossed {
                cross(x2, y2)
            } else {
                arrowhead(x1, y1, x2, y2)
            };
            let leftwards = x2 < x1;
            // The kind is written beside the arrow's end, towards its sender, above the
            // row's line: one end per row, so labels never sit on each other.
            let label = if a.fate == Fate::InFlight || a.fate == Fate::LostAtSend {
                (if leftwards { x1 - 6 } else { x1 + 6 }, y1 + 11)
            } else if leftwards {
                (x2 + 5, y2 - 3)
            } else {
                (x2 - 5, y2 - 3)
            };
            let label_end = if a.fate == Fate::InFlight || a.fate == Fate::LostAtSend {
                leftwards
            } else {
                !leftwards
            };
            arrows.push(ArrowMark {
                id: a.id,
                line: format!("M{x1} {y1}L{x2} {y2}"),
                head,
                start: (x1, y1),
                label,
                label_end,
                kind: a.kind,
                category: a.category,
                fate: a.fate,
                current: a.ended == Some(self.cursor),
                seek: a.seek_step(),
                name: self.name(a),
                summary: a.summary.clone(),
            });
        }
        let caption = match (self.rows.first(), self.rows.last()) {
            (Some(a), Some(b)) => format!(
                "Steps {}–{}, {} to {}",
                a.step,
                b.step,
                fmt_time(a.time_us),
                fmt_time(b.time_us)
            ),
            _ => String::new(),
        };
        Drawing {
            width: WIDTH,
            height: bottom + 6,
            lanes,
            rows,
            arrows,
            caption,
        }
    }

    fn row_time(&self, step: Option<u64>) -> TimeUs {
        step.and_then(|s| self.rows.iter().find(|r| r.step == s))
            .map_or(0, |r| r.time_us)
    }

    fn label_of(&self, id: NodeId) -> &str {
        self.lanes.get(id.index()).map_or("?", |l| l.label.as_str())
    }

    /// `Step 123: LeaderAndIsr from broker-1 to broker-2` (and what became of it).
    fn name(&self, a: &Arrow) -> String {
        let what = match a.fate {
            Fate::Delivered => "",
            Fate::Lost => ", lost on arrival",
            Fate::LostAtSend => ", lost as it was sent",
            Fate::Dropped => ", dropped",
            Fate::InFlight => ", sent, still on the wire",
        };
        format!(
            "Step {}: {} from {} to {}{what}",
            a.seek_step(),
            a.kind,
            self.label_of(a.src),
            self.label_of(a.dst)
        )
    }
}

/// How far along its flight a message is at `t_us`, in thousandths (held: 400).
fn permille(a: &Arrow, t_us: TimeUs) -> i64 {
    match (a.sent_us, a.due_us) {
        (Some(s), Some(d)) if d > s => ((t_us.saturating_sub(s)) * 1000 / (d - s)) as i64,
        (Some(_), Some(_)) => 1000,
        _ => 400,
    }
}

/// A filled arrowhead at (x2, y2) pointing along the line from (x1, y1).
fn arrowhead(x1: i32, y1: i32, x2: i32, y2: i32) -> String {
    let (dx, dy) = (f64::from(x2 - x1), f64::from(y2 - y1));
    let len = (dx * dx + dy * dy).sqrt().max(1.0);
    let (ux, uy) = (dx / len, dy / len);
    let (bx, by) = (f64::from(x2) - ux * 7.0, f64::from(y2) - uy * 7.0);
    let (nx, ny) = (-uy * 3.5, ux * 3.5);
    let r = |v: f64| v.round() as i32;
    format!(
        "M{x2} {y2}L{} {}L{} {}Z",
        r(bx + nx),
        r(by + ny),
        r(bx - nx),
        r(by - ny)
    )
}

/// A cross centred on (x, y).
fn cross(x: i32, y: i32) -> String {
    format!("M{} {}l8 8m0 -8l-8 8", x - 4, y - 4)
}

#[cfg(test)]
mod tests;
