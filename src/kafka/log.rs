//! A partition replica's log: records, log end offset, high watermark, log start offset and
//! the leader epoch cache, as `Log.scala` (2.8.2) keeps them.
//!
//! Models: appending as leader (offsets assigned from the LEO, the leader epoch stamped on the
//! batch and recorded in the epoch cache) and as follower (offsets and epochs as given, checked
//! to be increasing and not below the LEO); the HW rules of `updateHighWatermark` (clamped to
//! `[logStartOffset, LEO]`) and `maybeIncrementHighWatermark` (only forward, never past the
//! LEO); `truncateTo` (records at or above the target removed and returned, epoch cache
//! truncated, HW lowered) and `truncateFullyAndStartAt`; `maybeIncrementLogStartOffset`
//! (`DeleteRecords`/retention, never past the HW); reads for fetches with Kafka's soft size
//! limit (whole batches; the first batch is always returned, KIP-74).
//!
//! Simplifies: no segments, indexes, page cache or fsync; a record is the unit of storage and
//! an append is one record batch whose size is the records' sizes plus
//! [`RECORD_BATCH_OVERHEAD`]. Compression, timestamps validation, transactions and producer
//! state (`ProducerStateManager`) are not modelled here: producer id, epoch and sequence are
//! carried on records so a later module can check them. The log keeps at most
//! `max_records` records; an append that would go past it is refused with
//! [`LogError::CapacityReached`] (the caller reports it and may advance the log start).

use crate::kafka::epoch_cache::LeaderEpochCache;
use crate::kafka::errors::KafkaError;

/// `RecordBatch.NO_PRODUCER_ID`.
pub const NO_PRODUCER_ID: i64 = -1;
/// `RecordBatch.NO_PRODUCER_EPOCH`.
pub const NO_PRODUCER_EPOCH: i16 = -1;
/// `RecordBatch.NO_SEQUENCE`.
pub const NO_SEQUENCE: i32 = -1;
/// `DefaultRecordBatch.RECORD_BATCH_OVERHEAD`: the v2 batch header, in bytes.
pub const RECORD_BATCH_OVERHEAD: u32 = 61;

/// What a producer sends for one record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordData {
    /// Record key (`None` = null key).
    pub key: Option<String>,
    /// Record value.
    pub value: String,
    /// Create time in simulated ms.
    pub timestamp_ms: i64,
    /// Producer id, or [`NO_PRODUCER_ID`].
    pub producer_id: i64,
    /// Producer epoch, or [`NO_PRODUCER_EPOCH`].
    pub producer_epoch: i16,
    /// Sequence number of this record, or [`NO_SEQUENCE`].
    pub sequence: i32,
    /// Serialized size in bytes (counted against the size limits).
    pub size_bytes: u32,
    /// The `baseSequence` of the batch header the record was written in, or
    /// [`NO_SEQUENCE`]: records of one batch share it, so a follower can rebuild the
    /// producer state batch by batch.
    pub base_sequence: i32,
}

impl RecordData {
    /// A non-idempotent record whose size is estimated from its key and value.
    pub fn new(key: Option<&str>, value: &str, timestamp_ms: i64) -> Self {
        let size = key.map_or(0, str::len) + value.len() + 8;
        Self {
            key: key.map(str::to_string),
            value: value.to_string(),
            timestamp_ms,
            producer_id: NO_PRODUCER_ID,
            producer_epoch: NO_PRODUCER_EPOCH,
            sequence: NO_SEQUENCE,
            size_bytes: u32::try_from(size).unwrap_or(u32::MAX),
            base_sequence: NO_SEQUENCE,
        }
    }
}

/// A record in the log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// Its offset.
    pub offset: i64,
    /// The leader epoch stamped by the leader that appended it (`partitionLeaderEpoch`).
    pub leader_epoch: i32,
    /// What the producer sent.
    pub data: RecordData,
}

/// Where an append landed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AppendInfo {
    /// Offset of the first record appended.
    pub first_offset: i64,
    /// Offset of the last record appended (`first_offset - 1` for an empty append).
    pub last_offset: i64,
}

