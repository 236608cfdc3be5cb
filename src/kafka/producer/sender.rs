//! The producer's `Sender` (2.8.2): turns ready batches into `Produce` requests and handles
//! their answers.
//!
//! One pass ([`Producer::run_sender`], `Sender.runOnce`):
//!
//! 1. Idempotence first: no producer id → `InitProducerId` to any broker, nothing else is
//!    sent; an epoch bump due and nothing on the wire → bump.
//! 2. Fail queued batches older than `delivery.timeout.ms` (`TimeoutException`).
//! 3. Ready partitions ([`super::accumulator`]) grouped by leader; for each leader with fewer
//!    than `max.in.flight.requests.per.connection` requests unanswered, drain one batch per
//!    partition up to `max.request.size` (`drainBatchesForOneNode`), stopping at a partition
//!    whose first batch must wait (`shouldStopDrainBatchesForPartition`: no producer id yet,
//!    or a retried batch that is not the oldest unresolved one). An idempotent batch gets its
//!    producer id, epoch and base sequence the first time it is drained. With one request in
//!    flight allowed, the partitions sent are muted until the answer (`guaranteeMessageOrder`).
//! 4. `acks=0`: the batches complete at once, offset -1.
//! 5. Arm the next wake-up: linger or back-off end, the oldest request's `request.timeout.ms`.
//!
//! Answers (`completeBatch`): success (or `DUPLICATE_SEQUENCE_NUMBER`) acknowledges every
//! record at `base offset + i`; `MESSAGE_TOO_LARGE` on a batch of several records splits it
//! (`splitAndReenqueue`); a retriable error (for idempotent batches also
//! `OUT_OF_ORDER_SEQUENCE_NUMBER`) is retried while attempts < `retries` and the delivery
//! timeout has not passed, refreshing metadata after leader errors; anything else fails the
//! records. A request unanswered for `request.timeout.ms` closes the connection: every
//! request in flight to that broker fails with `NETWORK_EXCEPTION` (`NetworkClient`
//! `handleTimedOutRequests`), and their late answers are ignored.
//!
//! Simplified: batches already on the wire are not expired by `delivery.timeout.ms` until
//! their request ends (`request.timeout.ms` is smaller by default); partitions are drained in
//! ascending order, not from a rotating index; an idempotent batch is not split (it fails).

use crate::kafka::config::Acks;
use crate::kafka::errors::KafkaError;
use crate::kafka::log::{RecordData, NO_SEQUENCE};
use crate::kafka::msg::{Msg, PartitionResponse, ProduceBatch, Timer};
use crate::kafka::producer_state::increment_sequence;
use crate::sim::{NodeId, TimeUs, MS};

use super::accumulator::ClientBatch;
use super::{Acked, KCtx, Producer};

/// A `Produce` request waiting for its answer.
#[derive(Clone, Debug, PartialEq)]
pub struct InFlight {
    pub correlation_id: i32,
    pub broker: i32,
    pub node: NodeId,
    pub batches: Vec<ClientBatch>,
    pub deadline_us: TimeUs,
}

/// Errors after which the producer refreshes its metadata (`InvalidMetadataException`).
fn invalidates_metadata(e: KafkaError) -> bool {
    matches!(
        e,
        KafkaError::NotLeaderOrFollower
            | KafkaError::LeaderNotAvailable
            | KafkaError::UnknownTopicOrPartition
            | KafkaError::NetworkException
            | KafkaError::FencedLeaderEpoch
            | KafkaError::UnknownLeaderEpoch
    )
}

impl Producer {
    fn guarantee_order(&self) -> bool {
        self.config.max_in_flight_requests_per_connection <= 1
    }

    fn request_timeout_us(&self) -> TimeUs {
        self.config.request_timeout_ms.max(1) as u64 * MS
    }

    fn delivery_timeout_us(&self) -> TimeUs {
        self.config.delivery_timeout_ms.max(0) as u64 * MS
    }

