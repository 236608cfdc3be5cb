//! The group ops of `kafka-script`: `consume` with a `group`, `commit` and `seek` of a group
//! client run on a real [`Consumer`] node (JoinGroup/SyncGroup/OffsetFetch/Fetch/OffsetCommit
//! through the group coordinator), one per (client, group), added when the cluster is built
//! and started by the first op that names its client. Auto-commit is off
//! (`enable.auto.commit=false`): offsets are committed only by `commit`.

use crate::kafka::config::ConsumerConfig;
use crate::kafka::consumer::{Consumer, MemberState};
use crate::kafka::msg::{Msg as KMsg, Operator};
use crate::kafka::Wire;
use crate::sim::{Input, NodeId, TimeUs, MS};

use crate::cluster::{Msg, Node};

use super::parse::{Script, ScriptOp};
use super::runner::{Line, Runner};
use super::OP_TIMEOUT_US;

/// The group consumers' poll period (ms).
pub(super) const POLL_INTERVAL_MS: u64 = 100;
/// Start time of a group consumer before its first op starts it (never reached).
pub(super) const NOT_YET_US: TimeUs = TimeUs::MAX / 4;

/// A group client of the script: its group, topic and node.
#[derive(Clone, Debug)]
pub(super) struct GroupClient {
    pub(super) group: String,
    pub(super) topic: String,
    pub(super) node: NodeId,
    /// How many of its processed records the script has returned.
    pub(super) cursor: usize,
}

/// The (client, group, topic) of every `consume` with a group, first occurrence of each
/// client only (a client is one consumer: later uses with another group are refused).
pub(super) fn group_clients(script: &Script) -> Vec<(String, String, String)> {
    let mut out: Vec<(String, String, String)> = Vec::new();
    for op in &script.ops {
        if let ScriptOp::Consume {
            client,
            group: Some(g),
            topic,
            ..
        } = op
        {
            if !out.iter().any(|(c, _, _)| c == client) {
                out.push((client.clone(), g.clone(), topic.clone()));
            }
        }
    }
    out
}

/// The script's consumer settings: Kafka's defaults with auto-commit off, `earliest` as the
/// reset policy (as the group-less consume) and the scenarios' session and poll timeouts.
pub(super) fn consumer_config() -> ConsumerConfig {
    ConsumerConfig::from_pairs(&[
        ("enable.auto.commit", "false"),
        ("auto.offset.reset", "earliest"),
        ("session.timeout.ms", "6000"),
        ("heartbeat.interval.ms", "2000"),
        ("max.poll.interval.ms", "30000"),
    ])
    .unwrap_or_default()
}

/// A group consumer node for `client`, bootstrapping from `brokers`.
pub(super) fn consumer_node(client: &str, group: &str, topic: &str, brokers: &[NodeId]) -> Node {
    Node::from(Consumer::new(
        client,
        brokers.to_vec(),
        group,
        topic,
        consumer_config(),
        POLL_INTERVAL_MS,
    ))
}

