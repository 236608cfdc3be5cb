//! Who is who: node labels, what kind of node each is, and the protocols' own ids (server
//! ids, session ids, broker ids…) translated back to the labels people see.
//!
//! Built once per frame from the world, so the rest of the view never formats a `NodeId`.
//! Protocol ids are kept as aliases in a namespace of the protocol's choosing (`zk.sid`,
//! `zk.session`); each protocol's view folder adds readable helpers on top.

use crate::cluster::{ClusterWorld, Protocol};
use crate::sim::NodeId;

/// Where a kind of node is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tier {
    /// A ring at the top: an ensemble of peers (ZooKeeper servers, heartbeat members).
    Ring,
    /// A row across the middle (brokers).
    Row,
    /// A band at the bottom (clients, producers, consumers).
    Band,
}

/// What a node is, for layout, styling and the `data-kind` hook.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeKind {
    /// `zk-server`, `client`, `member`, `broker`…
    pub slug: &'static str,
    pub tier: Tier,
    pub protocol: Protocol,
}

impl NodeKind {
    /// Whether the node sits on the ensemble ring (and is linked to its peers).
    pub fn is_server_like(self) -> bool {
        self.tier == Tier::Ring
    }

    /// Whether the node is drawn small on the bottom band.
    pub fn is_client_like(self) -> bool {
        self.tier == Tier::Band
    }
}

/// Labels and id translations for one frame.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Names {
    labels: Vec<String>,
    kinds: Vec<NodeKind>,
    // A small vector rather than a map: a handful of entries, and every map type
    // instantiated adds to the wasm bundle.
    aliases: Vec<(&'static str, u64, NodeId)>,
}

impl Names {
    /// Reads labels, kinds and every protocol's ids from the world.
    pub fn from_world(world: &ClusterWorld) -> Names {
        let mut names = Names::default();
        for id in world.node_ids() {
            let node = world.node(id);
            names.labels.push(world.label(id));
            names.kinds.push(super::protocols::node_kind(node));
            for (ns, value) in super::protocols::aliases(node) {
                names.aliases.push((ns, value, id));
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

    /// Records that `value` in namespace `ns` (e.g. server id 3 in `zk.sid`) is `node`.
    pub fn with_alias(mut self, ns: &'static str, value: u64, node: NodeId) -> Names {
        self.aliases.retain(|(n, v, _)| !(*n == ns && *v == value));
        self.aliases.push((ns, value, node));
        self
    }

    /// The node known as `value` in namespace `ns`.
    pub fn node_of(&self, ns: &str, value: u64) -> Option<NodeId> {
        self.aliases
            .iter()
            .find(|(n, v, _)| *n == ns && *v == value)
            .map(|(_, _, id)| *id)
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether there are no nodes.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The label of a node; `env` for the environment, `?` for an unknown id.
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

    /// The kind of a node (`None` for unknown ids).
    pub fn kind_of(&self, id: NodeId) -> Option<NodeKind> {
        self.kinds.get(id.index()).copied()
    }

    /// Whether node `id` sits on the ensemble ring.
    pub fn is_server_like(&self, id: NodeId) -> bool {
        self.kind_of(id).is_some_and(NodeKind::is_server_like)
    }

    /// Every node's kind, in node order.
    pub fn kinds(&self) -> &[NodeKind] {
        &self.kinds
    }

    /// Every node id, in order.
    pub fn ids(&self) -> impl Iterator<Item = NodeId> + '_ {
        (0..self.labels.len() as u32).map(NodeId)
    }

    /// The label of a node, looked up by exact text.
    pub fn find(&self, label: &str) -> Option<NodeId> {
        self.labels
            .iter()
            .position(|l| l == label)
            .map(|i| NodeId(i as u32))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RING: NodeKind = NodeKind {
        slug: "s",
        tier: Tier::Ring,
        protocol: Protocol::Zk,
    };
    const BAND: NodeKind = NodeKind {
        slug: "c",
        tier: Tier::Band,
        protocol: Protocol::Zk,
    };

    #[test]
    fn labels_and_aliases_translate_back_to_people_names() {
        let n = Names::new(
            vec!["zk1".into(), "zk2".into(), "c1".into()],
            vec![RING, RING, BAND],
        )
        .with_alias("x", 2, NodeId(1));
        assert_eq!(n.label(NodeId(1)), "zk2");
        assert_eq!(n.label(NodeId::ENV), "env");
        assert_eq!(n.label(NodeId(9)), "?");
        assert_eq!(n.node_of("x", 2), Some(NodeId(1)));
        assert_eq!(n.node_of("y", 2), None);
        assert_eq!(n.find("c1"), Some(NodeId(2)));
        assert_eq!(n.kind_of(NodeId(2)), Some(BAND));
        assert!(n.is_server_like(NodeId(0)) && !n.is_server_like(NodeId(2)));
    }

    #[test]
    fn reads_a_heartbeat_world() {
        let sim = crate::cluster::build("heartbeat", &crate::cluster::BuildOptions::seed(1))
            .expect("heartbeat builds");
        let n = Names::from_world(&sim.world);
        assert_eq!(n.len(), 5);
        assert_eq!(n.label(NodeId(0)), "m1");
        assert_eq!(n.kind_of(NodeId(0)).map(|k| k.slug), Some("member"));
    }
}
