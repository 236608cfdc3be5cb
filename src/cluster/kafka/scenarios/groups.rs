//! Consumer-group scenarios, and the consumer group the default Kafka scenario includes.
//!
//! The group `my-group` subscribes to `events`; its members use `session.timeout.ms=6000`
//! (the group minimum), `heartbeat.interval.ms=2000`, `auto.commit.interval.ms=1000`,
//! `max.poll.interval.ms=30000`, `auto.offset.reset=earliest`, and poll every 200 ms. The
//! brokers keep `__consumer_offsets` at 3 partitions, replication factor 3.

use crate::kafka::config::{Acks, ConsumerConfig};
use crate::kafka::consumer::Consumer;
use crate::sim::{Input, NodeId, TimeUs, World, MS, SEC};

use crate::cluster::scenario::{Scenario, ScenarioInfo, ScenarioKind};
use crate::cluster::{ClusterSim, Node};

use super::{kafka_cluster, KAFKA_PANELS};

/// The scenarios' group id.
pub const GROUP_ID: &str = "my-group";

/// The consumer-group scenarios, in display order.
pub const SCENARIOS: &[Scenario] = &[Scenario {
    info: ScenarioInfo {
        name: "kafka-consumer-rebalance",
        kind: ScenarioKind::Scenario,
        title: "A consumer group rebalances when a member dies",
        description: "Two consumers in my-group share the 3 partitions of events. consumer-2 crashes at 25 s; 6 s later its session expires at the coordinator, the group goes to PreparingRebalance, consumer-1 rejoins and gets every partition in a new generation, restarting from the committed offsets (records processed but not yet committed are delivered again).",
        default_steps: 40_000,
        panels: KAFKA_PANELS,
    },
    build: |opts| {
        let mut sim = with_group(kafka_cluster(opts, Acks::All, 2), 2, scenario_consumer_config());
        let c2 = consumer_node(&sim.world, "consumer-2");
        sim.world.schedule(25 * SEC, Input::Crash(c2));
        Ok(sim)
    },
}];

/// The consumer settings of the scenarios.
pub fn scenario_consumer_config() -> ConsumerConfig {
    ConsumerConfig::from_pairs(&[
        ("session.timeout.ms", "6000"),
        ("heartbeat.interval.ms", "2000"),
        ("auto.commit.interval.ms", "1000"),
        ("max.poll.interval.ms", "30000"),
        ("auto.offset.reset", "earliest"),
    ])
    .unwrap_or_default()
}

/// Adds `n` consumers (`consumer-1..n`) of group [`GROUP_ID`] on topic `events`, starting at
/// 4 s, 200 ms apart.
pub fn with_group(mut sim: ClusterSim, n: u32, config: ConsumerConfig) -> ClusterSim {
    let bootstrap: Vec<NodeId> = super::super::brokers(&sim.world)
        .map(|(id, _)| id)
        .collect();
    for i in 1..=n {
        let c = Consumer::new(
            &format!("consumer-{i}"),
            bootstrap.clone(),
            GROUP_ID,
            "events",
            config.clone(),
            200,
        );
        let at: TimeUs = 4 * SEC + TimeUs::from(i - 1) * 200 * MS;
        sim.world.add_node_at(Node::from(c), at);
    }
    sim
}

/// Adds a spare consumer `consumer-<n>` of group [`GROUP_ID`] that starts only when a person
/// starts it ([`Input::Start`]): adding a member to the group by hand.
pub fn with_spare(mut sim: ClusterSim, n: u32, config: ConsumerConfig) -> ClusterSim {
    let bootstrap: Vec<NodeId> = super::super::brokers(&sim.world)
        .map(|(id, _)| id)
        .collect();
    let c = Consumer::new(
        &format!("consumer-{n}"),
        bootstrap,
        GROUP_ID,
        "events",
        config,
        200,
    );
    sim.world.add_spare_node(Node::from(c));
    sim
}

/// The node of the consumer labelled `name`.
pub fn consumer_node(world: &World<Node>, name: &str) -> NodeId {
    super::super::consumers(world)
        .find(|(_, c)| c.name == name)
        .map(|(n, _)| n)
        .unwrap_or(NodeId(0))
}
