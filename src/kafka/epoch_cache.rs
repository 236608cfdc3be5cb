//! A replica's leader epoch cache (`leader-epoch-checkpoint`).
//!
//! Models `LeaderEpochFileCache` (2.8.2): an ordered list of `(epoch, startOffset)` entries,
//! kept strictly increasing in both fields. `assign` appends when the epoch changes (or an
//! epoch restarts earlier), removing conflicting later entries; `end_offset_for` answers
//! `OffsetsForLeaderEpoch` and the fetch-path divergence check; `truncate_from_end` and
//! `truncate_from_start` follow log truncation and log-start-offset moves.
//!
//! Simplifies: the cache is a value that survives a crash with the log (the simulator's "disk"),
//! so there is no checkpoint file or flush; the log end offset is passed to
//! [`LeaderEpochCache::end_offset_for`] instead of being read through a callback. An invalid
//! (negative) entry is an error value instead of an `IllegalArgumentException`.

/// `UNDEFINED_EPOCH` (-1).
pub const UNDEFINED_EPOCH: i32 = -1;
/// `UNDEFINED_EPOCH_OFFSET` (-1).
pub const UNDEFINED_EPOCH_OFFSET: i64 = -1;

/// One `(epoch, startOffset)` entry: the first offset written in `epoch`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct EpochEntry {
    /// Leader epoch.
    pub epoch: i32,
    /// First offset of that epoch.
    pub start_offset: i64,
}

/// A negative epoch or start offset was offered to [`LeaderEpochCache::assign`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InvalidEpochEntry(pub EpochEntry);

/// The leader epoch cache of one replica.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LeaderEpochCache {
    /// Sorted by epoch and by start offset (both strictly increasing).
    epochs: Vec<EpochEntry>,
}

