//! View state that is not the simulation: which panel is open, playback speed, open menus,
//! the partition being drawn, event filters, the help overlay and notices. Changed only by
//! [`reduce`], a pure function, so the UI's reducer hook has no side effects and every
//! transition is tested here.

use super::categories::Category;
use crate::sim::{MsgId, NodeId};

use super::events::EventFilter;

/// One side panel: its stable, URL- and id-safe slug and its tab label. Scenarios list the
/// panels they show; `view/protocols.rs` lists every panel there is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Panel {
    slug: &'static str,
    label: &'static str,
}

/// The event log (every scenario has it).
pub const EVENTS: Panel = Panel::new("events", "Events");
/// The invariant checkers (every scenario has it).
pub const INVARIANTS: Panel = Panel::new("invariants", "Invariants");

impl Panel {
    /// A panel.
    pub const fn new(slug: &'static str, label: &'static str) -> Panel {
        Panel { slug, label }
    }

    /// The tab's label.
    pub fn label(self) -> &'static str {
        self.label
    }

    /// A stable, URL- and id-safe name.
    pub fn slug(self) -> &'static str {
        self.slug
    }

    /// The panel with this slug, among every panel there is.
    pub fn from_slug(slug: &str) -> Option<Panel> {
        super::protocols::PANELS
            .iter()
            .copied()
            .find(|p| p.slug == slug)
    }

    /// The panel opened when nothing says otherwise.
    pub fn default_panel() -> Panel {
        super::protocols::PANELS[0]
    }

    /// The panels a scenario shows, in tab order (every panel for an unknown scenario).
    pub fn of_scenario(name: &str) -> Vec<Panel> {
        match crate::cluster::scenario::info(name) {
            Some(info) => info
                .panels
                .iter()
                .filter_map(|slug| Panel::from_slug(slug))
                .collect(),
            None => super::protocols::PANELS.to_vec(),
        }
    }

    /// The element id of this panel's tab button.
    pub fn tab_id(self) -> String {
        format!("tab-{}", self.slug())
    }
}

/// Speed level of real time.
pub const SPEED_REAL_TIME: i32 = 40;
/// Highest speed level: 1000× real time.
pub const SPEED_MAX: i32 = 70;
/// Default speed level: 1/25 of real time (a 4 ms message crosses in 0.1 s; with quiet time
/// skipped, a crashed leader is replaced within a few seconds of wall time).
pub const SPEED_DEFAULT: i32 = 26;
/// Levels per `[` or `]` key press (×2 in speed).
pub const SPEED_KEY_STEP: i32 = 3;

/// Simulated seconds per wall-clock second at a speed level: 10^((level − 40) / 10), so the
/// slider is logarithmic from 1/10 000 through real time (level 40) to 1000×.
pub fn speed_of(level: i32) -> f64 {
    // 10^(j/10) for j = 0..9: a table instead of `powf`, which would pull libm's `pow` in.
    const STEPS: [f64; 10] = [
        1.0,
        1.258_925_411_794_167_2,
        1.584_893_192_461_113_5,
        1.995_262_314_968_879_6,
        2.511_886_431_509_58,
        3.162_277_660_168_379_5,
        3.981_071_705_534_972_5,
        5.011_872_336_272_722,
        6.309_573_444_801_933,
        7.943_282_347_242_815,
    ];
    let level = level.clamp(0, SPEED_MAX);
    if level >= SPEED_REAL_TIME {
        let up = level - SPEED_REAL_TIME;
        let mut s = STEPS[(up % 10) as usize];
        for _ in 0..up / 10 {
            s *= 10.0;
        }
        return s;
    }
    let down = SPEED_REAL_TIME - level;
    let mut s = 1.0 / STEPS[(down % 10) as usize];
    for _ in 0..down / 10 {
        s /= 10.0;
    }
    s
}

/// Two significant digits of a positive whole number: 13, 250, 6300.
fn two_digits(v: f64) -> String {
    let mut v = v.round() as u64;
    let mut scale = 1;
    while v >= 100 {
        v = (v + 5) / 10;
        scale *= 10;
    }
    (v * scale).to_string()
}

/// The speed in words, saying what a second of wall time shows: `1/100 of real time: 1 s
/// shows 10 ms`, `real time`, `250× real time: 1 s shows 4.2 min`.
pub fn speed_label(level: i32) -> String {
    let s = speed_of(level);
    if (0.999..=1.001).contains(&s) {
        return "real time".into();
    }
    let factor = if s > 1.0 { s } else { 1.0 / s };
    let factor = if factor >= 10.0 {
        two_digits(factor)
    } else {
        super::layout::num(factor)
    };
    let (before, after) = if s > 1.0 { ("", "×") } else { ("1/", " of") };
    let shows = super::quiet::fmt_span((s * 1_000_000.0).round() as u64);
    format!("{before}{factor}{after} real time: 1 s shows {shows}")
}

/// Partition mode: the person is picking the nodes of group B.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PartitionDraft {
    /// In click order; a vector rather than a set (a few nodes, and each set type adds
    /// to the wasm bundle).
    pub group_b: Vec<NodeId>,
}

