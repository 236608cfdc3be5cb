//! Log divergence after a leader change: how the leader spots a follower whose log went
//! another way, and where the follower truncates.
//!
//! Models the 2.8.2 fetch path with `LastFetchedEpoch` (IBP >= 2.7-IV1, KIP-595's mechanism):
//! `Partition.readRecords` answers a fetch whose last fetched epoch ended earlier on the
//! leader (or is unknown to it) with no records and a `DivergingEpoch`; the follower's
//! `AbstractFetcherThread.getOffsetTruncationState` turns that (or an
//! `OffsetForLeaderEpoch` answer, the same shape) into a truncation offset, possibly in
//! several rounds when the leader names an epoch the follower never saw.
//!
//! Simplifies: the requests themselves, leader epoch fencing of the request
//! (`FENCED_LEADER_EPOCH` / `UNKNOWN_LEADER_EPOCH` from `CurrentLeaderEpoch`) and the
//! pre-KIP-101 "truncate to HW" path (only the undefined-offset fallback) are left to the
//! broker actors.

use crate::kafka::epoch_cache::{UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET};
use crate::kafka::errors::KafkaError;
use crate::kafka::log::PartitionLog;

/// `FetchResponse`'s `DivergingEpoch`: the leader's end offset for the largest epoch at or
/// below the follower's last fetched epoch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EpochEndOffset {
    /// Epoch.
    pub epoch: i32,
    /// Its end offset on the leader (start of the next epoch, or the LEO).
    pub end_offset: i64,
}

/// Leader side of a follower fetch (`readRecords` with `lastFetchedEpoch`). `Ok(None)`: the
/// logs agree up to `fetch_offset`, serve records. `Ok(Some(d))`: send no records and `d`.
/// `Err(OFFSET_OUT_OF_RANGE)` if the epoch's end is unknown or the fetch is below the log start.
pub fn diverging_epoch(
    leader_log: &PartitionLog,
    fetch_offset: i64,
    last_fetched_epoch: i32,
) -> Result<Option<EpochEndOffset>, KafkaError> {
    let Some((epoch, end_offset)) = leader_log.end_offset_for_epoch(last_fetched_epoch) else {
        return Err(KafkaError::OffsetOutOfRange);
    };
    if epoch == UNDEFINED_EPOCH || end_offset == UNDEFINED_EPOCH_OFFSET {
        return Err(KafkaError::OffsetOutOfRange);
    }
    if fetch_offset < leader_log.log_start_offset() {
        return Err(KafkaError::OffsetOutOfRange);
    }
    if epoch < last_fetched_epoch || end_offset < fetch_offset {
        return Ok(Some(EpochEndOffset { epoch, end_offset }));
    }
    Ok(None)
}

/// Where the follower truncates (`OffsetTruncationState`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TruncationState {
    /// Truncate the log to this offset.
    pub offset: i64,
    /// False when another round is needed (the leader named an epoch the follower lacks).
    pub truncation_completed: bool,
}

