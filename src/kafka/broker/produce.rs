//! The produce path on a partition leader (`ReplicaManager.appendRecords`,
//! `Partition.appendRecordsToLeader`, `Log.append`, `DelayedProduce`, 2.8.2; sheet C.10, C.11).
//!
//! Per batch of a `Produce` request, in Kafka's order:
//!
//! 1. `acks` not in {-1, 0, 1} → `INVALID_REQUIRED_ACKS` for every batch.
//! 2. Not the leader → `NOT_LEADER_OR_FOLLOWER`.
//! 3. `acks=all` and the (committed) ISR smaller than `min.insync.replicas` (the topic's
//!    override, else the broker's) → `NOT_ENOUGH_REPLICAS`, nothing written.
//! 4. The batch (61-byte header + records) larger than the topic's `max.message.bytes`
//!    (else the broker's `message.max.bytes`) → `MESSAGE_TOO_LARGE`; larger than
//!    `segment.bytes` → `RECORD_LIST_TOO_LARGE` (`RecordBatchTooLargeException`).
//! 5. An idempotent batch goes through [`ProducerStateManager::check_client_batch`]: a
//!    duplicate of one of the producer's last 5 batches is answered **success with the
//!    original offsets** and not appended again; a gap is `OUT_OF_ORDER_SEQUENCE_NUMBER`; a
//!    stale epoch `INVALID_PRODUCER_EPOCH`.
//! 6. Append, record the batch in the producer state, try to advance the HW.
//!
//! `acks=0` is never answered (Kafka closes the connection if a batch failed; here a note
//! says so). `acks=1` is answered at once. `acks=all` parks the request until, for every
//! batch, the HW passes its last offset — then `NONE`, or `NOT_ENOUGH_REPLICAS_AFTER_APPEND`
//! if the maximal ISR is now below the minimum — or the leadership is lost
//! (`NOT_LEADER_OR_FOLLOWER`), or `TimeoutMs` passes (`REQUEST_TIMED_OUT`).
//!
//! Bug switches planted here: `HwBeforeIsr` moves the HW to the leader's own LEO at append;
//! `NoDuplicateCheck` skips the sequence checks.
//!
//! Simplified: the topic's config overrides are read from `/config/topics/<t>` once, when the
//! broker creates the log (as `LogManager` does); later changes need the dynamic-config path.

use super::{Broker, KCtx, ZkReq};
use crate::kafka::bugs::KafkaBug;
use crate::kafka::config::TopicConfig;
use crate::kafka::errors::KafkaError;
use crate::kafka::log::{LogLimits, Record, NO_PRODUCER_ID, RECORD_BATCH_OVERHEAD};
use crate::kafka::msg::{Msg, PartitionResponse, ProduceBatch, Timer};
use crate::kafka::partition_state::maybe_increment_leader_hw;
use crate::kafka::producer_state::{ProducerBatch, ProducerStateManager, SequenceCheck};
use crate::kafka::znodes::{decode_entity_config, paths};
use crate::sim::{NodeId, TimeUs, MS};
use crate::zk::msg::{ClientOp, ReplyBody};
use crate::zk::ErrorCode;

use super::replica::{now_ms, Replica, ReplicaRole};

/// One batch of a parked `acks=all` request.
#[derive(Clone, Debug, PartialEq)]
pub struct DelayedPart {
    pub partition: i32,
    pub error: KafkaError,
    pub base_offset: i64,
    pub last_offset: i64,
    /// Still waiting for the HW.
    pub pending: bool,
}

/// An `acks=all` produce waiting for the HW (`DelayedProduce`).
#[derive(Clone, Debug, PartialEq)]
pub struct DelayedProduce {
    pub client: NodeId,
    pub correlation_id: i32,
    pub topic: String,
    pub parts: Vec<DelayedPart>,
    pub deadline_us: TimeUs,
}

