//! Kafka's requests between brokers, the controller and clients, and the actors' timers.
//!
//! Names are Kafka's API names (`LeaderAndIsr`, `UpdateMetadata`, `Fetch`, `AlterIsr`,
//! `Produce`, `Metadata`, `CreateTopics`); fields are the subset of the 2.8 schemas
//! (`clients/src/main/resources/common/message/*.json`) the simulator acts on. One request
//! carries one topic partition where Kafka batches many (simplified).
//!
//! [`Wire`] and [`Tick`] are what a Kafka actor sends and arms: its own messages and timers
//! plus those of the ZooKeeper client library it embeds.

use crate::kafka::config::Acks;
use crate::kafka::errors::KafkaError;
use crate::kafka::group::TopicPartition;
use crate::kafka::log::{Record, RecordData};
use crate::sim::NodeId;
use crate::zk;

/// One partition of a `Fetch` (`FetchRequest.FetchPartition` v12).
#[derive(Clone, Debug, PartialEq)]
pub struct FetchPartition {
    pub topic: String,
    pub partition: i32,
    pub fetch_offset: i64,
    /// -1 from a consumer that does not know it.
    pub current_leader_epoch: i32,
    /// -1 from a consumer.
    pub last_fetched_epoch: i32,
    pub log_start_offset: i64,
    /// The partition's `MaxBytes` (`replica.fetch.max.bytes` for a follower,
    /// `max.partition.fetch.bytes` for a consumer); the first record is returned even when
    /// larger (KIP-74).
    pub max_bytes: i32,
}

/// One partition of a `FetchResponse` (`FetchResponse.PartitionData` v12).
#[derive(Clone, Debug, PartialEq)]
pub struct FetchedPartition {
    pub topic: String,
    pub partition: i32,
    pub error: KafkaError,
    pub high_watermark: i64,
    pub records: Vec<Record>,
    /// `DivergingEpoch{Epoch, EndOffset}` when the follower's log diverges.
    pub diverging: Option<(i32, i64)>,
}

/// A partition's leader, epoch, ISR and replicas as the controller sends them
/// (`LeaderAndIsrPartitionState` / `UpdateMetadataPartitionState`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartitionInfo {
    pub topic: String,
    pub partition: i32,
    pub controller_epoch: i32,
    pub leader: i32,
    pub leader_epoch: i32,
    pub isr: Vec<i32>,
    pub zk_version: i32,
    pub replicas: Vec<i32>,
}

/// A live broker: id and the node its advertised host resolves to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LiveBroker {
    pub id: i32,
    pub node: NodeId,
}

/// The `replica_id` a consumer's `Fetch` carries (`FetchRequest.CONSUMER_REPLICA_ID`).
pub const CONSUMER_REPLICA_ID: i32 = -1;

/// What a person or a script tells a Kafka node to do, delivered from the environment
/// (`Input::Deliver`): the operator's hands (`kafka-server-stop.sh`, a producer's `send`,
/// `kafka-configs.sh`, …), recorded in the timeline like any other input. Each Kafka area
/// adds the commands its actors obey.
#[derive(Clone, Debug, PartialEq)]
pub enum Operator {
    /// Stop a broker cleanly (SIGTERM → `KafkaServer.shutdown`): controlled shutdown first
    /// when `controlled.shutdown.enable`, then close the ZooKeeper session.
    Shutdown,
    /// `kafka-configs.sh --zookeeper --alter --entity-type topics|brokers --add-config k=v,..`:
    /// the broker merges the pairs into the entity's znode (an empty value deletes the key),
    /// then writes the sequential change notification.
    AlterConfig {
        entity: ConfigEntity,
        configs: Vec<(String, String)>,
    },
    /// `kafka-topics.sh --zookeeper --alter --topic <t> --partitions <count>`: the broker
    /// writes the grown assignment to `/brokers/topics/<t>` (`AdminZkClient.addPartitions`).
    AddPartitions { topic: String, count: i32 },
    /// A producer's `send(new ProducerRecord(topic, partition, key, value))`: a null key is
    /// `None`; an explicit partition bypasses the partitioner.
    Send {
        key: Option<String>,
        value: String,
        partition: Option<i32>,
    },
    /// Producer: the application calls `send()` `count` times back to back (keys and values
    /// `b<n>`, `n` the record's place in `send()` order).
    Burst { count: u32 },
    /// Producer: `acks` from the next `Produce` request on (batches already sent keep theirs).
    /// Simplified: Kafka fixes `acks` when the producer is built; an application would close
    /// the producer and build another. Refused, as Kafka's `ConfigException`, for an
    /// idempotent producer and anything but `all`.
    SetAcks(Acks),
    /// Consumer: `close()` — commit (with auto-commit on) and send `LeaveGroup`, then stop.
    Leave,
    /// Consumer: `commitSync()` of the processed positions now.
    Commit,
    /// Consumer: `seek(partition, offset)` on an assigned partition of its topic.
    Seek { partition: i32, offset: i64 },
}