/// Everything the page shows that is not the simulation.
#[derive(Clone, Debug, PartialEq)]
pub struct ViewState {
    pub panel: Panel,
    pub playing: bool,
    pub speed_level: i32,
    /// The node whose menu is open.
    pub menu: Option<NodeId>,
    /// The message being inspected.
    pub message: Option<MsgId>,
    /// Partition mode, if on.
    pub partition: Option<PartitionDraft>,
    pub filter: EventFilter,
    /// The server whose tree the Znodes panel shows (none: the leader).
    pub tree_server: Option<NodeId>,
    pub help: bool,
    /// Messages for the person (a malformed URL…), dismissible.
    pub notices: Vec<String>,
    /// Skip quiet time while playing (see [`super::quiet`]).
    pub skip_quiet: bool,
    /// Where the last "run to …" stopped, and why.
    pub found: Option<super::targets::Found>,
}

impl Default for ViewState {
    fn default() -> Self {
        ViewState {
            panel: Panel::default_panel(),
            playing: false,
            speed_level: SPEED_DEFAULT,
            menu: None,
            message: None,
            partition: None,
            filter: EventFilter::default(),
            tree_server: None,
            help: false,
            notices: Vec::new(),
            skip_quiet: true,
            found: None,
        }
    }
}

/// Everything that changes the view state.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    SetPanel(Panel),
    Play,
    Pause,
    TogglePlay,
    SetSpeed(i32),
    Faster,
    Slower,
    /// A node was clicked: open its menu, or, in partition mode, move it between groups.
    ClickNode(NodeId),
    CloseMenu,
    /// A message dot was clicked (or its inspector closed with `None`).
    InspectMessage(Option<MsgId>),
    StartPartition,
    CancelPartition,
    FilterNode(Option<NodeId>),
    FilterCategory(Option<Category>),
    TreeServer(Option<NodeId>),
    ToggleHelp,
    /// Escape: closes the innermost open thing.
    Escape,
    Notify(Vec<String>),
    DismissNotices,
    /// The run was rebuilt (new scenario, seed or size): forget node-specific state.
    Rebuilt,
    ToggleSkipQuiet,
    /// A "run to …" search ended here (it pauses playback).
    Found(super::targets::Found),
}

