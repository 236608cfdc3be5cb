//! Broker, topic, producer and consumer configuration with Kafka 2.8.2 names and defaults.
//!
//! Models the keys the simulator acts on, spelled as in `KafkaConfig.scala` (object
//! `Defaults`), `LogConfig`, `ProducerConfig.java` and `ConsumerConfig.java`, parsed from
//! `key=value` strings with `ConfigDef`'s validators (ranges, allowed strings, booleans) and
//! errors as values. Topic-level overrides fall back to the broker setting. The producer
//! applies `maybeOverrideAcksAndRetries` and the in-flight check of the idempotent producer.
//!
//! Simplifies: only the keys listed here are known; any other key is an
//! [`ConfigError`] (Kafka would log and ignore it) so typos in scenarios are caught. Sizes and
//! times keep Kafka's units (bytes, ms).

use std::fmt;

/// A bad key or value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// The key.
    pub key: String,
    /// The value given.
    pub value: String,
    /// Why it was refused (wording close to Kafka's `ConfigException`).
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Invalid value {} for configuration {}: {}",
            self.value, self.key, self.message
        )
    }
}

fn bad(key: &str, value: &str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        key: key.to_string(),
        value: value.to_string(),
        message: message.into(),
    }
}

fn parse_num<T: std::str::FromStr + PartialOrd + fmt::Display + Copy>(
    key: &str,
    value: &str,
    at_least: T,
) -> Result<T, ConfigError> {
    let parsed: T = value
        .trim()
        .parse()
        .map_err(|_| bad(key, value, "Not a number of the expected type"))?;
    if parsed < at_least {
        return Err(bad(
            key,
            value,
            format!("Value must be at least {at_least}"),
        ));
    }
    Ok(parsed)
}

fn parse_bool(key: &str, value: &str) -> Result<bool, ConfigError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(bad(key, value, "Expected value to be either true or false")),
    }
}

/// Applies `key=value` pairs to a config through its `set`.
fn apply<C>(
    mut config: C,
    pairs: &[(&str, &str)],
    set: fn(&mut C, &str, &str) -> Result<(), ConfigError>,
) -> Result<C, ConfigError> {
    for (key, value) in pairs {
        set(&mut config, key, value)?;
    }
    Ok(config)
}

fn unknown(key: &str, value: &str) -> ConfigError {
    bad(key, value, "Unknown configuration")
}

/// Broker settings (`server.properties`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BrokerConfig {
    /// `zookeeper.session.timeout.ms` (18000).
    pub zookeeper_session_timeout_ms: i64,
    /// `replica.lag.time.max.ms` (30000).
    pub replica_lag_time_max_ms: i64,
    /// `min.insync.replicas` (1).
    pub min_insync_replicas: i32,
    /// `unclean.leader.election.enable` (false).
    pub unclean_leader_election_enable: bool,
    /// `message.max.bytes` (1048588 = 1 MiB + 12 bytes of log overhead).
    pub message_max_bytes: i32,
    /// `log.segment.bytes` (1073741824).
    pub log_segment_bytes: i32,
    /// `replica.fetch.max.bytes` (1048576).
    pub replica_fetch_max_bytes: i32,
    /// `replica.fetch.wait.max.ms` (500).
    pub replica_fetch_wait_max_ms: i64,
    /// `replica.fetch.backoff.ms` (1000).
    pub replica_fetch_backoff_ms: i64,
    /// `num.partitions` (1).
    pub num_partitions: i32,
    /// `default.replication.factor` (1).
    pub default_replication_factor: i32,
    /// `auto.create.topics.enable` (true).
    pub auto_create_topics_enable: bool,
    /// `delete.topic.enable` (true).
    pub delete_topic_enable: bool,
    /// `auto.leader.rebalance.enable` (true).
    pub auto_leader_rebalance_enable: bool,
    /// `leader.imbalance.per.broker.percentage` (10).
    pub leader_imbalance_per_broker_percentage: i32,
    /// `leader.imbalance.check.interval.seconds` (300).
    pub leader_imbalance_check_interval_seconds: i64,
    /// `controlled.shutdown.enable` (true).
    pub controlled_shutdown_enable: bool,
    /// `controlled.shutdown.max.retries` (3).
    pub controlled_shutdown_max_retries: i32,
    /// `controlled.shutdown.retry.backoff.ms` (5000).
    pub controlled_shutdown_retry_backoff_ms: i64,
    /// `offsets.topic.num.partitions` (50).
    pub offsets_topic_num_partitions: i32,
    /// `offsets.topic.replication.factor` (3).
    pub offsets_topic_replication_factor: i32,
    /// `group.min.session.timeout.ms` (6000).
    pub group_min_session_timeout_ms: i32,
    /// `group.max.session.timeout.ms` (1800000).
    pub group_max_session_timeout_ms: i32,
    /// `group.initial.rebalance.delay.ms` (3000).
    pub group_initial_rebalance_delay_ms: i32,
    /// `request.timeout.ms` (30000).
    pub request_timeout_ms: i32,
    /// `controller.socket.timeout.ms`: how long the controller waits for a broker's answer
    /// to `LeaderAndIsr`/`UpdateMetadata` before it reconnects and sends again.
    pub controller_socket_timeout_ms: i32,
    /// Planted mistakes (all off; see [`crate::kafka::bugs`]).
    pub bugs: crate::kafka::bugs::KafkaBugs,
    /// `inter.broker.protocol.version` (`2.8-IV1`, written `2.8`): below `2.7-IV2` leaders
    /// write ISR changes to ZooKeeper themselves (see [`BrokerConfig::zk_isr_mode`]).
    pub inter_broker_protocol_version: String,
}