impl LeaderEpochCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// `assign(epoch, startOffset)`. Returns `Ok(true)` if the cache changed. Ignored when the
    /// epoch equals the latest one and the offset is not earlier; otherwise later entries whose
    /// epoch or start offset is not below the new one are removed first.
    pub fn assign(&mut self, epoch: i32, start_offset: i64) -> Result<bool, InvalidEpochEntry> {
        let entry = EpochEntry {
            epoch,
            start_offset,
        };
        if epoch < 0 || start_offset < 0 {
            return Err(InvalidEpochEntry(entry));
        }
        let update_needed = match self.latest_entry() {
            Some(last) => entry.epoch != last.epoch || entry.start_offset < last.start_offset,
            None => true,
        };
        if !update_needed {
            return Ok(false);
        }
        while let Some(last) = self.epochs.last() {
            if last.epoch >= entry.epoch || last.start_offset >= entry.start_offset {
                self.epochs.pop();
            } else {
                break;
            }
        }
        self.epochs.push(entry);
        Ok(true)
    }

    /// The entries, oldest first.
    pub fn entries(&self) -> &[EpochEntry] {
        &self.epochs
    }

    /// `latestEntry`.
    pub fn latest_entry(&self) -> Option<EpochEntry> {
        self.epochs.last().copied()
    }

    /// `latestEpoch`.
    pub fn latest_epoch(&self) -> Option<i32> {
        self.latest_entry().map(|e| e.epoch)
    }

    /// `previousEpoch`: the epoch before the latest one.
    pub fn previous_epoch(&self) -> Option<i32> {
        let n = self.epochs.len();
        (n >= 2).then(|| self.epochs[n - 2].epoch)
    }

    /// `earliestEntry`.
    pub fn earliest_entry(&self) -> Option<EpochEntry> {
        self.epochs.first().copied()
    }

    /// `endOffsetFor(requestedEpoch)`: `(epoch, endOffset)` where the end offset is the start
    /// of the next higher epoch, or `log_end_offset` for the latest epoch. A requested epoch
    /// between two known ones answers with the lower known epoch; one below every known
    /// epoch answers with itself and the first start offset; an unknown higher epoch (or
    /// `UNDEFINED_EPOCH`) gives `(UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET)`.
    pub fn end_offset_for(&self, requested_epoch: i32, log_end_offset: i64) -> (i32, i64) {
        if requested_epoch == UNDEFINED_EPOCH {
            return (UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET);
        }
        if self.latest_epoch() == Some(requested_epoch) {
            return (requested_epoch, log_end_offset);
        }
        let Some(higher) = self.epochs.iter().find(|e| e.epoch > requested_epoch) else {
            return (UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET);
        };
        match self
            .epochs
            .iter()
            .rev()
            .find(|e| e.epoch <= requested_epoch)
        {
            Some(floor) => (floor.epoch, higher.start_offset),
            None => (requested_epoch, higher.start_offset),
        }
    }

    /// `truncateFromEnd(endOffset)`: drop entries starting at or after `end_offset` (the log
    /// was truncated to it). Returns the removed entries, newest first.
    pub fn truncate_from_end(&mut self, end_offset: i64) -> Vec<EpochEntry> {
        let mut removed = Vec::new();
        if end_offset >= 0
            && self
                .latest_entry()
                .is_some_and(|e| e.start_offset >= end_offset)
        {
            while let Some(last) = self.epochs.last() {
                if last.start_offset >= end_offset {
                    removed.extend(self.epochs.pop());
                } else {
                    break;
                }
            }
        }
        removed
    }

    /// `truncateFromStart(startOffset)`: the log start moved to `start_offset`; entries starting
    /// at or before it are dropped and the last of them is kept with `start_offset` as start.
    pub fn truncate_from_start(&mut self, start_offset: i64) {
        let cut = self
            .epochs
            .iter()
            .take_while(|e| e.start_offset <= start_offset)
            .count();
        if cut == 0 {
            return;
        }
        let kept_epoch = self.epochs[cut - 1].epoch;
        self.epochs.drain(..cut);
        self.epochs.insert(
            0,
            EpochEntry {
                epoch: kept_epoch,
                start_offset,
            },
        );
    }

    /// `clearAndFlush`: forget every entry.
    pub fn clear(&mut self) {
        self.epochs.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Cases below follow core/src/test/scala/unit/kafka/server/epoch/LeaderEpochFileCacheTest.scala
    // (2.8.2); the Java test's name is given for each.

    fn cache(entries: &[(i32, i64)]) -> LeaderEpochCache {
        let mut c = LeaderEpochCache::new();
        for &(epoch, offset) in entries {
            c.assign(epoch, offset).unwrap();
        }
        c
    }

    fn entries(c: &LeaderEpochCache) -> Vec<(i32, i64)> {
        c.entries()
            .iter()
            .map(|e| (e.epoch, e.start_offset))
            .collect()
    }

    #[test]
    fn previous_epoch_follows_assign_and_truncation() {
        // testPreviousEpoch
        let mut c = LeaderEpochCache::new();
        assert_eq!(c.previous_epoch(), None);
        c.assign(2, 10).unwrap();
        assert_eq!(c.previous_epoch(), None);
        c.assign(4, 15).unwrap();
        assert_eq!(c.previous_epoch(), Some(2));
        c.assign(10, 20).unwrap();
        assert_eq!(c.previous_epoch(), Some(4));
        c.truncate_from_end(18);
        assert_eq!(c.previous_epoch(), Some(2));
    }

    #[test]
    fn the_latest_epoch_ends_at_the_log_end_offset() {
        // shouldReturnLogEndOffsetIfLatestEpochRequested
        let c = cache(&[(2, 11), (2, 12)]);
        assert_eq!(c.end_offset_for(2, 14), (2, 14));
        assert_eq!(entries(&c), vec![(2, 11)]);
    }

    #[test]
    fn undefined_or_untracked_epochs_give_undefined_answers() {
        // shouldReturnUndefinedOffsetIfUndefinedEpochRequested, shouldReturnUnsupportedIfNoEpochRecorded,
        // shouldReturnInvalidOffsetIfEpochIsRequestedWhichIsNotCurrentlyTracked
        let c = cache(&[(2, 11), (3, 12)]);
        assert_eq!(c.end_offset_for(UNDEFINED_EPOCH, 20), (-1, -1));
        assert_eq!(LeaderEpochCache::new().end_offset_for(0, 73), (-1, -1));
        assert_eq!(cache(&[(2, 100)]).end_offset_for(3, 100), (-1, -1));
    }

    #[test]
    fn an_assigned_epoch_keeps_its_first_start_offset() {
        // shouldNotOverwriteLogEndOffsetForALeaderEpochOnceItHasBeenAssigned,
        // shouldNotOverwriteOffsetForALeaderEpochOnceItHasBeenAssigned
        assert_eq!(entries(&cache(&[(2, 9), (2, 10)])), vec![(2, 9)]);
        assert_eq!(entries(&cache(&[(2, 6), (2, 10)])), vec![(2, 6)]);
    }

    #[test]
    fn a_new_epoch_at_the_same_offset_replaces_the_old_one() {
        // shouldEnforceMonotonicallyIncreasingStartOffsets
        assert_eq!(entries(&cache(&[(2, 9), (3, 9)])), vec![(3, 9)]);
        // shouldEnforceOffsetsIncreaseMonotonically
        assert_eq!(entries(&cache(&[(2, 6), (3, 5)])), vec![(3, 5)]);
    }

    #[test]
    fn a_requested_epoch_below_the_first_answers_with_itself() {
        // shouldReturnFirstEpochIfRequestedEpochLessThanFirstEpoch
        let c = cache(&[(5, 11), (6, 12), (7, 13)]);
        assert_eq!(c.end_offset_for(4, 20), (4, 11));
    }

    #[test]
    fn an_epoch_restarting_earlier_truncates_later_entries() {
        // shouldTruncateIfMatchingEpochButEarlierStartingOffset
        let c = cache(&[(5, 11), (6, 12), (7, 13), (7, 12)]);
        assert_eq!(c.end_offset_for(5, 20), (5, 12));
        assert_eq!(c.end_offset_for(6, 20), (5, 12));
        // shouldEnforceMonotonicallyIncreasingEpochs
        let c = cache(&[(1, 5), (2, 6), (1, 7)]);
        assert_eq!(c.latest_epoch(), Some(1));
        assert_eq!(c.end_offset_for(1, 8), (1, 8));
        assert_eq!(c.end_offset_for(2, 8), (-1, -1));
        assert_eq!(entries(&c), vec![(1, 7)]);
    }

    #[test]
    fn an_older_epoch_ends_where_the_next_one_starts() {
        // shouldGetFirstOffsetOfSubsequentEpochWhenOffsetRequestedForPreviousEpoch
        let c = cache(&[(1, 11), (1, 12), (2, 13), (2, 14), (3, 15), (3, 16)]);
        assert_eq!(c.end_offset_for(2, 17), (2, 15));
        // shouldReturnNextAvailableEpochIfThereIsNoExactEpochForTheOneRequested
        let c = cache(&[(0, 10), (2, 13), (4, 17)]);
        assert_eq!(c.end_offset_for(1, 20), (0, 13));
        assert_eq!(c.end_offset_for(2, 20), (2, 17));
        assert_eq!(c.end_offset_for(3, 20), (2, 17));
    }

    #[test]
    fn epochs_track_leader_changes_many_times() {
        // shouldIncreaseAndTrackEpochsAsLeadersChangeManyTimes
        let mut c = cache(&[(0, 0), (1, 0)]);
        assert_eq!(c.latest_epoch(), Some(1));
        assert_eq!(c.end_offset_for(1, 0), (1, 0));
        assert_eq!(c.end_offset_for(0, 0), (0, 0));
        assert_eq!(c.end_offset_for(1, 5), (1, 5));
        c.assign(2, 5).unwrap();
        assert_eq!(c.end_offset_for(2, 10), (2, 10));
        assert_eq!(c.end_offset_for(1, 10), (1, 5));
        assert_eq!(c.end_offset_for(0, 10), (0, 0));
    }

    #[test]
    fn truncate_from_end_is_inclusive_on_an_epoch_boundary() {
        // shouldDropEntriesOnEpochBoundaryWhenRemovingLatestEntries
        let mut c = cache(&[(2, 6), (3, 8), (4, 11)]);
        let removed = c.truncate_from_end(8);
        assert_eq!(entries(&c), vec![(2, 6)]);
        assert_eq!(removed.len(), 2);
        assert!(c.truncate_from_end(100).is_empty());
    }

    #[test]
    fn truncate_from_start_keeps_the_epoch_that_covers_the_new_start() {
        // shouldPreserveResetOffsetOnClearEarliestIfOneExists
        let mut c = cache(&[(2, 6), (3, 8), (4, 11)]);
        c.truncate_from_start(8);
        assert_eq!(entries(&c), vec![(3, 8), (4, 11)]);
        // shouldUpdateSavedOffsetWhenOffsetToClearToIsBetweenEpochs
        let mut c = cache(&[(2, 6), (3, 8), (4, 11)]);
        c.truncate_from_start(9);
        assert_eq!(entries(&c), vec![(3, 9), (4, 11)]);
        // shouldNotClearAnythingIfOffsetToEarly, shouldNotClearAnythingIfOffsetToFirstOffset
        let mut c = cache(&[(2, 6), (3, 8), (4, 11)]);
        c.truncate_from_start(1);
        c.truncate_from_start(6);
        assert_eq!(entries(&c), vec![(2, 6), (3, 8), (4, 11)]);
        // shouldRetainLatestEpochOnClearAllEarliest
        let mut c = cache(&[(2, 6), (3, 8), (4, 11)]);
        c.truncate_from_start(11);
        assert_eq!(entries(&c), vec![(4, 11)]);
    }

    #[test]
    fn negative_entries_are_refused_as_values() {
        let mut c = LeaderEpochCache::new();
        assert!(c.assign(-1, 0).is_err());
        assert!(c.assign(0, -5).is_err());
        assert!(c.entries().is_empty());
    }
}
