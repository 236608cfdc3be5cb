//! Messages on the wire as dots: where each one is at a given *display time*, what it is and
//! how it is drawn (colour by category in CSS, and a distinct shape per category so the
//! picture reads without colour too).
//!
//! A dot's position is `progress = (t - sent) / (deliver - sent)`, clamped to 0..1, along the
//! line between the two nodes, moved a little to the right of the direction of travel so the
//! two directions of a link do not overlap. Animation speed therefore only depends on how
//! display time advances, not on how many steps the simulation takes.

use crate::cluster::Msg;
use crate::sim::{Flight, Message, MsgId, NodeId, TimeUs};

use super::categories::Category;
use super::layout::{Layout, Point};
use super::protocols::category_of;

/// A message on the wire, as drawn at one display time.
#[derive(Clone, Debug, PartialEq)]
pub struct Dot {
    pub id: MsgId,
    pub src: NodeId,
    pub dst: NodeId,
    /// The protocol's name for the message, e.g. `PROPOSAL` (the `data-msg` hook).
    pub kind: &'static str,
    pub category: Category,
    /// One line with the fields, e.g. `PROPOSAL zxid=0x100000001 create /a`.
    pub summary: String,
    pub sent_us: TimeUs,
    pub deliver_us: TimeUs,
    pub held: bool,
    /// On the first of several messages held on one lane: how many are held there (the
    /// others are fanned out beside it); 0 otherwise.
    pub stack: u32,
    /// 0 at the sender, 1 at the receiver.
    pub progress: f64,
    pub x: f64,
    pub y: f64,
}

/// Where a held message waits, as a fraction of the way.
pub const HELD_PROGRESS: f64 = 0.4;
/// How far to the right of the line of travel dots run.
const LANE_OFFSET: f64 = 7.0;

/// Progress of a message sent at `sent_us`, due at `deliver_us`, at display time `t_us`.
pub fn progress(sent_us: TimeUs, deliver_us: TimeUs, t_us: TimeUs) -> f64 {
    if deliver_us <= sent_us {
        return if t_us >= deliver_us { 1.0 } else { 0.0 };
    }
    let p = (t_us.saturating_sub(sent_us)) as f64 / (deliver_us - sent_us) as f64;
    p.clamp(0.0, 1.0)
}

/// The point `p` of the way along the lane from `src` to `dst`, from rim to rim.
pub fn lane_point(layout: &Layout, src: NodeId, dst: NodeId, p: f64) -> Point {
    let (a, b) = (layout.at(src), layout.at(dst));
    let len = a.dist(b);
    if len < 1e-6 {
        return a;
    }
    let (ux, uy) = ((b.x - a.x) / len, (b.y - a.y) / len);
    let ra = layout.slot(src).map_or(0.0, |s| s.r);
    let rb = layout.slot(dst).map_or(0.0, |s| s.r);
    // Perpendicular to the right of the travel direction (screen coordinates).
    let (nx, ny) = (-uy * LANE_OFFSET, ux * LANE_OFFSET);
    let start = Point::new(a.x + ux * ra + nx, a.y + uy * ra + ny);
    let end = Point::new(b.x - ux * rb + nx, b.y - uy * rb + ny);
    start.lerp(end, p)
}

/// The dot of one flight at display time `t_us`.
pub fn dot(layout: &Layout, f: &Flight<Msg>, t_us: TimeUs) -> Dot {
    let p = if f.held {
        HELD_PROGRESS
    } else {
        progress(f.sent_us, f.deliver_us, t_us)
    };
    let at = lane_point(layout, f.src, f.dst, p);
    Dot {
        id: f.id,
        src: f.src,
        dst: f.dst,
        kind: f.msg.kind(),
        category: category_of(&f.msg),
        summary: f.msg.summary(),
        sent_us: f.sent_us,
        deliver_us: f.deliver_us,
        held: f.held,
        stack: 0,
        progress: p,
        x: (at.x * 10.0).round() / 10.0,
        y: (at.y * 10.0).round() / 10.0,
    }
}