impl Runner<'_> {
    pub(super) fn consumer(&self, node: NodeId) -> Option<&Consumer> {
        self.sim.world.node(node).kafka_consumer()
    }

    /// The group client `client`, started if it was not yet; `Err` is the answer's error.
    fn group_client(
        &mut self,
        client: &str,
        group: Option<&str>,
    ) -> Result<GroupClient, (&'static str, String)> {
        let Some(gc) = self.groups.get(client).cloned() else {
            return Err((
                "INVALID_GROUP_ID",
                format!("{client} is not a group consumer (consume with a group first)"),
            ));
        };
        if group.is_some_and(|g| g != gc.group) {
            return Err((
                "INVALID_GROUP_ID",
                format!("{client} is the consumer of group {}", gc.group),
            ));
        }
        if !self.sim.world.has_started(gc.node) {
            self.sim.world.inject(Input::Restart(gc.node));
            self.step();
        }
        Ok(gc)
    }

    /// Waits (bounded) until the consumer is a stable member; false if it is not.
    fn wait_stable(&mut self, node: NodeId, until: TimeUs) -> bool {
        self.run_until(until, |r| {
            r.consumer(node)
                .is_some_and(|c| c.state == MemberState::Stable)
        })
    }

    /// Whether the consumer is stable and has processed every assigned partition up to its
    /// leader's high watermark.
    fn caught_up(&self, node: NodeId) -> bool {
        let Some(c) = self.consumer(node) else {
            return false;
        };
        c.state == MemberState::Stable
            && c.assigned.iter().all(|a| {
                a.processed >= 0 && a.processed >= self.leader_hw(&a.tp.topic, a.tp.partition)
            })
    }

    fn leader_hw(&self, topic: &str, partition: i32) -> i64 {
        self.brokers()
            .filter(|(n, _)| self.sim.world.is_up(*n))
            .filter_map(|(_, b)| b.replicas.get(&(topic.to_string(), partition)))
            .filter(|r| r.role == crate::kafka::broker::ReplicaRole::Leader)
            .map(|r| r.log.high_watermark())
            .max()
            .unwrap_or(-1)
    }

    /// The key of a processed record (the consumer keeps only the value), from a broker's
    /// replica that holds the same record at that offset.
    fn key_of(&self, topic: &str, partition: i32, offset: i64, value: &str) -> Option<String> {
        self.brokers()
            .filter_map(|(_, b)| b.replicas.get(&(topic.to_string(), partition)))
            .filter_map(|r| r.log.record_at(offset))
            .find(|r| r.data.value == value)
            .and_then(|r| r.data.key.clone())
    }

    /// `consume` with a group: up to `max` records the consumer processes from now (or had
    /// processed since the previous `consume`), waiting until it has `max` or has caught up.
    pub(super) fn consume_in_group(
        &mut self,
        head: Line,
        client: &str,
        group: &str,
        topic: &str,
        max: usize,
    ) -> Line {
        let head = head.val("group", group).val("topic", topic);
        let gc = match self.group_client(client, Some(group)) {
            Ok(gc) => gc,
            Err((e, m)) => return head.error(e, &m),
        };
        if gc.topic != topic {
            let m = format!("{client} is subscribed to {}", gc.topic);
            return head.error("INVALID_REQUEST", &m);
        }
        let node = gc.node;
        let deadline = self.now_us() + OP_TIMEOUT_US;
        let have = |r: &Runner| r.consumer(node).map_or(0, |c| c.consumed.len());
        self.run_until(deadline, |r| {
            have(r) >= gc.cursor + max || r.caught_up(node)
        });
        // Records a caught-up consumer already fetched are handed over at the next poll.
        let settle = self.now_us() + 2 * POLL_INTERVAL_MS * MS;
        self.run_until(settle, |r| have(r) >= gc.cursor + max);
        let Some(c) = self.consumer(node) else {
            return head.error("UNKNOWN_SERVER_ERROR", "no consumer node");
        };
        let end = c.consumed.len().min(gc.cursor + max);
        let got: Vec<(i32, i64, String)> = c.consumed[gc.cursor.min(end)..end]
            .iter()
            .map(|r| (r.partition, r.offset, r.value.clone()))
            .collect();
        let generation = c.generation;
        let coordinator = c.coordinator.as_ref().map_or(-1, |b| b.id);
        let mut assigned: Vec<i32> = c.assigned.iter().map(|a| a.tp.partition).collect();
        assigned.sort_unstable();
        let stable = c.state == MemberState::Stable;
        if let Some(g) = self.groups.get_mut(client) {
            g.cursor = end;
        }
        let records: Vec<String> = got
            .iter()
            .map(|(p, o, v)| {
                Line::new()
                    .val("partition", p)
                    .val("offset", o)
                    .val("key", self.key_of(topic, *p, *o, v))
                    .val("value", v)
                    .finish()
            })
            .collect();
        let line = head
            .val("ok", true)
            .val("generation", generation)
            .val("coordinator", coordinator)
            .val("assigned", assigned)
            .raw("records", format!("[{}]", records.join(",")));
        if stable {
            line
        } else {
            line.val("message", "not a stable member of the group yet")
        }
    }

    /// `commitSync()` of the group client: its processed positions, once it is a stable
    /// member; waits for the `OffsetCommit` answer.
    pub(super) fn commit(&mut self, head: Line, client: &str, group: Option<&str>) -> Line {
        let gc = match self.group_client(client, group) {
            Ok(gc) => gc,
            Err((e, m)) => return head.error(e, &m),
        };
        let head = head.val("group", &gc.group);
        let node = gc.node;
        let deadline = self.now_us() + OP_TIMEOUT_US;
        if !self.wait_stable(node, deadline) {
            return head.error("REBALANCE_IN_PROGRESS", "not a stable member of the group");
        }
        let before = self
            .consumer(node)
            .map_or((0, 0), |c| (c.commits_sent, c.errors.len()));
        self.deliver(node, Operator::Commit);
        let Some(c) = self.consumer(node) else {
            return head.error("UNKNOWN_SERVER_ERROR", "no consumer node");
        };
        if c.commits_sent == before.0 {
            // Nothing processed yet (or no coordinator): nothing to commit.
            return head
                .val("ok", true)
                .val("offsets", Vec::<(i32, i64)>::new());
        }
        self.run_until(deadline, |r| {
            r.consumer(node).is_some_and(|c| !c.commit_in_flight())
        });
        let Some(c) = self.consumer(node) else {
            return head.error("UNKNOWN_SERVER_ERROR", "no consumer node");
        };
        if c.commit_in_flight() {
            return head.error("REQUEST_TIMED_OUT", "no OffsetCommit answer");
        }
        let failed = c
            .errors
            .iter()
            .skip(before.1)
            .rev()
            .find(|(what, _)| *what == "OffsetCommit");
        if let Some((_, e)) = failed {
            return head.error(e.name(), "");
        }
        let offsets: Vec<(i32, i64)> = c
            .last_commit
            .iter()
            .map(|s| (s.tp.partition, s.offset))
            .collect();
        head.val("ok", true).val("offsets", offsets)
    }

    /// `seek` of a group client: `Operator::Seek` on an assigned partition.
    pub(super) fn seek_in_group(
        &mut self,
        head: Line,
        client: &str,
        partition: i32,
        offset: i64,
    ) -> Line {
        let gc = match self.group_client(client, None) {
            Ok(gc) => gc,
            Err((e, m)) => return head.error(e, &m),
        };
        let node = gc.node;
        let deadline = self.now_us() + OP_TIMEOUT_US;
        if !self.wait_stable(node, deadline) {
            return head.error("REBALANCE_IN_PROGRESS", "not a stable member of the group");
        }
        let assigned = self
            .consumer(node)
            .is_some_and(|c| c.assigned.iter().any(|a| a.tp.partition == partition));
        if !assigned {
            return head.error(
                "ILLEGAL_STATE",
                &format!(
                    "No current assignment for partition {}-{partition}",
                    gc.topic
                ),
            );
        }
        self.deliver(node, Operator::Seek { partition, offset });
        head.val("ok", true)
    }

    /// Delivers an operator command to `node` and takes one step.
    pub(super) fn deliver(&mut self, node: NodeId, op: Operator) {
        let msg = Msg::from(Wire::Kafka(KMsg::Operator(op)));
        self.sim.world.inject(Input::Deliver(node, msg));
        self.step();
    }
}
