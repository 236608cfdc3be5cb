//! The client ops of `kafka-script`: `create_topic` (the `CreateTopics` request, or the admin
//! tooling's ZooKeeper writes), `produce` (`Metadata` + `Produce` with the producer's
//! partitioner, retries and timeouts) and `consume` (`ListOffsets` + `Fetch` as a consumer,
//! up to the high watermark).

use crate::sim::VecMap;

use crate::kafka::assignment::assign_replicas_to_brokers;
use crate::kafka::config::{Acks, ProducerConfig, TopicConfig};
use crate::kafka::errors::KafkaError;
use crate::kafka::log::RecordData;
use crate::kafka::msg::{
    FetchPartition, LiveBroker, Msg as KMsg, PartitionInfo, ProduceBatch, CONSUMER_REPLICA_ID,
};
use crate::kafka::partitioner::{PartitionError, TopicMetadata};
use crate::kafka::znodes::{encode_entity_config, paths, TopicAssignment};
use crate::sim::{NodeId, TimeUs, MS};
use crate::zk::msg::{ClientOp, ReplyBody};
use crate::zk::{CreateMode, ErrorCode, WriteOp};

use super::parse::CreateTopic;
use super::runner::{Line, Runner};
use super::OP_TIMEOUT_US;

/// A client's `request.timeout.ms` for metadata, offsets and fetches.
const REQUEST_TIMEOUT_US: TimeUs = 30_000 * MS;
/// `retry.backoff.ms` of the admin client and the consumer.
const BACKOFF_US: TimeUs = 100 * MS;
/// A consumer fetch's `max.partition.fetch.bytes`.
const FETCH_MAX_BYTES: i32 = 1_048_576;

/// What a `MetadataResponse` said.
struct Metadata {
    brokers: Vec<LiveBroker>,
    controller_id: i32,
    partitions: Vec<PartitionInfo>,
}

impl Metadata {
    fn node_of(&self, id: i32) -> Option<NodeId> {
        self.brokers.iter().find(|b| b.id == id).map(|b| b.node)
    }

    fn partition(&self, p: i32) -> Option<&PartitionInfo> {
        self.partitions.iter().find(|x| x.partition == p)
    }
}

