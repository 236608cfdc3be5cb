//! The one place in the view that dispatches on the protocols: which protocol a node,
//! message, timer or input belongs to, and which of its view folders (`view/zk/`,
//! `view/heartbeat.rs`) knows how to draw, narrate and tabulate it. Everything else in `view`
//! and all of `ui` deal only in the neutral types (cards, categories, panels, actions).
//!
//! Adding a protocol: its view folder, and one line or one arm per item here.

use crate::cluster::{ClusterWorld, Msg, Node, Protocol, Record, Timer};
use crate::sim::{Input, NodeId};

use super::cards::{NodeCard, Role};
use super::categories::{self, Category};
use super::heartbeat;
use super::history::{RoleState, Transition};
use super::kafka;
use super::names::{Names, NodeKind};
use super::run::Run;
use super::scene::Frame;
use super::state::Panel;
use super::zk;

pub use super::kafka::groups::GroupsTable;
pub use super::kafka::metrics::MetricsTable;
pub use super::kafka::producers::ProducersTable;
pub use super::zk::cards::ZkCard;
pub use super::zk::sessions::{SessionRow, SessionTable};
pub use super::zk::zablog::{Cell, ZabColumn, ZabRow, ZabTable};
pub use super::zk::znodes::{ZnodeRow, ZnodeTable};

pub use super::kafka::{log::*, partitions::*, why::*};

/// Each protocol's traffic categories, in legend order.
pub const CATEGORY_TABLES: &[&[Category]] =
    &[zk::categories::TABLE, &[categories::PING], kafka::TABLE];

/// The traffic categories the legend lists for a drawing of nodes of these kinds: those of
/// the protocols that run (Kafka brings ZooKeeper's along), in legend order, each once.
pub fn legend_categories<'a>(kinds: impl IntoIterator<Item = &'a NodeKind>) -> Vec<Category> {
    // Which of CATEGORY_TABLES (ZooKeeper, heartbeat, Kafka) are in use.
    let mut on = [false; 3];
    for k in kinds {
        if k.slug == heartbeat::MEMBER_KIND.slug {
            on[1] = true;
        } else if k.slug == kafka::BROKER_KIND.slug || k.slug == kafka::PRODUCER_KIND.slug {
            on[0] = true;
            on[2] = true;
        } else {
            on[0] = true;
        }
    }
    let mut out: Vec<Category> = Vec::new();
    for (table, _) in CATEGORY_TABLES.iter().zip(on).filter(|(_, on)| *on) {
        for c in table.iter() {
            if !out.contains(c) {
                out.push(*c);
            }
        }
    }
    out
}

/// What only one protocol's card shows.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum CardExtra {
    #[default]
    None,
    Zk(Box<ZkCard>),
}

/// What each protocol reads from the world once per frame.
#[derive(Clone, Debug, Default)]
pub struct ProtocolFrame {
    pub zk: zk::Summaries,
}

impl ProtocolFrame {
    /// Reads every protocol's summaries.
    pub fn read(world: &ClusterWorld) -> ProtocolFrame {
        ProtocolFrame {
            zk: zk::Summaries::read(world),
        }
    }
}

/// The kind of a node.
pub fn node_kind(node: &Node) -> NodeKind {
    match node {
        Node::Zk(n) => zk::kind(n),
        Node::Heartbeat(_) => heartbeat::MEMBER_KIND,
        Node::Kafka(n) => kafka::kind(n),
    }
}

/// The protocol ids a node is known by, as (namespace, value).
pub fn aliases(node: &Node) -> Vec<(&'static str, u64)> {
    match node {
        Node::Zk(n) => zk::aliases(n),
        Node::Heartbeat(_) | Node::Kafka(_) => Vec::new(),
    }
}

/// The card of node `id` (unplaced).
pub fn card(world: &ClusterWorld, id: NodeId, names: &Names, frame: &ProtocolFrame) -> NodeCard {
    match world.node(id) {
        Node::Zk(_) => zk::cards::card(world, id, names, &frame.zk),
        Node::Heartbeat(m) => heartbeat::card(world, id, m, names),
        Node::Kafka(n) => kafka::card(world, id, n, names),
    }
}

/// The node the drawing calls "the leader", if any.
pub fn leader(world: &ClusterWorld, frame: &ProtocolFrame) -> Option<NodeId> {
    zk::leader(world, &frame.zk)
}

/// The drawn category of a message.
pub fn category_of(msg: &Msg) -> Category {
    match msg {
        Msg::Zk(m) => zk::categories::of_msg(m),
        Msg::Heartbeat(_) => categories::PING,
        Msg::Kafka(m) => kafka::category(m),
    }
}

/// Background traffic a reader of a protocol exchange may hide: Kafka's Fetch (followers
/// and consumers polling) and every protocol's heartbeats and pings.
pub fn is_chatter(c: Category) -> bool {
    c == categories::PING || c == kafka::FETCH
}

