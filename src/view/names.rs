//! Who is who: node labels, what kind of node each is, and the ZooKeeper ids (server ids,
//! session ids) translated back to the labels people see.
//!
//! Built once per frame from the world, so the rest of the view never formats a `NodeId`.

use crate::cluster::{ClusterWorld, Node};
use crate::sim::NodeId;
use crate::zk::server::summary::client_summary;
use crate::zk::{SessionId, Sid};

/// What a node is, for layout and styling.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NodeKind {
    /// A ZooKeeper server: drawn on the ensemble circle.
    Server,
    /// A member of the heartbeat demo protocol: drawn like a server.
    Member,
    /// A ZooKeeper client or recipe: drawn on the band below.
    Client,
}

impl NodeKind {
    /// Whether the node sits on the ensemble circle.
    pub fn is_server_like(self) -> bool {
        !matches!(self, NodeKind::Client)
    }

    /// The kind of a world node.
    pub fn of(node: &Node) -> NodeKind {
        match node {
            Node::ZkServer(_) => NodeKind::Server,
            Node::Heartbeat(_) => NodeKind::Member,
            Node::ZkClient(_) => NodeKind::Client,
        }
    }
}

/// Labels and id translations for one frame.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Names {
    labels: Vec<String>,
    kinds: Vec<NodeKind>,
    // Small vectors rather than maps: a handful of entries, and every map type instantiated
    // adds to the wasm bundle.
    sids: Vec<(Sid, NodeId)>,
    sessions: Vec<(SessionId, NodeId)>,
}

impl Names {
    /// Reads labels, kinds, server ids and the clients' sessions from the world.
    pub fn from_world(world: &ClusterWorld) -> Names {
        let mut names = Names::default();
        for id in world.node_ids() {
            let node = world.node(id);
            names.labels.push(world.label(id));
            names.kinds.push(NodeKind::of(node));
            match node {
                Node::ZkServer(s) => names.sids.push((s.summary().sid, id)),
                Node::ZkClient(c) => {
                    let session = client_summary(c).session_id;
                    if session != 0 {
                        names.sessions.push((session, id));
                    }
                }
                Node::Heartbeat(_) => {}
            }
        }
        names
    }

    /// Names given directly (for tests and for callers that already know them).
    pub fn new(labels: Vec<String>, kinds: Vec<NodeKind>) -> Names {
        Names {
            labels,
            kinds,
            ..Names::default()
        }
    }

    /// Records that server `sid` runs on `node`.
    pub fn with_sid(mut self, sid: Sid, node: NodeId) -> Names {
        self.sids.retain(|(s, _)| *s != sid);
        self.sids.push((sid, node));
        self
    }

    /// Records that `session` belongs to client `node`.
    pub fn with_session(mut self, session: SessionId, node: NodeId) -> Names {
        self.sessions.retain(|(s, _)| *s != session);
        self.sessions.push((session, node));
        self
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether there are no nodes.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The label of a node; `env` for the environment, `n7` for an unknown id.
    pub fn label(&self, id: NodeId) -> &str {
        match self.labels.get(id.index()) {
            Some(l) => l,
            None if id == NodeId::ENV => "env",
            None => "?",
        }
    }

    /// The label as an owned string (for `headline`-style callbacks).
    pub fn label_string(&self, id: NodeId) -> String {
        self.label(id).to_string()
    }

    /// The kind of a node (clients for unknown ids, which draw nothing anyway).
    pub fn kind(&self, id: NodeId) -> NodeKind {
        self.kinds
            .get(id.index())
            .copied()
            .unwrap_or(NodeKind::Client)
    }

    /// Every node id, in order.
    pub fn ids(&self) -> impl Iterator<Item = NodeId> + '_ {
        (0..self.labels.len() as u32).map(NodeId)
    }

    /// The node running server `sid`.
    pub fn node_of_sid(&self, sid: Sid) -> Option<NodeId> {
        self.sids.iter().find(|(s, _)| *s == sid).map(|(_, n)| *n)
    }

    /// The label of server `sid` (`zk5`), or `server 5` if it is not in this world.
    pub fn sid_label(&self, sid: Sid) -> String {
        match self.node_of_sid(sid) {
            Some(id) => self.label(id).to_string(),
            None => format!("server {sid}"),
        }
    }

    /// The client that owns `session`, if known.
    pub fn client_of_session(&self, session: SessionId) -> Option<NodeId> {
        self.sessions
            .iter()
            .find(|(s, _)| *s == session)
            .map(|(_, n)| *n)
    }

    /// `c1 (0x100000000)` or just `0x100000000` when the owner is not known.
    pub fn session_label(&self, session: SessionId) -> String {
        match self.client_of_session(session) {
            Some(id) => format!("{} ({})", self.label(id), fmt_session(session)),
            None => fmt_session(session),
        }
    }

    /// The label of a node, looked up by exact text.
    pub fn find(&self, label: &str) -> Option<NodeId> {
        self.labels
            .iter()
            .position(|l| l == label)
            .map(|i| NodeId(i as u32))
    }
}

/// A session id the way ZooKeeper logs it: `0x100000000`.
pub fn fmt_session(session: SessionId) -> String {
    format!("{:#x}", session as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> Names {
        Names::new(
            vec!["zk1".into(), "zk2".into(), "c1".into()],
            vec![NodeKind::Server, NodeKind::Server, NodeKind::Client],
        )
        .with_sid(1, NodeId(0))
        .with_sid(2, NodeId(1))
        .with_session(0x1_0000_0000, NodeId(2))
    }

    #[test]
    fn labels_sids_and_sessions_translate_back_to_people_names() {
        let n = names();
        assert_eq!(n.label(NodeId(1)), "zk2");
        assert_eq!(n.label(NodeId::ENV), "env");
        assert_eq!(n.label(NodeId(9)), "?");
        assert_eq!(n.sid_label(2), "zk2");
        assert_eq!(n.sid_label(7), "server 7");
        assert_eq!(n.session_label(0x1_0000_0000), "c1 (0x100000000)");
        assert_eq!(n.session_label(0x2_0000_0000), "0x200000000");
        assert_eq!(n.find("c1"), Some(NodeId(2)));
        assert_eq!(n.kind(NodeId(2)), NodeKind::Client);
    }

    #[test]
    fn reads_a_heartbeat_world() {
        let sim = crate::cluster::build("heartbeat", &crate::cluster::BuildOptions::seed(1))
            .expect("heartbeat builds");
        let n = Names::from_world(&sim.world);
        assert_eq!(n.len(), 5);
        assert_eq!(n.label(NodeId(0)), "m1");
        assert_eq!(n.kind(NodeId(0)), NodeKind::Member);
    }
}
