//! Producer-side partitioning: which partition a record goes to.
//!
//! Models, byte for byte, `Utils.murmur2` / `Utils.toPositive` and the 2.8.2 partitioners:
//! `DefaultPartitioner` (keyed records hash with murmur2, null keys use the sticky partition of
//! KIP-480's `StickyPartitionCache`), `UniformStickyPartitioner` (always sticky),
//! `RoundRobinPartitioner` (per-topic counter over the available partitions), and an explicit
//! partition on the record winning over all of them (`KafkaProducer.partition`).
//!
//! Simplifies: the cluster metadata is reduced to a [`TopicMetadata`] (partition count and the
//! partitions that have a leader, in metadata order). Kafka draws sticky choices from
//! `ThreadLocalRandom`; here every random choice comes from the caller's seeded [`SimRng`], so
//! the distribution is the same but the exact choices are those of the seed. An explicit
//! partition beyond the known count makes `KafkaProducer.waitOnMetadata` block for fresh
//! metadata; here it is an error value for the producer actor to act on.

use crate::sim::VecMap;

use crate::sim::SimRng;

/// A partition index, as Kafka's `int partition`.
pub type PartitionId = i32;

/// Kafka's murmur2 (`Utils.murmur2`): 32-bit MurmurHash2, seed `0x9747b28c`, little-endian
/// blocks, wrapping arithmetic, returned as a signed `int`.
pub fn murmur2(data: &[u8]) -> i32 {
    const SEED: u32 = 0x9747_b28c;
    const M: u32 = 0x5bd1_e995;
    const R: u32 = 24;
    let length = data.len();
    // Java's `seed ^ length` with `length` an int: only the low 32 bits matter.
    let mut h: u32 = SEED ^ (length as u32);
    let mut blocks = data.chunks_exact(4);
    for block in &mut blocks {
        let mut k = u32::from_le_bytes([block[0], block[1], block[2], block[3]]);
        k = k.wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h = h.wrapping_mul(M);
        h ^= k;
    }
    let tail = blocks.remainder();
    // The Java switch falls through: case 3 also runs cases 2 and 1.
    if tail.len() >= 3 {
        h ^= u32::from(tail[2]) << 16;
    }
    if tail.len() >= 2 {
        h ^= u32::from(tail[1]) << 8;
    }
    if !tail.is_empty() {
        h ^= u32::from(tail[0]);
        h = h.wrapping_mul(M);
    }
    h ^= h >> 13;
    h = h.wrapping_mul(M);
    h ^= h >> 15;
    h as i32
}

/// `Utils.toPositive`: clears the sign bit (not `abs`: `toPositive(-1)` is `Int.MaxValue`).
pub fn to_positive(number: i32) -> i32 {
    number & 0x7fff_ffff
}

/// `DefaultPartitioner` for a record with a key: `toPositive(murmur2(key)) % numPartitions`,
/// over **all** partitions, available or not. `None` if the topic has no partitions.
pub fn partition_for_key(key: &[u8], num_partitions: i32) -> Option<PartitionId> {
    if num_partitions <= 0 {
        return None;
    }
    Some(to_positive(murmur2(key)) % num_partitions)
}

/// What a producer knows about one topic from its metadata.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TopicMetadata {
    /// `cluster.partitionsForTopic(topic).size()`.
    pub num_partitions: i32,
    /// `cluster.availablePartitionsForTopic(topic)`: partitions with a leader, in metadata
    /// order (Kafka does not sort them).
    pub available: Vec<PartitionId>,
}

impl TopicMetadata {
    /// A topic whose partitions all have a leader.
    pub fn all_available(num_partitions: i32) -> Self {
        Self {
            num_partitions,
            available: (0..num_partitions.max(0)).collect(),
        }
    }
}

/// Why no partition could be chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PartitionError {
    /// The topic has no partitions in the metadata (Java would divide by zero).
    NoPartitions,
    /// An explicit partition not (yet) in the metadata: the producer must wait for metadata.
    PartitionNotInMetadata(PartitionId),
}

/// KIP-480's `StickyPartitionCache`: one sticky partition per topic for null-key records.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StickyPartitionCache {
    index_cache: VecMap<String, PartitionId>,
}

