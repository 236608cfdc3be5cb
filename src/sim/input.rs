//! Inputs: everything that reaches the world from outside the protocols — faults, repairs,
//! a hand on a message, or a message injected by the environment. A run is fully described by
//! (scenario, seed, inputs with the step at which each was given).

use serde::{Deserialize, Serialize};

use super::actor::{Message, NodeId};
use super::net::LinkConfig;
use super::world::MsgId;

/// Something from outside the protocols: a fault, a repair, a hand on a message, or a message
/// injected by the environment. Inputs are recorded, so a run is (scenario, seed, inputs).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Input<M> {
    /// The node stops; volatile state is lost, disk state kept.
    Crash(NodeId),
    /// A crashed node starts again from its disk state.
    Restart(NodeId),
    /// A node that has not started yet starts (a spare the scenario keeps in reserve).
    Start(NodeId),
    /// Cuts every link between nodes of different groups (nodes in no group keep theirs).
    Partition(Vec<Vec<NodeId>>),
    /// Removes every cut.
    Heal,
    /// Removes every cut of one node's links.
    HealNode(NodeId),
    /// Cuts both directions between two nodes.
    CutLink(NodeId, NodeId),
    /// Restores both directions between two nodes.
    HealLink(NodeId, NodeId),
    /// Removes one message from the wire.
    Drop(MsgId),
    /// Holds a message. On a FIFO link the link is held from that message on (later messages
    /// queue behind it, as on a stalled TCP connection).
    Hold(MsgId),
    /// Releases what holds a message (its link, on a FIFO link).
    Release(MsgId),
    /// Holds a directed link.
    HoldLink(NodeId, NodeId),
    /// Releases a directed link, delivering its held messages in order.
    ReleaseLink(NodeId, NodeId),
    /// Changes one directed link's behaviour.
    SetLink(NodeId, NodeId, LinkConfig),
    /// Changes every link without an override.
    SetDefaultLink(LinkConfig),
    /// Delivers a message from the environment ([`NodeId::ENV`]) to a node.
    Deliver(NodeId, M),
}

impl<M: Message> Input<M> {
    /// The node this input acts on, if one.
    pub fn target(&self) -> Option<NodeId> {
        match self {
            Input::Crash(n) | Input::Restart(n) | Input::Start(n) | Input::Deliver(n, _) => {
                Some(*n)
            }
            _ => None,
        }
    }

    /// Whether this input makes the world less healthy or heals it (fault bookkeeping).
    pub fn is_fault_or_repair(&self) -> bool {
        !matches!(self, Input::Deliver(..))
    }

    /// Words for the event log.
    pub fn describe(&self, label: &dyn Fn(NodeId) -> String) -> String {
        let group = |g: &Vec<NodeId>| g.iter().map(|n| label(*n)).collect::<Vec<_>>().join(",");
        match self {
            Input::Crash(n) => format!("crash {}", label(*n)),
            Input::Restart(n) => format!("restart {}", label(*n)),
            Input::Start(n) => format!("start {}", label(*n)),
            Input::Partition(gs) => format!(
                "partition {}",
                gs.iter()
                    .map(|g| format!("{{{}}}", group(g)))
                    .collect::<Vec<_>>()
                    .join(" | ")
            ),
            Input::Heal => "heal all links".to_string(),
            Input::HealNode(n) => format!("heal every link of {}", label(*n)),
            Input::CutLink(a, b) => format!("cut {} <-> {}", label(*a), label(*b)),
            Input::HealLink(a, b) => format!("heal {} <-> {}", label(*a), label(*b)),
            Input::Drop(id) => format!("drop message #{id}"),
            Input::Hold(id) => format!("hold message #{id}"),
            Input::Release(id) => format!("release message #{id}"),
            Input::HoldLink(a, b) => format!("hold {} -> {}", label(*a), label(*b)),
            Input::ReleaseLink(a, b) => format!("release {} -> {}", label(*a), label(*b)),
            Input::SetLink(a, b, c) => format!(
                "link {} -> {}: {}..{}us loss {}ppm dup {}ppm{}",
                label(*a),
                label(*b),
                c.latency_min_us,
                c.latency_max_us,
                c.loss_ppm,
                c.duplicate_ppm,
                if c.fifo { "" } else { " reorder" }
            ),
            Input::SetDefaultLink(c) => format!(
                "all links: {}..{}us loss {}ppm dup {}ppm",
                c.latency_min_us, c.latency_max_us, c.loss_ppm, c.duplicate_ppm
            ),
            Input::Deliver(n, m) => format!("env -> {}: {}", label(*n), m.summary()),
        }
    }
}
