//! What Kafka nodes' menus offer, and those inputs in words.
//!
//! - A broker: a clean shutdown (`Operator::Shutdown`: the controlled shutdown, as
//!   `kafka-server-stop.sh`), cutting it off from ZooKeeper only (the zombie case: it keeps
//!   talking to brokers and clients while its session expires), cutting it off from the other
//!   brokers only, and healing its cut links. Crash, restart and "cut off the network" are
//!   every node's (`view/actions.rs`).
//! - A producer: its `acks` (the two other values), its topic's `min.insync.replicas` (one
//!   up, one down, within 1..replication factor) and `unclean.leader.election.enable` (as
//!   `kafka-configs.sh --alter --entity-type topics`, an `Operator::AlterConfig` to the first
//!   running broker, which writes `/config/topics/<t>` and the change notification), and a
//!   burst of [`BURST`] records. The topic's items are on the producer's menu: the producer
//!   is where a person looks for "the topic", and its card names it.
//! - A group consumer: `close()` (`Operator::Leave`: commit, LeaveGroup). A spare consumer the
//!   scenario has not started is started from its menu (every node's "Start").
//!
//! Each label says the current value and the new one; the current topic config is what the
//! broker the change goes to knows.

use crate::cluster::{ClusterWorld, Msg};
use crate::kafka::config::Acks;
use crate::kafka::msg::{ConfigEntity, Operator};
use crate::kafka::{self, KafkaNode};
use crate::sim::{Input, NodeId};
use crate::view::names::Names;
use crate::view::protocols::NodeAction;

/// Records a burst sends.
pub const BURST: u32 = 10;

/// The input delivering an operator's command to `node`.
pub fn operator(node: NodeId, op: Operator) -> Input<Msg> {
    Input::Deliver(
        node,
        Msg::from(kafka::Wire::Kafka(kafka::Msg::Operator(op))),
    )
}

fn item(label: String, style: &'static str, input: Input<Msg>) -> NodeAction {
    NodeAction {
        label,
        style,
        input,
    }
}

/// What a Kafka node's menu offers beyond crash/restart/cut, and a note when something is
/// not possible now.
pub fn actions(
    world: &ClusterWorld,
    id: NodeId,
    node: &KafkaNode,
    names: &Names,
) -> (Vec<NodeAction>, Option<String>) {
    if !world.is_up(id) {
        return (Vec::new(), None);
    }
    let l = names.label(id);
    let mut out = Vec::new();
    match node {
        KafkaNode::Broker(b) => {
            if b.shutdown.is_none() {
                out.push(item(
                    format!("Shut down {l} cleanly"),
                    "danger",
                    operator(id, Operator::Shutdown),
                ));
            }
            let zk: Vec<NodeId> = names.ids().filter(|n| names.is_server_like(*n)).collect();
            let brokers: Vec<NodeId> = names
                .ids()
                .filter(|n| *n != id && world.node(*n).kafka_broker().is_some())
                .collect();
            let net = world.net();
            let all_cut = |set: &[NodeId]| set.iter().all(|n| net.is_cut((id, *n)));
            for (set, whom) in [(zk, "ZooKeeper"), (brokers, "the other brokers")] {
                if !set.is_empty() && !all_cut(&set) {
                    out.push(item(
                        format!("Cut {l} off from {whom} only"),
                        "danger",
                        Input::Partition(vec![vec![id], set]),
                    ));
                }
            }
            if net.cut_links().any(|(a, b)| a == id || b == id) {
                out.push(item(
                    format!("Heal {l}'s cut links"),
                    "primary",
                    Input::HealNode(id),
                ));
            }
        }
        KafkaNode::Producer(p) => return producer_actions(world, id, p, names),
        KafkaNode::Consumer(c) if c.state != kafka::consumer::MemberState::Closed => {
            out.push(item(
                format!("Stop {l} (close: it leaves {})", c.group_id),
                "danger",
                operator(id, Operator::Leave),
            ));
        }
        KafkaNode::Consumer(_) | KafkaNode::ZkConsumer(_) => {}
    }
    (out, None)
}

