//! The world's node, message and timer enums, dispatching to the protocol modules.

use crate::heartbeat;
use crate::sim::{Actor, Ctx, Message, NodeId};
use crate::zk;

/// Every kind of node a world can hold.
#[derive(Clone, Debug)]
pub enum Node {
    /// A member of the heartbeat demo protocol.
    Heartbeat(heartbeat::Member),
    /// A ZooKeeper server.
    ZkServer(Box<zk::Server>),
    /// A ZooKeeper client (scripted client or recipe).
    ZkClient(Box<zk::ClientNode>),
}

/// Every message of every protocol.
#[derive(Clone, Debug, PartialEq)]
pub enum Msg {
    Heartbeat(heartbeat::Msg),
    Zk(zk::Msg),
}

/// Every timer of every protocol.
#[derive(Clone, Debug, PartialEq)]
pub enum Timer {
    Heartbeat(heartbeat::Timer),
    Zk(zk::Timer),
}

impl crate::sim::TimerKey for Timer {
    fn name(&self) -> String {
        match self {
            Timer::Heartbeat(t) => t.name(),
            Timer::Zk(t) => t.name(),
        }
    }
}

impl From<heartbeat::Msg> for Msg {
    fn from(m: heartbeat::Msg) -> Self {
        Msg::Heartbeat(m)
    }
}

impl From<heartbeat::Timer> for Timer {
    fn from(t: heartbeat::Timer) -> Self {
        Timer::Heartbeat(t)
    }
}

impl From<zk::Msg> for Msg {
    fn from(m: zk::Msg) -> Self {
        Msg::Zk(m)
    }
}

impl From<zk::Timer> for Timer {
    fn from(t: zk::Timer) -> Self {
        Timer::Zk(t)
    }
}

impl Message for Msg {
    fn kind(&self) -> &'static str {
        match self {
            Msg::Heartbeat(m) => m.kind(),
            Msg::Zk(m) => m.kind(),
        }
    }

    fn summary(&self) -> String {
        match self {
            Msg::Heartbeat(m) => m.summary(),
            Msg::Zk(m) => m.summary(),
        }
    }
}

impl Actor for Node {
    type Msg = Msg;
    type Timer = Timer;

    fn label(&self) -> String {
        match self {
            Node::Heartbeat(m) => m.name.clone(),
            Node::ZkServer(s) => s.label(),
            Node::ZkClient(c) => c.label(),
        }
    }

    fn on_start(&mut self, ctx: &mut Ctx<Msg, Timer>) {
        match self {
            Node::Heartbeat(m) => m.on_start(ctx),
            Node::ZkServer(s) => ctx.scoped(|c| s.on_start(c)),
            Node::ZkClient(c) => c.on_start(ctx),
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<Msg, Timer>, src: NodeId, msg: Msg) {
        match (self, msg) {
            (Node::Heartbeat(m), Msg::Heartbeat(msg)) => m.on_message(ctx, src, msg),
            (Node::ZkServer(s), Msg::Zk(msg)) => ctx.scoped(|c| s.on_message(c, src, msg)),
            (Node::ZkClient(c), Msg::Zk(msg)) => c.on_message(ctx, src, msg),
            // A message of another protocol: the node does not speak it.
            _ => {}
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<Msg, Timer>, timer: Timer) {
        match (self, timer) {
            (Node::Heartbeat(m), Timer::Heartbeat(t)) => m.on_timer(ctx, t),
            (Node::ZkServer(s), Timer::Zk(t)) => ctx.scoped(|c| s.on_timer(c, t)),
            (Node::ZkClient(c), Timer::Zk(t)) => c.on_timer(ctx, t),
            _ => {}
        }
    }

    fn on_crash(&mut self) {
        match self {
            Node::Heartbeat(m) => m.on_crash(),
            Node::ZkServer(s) => s.on_crash(),
            Node::ZkClient(c) => c.on_crash(),
        }
    }
}
