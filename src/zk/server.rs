//! ZooKeeper server (being written).

use crate::sim::{Ctx, NodeId};

use super::config::{Sid, ZkConfig};
use super::msg::{Msg, Timer};

/// A ZooKeeper server.
#[derive(Clone, Debug)]
pub struct Server {
    pub sid: Sid,
    pub config: ZkConfig,
}

impl Server {
    pub fn label(&self) -> String {
        format!("zk{}", self.sid)
    }
    pub fn on_start<M: From<Msg>, T: From<Timer>>(&mut self, _ctx: &mut Ctx<M, T>) {}
    pub fn on_message<M: From<Msg>, T: From<Timer>>(
        &mut self,
        _ctx: &mut Ctx<M, T>,
        _src: NodeId,
        _msg: Msg,
    ) {
    }
    pub fn on_timer<M: From<Msg>, T: From<Timer>>(&mut self, _ctx: &mut Ctx<M, T>, _t: Timer) {}
    pub fn on_crash(&mut self) {}
}

impl Server {
    /// What views and checkers see of this server.
    pub fn summary(&self) -> super::summary::ServerSummary {
        use super::msg::{ServerState, Vote};
        use super::summary::{ServerSummary, ZabPhase};
        ServerSummary {
            sid: self.sid,
            state: ServerState::Looking,
            phase: ZabPhase::Election,
            accepted_epoch: 0,
            current_epoch: 0,
            last_logged_zxid: 0,
            last_committed_zxid: 0,
            vote: Vote { leader: self.sid, zxid: 0, peer_epoch: 0 },
            election_epoch: 0,
            votes_received: vec![],
            leader: None,
            serving: false,
            log: vec![],
            clients: vec![],
            session_expiries: vec![],
            learners: vec![],
            last_sync: None,
        }
    }

    /// The server's applied data tree.
    pub fn tree(&self) -> &super::tree::DataTree {
        unimplemented!("being written")
    }

    /// The server's watch table.
    pub fn watches(&self) -> &super::watches::WatchManager {
        unimplemented!("being written")
    }
}