/// The category of a timer's firing.
pub fn timer_category(timer: &Timer) -> Category {
    match timer {
        Timer::Zk(t) => zk::categories::of_timer(t),
        Timer::Heartbeat(_) => categories::PING,
        Timer::Kafka(_) => kafka::FETCH,
    }
}

/// What people call a timer.
pub fn timer_words(timer: &Timer) -> String {
    match timer {
        Timer::Zk(t) => zk::narrate::timer_words(t),
        other => crate::sim::TimerKey::name(other),
    }
}

/// The zxid of a successful ZooKeeper write a message answers, if it is one.
pub fn reply_zxid(msg: &Msg) -> Option<i64> {
    use crate::zk::msg::ClientPacket;
    match msg.zk()? {
        crate::zk::Msg::Client {
            pkt:
                ClientPacket::Reply {
                    zxid,
                    err: crate::zk::ErrorCode::Ok,
                    body: crate::zk::msg::ReplyBody::Write(_),
                    ..
                },
            ..
        } => Some(*zxid),
        _ => None,
    }
}

/// Whether a delivered message is the person's control rather than protocol traffic.
pub fn is_control(msg: &Msg) -> bool {
    match msg {
        Msg::Zk(m) => matches!(m, crate::zk::Msg::Control(_)),
        Msg::Kafka(m) => kafka::inputs::is_operator(m),
        Msg::Heartbeat(_) => false,
    }
}

/// A delivered message in words.
pub fn delivered(rec: &Record, src: NodeId, dst: NodeId, msg: &Msg, names: &Names) -> String {
    match msg {
        Msg::Zk(_) => zk::narrate::delivered(rec, src, dst, msg, names),
        Msg::Heartbeat(_) | Msg::Kafka(_) => {
            use crate::sim::Message;
            format!(
                "{} gets {}'s {}",
                names.label(dst),
                names.label(src),
                msg.summary()
            )
        }
    }
}

/// What followed from a node's start or timer, in words ("votes for zk3 (…)").
pub fn follow_up(rec: &Record, node: NodeId, names: &Names) -> Option<String> {
    zk::narrate::vote_broadcast(rec, node, names)
}

/// An input in a protocol's own words (a Kafka operator's command, a broker cut off from
/// ZooKeeper), if a protocol has some.
pub fn input_sentence(input: &Input<Msg>, names: &Names) -> Option<String> {
    kafka::inputs::input_words(input, names)
}

/// An input that delivers a protocol's control message, in words.
pub fn input_words(node: NodeId, msg: &Msg, names: &Names) -> Option<String> {
    match msg {
        Msg::Zk(crate::zk::Msg::Control(c)) => Some(zk::narrate::control(node, c, names)),
        _ => None,
    }
}

/// Whether an input is a fault or a repair (a timeline marker).
pub fn is_fault(input: &Input<Msg>) -> bool {
    zk::history::is_fault(input)
}

/// The role state of node `id`: what a transition changes.
pub fn role_state(world: &ClusterWorld, id: NodeId) -> RoleState {
    let up = world.is_up(id);
    match world.node(id) {
        Node::Zk(_) => zk::history::role_state(world, id),
        Node::Heartbeat(_) => RoleState::plain(if up { heartbeat::MEMBER } else { Role::DOWN }),
        Node::Kafka(n) => RoleState::plain(if up { kafka::role(n) } else { Role::DOWN }),
    }
}

/// A role change in words.
pub fn transition_sentence(t: &Transition, names: &Names) -> String {
    match names.kind_of(t.node).map(|k| k.protocol) {
        Some(Protocol::Zk) => zk::history::transition_sentence(t, names),
        _ => {
            let n = names.label(t.node);
            if t.to.role == Role::DOWN {
                format!("{n} is down")
            } else {
                format!("{n} is up")
            }
        }
    }
}

/// What each protocol remembers of a run.
#[derive(Clone, Debug, Default)]
pub struct ProtocolHistory {
    pub zk: zk::history::ZkHistory,
    pub kafka: kafka::history::KafkaHistory,
}

impl ProtocolHistory {
    /// Takes note of a new step.
    pub fn observe(&mut self, rec: &Record, world: &ClusterWorld) {
        self.zk.observe(rec);
        self.kafka.observe(rec, world, &zk::mntr::figures);
    }

    /// Forgets everything after `step`.
    pub fn truncate(&mut self, step: u64) {
        self.zk.truncate(step);
        self.kafka.truncate(step);
    }
}

/// The URL form of a protocol's input.
pub fn encode_input(input: &Input<Msg>) -> Option<String> {
    zk::url::encode(input).or_else(|| kafka::url::encode(input))
}

/// Parses a protocol's input from its URL form.
pub fn decode_input(
    verb: &str,
    arg: &str,
    node: &dyn Fn(&str) -> Option<NodeId>,
    number: &dyn Fn(&str) -> Option<u64>,
) -> Option<Input<Msg>> {
    zk::url::decode(verb, arg, node, number).or_else(|| kafka::url::decode(verb, arg, node))
}