/// The producer batch a client batch's records describe.
fn batch_of(records: &[crate::kafka::log::RecordData]) -> ProducerBatch {
    let first = records.first();
    ProducerBatch {
        producer_id: first.map_or(NO_PRODUCER_ID, |r| r.producer_id),
        producer_epoch: first.map_or(-1, |r| r.producer_epoch),
        base_sequence: first.map_or(-1, |r| r.base_sequence),
        record_count: i32::try_from(records.len()).unwrap_or(i32::MAX),
    }
}

/// A follower's append: records of one batch (same producer, epoch and base sequence, in a
/// row) become one entry of the producer state, as `ProducerAppendInfo` with origin
/// `Replication` records them.
pub(super) fn replicate_producer_state(psm: &mut ProducerStateManager, records: &[Record]) {
    let mut i = 0;
    while i < records.len() {
        let first = &records[i].data;
        let mut j = i + 1;
        while j < records.len() {
            let d = &records[j].data;
            let same = d.producer_id == first.producer_id
                && d.producer_epoch == first.producer_epoch
                && d.base_sequence == first.base_sequence
                && records[j].leader_epoch == records[i].leader_epoch;
            if !same {
                break;
            }
            j += 1;
        }
        if first.producer_id != NO_PRODUCER_ID {
            let data: Vec<_> = records[i..j].iter().map(|r| r.data.clone()).collect();
            psm.on_append(&batch_of(&data), records[i].offset, first.timestamp_ms);
        }
        i = j;
    }
}

impl Broker {
    /// The log limits of a topic: its overrides, else the broker's settings.
    fn log_limits(&self, topic_config: &TopicConfig) -> LogLimits {
        let to_u64 = |v: i32| u64::try_from(v).unwrap_or(0);
        LogLimits {
            max_message_bytes: to_u64(topic_config.max_message_bytes(&self.config)),
            segment_bytes: to_u64(topic_config.segment_bytes(&self.config)),
            ..LogLimits::default()
        }
    }

    /// `LogManager.getOrCreateLog`: a new replica with the broker's log limits, and a read
    /// of the topic's config overrides.
    pub(super) fn create_log(&mut self, ctx: &mut KCtx, topic: &str, partition: i32) {
        let mut r = Replica::new(topic, partition);
        r.log.set_limits(self.log_limits(&TopicConfig::default()));
        self.replicas.insert(Self::key(topic, partition), r);
        let op = ClientOp::GetData {
            path: paths::config_topic(topic),
            watch: false,
        };
        let req = ZkReq::TopicLogConfig {
            topic: topic.to_string(),
        };
        self.zk_call(ctx, req, op);
    }

    /// The topic's config znode: applies its overrides to the topic's logs.
    pub(super) fn on_topic_log_config(
        &mut self,
        topic: &str,
        result: Result<ReplyBody, ErrorCode>,
    ) {
        let Ok(ReplyBody::Data { data, .. }) = result else {
            return;
        };
        let Ok(pairs) = decode_entity_config(data.as_bytes()) else {
            return;
        };
        let mut config = TopicConfig::default();
        for (k, v) in &pairs {
            // Keys this simulator does not model are ignored, as Kafka ignores unknown ones.
            let _ = config.set(k, v);
        }
        let limits = self.log_limits(&config);
        for r in self.replicas.values_mut().filter(|r| r.topic == topic) {
            r.log.set_limits(limits);
            r.log_config = config.clone();
        }
    }

