//! The Kafka scenarios: each name written once, beside its builder.
//!
//! Every scenario runs a three-server ZooKeeper ensemble (`zk1..zk3`), three brokers
//! (`broker-1..3`, `broker.id` 1..3) and a producer that first creates topic `events` (3
//! partitions, replication factor 3) and then sends one keyed record every 500 ms with
//! `acks=all`. Brokers use `zookeeper.session.timeout.ms=6000` (the 2.8 default is 18000) so a
//! dead broker's ephemerals vanish sooner; `min.insync.replicas=2`.

pub mod controller;
pub mod faults;
pub mod groups;
pub mod load;
pub mod whatif;
pub mod zk_consumer;

use crate::kafka::broker::{host_of, Broker};
use crate::kafka::config::{Acks, BrokerConfig, ProducerConfig};
use crate::kafka::producer::Producer;
use crate::sim::{Input, NodeId, TimeUs, World, MS, SEC};
use crate::zk::{self, ZkConfig};

use crate::cluster::checkers::{checkers_for, Protocol};
use crate::cluster::scenario::{
    add_chaos, base_link, BuildOptions, Scenario, ScenarioInfo, ScenarioKind,
};
use crate::cluster::{ClusterSim, Node};

pub mod producer;

/// The panels of a Kafka scenario, in tab order.
pub const KAFKA_PANELS: &[&str] = &[
    "partitions",
    "log",
    "groups",
    "producers",
    "metrics",
    "znodes",
    "sessions",
    "events",
    "sequence",
    "invariants",
];

/// Session timeout the scenarios' brokers use (ms).
pub const SCENARIO_SESSION_TIMEOUT_MS: i64 = 6_000;

/// The Kafka scenarios, in display order.
pub const SCENARIOS: &[Scenario] = &[
    Scenario {
        info: ScenarioInfo {
            name: "kafka-default",
            kind: ScenarioKind::Scenario,
            title: "Kafka on ZooKeeper: three brokers elect a controller",
            description: "Three ZooKeeper servers and three brokers. The brokers register ephemerals under /brokers/ids, one wins /controller, the producer creates a topic with 3 partitions and replication factor 3 and writes with acks=all; a consumer group of two (my-group) shares the partitions through the group coordinator. consumer-3 is a spare: start it from its menu to add it to the group.",
            default_steps: 20_000,
            panels: KAFKA_PANELS,
        },
        build: |opts| {
            let sim = kafka_cluster(opts, Acks::All, 2);
            let config = groups::scenario_consumer_config();
            let sim = groups::with_group(sim, 2, config.clone());
            Ok(groups::with_spare(sim, 3, config))
        },
    },
    Scenario {
        info: ScenarioInfo {
            name: "kafka-controller-failover",
            kind: ScenarioKind::Scenario,
            title: "The controller broker crashes",
            description: "broker-1 (the first to start, so the controller) crashes at 15 s. Its session expires 6 s later, /controller vanishes, another broker wins with a higher controller epoch and moves broker-1's partition leaders; broker-1 returns at 35 s.",
            default_steps: 40_000,
            panels: KAFKA_PANELS,
        },
        build: |opts| {
            let mut sim = kafka_cluster(opts, Acks::All, 2);
            let b1 = broker_node(&sim.world, 1);
            sim.world.schedule(15 * SEC, Input::Crash(b1));
            sim.world.schedule(35 * SEC, Input::Restart(b1));
            Ok(sim)
        },
    },
    Scenario {
        info: ScenarioInfo {
            name: "kafka-leader-failover",
            kind: ScenarioKind::Scenario,
            title: "A partition leader crashes",
            description: "broker-3 crashes at 15 s. When its /brokers/ids znode goes, the controller elects the first live ISR replica of each partition it led and shrinks the ISRs; the producer retries on NOT_LEADER_OR_FOLLOWER. broker-3 returns at 35 s and catches up.",
            default_steps: 40_000,
            panels: KAFKA_PANELS,
        },
        build: |opts| {
            let mut sim = kafka_cluster(opts, Acks::All, 2);
            let b3 = broker_node(&sim.world, 3);
            sim.world.schedule(15 * SEC, Input::Crash(b3));
            sim.world.schedule(35 * SEC, Input::Restart(b3));
            Ok(sim)
        },
    },
    zk_consumer::SCENARIO,
];

/// The node of broker `id`.
pub fn broker_node(world: &World<Node>, id: i32) -> NodeId {
    super::brokers(world)
        .find(|(_, b)| b.id == id)
        .map(|(n, _)| n)
        .unwrap_or(NodeId(0))
}

/// Adds `n_zk` ZooKeeper servers (`zk1..`, 3 ms apart) and `n_brokers` brokers with `config`
/// (`broker-1..`, from 1 s, 500 ms apart, each starting on a different ZooKeeper server) to
/// `world`; returns the brokers' address book.
pub fn add_zk_and_brokers(
    world: &mut World<Node>,
    n_zk: usize,
    n_brokers: i32,
    config: &BrokerConfig,
) -> Vec<(String, NodeId)> {
    let zk_nodes: Vec<NodeId> = (0..n_zk as u32).map(NodeId).collect();
    let cfg = ZkConfig::new(
        zk_nodes
            .iter()
            .enumerate()
            .map(|(i, id)| (i as u64 + 1, *id))
            .collect(),
    );
    for (i, _) in zk_nodes.iter().enumerate() {
        let server = zk::Server::new(i as u64 + 1, cfg.clone());
        world.add_node_at(Node::from(server), (i as TimeUs) * 3 * MS);
    }
    let first_broker = n_zk as u32;
    let address_book: Vec<(String, NodeId)> = (1..=n_brokers)
        .map(|id| (host_of(id), NodeId(first_broker + id as u32 - 1)))
        .collect();
    for id in 1..=n_brokers {
        let mut servers = zk_nodes.clone();
        servers.rotate_left((id as usize - 1) % zk_nodes.len());
        let b = Broker::new(id, servers, config.clone(), address_book.clone());
        world.add_node_at(Node::from(b), SEC + (id as TimeUs - 1) * 500 * MS);
    }
    address_book
}

/// Three ZooKeeper servers, three brokers and a producer with `acks`, brokers with
/// `min.insync.replicas = min_isr`.
pub fn kafka_cluster(opts: &BuildOptions, acks: Acks, min_isr: i32) -> ClusterSim {
    let mut world = World::new(opts.seed, base_link());
    let n_zk = opts.servers.unwrap_or(3).clamp(1, 7);
    let config = BrokerConfig {
        zookeeper_session_timeout_ms: SCENARIO_SESSION_TIMEOUT_MS,
        min_insync_replicas: min_isr,
        offsets_topic_num_partitions: 3,
        ..BrokerConfig::default()
    };
    let address_book = add_zk_and_brokers(&mut world, n_zk, 3, &config);
    let mut producer_config = ProducerConfig::default();
    producer_config.acks = acks;
    let bootstrap: Vec<NodeId> = address_book.iter().map(|(_, n)| *n).collect();
    let p = Producer::new(
        "producer",
        bootstrap,
        "events",
        3,
        3,
        producer_config,
        500,
        200,
    );
    world.add_node_at(Node::from(p), 3 * SEC);
    if opts.chaos {
        let targets: Vec<NodeId> = address_book.iter().map(|(_, n)| *n).collect();
        add_chaos(&mut world, opts.seed, targets, 1);
    }
    ClusterSim::new(world, checkers_for(&[Protocol::Zk, Protocol::Kafka]))
}