/// One item of a node's menu: its text, its style (`danger`, `primary` or none) and the
/// input it gives.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeAction {
    pub label: String,
    pub style: &'static str,
    pub input: Input<Msg>,
}

/// What a node's protocol adds to its menu, and a note when something is not possible now.
pub fn node_actions(
    world: &ClusterWorld,
    id: NodeId,
    names: &Names,
    frame: &ProtocolFrame,
) -> (Vec<NodeAction>, Option<String>) {
    match world.node(id) {
        Node::Zk(_) => zk::actions(world, id, names, &frame.zk),
        Node::Kafka(n) => kafka::inputs::actions(world, id, n, names),
        Node::Heartbeat(_) => (Vec::new(), None),
    }
}

/// Each protocol's "run to …" targets, one line each (Kafka's controller change, partition
/// leader change, ISR change and rebalance go here as its views land).
pub const TARGETS: &[super::targets::Target] = &[zk::history::COMMIT];

/// ZooKeeper's data tree.
pub const ZNODES: Panel = Panel::new("znodes", "Znodes");
/// Each server's Zab log.
pub const ZAB_LOG: Panel = Panel::new("zab-log", "Zab log");
/// ZooKeeper's sessions.
pub const SESSIONS: Panel = Panel::new("sessions", "Sessions");

/// Kafka's consumer groups.
pub const GROUPS: Panel = Panel::new("groups", "Groups");
/// Kafka's producers.
pub const PRODUCERS: Panel = Panel::new("producers", "Producers");
/// Kafka's and ZooKeeper's metrics.
pub const METRICS: Panel = Panel::new("metrics", "Metrics");

/// Every panel any scenario may ask for (the first is the default).
pub const PANELS: &[Panel] = &[
    ZNODES,
    ZAB_LOG,
    SESSIONS,
    GROUPS,
    PRODUCERS,
    METRICS,
    super::state::EVENTS,
    super::sequence::SEQUENCE,
    super::state::INVARIANTS,
    kafka::PARTITIONS,
    kafka::LOG,
];

/// A panel's content, built for the open panel only.
#[derive(Clone, Debug, PartialEq)]
pub enum PanelBody {
    Znodes(ZnodeTable),
    ZabLog(ZabTable),
    Sessions(SessionTable),
    Events {
        rows: Vec<super::events::EventRow>,
        nodes: Vec<(NodeId, String)>,
        filter: super::events::EventFilter,
    },
    Invariants(super::invariants::InvariantTable),
    /// Every message, and without the chatter.
    Sequence(Box<[super::sequence::Sequence; 2]>),
    Partitions(PartitionTable),
    Log,
    Groups(GroupsTable),
    Producers(ProducersTable),
    Metrics(MetricsTable),
}

/// Builds the content of `panel` at the run's cursor.
pub fn panel_body(
    run: &Run,
    frame: &Frame,
    panel: Panel,
    filter: super::events::EventFilter,
    tree: Option<NodeId>,
) -> PanelBody {
    let tl = run.timeline();
    let world = &tl.current().world;
    let history = run.history();
    let names = &frame.names;
    let zk = &frame.protocols.zk;
    match panel.slug() {
        "znodes" => PanelBody::Znodes(zk::znodes::znode_table(
            world,
            names,
            zk,
            history,
            tl.cursor(),
            tree,
        )),
        "zab-log" => PanelBody::ZabLog(zk::zablog::zab_table(zk, names, history, &|id| {
            world.is_up(id) || !world.has_started(id)
        })),
        "sessions" => PanelBody::Sessions(zk::sessions::session_table(world, names, zk)),
        "partitions" => PanelBody::Partitions(partition_table(world)),
        "log" => PanelBody::Log,
        "groups" => PanelBody::Groups(kafka::groups::groups_table(
            world,
            names,
            &history.protocols.kafka,
            tl.cursor(),
            &|g, t| zk::mntr::group_znodes(world, g, t),
        )),
        "producers" => PanelBody::Producers(kafka::producers::producers_table(world, names)),
        "metrics" => PanelBody::Metrics(kafka::metrics::metrics_table(
            &history.protocols.kafka,
            tl.cursor(),
            zk::mntr::states(world, names),
        )),
        "invariants" => PanelBody::Invariants(super::invariants::invariant_table(
            tl.current(),
            history,
            tl.cursor(),
        )),
        "sequence" => PanelBody::Sequence(Box::new(
            [false, true].map(|q| super::sequence::of_run(run, names, q)),
        )),
        _ => {
            let record = |n| tl.record(n);
            PanelBody::Events {
                rows: super::events::event_rows(
                    &record,
                    tl.floor(),
                    tl.cursor(),
                    &filter,
                    names,
                    history,
                ),
                nodes: names
                    .ids()
                    .map(|id| (id, names.label(id).to_string()))
                    .collect(),
                filter,
            }
        }
    }
}