    /// `ReplicaManager.appendRecords` for every batch of a `Produce` request.
    pub(super) fn on_produce(&mut self, ctx: &mut KCtx, src: NodeId, m: Msg) {
        let Msg::Produce {
            correlation_id,
            acks,
            timeout_ms,
            topic,
            batches,
        } = m
        else {
            return;
        };
        let mut parts = Vec::new();
        for b in batches {
            let (error, base_offset, last_offset) = if !matches!(acks, -1..=1) {
                (KafkaError::InvalidRequiredAcks, -1, -1)
            } else {
                match self.append_to_leader(ctx, &topic, &b, acks) {
                    Ok((first, last)) => (KafkaError::None, first, last),
                    Err(e) => (e, -1, -1),
                }
            };
            parts.push(DelayedPart {
                partition: b.partition,
                error,
                base_offset,
                last_offset,
                pending: error.is_none() && acks == -1,
            });
        }
        let d = DelayedProduce {
            client: src,
            correlation_id,
            topic,
            parts,
            deadline_us: ctx.now_us() + timeout_ms.max(0) as u64 * MS,
        };
        match acks {
            0 => {
                if d.parts.iter().any(|p| !p.error.is_none()) {
                    ctx.note(
                        "acks=0 produce failed: the broker closes the connection (no response)",
                    );
                }
            }
            -1 if d.parts.iter().any(|p| p.pending) => {
                self.parked.push(d);
                ctx.set_timer(Timer::ProduceTimeout, timeout_ms.max(0) as u64 * MS);
                self.complete_produces(ctx);
            }
            _ => Self::answer(ctx, &d),
        }
    }

    /// `Partition.appendRecordsToLeader`: the checks, the append and the HW. Returns the
    /// batch's first and last offsets.
    fn append_to_leader(
        &mut self,
        ctx: &mut KCtx,
        topic: &str,
        b: &ProduceBatch,
        acks: i16,
    ) -> Result<(i64, i64), KafkaError> {
        let now = now_ms(ctx);
        let lag = self.config.replica_lag_time_max_ms;
        let bugs = self.config.bugs;
        let min_isr = self.min_insync_replicas_for(topic);
        let Some(r) = self
            .replicas
            .get_mut(&Self::key(topic, b.partition))
            .filter(|r| r.role == ReplicaRole::Leader)
        else {
            return Err(KafkaError::NotLeaderOrFollower);
        };
        if acks == -1 && (r.isr.len() as i32) < min_isr {
            ctx.note(format!(
                "{topic}-{}: ISR {:?} is smaller than min.insync.replicas={min_isr}: NOT_ENOUGH_REPLICAS",
                b.partition, r.isr
            ));
            return Err(KafkaError::NotEnoughReplicas);
        }
        // Sizes are validated before the producer state (`analyzeAndValidateRecords`).
        let size = u64::from(RECORD_BATCH_OVERHEAD)
            + b.records
                .iter()
                .map(|x| u64::from(x.size_bytes))
                .sum::<u64>();
        let limits = r.log.limits();
        if size > limits.max_message_bytes {
            ctx.note(format!(
                "{topic}-{}: the record batch is {size} bytes, more than max.message.bytes={}: MESSAGE_TOO_LARGE",
                b.partition, limits.max_message_bytes
            ));
            return Err(KafkaError::MessageTooLarge);
        }
        if size > limits.segment_bytes {
            ctx.note(format!(
                "{topic}-{}: the record batch is {size} bytes, more than segment.bytes={}: RECORD_LIST_TOO_LARGE",
                b.partition, limits.segment_bytes
            ));
            return Err(KafkaError::RecordListTooLarge);
        }
        let batch = batch_of(&b.records);
        if batch.producer_id != NO_PRODUCER_ID && !bugs.has(KafkaBug::NoDuplicateCheck) {
            match r.producer_state.check_client_batch(&batch) {
                Ok(SequenceCheck::Duplicate(dup)) => {
                    ctx.note(format!(
                        "{topic}-{}: producer {} sequence {}..{} is a duplicate: answered with its original offset {}, not appended again",
                        b.partition, batch.producer_id, dup.first_seq, dup.last_seq, dup.first_offset
                    ));
                    return Ok((dup.first_offset, dup.last_offset));
                }
                Ok(SequenceCheck::Append) => {}
                Err(e) => {
                    let last = r.producer_state.last_sequence(batch.producer_id);
                    ctx.note(format!(
                        "{topic}-{}: producer {} sent sequence {} after {}: {}",
                        b.partition,
                        batch.producer_id,
                        batch.base_sequence,
                        last.unwrap_or(-1),
                        e.name()
                    ));
                    return Err(e);
                }
            }
        }
        let info = match r.log.append_as_leader(&b.records, r.leader_epoch) {
            Ok(i) => i,
            Err(e) => {
                ctx.note(format!("{topic}-{}: append refused: {e:?}", b.partition));
                return Err(e.kafka_error());
            }
        };
        r.producer_state.on_append(&batch, info.first_offset, now);
        if bugs.has(KafkaBug::HwBeforeIsr) {
            // Planted bug: the HW jumps to the leader's LEO, ISR followers or not.
            let leo = r.log.log_end_offset();
            let _ = r.log.maybe_increment_high_watermark(leo);
        } else {
            let isr = r.maximal_isr();
            maybe_increment_leader_hw(&mut r.log, &r.remotes, &isr, now, lag);
        }
        Ok((info.first_offset, info.last_offset))
    }

