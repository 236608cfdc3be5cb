//! The world's node, message and timer enums: one variant per protocol, each wrapping that
//! protocol's own type. Accessors answer "is this a ZooKeeper server?" so that no code outside
//! a protocol's files matches on its variants; the `Actor` impl hands each event to the
//! protocol that owns the node.
//!
//! Adding a protocol: one variant in each enum, its `From` impls, one arm per match below.

use crate::heartbeat;
use crate::kafka;
use crate::sim::{Actor, Ctx, Message, NodeId, TimerKey};
use crate::zk;

/// The ZooKeeper protocol's own context: ZooKeeper nodes run in it through `ctx.scoped`, as the
/// client a Kafka broker embeds does, so the ZooKeeper handlers are compiled once.
type ZkCtx<'a> = Ctx<'a, zk::Msg, zk::Timer>;

/// Every kind of node a world can hold.
#[derive(Clone, Debug)]
pub enum Node {
    /// A member of the heartbeat demo protocol.
    Heartbeat(heartbeat::Member),
    /// A ZooKeeper server or client.
    Zk(zk::ZkNode),
    /// A Kafka broker or client.
    Kafka(kafka::KafkaNode),
}

/// Every message of every protocol.
#[derive(Clone, Debug, PartialEq)]
pub enum Msg {
    Heartbeat(heartbeat::Msg),
    Zk(zk::Msg),
    Kafka(kafka::Msg),
}

/// Every timer of every protocol.
#[derive(Clone, Debug, PartialEq)]
pub enum Timer {
    Heartbeat(heartbeat::Timer),
    Zk(zk::Timer),
    Kafka(kafka::Timer),
}

impl Node {
    /// The ZooKeeper node, if this is one.
    pub fn zk(&self) -> Option<&zk::ZkNode> {
        match self {
            Node::Zk(n) => Some(n),
            _ => None,
        }
    }

    /// The ZooKeeper node, mutably.
    pub fn zk_mut(&mut self) -> Option<&mut zk::ZkNode> {
        match self {
            Node::Zk(n) => Some(n),
            _ => None,
        }
    }

    /// The ZooKeeper server, if this node is one.
    pub fn zk_server(&self) -> Option<&zk::Server> {
        self.zk().and_then(zk::ZkNode::server)
    }

    /// The ZooKeeper client, if this node is one.
    pub fn zk_client(&self) -> Option<&zk::ClientNode> {
        self.zk().and_then(zk::ZkNode::client)
    }

    /// The ZooKeeper client, mutably.
    pub fn zk_client_mut(&mut self) -> Option<&mut zk::ClientNode> {
        self.zk_mut().and_then(zk::ZkNode::client_mut)
    }

    /// The Kafka node, if this is one.
    pub fn kafka(&self) -> Option<&kafka::KafkaNode> {
        match self {
            Node::Kafka(n) => Some(n),
            _ => None,
        }
    }

    /// The Kafka broker, if this node is one.
    pub fn kafka_broker(&self) -> Option<&kafka::broker::Broker> {
        self.kafka().and_then(kafka::KafkaNode::broker)
    }

    /// The Kafka consumer, mutably (tests that build a state directly).
    pub fn kafka_consumer_mut(&mut self) -> Option<&mut kafka::consumer::Consumer> {
        match self {
            Node::Kafka(n) => n.consumer_mut(),
            _ => None,
        }
    }

    /// The Kafka broker, mutably (tests that build a state directly).
    pub fn kafka_broker_mut(&mut self) -> Option<&mut kafka::broker::Broker> {
        match self {
            Node::Kafka(n) => n.broker_mut(),
            _ => None,
        }
    }

    /// The Kafka producer, if this node is one.
    pub fn kafka_producer(&self) -> Option<&kafka::producer::Producer> {
        self.kafka().and_then(kafka::KafkaNode::producer)
    }

    /// The classic ZooKeeper consumer, if this node is one.
    pub fn kafka_zk_consumer(&self) -> Option<&kafka::zk_consumer::ZkConsumer> {
        self.kafka().and_then(kafka::KafkaNode::zk_consumer)
    }

    /// The Kafka consumer, if this node is one.
    pub fn kafka_consumer(&self) -> Option<&kafka::consumer::Consumer> {
        self.kafka().and_then(kafka::KafkaNode::consumer)
    }

    /// The heartbeat member, if this node is one.
    pub fn heartbeat(&self) -> Option<&heartbeat::Member> {
        match self {
            Node::Heartbeat(m) => Some(m),
            _ => None,
        }
    }
}

impl Msg {
    /// The ZooKeeper message, if this is one.
    pub fn zk(&self) -> Option<&zk::Msg> {
        match self {
            Msg::Zk(m) => Some(m),
            _ => None,
        }
    }
}

impl Msg {
    /// The Kafka message, if this is one.
    pub fn kafka(&self) -> Option<&kafka::Msg> {
        match self {
            Msg::Kafka(m) => Some(m),
            _ => None,
        }
    }
}

impl Timer {
    /// The Kafka timer, if this is one.
    pub fn kafka(&self) -> Option<&kafka::Timer> {
        match self {
            Timer::Kafka(t) => Some(t),
            _ => None,
        }
    }