/// The entity a dynamic config belongs to (`ConfigType` + name).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfigEntity {
    /// `/config/topics/<topic>`.
    Topic(String),
    /// `/config/brokers/<id>`.
    Broker(i32),
    /// `/config/brokers/<default>`: the cluster-wide default.
    BrokerDefault,
}

impl ConfigEntity {
    /// The `entity_path` of a change notification, e.g. `topics/events`.
    pub fn entity_path(&self) -> String {
        match self {
            ConfigEntity::Topic(t) => format!("topics/{t}"),
            ConfigEntity::Broker(id) => format!("brokers/{id}"),
            ConfigEntity::BrokerDefault => "brokers/<default>".to_string(),
        }
    }

    /// Parses an `entity_path` (`topics/<t>`, `brokers/<id>`, `brokers/<default>`).
    pub fn from_entity_path(path: &str) -> Option<ConfigEntity> {
        let (kind, name) = path.split_once('/')?;
        match (kind, name) {
            ("topics", t) if !t.is_empty() && !t.contains('/') => {
                Some(ConfigEntity::Topic(t.to_string()))
            }
            ("brokers", "<default>") => Some(ConfigEntity::BrokerDefault),
            ("brokers", id) => id.parse().ok().map(ConfigEntity::Broker),
            _ => None,
        }
    }
}

impl Operator {
    /// One line for the trace.
    pub fn summary(&self) -> String {
        match self {
            Operator::Shutdown => "shutdown".to_string(),
            Operator::AlterConfig { entity, configs } => {
                let pairs: Vec<String> = configs.iter().map(|(k, v)| format!("{k}={v}")).collect();
                format!("alter-config {} {}", entity.entity_path(), pairs.join(","))
            }
            Operator::AddPartitions { topic, count } => {
                format!("add-partitions {topic} to {count}")
            }
            Operator::Send {
                key,
                value,
                partition,
            } => {
                let key = key.as_deref().unwrap_or("null");
                let part = partition.map_or(String::new(), |p| format!(" partition={p}"));
                format!("send key={key} value={}{part}", short(value))
            }
            Operator::Burst { count } => format!("send {count} records"),
            Operator::SetAcks(a) => format!("set acks={}", a.name()),
            Operator::Leave => "close (leave the group)".to_string(),
            Operator::Commit => "commitSync".to_string(),
            Operator::Seek { partition, offset } => {
                format!("seek partition {partition} to {offset}")
            }
        }
    }
}

/// A value cut to 24 characters for a trace line.
fn short(value: &str) -> String {
    match value.char_indices().nth(24) {
        Some((i, _)) => format!("{}… ({} bytes)", &value[..i], value.len()),
        None => value.to_string(),
    }
}

/// One partition's record batch in a `Produce` request (`PartitionProduceData`).
#[derive(Clone, Debug, PartialEq)]
pub struct ProduceBatch {
    pub partition: i32,
    /// The batch's records; an idempotent batch's records carry its producer id, epoch and
    /// base sequence.
    pub records: Vec<RecordData>,
}

