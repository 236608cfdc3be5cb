//! The idempotent part of `TransactionManager` (2.8.2): the producer id and epoch from
//! `InitProducerId`, and per partition the next sequence to assign, the last acknowledged
//! sequence and the sequences of the batches in flight.
//!
//! * Sequences are assigned when a batch is first drained, advance by its record count and
//!   wrap at `Int.MAX_VALUE`.
//! * `first_in_flight_sequence`: a retried batch (it already has a sequence) is sent only when
//!   it is the oldest unresolved batch of its partition, so retries cannot reorder.
//! * `OUT_OF_ORDER_SEQUENCE_NUMBER` is always retried (`canRetry`); when the batch is the next
//!   one expected after the last acknowledged sequence it is a real gap and an epoch bump is
//!   requested. A batch that fails for good with a sequence also requests one (its fate is
//!   unknown).
//! * The bump (`bumpIdempotentProducerEpoch`, KIP-360) is local: epoch + 1 and every
//!   partition's sequences start again at 0; queued batches with sequences are renumbered.
//!
//! Simplified: the bump waits until no request is on the wire (Kafka rewrites the in-flight
//! batches' sequences at once); the epoch never reaches `Short.MAX_VALUE` in a run.

use crate::kafka::log::NO_SEQUENCE;
use crate::kafka::producer_state::increment_sequence;

/// Per-partition sequence bookkeeping (`TopicPartitionEntry`).
#[derive(Clone, Debug, PartialEq, Eq)]
struct PartitionSequences {
    partition: i32,
    next_sequence: i32,
    last_acked_sequence: i32,
    /// Base sequences of batches sent and not yet resolved, ascending.
    in_flight: Vec<i32>,
}

/// The idempotent producer's state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Idempotence {
    /// -1 until `InitProducerId` answers.
    pub producer_id: i64,
    pub producer_epoch: i16,
    /// An `InitProducerId` is on the wire (correlation id).
    pub init_in_flight: Option<i32>,
    /// A bump of the epoch is due.
    pub epoch_bump_required: bool,
    parts: Vec<PartitionSequences>,
}

impl Default for Idempotence {
    fn default() -> Self {
        Self {
            producer_id: -1,
            producer_epoch: -1,
            init_in_flight: None,
            epoch_bump_required: false,
            parts: Vec::new(),
        }
    }
}

impl Idempotence {
    /// Whether a producer id is known.
    pub fn has_producer_id(&self) -> bool {
        self.producer_id >= 0
    }

    fn part_mut(&mut self, partition: i32) -> &mut PartitionSequences {
        let i = match self.parts.binary_search_by_key(&partition, |p| p.partition) {
            Ok(i) => i,
            Err(i) => {
                self.parts.insert(
                    i,
                    PartitionSequences {
                        partition,
                        next_sequence: 0,
                        last_acked_sequence: NO_SEQUENCE,
                        in_flight: Vec::new(),
                    },
                );
                i
            }
        };
        &mut self.parts[i]
    }

    fn part(&self, partition: i32) -> Option<&PartitionSequences> {
        self.parts
            .binary_search_by_key(&partition, |p| p.partition)
            .ok()
            .map(|i| &self.parts[i])
    }

    /// The id arrived: epoch 0, sequences from 0.
    pub fn set_producer_id(&mut self, producer_id: i64, producer_epoch: i16) {
        self.producer_id = producer_id;
        self.producer_epoch = producer_epoch;
        self.parts.clear();
        self.init_in_flight = None;
    }

    /// Assigns the next `count` sequences of `partition`; returns the base sequence.
    pub fn assign(&mut self, partition: i32, count: i32) -> i32 {
        let p = self.part_mut(partition);
        let base = p.next_sequence;
        p.next_sequence = increment_sequence(base, count);
        let at = p.in_flight.partition_point(|&s| s < base);
        p.in_flight.insert(at, base);
        base
    }

    /// `firstInFlightSequence`.
    pub fn first_in_flight_sequence(&self, partition: i32) -> i32 {
        self.part(partition)
            .and_then(|p| p.in_flight.first().copied())
            .unwrap_or(NO_SEQUENCE)
    }

    /// Whether `partition` has unresolved batches.
    pub fn has_in_flight(&self, partition: i32) -> bool {
        self.part(partition)
            .is_some_and(|p| !p.in_flight.is_empty())
    }

    /// A batch was acknowledged.
    pub fn on_success(&mut self, partition: i32, base_sequence: i32, last_sequence: i32) {
        let p = self.part_mut(partition);
        p.in_flight.retain(|&s| s != base_sequence);
        if p.last_acked_sequence == NO_SEQUENCE || last_sequence > p.last_acked_sequence {
            p.last_acked_sequence = last_sequence;
        }
    }

    /// A batch failed for good.
    pub fn on_failure(&mut self, partition: i32, base_sequence: i32) {
        self.part_mut(partition)
            .in_flight
            .retain(|&s| s != base_sequence);
        self.epoch_bump_required = true;
    }

    /// `isNextSequence`: the batch directly follows the last acknowledged one.
    pub fn is_next_sequence(&self, partition: i32, base_sequence: i32) -> bool {
        let last = self
            .part(partition)
            .map_or(NO_SEQUENCE, |p| p.last_acked_sequence);
        base_sequence == increment_sequence(last, 1) || (last == NO_SEQUENCE && base_sequence == 0)
    }

    /// `bumpIdempotentProducerEpoch`: epoch + 1, every partition's sequences from 0.
    pub fn bump_epoch(&mut self) {
        self.producer_epoch = self.producer_epoch.saturating_add(1);
        self.parts.clear();
        self.epoch_bump_required = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequences_advance_per_partition_and_retries_wait_for_the_oldest() {
        let mut t = Idempotence::default();
        t.set_producer_id(1000, 0);
        assert_eq!(t.assign(0, 3), 0);
        assert_eq!(t.assign(0, 2), 3);
        assert_eq!(t.assign(1, 1), 0);
        assert_eq!(t.first_in_flight_sequence(0), 0);
        assert!(t.is_next_sequence(0, 0));
        t.on_success(0, 0, 2);
        assert_eq!(t.first_in_flight_sequence(0), 3);
        assert!(t.is_next_sequence(0, 3));
        assert!(!t.is_next_sequence(0, 5));
        t.on_failure(0, 3);
        assert!(t.epoch_bump_required);
        t.bump_epoch();
        assert_eq!((t.producer_epoch, t.assign(0, 1)), (1, 0));
    }
}
