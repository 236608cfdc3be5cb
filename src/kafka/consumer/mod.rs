//! A consumer in a group (`KafkaConsumer`, `ConsumerCoordinator`, `AbstractCoordinator`,
//! `Fetcher`, 2.8.2; sheet C.13–C.16, C.19).
//!
//! The application subscribes to one topic and polls every `poll_interval_ms`. A poll:
//! finds the coordinator (`FindCoordinator` to any broker), joins the group if needed
//! (`JoinGroup` → `MEMBER_ID_REQUIRED` → `JoinGroup` with the id → `SyncGroup`; the leader runs
//! the chosen assignor — `range`, `roundrobin` or `sticky` — on its metadata), auto-commits
//! when `auto.commit.interval.ms` has passed, hands the records fetched so far to the
//! application (at most `max.poll.records`; this is "processing": each lands in
//! [`Consumer::consumed`]) and fetches from every assigned partition's leader (`Fetch` with
//! `replica_id` -1, `current_leader_epoch` -1, `max.partition.fetch.bytes`). A heartbeat
//! goes every `heartbeat.interval.ms` ([`group`]).
//!
//! Positions ([`fetch`]): on assignment, `OffsetFetch`; no committed offset (or
//! `OFFSET_OUT_OF_RANGE`) → `auto.offset.reset`: `earliest`/`latest` via `ListOffsets`
//! (log start / high watermark), `none` leaves the partition stopped with an error. Commits
//! carry the processed position (the next offset to process). Eager rebalance: before
//! rejoining it commits synchronously (auto-commit on), then revokes everything; a reset
//! after `ILLEGAL_GENERATION`/`UNKNOWN_MEMBER_ID` loses the partitions without committing.
//! Operators: `close()` (commit, then `LeaveGroup`), `commitSync()`, `seek`.
//!
//! Simplified: the application never stalls, so `max.poll.interval.ms` never expires (it is
//! sent as the rebalance timeout); one topic per consumer; heartbeats only while the member
//! is `STABLE`; one `Fetch` per leader broker (its partitions not in flight and with an empty
//! buffer), no fetch sessions; retries wait for the
//! next poll (the poll interval stands for `retry.backoff.ms`); requests unanswered for
//! `request.timeout.ms` (JoinGroup: the rebalance timeout + 5 s; Metadata,
//! FindCoordinator, Fetch and ListOffsets: 1 s, standing for a refused connection to a dead
//! broker, after which the metadata is refreshed) are abandoned. The list of
//! consumed records is the application's output and survives a crash; everything else is
//! volatile. The bug switch `CommitUnprocessed` commits the fetch position instead.

pub mod fetch;
pub mod group;

use crate::kafka::broker::KCtx;
use crate::kafka::config::ConsumerConfig;
use crate::kafka::errors::KafkaError;
use crate::kafka::group::TopicPartition;
use crate::kafka::log::Record;
use crate::kafka::msg::{LiveBroker, Msg, Operator, PartitionInfo, Tick, Timer, Wire};
use crate::sim::{NodeId, TimeUs, MS};

/// Bound on the records kept in [`Consumer::consumed`].
pub const MAX_CONSUMED: usize = 20_000;

/// The member's state (`MemberState` plus the steps of a join).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemberState {
    /// Not in a generation: will join at the next poll.
    Unjoined,
    /// Committing before a rejoin (`onJoinPrepare`).
    PreparingJoin,
    /// JoinGroup in flight.
    Joining,
    /// SyncGroup in flight.
    Syncing,
    /// Member of a generation with an assignment.
    Stable,
    /// `close()` called.
    Closed,
}

/// A record the application processed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Consumed {
    pub partition: i32,
    pub offset: i64,
    pub value: String,
    pub generation: i32,
}

/// A commit the consumer sent, with what it had processed then (checkers read it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SentCommit {
    pub tp: TopicPartition,
    pub offset: i64,
    /// The processed position of that partition when it was sent.
    pub processed: i64,
}

