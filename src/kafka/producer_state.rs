//! Idempotent-producer state of one partition replica: sequence checks and duplicate
//! detection.
//!
//! Models `ProducerStateManager` / `ProducerAppendInfo` (2.8.2) for non-transactional
//! batches: per producer id, the producer epoch and the metadata of the last 5 batches
//! (`NumBatchesToRetain`). A client batch whose sequence range equals one of those (same
//! epoch) is a **duplicate**: not appended again, its original offsets are returned. Otherwise
//! a lower epoch is `INVALID_PRODUCER_EPOCH`; a new epoch must start at sequence 0 unless the
//! broker has no epoch for the producer; within an epoch the first sequence must follow the
//! last one (wrapping at `Int.MaxValue`), else `OUT_OF_ORDER_SEQUENCE_NUMBER`. With no state for
//! the producer any sequence is accepted (KIP-360, so a 2.8 broker never answers
//! `UNKNOWN_PRODUCER_ID` here). Replicated (follower) appends are recorded without checks.
//!
//! Simplifies: no transactions, snapshots or coordinator epochs. Kafka rebuilds this state from
//! snapshots and the log after a truncation; here every batch still in the log is remembered
//! with its epoch, so [`ProducerStateManager::truncate_to`] gives the same last-5 window
//! directly. Producer expiry (`transactional.id.expiration.ms`) is
//! [`ProducerStateManager::remove_expired`].

use crate::sim::VecMap;

use crate::kafka::errors::KafkaError;
use crate::kafka::log::{NO_PRODUCER_EPOCH, NO_PRODUCER_ID, NO_SEQUENCE};

/// `ProducerStateEntry.NumBatchesToRetain`.
pub const NUM_BATCHES_TO_RETAIN: usize = 5;

/// `DefaultRecordBatch.incrementSequence`: sequences wrap from `Int.MaxValue` to 0.
pub fn increment_sequence(sequence: i32, increment: i32) -> i32 {
    if sequence > i32::MAX - increment {
        increment - (i32::MAX - sequence) - 1
    } else {
        sequence + increment
    }
}

/// One producer batch as the broker sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProducerBatch {
    /// Producer id ([`NO_PRODUCER_ID`] for a non-idempotent producer).
    pub producer_id: i64,
    /// Producer epoch.
    pub producer_epoch: i16,
    /// Sequence of the first record.
    pub base_sequence: i32,
    /// Number of records (at least 1).
    pub record_count: i32,
}

impl ProducerBatch {
    /// Sequence of the last record.
    pub fn last_sequence(&self) -> i32 {
        increment_sequence(self.base_sequence, (self.record_count - 1).max(0))
    }
}

/// `BatchMetadata`: where a batch landed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BatchMetadata {
    /// First sequence.
    pub first_seq: i32,
    /// Last sequence.
    pub last_seq: i32,
    /// Offset of its first record.
    pub first_offset: i64,
    /// Offset of its last record.
    pub last_offset: i64,
}

/// Outcome of checking a client batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SequenceCheck {
    /// Append it, then call [`ProducerStateManager::on_append`].
    Append,
    /// Already in the log: answer success with these offsets, append nothing.
    Duplicate(BatchMetadata),
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct ProducerEntry {
    /// Every batch still in the log with the epoch it was written in, oldest first. Older
    /// epochs are kept so that a truncation can bring them back, as Kafka's rebuild would.
    batches: Vec<(i16, BatchMetadata)>,
    last_timestamp_ms: i64,
}

impl ProducerEntry {
    fn producer_epoch(&self) -> i16 {
        self.batches.last().map_or(NO_PRODUCER_EPOCH, |b| b.0)
    }

    /// The current epoch's last batches (at most [`NUM_BATCHES_TO_RETAIN`]).
    fn retained(&self) -> impl Iterator<Item = &BatchMetadata> {
        let epoch = self.producer_epoch();
        self.batches
            .iter()
            .rev()
            .take_while(move |b| b.0 == epoch)
            .take(NUM_BATCHES_TO_RETAIN)
            .map(|b| &b.1)
    }

    fn last_seq(&self) -> i32 {
        self.batches.last().map_or(NO_SEQUENCE, |b| b.1.last_seq)
    }
}

/// Producer state of one partition replica ("on disk" with the log).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProducerStateManager {
    producers: VecMap<i64, ProducerEntry>,
}

impl ProducerStateManager {
    /// No producers known.
    pub fn new() -> Self {
        Self::default()
    }

