//! What the view remembers of a Kafka run beyond the current step, for the Metrics and
//! Groups panels: every metric's value as change points (step, value), each consumer
//! group's lag and committed offset per partition the same way, and the steps at which
//! an `OffsetCommit` reached its coordinator.
//!
//! Observed once per new step (see [`crate::view::history`]): the metrics are summed over the
//! brokers ([`super::metrics::world_values`]) and only a change is stored, so a quiet run
//! costs nothing and a value at any past step is a binary search. The counters Kafka keeps
//! as meters are counted here from what the steps show, each for the broker whose handler
//! ran (a step's changes are its actor's), kept per broker since that broker last started
//! (down: 0) and shown summed over the running brokers (see [`super::metrics`] for why):
//! * `IsrShrinksPerSec` / `IsrExpandsPerSec`: a leader's confirmed ISR got smaller / larger
//!   within one leader epoch (Kafka marks them when its `AlterIsr` or ZooKeeper ISR write
//!   succeeds; a new leader epoch is the controller's election, not a shrink);
//! * `LeaderElectionRateAndTimeMs`: the active controller's view of the live brokers
//!   changed within its epoch (Kafka times its `BrokerChange` events under this name);
//! * `FailedProduceRequestsPerSec`: partition errors a broker answered a Produce with that
//!   Kafka's `appendToLocalLog` marks (not `NOT_LEADER_OR_FOLLOWER`, `MESSAGE_TOO_LARGE`,
//!   unknown partitions, or the purgatory's timeouts);
//! * `UncleanLeaderElectionsPerSec`: the growth of the controller's own counter.
//!
//! A fork truncates everything after the fork step; the trackers are series too, so they
//! resume from the right state.

use crate::cluster::kafka::brokers;
use crate::cluster::{ClusterWorld, Msg, Record};
use crate::kafka::broker::ReplicaRole;
use crate::kafka::errors::KafkaError;
use crate::kafka::Msg as KMsg;
use crate::sim::{EventRecord, NodeId, VecMap};

use super::metrics::{self, COUNT, METERS};

/// Change points of one value: (step, value), steps increasing.
pub type Series = Vec<(u64, i64)>;

/// Bound on the remembered `OffsetCommit` deliveries (the oldest half goes first).
const MAX_COMMITS: usize = 4096;

/// An `OffsetCommit` that reached a broker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommitSeen {
    pub step: u64,
    pub group: String,
    pub topic: String,
    pub partition: i32,
    pub offset: i64,
    /// The consumer that sent it and the coordinator broker that got it.
    pub nodes: [NodeId; 2],
}

/// What the view remembers of a Kafka run.
#[derive(Clone, Debug, Default)]
pub struct KafkaHistory {
    /// One series per metric of [`metrics::METRICS`].
    metrics: Vec<Series>,
    /// Series by key: `lag/<group>/<topic>-<p>`, and the trackers `isr/…`, `ctl`.
    keyed: VecMap<String, Series>,
    commits: Vec<CommitSeen>,
    key: String,
    /// Per broker node: each of [`METERS`]' count since the broker last started, then the
    /// broker's own unclean-election counter as last seen.
    per_broker: Vec<(NodeId, [Series; METERS.len() + 1])>,
}

/// The value of `s` at `step` (None before its first point).
pub fn value_at(s: &Series, step: u64) -> Option<i64> {
    let at = s.partition_point(|(st, _)| *st <= step);
    at.checked_sub(1).map(|i| s[i].1)
}

/// The step at which `s` last changed, at or before `step` (None while it still has the
/// value it was first seen with).
pub fn changed_at(s: &Series, step: u64) -> Option<u64> {
    let at = s.partition_point(|(st, _)| *st <= step);
    at.checked_sub(1).filter(|i| *i > 0).map(|i| s[i].0)
}

/// `n` samples of `s` evenly spread over the `span` steps ending at `step` (0 before the
/// series began).
pub fn samples(s: &Series, step: u64, span: u64, n: u64) -> Vec<i64> {
    let start = step.saturating_sub(span);
    (1..=n)
        .map(|i| value_at(s, start + (step - start) * i / n).unwrap_or(0))
        .collect()
}

fn push(s: &mut Series, step: u64, v: i64) -> bool {
    if s.last().is_some_and(|(_, last)| *last == v) {
        return false;
    }
    s.push((step, v));
    true
}

/// Whether Kafka's `appendToLocalLog` marks `FailedProduceRequestsPerSec` for this error.
fn marks_failed_produce(e: KafkaError) -> bool {
    !matches!(
        e,
        KafkaError::None
            | KafkaError::UnknownTopicOrPartition
            | KafkaError::NotLeaderOrFollower
            | KafkaError::MessageTooLarge
            | KafkaError::RecordListTooLarge
            | KafkaError::CorruptMessage
            | KafkaError::RequestTimedOut
            | KafkaError::NotEnoughReplicasAfterAppend
            | KafkaError::InvalidRequiredAcks
            | KafkaError::NetworkException
    )
}

