//! The classic consumer's fetcher (`ConsumerFetcherManager`, its `LeaderFinderThread` and
//! `ConsumerFetcherThread`) and offset commits to ZooKeeper (`commitOffsetToZooKeeper`).
//! Simplified: one partition per `Fetch` (the fetcher thread batched a broker's partitions).

use crate::kafka::broker::KCtx;
use crate::kafka::errors::KafkaError;
use crate::kafka::msg::{
    FetchPartition, FetchedPartition, LiveBroker, Msg, PartitionInfo, CONSUMER_REPLICA_ID,
};
use crate::kafka::znodes::{encode_consumer_offset, paths};
use crate::sim::MS;
use crate::zk::msg::{ClientOp, ReplyBody};
use crate::zk::{CreateMode, ErrorCode, WriteOp};

use super::{Consumed, ZkConsumer, ZkReq, MAX_CONSUMED};

impl ZkConsumer {
    /// Writes every owned partition's position that differs from the checkpoint. Calls of a
    /// rebalance try carry its `round`.
    pub(super) fn commit_offsets(&mut self, ctx: &mut KCtx, round: Option<u64>) {
        let to_commit: Vec<(i32, i64)> = self
            .owned
            .iter()
            .filter(|o| o.position >= 0)
            .filter(|o| {
                !self
                    .checkpointed
                    .iter()
                    .any(|&(p, c)| p == o.partition && c == o.position)
            })
            .map(|o| (o.partition, o.position))
            .collect();
        for (partition, offset) in to_commit {
            let req = ZkReq::Commit {
                round,
                partition,
                offset,
                create: false,
                retried: false,
            };
            self.commit_call(ctx, req);
            if round.is_some() {
                self.issued(1);
            }
        }
    }

    fn commit_call(&mut self, ctx: &mut KCtx, req: ZkReq) {
        let ZkReq::Commit {
            partition,
            offset,
            create,
            ..
        } = &req
        else {
            return;
        };
        let path = paths::consumer_offset(&self.config.group_id, &self.topic, *partition);
        let data = String::from_utf8_lossy(&encode_consumer_offset(*offset)).into_owned();
        let op = if *create {
            WriteOp::create(&path, &data, CreateMode::Persistent)
        } else {
            WriteOp::set_data(&path, &data, -1)
        };
        self.zk.call(ctx, req, ClientOp::Write(op));
    }

    /// `updatePersistentPath`: `setData`; `NoNode` → `create`; `NodeExists` → `setData` once
    /// more.
    pub(super) fn on_commit_completed(
        &mut self,
        ctx: &mut KCtx,
        req: ZkReq,
        result: Result<ReplyBody, ErrorCode>,
    ) {
        let ZkReq::Commit {
            round,
            partition,
            offset,
            create,
            retried,
        } = req
        else {
            return;
        };
        let next = |create| ZkReq::Commit {
            round,
            partition,
            offset,
            create,
            retried: true,
        };
        match result {
            Ok(_) => {
                self.stats.commits += 1;
                self.set_checkpoint(partition, offset);
            }
            Err(ErrorCode::NoNode) if !create && !retried => {
                return self.commit_call(ctx, next(true))
            }
            Err(ErrorCode::NodeExists) if create => return self.commit_call(ctx, next(false)),
            Err(e) => ctx.note(format!(
                "committing offset {offset} of partition {partition} failed ({})",
                e.name()
            )),
        }
        if let Some(round) = round {
            self.finished(ctx, round);
        }
    }

    /// The fetcher's poll: give up on requests unanswered for `socket.timeout.ms`, find
    /// missing leaders, send the next request of every idle partition.
    pub(super) fn on_fetch_tick(&mut self, ctx: &mut KCtx) {
        let now = ctx.now_us();
        let timeout = self.config.socket_timeout_ms.max(1) as u64 * MS;
        for o in &mut self.owned {
            if o.in_flight.is_some_and(|(t, _)| now >= t + timeout) {
                o.in_flight = None;
                o.leader = -1;
            }
        }
        if self.metadata_sent_us.is_some_and(|t| now >= t + timeout) {
            self.metadata_sent_us = None;
        }
        if self.owned.iter().any(|o| o.leader < 0) {
            self.request_metadata(ctx);
        }
        for i in 0..self.owned.len() {
            self.send_next(ctx, i);
        }
    }

    fn request_metadata(&mut self, ctx: &mut KCtx) {
        if self.metadata_sent_us.is_some() {
            return;
        }
        let nodes: Vec<_> = self
            .brokers
            .iter()
            .filter_map(|&id| self.resolve(id))
            .collect();
        if nodes.is_empty() {
            return;
        }
        self.next_broker = (self.next_broker + 1) % nodes.len();
        let msg = Msg::Metadata {
            topics: vec![self.topic.clone()],
        };
        ctx.send(nodes[self.next_broker], msg);
        self.metadata_sent_us = Some(ctx.now_us());
    }

