//! The consumer's positions, fetches, processing and commits (`Fetcher`,
//! `SubscriptionState`, `ConsumerCoordinator.commitOffsets*`).

use super::{AfterCommit, Consumed, Consumer, MemberState, SentCommit, MAX_CONSUMED};
use crate::kafka::broker::KCtx;
use crate::kafka::bugs::KafkaBug;
use crate::kafka::config::AutoOffsetReset;
use crate::kafka::errors::KafkaError;
use crate::kafka::group::TopicPartition;
use crate::kafka::msg::{FetchPartition, FetchedPartition, Msg, CONSUMER_REPLICA_ID};
use crate::sim::NodeId;

impl Consumer {
    /// `OffsetFetch` for the partitions without a position.
    pub(super) fn send_offset_fetch(&mut self, ctx: &mut KCtx) {
        let Some(c) = self.coordinator else { return };
        if self.offset_fetch_until.is_some() {
            return;
        }
        let partitions: Vec<TopicPartition> = self
            .assigned
            .iter()
            .filter(|a| a.position < 0 && !a.no_offset && a.reset_until.is_none())
            .map(|a| a.tp.clone())
            .collect();
        if partitions.is_empty() {
            return;
        }
        self.offset_fetch_until = Some(ctx.now_us() + self.request_timeout());
        let msg = Msg::OffsetFetch {
            group_id: self.group_id.clone(),
            partitions,
        };
        ctx.send(c.node, msg);
    }

    pub(super) fn on_offset_fetch_response(
        &mut self,
        ctx: &mut KCtx,
        error: KafkaError,
        offsets: Vec<(TopicPartition, i64)>,
    ) {
        self.offset_fetch_until = None;
        if !error.is_none() {
            self.record_error("OffsetFetch", error);
            if matches!(
                error,
                KafkaError::NotCoordinator | KafkaError::CoordinatorNotAvailable
            ) {
                self.mark_coordinator_unknown(ctx);
            }
            return;
        }
        for (tp, offset) in offsets {
            let Some(a) = self.assigned.iter_mut().find(|a| a.tp == tp) else {
                continue;
            };
            if a.position >= 0 {
                continue;
            }
            if offset >= 0 {
                a.position = offset;
                a.processed = offset;
                a.committed = offset;
            } else {
                self.reset_offset(ctx, tp.partition, "no committed offset");
            }
        }
    }

    /// `auto.offset.reset` for `partition`.
    fn reset_offset(&mut self, ctx: &mut KCtx, partition: i32, why: &str) {
        let policy = self.config.auto_offset_reset;
        let now = ctx.now_us();
        let timeout = self.request_timeout().min(crate::sim::SEC);
        let node = self.leader_node(partition);
        let topic = self.topic.clone();
        let Some(a) = self
            .assigned
            .iter_mut()
            .find(|a| a.tp.partition == partition)
        else {
            return;
        };
        a.position = -1;
        a.processed = -1;
        a.buffer.clear();
        let timestamp = match policy {
            AutoOffsetReset::Earliest => -2,
            AutoOffsetReset::Latest => -1,
            AutoOffsetReset::None => {
                a.no_offset = true;
                ctx.note(format!(
                    "{topic}-{partition}: {why} and auto.offset.reset=none: NoOffsetForPartitionException"
                ));
                return;
            }
        };
        let Some(node) = node else {
            self.metadata_stale = true;
            return;
        };
        a.reset_until = Some(now + timeout);
        let msg = Msg::ListOffsets {
            topic,
            partition,
            timestamp,
        };
        ctx.send(node, msg);
    }

    pub(super) fn on_list_offsets_response(&mut self, ctx: &mut KCtx, m: Msg) {
        let Msg::ListOffsetsResponse {
            partition,
            error,
            offset,
            ..
        } = m
        else {
            return;
        };
        let Some(a) = self
            .assigned
            .iter_mut()
            .find(|a| a.tp.partition == partition)
        else {
            return;
        };
        a.reset_until = None;
        if error.is_none() && a.position < 0 {
            a.position = offset;
            a.processed = offset;
            ctx.note(format!(
                "{}-{partition}: position reset to {offset}",
                self.topic
            ));
        } else if !error.is_none() {
            self.record_error("ListOffsets", error);
            self.metadata_stale = true;
        }
    }