/// One assigned partition.
#[derive(Clone, Debug, PartialEq)]
pub struct Assigned {
    pub tp: TopicPartition,
    /// Next offset to fetch (-1: unknown).
    pub position: i64,
    /// Next offset the application processes (-1: unknown).
    pub processed: i64,
    /// Last high watermark seen (-1: none).
    pub high_watermark: i64,
    /// Last committed offset acknowledged (-1: none).
    pub committed: i64,
    /// `auto.offset.reset=none` and no committed offset: stopped.
    pub no_offset: bool,
    buffer: Vec<Record>,
    fetch_until: Option<TimeUs>,
    reset_until: Option<TimeUs>,
}

impl Assigned {
    fn new(tp: TopicPartition) -> Self {
        Self {
            tp,
            position: -1,
            processed: -1,
            high_watermark: -1,
            committed: -1,
            no_offset: false,
            buffer: Vec::new(),
            fetch_until: None,
            reset_until: None,
        }
    }

    /// `records-lag`: high watermark − position (0 while unknown).
    pub fn lag(&self) -> i64 {
        if self.high_watermark < 0 || self.processed < 0 {
            0
        } else {
            (self.high_watermark - self.processed).max(0)
        }
    }
}

/// A consumer node.
#[derive(Clone, Debug, PartialEq)]
pub struct Consumer {
    /// `client.id` and label.
    pub name: String,
    pub group_id: String,
    pub topic: String,
    pub bootstrap: Vec<NodeId>,
    pub config: ConsumerConfig,
    /// The application's poll period.
    pub poll_interval_ms: u64,
    pub brokers: Vec<LiveBroker>,
    pub partitions: Vec<PartitionInfo>,
    pub coordinator: Option<LiveBroker>,
    pub member_id: String,
    pub generation: i32,
    pub state: MemberState,
    pub is_leader: bool,
    pub assigned: Vec<Assigned>,
    /// Last assignment and its generation (the sticky assignor's user data).
    pub previous: (Vec<TopicPartition>, i32),
    /// Generations it completed, with its assignment in each (bounded to 100).
    pub history: Vec<(i32, Vec<TopicPartition>)>,
    /// Records processed, in order (the application's output; survives crashes).
    pub consumed: Vec<Consumed>,
    /// Commits sent so far, and the last one.
    pub commits_sent: u64,
    pub last_commit: Vec<SentCommit>,
    /// Every error response seen (bounded to 200).
    pub errors: Vec<(&'static str, KafkaError)>,
    metadata_until: Option<TimeUs>,
    /// A leader moved or an error asked for fresh metadata.
    metadata_stale: bool,
    find_until: Option<TimeUs>,
    join_until: Option<TimeUs>,
    sync_until: Option<TimeUs>,
    heartbeat_until: Option<TimeUs>,
    offset_fetch_until: Option<TimeUs>,
    /// A commit in flight: deadline, and what to do after it.
    commit_until: Option<(TimeUs, AfterCommit)>,
    last_heartbeat_ok_us: TimeUs,
    next_auto_commit_us: TimeUs,
    next_bootstrap: usize,
}

/// What follows a synchronous commit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AfterCommit {
    Nothing,
    Rejoin,
    Leave,
}

impl Consumer {
    /// A consumer `name` in `group_id` subscribed to `topic`, polling every `poll_interval_ms`.
    pub fn new(
        name: &str,
        bootstrap: Vec<NodeId>,
        group_id: &str,
        topic: &str,
        config: ConsumerConfig,
        poll_interval_ms: u64,
    ) -> Self {
        Self {
            name: name.to_string(),
            group_id: group_id.to_string(),
            topic: topic.to_string(),
            bootstrap,
            config,
            poll_interval_ms,
            brokers: Vec::new(),
            partitions: Vec::new(),
            coordinator: None,
            member_id: String::new(),
            generation: -1,
            state: MemberState::Unjoined,
            is_leader: false,
            assigned: Vec::new(),
            previous: (Vec::new(), -1),
            history: Vec::new(),
            consumed: Vec::new(),
            commits_sent: 0,
            last_commit: Vec::new(),
            errors: Vec::new(),
            metadata_until: None,
            metadata_stale: false,
            find_until: None,
            join_until: None,
            sync_until: None,
            heartbeat_until: None,
            offset_fetch_until: None,
            commit_until: None,
            last_heartbeat_ok_us: 0,
            next_auto_commit_us: 0,
            next_bootstrap: 0,
        }
    }

