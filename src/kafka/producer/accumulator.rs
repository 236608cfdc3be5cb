//! `RecordAccumulator` (2.8.2): per-partition deques of record batches.
//!
//! * `append`: into the partition's last batch if it is still open and the record fits in
//!   `batch.size`; else, with `abort_on_new_batch` (always, from `KafkaProducer.doSend`), the
//!   append is abandoned so the sticky partitioner can move on; else a new batch, sized to hold
//!   at least this one record.
//! * `ready`: a partition's first batch is sendable when it is full (or another batch waits
//!   behind it, or it was sent before), or it has waited `linger.ms` — a retried batch waits
//!   `retry.backoff.ms` instead and is never sendable before.
//! * `reenqueue`: a batch to retry goes back to the front of its deque; an idempotent one is
//!   put back in sequence order (`insertInSequenceOrder`).
//! * `expired_batches`: batches queued for `delivery.timeout.ms` since creation.
//!
//! Simplified: no buffer pool (`buffer.memory`, `max.block.ms`), no compression; a batch's
//! size is the 61-byte v2 header plus its records' sizes.

use std::collections::VecDeque;

use crate::kafka::config::Acks;
use crate::kafka::log::{NO_PRODUCER_EPOCH, NO_PRODUCER_ID, NO_SEQUENCE, RECORD_BATCH_OVERHEAD};
use crate::sim::TimeUs;

/// A record given to `send()`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingRecord {
    /// Send order within this producer (0, 1, 2, …).
    pub send_index: u64,
    pub key: Option<String>,
    pub value: String,
    /// An explicit partition from the caller.
    pub partition: Option<i32>,
    /// Serialized size of the record alone.
    pub size_bytes: u32,
    /// When `send()` was called.
    pub created_us: TimeUs,
}

impl PendingRecord {
    /// `AbstractRecords.estimateSizeInBytesUpperBound`: the record in a batch of its own.
    pub fn serialized_size(&self) -> u64 {
        u64::from(RECORD_BATCH_OVERHEAD) + u64::from(self.size_bytes)
    }
}

/// A `ProducerBatch`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientBatch {
    pub partition: i32,
    pub records: Vec<PendingRecord>,
    pub created_us: TimeUs,
    /// Creation, or the last time it was re-enqueued for a retry.
    pub last_attempt_us: TimeUs,
    /// Retries so far.
    pub attempts: u32,
    /// Drained at least once: takes no more records.
    pub closed: bool,
    pub producer_id: i64,
    pub producer_epoch: i16,
    /// [`NO_SEQUENCE`] until drained by an idempotent producer.
    pub base_sequence: i32,
    /// The `acks` its last `Produce` request carried (set when it is sent).
    pub acks: Acks,
}

impl ClientBatch {
    fn new(partition: i32, now: TimeUs) -> Self {
        Self {
            partition,
            records: Vec::new(),
            created_us: now,
            last_attempt_us: now,
            attempts: 0,
            closed: false,
            producer_id: NO_PRODUCER_ID,
            producer_epoch: NO_PRODUCER_EPOCH,
            base_sequence: NO_SEQUENCE,
            acks: Acks::All,
        }
    }

    /// Header plus records, in bytes.
    pub fn size_bytes(&self) -> u64 {
        u64::from(RECORD_BATCH_OVERHEAD)
            + self
                .records
                .iter()
                .map(|r| u64::from(r.size_bytes))
                .sum::<u64>()
    }

    /// Number of records.
    pub fn record_count(&self) -> i32 {
        i32::try_from(self.records.len()).unwrap_or(i32::MAX)
    }

    /// Whether it has been given a sequence number.
    pub fn has_sequence(&self) -> bool {
        self.base_sequence != NO_SEQUENCE
    }

    fn is_full(&self, batch_size: u64) -> bool {
        self.closed || self.size_bytes() >= batch_size
    }
}