    /// `Sender.runOnce`.
    pub(crate) fn run_sender(&mut self, ctx: &mut KCtx) {
        let now = ctx.now_us();
        self.time_out_requests(ctx, now);
        if !self.prepare_idempotence(ctx, now) {
            self.arm_wake(ctx, now, None);
            return;
        }
        for b in self
            .accumulator
            .expired_batches(now, self.delivery_timeout_us())
        {
            ctx.note(format!(
                "TimeoutException: expiring {} record(s) for {}-{}: {} ms has passed since batch creation",
                b.records.len(),
                self.topic,
                b.partition,
                (now - b.created_us) / MS
            ));
            self.fail_batch(b, KafkaError::RequestTimedOut);
        }
        let batch_size = self.config.batch_size.max(0) as u64;
        let linger = self.config.linger_ms.max(0) as u64 * MS;
        let (ready, next_ready) =
            self.accumulator
                .ready(now, batch_size, linger, self.backoff_us(), &self.muted);
        // Group the ready partitions by leader, in broker id order.
        let mut by_leader: Vec<(i32, Vec<i32>)> = Vec::new();
        let mut unknown_leader = false;
        for p in ready {
            let leader = self
                .partitions
                .iter()
                .find(|x| x.partition == p)
                .map_or(-1, |x| x.leader);
            if leader < 0 || !self.brokers.iter().any(|b| b.id == leader) {
                unknown_leader = true;
                continue;
            }
            match by_leader.binary_search_by_key(&leader, |x| x.0) {
                Ok(i) => by_leader[i].1.push(p),
                Err(i) => by_leader.insert(i, (leader, vec![p])),
            }
        }
        if unknown_leader {
            self.request_metadata_update(ctx);
        }
        for (leader, parts) in by_leader {
            let Some(node) = self.brokers.iter().find(|b| b.id == leader).map(|b| b.node) else {
                continue;
            };
            let in_flight = self.in_flight.iter().filter(|r| r.node == node).count();
            if in_flight as i32 >= self.config.max_in_flight_requests_per_connection.max(1) {
                continue;
            }
            let batches = self.drain(&parts);
            if !batches.is_empty() {
                self.send_produce(ctx, leader, node, batches, now);
            }
        }
        self.arm_wake(ctx, now, next_ready);
    }

    /// Idempotence before sending: the producer id, and a pending epoch bump. Returns whether
    /// batches may be drained.
    fn prepare_idempotence(&mut self, ctx: &mut KCtx, now: TimeUs) -> bool {
        let nothing_on_wire = self.in_flight.is_empty();
        let Some(idem) = self.idempotence.as_mut() else {
            return true;
        };
        if !idem.has_producer_id() {
            let stale = idem.init_in_flight.is_some() && now >= self.init_deadline_us;
            if idem.init_in_flight.is_none() || stale {
                self.correlation += 1;
                let corr = self.correlation;
                if let Some(idem) = self.idempotence.as_mut() {
                    idem.init_in_flight = Some(corr);
                }
                self.init_deadline_us = now + self.request_timeout_us();
                if let Some(node) = self.any_broker() {
                    ctx.send(
                        node,
                        Msg::InitProducerId {
                            correlation_id: corr,
                        },
                    );
                }
            }
            return false;
        }
        if idem.epoch_bump_required {
            if !nothing_on_wire {
                return false;
            }
            idem.bump_epoch();
            let epoch = idem.producer_epoch;
            ctx.note(format!(
                "bumps its producer epoch to {epoch}: sequences start again at 0 (KIP-360)"
            ));
            for b in self.accumulator.batches_mut() {
                b.base_sequence = NO_SEQUENCE;
            }
        }
        true
    }

    pub(super) fn on_init_producer_id_response(
        &mut self,
        ctx: &mut KCtx,
        correlation_id: i32,
        error: KafkaError,
        producer_id: i64,
        producer_epoch: i16,
    ) {
        let Some(idem) = self.idempotence.as_mut() else {
            return;
        };
        if idem.init_in_flight != Some(correlation_id) {
            return;
        }
        if error.is_none() {
            idem.set_producer_id(producer_id, producer_epoch);
            ctx.note(format!(
                "idempotent producer id {producer_id}, epoch {producer_epoch}"
            ));
        } else {
            idem.init_in_flight = None;
            self.init_deadline_us = ctx.now_us() + self.backoff_us();
        }
        self.run_sender(ctx);
    }

    /// `drainBatchesForOneNode`: one batch per ready partition up to `max.request.size`.
    fn drain(&mut self, parts: &[i32]) -> Vec<ClientBatch> {
        let max_size = self.config.max_request_size.max(0) as u64;
        let mut size = 0u64;
        let mut out: Vec<ClientBatch> = Vec::new();
        for &p in parts {
            let Some(first) = self.accumulator.first(p) else {
                continue;
            };
            if size + first.size_bytes() > max_size && !out.is_empty() {
                break;
            }
            if let Some(idem) = &self.idempotence {
                let first_in_flight = idem.first_in_flight_sequence(p);
                let waits = !idem.has_producer_id()
                    || (first.has_sequence()
                        && first_in_flight != NO_SEQUENCE
                        && first.base_sequence != first_in_flight);
                if waits {
                    break;
                }
            }
            let Some(mut batch) = self.accumulator.pop_first(p) else {
                continue;
            };
            if let Some(idem) = self.idempotence.as_mut() {
                if !batch.has_sequence() {
                    batch.producer_id = idem.producer_id;
                    batch.producer_epoch = idem.producer_epoch;
                    batch.base_sequence = idem.assign(p, batch.record_count());
                }
            }
            batch.closed = true;
            size += batch.size_bytes();
            out.push(batch);
        }
        out
    }