    /// Leader-side checks for a batch from a client (`findDuplicateBatch`, then
    /// `checkProducerEpoch` and `checkSequence`).
    pub fn check_client_batch(&self, batch: &ProducerBatch) -> Result<SequenceCheck, KafkaError> {
        if batch.producer_id == NO_PRODUCER_ID {
            return Ok(SequenceCheck::Append);
        }
        let Some(entry) = self.producers.get(&batch.producer_id) else {
            return Ok(SequenceCheck::Append);
        };
        let epoch = entry.producer_epoch();
        if epoch == batch.producer_epoch {
            let last_seq = batch.last_sequence();
            if let Some(dup) = entry
                .retained()
                .find(|b| b.first_seq == batch.base_sequence && b.last_seq == last_seq)
            {
                return Ok(SequenceCheck::Duplicate(*dup));
            }
        }
        if batch.producer_epoch < epoch {
            return Err(KafkaError::InvalidProducerEpoch);
        }
        if batch.producer_epoch != epoch {
            if batch.base_sequence != 0 && epoch != NO_PRODUCER_EPOCH {
                return Err(KafkaError::OutOfOrderSequenceNumber);
            }
        } else if !in_sequence(entry.last_seq(), batch.base_sequence) {
            return Err(KafkaError::OutOfOrderSequenceNumber);
        }
        Ok(SequenceCheck::Append)
    }

    /// Records a batch appended at `first_offset` (leader after a successful append, or a
    /// follower replicating it). A new epoch starts a new duplicate window.
    pub fn on_append(&mut self, batch: &ProducerBatch, first_offset: i64, timestamp_ms: i64) {
        if batch.producer_id == NO_PRODUCER_ID {
            return;
        }
        let entry = self
            .producers
            .entry(batch.producer_id)
            .or_insert_with(|| ProducerEntry {
                batches: Vec::new(),
                last_timestamp_ms: timestamp_ms,
            });
        let metadata = BatchMetadata {
            first_seq: batch.base_sequence,
            last_seq: batch.last_sequence(),
            first_offset,
            last_offset: first_offset + i64::from(batch.record_count.max(1)) - 1,
        };
        entry.batches.push((batch.producer_epoch, metadata));
        entry.last_timestamp_ms = timestamp_ms;
    }

    /// The log was truncated to `offset`: forget batches at or above it, and producers left
    /// with none.
    pub fn truncate_to(&mut self, offset: i64) {
        for entry in self.producers.values_mut() {
            entry.batches.retain(|b| b.1.last_offset < offset);
        }
        self.producers.retain(|_, e| !e.batches.is_empty());
    }

    /// The log start moved: forget batches wholly below it, keeping each producer's last
    /// [`NUM_BATCHES_TO_RETAIN`] (Kafka keeps the entry until it expires).
    pub fn on_log_start_offset(&mut self, log_start_offset: i64) {
        for entry in self.producers.values_mut() {
            let keep_from = entry.batches.len().saturating_sub(NUM_BATCHES_TO_RETAIN);
            let below = entry.batches[..keep_from]
                .iter()
                .take_while(|b| b.1.last_offset < log_start_offset)
                .count();
            entry.batches.drain(..below);
        }
    }

    /// `removeExpiredProducers`: drop producers idle for `expiration_ms` or more.
    pub fn remove_expired(&mut self, now_ms: i64, expiration_ms: i64) {
        self.producers
            .retain(|_, e| now_ms - e.last_timestamp_ms < expiration_ms);
    }

    /// The producer's epoch, if known.
    pub fn producer_epoch(&self, producer_id: i64) -> Option<i16> {
        self.producers
            .get(&producer_id)
            .map(ProducerEntry::producer_epoch)
    }

    /// The producer's last appended sequence, if known.
    pub fn last_sequence(&self, producer_id: i64) -> Option<i32> {
        self.producers
            .get(&producer_id)
            .map(ProducerEntry::last_seq)
    }
}