/// One partition's answer in a `ProduceResponse` (`PartitionProduceResponse`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PartitionResponse {
    pub partition: i32,
    pub error: KafkaError,
    /// Offset of the batch's first record (-1 on error).
    pub base_offset: i64,
}

/// Kafka's requests and responses.
#[derive(Clone, Debug, PartialEq)]
pub enum Msg {
    /// Environment → node: an operator's command (never sent between nodes).
    Operator(Operator),
    /// Controller → broker: become leader or follower.
    LeaderAndIsr {
        controller_id: i32,
        controller_epoch: i32,
        broker_epoch: i64,
        partitions: Vec<PartitionInfo>,
        live_leaders: Vec<LiveBroker>,
        /// The controller channel's request id, echoed by the response.
        correlation_id: i32,
    },
    /// Broker → controller: a `LeaderAndIsr` or `UpdateMetadata` (`api`) was handled.
    ControlResponse {
        api: &'static str,
        correlation_id: i32,
        error: KafkaError,
    },
    /// Controller → broker: refresh the metadata cache.
    UpdateMetadata {
        controller_id: i32,
        controller_epoch: i32,
        broker_epoch: i64,
        partitions: Vec<PartitionInfo>,
        live_brokers: Vec<LiveBroker>,
        /// The controller channel's request id, echoed by the response.
        correlation_id: i32,
    },
    /// Follower or consumer → a leader broker, one request for every partition it fetches
    /// from that broker (v12, full fetch: no incremental fetch session). A consumer sends
    /// `replica_id` -1 ([`CONSUMER_REPLICA_ID`]) and reads only up to the high watermark.
    Fetch {
        replica_id: i32,
        partitions: Vec<FetchPartition>,
    },
    /// Leader → follower or consumer: one answer per partition asked for, in the same order.
    FetchResponse { partitions: Vec<FetchedPartition> },
    /// Leader → controller: persist a new ISR.
    AlterIsr {
        broker_id: i32,
        broker_epoch: i64,
        topic: String,
        partition: i32,
        leader_epoch: i32,
        new_isr: Vec<i32>,
        current_isr_version: i32,
    },
    /// Controller → leader.
    AlterIsrResponse {
        topic: String,
        partition: i32,
        error: KafkaError,
        /// Leader, leader epoch, ISR, zkVersion as written.
        state: Option<(i32, i32, Vec<i32>, i32)>,
    },
    /// Consumer → leader: the earliest (`timestamp` -2) or latest (-1) offset of a partition.
    ListOffsets {
        topic: String,
        partition: i32,
        timestamp: i64,
    },
    /// Leader → consumer: the offset asked for (the log start, or the high watermark for
    /// latest, as a read-uncommitted consumer sees it).
    ListOffsetsResponse {
        topic: String,
        partition: i32,
        error: KafkaError,
        offset: i64,
    },
    /// Admin client → broker.
    CreateTopics {
        topic: String,
        num_partitions: i32,
        replication_factor: i32,
    },
    /// Broker → admin client.
    CreateTopicsResponse { topic: String, error: KafkaError },
    /// Client → broker.
    Metadata { topics: Vec<String> },
    /// Broker → client: from its metadata cache.
    MetadataResponse {
        brokers: Vec<LiveBroker>,
        controller_id: i32,
        partitions: Vec<PartitionInfo>,
    },
    /// Producer → leader: at most one batch per partition the broker leads.
    Produce {
        correlation_id: i32,
        acks: i16,
        timeout_ms: i32,
        topic: String,
        batches: Vec<ProduceBatch>,
    },
    /// Leader → producer (never sent for `acks=0`): one answer per batch.
    ProduceResponse {
        correlation_id: i32,
        topic: String,
        responses: Vec<PartitionResponse>,
    },
    /// Idempotent producer → any broker (`TransactionalId` null).
    InitProducerId { correlation_id: i32 },
    /// Broker → producer: an id from the broker's block of `/latest_producer_id_block`.
    InitProducerIdResponse {
        correlation_id: i32,
        error: KafkaError,
        producer_id: i64,
        producer_epoch: i16,
    },
    /// Controller → broker: stop the replicas (fetchers; with `delete_partitions` also the
    /// logs). Per partition: topic, partition, leader epoch (-2 during a topic deletion).
    StopReplica {
        controller_id: i32,
        controller_epoch: i32,
        broker_epoch: i64,
        delete_partitions: bool,
        partitions: Vec<(String, i32, i32)>,
    },
    /// Broker → controller: it is shutting down; move its leaderships away.
    ControlledShutdown { broker_id: i32, broker_epoch: i64 },
    /// Controller → broker: the partitions it still leads (empty = done).
    ControlledShutdownResponse {
        error: KafkaError,
        remaining: Vec<(String, i32)>,
    },
    /// Client → any broker: who coordinates group `key` (`KeyType` 0)?
    FindCoordinator { key: String },
    /// Broker → client: the coordinator (the leader of the group's `__consumer_offsets`
    /// partition), or `COORDINATOR_NOT_AVAILABLE`.
    FindCoordinatorResponse {
        key: String,
        error: KafkaError,
        coordinator: Option<LiveBroker>,
    },
    /// Consumer → coordinator (v5: `MEMBER_ID_REQUIRED` on the first join).
    JoinGroup {
        group_id: String,
        /// The request header's `client.id` (the member id's prefix).
        client_id: String,
        session_timeout_ms: i32,
        rebalance_timeout_ms: i32,
        member_id: String,
        protocol_type: String,
        protocols: Vec<GroupProtocol>,
    },
    /// Coordinator → consumer; only the leader's answer lists the members.
    JoinGroupResponse {
        error: KafkaError,
        generation_id: i32,
        protocol_name: String,
        leader: String,
        member_id: String,
        members: Vec<(String, GroupProtocol)>,
    },
    /// Consumer → coordinator: the leader carries the assignment, followers an empty list.
    SyncGroup {
        group_id: String,
        generation_id: i32,
        member_id: String,
        assignments: Vec<(String, Vec<TopicPartition>)>,
    },
    /// Coordinator → consumer: its partitions for the generation.
    SyncGroupResponse {
        error: KafkaError,
        assignment: Vec<TopicPartition>,
    },
    /// Consumer → coordinator, every `heartbeat.interval.ms`.
    Heartbeat {
        group_id: String,
        generation_id: i32,
        member_id: String,
    },
    /// Coordinator → consumer.
    HeartbeatResponse { error: KafkaError },
    /// Consumer → coordinator: leave at once (rebalance without waiting for the session).
    LeaveGroup { group_id: String, member_id: String },
    /// Coordinator → consumer.
    LeaveGroupResponse { error: KafkaError },
    /// Consumer → coordinator: the next offsets to consume (generation -1 for a consumer
    /// outside group management).
    OffsetCommit {
        group_id: String,
        generation_id: i32,
        member_id: String,
        offsets: Vec<(TopicPartition, i64)>,
    },
    /// Coordinator → consumer, once the commit record is replicated (`acks=-1`); one error
    /// for the whole request (Kafka answers per partition, with the same group error).
    OffsetCommitResponse {
        error: KafkaError,
        offsets: Vec<(TopicPartition, i64)>,
    },
    /// Consumer → coordinator: the committed offsets of these partitions.
    OffsetFetch {
        group_id: String,
        partitions: Vec<TopicPartition>,
    },
    /// Coordinator → consumer: offset -1 where nothing is committed.
    OffsetFetchResponse {
        error: KafkaError,
        offsets: Vec<(TopicPartition, i64)>,
    },
}

