//! A producer client as Kafka 2.8.2 builds one (`KafkaProducer`, `RecordAccumulator`,
//! `Sender`, the idempotent part of `TransactionManager`; sheet C.10, C.11), with an admin
//! step that creates its topic first (`CreateTopics`, as `kafka-topics.sh`).
//!
//! Records come from a generator (one record `k<n>`/`v<n>` every `interval_ms`, up to
//! `max_records`, the scenarios' application) or from an operator's
//! [`Operator::Send`](crate::kafka::msg::Operator::Send) (key or null, value, optional
//! partition). `send()` ([`Producer::send_record`]) then does what `doSend` does:
//!
//! 1. wait for the topic's metadata (records queue until a `MetadataResponse` names its
//!    partitions);
//! 2. refuse a record whose serialized size (61-byte batch header + record) is above
//!    `max.request.size` or `buffer.memory` (`RecordTooLargeException`, counted as
//!    `MESSAGE_TOO_LARGE` in [`Producer::failed`]), before anything is sent;
//! 3. pick the partition with `partitioner.class` ([`crate::kafka::partitioner`]): an
//!    explicit partition wins; keyed murmur2 and sticky null keys (`DefaultPartitioner`),
//!    `UniformStickyPartitioner` or `RoundRobinPartitioner`;
//! 4. append to the [`accumulator`] with `abortOnNewBatch`: when no batch is open there, the
//!    sticky partition moves on (`onNewBatch`) and the record is partitioned again.
//!
//! The [`sender`] drains ready batches (`linger.ms`, `batch.size`) into one `Produce` request
//! per leader, at most `max.in.flight.requests.per.connection` unanswered per broker, and
//! retries retriable errors after `retry.backoff.ms` until `retries` or `delivery.timeout.ms`
//! run out. Without idempotence and with more than one request in flight, a retried batch can
//! land after a later one (reordering) and a batch whose response was lost is written twice;
//! with `enable.idempotence` ([`idempotence`]) the broker's sequence checks remove both.
//!
//! Simplified: one topic per producer; no buffer pool blocking (`max.block.ms`), compression,
//! interceptors or transactions; metadata is refreshed after errors, not every
//! `metadata.max.age.ms`; a crash loses everything in memory and the restarted producer asks
//! for a new producer id.

pub mod accumulator;
pub mod idempotence;
pub mod sender;

use std::collections::VecDeque;

use crate::kafka::config::{Acks, PartitionerClass, ProducerConfig};
use crate::kafka::errors::KafkaError;
use crate::kafka::msg::{LiveBroker, Msg, Operator, PartitionInfo, Tick, Timer, Wire};
use crate::kafka::partitioner::{
    Partitioner, RoundRobinPartitioner, StickyPartitionCache, TopicMetadata,
};
use crate::sim::{NodeId, TimeUs, MS};

use super::broker::KCtx;
use accumulator::{AppendResult, PendingRecord, RecordAccumulator};
use idempotence::Idempotence;
use sender::InFlight;

/// A record the producer has acknowledged (or, for `acks=0`, sent).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Acked {
    pub key: Option<String>,
    pub value: String,
    pub partition: i32,
    /// -1 for `acks=0`.
    pub offset: i64,
    /// Position in `send()` order.
    pub send_index: u64,
    /// Producer id, epoch and sequence it was written with (-1 without idempotence).
    pub producer_id: i64,
    pub producer_epoch: i16,
    pub sequence: i32,
    /// The `acks` it was sent with.
    pub acks: Acks,
}

