//! Kafka in the view, the minimum a Kafka scenario needs: brokers on the middle row and
//! producers and consumers (kind `consumer`; a classic one's role says `classic`) on the
//! bottom band, a card per node (role `broker`, plus `controller` on the active controller;
//! "leads 2 · follows 4"; `not-started` for a spare), and Kafka's traffic categories. Its
//! messages are narrated with the generic "X gets Y's `summary`". What its menus offer and
//! how those inputs read is in [`inputs`], their URL form in [`url`].

pub mod inputs;
pub mod url;

pub mod groups;
pub mod history;
pub mod log;
pub mod metrics;
pub mod partitions;
pub mod producers;
pub mod why;

use crate::cluster::{ClusterWorld, Protocol};
use crate::kafka::{self, KafkaNode};
use crate::sim::NodeId;

use super::cards::{NodeCard, Role};
use super::categories::Category;
use super::names::{Names, NodeKind, Tier};
use super::state::Panel;

/// Per topic-partition: replicas, leaders, ISR, offsets.
pub const PARTITIONS: Panel = Panel::new("partitions", "Partitions");
/// One partition's replica logs side by side.
pub const LOG: Panel = Panel::new("log", "Log");

/// A broker: on the middle row.
pub const BROKER_KIND: NodeKind = NodeKind {
    slug: "broker",
    tier: Tier::Row,
    protocol: Protocol::Kafka,
};

/// A producer: on the bottom band.
pub const PRODUCER_KIND: NodeKind = NodeKind {
    slug: "producer",
    tier: Tier::Band,
    protocol: Protocol::Kafka,
};

/// A consumer (a group member, or a classic ZooKeeper consumer): on the bottom band.
pub const CONSUMER_KIND: NodeKind = NodeKind {
    slug: "consumer",
    tier: Tier::Band,
    protocol: Protocol::Kafka,
};

/// A classic (ZooKeeper) consumer: a consumer; its role says `classic`.
pub const ZK_CONSUMER_KIND: NodeKind = CONSUMER_KIND;

/// A running broker.
pub const BROKER: Role = Role::new("broker", "broker");
/// The broker that is the active controller.
pub const CONTROLLER: Role = Role::leader("broker controller", "controller");
/// A running producer.
pub const PRODUCER: Role = Role::presence("producer", "producer");

/// A running group consumer.
pub const CONSUMER: Role = Role::presence("consumer", "consumer");
/// A running classic consumer.
pub const ZK_CONSUMER: Role = Role::presence("consumer classic", "classic");
/// A node the scenario has not started (a spare consumer): started from its menu.
pub const NOT_STARTED: Role = Role::new("not-started", "not started");

/// Produce requests and their answers.
pub const PRODUCE: Category = Category {
    slug: "produce",
    title: "Produce",
    shape: "M-6 -4H6L0 6Z",
};
/// Fetch requests (replication) and their answers.
pub const FETCH: Category = Category {
    slug: "fetch",
    title: "Fetch (replication)",
    shape: "M-6 4H6L0 -6Z",
};
/// Controller requests: LeaderAndIsr, UpdateMetadata, AlterIsr.
pub const CONTROLLER_REQUEST: Category = Category {
    slug: "controller",
    title: "Controller requests",
    shape: "M-6 -6H6V6H-6ZM-3 -3V3H3V-3Z",
};
/// Metadata and admin requests.
pub const METADATA: Category = Category {
    slug: "metadata",
    title: "Metadata and admin",
    shape: "M0 -7L7 0L0 7L-7 0ZM0 -3L3 0L0 3L-3 0Z",
};

/// Kafka's categories, in legend order.
pub const TABLE: &[Category] = &[PRODUCE, FETCH, CONTROLLER_REQUEST, METADATA];

/// The kind of a Kafka node.
pub fn kind(node: &KafkaNode) -> NodeKind {
    match node {
        KafkaNode::Broker(_) => BROKER_KIND,
        KafkaNode::Producer(_) => PRODUCER_KIND,
        KafkaNode::ZkConsumer(_) => ZK_CONSUMER_KIND,
        KafkaNode::Consumer(_) => CONSUMER_KIND,
    }
}

/// The category of a Kafka message.
pub fn category(msg: &kafka::Msg) -> Category {
    use kafka::Msg as M;
    match msg {
        M::Produce { .. } | M::ProduceResponse { .. } => PRODUCE,
        M::Fetch { .. } | M::FetchResponse { .. } => FETCH,
        M::LeaderAndIsr { .. }
        | M::UpdateMetadata { .. }
        | M::AlterIsr { .. }
        | M::AlterIsrResponse { .. } => CONTROLLER_REQUEST,
        _ => METADATA,
    }
}

/// The role of a Kafka node.
pub fn role(node: &KafkaNode) -> Role {
    match node {
        KafkaNode::Broker(b) if b.is_controller() => CONTROLLER,
        KafkaNode::Broker(_) => BROKER,
        KafkaNode::Producer(_) => PRODUCER,
        KafkaNode::ZkConsumer(_) => ZK_CONSUMER,
        KafkaNode::Consumer(_) => CONSUMER,
    }
}

/// The card of Kafka node `id`.
pub fn card(world: &ClusterWorld, id: NodeId, node: &KafkaNode, names: &Names) -> NodeCard {
    let up = world.is_up(id) || !world.has_started(id);
    let label = names.label(id).to_string();
    let role = if up { role(node) } else { Role::DOWN };
    let mut card = NodeCard::bare(id, names, kind(node), role);
    card.up = up;
    if !world.has_started(id) {
        card.role = NOT_STARTED;
        card.detail = "not started".into();
        card.description = if world.is_idle_spare(id) {
            format!("{label} is a spare: start it from its menu and it joins in.")
        } else {
            format!("{label} has not started yet.")
        };
        return card;
    }
    if !up {
        card.detail = "down".into();
        card.description = format!("{label} is down.");
        return card;
    }
    match node {
        KafkaNode::Broker(b) => {
            let (leads, follows) = b.leads_follows();
            card.detail = format!("leads {leads} · follows {follows}");
            card.description = match b.controller_epoch() {
                Some(e) => format!(
                    "{label} is the controller (epoch {e}); it leads {leads} and follows {follows} partitions."
                ),
                None => format!("{label} leads {leads} and follows {follows} partitions."),
            };
            if b.is_controller() {
                card.badges.push("leader");
            }
        }
        KafkaNode::Producer(p) => {
            card.detail = format!("{} acked", p.acked.len());
            card.description = format!(
                "{label} produces to {}; {} records acknowledged.",
                p.topic,
                p.acked.len()
            );
        }
        KafkaNode::ZkConsumer(c) => {
            let owned = c.owned_partitions();
            card.detail = format!("owns {owned:?} · {} consumed", c.consumed_total);
            card.description = format!(
                "{label} (classic consumer {}) owns partitions {owned:?} of {}; {} records consumed, lag {}.",
                c.consumer_id,
                c.topic,
                c.consumed_total,
                c.lag()
            );
        }
        KafkaNode::Consumer(c) if c.state == kafka::consumer::MemberState::Closed => {
            card.detail = format!("closed · left {}", c.group_id);
            card.description = format!("{label} was closed: it left group {}.", c.group_id);
        }
        KafkaNode::Consumer(c) => {
            card.detail = format!(
                "gen {} · {} parts · lag {}",
                c.generation,
                c.assigned.len(),
                c.total_lag()
            );
            card.description = format!(
                "{label} consumes {} in group {}; {} records processed.",
                c.topic,
                c.group_id,
                c.consumed.len()
            );
        }
    }
    card
}