    /// Fetches from the leader of every partition with a position, nothing in flight and
    /// nothing buffered.
    pub(super) fn send_fetches(&mut self, ctx: &mut KCtx) {
        let now = ctx.now_us();
        let timeout = self.request_timeout().min(crate::sim::SEC);
        if self
            .assigned
            .iter()
            .any(|a| a.position < 0 && !a.no_offset && a.reset_until.is_none())
        {
            self.send_offset_fetch(ctx);
        }
        let mut sends = Vec::new();
        for a in &self.assigned {
            if a.position < 0 || a.fetch_until.is_some() || !a.buffer.is_empty() {
                continue;
            }
            match self.leader_node(a.tp.partition) {
                Some(node) => sends.push((node, a.tp.partition, a.position)),
                None => {
                    if self.metadata_until.is_none() {
                        self.metadata_stale = true;
                    }
                }
            }
        }
        if (self.partitions.is_empty() || self.metadata_stale) && self.metadata_until.is_none() {
            self.send_metadata(ctx);
        }
        // One Fetch per leader broker with every partition due from it (`Fetcher.sendFetches`).
        let mut by_node: Vec<(NodeId, Vec<FetchPartition>)> = Vec::new();
        for (node, partition, position) in sends {
            if let Some(a) = self
                .assigned
                .iter_mut()
                .find(|a| a.tp.partition == partition)
            {
                a.fetch_until = Some(now + timeout);
            }
            let part = FetchPartition {
                topic: self.topic.clone(),
                partition,
                fetch_offset: position,
                current_leader_epoch: -1,
                last_fetched_epoch: -1,
                log_start_offset: -1,
                max_bytes: self.config.max_partition_fetch_bytes,
            };
            match by_node.iter_mut().find(|(n, _)| *n == node) {
                Some((_, parts)) => parts.push(part),
                None => by_node.push((node, vec![part])),
            }
        }
        for (node, partitions) in by_node {
            let msg = Msg::Fetch {
                replica_id: CONSUMER_REPLICA_ID,
                partitions,
            };
            ctx.send(node, msg);
        }
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
        if topic != self.topic || self.state != MemberState::Stable {
            return;
        }
        let Some(a) = self
            .assigned
            .iter_mut()
            .find(|a| a.tp.partition == partition)
        else {
            return;
        };
        a.fetch_until = None;
        match error {
            KafkaError::None => {
                a.high_watermark = high_watermark;
                let fresh: Vec<_> = records
                    .into_iter()
                    .filter(|r| r.offset >= a.position)
                    .collect();
                // A response for a position it has since left (seek, reset) is dropped.
                if fresh.first().is_some_and(|r| r.offset == a.position) {
                    a.position = fresh.last().map_or(a.position, |r| r.offset + 1);
                    a.buffer.extend(fresh);
                }
            }
            KafkaError::OffsetOutOfRange => {
                let why = format!("fetch offset {} out of range", a.position);
                self.reset_offset(ctx, partition, &why);
            }
            e => {
                self.record_error("Fetch", e);
                self.metadata_stale = true;
                if self.metadata_until.is_none() {
                    self.send_metadata(ctx);
                }
            }
        }
    }

    /// The application processes what the last fetches returned (at most `max.poll.records`).
    pub(super) fn process(&mut self, ctx: &mut KCtx) {
        let _ = ctx;
        let mut budget = self.config.max_poll_records.max(1) as usize;
        let generation = self.generation;
        for a in &mut self.assigned {
            let take = a.buffer.len().min(budget);
            for r in a.buffer.drain(..take) {
                if self.consumed.len() < MAX_CONSUMED {
                    self.consumed.push(Consumed {
                        partition: a.tp.partition,
                        offset: r.offset,
                        value: r.data.value.clone(),
                        generation,
                    });
                }
                a.processed = r.offset + 1;
            }
            budget -= take;
        }
    }

    /// Commits the processed positions (the fetch positions with `CommitUnprocessed`).
    pub(super) fn commit(&mut self, ctx: &mut KCtx, after: AfterCommit) {
        let bug = self.config.bugs.has(KafkaBug::CommitUnprocessed);
        let offsets: Vec<(TopicPartition, i64)> = self
            .assigned
            .iter()
            .filter(|a| a.processed >= 0)
            .map(|a| {
                let o = if bug { a.position } else { a.processed };
                (a.tp.clone(), o)
            })
            .collect();
        let Some(c) = self.coordinator.filter(|_| !offsets.is_empty()) else {
            return self.after_commit(ctx, after);
        };
        self.last_commit = offsets
            .iter()
            .map(|(tp, o)| SentCommit {
                tp: tp.clone(),
                offset: *o,
                processed: self
                    .assigned
                    .iter()
                    .find(|a| a.tp == *tp)
                    .map_or(-1, |a| a.processed),
            })
            .collect();
        self.commits_sent += 1;
        self.commit_until = Some((ctx.now_us() + self.request_timeout(), after));
        let msg = Msg::OffsetCommit {
            group_id: self.group_id.clone(),
            generation_id: self.generation,
            member_id: self.member_id.clone(),
            offsets,
        };
        ctx.send(c.node, msg);
    }

    pub(super) fn on_offset_commit_response(
        &mut self,
        ctx: &mut KCtx,
        error: KafkaError,
        offsets: Vec<(TopicPartition, i64)>,
    ) {
        let Some((_, after)) = self.commit_until.take() else {
            return;
        };
        if error.is_none() {
            for (tp, o) in offsets {
                if let Some(a) = self.assigned.iter_mut().find(|a| a.tp == tp) {
                    a.committed = o;
                }
            }
        } else {
            self.record_error("OffsetCommit", error);
            ctx.note(format!("{}: commit failed: {}", self.name, error.name()));
            match error {
                KafkaError::UnknownMemberId | KafkaError::IllegalGeneration
                    if self.state == MemberState::Stable =>
                {
                    self.reset_generation_after_commit(ctx, error)
                }
                KafkaError::NotCoordinator | KafkaError::CoordinatorNotAvailable => {
                    self.coordinator = None;
                    self.heartbeat_until = None;
                }
                _ => {}
            }
        }
        self.after_commit(ctx, after);
    }

    fn reset_generation_after_commit(&mut self, ctx: &mut KCtx, error: KafkaError) {
        ctx.note(format!(
            "{}: {} on commit — rejoins as a new member",
            self.name,
            error.name()
        ));
        self.assigned.clear();
        self.member_id.clear();
        self.generation = -1;
        self.state = MemberState::Unjoined;
    }
}