/// What an append did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AppendResult {
    /// Appended; whether a new batch was opened for it.
    Appended { new_batch: bool },
    /// No open batch: abandoned so the partitioner can pick again (`abortForNewBatch`).
    AbortForNewBatch,
}

/// The accumulator: one deque of batches per partition, partitions in ascending order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RecordAccumulator {
    deques: Vec<(i32, VecDeque<ClientBatch>)>,
}

impl RecordAccumulator {
    fn deque_mut(&mut self, partition: i32) -> &mut VecDeque<ClientBatch> {
        let i = match self.deques.binary_search_by_key(&partition, |d| d.0) {
            Ok(i) => i,
            Err(i) => {
                self.deques.insert(i, (partition, VecDeque::new()));
                i
            }
        };
        &mut self.deques[i].1
    }

    fn deque(&self, partition: i32) -> Option<&VecDeque<ClientBatch>> {
        self.deques
            .binary_search_by_key(&partition, |d| d.0)
            .ok()
            .map(|i| &self.deques[i].1)
    }

    /// `RecordAccumulator.append`.
    pub fn append(
        &mut self,
        partition: i32,
        record: PendingRecord,
        batch_size: u64,
        now: TimeUs,
        abort_on_new_batch: bool,
    ) -> AppendResult {
        let deque = self.deque_mut(partition);
        if let Some(last) = deque.back_mut() {
            let fits = last.size_bytes() + u64::from(record.size_bytes) <= batch_size;
            if !last.closed && fits {
                last.records.push(record);
                return AppendResult::Appended { new_batch: false };
            }
        }
        if abort_on_new_batch {
            return AppendResult::AbortForNewBatch;
        }
        let mut batch = ClientBatch::new(partition, now);
        batch.records.push(record);
        deque.push_back(batch);
        AppendResult::Appended { new_batch: true }
    }

    /// `RecordAccumulator.ready`: the partitions (not in `muted`) whose first batch can be
    /// sent now, and how long until the next one may become sendable.
    pub fn ready(
        &self,
        now: TimeUs,
        batch_size: u64,
        linger_us: TimeUs,
        backoff_us: TimeUs,
        muted: &[i32],
    ) -> (Vec<i32>, Option<TimeUs>) {
        let mut ready = Vec::new();
        let mut next: Option<TimeUs> = None;
        for (p, deque) in &self.deques {
            let Some(first) = deque.front() else {
                continue;
            };
            if muted.contains(p) {
                continue;
            }
            let waited = now.saturating_sub(first.last_attempt_us);
            let backing_off = first.attempts > 0 && waited < backoff_us;
            let time_to_wait = if backing_off { backoff_us } else { linger_us };
            let full = deque.len() > 1 || first.is_full(batch_size);
            let expired = waited >= time_to_wait;
            if (full || expired) && !backing_off {
                ready.push(*p);
            } else {
                let left = time_to_wait.saturating_sub(waited).max(1);
                next = Some(next.map_or(left, |n| n.min(left)));
            }
        }
        (ready, next)
    }

    /// The first batch of a partition.
    pub fn first(&self, partition: i32) -> Option<&ClientBatch> {
        self.deque(partition).and_then(|d| d.front())
    }

    /// Takes the first batch of a partition (drained into a request).
    pub fn pop_first(&mut self, partition: i32) -> Option<ClientBatch> {
        self.deque_mut(partition).pop_front()
    }

    /// `reenqueue`: back at the front, or in sequence order if it has a sequence.
    pub fn reenqueue(&mut self, mut batch: ClientBatch, now: TimeUs) {
        batch.attempts += 1;
        batch.last_attempt_us = now;
        let deque = self.deque_mut(batch.partition);
        if batch.has_sequence() {
            let at = deque
                .iter()
                .position(|b| !b.has_sequence() || b.base_sequence > batch.base_sequence)
                .unwrap_or(deque.len());
            deque.insert(at, batch);
        } else {
            deque.push_front(batch);
        }
    }

