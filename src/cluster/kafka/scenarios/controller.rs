//! Controller and broker-lifecycle scenarios (ISR shrink and expand, unclean election, a
//! live config change, controlled shutdown, the preferred-leader rebalance) and the three
//! tutorial layouts of the Kafka quickstart.
//!
//! They share [`Layout`]: `zk` ZooKeeper servers, `brokers` brokers (`broker.id` 1..n,
//! `zookeeper.session.timeout.ms=6000`) and a producer that creates `topic` and then sends
//! one keyed record every 500 ms (its `request.timeout.ms` is 3 s). Times are shortened where
//! the lesson needs it (and say so).

use crate::kafka::config::{Acks, BrokerConfig, ProducerConfig};
use crate::kafka::msg::{ConfigEntity, Msg as KafkaMsg, Operator, Wire};
use crate::kafka::producer::Producer;
use crate::sim::{Input, NodeId, World, MS, SEC};

use super::{add_zk_and_brokers, broker_node, KAFKA_PANELS, SCENARIO_SESSION_TIMEOUT_MS};
use crate::cluster::checkers::{checkers_for, Protocol};
use crate::cluster::scenario::{
    add_chaos, base_link, BuildOptions, Scenario, ScenarioInfo, ScenarioKind,
};
use crate::cluster::{ClusterSim, Msg, Node};

/// The producer's `request.timeout.ms` here (30000 by default): a request lost with a
/// crashed broker is retried sooner.
pub const PRODUCER_REQUEST_TIMEOUT_MS: i32 = 3_000;

/// The shape of a Kafka world.
#[derive(Clone, Debug)]
pub struct Layout {
    pub zk: usize,
    pub brokers: i32,
    pub topic: &'static str,
    pub partitions: i32,
    pub replication_factor: i32,
    pub acks: Acks,
    pub config: BrokerConfig,
}

impl Layout {
    /// 3 ZooKeeper servers, 3 brokers, `events` with 3 partitions × 3 replicas, acks=all.
    pub fn standard(config: BrokerConfig) -> Self {
        Self {
            zk: 3,
            brokers: 3,
            topic: "events",
            partitions: 3,
            replication_factor: 3,
            acks: Acks::All,
            config,
        }
    }
}

/// Broker defaults of these scenarios: the shorter session timeout and `overrides`.
pub fn broker_config(overrides: &[(&str, &str)]) -> BrokerConfig {
    let mut c = BrokerConfig {
        zookeeper_session_timeout_ms: SCENARIO_SESSION_TIMEOUT_MS,
        ..BrokerConfig::default()
    };
    for (k, v) in overrides {
        // The overrides below are fixed and valid; a bad one would keep the default.
        let _ = c.set(k, v);
    }
    c
}

/// Builds the world of `layout` (ZooKeeper count from `opts.servers` if given).
pub fn build_layout(opts: &BuildOptions, layout: &Layout) -> ClusterSim {
    let mut world = World::new(opts.seed, base_link());
    let n_zk = opts.servers.unwrap_or(layout.zk).clamp(1, 7);
    let n = layout.brokers.clamp(1, 12);
    let address_book = add_zk_and_brokers(&mut world, n_zk, n, &layout.config);
    let mut producer_config = ProducerConfig::default();
    producer_config.acks = layout.acks;
    producer_config.request_timeout_ms = PRODUCER_REQUEST_TIMEOUT_MS;
    let bootstrap: Vec<NodeId> = address_book.iter().map(|(_, n)| *n).collect();
    let p = Producer::new(
        "producer",
        bootstrap,
        layout.topic,
        layout.partitions,
        layout.replication_factor,
        producer_config,
        500,
        400,
    );
    // After every broker has registered (they start 500 ms apart), so the topic is spread
    // over all of them: 3 s with three brokers, 7.5 s with twelve.
    let start = (3 * SEC).max(n.unsigned_abs() as u64 * 500 * MS + 1_500 * MS);
    world.add_node_at(Node::from(p), start);
    if opts.chaos {
        let targets: Vec<NodeId> = address_book.iter().map(|(_, n)| *n).collect();
        add_chaos(&mut world, opts.seed, targets, 1);
    }
    ClusterSim::new(world, checkers_for(&[Protocol::Zk, Protocol::Kafka]))
}

/// The input that hands `op` to `node` (an operator at the broker's console).
pub fn operator(node: NodeId, op: Operator) -> Input<Msg> {
    Input::Deliver(node, Msg::from(Wire::Kafka(KafkaMsg::Operator(op))))
}