/// Drawing units between neighbouring held messages of one lane.
const FAN_STEP: f64 = 28.0;
/// The most places a lane's held messages are fanned out to.
const FAN_MAX: u32 = 5;

/// Held messages all wait at [`HELD_PROGRESS`] of their lane, one on top of the other: fans
/// the 2nd, 3rd … of a lane out along it (alternately towards the receiver and the sender,
/// at most [`FAN_MAX`] places: a held link holds everything after) and gives the first the
/// count, so each can be seen and clicked.
pub fn fan_out_held(layout: &Layout, dots: &mut [Dot]) {
    for i in 0..dots.len() {
        if !dots[i].held || dots[..i].iter().any(|d| d.held && same_lane(d, &dots[i])) {
            continue;
        }
        let (src, dst) = (dots[i].src, dots[i].dst);
        let len = lane_point(layout, src, dst, 0.0)
            .dist(lane_point(layout, src, dst, 1.0))
            .max(1.0);
        let mut k = 0u32;
        for j in i..dots.len() {
            if !(dots[j].held && same_lane(&dots[j], &dots[i])) {
                continue;
            }
            // Past the fifth, they wait in the last place: the count tells how many.
            let slot = k.min(FAN_MAX - 1);
            let side = if slot % 2 == 1 { 1.0 } else { -1.0 };
            let p = HELD_PROGRESS + side * f64::from(slot.div_ceil(2)) * FAN_STEP / len;
            let at = lane_point(layout, src, dst, p.clamp(0.05, 0.95));
            dots[j].x = (at.x * 10.0).round() / 10.0;
            dots[j].y = (at.y * 10.0).round() / 10.0;
            dots[j].stack = 0;
            k += 1;
        }
        dots[i].stack = if k > 1 { k } else { 0 };
    }
}

fn same_lane(a: &Dot, b: &Dot) -> bool {
    a.src == b.src && a.dst == b.dst
}

/// Moves already-built dots to display time `t_us` (cheap: no message formatting).
pub fn move_dots(layout: &Layout, dots: &mut [Dot], t_us: TimeUs) {
    for d in dots.iter_mut() {
        let p = if d.held {
            HELD_PROGRESS
        } else {
            progress(d.sent_us, d.deliver_us, t_us)
        };
        let at = lane_point(layout, d.src, d.dst, p);
        d.progress = p;
        d.stack = 0;
        d.x = (at.x * 10.0).round() / 10.0;
        d.y = (at.y * 10.0).round() / 10.0;
    }
    if dots.iter().filter(|d| d.held).nth(1).is_some() {
        fan_out_held(layout, dots);
    }
}

