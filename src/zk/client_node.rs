//! Client nodes: scripted clients and recipes (being written).

use crate::sim::{Ctx, NodeId};

use super::msg::{Msg, Timer};

/// A client node of the simulation.
#[derive(Clone, Debug)]
pub struct ClientNode {
    pub name: String,
}

impl ClientNode {
    pub fn label(&self) -> String {
        self.name.clone()
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