    pub(super) fn on_metadata(
        &mut self,
        ctx: &mut KCtx,
        brokers: Vec<LiveBroker>,
        partitions: Vec<PartitionInfo>,
    ) {
        self.metadata_sent_us = None;
        if !brokers.is_empty() {
            self.broker_nodes = brokers;
        }
        for o in &mut self.owned {
            if o.leader >= 0 {
                continue;
            }
            if let Some(p) = partitions
                .iter()
                .find(|p| p.topic == self.topic && p.partition == o.partition)
            {
                o.leader = p.leader.max(-1);
            }
        }
        for i in 0..self.owned.len() {
            self.send_next(ctx, i);
        }
    }

    /// The next request of owned partition `i`, if it has a leader and nothing in flight:
    /// `ListOffsets` while it has no position, else `Fetch`.
    fn send_next(&mut self, ctx: &mut KCtx, i: usize) {
        let Some(o) = self.owned.get(i) else {
            return;
        };
        if o.leader < 0 || o.in_flight.is_some() {
            return;
        }
        let Some(node) = self.resolve(o.leader) else {
            return;
        };
        let (partition, position) = (o.partition, o.position);
        let topic = self.topic.clone();
        let is_fetch = position >= 0;
        let msg = if is_fetch {
            Msg::Fetch {
                replica_id: CONSUMER_REPLICA_ID,
                partitions: vec![FetchPartition {
                    topic,
                    partition,
                    fetch_offset: position,
                    current_leader_epoch: -1,
                    last_fetched_epoch: -1,
                    log_start_offset: -1,
                    max_bytes: self.config.fetch_message_max_bytes,
                }],
            }
        } else {
            Msg::ListOffsets {
                topic,
                partition,
                timestamp: self.config.auto_offset_reset.timestamp(),
            }
        };
        ctx.send(node, msg);
        if let Some(o) = self.owned.get_mut(i) {
            o.in_flight = Some((ctx.now_us(), is_fetch));
        }
    }

    /// Index of owned `partition` if a request of this kind is in flight for it.
    fn awaiting(&self, topic: &str, partition: i32, fetch: bool) -> Option<usize> {
        if topic != self.topic {
            return None;
        }
        self.owned
            .iter()
            .position(|o| o.partition == partition && o.in_flight.is_some_and(|(_, f)| f == fetch))
    }

    pub(super) fn on_fetch_response(&mut self, ctx: &mut KCtx, m: Msg) {
        let Msg::FetchResponse { partitions } = m else {
            return;
        };
        for d in partitions {
            self.apply_fetched(ctx, d);
        }
    }

    fn apply_fetched(&mut self, ctx: &mut KCtx, d: FetchedPartition) {
        let FetchedPartition {
            topic,
            partition,
            error,
            high_watermark,
            records,
            ..
        } = d;
        let Some(i) = self.awaiting(&topic, partition, true) else {
            return;
        };
        let o = &mut self.owned[i];
        o.in_flight = None;
        match error {
            KafkaError::None => {}
            KafkaError::OffsetOutOfRange => {
                ctx.note(format!(
                    "offset {} of partition {partition} is out of range: resets to {}",
                    o.position,
                    self.config.auto_offset_reset.name()
                ));
                o.position = -1;
                return self.send_next(ctx, i);
            }
            e => {
                // Leader moved or unknown: the leader finder looks again.
                ctx.note(format!("fetch of partition {partition}: {}", e.name()));
                o.leader = -1;
                return;
            }
        }
        o.high_watermark = high_watermark;
        let mut got = 0usize;
        for r in records {
            if r.offset != o.position {
                continue;
            }
            o.position += 1;
            got += 1;
            self.consumed_total += 1;
            if self.consumed.len() < MAX_CONSUMED {
                self.consumed.push(Consumed {
                    partition,
                    offset: r.offset,
                    value: r.data.value,
                });
            }
        }
        if got > 0 {
            self.send_next(ctx, i);
        }
    }

    pub(super) fn on_list_offsets_response(&mut self, ctx: &mut KCtx, m: Msg) {
        let Msg::ListOffsetsResponse {
            topic,
            partition,
            error,
            offset,
        } = m
        else {
            return;
        };
        let Some(i) = self.awaiting(&topic, partition, false) else {
            return;
        };
        let reset = self.config.auto_offset_reset.name();
        let o = &mut self.owned[i];
        o.in_flight = None;
        if !error.is_none() {
            o.leader = -1;
            return;
        }
        if o.position < 0 {
            o.position = offset.max(0);
            ctx.note(format!(
                "partition {partition} has no committed offset: starts at {} (auto.offset.reset={reset})",
                o.position
            ));
        }
        self.send_next(ctx, i);
    }
}
