//! Producer and consumer settings (`ProducerConfig.java`, `ConsumerConfig.java`, 2.8.2).

use super::{apply, bad, parse_bool, parse_num, unknown, ConfigError};

/// The producer's `acks`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Acks {
    /// `acks=0`: no response.
    Zero,
    /// `acks=1`: the leader's append (the 2.8 default).
    One,
    /// `acks=all` / `-1`: every ISR member.
    All,
}

impl Acks {
    /// The wire value (`0`, `1`, `-1`).
    pub fn wire(self) -> i16 {
        match self {
            Acks::Zero => 0,
            Acks::One => 1,
            Acks::All => -1,
        }
    }

    /// The config value (`0`, `1`, `all`).
    pub fn name(self) -> &'static str {
        match self {
            Acks::Zero => "0",
            Acks::One => "1",
            Acks::All => "all",
        }
    }

    fn parse(key: &str, value: &str) -> Result<Self, ConfigError> {
        match value.trim() {
            "0" => Ok(Acks::Zero),
            "1" => Ok(Acks::One),
            "all" | "-1" => Ok(Acks::All),
            _ => Err(bad(key, value, "String must be one of: all, -1, 0, 1")),
        }
    }
}

/// Producer settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProducerConfig {
    /// `acks` (`1` in 2.8; `all` from 3.0).
    pub acks: Acks,
    /// `linger.ms` (0).
    pub linger_ms: i64,
    /// `batch.size` (16384).
    pub batch_size: i32,
    /// `max.request.size` (1048576).
    pub max_request_size: i32,
    /// `buffer.memory` (33554432).
    pub buffer_memory: i64,
    /// `max.block.ms` (60000).
    pub max_block_ms: i64,
    /// `delivery.timeout.ms` (120000).
    pub delivery_timeout_ms: i32,
    /// `request.timeout.ms` (30000).
    pub request_timeout_ms: i32,
    /// `retries` (2147483647).
    pub retries: i32,
    /// `retry.backoff.ms` (100).
    pub retry_backoff_ms: i64,
    /// `enable.idempotence` (false in 2.8; true from 3.0).
    pub enable_idempotence: bool,
    /// `max.in.flight.requests.per.connection` (5).
    pub max_in_flight_requests_per_connection: i32,
    /// `metadata.max.age.ms` (300000).
    pub metadata_max_age_ms: i64,
    /// `partitioner.class` (`DefaultPartitioner`).
    pub partitioner_class: PartitionerClass,
    acks_set: bool,
    retries_set: bool,
}

impl Default for ProducerConfig {
    fn default() -> Self {
        Self {
            acks: Acks::One,
            linger_ms: 0,
            batch_size: 16_384,
            max_request_size: 1_048_576,
            buffer_memory: 33_554_432,
            max_block_ms: 60_000,
            delivery_timeout_ms: 120_000,
            request_timeout_ms: 30_000,
            retries: i32::MAX,
            retry_backoff_ms: 100,
            enable_idempotence: false,
            max_in_flight_requests_per_connection: 5,
            metadata_max_age_ms: 300_000,
            partitioner_class: PartitionerClass::Default,
            acks_set: false,
            retries_set: false,
        }
    }
}

impl ProducerConfig {
    /// Defaults overridden by `pairs`, then the idempotence checks of [`Self::finish`].
    pub fn from_pairs(pairs: &[(&str, &str)]) -> Result<Self, ConfigError> {
        apply(Self::default(), pairs, Self::set)?.finish()
    }

