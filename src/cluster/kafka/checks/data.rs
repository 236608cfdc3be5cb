//! Kafka data checkers (sheet C.18 items 5 and 7): what producers were told against what the
//! logs hold.
//!
//! The **current leader** of a partition is the running broker that leads it in the highest
//! leader epoch (a deposed leader that has not heard of the new epoch does not count). A
//! record matches an acknowledgement when it has the same producer id and sequence
//! (idempotent records) or the same key and value (others; the scenarios' values are unique
//! per producer).
//!
//! * `kafka.acked-never-lost`: an `acks=all` record acknowledged at (partition, offset) is, at
//!   every later step, at that offset in the current leader's log and in every running ISR
//!   replica's log that reaches that offset — **while the settings are safe**: unclean leader
//!   election off, `min.insync.replicas` ≥ 2 for the topic, no bug switch on. Under unsafe
//!   settings a loss is not a violation but teaching material, counted by
//!   [`acknowledged_writes_lost`].
//! * `kafka.per-partition-order`: where Kafka promises order — idempotence on, or
//!   `max.in.flight.requests.per.connection=1` — a producer's acknowledged records that are
//!   still in the current leader's log sit at increasing offsets in `send()` order.
//! * `kafka.no-duplicates`: with idempotence on, no (producer id, epoch, sequence) appears
//!   twice below the current leader's high watermark.

use crate::cluster::checkers::{AnyChecker, ClusterChecker};
use crate::cluster::{Node, Record};
use crate::kafka::broker::{Replica, ReplicaRole};
use crate::kafka::config::Acks;
use crate::kafka::log::{Record as LogRecord, NO_PRODUCER_ID};
use crate::kafka::producer::{Acked, Producer};
use crate::sim::{CheckKind, CheckerInfo, NodeId, VecSet, World};

use super::super::{producers, running_brokers};

/// The data checkers, fresh.
pub fn checkers() -> Vec<AnyChecker> {
    vec![
        AnyChecker::new(AckedNeverLost::default()),
        AnyChecker::new(PerPartitionOrder::default()),
        AnyChecker::new(NoDuplicates::default()),
    ]
}

/// A partition's current leader: broker id and its replica.
struct Leader<'a> {
    broker: i32,
    replica: &'a Replica,
}

/// The current leader of `topic-partition`, if any.
fn current_leader<'a>(world: &'a World<Node>, topic: &str, partition: i32) -> Option<Leader<'a>> {
    let key = (topic.to_string(), partition);
    running_brokers(world)
        .filter_map(|(_, b)| {
            b.replicas
                .get(&key)
                .filter(|r| r.role == ReplicaRole::Leader)
                .map(|r| Leader {
                    broker: b.id,
                    replica: r,
                })
        })
        .max_by_key(|l| l.replica.leader_epoch)
}

/// Whether a log record is the acknowledged one.
fn matches(rec: &LogRecord, acked: &Acked) -> bool {
    if acked.producer_id != NO_PRODUCER_ID {
        rec.data.producer_id == acked.producer_id
            && rec.data.producer_epoch == acked.producer_epoch
            && rec.data.sequence == acked.sequence
    } else {
        rec.data.key == acked.key && rec.data.value == acked.value
    }
}

/// Whether an acknowledged record is gone from a replica's log: its offset is reached (and
/// not yet deleted by retention) but holds another record.
fn missing_from(replica: &Replica, acked: &Acked) -> bool {
    let log = &replica.log;
    if acked.offset < log.log_start_offset() {
        return false;
    }
    match log.record_at(acked.offset) {
        Some(rec) => !matches(rec, acked),
        None => true,
    }
}

/// Whether the settings under which a loss of `acks=all` data would be a bug hold for the
/// topic's partition led by `leader`.
fn safe_settings(world: &World<Node>, leader: &Replica) -> bool {
    running_brokers(world).all(|(_, b)| {
        let c = &b.config;
        let unclean = leader.log_config.unclean_leader_election_enable(c);
        let min_isr = leader.log_config.min_insync_replicas(c);
        !unclean && min_isr >= 2 && !c.bugs.any()
    })
}

/// `kafka.acked-never-lost`.
#[derive(Clone, Debug, Default)]
pub struct AckedNeverLost {
    /// What the last check saw: every running replica's (broker, partition, role, epoch,
    /// log start, LEO, ISR size) and every producer's acknowledgement count. Logs only change
    /// with one of those, so an unchanged fingerprint needs no new check.
    fingerprint: Vec<i64>,
}