impl Runner<'_> {
    /// `Metadata(topics)` to a running broker (the `attempt`-th in id order, so retries try
    /// another one).
    fn metadata(&mut self, topics: &[&str], attempt: usize) -> Option<Metadata> {
        let running: Vec<NodeId> = self
            .broker_nodes
            .iter()
            .copied()
            .filter(|n| self.sim.world.is_up(*n))
            .collect();
        let node = *running.get(attempt % running.len().max(1))?;
        let msg = KMsg::Metadata {
            topics: topics.iter().map(|t| t.to_string()).collect(),
        };
        let reply = self.request(node, msg, REQUEST_TIMEOUT_US, |m| {
            matches!(m, KMsg::MetadataResponse { .. })
        })?;
        let KMsg::MetadataResponse {
            brokers,
            controller_id,
            mut partitions,
        } = reply
        else {
            return None;
        };
        partitions.sort_by_key(|p| p.partition);
        Some(Metadata {
            brokers,
            controller_id,
            partitions,
        })
    }

    /// Waits until every running, registered broker's metadata cache has a leader for each
    /// of the topic's `n` partitions (as `CreateTopics` waits in `DelayedCreatePartitions`).
    fn wait_for_leaders(&mut self, topic: &str, n: i32, until: TimeUs) -> bool {
        self.run_until(until, |r| {
            r.brokers()
                .filter(|(node, b)| r.sim.world.is_up(*node) && b.broker_epoch >= 0)
                .all(|(_, b)| {
                    (0..n).all(|p| {
                        b.metadata
                            .partitions
                            .get(&(topic.to_string(), p))
                            .is_some_and(|x| x.leader >= 0)
                    })
                })
        })
    }

    // ----- create_topic -----

    pub(super) fn create_topic(&mut self, head: Line, ct: &CreateTopic) -> Line {
        let head = head.val("topic", &ct.topic);
        if ct.needs_admin_path() {
            return self.create_topic_in_zookeeper(head.val("via", "zookeeper"), ct);
        }
        let head = head.val("via", "CreateTopics");
        let partitions = ct
            .partitions
            .filter(|&p| p != -1)
            .unwrap_or(self.broker_config.num_partitions);
        let rf = ct
            .replication_factor
            .filter(|&r| r != -1)
            .unwrap_or(self.broker_config.default_replication_factor);
        let deadline = self.now_us() + OP_TIMEOUT_US;
        let mut attempt = 0;
        // The admin client sends CreateTopics to the controller it learns from Metadata.
        let (node, error) =
            loop {
                let controller = self
                    .metadata(&[], attempt)
                    .and_then(|m| m.node_of(m.controller_id));
                attempt += 1;
                if let Some(node) = controller {
                    let msg = KMsg::CreateTopics {
                        topic: ct.topic.clone(),
                        num_partitions: partitions,
                        replication_factor: rf,
                    };
                    let t = ct.topic.clone();
                    let reply = self.request(node, msg, REQUEST_TIMEOUT_US, move |m| {
                    matches!(m, KMsg::CreateTopicsResponse { topic, .. } if *topic == t)
                });
                    if let Some(KMsg::CreateTopicsResponse { error, .. }) = reply {
                        break (node, error);
                    }
                }
                if self.now_us() >= deadline || !self.back_off(BACKOFF_US) {
                    return head.error("REQUEST_TIMED_OUT", "no controller answered CreateTopics");
                }
            };
        if !error.is_none() {
            return head.error(error.name(), "");
        }
        if !self.wait_for_leaders(&ct.topic, partitions, deadline) {
            return head.error(
                "REQUEST_TIMED_OUT",
                "the topic was created but not every partition has a leader yet",
            );
        }
        let assignment: VecMap<i32, Vec<i32>> = self
            .broker(node)
            .map(|b| {
                b.metadata
                    .partitions
                    .values()
                    .filter(|p| p.topic == ct.topic)
                    .map(|p| (p.partition, p.replicas.clone()))
                    .collect()
            })
            .unwrap_or_default();
        head.val("ok", true).val(
            "assignment",
            assignment
                .into_iter()
                .collect::<std::collections::BTreeMap<_, _>>(),
        )
    }

    /// `AdminZkClient.createTopic` / `createTopicWithAssignment` (what `kafka-topics.sh
    /// --zookeeper` does): brokers from `/brokers/ids` sorted by id, the assignment (fixed start
    /// index, explicit, or random from the script's seed), `validateTopicCreate`, then
    /// `/config/topics/<t>` and `/brokers/topics/<t>`. Waits for the partitions' leaders
    /// before answering (the tool itself returns at once).
    fn create_topic_in_zookeeper(&mut self, head: Line, ct: &CreateTopic) -> Line {
        let deadline = self.now_us() + OP_TIMEOUT_US;
        let mut brokers: Vec<i32> = match self.zk_call(ClientOp::GetChildren {
            path: paths::BROKER_IDS.to_string(),
            watch: false,
            stat: false,
        }) {
            Ok(ReplyBody::Children { children, .. }) => {
                children.iter().filter_map(|c| c.parse().ok()).collect()
            }
            Ok(_) => return head.error("UNKNOWN_SERVER_ERROR", "unexpected ZooKeeper reply"),
            Err(e) => return zk_failure(head, e),
        };
        brokers.sort_unstable();
        let assignment = match &ct.assignment {
            Some(a) => {
                if ct.partitions.is_some() || ct.replication_factor.is_some() {
                    return head.error(
                        "INVALID_REQUEST",
                        "Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.",
                    );
                }
                a.clone()
            }
            None => {
                let partitions = ct.partitions.unwrap_or(self.broker_config.num_partitions);
                let rf = ct
                    .replication_factor
                    .unwrap_or(self.broker_config.default_replication_factor);
                let start = ct.start_index.map(|s| s as usize);
                match assign_replicas_to_brokers(&brokers, partitions, rf, start, -1, &mut self.rng)
                {
                    Ok(a) => a,
                    Err(e) => return head.error(e.error.name(), &e.message),
                }
            }
        };
        if let Err((name, message)) = validate_topic_create(&assignment) {
            return head.error(name, &message);
        }
        let mut topic_config = TopicConfig::default();
        for (k, v) in &ct.configs {
            if let Err(e) = topic_config.set(k, v) {
                return head.error("INVALID_CONFIG", &e.to_string());
            }
        }
        match self.zk_call(ClientOp::Exists {
            path: paths::topic(&ct.topic),
            watch: false,
        }) {
            Ok(ReplyBody::Exists(Some(_))) => {
                let msg = format!("Topic '{}' already exists.", ct.topic);
                return head.error(KafkaError::TopicAlreadyExists.name(), &msg);
            }
            Ok(_) | Err(ErrorCode::NoNode) => {}
            Err(e) => return zk_failure(head, e),
        }
        // `createRecursive`: the parents of the config znode may not exist yet.
        for parent in ["/config", "/config/topics"] {
            let _ = self.zk_create(parent, "");
        }
        let config = String::from_utf8_lossy(&encode_entity_config(&ct.configs)).into_owned();
        let config_path = paths::config_topic(&ct.topic);
        let written = match self.zk_create(&config_path, &config) {
            Err(ErrorCode::NodeExists) => self
                .zk_call(ClientOp::Write(WriteOp::set_data(
                    &config_path,
                    &config,
                    -1,
                )))
                .map(|_| ()),
            other => other,
        };
        if let Err(e) = written {
            return zk_failure(head, e);
        }
        let data =
            String::from_utf8_lossy(&TopicAssignment::new(None, &assignment).encode()).into_owned();
        match self.zk_create(&paths::topic(&ct.topic), &data) {
            Ok(()) => {}
            Err(ErrorCode::NodeExists) => {
                let msg = format!("Topic '{}' already exists.", ct.topic);
                return head.error(KafkaError::TopicAlreadyExists.name(), &msg);
            }
            Err(e) => return zk_failure(head, e),
        }
        self.wait_for_leaders(&ct.topic, assignment.len() as i32, deadline);
        head.val("ok", true).val(
            "assignment",
            assignment
                .into_iter()
                .collect::<std::collections::BTreeMap<_, _>>(),
        )
    }

    fn zk_create(&mut self, path: &str, data: &str) -> Result<(), ErrorCode> {
        let op = WriteOp::create(path, data, CreateMode::Persistent);
        self.zk_call(ClientOp::Write(op)).map(|_| ())
    }

    // ----- produce -----

    /// `KafkaProducer.send(record).get()`: wait up to `max.block.ms` for the topic in the
    /// metadata, choose the partition once (explicit, murmur2 of the key, or the sticky
    /// partition, which moves on at every send because each send opens a new batch), then
    /// `Produce` to the leader, retrying retriable errors after `retry.backoff.ms` while
    /// `retries` and `delivery.timeout.ms` allow.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn produce(
        &mut self,
        head: Line,
        client: &str,
        topic: &str,
        key: Option<&str>,
        value: &str,
        explicit: Option<i32>,
        cfg: &ProducerConfig,
    ) -> Line {
        let head = head.val("topic", topic);
        let start = self.now_us();
        let block_deadline = start + cfg.max_block_ms.max(0) as u64 * MS;
        let delivery_deadline = start + cfg.delivery_timeout_ms.max(0) as u64 * MS;
        let backoff = cfg.retry_backoff_ms.max(0) as u64 * MS;
        let request_timeout = cfg.request_timeout_ms.max(1) as u64 * MS;
        let mut partition: Option<i32> = None;
        let mut retries_left = cfg.retries;
        let mut attempt = 0usize;
        loop {
            let meta = self.metadata(&[topic], attempt);
            attempt += 1;
            let known: Vec<&PartitionInfo> = meta
                .as_ref()
                .map(|m| m.partitions.iter().filter(|p| p.topic == topic).collect())
                .unwrap_or_default();
            if partition.is_none() && !known.is_empty() {
                let tm = TopicMetadata {
                    num_partitions: known.len() as i32,
                    available: known
                        .iter()
                        .filter(|p| p.leader >= 0)
                        .map(|p| p.partition)
                        .collect(),
                };
                if let Ok(p) = self.choose_partition(client, topic, explicit, key, &tm) {
                    partition = Some(p);
                }
            }
            let Some(p) = partition else {
                if self.now_us() >= block_deadline || !self.back_off(backoff.max(MS)) {
                    let what = match explicit {
                        Some(p) => format!("Partition {p} of topic {topic}"),
                        None => format!("Topic {topic}"),
                    };
                    let msg = format!(
                        "{what} not present in metadata after {} ms.",
                        cfg.max_block_ms
                    );
                    return head.error(KafkaError::UnknownTopicOrPartition.name(), &msg);
                }
                continue;
            };
            let leader = meta.as_ref().and_then(|m| {
                m.partition(p)
                    .filter(|x| x.leader >= 0)
                    .and_then(|x| m.node_of(x.leader))
            });
            let error = match leader {
                None => KafkaError::LeaderNotAvailable,
                Some(node) => {
                    match self.send_produce(node, topic, p, key, value, cfg, request_timeout) {
                        Ok(offset) => {
                            return head
                                .val("partition", p)
                                .val("ok", true)
                                .val("offset", offset);
                        }
                        Err(e) => e,
                    }
                }
            };
            let can_retry = error.retriable()
                && retries_left > 0
                && self.now_us() + backoff < delivery_deadline;
            if !can_retry || !self.back_off(backoff.max(MS)) {
                return head.val("partition", p).error(error.name(), "");
            }
            retries_left -= 1;
        }
    }

    fn choose_partition(
        &mut self,
        client: &str,
        topic: &str,
        explicit: Option<i32>,
        key: Option<&str>,
        tm: &TopicMetadata,
    ) -> Result<i32, PartitionError> {
        let state = self.clients.entry(client.to_string()).or_default();
        let key = key.map(str::as_bytes);
        let first = state
            .partitioner
            .partition(topic, explicit, key, tm, &mut self.rng)?;
        if explicit.is_some() || key.is_some() {
            return Ok(first);
        }
        // No batch is open (the previous send completed): `abortForNewBatch`, `onNewBatch`,
        // and the record is partitioned again.
        state
            .partitioner
            .on_new_batch(topic, tm, first, &mut self.rng);
        state
            .partitioner
            .partition(topic, None, None, tm, &mut self.rng)
    }

    /// One `Produce` attempt: the base offset, `-1` for `acks=0` (no answer), or the error.
    #[allow(clippy::too_many_arguments)]
    fn send_produce(
        &mut self,
        node: NodeId,
        topic: &str,
        partition: i32,
        key: Option<&str>,
        value: &str,
        cfg: &ProducerConfig,
        request_timeout: TimeUs,
    ) -> Result<i64, KafkaError> {
        let correlation_id = self.next_correlation;
        self.next_correlation = self.next_correlation.wrapping_add(1);
        let now_ms = (self.now_us() / MS) as i64;
        let msg = KMsg::Produce {
            correlation_id,
            acks: cfg.acks.wire(),
            timeout_ms: cfg.request_timeout_ms,
            topic: topic.to_string(),
            batches: vec![ProduceBatch {
                partition,
                records: vec![RecordData::new(key, value, now_ms)],
            }],
        };
        if cfg.acks == Acks::Zero {
            if !self.sim.world.is_up(node) {
                return Err(KafkaError::NetworkException);
            }
            self.request(node, msg, 0, |_| false);
            return Ok(-1);
        }
        let reply = self.request(node, msg, request_timeout, |m| {
            matches!(m, KMsg::ProduceResponse { correlation_id: c, .. } if *c == correlation_id)
        });
        let got_reply = reply.is_some();
        let answer = match reply {
            Some(KMsg::ProduceResponse { responses, .. }) => responses
                .into_iter()
                .find(|r| r.partition == partition)
                .map(|r| (r.error, r.base_offset)),
            _ => None,
        };
        match answer {
            Some((error, base_offset)) if error.is_none() => Ok(base_offset),
            Some((error, _)) => Err(error),
            None if got_reply => Err(KafkaError::UnknownServerError),
            None if self.sim.world.is_up(node) => Err(KafkaError::RequestTimedOut),
            None => Err(KafkaError::NetworkException),
        }
    }

    // ----- consume -----

    /// A consumer without a group (`assign` + `poll`): for each partition in order (or the
    /// one asked for), fetch from the leader at the client's position (the log start offset
    /// from `ListOffsets` the first time, or where `seek` put it) until `max` records or the
    /// high watermark; retriable errors refresh the metadata and try again until the op's
    /// time runs out.
    pub(super) fn consume(
        &mut self,
        head: Line,
        client: &str,
        topic: &str,
        only: Option<i32>,
        max: usize,
    ) -> Line {
        let head = match only {
            Some(p) => head.val("topic", topic).val("partition", p),
            None => head.val("topic", topic),
        };
        let deadline = self.now_us() + OP_TIMEOUT_US;
        let mut attempt = 0usize;
        let meta = loop {
            let m = self.metadata(&[topic], attempt);
            attempt += 1;
            if let Some(m) = m.filter(|m| m.partitions.iter().any(|p| p.topic == topic)) {
                break m;
            }
            if self.now_us() >= deadline || !self.back_off(BACKOFF_US) {
                return head.error(KafkaError::UnknownTopicOrPartition.name(), "");
            }
        };
        let partitions: Vec<i32> = match only {
            Some(p) if meta.partition(p).is_none() => {
                return head.error(KafkaError::UnknownTopicOrPartition.name(), "");
            }
            Some(p) => vec![p],
            None => meta.partitions.iter().map(|p| p.partition).collect(),
        };
        let mut meta = meta;
        let mut records = Vec::new();
        for p in partitions {
            loop {
                if records.len() >= max {
                    break;
                }
                match self.fetch_once(client, topic, p, &meta, max - records.len()) {
                    Ok(got) if got.is_empty() => break,
                    Ok(got) => records.extend(got),
                    Err(e)
                        if e.retriable()
                            && self.now_us() < deadline
                            && self.back_off(BACKOFF_US) =>
                    {
                        if let Some(m) = self.metadata(&[topic], attempt) {
                            meta = m;
                        }
                        attempt += 1;
                    }
                    Err(e) => {
                        let at = format!("partition {p}");
                        return head.error(e.name(), &at);
                    }
                }
            }
        }
        head.val("ok", true)
            .raw("records", format!("[{}]", records.join(",")))
    }

    /// One `Fetch` (after a `ListOffsets` if the position is unknown): the records as JSON,
    /// at most `room` of them; the client's position moves past them.
    fn fetch_once(
        &mut self,
        client: &str,
        topic: &str,
        partition: i32,
        meta: &Metadata,
        room: usize,
    ) -> Result<Vec<String>, KafkaError> {
        let info = meta
            .partition(partition)
            .ok_or(KafkaError::UnknownTopicOrPartition)?;
        let node = Some(info.leader)
            .filter(|&l| l >= 0)
            .and_then(|l| meta.node_of(l))
            .ok_or(KafkaError::LeaderNotAvailable)?;
        let epoch = info.leader_epoch;
        let key = (topic.to_string(), partition);
        let known = self
            .clients
            .get(client)
            .and_then(|c| c.positions.get(&key))
            .copied();
        let position = match known {
            Some(p) => p,
            None => {
                let msg = KMsg::ListOffsets {
                    topic: topic.to_string(),
                    partition,
                    timestamp: -2,
                };
                let reply = self.request(node, msg, REQUEST_TIMEOUT_US, |m| {
                    matches!(m, KMsg::ListOffsetsResponse { .. })
                });
                match reply {
                    Some(KMsg::ListOffsetsResponse { error, offset, .. }) if error.is_none() => {
                        offset
                    }
                    Some(KMsg::ListOffsetsResponse { error, .. }) => return Err(error),
                    _ => return Err(KafkaError::NetworkException),
                }
            }
        };
        let msg = KMsg::Fetch {
            replica_id: CONSUMER_REPLICA_ID,
            partitions: vec![FetchPartition {
                topic: topic.to_string(),
                partition,
                fetch_offset: position,
                current_leader_epoch: epoch,
                last_fetched_epoch: -1,
                log_start_offset: -1,
                max_bytes: FETCH_MAX_BYTES,
            }],
        };
        let reply = self.request(node, msg, REQUEST_TIMEOUT_US, |m| {
            matches!(m, KMsg::FetchResponse { .. })
        });
        let Some(KMsg::FetchResponse { partitions }) = reply else {
            return Err(KafkaError::NetworkException);
        };
        let recs = match partitions.into_iter().next() {
            Some(d) if d.error.is_none() => d.records,
            Some(d) => return Err(d.error),
            None => return Err(KafkaError::NetworkException),
        };
        let taken: Vec<_> = recs.into_iter().take(room).collect();
        let next = taken.last().map_or(position, |r| r.offset + 1);
        self.clients
            .entry(client.to_string())
            .or_default()
            .positions
            .insert(key, next);
        Ok(taken
            .iter()
            .map(|r| {
                Line::new()
                    .val("partition", partition)
                    .val("offset", r.offset)
                    .val("key", &r.data.key)
                    .val("value", &r.data.value)
                    .finish()
            })
            .collect())
    }
}

