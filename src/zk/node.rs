//! A ZooKeeper node of a world: a server or a client. The cluster composes worlds out of
//! these; nothing outside ZooKeeper's own files needs to know which variant a node is,
//! because the accessors here answer "is it a server, and which?".

use crate::sim::{Ctx, NodeId};

use super::client::node::ClientNode;
use super::msg::{Msg, Timer};
use super::server::Server;

/// A ZooKeeper server or client (scripted client or recipe).
#[derive(Clone, Debug)]
pub enum ZkNode {
    Server(Box<Server>),
    Client(Box<ClientNode>),
}

impl From<Server> for ZkNode {
    fn from(s: Server) -> Self {
        ZkNode::Server(Box::new(s))
    }
}

impl From<ClientNode> for ZkNode {
    fn from(c: ClientNode) -> Self {
        ZkNode::Client(Box::new(c))
    }
}

impl ZkNode {
    /// The server, if this node is one.
    pub fn server(&self) -> Option<&Server> {
        match self {
            ZkNode::Server(s) => Some(s),
            ZkNode::Client(_) => None,
        }
    }

    /// The server, mutably.
    pub fn server_mut(&mut self) -> Option<&mut Server> {
        match self {
            ZkNode::Server(s) => Some(s),
            ZkNode::Client(_) => None,
        }
    }

    /// The client, if this node is one.
    pub fn client(&self) -> Option<&ClientNode> {
        match self {
            ZkNode::Client(c) => Some(c),
            ZkNode::Server(_) => None,
        }
    }

    /// The client, mutably.
    pub fn client_mut(&mut self) -> Option<&mut ClientNode> {
        match self {
            ZkNode::Client(c) => Some(c),
            ZkNode::Server(_) => None,
        }
    }

    /// `zk3`, `c1`.
    pub fn label(&self) -> String {
        match self {
            ZkNode::Server(s) => s.label(),
            ZkNode::Client(c) => c.label(),
        }
    }

    /// Starts (or restarts) the node.
    pub fn on_start<M: From<Msg>, T: From<Timer>>(&mut self, ctx: &mut Ctx<M, T>) {
        match self {
            ZkNode::Server(s) => ctx.scoped(|c| s.on_start(c)),
            ZkNode::Client(c) => c.on_start(ctx),
        }
    }

    /// Handles a message from `src`.
    pub fn on_message<M: From<Msg>, T: From<Timer>>(
        &mut self,
        ctx: &mut Ctx<M, T>,
        src: NodeId,
        msg: Msg,
    ) {
        match self {
            ZkNode::Server(s) => ctx.scoped(|c| s.on_message(c, src, msg)),
            ZkNode::Client(c) => c.on_message(ctx, src, msg),
        }
    }

    /// Handles a timer.
    pub fn on_timer<M: From<Msg>, T: From<Timer>>(&mut self, ctx: &mut Ctx<M, T>, timer: Timer) {
        match self {
            ZkNode::Server(s) => ctx.scoped(|c| s.on_timer(c, timer)),
            ZkNode::Client(c) => c.on_timer(ctx, timer),
        }
    }

    /// Drops volatile state; keeps what is on disk.
    pub fn on_crash(&mut self) {
        match self {
            ZkNode::Server(s) => s.on_crash(),
            ZkNode::Client(c) => c.on_crash(),
        }
    }
}
