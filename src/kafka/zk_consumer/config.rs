//! The classic consumer's settings, with the names and defaults of `kafka.consumer.ConsumerConfig`
//! (1.1.1). Only the keys the simulated consumer acts on are here; it always auto-commits
//! (`auto.commit.enable=true`), stores offsets in ZooKeeper (`offsets.storage=zookeeper`) and
//! uses the `range` assignor.

/// `auto.offset.reset`: where to start when ZooKeeper holds no offset (or the offset is out of
/// range).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OffsetReset {
    /// `largest` (default): the latest offset (`ListOffsets` latest = the high watermark).
    Largest,
    /// `smallest`: the log start offset (`ListOffsets` earliest).
    Smallest,
}

impl OffsetReset {
    /// `largest` or `smallest`.
    pub fn name(self) -> &'static str {
        match self {
            OffsetReset::Largest => "largest",
            OffsetReset::Smallest => "smallest",
        }
    }

    /// The `ListOffsets` timestamp: -1 (latest) or -2 (earliest).
    pub fn timestamp(self) -> i64 {
        match self {
            OffsetReset::Largest => -1,
            OffsetReset::Smallest => -2,
        }
    }
}

/// Classic consumer settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ZkConsumerConfig {
    /// `group.id` (required in Kafka; `group` here).
    pub group_id: String,
    /// `zookeeper.session.timeout.ms` (6000).
    pub zookeeper_session_timeout_ms: i32,
    /// `rebalance.backoff.ms` (= `zookeeper.sync.time.ms`, 2000).
    pub rebalance_backoff_ms: i64,
    /// `rebalance.max.retries` (4).
    pub rebalance_max_retries: u32,
    /// `auto.commit.interval.ms` (60000).
    pub auto_commit_interval_ms: i64,
    /// `auto.offset.reset` (`largest`).
    pub auto_offset_reset: OffsetReset,
    /// `fetch.message.max.bytes` (1048576): the `MaxBytes` of each partition's fetch.
    pub fetch_message_max_bytes: i32,
    /// `fetch.wait.max.ms` (100): the fetcher polls each partition this often when idle (the
    /// simulated broker answers at once instead of parking the fetch).
    pub fetch_wait_max_ms: i64,
    /// `socket.timeout.ms` (30000): a request unanswered this long is given up on.
    pub socket_timeout_ms: i64,
}

impl Default for ZkConsumerConfig {
    fn default() -> Self {
        Self {
            group_id: "group".to_string(),
            zookeeper_session_timeout_ms: 6_000,
            rebalance_backoff_ms: 2_000,
            rebalance_max_retries: 4,
            auto_commit_interval_ms: 60_000,
            auto_offset_reset: OffsetReset::Largest,
            fetch_message_max_bytes: 1_048_576,
            fetch_wait_max_ms: 100,
            socket_timeout_ms: 30_000,
        }
    }
}