/// Why a log operation was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LogError {
    /// Batch larger than `max.message.bytes` (`RecordTooLargeException`).
    MessageTooLarge {
        /// Batch size.
        size: u64,
        /// The limit.
        max: u64,
    },
    /// Batch larger than `segment.bytes` (`RecordBatchTooLargeException`).
    RecordListTooLarge {
        /// Batch size.
        size: u64,
        /// The limit.
        max: u64,
    },
    /// The simulator's bound on records kept would be exceeded.
    CapacityReached {
        /// The bound.
        max_records: usize,
    },
    /// Follower append with offsets not strictly increasing (`OffsetsOutOfOrderException`).
    OffsetsOutOfOrder,
    /// Follower append starting below the LEO (`UnexpectedAppendOffsetException`).
    UnexpectedAppendOffset {
        /// First offset offered.
        first_offset: i64,
        /// The log end offset.
        next_offset: i64,
    },
    /// `maybeIncrementHighWatermark` past the LEO (an `IllegalArgumentException` in Kafka).
    HighWatermarkBeyondLogEnd {
        /// Proposed HW.
        high_watermark: i64,
        /// The LEO.
        log_end_offset: i64,
    },
    /// Offset outside what the operation allows (`OffsetOutOfRangeException`).
    OffsetOutOfRange {
        /// Requested offset.
        offset: i64,
    },
}

impl LogError {
    /// The Kafka error a client would see for it.
    pub fn kafka_error(&self) -> KafkaError {
        match self {
            LogError::MessageTooLarge { .. } => KafkaError::MessageTooLarge,
            LogError::RecordListTooLarge { .. } => KafkaError::RecordListTooLarge,
            LogError::OffsetOutOfRange { .. } => KafkaError::OffsetOutOfRange,
            LogError::CapacityReached { .. } => KafkaError::KafkaStorageError,
            _ => KafkaError::UnknownServerError,
        }
    }
}

/// Size limits checked on leader appends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LogLimits {
    /// `max.message.bytes` (broker `message.max.bytes`, 1048588).
    pub max_message_bytes: u64,
    /// `segment.bytes` (1073741824).
    pub segment_bytes: u64,
    /// Simulator bound on records kept.
    pub max_records: usize,
}

impl Default for LogLimits {
    fn default() -> Self {
        Self {
            max_message_bytes: 1_048_588,
            segment_bytes: 1_073_741_824,
            max_records: 10_000,
        }
    }
}

/// Whether two adjacent records were written in one record batch: known for idempotent
/// batches (same producer, epoch, base sequence and leader epoch); every other record counts
/// as a batch of its own.
fn same_batch(a: &Record, b: &Record) -> bool {
    a.data.base_sequence != NO_SEQUENCE
        && a.data.producer_id == b.data.producer_id
        && a.data.producer_epoch == b.data.producer_epoch
        && a.data.base_sequence == b.data.base_sequence
        && a.leader_epoch == b.leader_epoch
}

/// One replica's log of one partition. Survives a broker crash (it is "on disk").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartitionLog {
    records: Vec<Record>,
    log_start_offset: i64,
    log_end_offset: i64,
    high_watermark: i64,
    epoch_cache: LeaderEpochCache,
    limits: LogLimits,
}

impl PartitionLog {
    /// An empty log starting at offset 0.
    pub fn new(limits: LogLimits) -> Self {
        Self {
            records: Vec::new(),
            log_start_offset: 0,
            log_end_offset: 0,
            high_watermark: 0,
            epoch_cache: LeaderEpochCache::new(),
            limits,
        }
    }

    /// Log end offset: the offset the next record gets.
    pub fn log_end_offset(&self) -> i64 {
        self.log_end_offset
    }

    /// High watermark: records below it are committed.
    pub fn high_watermark(&self) -> i64 {
        self.high_watermark
    }

    /// First offset still in the log.
    pub fn log_start_offset(&self) -> i64 {
        self.log_start_offset
    }

    /// The records, oldest first.
    pub fn records(&self) -> &[Record] {
        &self.records
    }

    /// The leader epoch cache.
    pub fn epoch_cache(&self) -> &LeaderEpochCache {
        &self.epoch_cache
    }

    /// The size limits.
    pub fn limits(&self) -> LogLimits {
        self.limits
    }

    /// Applies a (new) log config's size limits (`LogConfig` at log creation or on a dynamic
    /// config change); records already appended stay.
    pub fn set_limits(&mut self, limits: LogLimits) {
        self.limits = limits;
    }

    /// `latestEpoch`: the latest epoch in the cache.
    pub fn latest_epoch(&self) -> Option<i32> {
        self.epoch_cache.latest_epoch()
    }