    /// Sets one key (no cross-key checks; see [`Self::finish`]).
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), ConfigError> {
        let (k, v) = (key, value);
        match key {
            "acks" => {
                self.acks = Acks::parse(k, v)?;
                self.acks_set = true;
            }
            "linger.ms" => self.linger_ms = parse_num(k, v, 0)?,
            "batch.size" => self.batch_size = parse_num(k, v, 0)?,
            "max.request.size" => self.max_request_size = parse_num(k, v, 0)?,
            "buffer.memory" => self.buffer_memory = parse_num(k, v, 0)?,
            "max.block.ms" => self.max_block_ms = parse_num(k, v, 0)?,
            "delivery.timeout.ms" => self.delivery_timeout_ms = parse_num(k, v, 0)?,
            "request.timeout.ms" => self.request_timeout_ms = parse_num(k, v, 0)?,
            "retries" => {
                self.retries = parse_num(k, v, 0)?;
                self.retries_set = true;
            }
            "retry.backoff.ms" => self.retry_backoff_ms = parse_num(k, v, 0)?,
            "enable.idempotence" => self.enable_idempotence = parse_bool(k, v)?,
            "max.in.flight.requests.per.connection" => {
                self.max_in_flight_requests_per_connection = parse_num(k, v, 1)?
            }
            "metadata.max.age.ms" => self.metadata_max_age_ms = parse_num(k, v, 0)?,
            "partitioner.class" => self.partitioner_class = PartitionerClass::parse(k, v)?,
            _ => return Err(unknown(k, v)),
        }
        Ok(())
    }

    /// `maybeOverrideAcksAndRetries` and `configureInflightRequests`: with idempotence on,
    /// `retries=0` or an explicit `acks` other than `all` is an error, more than 5 requests
    /// in flight is an error, and an unset `acks` becomes `all` (unset `retries` stays
    /// `Int.MaxValue`).
    pub fn finish(mut self) -> Result<Self, ConfigError> {
        if !self.enable_idempotence {
            return Ok(self);
        }
        if self.retries == 0 {
            return Err(bad(
                "retries",
                "0",
                "Must set retries to non-zero when using the idempotent producer.",
            ));
        }
        if !self.retries_set {
            self.retries = i32::MAX;
        }
        if self.acks_set && self.acks != Acks::All {
            return Err(bad(
                "acks",
                &self.acks.wire().to_string(),
                "Must set acks to all in order to use the idempotent producer. Otherwise we cannot guarantee idempotence.",
            ));
        }
        self.acks = Acks::All;
        if self.max_in_flight_requests_per_connection > 5 {
            return Err(bad(
                "max.in.flight.requests.per.connection",
                &self.max_in_flight_requests_per_connection.to_string(),
                "Must set max.in.flight.requests.per.connection to at most 5 to use the idempotent producer.",
            ));
        }
        Ok(self)
    }
}

/// The producer's `partitioner.class`, plus `Explicit`-free choices: every record may still
/// name its partition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PartitionerClass {
    /// `org.apache.kafka.clients.producer.internals.DefaultPartitioner`: murmur2 for keys,
    /// sticky for null keys.
    Default,
    /// `org.apache.kafka.clients.producer.UniformStickyPartitioner`.
    UniformSticky,
    /// `org.apache.kafka.clients.producer.RoundRobinPartitioner`.
    RoundRobin,
}

impl PartitionerClass {
    fn parse(key: &str, value: &str) -> Result<Self, ConfigError> {
        let name = value.trim();
        let simple = name.rsplit('.').next().unwrap_or(name);
        match simple {
            "DefaultPartitioner" | "default" => Ok(PartitionerClass::Default),
            "UniformStickyPartitioner" | "uniform-sticky" => Ok(PartitionerClass::UniformSticky),
            "RoundRobinPartitioner" | "round-robin" => Ok(PartitionerClass::RoundRobin),
            _ => Err(bad(key, value, format!("Class {name} cannot be found"))),
        }
    }
}

/// The consumer's `auto.offset.reset`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AutoOffsetReset {
    /// `latest` (default): the high watermark.
    Latest,
    /// `earliest`: the log start offset.
    Earliest,
    /// `none`: an error to the application.
    None,
}

/// A `partition.assignment.strategy` entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AssignorName {
    /// `org.apache.kafka.clients.consumer.RangeAssignor` (`range`).
    Range,
    /// `org.apache.kafka.clients.consumer.RoundRobinAssignor` (`roundrobin`).
    RoundRobin,
    /// `org.apache.kafka.clients.consumer.StickyAssignor` (`sticky`).
    Sticky,
}

impl AssignorName {
    /// The protocol name sent in JoinGroup.
    pub fn protocol_name(self) -> &'static str {
        match self {
            AssignorName::Range => "range",
            AssignorName::RoundRobin => "roundrobin",
            AssignorName::Sticky => "sticky",
        }
    }
}