/// A producer node.
#[derive(Clone, Debug, PartialEq)]
pub struct Producer {
    pub name: String,
    pub bootstrap: Vec<NodeId>,
    pub topic: String,
    pub num_partitions: i32,
    pub replication_factor: i32,
    pub config: ProducerConfig,
    pub interval_ms: u64,
    pub max_records: u32,
    /// The topic exists (created or already there).
    pub topic_ready: bool,
    pub brokers: Vec<LiveBroker>,
    /// The topic's partitions from the last `MetadataResponse`, by partition.
    pub partitions: Vec<PartitionInfo>,
    made: u32,
    next_send_index: u64,
    /// Records waiting for the topic's metadata.
    waiting: VecDeque<PendingRecord>,
    pub accumulator: RecordAccumulator,
    partitioner: Partitioner,
    /// `Some` with `enable.idempotence`.
    pub idempotence: Option<Idempotence>,
    in_flight: Vec<InFlight>,
    /// Partitions with a batch in flight when `max.in.flight.requests.per.connection=1`.
    muted: Vec<i32>,
    correlation: i32,
    next_bootstrap: usize,
    init_deadline_us: TimeUs,
    metadata_update_pending: bool,
    /// Acknowledged records, in acknowledgement order.
    pub acked: Vec<Acked>,
    /// Every error a record's batch got: value and error.
    pub errors: Vec<(String, KafkaError)>,
    /// Records given up on (callback with an exception): value and error.
    pub failed: Vec<(String, KafkaError)>,
}

fn partitioner_for(class: PartitionerClass) -> Partitioner {
    match class {
        PartitionerClass::Default => Partitioner::Default(StickyPartitionCache::default()),
        PartitionerClass::UniformSticky => {
            Partitioner::UniformSticky(StickyPartitionCache::default())
        }
        PartitionerClass::RoundRobin => Partitioner::RoundRobin(RoundRobinPartitioner::default()),
    }
}

