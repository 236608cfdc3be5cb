//! The cluster picture at the current step: node cards, the links between servers (cut ones
//! marked), each client's connection to its server, the messages on the wire and the
//! sentence that says what the step did. Dots are placed at the step's own time; playback
//! moves them with [`super::dots::move_dots`] without rebuilding the scene.

use crate::cluster::ClusterTimeline;
use crate::sim::time::fmt_time;
use crate::sim::{NodeId, TimeUs};

use super::cards::{cards, NodeCard};
use super::dots::{dot, Dot};
use super::history::{History, MarkerKind};
use super::layout::{Layout, Point};
use super::names::Names;
use super::protocols::{self, ProtocolFrame};
use super::quiet;
use super::state::Panel;

/// A line between two nodes, drawn rim to rim.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    pub a: NodeId,
    pub b: NodeId,
    pub x1: f64,
    pub y1: f64,
    pub x2: f64,
    pub y2: f64,
}

impl Line {
    fn between(layout: &Layout, a: NodeId, b: NodeId) -> Line {
        let (pa, pb) = (layout.at(a), layout.at(b));
        let ra = layout.slot(a).map_or(0.0, |s| s.r);
        let rb = layout.slot(b).map_or(0.0, |s| s.r);
        let d = pa.dist(pb).max(1e-6);
        let p1 = pa.lerp(pb, ra / d);
        let p2 = pb.lerp(pa, rb / d);
        let r = |v: f64| (v * 10.0).round() / 10.0;
        Line {
            a,
            b,
            x1: r(p1.x),
            y1: r(p1.y),
            x2: r(p2.x),
            y2: r(p2.y),
        }
    }

    /// The middle of the line.
    pub fn mid(&self) -> Point {
        Point::new((self.x1 + self.x2) / 2.0, (self.y1 + self.y2) / 2.0)
    }
}

/// A timeline marker placed on the scrubber.
#[derive(Clone, Debug, PartialEq)]
pub struct MarkerView {
    pub step: u64,
    pub kind: MarkerKind,
    pub text: String,
    /// Position along the scrubber, 0..=1.
    pub at: f64,
}

/// A compressed quiet stretch on the timeline: a break symbol with the skipped time.
#[derive(Clone, Debug, PartialEq)]
pub struct BreakView {
    pub step: u64,
    /// `9.8 s`.
    pub label: String,
    /// `⏩ 9.8 s later: zk1's read timeout fires`.
    pub text: String,
}

/// The picture at one step.
#[derive(Clone, Debug, PartialEq)]
pub struct Scene {
    pub step: u64,
    /// Steps recorded (the end of the scrubber).
    pub len: u64,
    /// The earliest step still reachable.
    pub floor: u64,
    pub time_us: TimeUs,
    /// `12.345s`.
    pub time_text: String,
    pub nodes: Vec<NodeCard>,
    /// Links between servers that work.
    pub mesh: Vec<Line>,
    /// Cut links worth drawing (between servers, and a client's own server).
    pub cuts: Vec<Line>,
    /// Every cut node pair, drawn or not (what "heal" would repair).
    pub cut_pairs: usize,
    /// Each connected client to its server.
    pub attachments: Vec<Line>,
    pub dots: Vec<Dot>,
    /// What the step did, in words.
    pub narration: String,
    pub next_event_us: Option<TimeUs>,
    pub leader: Option<NodeId>,
    pub markers: Vec<MarkerView>,
    /// Long quiet stretches, drawn as breaks on the timeline.
    pub breaks: Vec<BreakView>,
    /// Violations found up to this step.
    pub violations: u64,
    /// The side panels this scenario shows, in tab order.
    pub panels: Vec<Panel>,
}

/// Most markers drawn on the scrubber (the newest are kept).
pub const MAX_MARKERS: usize = 400;