/// A ZooKeeper failure of the admin tooling (Kafka surfaces it as an unknown server error).
fn zk_failure(head: Line, e: ErrorCode) -> Line {
    head.error(
        "UNKNOWN_SERVER_ERROR",
        &format!("ZooKeeper answered {}", e.name()),
    )
}

/// `AdminZkClient.validateTopicCreate`'s assignment checks, with Kafka's messages.
fn validate_topic_create(a: &VecMap<i32, Vec<i32>>) -> Result<(), (&'static str, String)> {
    let invalid = |m: &str| Err(("INVALID_REPLICA_ASSIGNMENT", m.to_string()));
    let mut sizes: Vec<usize> = a.values().map(Vec::len).collect();
    sizes.sort_unstable();
    sizes.dedup();
    if sizes.len() != 1 {
        return invalid("All partitions should have the same number of replicas");
    }
    for r in a.values() {
        let mut s = r.clone();
        s.sort_unstable();
        s.dedup();
        if s.len() != r.len() {
            let text: Vec<String> = a
                .iter()
                .map(|(p, r)| {
                    let rs: Vec<String> = r.iter().map(i32::to_string).collect();
                    format!("{p} -> List({})", rs.join(", "))
                })
                .collect();
            return invalid(&format!(
                "Duplicate replica assignment found: Map({})",
                text.join(", ")
            ));
        }
    }
    let n = a.len() as i64;
    let sum: i64 = a.keys().filter(|&&p| p >= 0).map(|&p| p as i64).sum();
    if sum != n * (n - 1) / 2 {
        return invalid("partitions should be a consecutive 0-based integer sequence");
    }
    if a.values().next().is_some_and(Vec::is_empty) {
        return Err((
            "INVALID_REPLICATION_FACTOR",
            "Replication factor must be larger than 0.".to_string(),
        ));
    }
    Ok(())
}