impl KafkaHistory {
    /// Takes note of a new step; `world` is right after it, `zk` ZooKeeper's `mntr`
    /// figures then. Nothing for a world without brokers.
    pub fn observe(
        &mut self,
        rec: &Record,
        world: &ClusterWorld,
        zk: &dyn Fn(&ClusterWorld) -> [i64; 5],
    ) {
        if crate::cluster::kafka::brokers(world).next().is_none() {
            return;
        }
        let step = rec.step;
        if self.metrics.is_empty() {
            self.metrics = vec![Vec::new(); COUNT];
        }
        let mut counted = [0i64; COUNT];
        self.track_isr(rec, world, &mut counted);
        self.track_controller(world, step, &mut counted);
        for s in &rec.sends {
            if let Some(KMsg::ProduceResponse { responses, .. }) = s.msg.kafka() {
                counted[metrics::FAILED_PRODUCE] += responses
                    .iter()
                    .filter(|r| marks_failed_produce(r.error))
                    .count() as i64;
            }
        }
        if let EventRecord::Deliver {
            msg:
                Msg::Kafka(KMsg::OffsetCommit {
                    group_id, offsets, ..
                }),
            src,
            dst,
            ..
        } = &rec.event
        {
            if self.commits.len() >= MAX_COMMITS {
                self.commits.drain(..MAX_COMMITS / 2);
            }
            for (tp, offset) in offsets {
                self.commits.push(CommitSeen {
                    step,
                    group: group_id.clone(),
                    topic: tp.topic.clone(),
                    partition: tp.partition,
                    offset: *offset,
                    nodes: [*src, *dst],
                });
            }
        }
        let mut values = metrics::world_values(world, zk);
        self.count_per_broker(rec, world, &counted, &mut values);
        for (s, v) in self.metrics.iter_mut().zip(values) {
            push(s, step, v);
        }
        for (group, tp, lag) in super::groups::lags(world) {
            self.set_key(
                &["lag/", group, "/", &tp.topic, "-"],
                tp.partition,
                step,
                lag,
            );
        }
    }

    /// Adds this step's counts to its actor's meters, zeroes the meters of brokers that are
    /// down, and writes the sums over the brokers into `values`.
    fn count_per_broker(
        &mut self,
        rec: &Record,
        world: &ClusterWorld,
        counted: &[i64; COUNT],
        values: &mut [i64; COUNT],
    ) {
        let unclean = METERS.len();
        for (id, b) in brokers(world) {
            let at = match self.per_broker.iter().position(|(n, _)| *n == id) {
                Some(at) => at,
                None => {
                    self.per_broker.push((id, Default::default()));
                    self.per_broker.len() - 1
                }
            };
            let series = &mut self.per_broker[at].1;
            let last = |s: &Series| s.last().map_or(0, |(_, v)| *v);
            let raw = b.unclean_elections as i64;
            let new_unclean = (raw - last(&series[unclean])).max(0);
            push(&mut series[unclean], rec.step, raw);
            let up = world.is_up(id);
            for (k, &m) in METERS.iter().enumerate() {
                let add = if m == metrics::UNCLEAN {
                    new_unclean
                } else if rec.actor() == Some(id) {
                    counted[m]
                } else {
                    0
                };
                let v = if up { last(&series[k]) + add } else { 0 };
                push(&mut series[k], rec.step, v);
                values[m] += v;
            }
        }
    }

    fn set_key(&mut self, parts: &[&str], n: i32, step: u64, v: i64) -> bool {
        self.key.clear();
        for p in parts {
            self.key.push_str(p);
        }
        self.key.push_str(&n.to_string());
        match self.keyed.get_mut(self.key.as_str()) {
            Some(s) => push(s, step, v),
            None => {
                self.keyed.insert(self.key.clone(), vec![(step, v)]);
                false
            }
        }
    }

    /// Counts confirmed ISR shrinks and expands of the broker whose handler ran.
    fn track_isr(&mut self, rec: &Record, world: &ClusterWorld, counted: &mut [i64; COUNT]) {
        let Some(node) = rec.actor() else { return };
        let Some(b) = world.node(node).kafka_broker() else {
            return;
        };
        if !world.is_up(node) {
            return;
        }
        let id = b.id.to_string();
        for r in b.replicas.values() {
            // epoch × 1024 + ISR size while leading, -1 otherwise.
            let v = if r.role == ReplicaRole::Leader {
                i64::from(r.leader_epoch) * 1024 + r.isr.len() as i64
            } else {
                -1
            };
            let before = self.get_key(&["isr/", &id, "/", &r.topic, "-"], r.partition);
            if self.set_key(&["isr/", &id, "/", &r.topic, "-"], r.partition, rec.step, v) {
                if let Some(b4) = before.filter(|b4| *b4 >= 0 && v >= 0 && b4 / 1024 == v / 1024) {
                    if v < b4 {
                        counted[metrics::ISR_SHRINKS] += 1;
                    } else {
                        counted[metrics::ISR_EXPANDS] += 1;
                    }
                }
            }
        }
    }

