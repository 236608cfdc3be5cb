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