fn standard(opts: &BuildOptions, overrides: &[(&str, &str)]) -> (ClusterSim, [NodeId; 3]) {
    let sim = build_layout(opts, &Layout::standard(broker_config(overrides)));
    let b = [1, 2, 3].map(|id| broker_node(&sim.world, id));
    (sim, b)
}

/// The controller scenarios, in display order.
pub const SCENARIOS: &[Scenario] = &[
    Scenario {
        info: ScenarioInfo {
            name: "kafka-isr-shrink",
            kind: ScenarioKind::Scenario,
            title: "A follower cut off from its leader leaves the ISR",
            description: "replica.lag.time.max.ms is 5 s here (30 s by default). At 12 s the link between broker-2 and broker-3 is cut (both keep ZooKeeper): their fetches to each other stop, and after 5 s the leaders ask the controller (AlterIsr) to drop the lagging follower. The link heals at 30 s; the followers catch up and rejoin the ISR.",
            default_steps: 60_000,
            panels: KAFKA_PANELS,
        },
        build: |opts| {
            let (mut sim, b) = standard(
                opts,
                &[("replica.lag.time.max.ms", "5000"), ("min.insync.replicas", "1")],
            );
            sim.world.schedule(12 * SEC, Input::CutLink(b[1], b[2]));
            sim.world.schedule(30 * SEC, Input::HealLink(b[1], b[2]));
            Ok(sim)
        },
    },
    Scenario {
        info: ScenarioInfo {
            name: "kafka-unclean-election",
            kind: ScenarioKind::Scenario,
            title: "Unclean leader election loses acknowledged writes",
            description: "unclean.leader.election.enable=true, min.insync.replicas=1. broker-3 crashes at 10 s and drops out of the ISR; records keep being acknowledged by brokers 1 and 2. Both crash at 30 s. broker-3 returns at 37 s, out of sync: with no ISR member alive it is elected anyway (unclean) and the records it never had are gone; when brokers 1 and 2 return at 50 s they truncate to its log.",
            default_steps: 60_000,
            panels: KAFKA_PANELS,
        },
        build: |opts| {
            let (mut sim, b) = standard(
                opts,
                &[
                    ("unclean.leader.election.enable", "true"),
                    ("min.insync.replicas", "1"),
                ],
            );
            sim.world.schedule(10 * SEC, Input::Crash(b[2]));
            sim.world.schedule(30 * SEC, Input::Crash(b[0]));
            sim.world.schedule(30 * SEC, Input::Crash(b[1]));
            sim.world.schedule(37 * SEC, Input::Restart(b[2]));
            sim.world.schedule(50 * SEC, Input::Restart(b[0]));
            sim.world.schedule(50 * SEC, Input::Restart(b[1]));
            Ok(sim)
        },
    },
    Scenario {
        info: ScenarioInfo {
            name: "kafka-dynamic-config",
            kind: ScenarioKind::Scenario,
            title: "min.insync.replicas raised on a live topic",
            description: "The brokers start with min.insync.replicas=1. broker-3 crashes at 10 s, so the ISR shrinks to two. At 25 s an operator runs kafka-configs.sh --alter --entity-type topics --entity-name events --add-config min.insync.replicas=3: the broker writes /config/topics/events and a /config/changes notification, every broker re-reads the topic's config, and acks=all produces are refused with NOT_ENOUGH_REPLICAS until broker-3 returns (40 s) and rejoins the ISR.",
            default_steps: 60_000,
            panels: KAFKA_PANELS,
        },
        build: |opts| {
            let (mut sim, b) = standard(opts, &[("min.insync.replicas", "1")]);
            sim.world.schedule(10 * SEC, Input::Crash(b[2]));
            let op = Operator::AlterConfig {
                entity: ConfigEntity::Topic("events".into()),
                configs: vec![("min.insync.replicas".into(), "3".into())],
            };
            sim.world.schedule(25 * SEC, operator(b[0], op));
            sim.world.schedule(40 * SEC, Input::Restart(b[2]));
            Ok(sim)
        },
    },
    Scenario {
        info: ScenarioInfo {
            name: "kafka-controlled-shutdown",
            kind: ScenarioKind::Scenario,
            title: "A broker shuts down cleanly",
            description: "At 15 s broker-3 is stopped (kafka-server-stop.sh). It asks the controller for a controlled shutdown: the partitions it leads get new leaders from their ISR and it is taken out of the ISRs (in 2.8 a leader may let it back in while it still fetches); then it closes its ZooKeeper session, so /brokers/ids/3 vanishes at once rather than after a 6 s session timeout as in kafka-leader-failover. It starts again at 35 s.",
            default_steps: 40_000,
            panels: KAFKA_PANELS,
        },
        build: |opts| {
            let (mut sim, b) = standard(opts, &[("min.insync.replicas", "2")]);
            sim.world.schedule(15 * SEC, operator(b[2], Operator::Shutdown));
            sim.world.schedule(35 * SEC, Input::Restart(b[2]));
            Ok(sim)
        },
    },
    Scenario {
        info: ScenarioInfo {
            name: "kafka-preferred-leader",
            kind: ScenarioKind::Scenario,
            title: "A restarted broker gets its leaderships back",
            description: "leader.imbalance.check.interval.seconds is 10 here (300 by default). broker-2 crashes at 12 s and its partitions are led elsewhere. It returns at 25 s and rejoins the ISRs; at the next imbalance check the controller runs the preferred leader election and broker-2 leads the partitions whose first replica it is again.",
            default_steps: 60_000,
            panels: KAFKA_PANELS,
        },
        build: |opts| {
            let (mut sim, b) = standard(
                opts,
                &[
                    ("leader.imbalance.check.interval.seconds", "10"),
                    ("min.insync.replicas", "2"),
                ],
            );
            sim.world.schedule(12 * SEC, Input::Crash(b[1]));
            sim.world.schedule(25 * SEC, Input::Restart(b[1]));
            Ok(sim)
        },
    },
    Scenario {
        info: ScenarioInfo {
            name: "kafka-single-node-single-broker",
            kind: ScenarioKind::Scenario,
            title: "Tutorial: one ZooKeeper, one broker",
            description: "The Kafka quickstart: one ZooKeeper server, one broker, topic test with one partition and replication factor 1. The broker registers, becomes controller and leads the partition alone.",
            default_steps: 10_000,
            panels: KAFKA_PANELS,
        },
        build: |opts| {
            let layout = Layout {
                zk: 1,
                brokers: 1,
                topic: "test",
                partitions: 1,
                replication_factor: 1,
                ..Layout::standard(broker_config(&[]))
            };
            Ok(build_layout(opts, &layout))
        },
    },
    Scenario {
        info: ScenarioInfo {
            name: "kafka-single-node-multi-broker",
            kind: ScenarioKind::Scenario,
            title: "Tutorial: one ZooKeeper, three brokers",
            description: "One ZooKeeper server and three brokers on one machine; topic my-replicated-topic with one partition and replication factor 3: one leader, two followers, all in the ISR.",
            default_steps: 15_000,
            panels: KAFKA_PANELS,
        },
        build: |opts| {
            let layout = Layout {
                zk: 1,
                topic: "my-replicated-topic",
                partitions: 1,
                ..Layout::standard(broker_config(&[]))
            };
            Ok(build_layout(opts, &layout))
        },
    },
    Scenario {
        info: ScenarioInfo {
            name: "kafka-multi-node-multi-broker",
            kind: ScenarioKind::Scenario,
            title: "Tutorial: three ZooKeeper servers, three brokers",
            description: "A ZooKeeper ensemble of three and three brokers; topic events with three partitions and replication factor 3, min.insync.replicas=2: every broker leads one partition and follows the other two.",
            default_steps: 20_000,
            panels: KAFKA_PANELS,
        },
        build: |opts| {
            let layout = Layout::standard(broker_config(&[("min.insync.replicas", "2")]));
            Ok(build_layout(opts, &layout))
        },
    },
    Scenario {
        info: ScenarioInfo {
            name: "kafka-twelve-brokers",
            kind: ScenarioKind::Scenario,
            title: "A larger cluster: seven ZooKeeper servers, twelve brokers",
            description: "Seven ZooKeeper servers and twelve brokers; topic events with twelve partitions and replication factor 3 spread over all of them, min.insync.replicas=2. Every broker leads one partition and follows two; one controller among twelve.",
            default_steps: 20_000,
            panels: KAFKA_PANELS,
        },
        build: |opts| {
            let layout = Layout {
                zk: 7,
                brokers: 12,
                partitions: 12,
                ..Layout::standard(broker_config(&[("min.insync.replicas", "2")]))
            };
            Ok(build_layout(opts, &layout))
        },
    },
    super::load::SCENARIO,
];