    fn get_key(&mut self, parts: &[&str], n: i32) -> Option<i64> {
        self.key.clear();
        for p in parts {
            self.key.push_str(p);
        }
        self.key.push_str(&n.to_string());
        self.keyed
            .get(self.key.as_str())
            .and_then(|s| s.last().map(|(_, v)| *v))
    }

    /// Counts the active controller's broker changes.
    fn track_controller(&mut self, world: &ClusterWorld, step: u64, counted: &mut [i64; COUNT]) {
        let Some((_, b)) = crate::cluster::kafka::controller(world) else {
            return;
        };
        let Some(c) = &b.controller else { return };
        let mask = c
            .live
            .keys()
            .fold(0i64, |m, id| m | 1 << (id.rem_euclid(40)));
        let v = i64::from(c.epoch) << 40 | mask;
        let before = self.get_key(&["ctl"], 0);
        if self.set_key(&["ctl"], 0, step, v) && before.is_some_and(|b4| b4 >> 40 == v >> 40) {
            counted[metrics::LEADER_ELECTIONS] += 1;
        }
    }

    /// Forgets everything after `step`.
    pub fn truncate(&mut self, step: u64) {
        for s in self.metrics.iter_mut().chain(self.keyed.values_mut()) {
            s.retain(|(st, _)| *st <= step);
        }
        self.commits.retain(|c| c.step <= step);
        for s in self.per_broker.iter_mut().flat_map(|(_, s)| s.iter_mut()) {
            s.retain(|(st, _)| *st <= step);
        }
    }

    /// Metric `i`'s series (empty before Kafka was observed).
    pub fn metric(&self, i: usize) -> &[(u64, i64)] {
        self.metrics.get(i).map_or(&[], |s| s.as_slice())
    }

    /// The lag series of a group's partition.
    pub fn lag(&self, group: &str, topic: &str, partition: i32) -> Option<&Series> {
        let key = format!("lag/{group}/{topic}-{partition}");
        self.keyed.get(key.as_str())
    }

    /// The last `OffsetCommit` of `offset` for this group's partition that reached a broker
    /// at or before `cursor`.
    pub fn commit_seen(
        &self,
        group: &str,
        topic: &str,
        partition: i32,
        offset: i64,
        cursor: u64,
    ) -> Option<&CommitSeen> {
        self.commits.iter().rev().find(|c| {
            c.step <= cursor
                && c.offset == offset
                && c.partition == partition
                && c.group == group
                && c.topic == topic
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_series_answers_values_changes_and_samples_at_any_step() {
        let mut s = Series::new();
        assert!(push(&mut s, 3, 1));
        assert!(!push(&mut s, 5, 1));
        assert!(push(&mut s, 9, 4));
        assert_eq!(value_at(&s, 2), None);
        assert_eq!(value_at(&s, 8), Some(1));
        assert_eq!(changed_at(&s, 8), None);
        assert_eq!(changed_at(&s, 20), Some(9));
        assert_eq!(samples(&s, 10, 8, 4), vec![1, 1, 1, 4]);
    }

    #[test]
    fn broker_meters_start_from_zero_with_their_broker_and_are_summed_over_running_ones() {
        let mut sim = crate::cluster::build(
            "kafka-controller-failover",
            &crate::cluster::BuildOptions::seed(1),
        )
        .unwrap();
        let mut h = KafkaHistory::default();
        let (mut restarted, mut dropped) = (false, false);
        let mut was_down = Vec::new();
        while sim.world.now_us() < 40 * crate::sim::SEC {
            let Some(rec) = sim.step() else { break };
            h.observe(&rec, &sim.world, &|_| [0; 5]);
            for (k, &m) in METERS.iter().enumerate() {
                let mut sum = 0;
                for (id, s) in &h.per_broker {
                    let v = value_at(&s[k], rec.step).unwrap_or(0);
                    if !sim.world.is_up(*id) {
                        assert_eq!(v, 0, "a down broker has no meters");
                    } else if was_down.contains(id) {
                        restarted = true;
                    }
                    sum += v;
                }
                assert_eq!(value_at(&h.metrics[m], rec.step), Some(sum));
                let before = value_at(&h.metrics[m], rec.step - 1).unwrap_or(0);
                dropped |= sum < before;
            }
            for (id, _) in brokers(&sim.world) {
                if !sim.world.is_up(id) && !was_down.contains(&id) {
                    was_down.push(id);
                }
            }
        }
        assert!(restarted, "a broker came back");
        assert!(dropped, "a crashed broker's meters left the sum");
    }

    #[test]
    fn only_errors_kafka_marks_count_as_failed_produce_requests() {
        assert!(marks_failed_produce(KafkaError::NotEnoughReplicas));
        assert!(!marks_failed_produce(KafkaError::NotLeaderOrFollower));
        assert!(!marks_failed_produce(KafkaError::None));
    }
}