/// The next view state. Pure.
pub fn reduce(s: &ViewState, a: Action) -> ViewState {
    let mut n = s.clone();
    match a {
        Action::SetPanel(p) => n.panel = p,
        Action::Play => n.playing = true,
        Action::Pause => n.playing = false,
        Action::TogglePlay => n.playing = !s.playing,
        Action::SetSpeed(l) => n.speed_level = l.clamp(0, SPEED_MAX),
        Action::Faster => n.speed_level = (s.speed_level + SPEED_KEY_STEP).min(SPEED_MAX),
        Action::Slower => n.speed_level = (s.speed_level - SPEED_KEY_STEP).max(0),
        Action::ClickNode(id) => match &mut n.partition {
            Some(draft) => match draft.group_b.iter().position(|n| *n == id) {
                Some(i) => {
                    draft.group_b.remove(i);
                }
                None => draft.group_b.push(id),
            },
            None => {
                n.menu = if s.menu == Some(id) { None } else { Some(id) };
                n.message = None;
            }
        },
        Action::CloseMenu => n.menu = None,
        Action::InspectMessage(m) => {
            n.message = m;
            if m.is_some() {
                n.menu = None;
            }
        }
        Action::StartPartition => {
            n.partition = Some(PartitionDraft::default());
            n.menu = None;
            n.message = None;
        }
        Action::CancelPartition => n.partition = None,
        Action::FilterNode(f) => n.filter.node = f,
        Action::FilterCategory(c) => n.filter.category = c,
        Action::TreeServer(t) => n.tree_server = t,
        Action::ToggleHelp => n.help = !s.help,
        Action::Escape => {
            if s.help {
                n.help = false;
            } else if s.menu.is_some() || s.message.is_some() {
                n.menu = None;
                n.message = None;
            } else if s.partition.is_some() {
                n.partition = None;
            } else {
                n.notices.clear();
            }
        }
        Action::Notify(mut msgs) => n.notices.append(&mut msgs),
        Action::DismissNotices => n.notices.clear(),
        Action::Rebuilt => {
            n.menu = None;
            n.message = None;
            n.partition = None;
            n.filter = EventFilter::default();
            n.tree_server = None;
            n.playing = false;
            n.found = None;
        }
        Action::ToggleSkipQuiet => n.skip_quiet = !s.skip_quiet,
        Action::Found(f) => {
            n.found = Some(f);
            n.playing = false;
            n.menu = None;
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panels_round_trip_their_slugs() {
        for p in crate::view::protocols::PANELS.iter().copied() {
            assert_eq!(Panel::from_slug(p.slug()), Some(p));
        }
        assert_eq!(Panel::from_slug("Znodes"), None);
    }

    #[test]
    fn speed_is_logarithmic_and_bounded() {
        assert!((speed_of(SPEED_REAL_TIME) - 1.0).abs() < 1e-9);
        assert!((speed_of(SPEED_MAX) - 1000.0).abs() < 1e-6);
        assert!((speed_of(20) - 0.01).abs() < 1e-9);
        assert!((speed_of(SPEED_DEFAULT) - 0.04).abs() < 0.001);
        assert!((speed_of(0) - 1e-4).abs() < 1e-12);
        assert_eq!(speed_of(-5), speed_of(0));
        assert!(
            (speed_of(SPEED_DEFAULT + SPEED_KEY_STEP) / speed_of(SPEED_DEFAULT) - 2.0).abs() < 0.01
        );
        assert_eq!(speed_label(20), "1/100 of real time: 1 s shows 10 ms");
        assert_eq!(speed_label(SPEED_REAL_TIME), "real time");
        assert_eq!(speed_label(36), "1/2.5 of real time: 1 s shows 398 ms");
        assert_eq!(speed_label(0), "1/10000 of real time: 1 s shows 100 µs");
        assert_eq!(speed_label(50), "10× real time: 1 s shows 10 s");
        assert_eq!(speed_label(SPEED_MAX), "1000× real time: 1 s shows 17 min");
        assert_eq!(speed_label(44), "2.5× real time: 1 s shows 2.5 s");
        let s = reduce(&ViewState::default(), Action::SetSpeed(99));
        assert_eq!(s.speed_level, SPEED_MAX);
        assert_eq!(reduce(&s, Action::Faster).speed_level, SPEED_MAX);
        let s = reduce(&ViewState::default(), Action::SetSpeed(1));
        assert_eq!(reduce(&s, Action::Slower).speed_level, 0);
    }

    #[test]
    fn clicking_a_node_toggles_its_menu_or_its_partition_group() {
        let s = reduce(&ViewState::default(), Action::ClickNode(NodeId(1)));
        assert_eq!(s.menu, Some(NodeId(1)));
        assert_eq!(reduce(&s, Action::ClickNode(NodeId(1))).menu, None);
        assert_eq!(
            reduce(&s, Action::ClickNode(NodeId(2))).menu,
            Some(NodeId(2))
        );

        let p = reduce(&s, Action::StartPartition);
        assert_eq!(p.menu, None);
        let p = reduce(&p, Action::ClickNode(NodeId(3)));
        let p = reduce(&p, Action::ClickNode(NodeId(4)));
        let p = reduce(&p, Action::ClickNode(NodeId(3)));
        assert_eq!(p.partition.as_ref().unwrap().group_b, vec![NodeId(4)]);
        assert_eq!(p.menu, None);
        assert_eq!(reduce(&p, Action::CancelPartition).partition, None);
    }

    #[test]
    fn escape_closes_the_innermost_thing_first() {
        let s = ViewState {
            help: true,
            menu: Some(NodeId(0)),
            partition: Some(PartitionDraft::default()),
            notices: vec!["x".into()],
            ..ViewState::default()
        };
        let s = reduce(&s, Action::Escape);
        assert!(!s.help && s.menu.is_some());
        let s = reduce(&s, Action::Escape);
        assert!(s.menu.is_none() && s.partition.is_some());
        let s = reduce(&s, Action::Escape);
        assert!(s.partition.is_none() && !s.notices.is_empty());
        let s = reduce(&s, Action::Escape);
        assert!(s.notices.is_empty());
    }

    #[test]
    fn a_rebuild_forgets_node_specific_state_but_keeps_panel_and_speed() {
        let s = ViewState {
            panel: EVENTS,
            speed_level: 7,
            playing: true,
            menu: Some(NodeId(0)),
            tree_server: Some(NodeId(1)),
            ..ViewState::default()
        };
        let r = reduce(&s, Action::Rebuilt);
        assert_eq!((r.panel, r.speed_level), (EVENTS, 7));
        assert!(!r.playing && r.menu.is_none() && r.tree_server.is_none());
    }

    #[test]
    fn skipping_quiet_time_is_on_by_default_and_a_search_result_pauses() {
        let s = ViewState {
            playing: true,
            ..ViewState::default()
        };
        assert!(s.skip_quiet);
        assert!(!reduce(&s, Action::ToggleSkipQuiet).skip_quiet);
        let found = super::super::targets::Found {
            target: "election",
            step: 3,
            hit: true,
            node: None,
            text: "x".into(),
        };
        let f = reduce(&s, Action::Found(found));
        assert!(!f.playing && f.found.is_some());
        assert!(reduce(&f, Action::Rebuilt).found.is_none());
    }

    #[test]
    fn playing_and_notices() {
        let s = reduce(&ViewState::default(), Action::TogglePlay);
        assert!(s.playing);
        assert!(!reduce(&s, Action::Pause).playing);
        let s = reduce(&s, Action::Notify(vec!["a".into()]));
        let s = reduce(&s, Action::Notify(vec!["b".into()]));
        assert_eq!(s.notices, ["a", "b"]);
        assert!(reduce(&s, Action::DismissNotices).notices.is_empty());
    }
}