fn fingerprint(world: &World<Node>) -> Vec<i64> {
    let mut out = Vec::new();
    for (_, b) in running_brokers(world) {
        for r in b.replicas.values() {
            out.extend([
                i64::from(b.id),
                i64::from(r.partition),
                r.role as i64,
                i64::from(r.leader_epoch),
                r.log.log_start_offset(),
                r.log.log_end_offset(),
                r.isr.len() as i64,
            ]);
        }
    }
    for (_, p) in producers(world) {
        out.push(p.acked.len() as i64);
    }
    out
}

impl AckedNeverLost {
    fn check(world: &World<Node>, p: &Producer) -> Option<String> {
        let parts: VecSet<i32> = p.acked.iter().map(|a| a.partition).collect();
        for part in parts {
            let Some(leader) = current_leader(world, &p.topic, part) else {
                continue;
            };
            if !safe_settings(world, leader.replica) {
                continue;
            }
            let key = (p.topic.clone(), part);
            let isr: Vec<(i32, &Replica)> = running_brokers(world)
                .filter(|(_, b)| b.id != leader.broker && leader.replica.isr.contains(&b.id))
                .filter_map(|(_, b)| b.replicas.get(&key).map(|r| (b.id, r)))
                .collect();
            let acked = p
                .acked
                .iter()
                .filter(|a| a.partition == part && a.acks == Acks::All && a.offset >= 0);
            for a in acked {
                if missing_from(leader.replica, a) {
                    return Some(format!(
                        "{}-{part}: {} acknowledged {} at offset {} (acks=all), but leader broker {} has {} there",
                        p.topic,
                        p.name,
                        a.value,
                        a.offset,
                        leader.broker,
                        what_is_at(leader.replica, a.offset)
                    ));
                }
                for (id, r) in &isr {
                    if a.offset < r.log.log_end_offset() && missing_from(r, a) {
                        return Some(format!(
                            "{}-{part}: {} acknowledged {} at offset {} (acks=all), but in-sync broker {id} has {} there",
                            p.topic,
                            p.name,
                            a.value,
                            a.offset,
                            what_is_at(r, a.offset)
                        ));
                    }
                }
            }
        }
        None
    }
}

impl ClusterChecker for AckedNeverLost {
    fn info(&self) -> CheckerInfo {
        CheckerInfo {
            name: "kafka.acked-never-lost",
            kind: CheckKind::Always,
            description: "an acks=all write, once acknowledged, stays in the leader's and every in-sync replica's log (clean elections, min.insync.replicas >= 2)",
        }
    }

    fn after_step(&mut self, world: &World<Node>, _rec: &Record) -> Option<String> {
        let now = fingerprint(world);
        if now == self.fingerprint {
            return None;
        }
        self.fingerprint = now;
        producers(world).find_map(|(_, p)| Self::check(world, p))
    }
}

fn what_is_at(r: &Replica, offset: i64) -> String {
    match r.log.record_at(offset) {
        Some(rec) => rec.data.value.clone(),
        None => format!("nothing (log end {})", r.log.log_end_offset()),
    }
}

/// Acknowledged records no longer where they were acknowledged, under any settings:
/// `acks=1`/`acks=all` records not at their offset in the current leader's log, `acks=0`
/// records nowhere in it. Partitions without a leader are not counted.
pub fn acknowledged_writes_lost(world: &World<Node>) -> u64 {
    lost_writes(world).len() as u64
}

/// The records [`acknowledged_writes_lost`] counts, with their topic.
pub fn lost_writes(world: &World<Node>) -> Vec<(&str, &Acked)> {
    let mut out = Vec::new();
    for (_, p) in producers(world) {
        out.extend(
            producer_lost_writes(world, p)
                .into_iter()
                .map(|a| (p.topic.as_str(), a)),
        );
    }
    out
}

/// One producer's acknowledged records that are gone from the current leader's log (see
/// [`acknowledged_writes_lost`]).
pub fn producer_lost_writes<'a>(world: &World<Node>, p: &'a Producer) -> Vec<&'a Acked> {
    p.acked
        .iter()
        .filter(|a| {
            let Some(leader) = current_leader(world, &p.topic, a.partition) else {
                return false;
            };
            if a.offset >= 0 {
                missing_from(leader.replica, a)
            } else {
                !leader.replica.log.records().iter().any(|r| matches(r, a))
            }
        })
        .collect()
}

