//! Where nodes sit in the drawing, by the tier each node kind declares: an ensemble evenly on
//! a ring at the top (the first at the top, going clockwise), brokers in a row across the
//! middle, clients in a band at the bottom. Positions depend only on how many nodes of each
//! tier there are and a node's rank among them, so they are stable from step to step and
//! across runs of the same scenario. A world without a row keeps the ZooKeeper picture: a
//! large ring above the band.
//!
//! Phones get a tall drawing instead ([`tall`]): the same tiers stacked in a 400-unit-wide
//! column, four brokers or clients to a line, so text keeps a legible size on a narrow screen.

use crate::sim::NodeId;

mod tall;

use super::names::{Names, NodeKind, Tier};

/// Width of the drawing's coordinate system (the SVG `viewBox`).
pub const VIEW_W: f64 = 800.0;
/// Height of the drawing's coordinate system.
pub const VIEW_H: f64 = 520.0;

/// Radius of a server's disc.
pub const SERVER_R: f64 = 38.0;
/// Radius of a client's disc.
pub const CLIENT_R: f64 = 26.0;
/// Radius of a broker's disc.
pub const ROW_R: f64 = 26.0;

/// A point in drawing coordinates.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

impl Point {
    /// A point.
    pub fn new(x: f64, y: f64) -> Point {
        Point { x, y }
    }

    /// The point `t` of the way from `self` to `to`.
    pub fn lerp(self, to: Point, t: f64) -> Point {
        Point::new(self.x + (to.x - self.x) * t, self.y + (to.y - self.y) * t)
    }

    /// Distance to another point.
    pub fn dist(self, to: Point) -> f64 {
        let (dx, dy) = (to.x - self.x, to.y - self.y);
        (dx * dx + dy * dy).sqrt()
    }
}

/// A coordinate as SVG and CSS want it, to one decimal: `12.5`, `-3`, `400`.
///
/// Written with integer arithmetic on purpose: it keeps the float formatting machinery
/// (about 12 KB of wasm) out of the bundle.
pub fn num(v: f64) -> String {
    let t = (v * 10.0).round() as i64;
    let (sign, t) = if t < 0 { ("-", -t) } else { ("", t) };
    if t % 10 == 0 {
        format!("{sign}{}", t / 10)
    } else {
        format!("{sign}{}.{}", t / 10, t % 10)
    }
}

/// Sine and cosine by Taylor series after reducing to [-π, π]: accurate to about 1e-6,
/// plenty for placing nodes, and keeps libm's trigonometry out of the bundle.
pub fn sin_cos(x: f64) -> (f64, f64) {
    use std::f64::consts::{PI, TAU};
    let mut x = x % TAU;
    if x > PI {
        x -= TAU;
    } else if x < -PI {
        x += TAU;
    }
    let x2 = x * x;
    let (mut s, mut c) = (0.0, 0.0);
    let (mut ts, mut tc) = (x, 1.0);
    for k in 1..=12 {
        s += ts;
        c += tc;
        let k = f64::from(k);
        ts *= -x2 / ((2.0 * k) * (2.0 * k + 1.0));
        tc *= -x2 / ((2.0 * k - 1.0) * (2.0 * k));
    }
    (s, c)
}

/// Placement of one node.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Slot {
    pub at: Point,
    pub r: f64,
    /// Its captions sit a line lower, clear of its neighbours' on a crowded line.
    pub low: bool,
    /// Its caption's parts (`leads 1 · follows 2`) stack, one per line: its neighbours on
    /// its line are closer than the caption is wide.
    pub stacked: bool,
}

impl Slot {
    /// A node at `at` of radius `r`, its captions a line lower when `low`, on one line.
    pub fn new(at: Point, r: f64, low: bool) -> Slot {
        Slot {
            at,
            r,
            low,
            stacked: false,
        }
    }
}

/// Placement of every node of a world, and the size of the drawing that holds them.
#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    slots: Vec<Slot>,
    w: f64,
    h: f64,
}

impl Default for Layout {
    fn default() -> Self {
        Layout {
            slots: Vec::new(),
            w: VIEW_W,
            h: VIEW_H,
        }
    }
}

impl Layout {
    /// Lays out the nodes `names` knows, by kind: the wide drawing, or the tall one for a
    /// narrow screen.
    pub fn new(names: &Names, tall: bool) -> Layout {
        if tall {
            tall::for_kinds(names.kinds())
        } else {
            Layout::for_kinds(names.kinds())
        }
    }

    /// Width and height of the drawing's coordinate system.
    pub fn size(&self) -> (f64, f64) {
        (self.w, self.h)
    }