/// Whether any message is moving (on the wire and not held).
pub fn any_moving(dots: &[Dot]) -> bool {
    dots.iter().any(|d| !d.held)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::heartbeat;
    use crate::view::heartbeat::MEMBER_KIND;

    #[test]
    fn progress_is_clamped_and_handles_zero_latency() {
        assert_eq!(progress(100, 200, 50), 0.0);
        assert_eq!(progress(100, 200, 150), 0.5);
        assert_eq!(progress(100, 200, 999), 1.0);
        assert_eq!(progress(100, 100, 100), 1.0);
        assert_eq!(progress(100, 100, 99), 0.0);
        assert_eq!(progress(200, 100, 300), 1.0);
    }

    #[test]
    fn a_dot_moves_from_rim_to_rim_on_its_own_lane() {
        let layout = Layout::for_kinds(&[MEMBER_KIND, MEMBER_KIND]);
        let f = Flight {
            id: 7,
            src: NodeId(0),
            dst: NodeId(1),
            msg: Msg::Heartbeat(heartbeat::Msg::Ping { round: 1 }),
            sent_us: 1_000,
            deliver_us: 5_000,
            held: false,
        };
        let start = dot(&layout, &f, 1_000);
        let mid = dot(&layout, &f, 3_000);
        let end = dot(&layout, &f, 9_000);
        assert_eq!(start.kind, "PING");
        assert_eq!(start.category, crate::view::categories::PING);
        assert_eq!(mid.progress, 0.5);
        // The rims, not the centres.
        let (a, b) = (layout.at(NodeId(0)), layout.at(NodeId(1)));
        let s = Point::new(start.x, start.y);
        let e = Point::new(end.x, end.y);
        assert!((s.dist(a) - (38.0f64.powi(2) + 49.0).sqrt()).abs() < 0.2);
        assert!((e.dist(b) - (38.0f64.powi(2) + 49.0).sqrt()).abs() < 0.2);
        // The reply lane is on the other side.
        let back = Flight {
            src: NodeId(1),
            dst: NodeId(0),
            ..f.clone()
        };
        let r = dot(&layout, &back, 3_000);
        assert!(Point::new(r.x, r.y).dist(Point::new(mid.x, mid.y)) > 10.0);
        // Moving a dot gives the same place as building it.
        let mut dots = vec![start.clone()];
        move_dots(&layout, &mut dots, 3_000);
        assert_eq!(dots[0], mid);
    }

    #[test]
    fn held_messages_wait_part_way() {
        let layout = Layout::for_kinds(&[MEMBER_KIND, MEMBER_KIND]);
        let f = Flight {
            id: 1,
            src: NodeId(0),
            dst: NodeId(1),
            msg: Msg::Heartbeat(heartbeat::Msg::Pong { round: 1 }),
            sent_us: 0,
            deliver_us: 0,
            held: true,
        };
        let d = dot(&layout, &f, 1_000_000);
        assert_eq!(d.progress, HELD_PROGRESS);
        assert!(!any_moving(&[d]));
    }

    #[test]
    fn held_messages_on_one_lane_fan_out_and_the_first_carries_the_count() {
        let layout = Layout::for_kinds(&[MEMBER_KIND, MEMBER_KIND]);
        let held = |id, round| Flight {
            id,
            src: NodeId(0),
            dst: NodeId(1),
            msg: Msg::Heartbeat(heartbeat::Msg::Ping { round }),
            sent_us: 0,
            deliver_us: 0,
            held: true,
        };
        let mut dots: Vec<Dot> = (1..=3).map(|i| dot(&layout, &held(i, 1), 0)).collect();
        // The other direction is another lane: not part of the stack.
        dots.push(dot(
            &layout,
            &Flight {
                src: NodeId(1),
                dst: NodeId(0),
                ..held(4, 2)
            },
            0,
        ));
        move_dots(&layout, &mut dots, 10);
        assert_eq!(
            dots.iter().map(|d| d.stack).collect::<Vec<_>>(),
            [3, 0, 0, 0]
        );
        for (i, a) in dots.iter().enumerate().take(3) {
            for b in dots.iter().take(i) {
                assert!(
                    Point::new(a.x, a.y).dist(Point::new(b.x, b.y)) >= 17.0,
                    "held dots overlap: {a:?} {b:?}"
                );
            }
        }
        // Released (not held any more), nothing is stacked.
        dots.iter_mut().for_each(|d| d.held = false);
        move_dots(&layout, &mut dots, 10);
        assert!(dots.iter().all(|d| d.stack == 0));
    }

    #[test]
    fn every_category_has_a_distinct_shape_and_a_round_trip_name() {
        let all = crate::view::categories::all();
        let mut shapes: Vec<&str> = all.iter().map(|c| c.shape).collect();
        shapes.sort();
        shapes.dedup();
        assert_eq!(shapes.len(), all.len());
        for c in all {
            assert_eq!(crate::view::categories::from_name(c.name()), Some(c));
        }
        assert_eq!(crate::view::categories::from_name("nope"), None);
    }
}