impl Producer {
    /// A producer of `max_records` records to `topic`, one every `interval_ms` (0 records:
    /// only what an operator sends).
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        name: &str,
        bootstrap: Vec<NodeId>,
        topic: &str,
        num_partitions: i32,
        replication_factor: i32,
        config: ProducerConfig,
        interval_ms: u64,
        max_records: u32,
    ) -> Self {
        // `maybeOverrideAcksAndRetries`: idempotence forces an unset acks to all. A config
        // Kafka would refuse (explicit acks=1 with idempotence, …) is kept without idempotence.
        let config = match config.clone().finish() {
            Ok(c) => c,
            Err(_) => {
                let mut c = config;
                c.enable_idempotence = false;
                c
            }
        };
        let idempotence = config.enable_idempotence.then(Idempotence::default);
        Self {
            name: name.to_string(),
            bootstrap,
            topic: topic.to_string(),
            num_partitions,
            replication_factor,
            partitioner: partitioner_for(config.partitioner_class),
            config,
            interval_ms,
            max_records,
            topic_ready: false,
            brokers: Vec::new(),
            partitions: Vec::new(),
            made: 0,
            next_send_index: 0,
            waiting: VecDeque::new(),
            accumulator: RecordAccumulator::default(),
            idempotence,
            in_flight: Vec::new(),
            muted: Vec::new(),
            correlation: 0,
            next_bootstrap: 0,
            init_deadline_us: 0,
            metadata_update_pending: false,
            acked: Vec::new(),
            errors: Vec::new(),
            failed: Vec::new(),
        }
    }

    /// Records handed to `send()` so far.
    pub fn sent_count(&self) -> u64 {
        self.next_send_index
    }

    /// Produce requests on the wire, oldest first.
    pub fn in_flight(&self) -> &[InFlight] {
        &self.in_flight
    }

    /// Requests on the wire, as (broker id, number of batches).
    pub fn in_flight_requests(&self) -> Vec<(i32, usize)> {
        self.in_flight
            .iter()
            .map(|r| (r.broker, r.batches.len()))
            .collect()
    }

    fn any_broker(&mut self) -> Option<NodeId> {
        let nodes: Vec<NodeId> = if self.brokers.is_empty() {
            self.bootstrap.clone()
        } else {
            self.brokers.iter().map(|b| b.node).collect()
        };
        if nodes.is_empty() {
            return None;
        }
        self.next_bootstrap = (self.next_bootstrap + 1) % nodes.len();
        Some(nodes[self.next_bootstrap])
    }

    fn backoff_us(&self) -> TimeUs {
        self.config.retry_backoff_ms.max(1) as u64 * MS
    }

    pub fn on_start(&mut self, ctx: &mut KCtx) {
        ctx.set_timer(Timer::Retry, self.backoff_us());
    }

    /// [`Operator::SetAcks`]: the next `Produce` request carries `acks`.
    fn set_acks(&mut self, ctx: &mut KCtx, acks: Acks) {
        if self.idempotence.is_some() && acks != Acks::All {
            ctx.note(format!(
                "{}: acks={} refused: must set acks to all in order to use the idempotent producer",
                self.name,
                acks.name()
            ));
            return;
        }
        ctx.note(format!(
            "{}: acks={} from the next batch on (was {})",
            self.name,
            acks.name(),
            self.config.acks.name()
        ));
        self.config.acks = acks;
    }

    /// Crash: everything in memory is gone (queued and in-flight records, the producer id).
    pub fn on_crash(&mut self) {
        self.topic_ready = false;
        self.brokers.clear();
        self.partitions.clear();
        self.waiting.clear();
        self.accumulator.clear();
        self.in_flight.clear();
        self.muted.clear();
        self.metadata_update_pending = false;
        self.partitioner = partitioner_for(self.config.partitioner_class);
        self.idempotence = self.config.enable_idempotence.then(Idempotence::default);
    }

    pub fn on_timer(&mut self, ctx: &mut KCtx, t: Tick) {
        match t {
            Tick::Kafka(Timer::Retry) => self.refresh(ctx),
            Tick::Kafka(Timer::Send) if self.made < self.max_records => {
                let n = self.made;
                self.made += 1;
                ctx.set_timer(Timer::Send, self.interval_ms.max(1) * MS);
                self.send_record(ctx, Some(format!("k{n}")), format!("v{n}"), None);
            }
            Tick::Kafka(Timer::SenderWake) | Tick::Kafka(Timer::RequestTimeout) => {
                self.run_sender(ctx)
            }
            _ => {}
        }
    }

    /// Creates the topic if not yet done, else refreshes the metadata.
    fn refresh(&mut self, ctx: &mut KCtx) {
        self.metadata_update_pending = false;
        let Some(node) = self.any_broker() else {
            return;
        };
        let msg = if !self.topic_ready {
            Msg::CreateTopics {
                topic: self.topic.clone(),
                num_partitions: self.num_partitions,
                replication_factor: self.replication_factor,
            }
        } else {
            Msg::Metadata {
                topics: vec![self.topic.clone()],
            }
        };
        ctx.send(node, msg);
        // Nothing answered (a dead broker): try again later.
        ctx.set_timer(Timer::Retry, 10 * self.backoff_us());
    }

    /// `metadata.requestUpdate()`: refresh after the back-off.
    pub(crate) fn request_metadata_update(&mut self, ctx: &mut KCtx) {
        if !self.metadata_update_pending {
            self.metadata_update_pending = true;
            ctx.set_timer(Timer::Retry, self.backoff_us());
        }
    }

    pub fn on_message(&mut self, ctx: &mut KCtx, src: NodeId, msg: Wire) {
        let Wire::Kafka(m) = msg else { return };
        match m {
            Msg::CreateTopicsResponse { error, .. } => {
                if error.is_none() || error == KafkaError::TopicAlreadyExists {
                    self.topic_ready = true;
                }
                ctx.set_timer(Timer::Retry, self.backoff_us());
            }
            Msg::MetadataResponse {
                brokers,
                partitions,
                ..
            } => self.on_metadata(ctx, brokers, partitions),
            Msg::ProduceResponse {
                correlation_id,
                responses,
                ..
            } => self.on_produce_response(ctx, src, correlation_id, responses),
            Msg::InitProducerIdResponse {
                correlation_id,
                error,
                producer_id,
                producer_epoch,
            } => self.on_init_producer_id_response(
                ctx,
                correlation_id,
                error,
                producer_id,
                producer_epoch,
            ),
            Msg::Operator(Operator::Send {
                key,
                value,
                partition,
            }) => self.send_record(ctx, key, value, partition),
            Msg::Operator(Operator::Burst { count }) => {
                ctx.note(format!(
                    "{}: the application sends {count} records",
                    self.name
                ));
                for _ in 0..count {
                    let n = self.next_send_index;
                    self.send_record(ctx, Some(format!("b{n}")), format!("b{n}"), None);
                }
            }
            Msg::Operator(Operator::SetAcks(acks)) => self.set_acks(ctx, acks),
            Msg::Operator(op) => ctx.note(format!("a producer ignores `{}`", op.summary())),
            _ => {}
        }
    }

    fn on_metadata(
        &mut self,
        ctx: &mut KCtx,
        brokers: Vec<LiveBroker>,
        partitions: Vec<PartitionInfo>,
    ) {
        self.brokers = brokers;
        let mut mine: Vec<PartitionInfo> = partitions
            .into_iter()
            .filter(|p| p.topic == self.topic)
            .collect();
        crate::sim::sort::sort_by_key(&mut mine, |p| p.partition);
        self.partitions = mine;
        let complete = self.partitions.len() as i32 == self.num_partitions
            && self.partitions.iter().all(|p| p.leader >= 0);
        if complete {
            // An update asked for after this request went out still stands: the refresh
            // timer stays armed. (Kafka's `Metadata.update` clears `needFullUpdate` on any full
            // answer and the next error asks again; keeping the update asked for is the
            // simplification, with the same progress.)
            if !self.metadata_update_pending {
                ctx.cancel_timer(Timer::Retry);
            }
            if self.made == 0 && self.max_records > 0 {
                ctx.set_timer(Timer::Send, 1);
            }
        } else {
            ctx.set_timer(Timer::Retry, self.backoff_us());
        }
        if !self.partitions.is_empty() {
            while let Some(r) = self.waiting.pop_front() {
                self.append_record(ctx, r);
            }
        }
        self.run_sender(ctx);
    }

    /// `KafkaProducer.send`: a record with an optional key and partition.
    pub fn send_record(
        &mut self,
        ctx: &mut KCtx,
        key: Option<String>,
        value: String,
        partition: Option<i32>,
    ) {
        let size = key.as_ref().map_or(0, String::len) + value.len() + 8;
        let record = PendingRecord {
            send_index: self.next_send_index,
            key,
            value,
            partition,
            size_bytes: u32::try_from(size).unwrap_or(u32::MAX),
            created_us: ctx.now_us(),
        };
        self.next_send_index += 1;
        if self.partitions.is_empty() {
            self.waiting.push_back(record);
            return;
        }
        self.append_record(ctx, record);
        self.run_sender(ctx);
    }

    fn topic_metadata(&self) -> TopicMetadata {
        TopicMetadata {
            num_partitions: self.partitions.len() as i32,
            available: self
                .partitions
                .iter()
                .filter(|p| p.leader >= 0)
                .map(|p| p.partition)
                .collect(),
        }
    }

    /// `doSend` after the metadata wait: size check, partitioner, accumulator.
    fn append_record(&mut self, ctx: &mut KCtx, record: PendingRecord) {
        let size = record.serialized_size();
        let max_request = self.config.max_request_size.max(0) as u64;
        let memory = self.config.buffer_memory.max(0) as u64;
        if size > max_request || size > memory {
            let what = if size > max_request {
                format!("{max_request}, which is the value of the max.request.size configuration")
            } else {
                "the total memory buffer you have configured with the buffer.memory configuration"
                    .to_string()
            };
            ctx.note(format!(
                "RecordTooLargeException: The message is {size} bytes when serialized which is larger than {what}"
            ));
            self.failed
                .push((record.value, KafkaError::MessageTooLarge));
            return;
        }
        let meta = self.topic_metadata();
        let key = record.key.clone();
        let key_bytes = key.as_deref().map(str::as_bytes);
        let topic = self.topic.clone();
        let part =
            self.partitioner
                .partition(&topic, record.partition, key_bytes, &meta, ctx.rng());
        let Ok(part) = part else {
            ctx.note(format!(
                "no partition {:?} of {topic} in the metadata: the record fails",
                record.partition
            ));
            self.failed
                .push((record.value, KafkaError::UnknownTopicOrPartition));
            return;
        };
        let batch_size = self.config.batch_size.max(0) as u64;
        let now = ctx.now_us();
        let first = self
            .accumulator
            .append(part, record.clone(), batch_size, now, true);
        if first == AppendResult::AbortForNewBatch {
            self.partitioner
                .on_new_batch(&topic, &meta, part, ctx.rng());
            let again = self
                .partitioner
                .partition(&topic, record.partition, key_bytes, &meta, ctx.rng())
                .unwrap_or(part);
            self.accumulator
                .append(again, record, batch_size, now, false);
        }
    }
}