/// What the person reads before the first step.
pub const START_NARRATION: &str =
    "Nothing has happened yet. Press Play to watch the run, or Step forward to go one event at a time.";

/// Everything a frame needs that is read once from the world.
pub struct Frame {
    pub scene: Scene,
    pub names: Names,
    pub layout: Layout,
    /// What each protocol read from the world for this frame.
    pub protocols: ProtocolFrame,
}

impl Frame {
    /// The menu of node `id`: what it offers (crash, restart, cut off, and what its protocol
    /// adds) and a note on what is not possible now.
    pub fn node_menu(
        &self,
        world: &crate::cluster::ClusterWorld,
        id: NodeId,
    ) -> (Vec<protocols::NodeAction>, Option<String>) {
        super::actions::node_menu(self, world, id)
    }
}

/// Builds the picture at the timeline's cursor.
pub fn frame(tl: &ClusterTimeline, history: &History, panels: Vec<Panel>, tall: bool) -> Frame {
    let sim = tl.current();
    let world = &sim.world;
    let names = Names::from_world(world);
    let layout = Layout::new(&names, tall);
    let protocols = ProtocolFrame::read(world);
    let nodes = cards(world, &names, &layout, &protocols);

    let server_like: Vec<NodeId> = names.ids().filter(|id| names.is_server_like(*id)).collect();
    // Cut pairs, each once (the network lists both directions), in link order.
    let mut cut: Vec<(NodeId, NodeId)> = Vec::new();
    for (a, b) in world.net().cut_links() {
        let pair = (a.min(b), a.max(b));
        if !cut.contains(&pair) {
            cut.push(pair);
        }
    }
    let mut mesh = Vec::new();
    for (i, a) in server_like.iter().enumerate() {
        for b in &server_like[i + 1..] {
            if !cut.contains(&(*a, *b)) {
                mesh.push(Line::between(&layout, *a, *b));
            }
        }
    }
    // Every cut between servers (ring or row: ZooKeeper servers, brokers) is drawn; a
    // client's cuts only towards the server it talks to (a client cut off from every server
    // would otherwise fan out lines across the picture; its caption says it lost its
    // connection).
    let big = |id: &NodeId| names.kind_of(*id).is_some_and(|k| !k.is_client_like());
    let talks_to =
        |c: NodeId, s: NodeId| nodes.iter().any(|n| n.id == c && n.attached_to == Some(s));
    let cuts = cut
        .iter()
        .filter(|(a, b)| (big(a) && big(b)) || talks_to(*a, *b) || talks_to(*b, *a))
        .map(|(a, b)| Line::between(&layout, *a, *b))
        .collect();
    let attachments = nodes
        .iter()
        .filter_map(|c| c.attached_to.map(|s| Line::between(&layout, c.id, s)))
        .collect();
    let now = world.now_us();
    let mut dots: Vec<Dot> = world.in_flight().map(|f| dot(&layout, f, now)).collect();
    super::dots::fan_out_held(&layout, &mut dots);
    let step = tl.cursor();
    let narration = match tl.record(step) {
        Some(rec) if step > 0 => {
            let said = history.narrate(rec, &names);
            match history.gap_at(step) {
                // Say how long nothing happened before this step (time may have been skipped).
                Some(g) => format!("⏩ {} later: {said}", quiet::fmt_span(g.span_us)),
                None => said,
            }
        }
        _ => START_NARRATION.to_string(),
    };
    let len = tl.len().max(step);
    let markers = markers(history, len);
    let breaks = breaks(history, len);
    let violations = sim.violation_counts.iter().sum();
    let leader = protocols::leader(world, &protocols);
    Frame {
        scene: Scene {
            step,
            len,
            floor: tl.floor(),
            time_us: now,
            time_text: fmt_time(now),
            nodes,
            mesh,
            cut_pairs: cut.len(),
            cuts,
            attachments,
            dots,
            narration,
            next_event_us: world.next_event_us(),
            leader,
            markers,
            breaks,
            violations,
            panels,
        },
        names,
        layout,
        protocols,
    }
}

