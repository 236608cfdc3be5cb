//! A producer client (`KafkaProducer`, `Sender`, `RecordAccumulator`; sheet C.10, C.11),
//! with an admin step that creates its topic first (`CreateTopics`, as `kafka-topics.sh`).
//!
//! Every `interval_ms` it makes one record with key `k<n>` and value `v<n>`, picks the
//! partition with the default partitioner (`toPositive(murmur2(key)) % partitions`), and
//! sends it to the partition's leader as learned from a `Metadata` request. Retriable errors
//! (`NOT_LEADER_OR_FOLLOWER`, `NOT_ENOUGH_REPLICAS`, `REQUEST_TIMED_OUT`, …) refresh the
//! metadata and retry after `retry.backoff.ms`, until `delivery.timeout.ms`; `acks=0` counts a
//! record as sent once it is on the wire.
//!
//! Simplified: one record per batch and one request in flight (`linger.ms=0`,
//! `max.in.flight.requests.per.connection=1`), so order is kept without idempotence; no
//! buffer memory, compression or idempotent sequence numbers.

use std::collections::VecDeque;

use crate::kafka::config::{Acks, ProducerConfig};
use crate::kafka::errors::KafkaError;
use crate::kafka::log::RecordData;
use crate::kafka::msg::{LiveBroker, Msg, PartitionInfo, Tick, Timer, Wire};
use crate::kafka::partitioner::partition_for_key;
use crate::sim::{NodeId, TimeUs, MS};

use super::broker::KCtx;

/// A record the producer has acknowledged (or, for `acks=0`, sent).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Acked {
    pub value: String,
    pub partition: i32,
    /// -1 for `acks=0`.
    pub offset: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Pending {
    key: String,
    value: String,
    created_us: TimeUs,
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
    pub partitions: Vec<PartitionInfo>,
    made: u32,
    queue: VecDeque<Pending>,
    in_flight: Option<(i32, Pending, i32)>,
    correlation: i32,
    next_bootstrap: usize,
    /// Acknowledged records, in order.
    pub acked: Vec<Acked>,
    /// Every error response seen: value and error.
    pub errors: Vec<(String, KafkaError)>,
    /// Records given up on.
    pub failed: Vec<(String, KafkaError)>,
}

impl Producer {
    /// A producer of `max_records` records to `topic`, one every `interval_ms`.
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
        Self {
            name: name.to_string(),
            bootstrap,
            topic: topic.to_string(),
            num_partitions,
            replication_factor,
            config,
            interval_ms,
            max_records,
            topic_ready: false,
            brokers: Vec::new(),
            partitions: Vec::new(),
            made: 0,
            queue: VecDeque::new(),
            in_flight: None,
            correlation: 0,
            next_bootstrap: 0,
            acked: Vec::new(),
            errors: Vec::new(),
            failed: Vec::new(),
        }
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

    fn backoff(&self) -> u64 {
        self.config.retry_backoff_ms.max(1) as u64 * MS
    }

    pub fn on_start(&mut self, ctx: &mut KCtx) {
        ctx.set_timer(Timer::Retry, self.backoff());
    }

    pub fn on_crash(&mut self) {
        self.in_flight = None;
        self.topic_ready = false;
        self.brokers.clear();
        self.partitions.clear();
    }

    pub fn on_timer(&mut self, ctx: &mut KCtx, t: Tick) {
        match t {
            Tick::Kafka(Timer::Retry) => self.refresh(ctx),
            Tick::Kafka(Timer::Send) => {
                if self.made < self.max_records {
                    let n = self.made;
                    self.made += 1;
                    self.queue.push_back(Pending {
                        key: format!("k{n}"),
                        value: format!("v{n}"),
                        created_us: ctx.now_us(),
                    });
                    ctx.set_timer(Timer::Send, self.interval_ms.max(1) * MS);
                }
                self.maybe_send(ctx);
            }
            Tick::Kafka(Timer::RequestTimeout) => {
                if let Some((_, p, _)) = self.in_flight.take() {
                    self.errors
                        .push((p.value.clone(), KafkaError::RequestTimedOut));
                    self.queue.push_front(p);
                    ctx.set_timer(Timer::Retry, self.backoff());
                }
            }
            _ => {}
        }
    }