/// Consumer settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsumerConfig {
    /// `session.timeout.ms` (10000; 45000 from 3.0).
    pub session_timeout_ms: i32,
    /// `heartbeat.interval.ms` (3000).
    pub heartbeat_interval_ms: i32,
    /// `max.poll.interval.ms` (300000).
    pub max_poll_interval_ms: i32,
    /// `max.poll.records` (500).
    pub max_poll_records: i32,
    /// `enable.auto.commit` (true).
    pub enable_auto_commit: bool,
    /// `auto.commit.interval.ms` (5000).
    pub auto_commit_interval_ms: i32,
    /// `auto.offset.reset` (`latest`).
    pub auto_offset_reset: AutoOffsetReset,
    /// `partition.assignment.strategy` (`[RangeAssignor]`).
    pub partition_assignment_strategy: Vec<AssignorName>,
    /// `fetch.min.bytes` (1).
    pub fetch_min_bytes: i32,
    /// `fetch.max.bytes` (52428800).
    pub fetch_max_bytes: i32,
    /// `max.partition.fetch.bytes` (1048576).
    pub max_partition_fetch_bytes: i32,
    /// `fetch.max.wait.ms` (500).
    pub fetch_max_wait_ms: i32,
    /// `request.timeout.ms` (30000).
    pub request_timeout_ms: i32,
    /// `retry.backoff.ms` (100).
    pub retry_backoff_ms: i32,
    /// Planted mistakes (all off; see [`crate::kafka::bugs`]).
    pub bugs: crate::kafka::bugs::KafkaBugs,
}

impl Default for ConsumerConfig {
    fn default() -> Self {
        Self {
            session_timeout_ms: 10_000,
            heartbeat_interval_ms: 3_000,
            max_poll_interval_ms: 300_000,
            max_poll_records: 500,
            enable_auto_commit: true,
            auto_commit_interval_ms: 5_000,
            auto_offset_reset: AutoOffsetReset::Latest,
            partition_assignment_strategy: vec![AssignorName::Range],
            fetch_min_bytes: 1,
            fetch_max_bytes: 52_428_800,
            max_partition_fetch_bytes: 1_048_576,
            fetch_max_wait_ms: 500,
            request_timeout_ms: 30_000,
            retry_backoff_ms: 100,
            bugs: crate::kafka::bugs::KafkaBugs::NONE,
        }
    }
}

impl ConsumerConfig {
    /// Defaults overridden by `pairs`.
    pub fn from_pairs(pairs: &[(&str, &str)]) -> Result<Self, ConfigError> {
        apply(Self::default(), pairs, Self::set)
    }

    /// Sets one key.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), ConfigError> {
        let (k, v) = (key, value);
        match key {
            "session.timeout.ms" => self.session_timeout_ms = parse_num(k, v, i32::MIN)?,
            "heartbeat.interval.ms" => self.heartbeat_interval_ms = parse_num(k, v, i32::MIN)?,
            "max.poll.interval.ms" => self.max_poll_interval_ms = parse_num(k, v, 1)?,
            "max.poll.records" => self.max_poll_records = parse_num(k, v, 1)?,
            "enable.auto.commit" => self.enable_auto_commit = parse_bool(k, v)?,
            "auto.commit.interval.ms" => self.auto_commit_interval_ms = parse_num(k, v, 0)?,
            "auto.offset.reset" => {
                self.auto_offset_reset = match v.trim() {
                    "latest" => AutoOffsetReset::Latest,
                    "earliest" => AutoOffsetReset::Earliest,
                    "none" => AutoOffsetReset::None,
                    _ => return Err(bad(k, v, "String must be one of: latest, earliest, none")),
                }
            }
            "partition.assignment.strategy" => {
                self.partition_assignment_strategy = v
                    .split(',')
                    .map(|name| parse_assignor(k, v, name.trim()))
                    .collect::<Result<_, _>>()?
            }
            "fetch.min.bytes" => self.fetch_min_bytes = parse_num(k, v, 0)?,
            "fetch.max.bytes" => self.fetch_max_bytes = parse_num(k, v, 0)?,
            "max.partition.fetch.bytes" => self.max_partition_fetch_bytes = parse_num(k, v, 0)?,
            "fetch.max.wait.ms" => self.fetch_max_wait_ms = parse_num(k, v, 0)?,
            "request.timeout.ms" => self.request_timeout_ms = parse_num(k, v, 0)?,
            "retry.backoff.ms" => self.retry_backoff_ms = parse_num(k, v, 0)?,
            _ => return Err(unknown(k, v)),
        }
        Ok(())
    }
}

fn parse_assignor(key: &str, value: &str, name: &str) -> Result<AssignorName, ConfigError> {
    match name {
        "org.apache.kafka.clients.consumer.RangeAssignor" | "RangeAssignor" | "range" => {
            Ok(AssignorName::Range)
        }
        "org.apache.kafka.clients.consumer.RoundRobinAssignor"
        | "RoundRobinAssignor"
        | "roundrobin" => Ok(AssignorName::RoundRobin),
        "org.apache.kafka.clients.consumer.StickyAssignor" | "StickyAssignor" | "sticky" => {
            Ok(AssignorName::Sticky)
        }
        _ => Err(bad(key, value, format!("Class {name} cannot be found"))),
    }
}
