//! Producer scenarios: acks, idempotence and size limits (sheet C.10, C.11, C.16).
//!
//! Same cluster as the other Kafka scenarios (three ZooKeeper servers, three brokers, topic
//! `events` with 3 partitions and replication factor 3, broker sessions of 6 s), with the
//! producer and broker settings each lesson needs. Broker `b` leads partition `b - 1` at
//! first (the first replica of each assignment is preferred).

use crate::kafka::config::{Acks, BrokerConfig, ProducerConfig};
use crate::kafka::msg::{Msg as KafkaMsg, Operator};
use crate::kafka::producer::Producer;
use crate::sim::{Input, LinkConfig, NodeId, World, MS, SEC};

use crate::cluster::checkers::{checkers_for, Protocol};
use crate::cluster::scenario::{
    add_chaos, base_link, BuildOptions, Scenario, ScenarioInfo, ScenarioKind,
};
use crate::cluster::{ClusterSim, Msg, Node};

use super::{add_zk_and_brokers, broker_node, KAFKA_PANELS, SCENARIO_SESSION_TIMEOUT_MS};

/// The producer scenarios, in display order.
pub const SCENARIOS: &[Scenario] = &[
    Scenario {
        info: ScenarioInfo {
            name: "kafka-acks-all",
            kind: ScenarioKind::Scenario,
            title: "acks=all: a leader crashes mid-stream, nothing acknowledged is lost",
            description: "The producer sends a record every 100 ms with acks=all; brokers require min.insync.replicas=2. broker-2 crashes at 15 s while leading a partition: its in-flight requests time out, the controller elects an ISR member, the producer retries there. Every acknowledged record is still in the new leader's log; broker-2 returns at 35 s.",
            default_steps: 40_000,
            panels: KAFKA_PANELS,
        },
        build: |opts| {
            let mut sim = kafka_cluster_with(opts, &acks_setup(Acks::All, 2));
            let b2 = broker_node(&sim.world, 2);
            sim.world.schedule(15 * SEC, Input::Crash(b2));
            sim.world.schedule(35 * SEC, Input::Restart(b2));
            Ok(sim)
        },
    },
    Scenario {
        info: ScenarioInfo {
            name: "kafka-acks-1",
            kind: ScenarioKind::Scenario,
            title: "acks=1: the leader acknowledges alone, dies, and the writes are gone",
            description: "acks=1 and min.insync.replicas=1. At 12 s broker-2 is cut off from the other brokers: its followers stop fetching but stay in the ISR (replica.lag.time.max.ms is 30 s) while broker-2 keeps acknowledging. It crashes at 15 s; the controller elects a follower that never got those records. The acknowledged writes are lost (counted, not a checker failure); broker-2 truncates them when it returns at 30 s.",
            default_steps: 40_000,
            panels: KAFKA_PANELS,
        },
        build: |opts| {
            let mut sim = kafka_cluster_with(opts, &acks_setup(Acks::One, 1));
            let (b1, b2, b3) = (
                broker_node(&sim.world, 1),
                broker_node(&sim.world, 2),
                broker_node(&sim.world, 3),
            );
            sim.world.schedule(12 * SEC, Input::CutLink(b2, b1));
            sim.world.schedule(12 * SEC, Input::CutLink(b2, b3));
            sim.world.schedule(15 * SEC, Input::Crash(b2));
            sim.world.schedule(16 * SEC, Input::HealLink(b2, b1));
            sim.world.schedule(16 * SEC, Input::HealLink(b2, b3));
            sim.world.schedule(30 * SEC, Input::Restart(b2));
            Ok(sim)
        },
    },
    Scenario {
        info: ScenarioInfo {
            name: "kafka-idempotent-producer",
            kind: ScenarioKind::Scenario,
            title: "Idempotent producer: a lost ProduceResponse, a retry, one copy",
            description: "enable.idempotence=true (acks=all, producer id from /latest_producer_id_block). From 10 s to 10.6 s every ProduceResponse to the producer is lost: the records are in the log, but the producer sees a later answer overtake the lost ones (or request.timeout.ms=3000 pass), closes the connection and sends the same batches again, oldest first. The leaders recognise producer id and sequence and answer with the original offsets: each record is in the log once.",
            default_steps: 40_000,
            panels: KAFKA_PANELS,
        },
        build: |opts| {
            let mut setup = acks_setup(Acks::All, 2);
            setup.producer.enable_idempotence = true;
            setup.producer.request_timeout_ms = 3_000;
            let mut sim = kafka_cluster_with(opts, &setup);
            lose_responses(&mut sim.world, 10 * SEC, 10 * SEC + 600 * MS);
            Ok(sim)
        },
    },
    Scenario {
        info: ScenarioInfo {
            name: "kafka-large-message",
            kind: ScenarioKind::Scenario,
            title: "Message size limits: client, broker and replication",
            description: "max.request.size=2000 on the producer, message.max.bytes=1000 and replica.fetch.max.bytes=300 on the brokers. At 8 s a 2500-byte record is refused by the producer itself (RecordTooLargeException); at 9 s a 1500-byte one is refused by the leader (MESSAGE_TOO_LARGE); at 10 s an 800-byte one is accepted and replicated although it is larger than replica.fetch.max.bytes (the first batch of a fetch is always returned, KIP-74).",
            default_steps: 30_000,
            panels: KAFKA_PANELS,
        },
        build: |opts| {
            let mut setup = acks_setup(Acks::All, 2);
            setup.broker.message_max_bytes = 1_000;
            setup.broker.replica_fetch_max_bytes = 300;
            setup.producer.max_request_size = 2_000;
            setup.interval_ms = 500;
            setup.max_records = 40;
            let mut sim = kafka_cluster_with(opts, &setup);
            let p = producer_node(&sim.world);
            for (at, size) in [(8, 2_500), (9, 1_500), (10, 800)] {
                let value = format!("big{size}-{}", "x".repeat(size));
                let send = Operator::Send {
                    key: None,
                    value,
                    partition: None,
                };
                let msg = Msg::Kafka(KafkaMsg::Operator(send));
                sim.world.schedule(at * SEC, Input::Deliver(p, msg));
            }
            Ok(sim)
        },
    },
];

