//! The heartbeat demo protocol in the view: members on the ring, a card that says whom each
//! member sees alive. Its pings are drawn in the shared `ping` category.

use crate::cluster::{ClusterWorld, Protocol};
use crate::heartbeat::Member;
use crate::sim::NodeId;

use super::cards::{NodeCard, Role};
use super::names::{Names, NodeKind, Tier};

/// A heartbeat member: on the ring, like a server.
pub const MEMBER_KIND: NodeKind = NodeKind {
    slug: "member",
    tier: Tier::Ring,
    protocol: Protocol::Heartbeat,
};

/// A running member.
pub const MEMBER: Role = Role::presence("member", "member");

/// The card of member `id`.
pub fn card(world: &ClusterWorld, id: NodeId, m: &Member, names: &Names) -> NodeCard {
    let up = world.is_up(id) || !world.has_started(id);
    let label = names.label(id).to_string();
    let mut card = NodeCard::bare(id, names, MEMBER_KIND, if up { MEMBER } else { Role::DOWN });
    card.up = up;
    if up {
        let alive: Vec<&str> = m
            .alive_view(world.now_us())
            .into_iter()
            .map(|p| names.label(p))
            .collect();
        card.detail = format!("sees {} alive", alive.len());
        card.description = if alive.is_empty() {
            format!("{label} is up and has not heard from any peer recently.")
        } else {
            format!("{label} is up and sees {} alive.", alive.join(", "))
        };
    } else {
        card.detail = "down".into();
        card.description = format!("{label} is down.");
    }
    card
}
