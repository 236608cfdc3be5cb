//! The ZooKeeper part of the view model: node kinds and cards (role, epoch, zxid, vote,
//! quorum; clients' sessions), narration of its packets and timers, the Znodes, Zab log and
//! Sessions panels, what its menus offer and its inputs in the URL. The generic view reaches
//! all of this only through `view/protocols.rs`.

pub mod cards;
pub mod categories;
pub mod history;
pub mod mntr;
pub mod names;
pub mod narrate;
pub mod sessions;
pub mod url;
pub mod zablog;
pub mod znodes;

use crate::cluster::{ClusterWorld, Protocol};
use crate::sim::NodeId;
use crate::view::names::{Names, NodeKind, Tier};
use crate::view::protocols::NodeAction;
use crate::zk::ZkNode;

pub use cards::Summaries;

/// A ZooKeeper server: on the ensemble ring.
pub const ZK_SERVER: NodeKind = NodeKind {
    slug: "zk-server",
    tier: Tier::Ring,
    protocol: Protocol::Zk,
};

/// A ZooKeeper client or recipe: on the band below.
pub const ZK_CLIENT: NodeKind = NodeKind {
    slug: "client",
    tier: Tier::Band,
    protocol: Protocol::Zk,
};

/// The kind of a ZooKeeper node.
pub fn kind(node: &ZkNode) -> NodeKind {
    match node.server() {
        Some(_) => ZK_SERVER,
        None => ZK_CLIENT,
    }
}

/// The ids a ZooKeeper node is known by: a server's sid, a client's session.
pub fn aliases(node: &ZkNode) -> Vec<(&'static str, u64)> {
    if let Some(s) = node.server() {
        return vec![(names::SID, s.summary().sid)];
    }
    match node.client() {
        Some(c) => {
            let session = crate::zk::server::summary::client_summary(c).session_id;
            if session != 0 {
                vec![(names::SESSION, session as u64)]
            } else {
                vec![]
            }
        }
        None => vec![],
    }
}

/// The current leader among the summaries: a running LEADING server with the highest epoch.
pub fn leader(world: &ClusterWorld, summaries: &Summaries) -> Option<NodeId> {
    cards::current_leader(summaries, &|id| world.is_up(id))
}

/// What a ZooKeeper node's menu offers beyond crash/restart/cut: expiring a client's session
/// (an input delivered to the leader), or a note why it cannot be.
pub fn actions(
    world: &ClusterWorld,
    id: NodeId,
    names: &Names,
    summaries: &Summaries,
) -> (Vec<NodeAction>, Option<String>) {
    let Some(c) = summaries.client(id) else {
        return (Vec::new(), None);
    };
    let up = world.is_up(id) || !world.has_started(id);
    if c.session_id == 0 || !up {
        return (Vec::new(), None);
    }
    match leader(world, summaries) {
        Some(l) => (
            vec![NodeAction {
                label: format!("Expire {}'s session", names.label(id)),
                style: "danger",
                input: url::expire(c.session_id, l),
            }],
            None,
        ),
        None => (
            Vec::new(),
            Some("There is no leader now, so no one can expire its session.".into()),
        ),
    }
}
