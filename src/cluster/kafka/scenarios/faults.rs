//! `kafka-faults`: the default Kafka cluster (three ZooKeeper servers, three brokers, an
//! `acks=all` producer) under a random fault plan drawn from the seed — broker crashes and
//! restarts, ZooKeeper server crashes, network partitions, lossy, duplicating and slow links —
//! healed at 20 s. The settings are the safe ones (`acks=all`, `min.insync.replicas=2`,
//! `unclean.leader.election.enable=false`), so every checker must stay quiet and the Kafka
//! teaching counters (`crate::cluster::kafka::counters`) should stay at zero.
//!
//! Simplified compared with a real soak test: at most two nodes are down at once (a broker
//! and a ZooKeeper server, or two of either), faults start after 1 s, while the cluster is
//! still starting, and the producer is the only client.

use crate::cluster::scenario::{add_chaos, BuildOptions, Scenario, ScenarioInfo, ScenarioKind};
use crate::cluster::Node;
use crate::kafka::config::Acks;
use crate::sim::NodeId;

use super::{kafka_cluster, KAFKA_PANELS};

/// Most fault targets down at once.
pub const MAX_DOWN: usize = 2;

/// The fault scenarios, in display order.
pub const SCENARIOS: &[Scenario] = &[Scenario {
    info: ScenarioInfo {
        name: "kafka-faults",
        kind: ScenarioKind::Scenario,
        title: "Kafka under random broker and ZooKeeper crashes, partitions and message loss",
        description: "Three ZooKeeper servers, three brokers and an acks=all producer (min.insync.replicas=2, no unclean elections) while faults drawn from the seed crash brokers and ZooKeeper servers, split the network and make links lossy; everything heals at 20 s and no acknowledged write may be lost.",
        default_steps: 40_000,
        panels: KAFKA_PANELS,
    },
    build: |opts| {
        let calm = BuildOptions {
            chaos: false,
            ..opts.clone()
        };
        let mut sim = kafka_cluster(&calm, Acks::All, 2);
        let targets: Vec<NodeId> = sim
            .world
            .node_ids()
            .filter(|id| {
                let n: &Node = sim.world.node(*id);
                n.kafka_broker().is_some() || n.zk_server().is_some()
            })
            .collect();
        add_chaos(&mut sim.world, opts.seed, targets, MAX_DOWN);
        Ok(sim)
    },
}];