    /// Its assigned partitions.
    pub fn assignment(&self) -> Vec<TopicPartition> {
        self.assigned.iter().map(|a| a.tp.clone()).collect()
    }

    /// Total lag over its partitions.
    pub fn total_lag(&self) -> i64 {
        self.assigned.iter().map(Assigned::lag).sum()
    }

    fn request_timeout(&self) -> TimeUs {
        self.config.request_timeout_ms.max(1) as u64 * MS
    }

    /// Whether a commit (`OffsetCommit`) is waiting for its answer.
    pub fn commit_in_flight(&self) -> bool {
        self.commit_until.is_some()
    }

    fn record_error(&mut self, what: &'static str, e: KafkaError) {
        if self.errors.len() < 200 {
            self.errors.push((what, e));
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

    /// The node of the leader of `partition`, if known.
    fn leader_node(&self, partition: i32) -> Option<NodeId> {
        let leader = self
            .partitions
            .iter()
            .find(|p| p.partition == partition)
            .map(|p| p.leader)?;
        self.brokers.iter().find(|b| b.id == leader).map(|b| b.node)
    }

    // ----- actor -----

    pub fn on_start(&mut self, ctx: &mut KCtx) {
        ctx.set_timer(Timer::ConsumerPoll, self.poll_interval_ms.max(1) * MS);
        let hb = self.config.heartbeat_interval_ms.max(1) as u64 * MS;
        ctx.set_timer(Timer::ConsumerHeartbeat, hb);
    }

    /// Crash: everything but the application's output is lost.
    pub fn on_crash(&mut self) {
        let fresh = Consumer::new(
            &self.name,
            self.bootstrap.clone(),
            &self.group_id,
            &self.topic,
            self.config.clone(),
            self.poll_interval_ms,
        );
        let consumed = std::mem::take(&mut self.consumed);
        let history = std::mem::take(&mut self.history);
        let errors = std::mem::take(&mut self.errors);
        let (sent, last) = (self.commits_sent, std::mem::take(&mut self.last_commit));
        *self = fresh;
        self.consumed = consumed;
        self.history = history;
        self.errors = errors;
        self.commits_sent = sent;
        self.last_commit = last;
    }

    pub fn on_timer(&mut self, ctx: &mut KCtx, t: Tick) {
        if self.state == MemberState::Closed {
            return;
        }
        match t {
            Tick::Kafka(Timer::ConsumerPoll) => {
                self.poll(ctx);
                ctx.set_timer(Timer::ConsumerPoll, self.poll_interval_ms.max(1) * MS);
            }
            Tick::Kafka(Timer::ConsumerHeartbeat) => {
                self.on_heartbeat_tick(ctx);
                let hb = self.config.heartbeat_interval_ms.max(1) as u64 * MS;
                ctx.set_timer(Timer::ConsumerHeartbeat, hb);
            }
            _ => {}
        }
    }

    pub fn on_message(&mut self, ctx: &mut KCtx, _src: NodeId, msg: Wire) {
        let Wire::Kafka(m) = msg else { return };
        if self.state == MemberState::Closed && !matches!(m, Msg::OffsetCommitResponse { .. }) {
            return;
        }
        match m {
            Msg::Operator(op) => self.on_operator(ctx, op),
            Msg::MetadataResponse {
                brokers,
                partitions,
                ..
            } => {
                self.metadata_until = None;
                if !brokers.is_empty() {
                    self.brokers = brokers;
                }
                let mine: Vec<PartitionInfo> = partitions
                    .into_iter()
                    .filter(|p| p.topic == self.topic)
                    .collect();
                // An empty answer (a broker without metadata yet) keeps the last snapshot.
                if !mine.is_empty() {
                    self.partitions = mine;
                    self.metadata_stale = false;
                }
            }
            Msg::FetchResponse { .. } => self.on_fetch_response(ctx, m),
            Msg::ListOffsetsResponse { .. } => self.on_list_offsets_response(ctx, m),
            Msg::OffsetFetchResponse { error, offsets } => {
                self.on_offset_fetch_response(ctx, error, offsets)
            }
            Msg::OffsetCommitResponse { error, offsets } => {
                self.on_offset_commit_response(ctx, error, offsets)
            }
            _ => self.on_group_response(ctx, m),
        }
    }

    fn on_operator(&mut self, ctx: &mut KCtx, op: Operator) {
        match op {
            Operator::Leave => {
                ctx.note(format!(
                    "{}: close() — commits, then leaves the group",
                    self.name
                ));
                if self.state == MemberState::Stable && self.config.enable_auto_commit {
                    self.commit(ctx, AfterCommit::Leave);
                } else {
                    self.leave(ctx);
                }
            }
            Operator::Commit => {
                if self.state == MemberState::Stable {
                    self.commit(ctx, AfterCommit::Nothing);
                } else {
                    ctx.note("commitSync outside a stable generation: CommitFailedException");
                }
            }
            Operator::Seek { partition, offset } => {
                if let Some(a) = self
                    .assigned
                    .iter_mut()
                    .find(|a| a.tp.partition == partition)
                {
                    a.position = offset;
                    a.processed = offset;
                    a.buffer.clear();
                    a.no_offset = false;
                    ctx.note(format!("seeks {}-{partition} to {offset}", self.topic));
                } else {
                    ctx.note(format!(
                        "seek: {}-{partition} is not assigned here",
                        self.topic
                    ));
                }
            }
            Operator::Shutdown
            | Operator::AlterConfig { .. }
            | Operator::AddPartitions { .. }
            | Operator::Send { .. }
            | Operator::Burst { .. }
            | Operator::SetAcks(_) => {}
        }
    }

    /// One poll of the application loop.
    fn poll(&mut self, ctx: &mut KCtx) {
        let now = ctx.now_us();
        self.expire_requests(ctx, now);
        if (self.partitions.is_empty() || self.metadata_stale) && self.metadata_until.is_none() {
            self.send_metadata(ctx);
        }
        self.drive_group(ctx);
        if self.state != MemberState::Stable {
            return;
        }
        if self.config.enable_auto_commit
            && now >= self.next_auto_commit_us
            && self.commit_until.is_none()
        {
            self.next_auto_commit_us = now + self.config.auto_commit_interval_ms.max(1) as u64 * MS;
            self.commit(ctx, AfterCommit::Nothing);
        }
        self.process(ctx);
        self.send_fetches(ctx);
    }

    fn expire_requests(&mut self, ctx: &mut KCtx, now: TimeUs) {
        let due = |t: &mut Option<TimeUs>| {
            if t.is_some_and(|t| t <= now) {
                *t = None;
                true
            } else {
                false
            }
        };
        due(&mut self.metadata_until);
        let mut coordinator_lost = due(&mut self.find_until);
        if due(&mut self.join_until) || due(&mut self.sync_until) {
            self.state = MemberState::Unjoined;
            coordinator_lost = true;
        }
        coordinator_lost |= due(&mut self.heartbeat_until) | due(&mut self.offset_fetch_until);
        if self.commit_until.is_some_and(|(t, _)| t <= now) {
            let (_, after) = self
                .commit_until
                .take()
                .unwrap_or((0, AfterCommit::Nothing));
            coordinator_lost = true;
            self.after_commit(ctx, after);
        }
        let mut stale = false;
        for a in &mut self.assigned {
            stale |= due(&mut a.fetch_until) | due(&mut a.reset_until);
        }
        self.metadata_stale |= stale;
        if coordinator_lost {
            self.mark_coordinator_unknown(ctx);
        }
    }

    fn send_metadata(&mut self, ctx: &mut KCtx) {
        let Some(node) = self.any_broker() else {
            return;
        };
        self.metadata_until = Some(ctx.now_us() + self.request_timeout().min(crate::sim::SEC));
        ctx.send(
            node,
            Msg::Metadata {
                topics: vec![self.topic.clone()],
            },
        );
    }
}