    /// Creates the topic if not yet done, else refreshes the metadata.
    fn refresh(&mut self, ctx: &mut KCtx) {
        let Some(node) = self.any_broker() else {
            return;
        };
        if !self.topic_ready {
            let msg = Msg::CreateTopics {
                topic: self.topic.clone(),
                num_partitions: self.num_partitions,
                replication_factor: self.replication_factor,
            };
            ctx.send(node, msg);
        } else {
            let msg = Msg::Metadata {
                topics: vec![self.topic.clone()],
            };
            ctx.send(node, msg);
        }
        // Nothing answered (a dead broker): try again later.
        ctx.set_timer(Timer::Retry, 10 * self.backoff());
    }

    pub fn on_message(&mut self, ctx: &mut KCtx, _src: NodeId, msg: Wire) {
        let Wire::Kafka(m) = msg else { return };
        match m {
            Msg::CreateTopicsResponse { error, .. } => {
                if error.is_none() || error == KafkaError::TopicAlreadyExists {
                    self.topic_ready = true;
                }
                ctx.set_timer(Timer::Retry, self.backoff());
            }
            Msg::MetadataResponse {
                brokers,
                partitions,
                ..
            } => {
                self.brokers = brokers;
                self.partitions = partitions
                    .into_iter()
                    .filter(|p| p.topic == self.topic)
                    .collect();
                let complete = self.partitions.len() as i32 == self.num_partitions
                    && self.partitions.iter().all(|p| p.leader >= 0);
                if complete {
                    ctx.cancel_timer(Timer::Retry);
                    if self.made == 0 {
                        ctx.set_timer(Timer::Send, 1);
                    }
                    self.maybe_send(ctx);
                } else {
                    ctx.set_timer(Timer::Retry, self.backoff());
                }
            }
            Msg::ProduceResponse {
                correlation_id,
                error,
                base_offset,
                partition,
                ..
            } => {
                let Some((c, p, _)) = self.in_flight.clone() else {
                    return;
                };
                if c != correlation_id {
                    return;
                }
                self.in_flight = None;
                ctx.cancel_timer(Timer::RequestTimeout);
                if error.is_none() {
                    self.acked.push(Acked {
                        value: p.value,
                        partition,
                        offset: base_offset,
                    });
                    self.maybe_send(ctx);
                    return;
                }
                self.errors.push((p.value.clone(), error));
                let expired = ctx.now_us()
                    >= p.created_us + self.config.delivery_timeout_ms.max(0) as u64 * MS;
                if error.retriable() && !expired {
                    self.queue.push_front(p);
                    ctx.set_timer(Timer::Retry, self.backoff());
                } else {
                    self.failed.push((p.value, error));
                    self.maybe_send(ctx);
                }
            }
            _ => {}
        }
    }

    fn maybe_send(&mut self, ctx: &mut KCtx) {
        if self.in_flight.is_some() {
            return;
        }
        let Some(p) = self.queue.front().cloned() else {
            return;
        };
        let Some(partition) = partition_for_key(p.key.as_bytes(), self.num_partitions) else {
            return;
        };
        let leader = self
            .partitions
            .iter()
            .find(|x| x.partition == partition)
            .map(|x| x.leader);
        let node = leader.and_then(|l| self.brokers.iter().find(|b| b.id == l).map(|b| b.node));
        let Some(node) = node else {
            ctx.set_timer(Timer::Retry, self.backoff());
            return;
        };
        self.queue.pop_front();
        self.correlation += 1;
        let record = RecordData::new(Some(&p.key), &p.value, (ctx.now_us() / MS) as i64);
        let msg = Msg::Produce {
            correlation_id: self.correlation,
            acks: self.config.acks.wire(),
            timeout_ms: self.config.request_timeout_ms,
            topic: self.topic.clone(),
            partition,
            records: vec![record],
        };
        ctx.send(node, msg);
        if self.config.acks == Acks::Zero {
            self.acked.push(Acked {
                value: p.value,
                partition,
                offset: -1,
            });
            return self.maybe_send(ctx);
        }
        self.in_flight = Some((self.correlation, p, partition));
        let timeout = self.config.request_timeout_ms.max(1) as u64 * MS;
        ctx.set_timer(Timer::RequestTimeout, timeout);
    }
}