    /// The ZooKeeper timer, if this is one.
    pub fn zk(&self) -> Option<&zk::Timer> {
        match self {
            Timer::Zk(t) => Some(t),
            _ => None,
        }
    }
}

impl From<heartbeat::Member> for Node {
    fn from(m: heartbeat::Member) -> Self {
        Node::Heartbeat(m)
    }
}

impl From<zk::Server> for Node {
    fn from(s: zk::Server) -> Self {
        Node::Zk(s.into())
    }
}

impl From<zk::ClientNode> for Node {
    fn from(c: zk::ClientNode) -> Self {
        Node::Zk(c.into())
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

impl From<kafka::KafkaNode> for Node {
    fn from(n: kafka::KafkaNode) -> Self {
        Node::Kafka(n)
    }
}

impl From<kafka::broker::Broker> for Node {
    fn from(b: kafka::broker::Broker) -> Self {
        Node::Kafka(b.into())
    }
}

impl From<kafka::producer::Producer> for Node {
    fn from(p: kafka::producer::Producer) -> Self {
        Node::Kafka(p.into())
    }
}

impl From<kafka::zk_consumer::ZkConsumer> for Node {
    fn from(c: kafka::zk_consumer::ZkConsumer) -> Self {
        Node::Kafka(c.into())
    }
}

impl From<kafka::consumer::Consumer> for Node {
    fn from(c: kafka::consumer::Consumer) -> Self {
        Node::Kafka(c.into())
    }
}

impl From<kafka::Wire> for Msg {
    fn from(w: kafka::Wire) -> Self {
        match w {
            kafka::Wire::Kafka(m) => Msg::Kafka(m),
            kafka::Wire::Zk(m) => Msg::Zk(m),
        }
    }
}

impl From<kafka::Tick> for Timer {
    fn from(t: kafka::Tick) -> Self {
        match t {
            kafka::Tick::Kafka(t) => Timer::Kafka(t),
            kafka::Tick::Zk(t) => Timer::Zk(t),
        }
    }
}

impl TimerKey for Timer {
    fn name(&self) -> String {
        match self {
            Timer::Heartbeat(t) => t.name(),
            Timer::Zk(t) => t.name(),
            Timer::Kafka(t) => t.name(),
        }
    }
}

impl Message for Msg {
    fn kind(&self) -> &'static str {
        match self {
            Msg::Heartbeat(m) => m.kind(),
            Msg::Zk(m) => m.kind(),
            Msg::Kafka(m) => m.kind(),
        }
    }

    fn summary(&self) -> String {
        match self {
            Msg::Heartbeat(m) => m.summary(),
            Msg::Zk(m) => m.summary(),
            Msg::Kafka(m) => m.summary(),
        }
    }
}

impl Actor for Node {
    type Msg = Msg;
    type Timer = Timer;

    fn label(&self) -> String {
        match self {
            Node::Heartbeat(m) => m.name.clone(),
            Node::Zk(n) => n.label(),
            Node::Kafka(n) => n.label(),
        }
    }

    fn on_start(&mut self, ctx: &mut Ctx<Msg, Timer>) {
        match self {
            Node::Heartbeat(m) => m.on_start(ctx),
            Node::Zk(n) => ctx.scoped(|c: &mut ZkCtx| n.on_start(c)),
            Node::Kafka(n) => ctx.scoped(|c| n.on_start(c)),
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<Msg, Timer>, src: NodeId, msg: Msg) {
        match (self, msg) {
            (Node::Heartbeat(m), Msg::Heartbeat(msg)) => m.on_message(ctx, src, msg),
            (Node::Zk(n), Msg::Zk(msg)) => ctx.scoped(|c: &mut ZkCtx| n.on_message(c, src, msg)),
            (Node::Kafka(n), Msg::Kafka(msg)) => {
                ctx.scoped(|c| n.on_message(c, src, kafka::Wire::Kafka(msg)))
            }
            (Node::Kafka(n), Msg::Zk(msg)) => {
                ctx.scoped(|c| n.on_message(c, src, kafka::Wire::Zk(msg)))
            }
            // A message of another protocol: the node does not speak it.
            _ => {}
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<Msg, Timer>, timer: Timer) {
        match (self, timer) {
            (Node::Heartbeat(m), Timer::Heartbeat(t)) => m.on_timer(ctx, t),
            (Node::Zk(n), Timer::Zk(t)) => ctx.scoped(|c: &mut ZkCtx| n.on_timer(c, t)),
            (Node::Kafka(n), Timer::Kafka(t)) => {
                ctx.scoped(|c| n.on_timer(c, kafka::Tick::Kafka(t)))
            }
            (Node::Kafka(n), Timer::Zk(t)) => ctx.scoped(|c| n.on_timer(c, kafka::Tick::Zk(t))),
            _ => {}
        }
    }

    fn on_crash(&mut self) {
        match self {
            Node::Heartbeat(m) => m.on_crash(),
            Node::Zk(n) => n.on_crash(),
            Node::Kafka(n) => n.on_crash(),
        }
    }
}