    /// `maybeAssignEpochStartOffset`: a new leader records `(epoch, LEO)` (`makeLeader`).
    pub fn assign_epoch_start_offset(&mut self, leader_epoch: i32, start_offset: i64) {
        // Negative epochs are Kafka's "no epoch" and are not recorded.
        let _ = self.epoch_cache.assign(leader_epoch, start_offset);
    }

    /// `endOffsetForEpoch`: `(epoch, endOffset)` or `None` when undefined.
    pub fn end_offset_for_epoch(&self, leader_epoch: i32) -> Option<(i32, i64)> {
        let (epoch, offset) = self
            .epoch_cache
            .end_offset_for(leader_epoch, self.log_end_offset);
        (offset != crate::kafka::epoch_cache::UNDEFINED_EPOCH_OFFSET).then_some((epoch, offset))
    }

    fn check_capacity(&self, adding: usize) -> Result<(), LogError> {
        if self.records.len() + adding > self.limits.max_records {
            return Err(LogError::CapacityReached {
                max_records: self.limits.max_records,
            });
        }
        Ok(())
    }

    /// `appendAsLeader`: one batch, offsets assigned from the LEO, stamped with `leader_epoch`.
    pub fn append_as_leader(
        &mut self,
        batch: &[RecordData],
        leader_epoch: i32,
    ) -> Result<AppendInfo, LogError> {
        let first_offset = self.log_end_offset;
        if batch.is_empty() {
            return Ok(AppendInfo {
                first_offset,
                last_offset: first_offset - 1,
            });
        }
        let size = u64::from(RECORD_BATCH_OVERHEAD)
            + batch.iter().map(|r| u64::from(r.size_bytes)).sum::<u64>();
        if size > self.limits.max_message_bytes {
            return Err(LogError::MessageTooLarge {
                size,
                max: self.limits.max_message_bytes,
            });
        }
        if size > self.limits.segment_bytes {
            return Err(LogError::RecordListTooLarge {
                size,
                max: self.limits.segment_bytes,
            });
        }
        self.check_capacity(batch.len())?;
        self.assign_epoch_start_offset(leader_epoch, first_offset);
        for (i, data) in batch.iter().enumerate() {
            self.records.push(Record {
                offset: first_offset + i as i64,
                leader_epoch,
                data: data.clone(),
            });
        }
        self.log_end_offset = first_offset + batch.len() as i64;
        Ok(AppendInfo {
            first_offset,
            last_offset: self.log_end_offset - 1,
        })
    }

    /// `appendAsFollower`: records fetched from the leader, offsets and epochs kept.
    pub fn append_as_follower(&mut self, fetched: &[Record]) -> Result<AppendInfo, LogError> {
        let Some(first) = fetched.first() else {
            return Ok(AppendInfo {
                first_offset: self.log_end_offset,
                last_offset: self.log_end_offset - 1,
            });
        };
        if fetched.windows(2).any(|w| w[1].offset <= w[0].offset) {
            return Err(LogError::OffsetsOutOfOrder);
        }
        if first.offset < self.log_end_offset {
            return Err(LogError::UnexpectedAppendOffset {
                first_offset: first.offset,
                next_offset: self.log_end_offset,
            });
        }
        self.check_capacity(fetched.len())?;
        for record in fetched {
            self.assign_epoch_start_offset(record.leader_epoch, record.offset);
            self.records.push(record.clone());
        }
        let last_offset = fetched[fetched.len() - 1].offset;
        self.log_end_offset = last_offset + 1;
        Ok(AppendInfo {
            first_offset: first.offset,
            last_offset,
        })
    }

    /// `updateHighWatermark`: set the HW, clamped to `[logStartOffset, LEO]`; may go down
    /// (followers copy the leader's HW, truncation lowers it). Returns the HW set.
    pub fn update_high_watermark(&mut self, high_watermark: i64) -> i64 {
        self.high_watermark = high_watermark
            .max(self.log_start_offset)
            .min(self.log_end_offset);
        self.high_watermark
    }