    fn send_produce(
        &mut self,
        ctx: &mut KCtx,
        leader: i32,
        node: NodeId,
        mut batches: Vec<ClientBatch>,
        now: TimeUs,
    ) {
        self.correlation += 1;
        for b in &mut batches {
            b.acks = self.config.acks;
        }
        let now_ms = (now / MS) as i64;
        let wire: Vec<ProduceBatch> = batches
            .iter()
            .map(|b| ProduceBatch {
                partition: b.partition,
                records: b
                    .records
                    .iter()
                    .enumerate()
                    .map(|(i, r)| {
                        let mut d = RecordData::new(r.key.as_deref(), &r.value, now_ms);
                        d.size_bytes = r.size_bytes;
                        if b.has_sequence() {
                            d.producer_id = b.producer_id;
                            d.producer_epoch = b.producer_epoch;
                            d.base_sequence = b.base_sequence;
                            d.sequence = increment_sequence(b.base_sequence, i as i32);
                        }
                        d
                    })
                    .collect(),
            })
            .collect();
        let msg = Msg::Produce {
            correlation_id: self.correlation,
            acks: self.config.acks.wire(),
            timeout_ms: self.config.request_timeout_ms,
            topic: self.topic.clone(),
            batches: wire,
        };
        ctx.send(node, msg);
        if self.config.acks == Acks::Zero {
            // No response will come: the batches are done once on the wire.
            for b in batches {
                self.complete_success(b, -1);
            }
            return;
        }
        if self.guarantee_order() {
            for b in &batches {
                if !self.muted.contains(&b.partition) {
                    self.muted.push(b.partition);
                }
            }
        }
        self.in_flight.push(InFlight {
            correlation_id: self.correlation,
            broker: leader,
            node,
            batches,
            deadline_us: now + self.request_timeout_us(),
        });
    }

    fn arm_wake(&mut self, ctx: &mut KCtx, now: TimeUs, next_ready: Option<TimeUs>) {
        let mut at: Option<TimeUs> = next_ready.map(|d| now + d);
        let mut consider = |t: TimeUs| at = Some(at.map_or(t, |a| a.min(t)));
        for r in &self.in_flight {
            consider(r.deadline_us);
        }
        if let Some(created) = self.accumulator.oldest_created_us() {
            consider(created + self.delivery_timeout_us());
        }
        if self
            .idempotence
            .as_ref()
            .is_some_and(|i| !i.has_producer_id())
        {
            consider(self.init_deadline_us.max(now + 1));
        }
        match at {
            Some(t) => ctx.set_timer(Timer::SenderWake, t.saturating_sub(now).max(1)),
            None => ctx.cancel_timer(Timer::SenderWake),
        }
    }

    /// `handleTimedOutRequests`: the broker's connection is closed, all its requests fail.
    fn time_out_requests(&mut self, ctx: &mut KCtx, now: TimeUs) {
        let Some(node) = self
            .in_flight
            .iter()
            .find(|r| r.deadline_us <= now)
            .map(|r| r.node)
        else {
            return;
        };
        let (dead, alive): (Vec<InFlight>, Vec<InFlight>) =
            self.in_flight.drain(..).partition(|r| r.node == node);
        self.in_flight = alive;
        let broker = dead.first().map_or(-1, |r| r.broker);
        ctx.note(format!(
            "no answer within request.timeout.ms: disconnects from broker {broker}; {} request(s) in flight fail with NETWORK_EXCEPTION",
            dead.len()
        ));
        for r in dead {
            for b in r.batches {
                self.complete_batch(ctx, b, KafkaError::NetworkException, -1);
            }
        }
        self.request_metadata_update(ctx);
        // Another broker's request may be due too.
        self.time_out_requests(ctx, now);
    }

