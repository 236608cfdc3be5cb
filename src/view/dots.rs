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
use crate::zk::msg::Category;

use super::layout::{Layout, Point};

/// Every category, in legend order.
pub const CATEGORIES: [Category; 10] = [
    Category::Election,
    Category::Discovery,
    Category::Sync,
    Category::Broadcast,
    Category::Ping,
    Category::ClientRequest,
    Category::ClientResponse,
    Category::Watch,
    Category::Connection,
    Category::Control,
];

/// The traffic category of any message of the world (the heartbeat demo's pings count as
/// `ping`).
pub fn category_of(msg: &Msg) -> Category {
    match msg {
        Msg::Zk(m) => m.category(),
        Msg::Heartbeat(_) => Category::Ping,
    }
}

/// Parses a category's lower-case name.
pub fn category_from_name(name: &str) -> Option<Category> {
    CATEGORIES.into_iter().find(|c| c.name() == name)
}

/// What the legend says a category is.
pub fn category_title(c: Category) -> &'static str {
    match c {
        Category::Election => "Election (votes)",
        Category::Discovery => "Discovery (new epoch)",
        Category::Sync => "Sync (catch up)",
        Category::Broadcast => "Broadcast (proposal, ack, commit)",
        Category::Ping => "Ping (heartbeats)",
        Category::ClientRequest => "Client request",
        Category::ClientResponse => "Reply to client",
        Category::Watch => "Watch event",
        Category::Connection => "Connection closed",
        Category::Control => "Control",
    }
}

/// The SVG path of a category's marker, centred on (0, 0), about 12 units across.
pub fn category_shape(c: Category) -> &'static str {
    match c {
        // circle
        Category::Election => "M-6 0a6 6 0 1 0 12 0a6 6 0 1 0 -12 0Z",
        // diamond
        Category::Discovery => "M0 -7L7 0L0 7L-7 0Z",
        // square
        Category::Sync => "M-5.5 -5.5H5.5V5.5H-5.5Z",
        // triangle pointing up
        Category::Broadcast => "M0 -7L6.5 5.5H-6.5Z",
        // small circle
        Category::Ping => "M-4 0a4 4 0 1 0 8 0a4 4 0 1 0 -8 0Z",
        // an X: a connection closed
        Category::Connection => {
            "M-6 -3.5L-3.5 -6L0 -2.5L3.5 -6L6 -3.5L2.5 0L6 3.5L3.5 6L0 2.5L-3.5 6L-6 3.5L-2.5 0Z"
        }
        // triangle pointing down
        Category::ClientRequest => "M0 7L6.5 -5.5H-6.5Z",
        // hexagon
        Category::ClientResponse => "M-6.5 0L-3.25 -5.6H3.25L6.5 0L3.25 5.6H-3.25Z",
        // five-pointed star
        Category::Watch => {
            "M0 -7.5L1.8 -2.4L7.1 -2.3L2.9 0.9L4.4 6.1L0 3L-4.4 6.1L-2.9 0.9L-7.1 -2.3L-1.8 -2.4Z"
        }
        // plus
        Category::Control => "M-2 -7H2V-2H7V2H2V7H-2V2H-7V-2H-2Z",
    }
}

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
        progress: p,
        x: (at.x * 10.0).round() / 10.0,
        y: (at.y * 10.0).round() / 10.0,
    }
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
        d.x = (at.x * 10.0).round() / 10.0;
        d.y = (at.y * 10.0).round() / 10.0;
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
    use crate::view::names::NodeKind;

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
        let layout = Layout::for_kinds(&[NodeKind::Server, NodeKind::Server]);
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
        assert_eq!(start.category, Category::Ping);
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
        let layout = Layout::for_kinds(&[NodeKind::Server, NodeKind::Server]);
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
    fn every_category_has_a_distinct_shape_and_a_round_trip_name() {
        let mut shapes: Vec<&str> = CATEGORIES.iter().map(|c| category_shape(*c)).collect();
        shapes.sort();
        shapes.dedup();
        assert_eq!(shapes.len(), CATEGORIES.len());
        for c in CATEGORIES {
            assert_eq!(category_from_name(c.name()), Some(c));
        }
        assert_eq!(category_from_name("nope"), None);
    }
}