/// `getOffsetTruncationState`: the follower's answer to the leader's `(epoch, end offset)`.
/// `initial_fetch_offset` is the follower's fetch position, used when the leader's end offset is
/// undefined.
pub fn offset_truncation_state(
    follower_log: &PartitionLog,
    initial_fetch_offset: i64,
    leader: EpochEndOffset,
) -> TruncationState {
    let replica_end_offset = follower_log.log_end_offset();
    if leader.end_offset == UNDEFINED_EPOCH_OFFSET {
        return TruncationState {
            offset: initial_fetch_offset,
            truncation_completed: true,
        };
    }
    if leader.epoch == UNDEFINED_EPOCH {
        return TruncationState {
            offset: leader.end_offset.min(replica_end_offset),
            truncation_completed: true,
        };
    }
    match follower_log.end_offset_for_epoch(leader.epoch) {
        Some((follower_epoch, follower_end_offset)) if follower_epoch != leader.epoch => {
            TruncationState {
                offset: follower_end_offset.min(replica_end_offset),
                truncation_completed: false,
            }
        }
        Some((_, follower_end_offset)) => TruncationState {
            offset: follower_end_offset
                .min(leader.end_offset)
                .min(replica_end_offset),
            truncation_completed: true,
        },
        None => TruncationState {
            offset: leader.end_offset.min(replica_end_offset),
            truncation_completed: true,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kafka::log::{LogLimits, RecordData};

    fn log_with(batches: &[(i32, usize)]) -> PartitionLog {
        let mut log = PartitionLog::new(LogLimits::default());
        for &(epoch, n) in batches {
            let batch: Vec<RecordData> = (0..n)
                .map(|i| RecordData::new(None, &i.to_string(), 0))
                .collect();
            log.append_as_leader(&batch, epoch).unwrap();
        }
        log
    }

    #[test]
    fn a_follower_in_step_with_the_leader_gets_records() {
        let leader = log_with(&[(0, 3), (1, 2)]);
        assert_eq!(diverging_epoch(&leader, 3, 0), Ok(None));
        assert_eq!(diverging_epoch(&leader, 5, 1), Ok(None));
    }

    #[test]
    fn a_follower_with_an_uncommitted_suffix_is_told_where_its_epoch_ended() {
        // Old leader wrote offsets 0..5 in epoch 0 but only 0..3 were replicated; the new leader
        // (epoch 1) appended 2 records from offset 3. The old leader returns and fetches at 5
        // with last fetched epoch 0.
        let leader = log_with(&[(0, 3), (1, 2)]);
        let old_leader = log_with(&[(0, 5)]);
        let diverging = diverging_epoch(&leader, 5, 0).unwrap().unwrap();
        assert_eq!(
            diverging,
            EpochEndOffset {
                epoch: 0,
                end_offset: 3
            }
        );
        let state = offset_truncation_state(&old_leader, 0, diverging);
        assert_eq!(
            state,
            TruncationState {
                offset: 3,
                truncation_completed: true
            }
        );
    }

    #[test]
    fn an_epoch_unknown_to_the_leader_answers_with_the_last_epoch_below_it() {
        // Follower has epoch 2 records the leader never saw; leader knows epochs 0 and 3.
        let mut leader = log_with(&[(0, 2)]);
        leader.assign_epoch_start_offset(3, 2);
        leader
            .append_as_leader(&[RecordData::new(None, "x", 0)], 3)
            .unwrap();
        let diverging = diverging_epoch(&leader, 4, 2).unwrap().unwrap();
        assert_eq!(
            diverging,
            EpochEndOffset {
                epoch: 0,
                end_offset: 2
            }
        );
        let follower = log_with(&[(0, 2), (2, 2)]);
        assert_eq!(
            offset_truncation_state(&follower, 0, diverging),
            TruncationState {
                offset: 2,
                truncation_completed: true
            }
        );
    }

    #[test]
    fn a_leader_epoch_the_follower_lacks_needs_another_round() {
        // Leader answers epoch 2; the follower only has 0 and 3: truncate to the end of
        // epoch 0 on the follower and ask again.
        let mut follower = log_with(&[(0, 2)]);
        follower
            .append_as_leader(&[RecordData::new(None, "y", 0)], 3)
            .unwrap();
        let state = offset_truncation_state(
            &follower,
            0,
            EpochEndOffset {
                epoch: 2,
                end_offset: 6,
            },
        );
        assert_eq!(
            state,
            TruncationState {
                offset: 2,
                truncation_completed: false
            }
        );
    }

    #[test]
    fn undefined_answers_fall_back_as_kafka_does() {
        let follower = log_with(&[(0, 4)]);
        let undefined = EpochEndOffset {
            epoch: 0,
            end_offset: UNDEFINED_EPOCH_OFFSET,
        };
        assert_eq!(offset_truncation_state(&follower, 1, undefined).offset, 1);
        let no_epoch = EpochEndOffset {
            epoch: UNDEFINED_EPOCH,
            end_offset: 2,
        };
        assert_eq!(offset_truncation_state(&follower, 1, no_epoch).offset, 2);
        let leader = log_with(&[(1, 2)]);
        assert_eq!(
            diverging_epoch(&leader, 0, 5),
            Err(KafkaError::OffsetOutOfRange)
        );
    }
}