    pub(super) fn on_produce_response(
        &mut self,
        ctx: &mut KCtx,
        src: NodeId,
        correlation_id: i32,
        responses: Vec<PartitionResponse>,
    ) {
        if !self
            .in_flight
            .iter()
            .any(|r| r.correlation_id == correlation_id)
        {
            // Its connection was closed after a timeout: the answer is dropped.
            return;
        }
        // Answers come back on one connection in request order (`InFlightRequests`); an
        // answer to another than the oldest request means earlier answers were lost.
        let Some(i) = self.in_flight.iter().position(|r| r.node == src) else {
            return;
        };
        if self.in_flight[i].correlation_id != correlation_id {
            let (dead, alive): (Vec<InFlight>, Vec<InFlight>) =
                self.in_flight.drain(..).partition(|r| r.node == src);
            self.in_flight = alive;
            ctx.note(format!(
                "the answer to request {correlation_id} overtook the answer to request {}: correlation ids do not match, disconnects; {} request(s) in flight fail with NETWORK_EXCEPTION",
                dead[0].correlation_id,
                dead.len()
            ));
            for r in dead {
                for b in r.batches {
                    self.complete_batch(ctx, b, KafkaError::NetworkException, -1);
                }
            }
            self.request_metadata_update(ctx);
            self.run_sender(ctx);
            return;
        }
        let req = self.in_flight.remove(i);
        for b in req.batches {
            let (error, base_offset) = responses
                .iter()
                .find(|r| r.partition == b.partition)
                .map_or((KafkaError::NetworkException, -1), |r| {
                    (r.error, r.base_offset)
                });
            self.complete_batch(ctx, b, error, base_offset);
        }
        self.run_sender(ctx);
    }

    /// `Sender.completeBatch`.
    fn complete_batch(
        &mut self,
        ctx: &mut KCtx,
        batch: ClientBatch,
        error: KafkaError,
        base_offset: i64,
    ) {
        let now = ctx.now_us();
        let partition = batch.partition;
        self.muted.retain(|&p| p != partition);
        if error.is_none() || error == KafkaError::DuplicateSequenceNumber {
            self.complete_success(batch, base_offset);
            return;
        }
        for r in &batch.records {
            self.errors.push((r.value.clone(), error));
        }
        if error == KafkaError::MessageTooLarge
            && batch.records.len() > 1
            && self.idempotence.is_none()
        {
            ctx.note(format!(
                "{}-{partition}: MESSAGE_TOO_LARGE for a batch of {} records: splits it and sends again",
                self.topic,
                batch.records.len()
            ));
            let parts = batch
                .records
                .iter()
                .map(|r| ClientBatch {
                    records: vec![r.clone()],
                    closed: false,
                    ..batch.clone()
                })
                .collect();
            self.accumulator.push_front_all(partition, parts);
            return;
        }
        let expired = now >= batch.created_us + self.delivery_timeout_us();
        let attempts_left = (batch.attempts as i64) < i64::from(self.config.retries);
        let retriable = match &mut self.idempotence {
            Some(idem) if error == KafkaError::OutOfOrderSequenceNumber => {
                if idem.is_next_sequence(partition, batch.base_sequence) {
                    // A real gap: the broker lost what came before; a new epoch resolves it.
                    idem.epoch_bump_required = true;
                }
                true
            }
            _ => error.retriable(),
        };
        if retriable && attempts_left && !expired {
            if invalidates_metadata(error) {
                self.request_metadata_update(ctx);
            }
            ctx.note(format!(
                "{}-{partition}: {} — retries the batch of {} record(s) after retry.backoff.ms",
                self.topic,
                error.name(),
                batch.records.len()
            ));
            self.accumulator.reenqueue(batch, now);
        } else {
            let why = if expired {
                "delivery.timeout.ms passed"
            } else if !attempts_left {
                "retries exhausted"
            } else {
                "not retriable"
            };
            ctx.note(format!(
                "{}-{partition}: {} ({why}): {} record(s) fail",
                self.topic,
                error.name(),
                batch.records.len()
            ));
            self.fail_batch(batch, error);
        }
    }

    fn complete_success(&mut self, batch: ClientBatch, base_offset: i64) {
        if batch.has_sequence() {
            if let Some(idem) = self.idempotence.as_mut() {
                let last = increment_sequence(batch.base_sequence, batch.record_count() - 1);
                idem.on_success(batch.partition, batch.base_sequence, last);
            }
        }
        for (i, r) in batch.records.into_iter().enumerate() {
            let seq = if batch.base_sequence == NO_SEQUENCE {
                NO_SEQUENCE
            } else {
                increment_sequence(batch.base_sequence, i as i32)
            };
            self.acked.push(Acked {
                key: r.key,
                value: r.value,
                partition: batch.partition,
                offset: if base_offset >= 0 {
                    base_offset + i as i64
                } else {
                    -1
                },
                send_index: r.send_index,
                producer_id: batch.producer_id,
                producer_epoch: batch.producer_epoch,
                sequence: seq,
                acks: batch.acks,
            });
        }
    }

    fn fail_batch(&mut self, batch: ClientBatch, error: KafkaError) {
        if batch.has_sequence() {
            if let Some(idem) = self.idempotence.as_mut() {
                idem.on_failure(batch.partition, batch.base_sequence);
            }
        }
        for r in batch.records {
            self.failed.push((r.value, error));
        }
    }
}
