//! Each node's card, protocol-neutral: id, label, kind, the role word (what `data-role` says
//! and CSS colours), whether it is up or has not started yet, badges, the node it is attached
//! to (a client's server), its captions and a sentence for screen readers. What only one
//! protocol shows (a ZooKeeper server's epoch and vote…) is in the card's `extra`, filled by
//! that protocol's view folder.

use crate::cluster::ClusterWorld;
use crate::sim::NodeId;

use super::layout::Layout;
use super::names::{Names, NodeKind};
use super::protocols::{self, CardExtra, ProtocolFrame};

/// The role of a node: the lower-case word the page exposes as `data-role` (several words,
/// space-separated, when a node has several roles) and the title drawn in its disc.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Role {
    pub word: &'static str,
    pub title: &'static str,
    /// Becoming this role is an election (a timeline marker).
    pub leads: bool,
    /// A role that only says the node is up (a client, a member): coming back up in it is
    /// what the start event says already, so narration does not repeat it.
    pub presence: bool,
}

impl Role {
    /// Crashed (any kind of node).
    pub const DOWN: Role = Role::new("down", "DOWN");

    /// A protocol state that is not a leader (`LOOKING`, `FOLLOWING`).
    pub const fn new(word: &'static str, title: &'static str) -> Role {
        Role {
            word,
            title,
            leads: false,
            presence: false,
        }
    }

    /// A role whose gain is an election.
    pub const fn leader(word: &'static str, title: &'static str) -> Role {
        Role {
            leads: true,
            ..Role::new(word, title)
        }
    }

    /// A role that only says the node is up (`client`, `member`).
    pub const fn presence(word: &'static str, title: &'static str) -> Role {
        Role {
            presence: true,
            ..Role::new(word, title)
        }
    }

    /// The lower-case word: `looking`, `leading`, `down`, `client`…
    pub fn as_str(self) -> &'static str {
        self.word
    }

    /// The word people read on the card.
    pub fn title(self) -> &'static str {
        self.title
    }
}

/// Everything a node's card shows.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeCard {
    pub id: NodeId,
    pub label: String,
    pub kind: NodeKind,
    pub role: Role,
    /// Running, or not started yet (drawn in its initial state).
    pub up: bool,
    /// Whether its start event has happened.
    pub started: bool,
    /// Marks that change how it is drawn: `quorum` (ringed), `leader` (crowned),
    /// `disconnected` (dashed).
    pub badges: Vec<&'static str>,
    /// The node it talks to (a client's server): a line is drawn between them.
    pub attached_to: Option<NodeId>,
    /// Centre and radius in the drawing.
    pub x: f64,
    pub y: f64,
    pub r: f64,
    /// Its captions sit a line lower than its neighbours' (see `layout::Slot::low`).
    pub low: bool,
    /// Its caption's ` · ` parts stack, one per line (see `layout::Slot::stacked`).
    pub stacked: bool,
    /// One line under the node, e.g. `epoch 2 · 0x200000004` or `holds the lock`.
    pub detail: String,
    /// A second, emphasised line (a LOOKING server's vote).
    pub note: Option<String>,
    /// A sentence for screen readers and tooltips.
    pub description: String,
    /// What only its protocol shows.
    pub extra: CardExtra,
}

impl NodeCard {
    /// A card with nothing but who the node is, for protocols to fill in.
    pub fn bare(id: NodeId, names: &Names, kind: NodeKind, role: Role) -> NodeCard {
        NodeCard {
            id,
            label: names.label(id).to_string(),
            kind,
            role,
            up: true,
            started: true,
            badges: Vec::new(),
            attached_to: None,
            x: 0.0,
            y: 0.0,
            r: 0.0,
            low: false,
            stacked: false,
            detail: String::new(),
            note: None,
            description: String::new(),
            extra: CardExtra::None,
        }
    }

    /// Whether the card carries `badge`.
    pub fn has_badge(&self, badge: &str) -> bool {
        self.badges.contains(&badge)
    }
}

/// Cards for every node of the world, placed by `layout`.
pub fn cards(
    world: &ClusterWorld,
    names: &Names,
    layout: &Layout,
    frame: &ProtocolFrame,
) -> Vec<NodeCard> {
    names
        .ids()
        .map(|id| {
            let mut card = protocols::card(world, id, names, frame);
            card.started = world.has_started(id);
            let slot = layout.slot(id);
            card.x = slot.map_or(0.0, |s| s.at.x);
            card.y = slot.map_or(0.0, |s| s.at.y);
            card.r = slot.map_or(0.0, |s| s.r);
            card.low = slot.is_some_and(|s| s.low);
            card.stacked = slot.is_some_and(|s| s.stacked);
            card
        })
        .collect()
}
