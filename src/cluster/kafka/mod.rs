//! Kafka in a cluster world: finding its brokers and producers, its checkers and its
//! scenarios. The only place in `cluster` (besides `node.rs`) that knows what a Kafka node is.

pub mod checks;
pub mod scenarios;
#[cfg(not(target_arch = "wasm32"))]
pub mod script;

use crate::kafka::broker::Broker;
use crate::kafka::consumer::Consumer;
use crate::kafka::producer::Producer;
use crate::kafka::zk_consumer::ZkConsumer;
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
    if brokers(world).next().is_none() {
        return out;
    }
    let unclean: u64 = brokers(world).map(|(_, b)| b.unclean_elections).sum();
    out.push(("unclean leader elections", unclean));
    out.push((
        "acknowledged writes lost",
        checks::data::acknowledged_writes_lost(world),
    ));
    if zk_consumers(world).next().is_some() || consumers(world).next().is_some() {
        let dups = zk_consumer_duplicates(world) + duplicates_delivered(world);
        out.push(("duplicates delivered", dups));
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
    crate::sim::sort::sort(&mut seen);
    seen.dedup();
    (total - seen.len()) as u64
}

/// The running broker that is the active controller, if any.
pub fn controller(world: &World<Node>) -> Option<(NodeId, &Broker)> {
    running_brokers(world).find(|(_, b)| b.is_controller())
}

/// Every classic (ZooKeeper) consumer of the world, running or not, in node order.
pub fn zk_consumers(world: &World<Node>) -> impl Iterator<Item = (NodeId, &ZkConsumer)> {
    world
        .node_ids()
        .filter_map(move |id| world.node(id).kafka_zk_consumer().map(|c| (id, c)))
}

/// Deliveries to the classic consumers of a record the group had already consumed (same
/// partition and offset): the at-least-once re-deliveries after a crash or a rebalance,
/// from what each consumer consumed since the run began (bounded lists).
pub fn zk_consumer_duplicates(world: &World<Node>) -> u64 {
    let mut seen: Vec<(i32, i64)> = Vec::new();
    let mut dups = 0;
    for (_, c) in zk_consumers(world) {
        for r in &c.consumed {
            match seen.binary_search(&(r.partition, r.offset)) {
                Ok(_) => dups += 1,
                Err(at) => seen.insert(at, (r.partition, r.offset)),
            }
        }
    }
    dups
}