/// One entry of `JoinGroup.Protocols`: an assignor's name and the member's `Subscription`
/// (`ConsumerProtocol`): its topics and, as the sticky assignor's user data, the partitions
/// it owned in `generation` (-1: none).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupProtocol {
    pub name: String,
    pub topics: Vec<String>,
    pub owned: Vec<TopicPartition>,
    pub generation: i32,
}

fn tps_text(list: &[TopicPartition]) -> String {
    let parts: Vec<String> = list
        .iter()
        .map(|t| format!("{}-{}", t.topic, t.partition))
        .collect();
    format!("[{}]", parts.join(","))
}

impl Msg {
    /// Kafka's API name.
    pub fn kind(&self) -> &'static str {
        match self {
            Msg::Operator(_) => "Operator",
            Msg::LeaderAndIsr { .. } => "LeaderAndIsr",
            Msg::UpdateMetadata { .. } => "UpdateMetadata",
            Msg::ControlResponse { api, .. } => {
                if *api == "LeaderAndIsr" {
                    "LeaderAndIsrResponse"
                } else {
                    "UpdateMetadataResponse"
                }
            }
            Msg::Fetch { .. } => "Fetch",
            Msg::FetchResponse { .. } => "FetchResponse",
            Msg::AlterIsr { .. } => "AlterIsr",
            Msg::AlterIsrResponse { .. } => "AlterIsrResponse",
            Msg::ListOffsets { .. } => "ListOffsets",
            Msg::ListOffsetsResponse { .. } => "ListOffsetsResponse",
            Msg::CreateTopics { .. } => "CreateTopics",
            Msg::CreateTopicsResponse { .. } => "CreateTopicsResponse",
            Msg::Metadata { .. } => "Metadata",
            Msg::MetadataResponse { .. } => "MetadataResponse",
            Msg::Produce { .. } => "Produce",
            Msg::ProduceResponse { .. } => "ProduceResponse",
            Msg::StopReplica { .. } => "StopReplica",
            Msg::ControlledShutdown { .. } => "ControlledShutdown",
            Msg::ControlledShutdownResponse { .. } => "ControlledShutdownResponse",
            Msg::InitProducerId { .. } => "InitProducerId",
            Msg::InitProducerIdResponse { .. } => "InitProducerIdResponse",
            Msg::FindCoordinator { .. } => "FindCoordinator",
            Msg::FindCoordinatorResponse { .. } => "FindCoordinatorResponse",
            Msg::JoinGroup { .. } => "JoinGroup",
            Msg::JoinGroupResponse { .. } => "JoinGroupResponse",
            Msg::SyncGroup { .. } => "SyncGroup",
            Msg::SyncGroupResponse { .. } => "SyncGroupResponse",
            Msg::Heartbeat { .. } => "Heartbeat",
            Msg::HeartbeatResponse { .. } => "HeartbeatResponse",
            Msg::LeaveGroup { .. } => "LeaveGroup",
            Msg::LeaveGroupResponse { .. } => "LeaveGroupResponse",
            Msg::OffsetCommit { .. } => "OffsetCommit",
            Msg::OffsetCommitResponse { .. } => "OffsetCommitResponse",
            Msg::OffsetFetch { .. } => "OffsetFetch",
            Msg::OffsetFetchResponse { .. } => "OffsetFetchResponse",
        }
    }

    /// One line with the fields that matter.
    pub fn summary(&self) -> String {
        let tp = |t: &str, p: &i32| format!("{t}-{p}");
        match self {
            Msg::Operator(op) => format!("Operator {}", op.summary()),
            Msg::LeaderAndIsr {
                controller_epoch,
                partitions,
                ..
            }
            | Msg::UpdateMetadata {
                controller_epoch,
                partitions,
                ..
            } => {
                let parts: Vec<String> = partitions
                    .iter()
                    .map(|p| {
                        format!(
                            "{} leader={} epoch={} isr={:?}",
                            tp(&p.topic, &p.partition),
                            p.leader,
                            p.leader_epoch,
                            p.isr
                        )
                    })
                    .collect();
                format!(
                    "{} controller_epoch={controller_epoch} [{}]",
                    self.kind(),
                    parts.join("; ")
                )
            }
            Msg::Fetch {
                replica_id,
                partitions,
            } => {
                let who = if *replica_id < 0 {
                    "a consumer".to_string()
                } else {
                    format!("broker {replica_id}")
                };
                let parts: Vec<String> = partitions
                    .iter()
                    .map(|p| {
                        format!(
                            "{} offset={} epoch={}",
                            tp(&p.topic, &p.partition),
                            p.fetch_offset,
                            p.current_leader_epoch
                        )
                    })
                    .collect();
                format!("Fetch {} from {who}", parts.join("; "))
            }
            Msg::FetchResponse { partitions } => {
                let parts: Vec<String> = partitions
                    .iter()
                    .map(|p| {
                        let div = p.diverging.map_or(String::new(), |(e, o)| {
                            format!(" diverging epoch {e} end {o}")
                        });
                        format!(
                            "{} {} records={} hw={}{div}",
                            tp(&p.topic, &p.partition),
                            p.error.name(),
                            p.records.len(),
                            p.high_watermark
                        )
                    })
                    .collect();
                format!("FetchResponse {}", parts.join("; "))
            }
            Msg::ControlResponse { api, error, .. } => format!("{api}Response {}", error.name()),
            Msg::AlterIsr {
                topic,
                partition,
                leader_epoch,
                new_isr,
                ..
            } => format!(
                "AlterIsr {} epoch={leader_epoch} isr={new_isr:?}",
                tp(topic, partition)
            ),
            Msg::AlterIsrResponse {
                topic,
                partition,
                error,
                ..
            } => format!("AlterIsrResponse {} {}", tp(topic, partition), error.name()),
            Msg::ListOffsets {
                topic,
                partition,
                timestamp,
            } => {
                let which = if *timestamp == -2 {
                    "earliest"
                } else {
                    "latest"
                };
                format!("ListOffsets {} {which}", tp(topic, partition))
            }
            Msg::ListOffsetsResponse {
                topic,
                partition,
                error,
                offset,
            } => format!(
                "ListOffsetsResponse {} {} offset={offset}",
                tp(topic, partition),
                error.name()
            ),
            Msg::CreateTopics {
                topic,
                num_partitions,
                replication_factor,
            } => {
                format!("CreateTopics {topic} partitions={num_partitions} rf={replication_factor}")
            }
            Msg::CreateTopicsResponse { topic, error } => {
                format!("CreateTopicsResponse {topic} {}", error.name())
            }
            Msg::Metadata { topics } => format!("Metadata {}", topics.join(",")),
            Msg::MetadataResponse {
                brokers,
                partitions,
                ..
            } => format!(
                "MetadataResponse brokers={} partitions={}",
                brokers.len(),
                partitions.len()
            ),
            Msg::Produce {
                acks,
                topic,
                batches,
                ..
            } => {
                let parts: Vec<String> = batches
                    .iter()
                    .map(|b| {
                        let seq = b.records.first().map_or(-1, |r| r.base_sequence);
                        let seq = if seq >= 0 {
                            format!(" seq={seq}")
                        } else {
                            String::new()
                        };
                        format!(
                            "{} records={}{seq}",
                            tp(topic, &b.partition),
                            b.records.len()
                        )
                    })
                    .collect();
                format!("Produce acks={acks} [{}]", parts.join("; "))
            }
            Msg::ProduceResponse {
                topic, responses, ..
            } => {
                let parts: Vec<String> = responses
                    .iter()
                    .map(|r| {
                        format!(
                            "{} {} offset={}",
                            tp(topic, &r.partition),
                            r.error.name(),
                            r.base_offset
                        )
                    })
                    .collect();
                format!("ProduceResponse [{}]", parts.join("; "))
            }
            Msg::InitProducerId { .. } => "InitProducerId".to_string(),
            Msg::InitProducerIdResponse {
                error,
                producer_id,
                producer_epoch,
                ..
            } => format!(
                "InitProducerIdResponse {} producer_id={producer_id} epoch={producer_epoch}",
                error.name()
            ),
            Msg::StopReplica {
                controller_epoch,
                delete_partitions,
                partitions,
                ..
            } => {
                let parts: Vec<String> = partitions
                    .iter()
                    .map(|(t, p, e)| format!("{} epoch={e}", tp(t, p)))
                    .collect();
                format!(
                    "StopReplica controller_epoch={controller_epoch} delete={delete_partitions} [{}]",
                    parts.join("; ")
                )
            }
            Msg::ControlledShutdown {
                broker_id,
                broker_epoch,
            } => format!("ControlledShutdown broker={broker_id} broker_epoch={broker_epoch}"),
            Msg::ControlledShutdownResponse { error, remaining } => {
                let parts: Vec<String> = remaining.iter().map(|(t, p)| tp(t, p)).collect();
                format!(
                    "ControlledShutdownResponse {} remaining=[{}]",
                    error.name(),
                    parts.join(",")
                )
            }
            _ => self.group_summary(),
        }
    }

    /// The summary of a group-coordinator message.
    fn group_summary(&self) -> String {
        let offs = |list: &[(TopicPartition, i64)]| {
            let parts: Vec<String> = list
                .iter()
                .map(|(t, o)| format!("{}-{}={o}", t.topic, t.partition))
                .collect();
            parts.join(",")
        };
        match self {
            Msg::FindCoordinator { key } => format!("FindCoordinator group {key}"),
            Msg::FindCoordinatorResponse {
                key,
                error,
                coordinator,
            } => match coordinator {
                Some(b) => format!("FindCoordinatorResponse {key}: broker {}", b.id),
                None => format!("FindCoordinatorResponse {key} {}", error.name()),
            },
            Msg::JoinGroup {
                group_id,
                member_id,
                protocols,
                ..
            } => {
                let names: Vec<&str> = protocols.iter().map(|p| p.name.as_str()).collect();
                let who = if member_id.is_empty() { "(new)" } else { member_id };
                format!("JoinGroup {group_id} member {who} [{}]", names.join(","))
            }
            Msg::JoinGroupResponse {
                error,
                generation_id,
                leader,
                member_id,
                members,
                ..
            } => format!(
                "JoinGroupResponse {} generation={generation_id} member {member_id} leader {leader} members={}",
                error.name(),
                members.len()
            ),
            Msg::SyncGroup {
                group_id,
                generation_id,
                member_id,
                assignments,
            } => format!(
                "SyncGroup {group_id} generation={generation_id} member {member_id} assignments={}",
                assignments.len()
            ),
            Msg::SyncGroupResponse { error, assignment } => {
                format!("SyncGroupResponse {} {}", error.name(), tps_text(assignment))
            }
            Msg::Heartbeat {
                generation_id,
                member_id,
                ..
            } => format!("Heartbeat generation={generation_id} member {member_id}"),
            Msg::HeartbeatResponse { error } => format!("HeartbeatResponse {}", error.name()),
            Msg::LeaveGroup { group_id, member_id } => {
                format!("LeaveGroup {group_id} member {member_id}")
            }
            Msg::LeaveGroupResponse { error } => format!("LeaveGroupResponse {}", error.name()),
            Msg::OffsetCommit {
                generation_id,
                offsets,
                ..
            } => format!(
                "OffsetCommit generation={generation_id} {}",
                offs(offsets)
            ),
            Msg::OffsetCommitResponse { error, offsets } => {
                format!("OffsetCommitResponse {} {}", error.name(), offs(offsets))
            }
            Msg::OffsetFetch {
                group_id,
                partitions,
            } => format!("OffsetFetch {group_id} {}", tps_text(partitions)),
            Msg::OffsetFetchResponse { error, offsets } => {
                format!("OffsetFetchResponse {} {}", error.name(), offs(offsets))
            }
            _ => self.kind().to_string(),
        }
    }
}

