//! The sequence diagram laid out: integer coordinates in a fixed-width drawing that scales
//! to the panel, and the SVG markup of it (written here as one string: the panel shows it
//! as is, which keeps the page's bundle smaller than an element tree per arrow would).

use std::fmt::Write as _;

use crate::sim::time::fmt_time;
use crate::sim::{MsgId, NodeId, TimeUs};

use super::super::categories::Category;
use super::super::markup::esc;
use super::{Arrow, Fate, Lane, Sequence};

/// Drawing width (SVG user units; the picture scales to the panel).
pub const WIDTH: i32 = 400;
/// Left gutter for step numbers.
const GUTTER: i32 = 34;
/// Room for the lane heads.
const TOP: i32 = 24;
/// Height of one row.
pub const ROW: i32 = 15;
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

impl Drawing {
    /// The SVG markup: rows (step numbers, the cursor's row banded), lanes (head, line;
    /// dashed when the node is down), then arrows, each a button (only the newest in the tab
    /// order: the panel moves focus between them with the arrow keys) with its
    /// accessible name, `data-seek`, the message in full as a tooltip, its line, head or
    /// cross, its category's shape at the sender and its kind.
    /// Arrow ids are `<id_prefix><msg id>`, so two drawings can share a page.
    pub fn svg(&self, id_prefix: &str) -> String {
        let (w, h) = (self.width, self.height);
        let mut s = String::with_capacity(600 + 480 * self.arrows.len());
        let _ = write!(
            s,
            "<svg class=\"seq\" viewBox=\"0 0 {w} {h}\" role=\"group\" \
             aria-label=\"Messages, oldest first; the last row is the current step. Arrow keys move, Enter goes to the step\">"
        );
        for r in &self.rows {
            let y = r.y;
            if r.current {
                let _ = write!(
                    s,
                    "<g class=\"seq-row current\"><rect x=\"0\" y=\"{}\" width=\"{w}\" height=\"{ROW}\"/>",
                    y - ROW / 2
                );
            } else {
                s.push_str("<g class=\"seq-row\">");
            }
            let _ = write!(s, "<text x=\"30\" y=\"{}\">{}</text></g>", y + 3, r.step);
        }
        for l in &self.lanes {
            let x = l.x;
            s.push_str(if l.up {
                "<g class=\"seq-lane\"><title>"
            } else {
                "<g class=\"seq-lane down\"><title>"
            });
            esc(&mut s, &l.label);
            let _ = write!(s, "</title><line x1=\"{x}\" y1=\"17\" x2=\"{x}\" y2=\"{h}\"/><text x=\"{x}\" y=\"12\">");
            esc(&mut s, &l.short);
            s.push_str("</text></g>");
        }
        // One tab stop: the newest arrow; the arrow keys move between the others.
        let last = self.arrows.len().saturating_sub(1);
        for (i, a) in self.arrows.iter().enumerate() {
            let fate = match a.fate {
                Fate::Delivered => "delivered",
                Fate::InFlight => "flight",
                _ => "lost",
            };
            let _ = write!(
                s,
                "<g id=\"{id_prefix}{}\" class=\"seq-arrow cat-{} {fate}{}\" tabindex=\"{}\" role=\"button\" data-seek=\"{}\" aria-label=\"",
                a.id,
                a.category.slug,
                if a.current { " current" } else { "" },
                if i == last { "0" } else { "-1" },
                a.seek
            );
            esc(&mut s, &a.name);
            s.push_str("\"><title>");
            esc(&mut s, &a.summary);
            let _ = write!(
                s,
                "</title><path class=\"seq-hit\" d=\"{l}\"/><path class=\"seq-line\" d=\"{l}\"/>\
                 <path class=\"seq-head\" d=\"{}\"/><path class=\"shape\" d=\"{}\" \
                 transform=\"translate({} {}) scale(.5)\"/><text x=\"{}\" y=\"{}\" text-anchor=\"{}\">{}</text></g>",
                a.head,
                a.category.shape,
                a.start.0,
                a.start.1,
                a.label.0,
                a.label.1,
                if a.label_end { "end" } else { "start" },
                a.kind,
                l = a.line,
            );
        }
        s.push_str("</svg>");
        s
    }
}

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
