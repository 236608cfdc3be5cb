//! Kafka in a cluster world: finding its brokers and producers, its checkers and its
//! scenarios. The only place in `cluster` (besides `node.rs`) that knows what a Kafka node is.

pub mod checks;
pub mod scenarios;

use crate::kafka::broker::Broker;
use crate::kafka::consumer::Consumer;
use crate::kafka::producer::Producer;
use crate::sim::{NodeId, World};

use super::Node;

/// Every Kafka broker of the world, running or not, in node order.
pub fn brokers(world: &World<Node>) -> impl Iterator<Item = (NodeId, &Broker)> {
    world
        .node_ids()
        .filter_map(move |id| world.node(id).kafka_broker().map(|b| (id, b)))
}

/// The running Kafka brokers.
pub fn running_brokers(world: &World<Node>) -> impl Iterator<Item = (NodeId, &Broker)> {
    brokers(world).filter(move |(id, _)| world.is_up(*id))
}

/// Every producer of the world.
pub fn producers(world: &World<Node>) -> impl Iterator<Item = (NodeId, &Producer)> {
    world
        .node_ids()
        .filter_map(move |id| world.node(id).kafka_producer().map(|p| (id, p)))
}

/// The teaching counters of a Kafka run — expected anomalies of unsafe settings, not
/// checker failures (issue 10: "acks=1 or unclean election loses acknowledged writes on some
/// seeds; at-least-once consumers see duplicates after a rebalance"). `sweep` and `run` print
/// each as `<name>: <n>`; each Kafka area adds its own counter here. Empty for a world
/// without Kafka.
pub fn counters(world: &World<Node>) -> Vec<(&'static str, u64)> {
    let mut out = Vec::new();
    if consumers(world).next().is_some() {
        out.push(("duplicates delivered", duplicates_delivered(world)));
    }
    out
}

/// Every consumer of the world.
pub fn consumers(world: &World<Node>) -> impl Iterator<Item = (NodeId, &Consumer)> {
    world
        .node_ids()
        .filter_map(move |id| world.node(id).kafka_consumer().map(|c| (id, c)))
}

/// Records a group processed more than once, over all its members (at-least-once: expected
/// after a crash or rebalance, not a failure): for each (group, topic, partition, offset),
/// deliveries beyond the first.
pub fn duplicates_delivered(world: &World<Node>) -> u64 {
    let mut seen: Vec<(&str, &str, i32, i64)> = consumers(world)
        .flat_map(|(_, c)| {
            c.consumed
                .iter()
                .map(move |r| (c.group_id.as_str(), c.topic.as_str(), r.partition, r.offset))
        })
        .collect();
    let total = seen.len();
    seen.sort_unstable();
    seen.dedup();
    (total - seen.len()) as u64
}

/// The running broker that is the active controller, if any.
pub fn controller(world: &World<Node>) -> Option<(NodeId, &Broker)> {
    running_brokers(world).find(|(_, b)| b.is_controller())
}