impl StickyPartitionCache {
    /// The current sticky partition of `topic`, choosing one on first use.
    pub fn partition(
        &mut self,
        topic: &str,
        meta: &TopicMetadata,
        rng: &mut SimRng,
    ) -> Result<PartitionId, PartitionError> {
        match self.index_cache.get(topic) {
            Some(&part) => Ok(part),
            None => self.next_partition(topic, meta, -1, rng),
        }
    }

    /// `nextPartition`: called when a batch for `prev_partition` was completed (a new batch
    /// had to be opened). Changes the sticky partition only if it is unset or equals
    /// `prev_partition`; with two or more available partitions the new one always differs
    /// from the old one.
    pub fn next_partition(
        &mut self,
        topic: &str,
        meta: &TopicMetadata,
        prev_partition: PartitionId,
        rng: &mut SimRng,
    ) -> Result<PartitionId, PartitionError> {
        let old_part = self.index_cache.get(topic).copied();
        if let Some(old) = old_part.filter(|&old| old != prev_partition) {
            return Ok(old);
        }
        let new_part = match meta.available.len() {
            0 => {
                if meta.num_partitions <= 0 {
                    return Err(PartitionError::NoPartitions);
                }
                rng.below(meta.num_partitions as u64) as PartitionId
            }
            1 => meta.available[0],
            n => loop {
                let candidate = meta.available[rng.below(n as u64) as usize];
                if Some(candidate) != old_part {
                    break candidate;
                }
            },
        };
        self.index_cache.insert(topic.to_string(), new_part);
        Ok(new_part)
    }

    /// The sticky partition of `topic`, if one was chosen.
    pub fn current(&self, topic: &str) -> Option<PartitionId> {
        self.index_cache.get(topic).copied()
    }
}

/// `RoundRobinPartitioner`: a per-topic counter (starting at 0) dealt over the available
/// partitions, or over all partitions when none is available. Keys are ignored.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RoundRobinPartitioner {
    topic_counters: VecMap<String, i32>,
}

impl RoundRobinPartitioner {
    /// The next partition for `topic`.
    pub fn partition(
        &mut self,
        topic: &str,
        meta: &TopicMetadata,
    ) -> Result<PartitionId, PartitionError> {
        if meta.num_partitions <= 0 {
            return Err(PartitionError::NoPartitions);
        }
        let counter = self.topic_counters.entry(topic.to_string()).or_insert(0);
        // `AtomicInteger.getAndIncrement` wraps to Int.MinValue; toPositive absorbs it.
        let next_value = *counter;
        *counter = counter.wrapping_add(1);
        let value = to_positive(next_value);
        if meta.available.is_empty() {
            Ok(value % meta.num_partitions)
        } else {
            Ok(meta.available[value as usize % meta.available.len()])
        }
    }
}

/// The producer's `partitioner.class`, with its per-producer state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Partitioner {
    /// `DefaultPartitioner`: murmur2 for keys, sticky for null keys (2.4+ default).
    Default(StickyPartitionCache),
    /// `UniformStickyPartitioner`: sticky for every record, keys ignored.
    UniformSticky(StickyPartitionCache),
    /// `RoundRobinPartitioner`: per-topic round robin, keys ignored.
    RoundRobin(RoundRobinPartitioner),
}

impl Default for Partitioner {
    fn default() -> Self {
        Partitioner::Default(StickyPartitionCache::default())
    }
}

impl Partitioner {
    /// `KafkaProducer.partition`: an explicit partition wins, else the partitioner decides.
    pub fn partition(
        &mut self,
        topic: &str,
        explicit: Option<PartitionId>,
        key: Option<&[u8]>,
        meta: &TopicMetadata,
        rng: &mut SimRng,
    ) -> Result<PartitionId, PartitionError> {
        if let Some(p) = explicit {
            if p < 0 || p >= meta.num_partitions {
                return Err(PartitionError::PartitionNotInMetadata(p));
            }
            return Ok(p);
        }
        match self {
            Partitioner::Default(cache) => match key {
                Some(bytes) => partition_for_key(bytes, meta.num_partitions)
                    .ok_or(PartitionError::NoPartitions),
                None => cache.partition(topic, meta, rng),
            },
            Partitioner::UniformSticky(cache) => cache.partition(topic, meta, rng),
            Partitioner::RoundRobin(rr) => rr.partition(topic, meta),
        }
    }

