//! ZooKeeper ids in people's words: server ids (`zk5`) and session ids (`c1 (0x100000000)`),
//! read from the aliases the dispatch records in [`Names`].

use crate::sim::NodeId;
use crate::view::names::Names;
use crate::zk::{SessionId, Sid};

/// Alias namespace of server ids.
pub const SID: &str = "zk.sid";
/// Alias namespace of session ids.
pub const SESSION: &str = "zk.session";

/// ZooKeeper lookups on [`Names`].
pub trait ZkNames {
    /// Records that server `sid` runs on `node`.
    fn with_sid(self, sid: Sid, node: NodeId) -> Names;
    /// Records that `session` belongs to client `node`.
    fn with_session(self, session: SessionId, node: NodeId) -> Names;
    /// The node running server `sid`.
    fn node_of_sid(&self, sid: Sid) -> Option<NodeId>;
    /// The label of server `sid` (`zk5`), or `server 5` if it is not in this world.
    fn sid_label(&self, sid: Sid) -> String;
    /// The client that owns `session`, if known.
    fn client_of_session(&self, session: SessionId) -> Option<NodeId>;
    /// `c1 (0x100000000)` or just `0x100000000` when the owner is not known.
    fn session_label(&self, session: SessionId) -> String;
}

impl ZkNames for Names {
    fn with_sid(self, sid: Sid, node: NodeId) -> Names {
        self.with_alias(SID, sid, node)
    }

    fn with_session(self, session: SessionId, node: NodeId) -> Names {
        self.with_alias(SESSION, session as u64, node)
    }

    fn node_of_sid(&self, sid: Sid) -> Option<NodeId> {
        self.node_of(SID, sid)
    }

    fn sid_label(&self, sid: Sid) -> String {
        match self.node_of_sid(sid) {
            Some(id) => self.label(id).to_string(),
            None => format!("server {sid}"),
        }
    }

    fn client_of_session(&self, session: SessionId) -> Option<NodeId> {
        self.node_of(SESSION, session as u64)
    }

    fn session_label(&self, session: SessionId) -> String {
        match self.client_of_session(session) {
            Some(id) => format!("{} ({})", self.label(id), fmt_session(session)),
            None => fmt_session(session),
        }
    }
}

/// A session id the way ZooKeeper logs it: `0x100000000`.
pub fn fmt_session(session: SessionId) -> String {
    format!("{:#x}", session as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view::zk::{ZK_CLIENT, ZK_SERVER};

    #[test]
    fn sids_and_sessions_translate_back_to_people_names() {
        let n = Names::new(
            vec!["zk1".into(), "zk2".into(), "c1".into()],
            vec![ZK_SERVER, ZK_SERVER, ZK_CLIENT],
        )
        .with_sid(1, NodeId(0))
        .with_sid(2, NodeId(1))
        .with_session(0x1_0000_0000, NodeId(2));
        assert_eq!(n.sid_label(2), "zk2");
        assert_eq!(n.sid_label(7), "server 7");
        assert_eq!(n.session_label(0x1_0000_0000), "c1 (0x100000000)");
        assert_eq!(n.session_label(0x2_0000_0000), "0x200000000");
    }
}