    /// The SVG `viewBox` of the drawing.
    pub fn view_box(&self) -> String {
        format!("0 0 {} {}", num(self.w), num(self.h))
    }

    /// Lays out nodes of the given kinds (index = node id).
    pub fn for_kinds(kinds: &[NodeKind]) -> Layout {
        let count = |t: Tier| kinds.iter().filter(|k| k.tier == t).count();
        let (servers, row, clients) = (count(Tier::Ring), count(Tier::Row), count(Tier::Band));
        let (centre, radius) = match (row, clients) {
            // Without clients the ensemble can use the whole height.
            (0, 0) => (Point::new(VIEW_W / 2.0, VIEW_H / 2.0), 185.0),
            // Two rows of clients: a tighter circle.
            (0, c) if c > 8 => (Point::new(VIEW_W / 2.0, 182.0), 132.0),
            (0, _) => (Point::new(VIEW_W / 2.0, 200.0), 150.0),
            // A broker row under the ring: the ring keeps to the top third.
            _ => (Point::new(VIEW_W / 2.0, 136.0), 96.0),
        };
        // Beside a broker row the ring is an ellipse, twice as wide as high, so five or
        // seven servers keep room for their captions.
        let wide = if row > 0 && servers > 3 { 2.0 } else { 1.0 };
        // Many brokers zig-zag over two lines, and the clients move down a little.
        let zigzag = row > ZIGZAG_ABOVE;
        let band_dy = if zigzag { 16.0 } else { 0.0 };
        let (mut s, mut b, mut c) = (0, 0, 0);
        let slots = kinds
            .iter()
            .map(|k| match k.tier {
                Tier::Ring => {
                    s += 1;
                    Slot::new(
                        on_ellipse(centre, radius * wide, radius, s - 1, servers),
                        SERVER_R,
                        false,
                    )
                }
                Tier::Row => {
                    b += 1;
                    let y = match (servers, zigzag) {
                        (0, _) => 200.0,
                        (_, false) => 312.0,
                        // The second line below the first one's captions.
                        (_, true) => 296.0 + if b % 2 == 0 { 70.0 } else { 0.0 },
                    };
                    Slot {
                        at: on_row(b - 1, row, y),
                        r: ROW_R,
                        // Five or six on one line are closer than their captions are wide.
                        low: !zigzag && row > 4 && b % 2 == 0,
                        stacked: zigzag,
                    }
                }
                Tier::Band => {
                    c += 1;
                    let at = on_band(c - 1, clients);
                    Slot::new(Point::new(at.x, at.y + band_dy), CLIENT_R, c % 2 == 0)
                }
            })
            .collect();
        Layout {
            slots,
            w: VIEW_W,
            h: VIEW_H,
        }
    }

    /// The placement of a node, if it is in the layout.
    pub fn slot(&self, id: NodeId) -> Option<Slot> {
        self.slots.get(id.index()).copied()
    }

    /// The centre of a node (the middle of the drawing for unknown ids).
    pub fn at(&self, id: NodeId) -> Point {
        self.slot(id)
            .map(|s| s.at)
            .unwrap_or(Point::new(self.w / 2.0, self.h / 2.0))
    }

    /// Number of nodes laid out.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// Whether no node is laid out.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }
}

/// Brokers beyond this many are drawn on two zig-zag lines.
const ZIGZAG_ABOVE: usize = 6;

/// Position `i` of `n` on an ellipse (a circle when `rx == ry`), starting at the top and
/// going clockwise. A lone server sits in the middle.
fn on_ellipse(centre: Point, rx: f64, ry: f64, i: usize, n: usize) -> Point {
    if n <= 1 {
        return centre;
    }
    let angle = -std::f64::consts::FRAC_PI_2 + std::f64::consts::TAU * i as f64 / n as f64;
    let (sin, cos) = sin_cos(angle);
    Point::new(round1(centre.x + rx * cos), round1(centre.y + ry * sin))
}

/// Position `i` of `n` in the broker row at height `y`, centred.
fn on_row(i: usize, n: usize, y: f64) -> Point {
    let spacing = ((VIEW_W - 40.0) / n.max(1) as f64).min(170.0);
    let x = VIEW_W / 2.0 + (i as f64 - (n as f64 - 1.0) / 2.0) * spacing;
    Point::new(round1(x), y)
}

