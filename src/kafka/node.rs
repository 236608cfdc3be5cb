//! The Kafka node kinds of a world: brokers, producers and consumers, behind one type the
//! cluster composition wraps (`Node::Kafka`).

use crate::kafka::broker::{Broker, KCtx};
use crate::kafka::consumer::Consumer;
use crate::kafka::msg::{Tick, Wire};
use crate::kafka::producer::Producer;
use crate::kafka::zk_consumer::ZkConsumer;
use crate::sim::NodeId;

/// A Kafka node.
#[derive(Clone, Debug, PartialEq)]
pub enum KafkaNode {
    Broker(Box<Broker>),
    Producer(Box<Producer>),
    ZkConsumer(Box<ZkConsumer>),
    Consumer(Box<Consumer>),
}

impl KafkaNode {
    /// Its label.
    pub fn label(&self) -> String {
        match self {
            KafkaNode::Broker(b) => b.name.clone(),
            KafkaNode::Producer(p) => p.name.clone(),
            KafkaNode::ZkConsumer(c) => c.name.clone(),
            KafkaNode::Consumer(c) => c.name.clone(),
        }
    }

    /// The broker, if this is one.
    pub fn broker(&self) -> Option<&Broker> {
        match self {
            KafkaNode::Broker(b) => Some(b),
            _ => None,
        }
    }

    /// The broker, mutably.
    pub fn consumer_mut(&mut self) -> Option<&mut Consumer> {
        match self {
            KafkaNode::Consumer(c) => Some(c),
            _ => None,
        }
    }

    pub fn broker_mut(&mut self) -> Option<&mut Broker> {
        match self {
            KafkaNode::Broker(b) => Some(b),
            _ => None,
        }
    }

    /// The producer, if this is one.
    pub fn producer(&self) -> Option<&Producer> {
        match self {
            KafkaNode::Producer(p) => Some(p),
            _ => None,
        }
    }

    /// The classic ZooKeeper consumer, if this is one.
    pub fn zk_consumer(&self) -> Option<&ZkConsumer> {
        match self {
            KafkaNode::ZkConsumer(c) => Some(c),
            _ => None,
        }
    }

    /// The consumer, if this is one.
    pub fn consumer(&self) -> Option<&Consumer> {
        match self {
            KafkaNode::Consumer(c) => Some(c),
            _ => None,
        }
    }

    pub fn on_start(&mut self, ctx: &mut KCtx) {
        match self {
            KafkaNode::Broker(b) => b.on_start(ctx),
            KafkaNode::Producer(p) => p.on_start(ctx),
            KafkaNode::ZkConsumer(c) => c.on_start(ctx),
            KafkaNode::Consumer(c) => c.on_start(ctx),
        }
    }

    pub fn on_message(&mut self, ctx: &mut KCtx, src: NodeId, msg: Wire) {
        match self {
            KafkaNode::Broker(b) => b.on_message(ctx, src, msg),
            KafkaNode::Producer(p) => p.on_message(ctx, src, msg),
            KafkaNode::ZkConsumer(c) => c.on_message(ctx, src, msg),
            KafkaNode::Consumer(c) => c.on_message(ctx, src, msg),
        }
    }

    pub fn on_timer(&mut self, ctx: &mut KCtx, t: Tick) {
        match self {
            KafkaNode::Broker(b) => b.on_timer(ctx, t),
            KafkaNode::Producer(p) => p.on_timer(ctx, t),
            KafkaNode::ZkConsumer(c) => c.on_timer(ctx, t),
            KafkaNode::Consumer(c) => c.on_timer(ctx, t),
        }
    }

    pub fn on_crash(&mut self) {
        match self {
            KafkaNode::Broker(b) => b.on_crash(),
            KafkaNode::Producer(p) => p.on_crash(),
            KafkaNode::ZkConsumer(c) => c.on_crash(),
            KafkaNode::Consumer(c) => c.on_crash(),
        }
    }
}

impl From<Broker> for KafkaNode {
    fn from(b: Broker) -> Self {
        KafkaNode::Broker(Box::new(b))
    }
}

impl From<Producer> for KafkaNode {
    fn from(p: Producer) -> Self {
        KafkaNode::Producer(Box::new(p))
    }
}

impl From<ZkConsumer> for KafkaNode {
    fn from(c: ZkConsumer) -> Self {
        KafkaNode::ZkConsumer(Box::new(c))
    }
}

impl From<Consumer> for KafkaNode {
    fn from(c: Consumer) -> Self {
        KafkaNode::Consumer(Box::new(c))
    }
}