    /// Puts split batches back at the front, in order (`splitAndReenqueue`).
    pub fn push_front_all(&mut self, partition: i32, batches: Vec<ClientBatch>) {
        let deque = self.deque_mut(partition);
        for b in batches.into_iter().rev() {
            deque.push_front(b);
        }
    }

    /// `expiredBatches`: batches at the front of their deque that have waited
    /// `delivery.timeout.ms` since creation.
    pub fn expired_batches(
        &mut self,
        now: TimeUs,
        delivery_timeout_us: TimeUs,
    ) -> Vec<ClientBatch> {
        let mut out = Vec::new();
        for (_, deque) in &mut self.deques {
            while deque
                .front()
                .is_some_and(|b| now >= b.created_us + delivery_timeout_us)
            {
                out.extend(deque.pop_front());
            }
        }
        out
    }

    /// The earliest creation time of a queued batch.
    pub fn oldest_created_us(&self) -> Option<TimeUs> {
        self.deques
            .iter()
            .filter_map(|(_, d)| d.front().map(|b| b.created_us))
            .min()
    }

    /// Batches of a partition, oldest first.
    pub fn batches(&self, partition: i32) -> impl Iterator<Item = &ClientBatch> {
        self.deque(partition).into_iter().flatten()
    }

    /// Every queued batch, mutable (sequence resets).
    pub fn batches_mut(&mut self) -> impl Iterator<Item = &mut ClientBatch> {
        self.deques.iter_mut().flat_map(|(_, d)| d.iter_mut())
    }

    /// Number of queued records.
    pub fn queued_records(&self) -> usize {
        self.deques
            .iter()
            .flat_map(|(_, d)| d.iter())
            .map(|b| b.records.len())
            .sum()
    }

    /// Forgets everything (a crash).
    pub fn clear(&mut self) {
        self.deques.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(i: u64, size: u32) -> PendingRecord {
        PendingRecord {
            send_index: i,
            key: None,
            value: format!("v{i}"),
            partition: None,
            size_bytes: size,
            created_us: 0,
        }
    }

    #[test]
    fn records_share_a_batch_until_batch_size_then_a_new_batch_is_opened() {
        let mut acc = RecordAccumulator::default();
        assert_eq!(
            acc.append(0, rec(0, 40), 200, 0, true),
            AppendResult::AbortForNewBatch
        );
        assert_eq!(
            acc.append(0, rec(0, 40), 200, 0, false),
            AppendResult::Appended { new_batch: true }
        );
        assert_eq!(
            acc.append(0, rec(1, 40), 200, 0, true),
            AppendResult::Appended { new_batch: false }
        );
        // 61 + 80 + 80 > 200: a new batch.
        assert_eq!(
            acc.append(0, rec(2, 80), 200, 0, false),
            AppendResult::Appended { new_batch: true }
        );
        assert_eq!(acc.batches(0).count(), 2);
        // Two batches queued: the first is sendable at once.
        assert_eq!(acc.ready(0, 200, 1_000, 100, &[]).0, vec![0]);
    }

    #[test]
    fn a_batch_waits_linger_and_a_retried_one_waits_the_backoff() {
        let mut acc = RecordAccumulator::default();
        acc.append(1, rec(0, 10), 16_384, 0, false);
        assert_eq!(acc.ready(500, 16_384, 1_000, 100, &[]), (vec![], Some(500)));
        assert_eq!(acc.ready(1_000, 16_384, 1_000, 100, &[]).0, vec![1]);
        assert!(acc.ready(1_000, 16_384, 1_000, 100, &[1]).0.is_empty());
        let b = acc.pop_first(1).unwrap();
        acc.reenqueue(b, 2_000);
        assert_eq!(acc.ready(2_050, 16_384, 0, 100, &[]), (vec![], Some(50)));
        assert_eq!(acc.ready(2_100, 16_384, 0, 100, &[]).0, vec![1]);
        assert_eq!(acc.expired_batches(5_000, 5_000).len(), 1);
    }
}