    fn answer(ctx: &mut KCtx, d: &DelayedProduce) {
        let responses = d
            .parts
            .iter()
            .map(|p| PartitionResponse {
                partition: p.partition,
                error: p.error,
                base_offset: if p.error.is_none() { p.base_offset } else { -1 },
            })
            .collect();
        let msg = Msg::ProduceResponse {
            correlation_id: d.correlation_id,
            topic: d.topic.clone(),
            responses,
        };
        ctx.send(d.client, msg);
    }

    /// `DelayedProduce.tryComplete` for every parked request: a batch is done once the HW
    /// passed it (`checkEnoughReplicasReachOffset`, with the maximal ISR) or this broker no
    /// longer leads its partition; a request is answered once all its batches are done.
    pub(super) fn complete_produces(&mut self, ctx: &mut KCtx) {
        let min_isr_of: Vec<(String, i32)> = self
            .parked
            .iter()
            .map(|d| (d.topic.clone(), self.min_insync_replicas_for(&d.topic)))
            .collect();
        let replicas = &self.replicas;
        let mut done = Vec::new();
        self.parked.retain_mut(|d| {
            for p in d.parts.iter_mut().filter(|p| p.pending) {
                let r = replicas
                    .get(&(d.topic.clone(), p.partition))
                    .filter(|r| r.role == ReplicaRole::Leader);
                let Some(r) = r else {
                    p.pending = false;
                    p.error = KafkaError::NotLeaderOrFollower;
                    continue;
                };
                if r.log.high_watermark() > p.last_offset {
                    p.pending = false;
                    let min_isr = min_isr_of
                        .iter()
                        .find(|(t, _)| *t == d.topic)
                        .map_or(1, |(_, m)| *m);
                    if (r.maximal_isr().len() as i32) < min_isr {
                        p.error = KafkaError::NotEnoughReplicasAfterAppend;
                    }
                }
            }
            let complete = d.parts.iter().all(|p| !p.pending);
            if complete {
                done.push(d.clone());
            }
            !complete
        });
        for d in done {
            Self::answer(ctx, &d);
        }
    }

    /// This broker stopped leading `topic-partition`: parked batches on it fail.
    pub(super) fn on_lost_leadership(&mut self, ctx: &mut KCtx, _topic: &str, _partition: i32) {
        self.complete_produces(ctx);
    }

    /// `TimeoutMs` passed: pending batches answer `REQUEST_TIMED_OUT`.
    pub(super) fn expire_produces(&mut self, ctx: &mut KCtx) {
        let now = ctx.now_us();
        let mut expired = Vec::new();
        self.parked.retain_mut(|d| {
            let due = d.deadline_us <= now;
            if due {
                for p in d.parts.iter_mut().filter(|p| p.pending) {
                    p.pending = false;
                    p.error = KafkaError::RequestTimedOut;
                }
                expired.push(d.clone());
            }
            !due
        });
        for d in expired {
            Self::answer(ctx, &d);
        }
        if let Some(next) = self.parked.iter().map(|d| d.deadline_us).min() {
            ctx.set_timer(Timer::ProduceTimeout, next.saturating_sub(now).max(1));
        }
    }
}