    /// `onNewBatch`: the accumulator had to open a new batch for `prev_partition`
    /// (`abortForNewBatch`), so the sticky partition moves on. The caller then partitions the
    /// record again. A no-op for round robin.
    pub fn on_new_batch(
        &mut self,
        topic: &str,
        meta: &TopicMetadata,
        prev_partition: PartitionId,
        rng: &mut SimRng,
    ) {
        match self {
            Partitioner::Default(cache) | Partitioner::UniformSticky(cache) => {
                // An empty topic has nothing to stick to; the next partition() reports it.
                let _ = cache.next_partition(topic, meta, prev_partition, rng);
            }
            Partitioner::RoundRobin(_) => {}
        }
    }

    /// The config name of this partitioner (`partitioner.class`).
    pub fn name(&self) -> &'static str {
        match self {
            Partitioner::Default(_) => "DefaultPartitioner",
            Partitioner::UniformSticky(_) => "UniformStickyPartitioner",
            Partitioner::RoundRobin(_) => "RoundRobinPartitioner",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn murmur2_matches_the_vectors_of_kafkas_utils_test() {
        // clients/src/test/java/org/apache/kafka/common/utils/UtilsTest.java, testMurmur2 (2.8.2).
        let cases: &[(&[u8], i32)] = &[
            (b"21", -973932308),
            (b"foobar", -790332482),
            (b"a-little-bit-long-string", -985981536),
            (b"a-little-bit-longer-string", -1486304829),
            (
                b"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8",
                -58897971,
            ),
            (b"abc", 479470107), // `new byte[] {'a', 'b', 'c'}` in the Java test
        ];
        for &(key, expected) in cases {
            assert_eq!(murmur2(key), expected, "{:?}", String::from_utf8_lossy(key));
        }
    }

    #[test]
    fn murmur2_of_empty_and_tail_lengths_follows_the_java_fall_through() {
        // Computed from the Java algorithm (an independent transcription, not Kafka output).
        assert_eq!(murmur2(b""), 275646681);
        assert_eq!(murmur2(b"key"), -1079937367);
    }

    #[test]
    fn to_positive_clears_the_sign_bit_rather_than_negating() {
        assert_eq!(to_positive(-1), i32::MAX);
        assert_eq!(to_positive(i32::MIN), 0);
        assert_eq!(to_positive(5), 5);
    }

    #[test]
    fn keyed_partitions_match_the_sheet_table() {
        // protocols.md C.11 table: toPositive(murmur2(key)) % n for n = 3, 6, 12.
        let cases: &[(&[u8], [i32; 3])] = &[
            (b"21", [0, 0, 0]),
            (b"foobar", [0, 0, 6]),
            (b"a-little-bit-long-string", [2, 2, 8]),
            (b"a-little-bit-longer-string", [2, 5, 11]),
            (
                b"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8",
                [2, 5, 5],
            ),
            (b"abc", [0, 3, 3]),
        ];
        for &(key, parts) in cases {
            for (n, expected) in [3, 6, 12].into_iter().zip(parts) {
                assert_eq!(partition_for_key(key, n), Some(expected));
            }
        }
        assert_eq!(partition_for_key(b"21", 0), None);
    }

    #[test]
    fn keyed_records_ignore_availability() {
        let mut p = Partitioner::default();
        let mut rng = SimRng::new(1);
        let meta = TopicMetadata {
            num_partitions: 12,
            available: vec![0],
        };
        assert_eq!(
            p.partition("t", None, Some(b"foobar"), &meta, &mut rng),
            Ok(6)
        );
    }

    #[test]
    fn explicit_partition_wins_and_an_unknown_one_is_an_error_value() {
        let mut p = Partitioner::default();
        let mut rng = SimRng::new(1);
        let meta = TopicMetadata::all_available(3);
        assert_eq!(
            p.partition("t", Some(2), Some(b"21"), &meta, &mut rng),
            Ok(2)
        );
        assert_eq!(
            p.partition("t", Some(3), None, &meta, &mut rng),
            Err(PartitionError::PartitionNotInMetadata(3))
        );
    }

    #[test]
    fn null_keys_stick_to_one_partition_until_a_batch_completes() {
        let mut p = Partitioner::default();
        let mut rng = SimRng::new(7);
        let meta = TopicMetadata::all_available(6);
        let first = p.partition("t", None, None, &meta, &mut rng).unwrap();
        for _ in 0..10 {
            assert_eq!(p.partition("t", None, None, &meta, &mut rng), Ok(first));
        }
        p.on_new_batch("t", &meta, first, &mut rng);
        let second = p.partition("t", None, None, &meta, &mut rng).unwrap();
        assert_ne!(
            second, first,
            "with 2+ available partitions the sticky one must change"
        );
    }

    #[test]
    fn a_new_batch_on_another_partition_does_not_move_the_sticky_one() {
        let mut cache = StickyPartitionCache::default();
        let mut rng = SimRng::new(3);
        let meta = TopicMetadata::all_available(4);
        let sticky = cache.partition("t", &meta, &mut rng).unwrap();
        let other = (sticky + 1) % 4;
        assert_eq!(
            cache.next_partition("t", &meta, other, &mut rng),
            Ok(sticky)
        );
    }

    #[test]
    fn sticky_picks_only_available_partitions_and_the_single_one_if_alone() {
        let mut cache = StickyPartitionCache::default();
        let mut rng = SimRng::new(11);
        let meta = TopicMetadata {
            num_partitions: 5,
            available: vec![3, 1],
        };
        for _ in 0..20 {
            let prev = cache.partition("t", &meta, &mut rng).unwrap();
            assert!(prev == 1 || prev == 3);
            let next = cache.next_partition("t", &meta, prev, &mut rng).unwrap();
            assert_ne!(next, prev);
        }
        let alone = TopicMetadata {
            num_partitions: 5,
            available: vec![4],
        };
        let mut cache = StickyPartitionCache::default();
        assert_eq!(cache.partition("u", &alone, &mut rng), Ok(4));
        assert_eq!(cache.next_partition("u", &alone, 4, &mut rng), Ok(4));
    }

    #[test]
    fn sticky_choices_are_reproducible_from_the_seed() {
        let run = |seed| {
            let mut cache = StickyPartitionCache::default();
            let mut rng = SimRng::new(seed);
            let meta = TopicMetadata::all_available(10);
            let mut seen = Vec::new();
            for _ in 0..8 {
                let p = cache.partition("t", &meta, &mut rng).unwrap();
                seen.push(p);
                cache.next_partition("t", &meta, p, &mut rng).unwrap();
            }
            seen
        };
        assert_eq!(run(42), run(42));
    }

    #[test]
    fn round_robin_skips_unavailable_partitions_evenly() {
        // RoundRobinPartitionerTest.testRoundRobinWithUnavailablePartitions: metadata lists
        // partitions 1 (no leader), 2, 0; 100 sends split 50/50 between 2 and 0.
        let mut rr = RoundRobinPartitioner::default();
        let meta = TopicMetadata {
            num_partitions: 3,
            available: vec![2, 0],
        };
        let picks: Vec<_> = (0..100)
            .map(|_| rr.partition("test", &meta).unwrap())
            .collect();
        assert_eq!(picks.iter().filter(|&&p| p == 0).count(), 50);
        assert_eq!(picks.iter().filter(|&&p| p == 2).count(), 50);
        assert_eq!(&picks[..3], &[2, 0, 2]);
    }

    #[test]
    fn round_robin_counts_per_topic_and_ignores_keys() {
        // RoundRobinPartitionerTest.testRoundRobinWithKeyBytes: 30 sends to topicA interleaved
        // with sends to topicB give 10 each on topicA's three partitions.
        let mut p = Partitioner::RoundRobin(RoundRobinPartitioner::default());
        let mut rng = SimRng::new(0);
        let a = TopicMetadata::all_available(3);
        let b = TopicMetadata::all_available(1);
        let mut counts = [0; 3];
        for i in 0..30 {
            let part = p
                .partition("topicA", None, Some(b"key"), &a, &mut rng)
                .unwrap();
            counts[part as usize] += 1;
            if i % 5 == 0 {
                p.partition("topicB", None, Some(b"key"), &b, &mut rng)
                    .unwrap();
            }
        }
        assert_eq!(counts, [10, 10, 10]);
    }

    #[test]
    fn a_topic_without_partitions_is_an_error_value() {
        let mut rng = SimRng::new(0);
        let empty = TopicMetadata::all_available(0);
        let mut p = Partitioner::default();
        assert_eq!(
            p.partition("t", None, None, &empty, &mut rng),
            Err(PartitionError::NoPartitions)
        );
        let mut rr = RoundRobinPartitioner::default();
        assert_eq!(rr.partition("t", &empty), Err(PartitionError::NoPartitions));
    }
}
