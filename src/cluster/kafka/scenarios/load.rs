//! `kafka-load`: the largest cluster under steady load, to see (and time) hundreds of real
//! messages on the wire at once.
//!
//! Seven ZooKeeper servers in one rack (the base 2–6 ms links between them) and twelve
//! brokers, ten producers and four consumers 40–90 ms apart one way (a WAN, or a lab spread
//! over sites). Topic `events` has 48 partitions with replication factor 3,
//! `min.insync.replicas=2`: each broker leads four partitions and follows eight. From 7.5 s
//! [`PRODUCERS`] producers (`acks=all`, `linger.ms=5`, idempotence off as in 2.8) each send one
//! keyed record every [`RECORD_INTERVAL_MS`] ms, [`RECORDS`] in all; from 7 s a consumer group of
//! [`CONSUMERS`] (`load-group`, `group.initial.rebalance.delay.ms=0` on the brokers) reads the
//! topic. What is on the wire is what Kafka sends under load: `Produce` requests to every
//! leader (up to five unanswered per broker and producer), the followers' `Fetch` requests
//! and the answers carrying the records, the `Produce` answers once the high watermark has
//! passed them, the consumers' fetches, heartbeats and offset commits, and ZooKeeper's pings.
//! From about 9.3 s to 12 s (roughly steps 12 000 to 30 000 on seed 1) 335 are in flight on
//! average, 300 and more 80% of the time (`zooscope-cli run --scenario kafka-load --in-flight`
//! prints the most).
//!
//! One simplification of the brokers shapes the traffic (see [`crate::kafka::broker::replica`]):
//! a leader answers an empty fetch at once instead of parking it for
//! `replica.fetch.wait.max.ms`, the follower polling on that period instead. So `replica.fetch.wait.max.ms` is [`FOLLOWER_POLL_MS`] here: with Kafka's 500 the
//! followers would idle between polls and every producer would wait for the next one (a
//! lock-step Kafka's parked fetches do not have). A run this size takes ~35 000 steps.

use crate::cluster::chaos::{self, ChaosConfig};
use crate::cluster::checkers::{checkers_for, Protocol};
use crate::cluster::scenario::{base_link, Scenario, ScenarioInfo, ScenarioKind};
use crate::cluster::{ClusterSim, Node};
use crate::kafka::config::{Acks, BrokerConfig, ConsumerConfig, ProducerConfig};
use crate::kafka::consumer::Consumer;
use crate::kafka::producer::Producer;
use crate::sim::{LinkConfig, NodeId, TimeUs, World, MS, SEC};

use super::{add_zk_and_brokers, KAFKA_PANELS, SCENARIO_SESSION_TIMEOUT_MS};

/// Partitions of `events`.
pub const PARTITIONS: i32 = 48;
/// Producers (`producer-1..`).
pub const PRODUCERS: u32 = 10;
/// Each producer's records.
pub const RECORDS: u32 = 750;
/// Milliseconds between two records of one producer.
pub const RECORD_INTERVAL_MS: u64 = 5;
/// `replica.fetch.wait.max.ms` here (500 by default), see the module docs.
pub const FOLLOWER_POLL_MS: i64 = 50;
/// Consumers of `load-group` (`consumer-1..`).
pub const CONSUMERS: u32 = 4;
/// When the first producer starts: after all twelve brokers have registered.
const PRODUCERS_AT: TimeUs = 7_500 * MS;
/// When the first consumer starts: just before, so `__consumer_offsets` is created first.
const CONSUMERS_AT: TimeUs = 7 * SEC;

/// Every link: 20–50 ms one way, in order.
pub fn wan_link() -> LinkConfig {
    LinkConfig {
        latency_min_us: 40 * MS,
        latency_max_us: 90 * MS,
        ..LinkConfig::default()
    }
}

/// The load scenario.
pub const SCENARIO: Scenario = Scenario {
    info: ScenarioInfo {
        name: "kafka-load",
        kind: ScenarioKind::Scenario,
        title: "Twelve brokers under load: hundreds of messages in flight",
        description: "Seven ZooKeeper servers (one rack) and twelve brokers, ten producers and four consumers on WAN links (40–90 ms one way). Topic events has 48 partitions × 3 replicas, min.insync.replicas=2. From 7.5 s each producer (acks=all, linger.ms=5) sends a keyed record every 5 ms, and a consumer group of four reads along: Produce requests to every leader, the followers' Fetch requests and the records they carry back, Produce answers once the high watermark passes, consumer fetches and commits. From about 9.3 s to 12 s 300 and more messages are on the wire at once, every one a request or answer Kafka or ZooKeeper sends (followers poll every 50 ms: replica.fetch.wait.max.ms=50).",
        default_steps: 35_000,
        panels: KAFKA_PANELS,
    },
    build: |opts| Ok(build(opts.seed, opts.servers, opts.chaos)),
};

fn build(seed: u64, servers: Option<usize>, with_chaos: bool) -> ClusterSim {
    let mut world = World::new(seed, wan_link());
    let n_zk = servers.unwrap_or(7).clamp(1, 7);
    let config = BrokerConfig {
        zookeeper_session_timeout_ms: SCENARIO_SESSION_TIMEOUT_MS,
        min_insync_replicas: 2,
        offsets_topic_num_partitions: 3,
        replica_fetch_wait_max_ms: FOLLOWER_POLL_MS,
        group_initial_rebalance_delay_ms: 0,
        ..BrokerConfig::default()
    };
    let address_book = add_zk_and_brokers(&mut world, n_zk, 12, &config);
    // The ZooKeeper servers share a rack: the base link between them.
    for a in 0..n_zk as u32 {
        for b in 0..n_zk as u32 {
            if a != b {
                world.set_link(NodeId(a), NodeId(b), base_link());
            }
        }
    }
    let bootstrap: Vec<NodeId> = address_book.iter().map(|(_, n)| *n).collect();
    let mut producer_config = ProducerConfig::default();
    producer_config.acks = Acks::All;
    producer_config.linger_ms = 5;
    producer_config.request_timeout_ms = 3_000;
    for i in 1..=PRODUCERS {
        let p = Producer::new(
            &format!("producer-{i}"),
            bootstrap.clone(),
            "events",
            PARTITIONS,
            3,
            producer_config.clone(),
            RECORD_INTERVAL_MS,
            RECORDS,
        );
        world.add_node_at(Node::from(p), PRODUCERS_AT + TimeUs::from(i - 1) * 50 * MS);
    }
    let consumer_config = ConsumerConfig::from_pairs(&[
        ("session.timeout.ms", "6000"),
        ("heartbeat.interval.ms", "2000"),
        ("auto.commit.interval.ms", "1000"),
        ("auto.offset.reset", "earliest"),
    ])
    .unwrap_or_default();
    for i in 1..=CONSUMERS {
        let c = Consumer::new(
            &format!("consumer-{i}"),
            bootstrap.clone(),
            "load-group",
            "events",
            consumer_config.clone(),
            50,
        );
        world.add_node_at(Node::from(c), CONSUMERS_AT + TimeUs::from(i - 1) * 100 * MS);
    }
    if with_chaos {
        let cfg = ChaosConfig {
            targets: bootstrap,
            start_us: SEC,
            heal_at_us: 20 * SEC,
            mean_gap_us: 1_500 * MS,
            max_down: 1,
            base_link: wan_link(),
        };
        for (at, input) in chaos::plan(seed, &cfg) {
            world.schedule(at, input);
        }
    }
    ClusterSim::new(world, checkers_for(&[Protocol::Zk, Protocol::Kafka]))
}