/// Timers of the Kafka actors.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Timer {
    /// Broker: the replica fetcher's poll (every `replica.fetch.wait.max.ms`).
    FetchTick,
    /// Broker: `isr-expiration` (every `replica.lag.time.max.ms / 2`).
    IsrExpiration,
    /// Broker: delayed produce timeouts.
    ProduceTimeout,
    /// Broker: retry a ZooKeeper registration after a failure or a session expiry.
    Reconnect,
    /// Client: next record to send.
    Send,
    /// Client: back-off before a retry or a metadata refresh.
    Retry,
    /// Client: a request went unanswered for `request.timeout.ms`.
    RequestTimeout,
    /// Broker: the next controlled shutdown attempt (after `controlled.shutdown.retry.backoff.ms`).
    ControlledShutdownRetry,
    /// Broker: a `ControlledShutdown` went unanswered for `request.timeout.ms`.
    ControlledShutdownTimeout,
    /// Controller: `auto-leader-rebalance-task`.
    AutoLeaderRebalance,
    /// Controller: the oldest unanswered `LeaderAndIsr`/`UpdateMetadata` reaches
    /// `controller.socket.timeout.ms`.
    ControllerRequestTimeout,
    /// Broker (ZK-ISR mode): `isr-change-propagation`, every 2500 ms.
    IsrChangePropagation,
    /// Producer: the sender thread's next wake-up (`linger.ms`, `retry.backoff.ms`, a
    /// request or delivery timeout).
    SenderWake,
    /// Classic ZooKeeper consumer.
    ZkConsumer(crate::kafka::zk_consumer::ConsumerTimer),
    /// Broker: the group coordinator's next deadline (join/sync phase end, session expiry,
    /// offsets load, commit timeout).
    Coordinator,
    /// Consumer: the application's poll loop.
    ConsumerPoll,
    /// Consumer: the heartbeat thread.
    ConsumerHeartbeat,
}