/// A producer sending every 100 ms with `acks`, brokers with `min.insync.replicas`.
fn acks_setup(acks: Acks, min_isr: i32) -> ClusterSetup {
    let mut producer = ProducerConfig::default();
    producer.acks = acks;
    ClusterSetup {
        broker: BrokerConfig {
            min_insync_replicas: min_isr,
            ..ClusterSetup::default().broker
        },
        producer,
        interval_ms: 100,
        max_records: 300,
    }
}

/// The producer's node.
pub fn producer_node(world: &World<Node>) -> NodeId {
    super::super::producers(world)
        .map(|(n, _)| n)
        .next()
        .unwrap_or(NodeId(0))
}

/// Every broker → producer message sent in `[from, to)` is lost.
fn lose_responses(world: &mut World<Node>, from: u64, to: u64) {
    let p = producer_node(world);
    let brokers: Vec<NodeId> = super::super::brokers(world).map(|(n, _)| n).collect();
    let lossy = LinkConfig {
        loss_ppm: 1_000_000,
        ..LinkConfig::default()
    };
    for b in brokers {
        world.schedule(from, Input::SetLink(b, p, lossy.clone()));
        world.schedule(to, Input::SetLink(b, p, base_link()));
    }
}

/// Broker and producer settings of a producer scenario.
#[derive(Clone, Debug)]
pub struct ClusterSetup {
    pub broker: BrokerConfig,
    pub producer: ProducerConfig,
    /// The generator's period and number of records.
    pub interval_ms: u64,
    pub max_records: u32,
}

impl Default for ClusterSetup {
    fn default() -> Self {
        Self {
            broker: BrokerConfig {
                zookeeper_session_timeout_ms: SCENARIO_SESSION_TIMEOUT_MS,
                min_insync_replicas: 2,
                ..BrokerConfig::default()
            },
            producer: ProducerConfig::default(),
            interval_ms: 500,
            max_records: 200,
        }
    }
}

/// Three ZooKeeper servers, three brokers and a producer, with `setup`'s settings (the
/// shape of [`super::kafka_cluster`]).
pub fn kafka_cluster_with(opts: &BuildOptions, setup: &ClusterSetup) -> ClusterSim {
    let mut world = World::new(opts.seed, base_link());
    let n_zk = opts.servers.unwrap_or(3).clamp(1, 7);
    let address_book = add_zk_and_brokers(&mut world, n_zk, 3, &setup.broker);
    let bootstrap: Vec<NodeId> = address_book.iter().map(|(_, n)| *n).collect();
    let p = Producer::new(
        "producer",
        bootstrap,
        "events",
        3,
        3,
        setup.producer.clone(),
        setup.interval_ms,
        setup.max_records,
    );
    world.add_node_at(Node::from(p), 3 * SEC);
    if opts.chaos {
        let targets: Vec<NodeId> = address_book.iter().map(|(_, n)| *n).collect();
        add_chaos(&mut world, opts.seed, targets, 1);
    }
    ClusterSim::new(world, checkers_for(&[Protocol::Zk, Protocol::Kafka]))
}