/// The history's long gaps (at least [`quiet::BREAK_MIN_US`]) up to step `len`, newest kept.
pub fn breaks(history: &History, len: u64) -> Vec<BreakView> {
    let long: Vec<_> = history
        .gaps()
        .iter()
        .filter(|g| g.span_us >= quiet::BREAK_MIN_US && g.step <= len)
        .collect();
    let from = long.len().saturating_sub(MAX_MARKERS);
    long[from..]
        .iter()
        .map(|g| BreakView {
            step: g.step,
            label: quiet::fmt_span(g.span_us),
            text: g.text.clone(),
        })
        .collect()
}

/// The history's markers placed on a scrubber of `len` steps.
pub fn markers(history: &History, len: u64) -> Vec<MarkerView> {
    let all = history.markers();
    let from = all.len().saturating_sub(MAX_MARKERS);
    all[from..]
        .iter()
        .filter(|m| m.step <= len)
        .map(|m| MarkerView {
            step: m.step,
            kind: m.kind,
            text: m.text.clone(),
            at: if len == 0 {
                0.0
            } else {
                m.step as f64 / len as f64
            },
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::{build, BuildOptions};
    use crate::sim::{Input, TimelineLimits};

    #[test]
    fn a_heartbeat_frame_has_cards_mesh_dots_and_words() {
        let sim = build(
            "heartbeat",
            &BuildOptions {
                servers: Some(3),
                ..BuildOptions::seed(5)
            },
        )
        .unwrap();
        let mut tl = ClusterTimeline::new(sim, TimelineLimits::default());
        let mut history = History::new(&tl.current().world);
        let f = frame(&tl, &history, vec![], false);
        assert_eq!(f.scene.narration, START_NARRATION);
        assert_eq!(f.scene.nodes.len(), 3);
        assert_eq!(f.scene.mesh.len(), 3);
        assert!(f.scene.dots.is_empty());

        tl.step();
        let names = Names::from_world(&tl.current().world);
        history.observe(tl.record(1).unwrap(), &tl.current().world, &names);
        let f = frame(&tl, &history, vec![], false);
        assert_eq!(f.scene.step, 1);
        assert_eq!(f.scene.dots.len(), 2, "m1 pings both peers");
        assert!(f
            .scene
            .dots
            .iter()
            .all(|d| d.kind == "PING" && d.progress == 0.0));
        assert_eq!(f.scene.narration, "m1 starts.");

        tl.seek(20);
        tl.inject(Input::Partition(vec![
            vec![NodeId(0)],
            vec![NodeId(1), NodeId(2)],
        ]));
        tl.step();
        let f = frame(&tl, &history, vec![], false);
        assert_eq!(f.scene.cuts.len(), 2);
        assert_eq!(f.scene.mesh.len(), 1);
        assert!(f.scene.nodes.iter().all(|n| n.role.as_str() == "member"));
    }

    #[test]
    fn markers_sit_where_their_step_is() {
        let sim = build(
            "heartbeat",
            &BuildOptions {
                servers: Some(3),
                ..BuildOptions::seed(5)
            },
        )
        .unwrap();
        let mut tl = ClusterTimeline::new(sim, TimelineLimits::default());
        let mut history = History::new(&tl.current().world);
        for i in 0..40 {
            if i == 29 {
                tl.inject(Input::Crash(NodeId(2)));
            }
            tl.step();
            let names = Names::from_world(&tl.current().world);
            history.observe(tl.record(tl.cursor()).unwrap(), &tl.current().world, &names);
        }
        let m = markers(&history, 60);
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].step, 30);
        assert!((m[0].at - 0.5).abs() < 1e-9);
        let f = frame(&tl, &history, vec![], false);
        assert_eq!(f.scene.nodes[2].role.as_str(), "down");
    }
}