fn producer_actions(
    world: &ClusterWorld,
    id: NodeId,
    p: &kafka::producer::Producer,
    names: &Names,
) -> (Vec<NodeAction>, Option<String>) {
    let mut out = Vec::new();
    let mut note = None;
    let now = p.config.acks;
    if p.idempotence.is_some() {
        note = Some(format!(
            "{} is idempotent, so its acks stays all.",
            names.label(id)
        ));
    } else {
        for a in [Acks::All, Acks::One, Acks::Zero] {
            if a != now {
                out.push(item(
                    format!("Set acks to {} (now {})", a.name(), now.name()),
                    "",
                    operator(id, Operator::SetAcks(a)),
                ));
            }
        }
    }
    out.push(item(
        format!("Produce a burst of {BURST} records"),
        "primary",
        operator(id, Operator::Burst { count: BURST }),
    ));
    let broker = names.ids().find_map(|n| {
        let b = world.node(n).kafka_broker()?;
        (world.is_up(n) && b.shutdown.is_none()).then_some((n, b))
    });
    let Some((bn, b)) = broker else {
        let why = "No broker is running, so the topic's config cannot change now.".to_string();
        return (
            out,
            Some(note.map_or(why.clone(), |n| format!("{n} {why}"))),
        );
    };
    let t = &p.topic;
    let topic = b.dynamic.topics.get(t).cloned().unwrap_or_default();
    let min_isr = topic.min_insync_replicas(&b.config);
    let alter = |k: &str, v: String| {
        operator(
            bn,
            Operator::AlterConfig {
                entity: ConfigEntity::Topic(t.clone()),
                configs: vec![(k.to_string(), v)],
            },
        )
    };
    for v in [min_isr + 1, min_isr - 1] {
        if (1..=p.replication_factor.max(1)).contains(&v) {
            out.push(item(
                format!("Set min.insync.replicas of {t} to {v} (now {min_isr})"),
                "",
                alter("min.insync.replicas", v.to_string()),
            ));
        }
    }
    let unclean = topic.unclean_leader_election_enable(&b.config);
    out.push(item(
        format!(
            "Set unclean.leader.election.enable of {t} to {} (now {unclean})",
            !unclean
        ),
        if unclean { "" } else { "danger" },
        alter("unclean.leader.election.enable", (!unclean).to_string()),
    ));
    (out, note)
}

/// A Kafka input in words, if it is one this view knows: a topic config change, or a cut
/// between one broker and ZooKeeper or the other brokers.
pub fn input_words(input: &Input<Msg>, names: &Names) -> Option<String> {
    let broker = |n: &NodeId| names.kind_of(*n) == Some(super::BROKER_KIND);
    match input {
        Input::Deliver(n, m) => {
            let l = names.label(*n);
            let kafka::Msg::Operator(op) = m.kafka()? else {
                return None;
            };
            // The other commands' handlers narrate themselves (their notes come first).
            let Operator::AlterConfig { entity, configs } = op else {
                return None;
            };
            let (k, v) = configs.first()?;
            let path = entity.entity_path();
            Some(format!(
                "{l} sets {k}={v} (kafka-configs.sh): it writes /config/{path} and a change notification for every broker"
            ))
        }
        Input::Partition(groups) if groups.len() == 2 && groups[0].len() == 1 => {
            let b = groups[0][0];
            if !broker(&b) {
                return None;
            }
            let l = names.label(b);
            if groups[1].iter().all(|n| names.is_server_like(*n)) {
                Some(format!(
                    "{l} is cut off from ZooKeeper only: it still serves brokers and clients, but its session will expire"
                ))
            } else if groups[1].iter().all(broker) {
                Some(format!("{l} is cut off from the other brokers only"))
            } else {
                None
            }
        }
        _ => None,
    }
}

/// Whether a message is an operator's command (an input, not protocol traffic).
pub fn is_operator(msg: &kafka::Msg) -> bool {
    matches!(msg, kafka::Msg::Operator(_))
}