/// Whether a log record is the acknowledged one (same producer id and sequence, or same
/// key and value).
pub fn is_acked_record(rec: &LogRecord, acked: &Acked) -> bool {
    matches(rec, acked)
}

/// Whether Kafka promises `send()` order per partition for this producer.
fn promises_order(p: &Producer) -> bool {
    p.config.acks != Acks::Zero
        && (p.config.enable_idempotence || p.config.max_in_flight_requests_per_connection <= 1)
}

/// `kafka.per-partition-order`.
#[derive(Clone, Debug, Default)]
pub struct PerPartitionOrder {
    /// Per producer node, the number of acknowledgements already checked.
    seen: Vec<(NodeId, usize)>,
}

impl PerPartitionOrder {
    fn check(world: &World<Node>, p: &Producer) -> Option<String> {
        let parts: VecSet<i32> = p.acked.iter().map(|a| a.partition).collect();
        for part in parts {
            let leader = current_leader(world, &p.topic, part);
            let mut acks: Vec<&Acked> = p
                .acked
                .iter()
                .filter(|a| a.partition == part && a.offset >= 0)
                .filter(|a| leader.as_ref().is_none_or(|l| !missing_from(l.replica, a)))
                .collect();
            crate::sim::sort::sort_by_key(&mut acks, |a| a.send_index);
            for w in acks.windows(2) {
                if w[1].offset <= w[0].offset {
                    return Some(format!(
                        "{}-{part}: {} sent {} before {}, but they sit at offsets {} and {}",
                        p.topic, p.name, w[0].value, w[1].value, w[0].offset, w[1].offset
                    ));
                }
            }
        }
        None
    }
}

impl ClusterChecker for PerPartitionOrder {
    fn info(&self) -> CheckerInfo {
        CheckerInfo {
            name: "kafka.per-partition-order",
            kind: CheckKind::Always,
            description: "with idempotence or one request in flight, a producer's acknowledged records keep send() order within a partition",
        }
    }

    fn after_step(&mut self, world: &World<Node>, _rec: &Record) -> Option<String> {
        for (id, p) in producers(world) {
            if !promises_order(p) {
                continue;
            }
            let n = p.acked.len();
            match self.seen.iter_mut().find(|(node, _)| *node == id) {
                Some((_, seen)) if *seen == n => continue,
                Some((_, seen)) => *seen = n,
                None => self.seen.push((id, n)),
            }
            if let Some(v) = Self::check(world, p) {
                return Some(v);
            }
        }
        None
    }
}

/// `kafka.no-duplicates`.
#[derive(Clone, Debug, Default)]
pub struct NoDuplicates {
    /// Per (leader broker, partition): the high watermark already checked.
    seen: Vec<((i32, String, i32), i64)>,
}

impl ClusterChecker for NoDuplicates {
    fn info(&self) -> CheckerInfo {
        CheckerInfo {
            name: "kafka.no-duplicates",
            kind: CheckKind::Always,
            description: "an idempotent producer's record appears at most once in a partition's committed log",
        }
    }

    fn after_step(&mut self, world: &World<Node>, _rec: &Record) -> Option<String> {
        for (_, b) in running_brokers(world) {
            for r in b.replicas.values() {
                if r.role != ReplicaRole::Leader {
                    continue;
                }
                let key = (b.id, r.topic.clone(), r.partition);
                let hw = r.log.high_watermark();
                match self.seen.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, seen)) if *seen == hw => continue,
                    Some((_, seen)) => *seen = hw,
                    None => self.seen.push((key, hw)),
                }
                let mut ids: Vec<(i64, i16, i32, i64)> = r
                    .log
                    .records()
                    .iter()
                    .filter(|x| x.offset < hw && x.data.producer_id != NO_PRODUCER_ID)
                    .map(|x| {
                        let d = &x.data;
                        (d.producer_id, d.producer_epoch, d.sequence, x.offset)
                    })
                    .collect();
                crate::sim::sort::sort(&mut ids);
                for w in ids.windows(2) {
                    if w[0].0 == w[1].0 && w[0].1 == w[1].1 && w[0].2 == w[1].2 {
                        return Some(format!(
                            "{}-{}: producer {} epoch {} sequence {} is committed twice, at offsets {} and {} (leader broker {})",
                            r.topic, r.partition, w[0].0, w[0].1, w[0].2, w[0].3, w[1].3, b.id
                        ));
                    }
                }
            }
        }
        None
    }
}