impl Timer {
    /// Stable name for traces.
    pub fn name(&self) -> String {
        match self {
            Timer::FetchTick => "FetchTick",
            Timer::IsrExpiration => "IsrExpiration",
            Timer::ProduceTimeout => "ProduceTimeout",
            Timer::Reconnect => "KafkaReconnect",
            Timer::Send => "ProducerSend",
            Timer::Retry => "ProducerRetry",
            Timer::RequestTimeout => "RequestTimeout",
            Timer::ControlledShutdownRetry => "ControlledShutdownRetry",
            Timer::ControlledShutdownTimeout => "ControlledShutdownTimeout",
            Timer::AutoLeaderRebalance => "AutoLeaderRebalance",
            Timer::ControllerRequestTimeout => "ControllerRequestTimeout",
            Timer::IsrChangePropagation => "IsrChangePropagation",
            Timer::SenderWake => "ProducerSender",
            Timer::ZkConsumer(t) => return t.name(),
            Timer::Coordinator => "GroupCoordinator",
            Timer::ConsumerPoll => "ConsumerPoll",
            Timer::ConsumerHeartbeat => "ConsumerHeartbeat",
        }
        .to_string()
    }
}

/// What a Kafka actor sends: its own requests or ZooKeeper client packets.
#[derive(Clone, Debug, PartialEq)]
pub enum Wire {
    Kafka(Msg),
    Zk(zk::Msg),
}

impl From<Msg> for Wire {
    fn from(m: Msg) -> Self {
        Wire::Kafka(m)
    }
}

impl From<zk::Msg> for Wire {
    fn from(m: zk::Msg) -> Self {
        Wire::Zk(m)
    }
}

/// What a Kafka actor arms: its own timers or its ZooKeeper client's.
#[derive(Clone, Debug, PartialEq)]
pub enum Tick {
    Kafka(Timer),
    Zk(zk::Timer),
}

impl From<Timer> for Tick {
    fn from(t: Timer) -> Self {
        Tick::Kafka(t)
    }
}

impl From<zk::Timer> for Tick {
    fn from(t: zk::Timer) -> Self {
        Tick::Zk(t)
    }
}