    /// `maybeIncrementHighWatermark`: move the HW forward only. Returns the old HW if it moved.
    pub fn maybe_increment_high_watermark(
        &mut self,
        new_high_watermark: i64,
    ) -> Result<Option<i64>, LogError> {
        if new_high_watermark > self.log_end_offset {
            return Err(LogError::HighWatermarkBeyondLogEnd {
                high_watermark: new_high_watermark,
                log_end_offset: self.log_end_offset,
            });
        }
        let old = self.high_watermark;
        if new_high_watermark > old {
            self.high_watermark = new_high_watermark;
            Ok(Some(old))
        } else {
            Ok(None)
        }
    }

    /// `truncateTo(targetOffset)`: remove every record at or above `target_offset` and return
    /// them (oldest first). A target at or past the LEO removes nothing but still trims epoch
    /// entries starting at the LEO; one below the log start empties the log
    /// (`truncateFullyAndStartAt`).
    pub fn truncate_to(&mut self, target_offset: i64) -> Result<Vec<Record>, LogError> {
        if target_offset < 0 {
            return Err(LogError::OffsetOutOfRange {
                offset: target_offset,
            });
        }
        if target_offset >= self.log_end_offset {
            self.epoch_cache.truncate_from_end(self.log_end_offset);
            return Ok(Vec::new());
        }
        if target_offset < self.log_start_offset {
            return Ok(self.truncate_fully_and_start_at(target_offset));
        }
        let keep = self.records.partition_point(|r| r.offset < target_offset);
        let removed = self.records.split_off(keep);
        self.epoch_cache.truncate_from_end(target_offset);
        self.log_end_offset = target_offset;
        self.update_high_watermark(self.high_watermark.min(target_offset));
        Ok(removed)
    }

    /// `truncateFullyAndStartAt`: drop everything (epoch cache included) and restart the log
    /// at `new_offset`. Returns the removed records.
    pub fn truncate_fully_and_start_at(&mut self, new_offset: i64) -> Vec<Record> {
        let removed = std::mem::take(&mut self.records);
        self.epoch_cache.clear();
        self.log_start_offset = new_offset;
        self.log_end_offset = new_offset;
        self.high_watermark = new_offset;
        removed
    }

    /// `maybeIncrementLogStartOffset`: forget records below `new_start` (retention or
    /// `DeleteRecords`). Refused past the HW. Returns whether the start moved.
    pub fn maybe_increment_log_start_offset(&mut self, new_start: i64) -> Result<bool, LogError> {
        if new_start > self.high_watermark {
            return Err(LogError::OffsetOutOfRange { offset: new_start });
        }
        if new_start <= self.log_start_offset {
            return Ok(false);
        }
        let cut = self.records.partition_point(|r| r.offset < new_start);
        self.records.drain(..cut);
        self.log_start_offset = new_start;
        self.epoch_cache.truncate_from_start(new_start);
        Ok(true)
    }

    /// Records from `fetch_offset` below `max_offset` (the HW for consumers, the LEO for
    /// follower fetches), whole batches up to `max_bytes` except that the first batch is
    /// always returned, however large (the soft limit since 0.10.1, KIP-74). An offset outside `[logStartOffset, LEO]` is
    /// `OFFSET_OUT_OF_RANGE`.
    pub fn read(
        &self,
        fetch_offset: i64,
        max_offset: i64,
        max_bytes: u64,
    ) -> Result<&[Record], LogError> {
        if fetch_offset < self.log_start_offset || fetch_offset > self.log_end_offset {
            return Err(LogError::OffsetOutOfRange {
                offset: fetch_offset,
            });
        }
        let start = self.records.partition_point(|r| r.offset < fetch_offset);
        let end_bound = self.records.partition_point(|r| r.offset < max_offset);
        let mut end = start;
        let mut bytes = 0u64;
        while end < end_bound {
            // Whole batches only: the records of one idempotent batch go together.
            let mut batch_end = end + 1;
            while batch_end < end_bound
                && same_batch(&self.records[batch_end - 1], &self.records[batch_end])
            {
                batch_end += 1;
            }
            let size: u64 = self.records[end..batch_end]
                .iter()
                .map(|r| u64::from(r.data.size_bytes))
                .sum();
            if end > start && bytes + size > max_bytes {
                break;
            }
            bytes += size;
            end = batch_end;
        }
        Ok(&self.records[start..end.max(start)])
    }

    /// The record at `offset`, if still in the log.
    pub fn record_at(&self, offset: i64) -> Option<&Record> {
        self.records
            .binary_search_by_key(&offset, |r| r.offset)
            .ok()
            .map(|i| &self.records[i])
    }
}

#[cfg(test)]
mod tests;