/// Position `i` of `n` in the client row, centred, two rows when there are many.
fn on_band(i: usize, n: usize) -> Point {
    const PER_ROW: usize = 8;
    let rows = n.div_ceil(PER_ROW).max(1);
    let row = i / PER_ROW;
    let in_row = if row + 1 == rows {
        n - row * PER_ROW
    } else {
        PER_ROW
    };
    let col = i % PER_ROW;
    let spacing = (VIEW_W - 80.0) / PER_ROW as f64;
    let x = VIEW_W / 2.0 + (col as f64 - (in_row as f64 - 1.0) / 2.0) * spacing;
    let y = 430.0 + 58.0 * row as f64 - if rows > 1 { 22.0 } else { 0.0 };
    Point::new(round1(x), round1(y))
}

fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    use crate::cluster::Protocol;

    const SERVER: NodeKind = NodeKind {
        slug: "zk-server",
        tier: Tier::Ring,
        protocol: Protocol::Zk,
    };
    const BROKER: NodeKind = NodeKind {
        slug: "broker",
        tier: Tier::Row,
        protocol: Protocol::Zk,
    };
    const CLIENT: NodeKind = NodeKind {
        slug: "client",
        tier: Tier::Band,
        protocol: Protocol::Zk,
    };

    fn kinds(servers: usize, clients: usize) -> Vec<NodeKind> {
        let mut k = vec![SERVER; servers];
        k.extend(vec![CLIENT; clients]);
        k
    }

    /// Every node of `l` inside its drawing and clear of every other.
    pub(super) fn assert_fits(l: &Layout, what: &str) {
        let slots: Vec<Slot> = (0..l.len())
            .map(|i| l.slot(NodeId(i as u32)).unwrap())
            .collect();
        let (w, h) = l.size();
        let inside =
            |p: Point, r: f64| p.x - r >= 0.0 && p.x + r <= w && p.y - r >= 0.0 && p.y + r <= h;
        for (i, a) in slots.iter().enumerate() {
            assert!(
                inside(a.at, a.r),
                "{what}: node {i} at {:?} is outside",
                a.at
            );
            for b in &slots[i + 1..] {
                assert!(
                    a.at.dist(b.at) >= a.r + b.r + 4.0,
                    "{what}: {:?} and {:?} overlap",
                    a.at,
                    b.at
                );
            }
        }
    }

    #[test]
    fn an_ensemble_a_broker_row_and_clients_fit_without_overlaps() {
        for servers in [0, 1, 3, 5, 7] {
            for brokers in [1, 3, 6, 12] {
                for clients in [0, 2, 8, 12] {
                    let mut k = vec![SERVER; servers];
                    k.extend(vec![BROKER; brokers]);
                    k.extend(vec![CLIENT; clients]);
                    assert_fits(
                        &Layout::for_kinds(&k),
                        &format!("{servers}+{brokers}+{clients}"),
                    );
                }
            }
        }
    }

    #[test]
    fn every_ensemble_size_fits_the_drawing_without_overlaps() {
        for servers in [1, 3, 5, 7, 9] {
            for clients in [0, 1, 3, 8, 12] {
                assert_fits(
                    &Layout::for_kinds(&kinds(servers, clients)),
                    &format!("{servers}+{clients}"),
                );
            }
        }
    }

    #[test]
    fn the_first_server_is_at_the_top_and_positions_are_stable() {
        let a = Layout::for_kinds(&kinds(5, 3));
        let b = Layout::for_kinds(&kinds(5, 3));
        assert_eq!(a, b);
        let top = a.at(NodeId(0));
        for i in 1..5 {
            assert!(a.at(NodeId(i)).y > top.y);
        }
        // Clients are below every server.
        for c in 5..8 {
            assert!(a.at(NodeId(c)).y > a.at(NodeId(2)).y + SERVER_R);
        }
    }

    #[test]
    fn numbers_and_trigonometry_without_libm() {
        assert_eq!(num(12.0), "12");
        assert_eq!(num(12.25), "12.3");
        assert_eq!(num(-3.04), "-3");
        assert_eq!(num(-0.5), "-0.5");
        assert_eq!(num(0.0), "0");
        for i in -40..40 {
            let x = f64::from(i) * 0.37;
            let (s, c) = sin_cos(x);
            assert!(
                (s - x.sin()).abs() < 1e-6 && (c - x.cos()).abs() < 1e-6,
                "{x}"
            );
        }
    }

    #[test]
    fn a_lone_server_sits_in_the_middle() {
        let l = Layout::for_kinds(&kinds(1, 0));
        assert_eq!(l.at(NodeId(0)), Point::new(400.0, 260.0));
    }

    #[test]
    fn mixed_orders_keep_kinds_apart() {
        // Clients may come before servers in the node table.
        let l = Layout::for_kinds(&[CLIENT, SERVER, SERVER, SERVER]);
        assert!(l.at(NodeId(0)).y > 400.0);
        assert!(l.at(NodeId(1)).y < 100.0);
    }
}
