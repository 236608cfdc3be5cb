//! `kafka-zk-consumer`: the classic ZooKeeper consumer (Kafka ≤ 1.x) in a group of two.
//!
//! The usual Kafka cluster ([`super::kafka_cluster`]: three ZooKeeper servers, three brokers,
//! a producer writing to `events`, 3 partitions, `acks=all`) plus two classic consumers,
//! `consumer-1` (starts at 4 s) and `consumer-2` (4.5 s), in group `group`. They register
//! under `/consumers/group/ids`, split the partitions by claiming owner znodes (the later one
//! usually meets `NodeExists` first and backs off), fetch from the leaders and commit offsets
//! to `/consumers/group/offsets/events/<p>` every 5 s. `consumer-1` crashes at 20 s: its
//! session expires 6 s later, its ephemerals vanish, `consumer-2`'s watch on the ids fires and
//! it takes every partition, resuming from the committed offsets (records consumed after the
//! last commit come again: at-least-once). `consumer-1` restarts at 40 s under a new consumer
//! id and the group splits again.
//!
//! Settings shortened for the page: `auto.commit.interval.ms=5000` (60000),
//! `fetch.wait.max.ms=500` (100), `auto.offset.reset=smallest` (`largest`) so every record
//! produced is consumed.

use crate::kafka::broker::host_of;
use crate::kafka::config::Acks;
use crate::kafka::zk_consumer::{OffsetReset, ZkConsumer, ZkConsumerConfig};
use crate::sim::{Input, NodeId, TimeUs, MS, SEC};

use crate::cluster::kafka::{brokers, zk_consumers};
use crate::cluster::scenario::{BuildOptions, Scenario, ScenarioInfo, ScenarioKind};
use crate::cluster::{ClusterSim, Node};

use super::{kafka_cluster, KAFKA_PANELS};

/// The classic consumers' group.
pub const GROUP: &str = "group";

/// The scenario.
pub const SCENARIO: Scenario = Scenario {
    info: ScenarioInfo {
        name: "kafka-zk-consumer",
        kind: ScenarioKind::Scenario,
        title: "Classic consumers coordinate through ZooKeeper",
        description: "Two Kafka 1.x consumers in one group register under /consumers/group/ids and split the 3 partitions of events by creating owner znodes; a NodeExists claim backs off and retries. consumer-1 crashes at 20 s: 6 s later its session expires, consumer-2's watch fires and it takes every partition from the committed offsets (duplicates after the last commit). consumer-1 returns at 40 s.",
        default_steps: 60_000,
        panels: KAFKA_PANELS,
    },
    build: |opts| Ok(zk_consumer_cluster(opts)),
};

/// The consumers' settings in the scenario.
pub fn scenario_config() -> ZkConsumerConfig {
    ZkConsumerConfig {
        group_id: GROUP.to_string(),
        auto_commit_interval_ms: 5_000,
        auto_offset_reset: OffsetReset::Smallest,
        fetch_wait_max_ms: 500,
        ..ZkConsumerConfig::default()
    }
}

/// The Kafka cluster plus two classic consumers, `consumer-1` crashing at 20 s and back at
/// 40 s.
pub fn zk_consumer_cluster(opts: &BuildOptions) -> ClusterSim {
    let mut sim = with_zk_consumers(opts, 2, scenario_config());
    let c1 = zk_consumer_node(&sim.world, "consumer-1");
    sim.world.schedule(20 * SEC, Input::Crash(c1));
    sim.world.schedule(40 * SEC, Input::Restart(c1));
    sim
}

/// The Kafka cluster plus `n` classic consumers `consumer-1..n` with `config`, the i-th
/// starting at 4 s + i × 500 ms, each with its own rotation of the ZooKeeper server list.
pub fn with_zk_consumers(opts: &BuildOptions, n: usize, config: ZkConsumerConfig) -> ClusterSim {
    let mut sim = kafka_cluster(opts, Acks::All, 2);
    let world = &mut sim.world;
    let zk_servers: Vec<NodeId> = crate::cluster::zk::servers(world)
        .map(|(id, _)| id)
        .collect();
    let address_book: Vec<(String, NodeId)> =
        brokers(world).map(|(id, b)| (host_of(b.id), id)).collect();
    for i in 0..n {
        let mut servers = zk_servers.clone();
        let len = servers.len().max(1);
        servers.rotate_left(i % len);
        let c = ZkConsumer::new(
            &format!("consumer-{}", i + 1),
            "events",
            servers,
            config.clone(),
            address_book.clone(),
        );
        world.add_node_at(Node::from(c), 4 * SEC + (i as TimeUs) * 500 * MS);
    }
    sim
}

/// The node of the classic consumer labelled `name`.
pub fn zk_consumer_node(world: &crate::sim::World<Node>, name: &str) -> NodeId {
    zk_consumers(world)
        .find(|(_, c)| c.name == name)
        .map(|(n, _)| n)
        .unwrap_or(NodeId(0))
}