impl Default for BrokerConfig {
    fn default() -> Self {
        Self {
            zookeeper_session_timeout_ms: 18_000,
            replica_lag_time_max_ms: 30_000,
            min_insync_replicas: 1,
            unclean_leader_election_enable: false,
            message_max_bytes: 1_048_588,
            log_segment_bytes: 1_073_741_824,
            replica_fetch_max_bytes: 1_048_576,
            replica_fetch_wait_max_ms: 500,
            replica_fetch_backoff_ms: 1_000,
            num_partitions: 1,
            default_replication_factor: 1,
            auto_create_topics_enable: true,
            delete_topic_enable: true,
            auto_leader_rebalance_enable: true,
            leader_imbalance_per_broker_percentage: 10,
            leader_imbalance_check_interval_seconds: 300,
            controlled_shutdown_enable: true,
            controlled_shutdown_max_retries: 3,
            controlled_shutdown_retry_backoff_ms: 5_000,
            offsets_topic_num_partitions: 50,
            offsets_topic_replication_factor: 3,
            group_min_session_timeout_ms: 6_000,
            group_max_session_timeout_ms: 1_800_000,
            group_initial_rebalance_delay_ms: 3_000,
            request_timeout_ms: 30_000,
            controller_socket_timeout_ms: 30_000,
            bugs: crate::kafka::bugs::KafkaBugs::NONE,
            inter_broker_protocol_version: "2.8".to_string(),
        }
    }
}

impl BrokerConfig {
    /// Defaults overridden by `pairs`.
    pub fn from_pairs(pairs: &[(&str, &str)]) -> Result<Self, ConfigError> {
        apply(Self::default(), pairs, Self::set)
    }

    /// Sets one key.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), ConfigError> {
        let (k, v) = (key, value);
        match key {
            "zookeeper.session.timeout.ms" => {
                self.zookeeper_session_timeout_ms = parse_num(k, v, 0)?
            }
            "replica.lag.time.max.ms" => self.replica_lag_time_max_ms = parse_num(k, v, 0)?,
            "min.insync.replicas" => self.min_insync_replicas = parse_num(k, v, 1)?,
            "unclean.leader.election.enable" => {
                self.unclean_leader_election_enable = parse_bool(k, v)?
            }
            "message.max.bytes" => self.message_max_bytes = parse_num(k, v, 0)?,
            "log.segment.bytes" => self.log_segment_bytes = parse_num(k, v, 14)?,
            "replica.fetch.max.bytes" => self.replica_fetch_max_bytes = parse_num(k, v, 0)?,
            "replica.fetch.wait.max.ms" => self.replica_fetch_wait_max_ms = parse_num(k, v, 0)?,
            "replica.fetch.backoff.ms" => self.replica_fetch_backoff_ms = parse_num(k, v, 0)?,
            "num.partitions" => self.num_partitions = parse_num(k, v, 1)?,
            "default.replication.factor" => self.default_replication_factor = parse_num(k, v, 1)?,
            "auto.create.topics.enable" => self.auto_create_topics_enable = parse_bool(k, v)?,
            "delete.topic.enable" => self.delete_topic_enable = parse_bool(k, v)?,
            "auto.leader.rebalance.enable" => self.auto_leader_rebalance_enable = parse_bool(k, v)?,
            "leader.imbalance.per.broker.percentage" => {
                self.leader_imbalance_per_broker_percentage = parse_num(k, v, 0)?
            }
            "leader.imbalance.check.interval.seconds" => {
                self.leader_imbalance_check_interval_seconds = parse_num(k, v, 1)?
            }
            "controlled.shutdown.enable" => self.controlled_shutdown_enable = parse_bool(k, v)?,
            "controlled.shutdown.max.retries" => {
                self.controlled_shutdown_max_retries = parse_num(k, v, 0)?
            }
            "controlled.shutdown.retry.backoff.ms" => {
                self.controlled_shutdown_retry_backoff_ms = parse_num(k, v, 0)?
            }
            "offsets.topic.num.partitions" => {
                self.offsets_topic_num_partitions = parse_num(k, v, 1)?
            }
            "offsets.topic.replication.factor" => {
                self.offsets_topic_replication_factor = parse_num(k, v, 1)?
            }
            "group.min.session.timeout.ms" => {
                self.group_min_session_timeout_ms = parse_num(k, v, 0)?
            }
            "group.max.session.timeout.ms" => {
                self.group_max_session_timeout_ms = parse_num(k, v, 0)?
            }
            "group.initial.rebalance.delay.ms" => {
                self.group_initial_rebalance_delay_ms = parse_num(k, v, 0)?
            }
            "request.timeout.ms" => self.request_timeout_ms = parse_num(k, v, 0)?,
            "controller.socket.timeout.ms" => {
                self.controller_socket_timeout_ms = parse_num(k, v, 1)?
            }
            "inter.broker.protocol.version" => {
                parse_ibp(v).ok_or_else(|| bad(k, v, "Version `major.minor[-IVn]` expected"))?;
                self.inter_broker_protocol_version = v.trim().to_string();
            }
            _ => return Err(unknown(k, v)),
        }
        Ok(())
    }

    /// Whether leaders persist ISR changes themselves (conditional `setData` of the `state`
    /// znode and `/isr_change_notification`): `inter.broker.protocol.version` < `2.7-IV2`.
    /// From `2.7-IV2` on they ask the controller with `AlterIsr`.
    pub fn zk_isr_mode(&self) -> bool {
        parse_ibp(&self.inter_broker_protocol_version).is_some_and(|v| v < (2, 7, 2))
    }
}