/// `inSequence`: `next == last + 1`, or a wrap from `Int.MaxValue` to 0.
fn in_sequence(last_seq: i32, next_seq: i32) -> bool {
    i64::from(next_seq) == i64::from(last_seq) + 1 || (next_seq == 0 && last_seq == i32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch(epoch: i16, base: i32, count: i32) -> ProducerBatch {
        ProducerBatch {
            producer_id: 7,
            producer_epoch: epoch,
            base_sequence: base,
            record_count: count,
        }
    }

    fn appended(batches: &[(ProducerBatch, i64)]) -> ProducerStateManager {
        let mut psm = ProducerStateManager::new();
        for (b, offset) in batches {
            assert_eq!(psm.check_client_batch(b), Ok(SequenceCheck::Append));
            psm.on_append(b, *offset, 0);
        }
        psm
    }

    #[test]
    fn sequences_wrap_like_default_record_batch() {
        assert_eq!(increment_sequence(5, 3), 8);
        assert_eq!(increment_sequence(i32::MAX, 1), 0);
        assert_eq!(increment_sequence(i32::MAX - 1, 3), 1);
        assert_eq!(batch(0, i32::MAX, 2).last_sequence(), 0);
        assert!(in_sequence(i32::MAX, 0));
    }

    #[test]
    fn a_retried_batch_is_a_duplicate_with_its_original_offsets() {
        let psm = appended(&[(batch(0, 0, 2), 10), (batch(0, 2, 3), 12)]);
        assert_eq!(
            psm.check_client_batch(&batch(0, 0, 2)),
            Ok(SequenceCheck::Duplicate(BatchMetadata {
                first_seq: 0,
                last_seq: 1,
                first_offset: 10,
                last_offset: 11
            }))
        );
        assert_eq!(
            psm.check_client_batch(&batch(0, 5, 1)),
            Ok(SequenceCheck::Append)
        );
    }

    #[test]
    fn only_the_last_five_batches_are_recognised_as_duplicates() {
        let batches: Vec<_> = (0..6).map(|i| (batch(0, i, 1), i64::from(i))).collect();
        let psm = appended(&batches);
        assert!(matches!(
            psm.check_client_batch(&batch(0, 1, 1)),
            Ok(SequenceCheck::Duplicate(_))
        ));
        // The oldest one fell out of the window: now it is a sequence gap.
        assert_eq!(
            psm.check_client_batch(&batch(0, 0, 1)),
            Err(KafkaError::OutOfOrderSequenceNumber)
        );
    }

    #[test]
    fn a_gap_or_a_stale_epoch_is_refused() {
        let psm = appended(&[(batch(3, 0, 2), 0)]);
        assert_eq!(
            psm.check_client_batch(&batch(3, 5, 1)),
            Err(KafkaError::OutOfOrderSequenceNumber)
        );
        assert_eq!(
            psm.check_client_batch(&batch(2, 2, 1)),
            Err(KafkaError::InvalidProducerEpoch)
        );
        assert_eq!(
            psm.check_client_batch(&batch(4, 1, 1)),
            Err(KafkaError::OutOfOrderSequenceNumber)
        );
        assert_eq!(
            psm.check_client_batch(&batch(4, 0, 1)),
            Ok(SequenceCheck::Append)
        );
    }

    #[test]
    fn an_unknown_producer_is_accepted_at_any_sequence() {
        let psm = ProducerStateManager::new();
        assert_eq!(
            psm.check_client_batch(&batch(0, 42, 1)),
            Ok(SequenceCheck::Append)
        );
    }

    #[test]
    fn a_new_epoch_starts_a_new_duplicate_window() {
        let mut psm = appended(&[(batch(0, 0, 1), 0)]);
        psm.on_append(&batch(1, 0, 1), 1, 0);
        assert_eq!(psm.producer_epoch(7), Some(1));
        assert_eq!(
            psm.check_client_batch(&batch(1, 0, 1)).unwrap(),
            SequenceCheck::Duplicate(BatchMetadata {
                first_seq: 0,
                last_seq: 0,
                first_offset: 1,
                last_offset: 1
            })
        );
    }

    #[test]
    fn truncating_a_new_epoch_brings_the_old_one_back() {
        let mut psm = appended(&[(batch(0, 0, 1), 0), (batch(0, 1, 1), 1)]);
        psm.on_append(&batch(1, 0, 1), 2, 0);
        psm.truncate_to(2);
        assert_eq!(psm.producer_epoch(7), Some(0));
        assert_eq!(psm.last_sequence(7), Some(1));
    }

    #[test]
    fn truncation_forgets_truncated_batches_and_restores_the_window() {
        let batches: Vec<_> = (0..7).map(|i| (batch(0, i, 1), i64::from(i))).collect();
        let mut psm = appended(&batches);
        psm.truncate_to(4);
        assert_eq!(psm.last_sequence(7), Some(3));
        // Batch 0 is back in the last-5 window after the truncation.
        assert!(matches!(
            psm.check_client_batch(&batch(0, 0, 1)),
            Ok(SequenceCheck::Duplicate(_))
        ));
        psm.truncate_to(0);
        assert_eq!(psm.producer_epoch(7), None);
    }

    #[test]
    fn log_start_and_expiry_bound_the_state() {
        let batches: Vec<_> = (0..8).map(|i| (batch(0, i, 1), i64::from(i))).collect();
        let mut psm = appended(&batches);
        psm.on_log_start_offset(100);
        assert_eq!(psm.last_sequence(7), Some(7), "the last five are kept");
        psm.remove_expired(604_800_000, 604_800_000);
        assert_eq!(psm.producer_epoch(7), None);
    }

    #[test]
    fn non_idempotent_batches_are_not_tracked() {
        let mut psm = ProducerStateManager::new();
        let plain = ProducerBatch {
            producer_id: NO_PRODUCER_ID,
            ..batch(0, 0, 1)
        };
        assert_eq!(psm.check_client_batch(&plain), Ok(SequenceCheck::Append));
        psm.on_append(&plain, 0, 0);
        assert_eq!(psm, ProducerStateManager::new());
    }
}