/// `major.minor[.patch][-IVn]` → (major, minor, IV); a version without `-IV` is the
/// latest IV of its release (`ApiVersion`), taken as 99.
fn parse_ibp(v: &str) -> Option<(u32, u32, u32)> {
    let (release, iv) = match v.trim().split_once("-IV") {
        Some((r, iv)) => (r, iv.parse().ok()?),
        None => (v.trim(), 99),
    };
    let mut parts = release.split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    if parts.next().is_some_and(|p| p.parse::<u32>().is_err()) {
        return None;
    }
    Some((major, minor, iv))
}

/// Topic-level overrides (`/config/topics/<t>`); `None` means "use the broker's".
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TopicConfig {
    /// `min.insync.replicas`.
    pub min_insync_replicas: Option<i32>,
    /// `unclean.leader.election.enable`.
    pub unclean_leader_election_enable: Option<bool>,
    /// `max.message.bytes` (the topic name of `message.max.bytes`).
    pub max_message_bytes: Option<i32>,
    /// `segment.bytes` (the topic name of `log.segment.bytes`).
    pub segment_bytes: Option<i32>,
}

impl TopicConfig {
    /// Overrides from `pairs`.
    pub fn from_pairs(pairs: &[(&str, &str)]) -> Result<Self, ConfigError> {
        apply(Self::default(), pairs, Self::set)
    }

    /// Sets one override.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), ConfigError> {
        let (k, v) = (key, value);
        match key {
            "min.insync.replicas" => self.min_insync_replicas = Some(parse_num(k, v, 1)?),
            "unclean.leader.election.enable" => {
                self.unclean_leader_election_enable = Some(parse_bool(k, v)?)
            }
            "max.message.bytes" => self.max_message_bytes = Some(parse_num(k, v, 0)?),
            "segment.bytes" => self.segment_bytes = Some(parse_num(k, v, 14)?),
            _ => return Err(unknown(k, v)),
        }
        Ok(())
    }

    /// Effective `min.insync.replicas`.
    pub fn min_insync_replicas(&self, broker: &BrokerConfig) -> i32 {
        self.min_insync_replicas
            .unwrap_or(broker.min_insync_replicas)
    }

    /// Effective `unclean.leader.election.enable`.
    pub fn unclean_leader_election_enable(&self, broker: &BrokerConfig) -> bool {
        self.unclean_leader_election_enable
            .unwrap_or(broker.unclean_leader_election_enable)
    }

    /// Effective `max.message.bytes`.
    pub fn max_message_bytes(&self, broker: &BrokerConfig) -> i32 {
        self.max_message_bytes.unwrap_or(broker.message_max_bytes)
    }

    /// Effective `segment.bytes`.
    pub fn segment_bytes(&self, broker: &BrokerConfig) -> i32 {
        self.segment_bytes.unwrap_or(broker.log_segment_bytes)
    }
}

mod client;
pub use client::*;

#[cfg(test)]
mod tests;
