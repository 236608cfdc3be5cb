//! The classic ZooKeeper-coordinated consumer of Kafka ≤ 1.x (`ZookeeperConsumerConnector`,
//! removed in 2.0; sheet C.12): every member of a group coordinates through ZooKeeper alone.
//!
//! Modelled after 1.1.1 (`ZookeeperConsumerConnector`, `ZKRebalancerListener`,
//! `ZKTopicPartitionChangeListener`, `ZKSessionExpireListener`, `PartitionAssignor`,
//! `TopicCount`, `ZKGroupDirs`/`ZKGroupTopicDirs`):
//!
//! 1. On each new ZooKeeper session it registers the ephemeral `/consumers/<g>/ids/<id>` with
//!    `{"version":1,"subscription":{"<topic>":1},"pattern":"static","timestamp":"<ms>"}`,
//!    then runs a synced rebalance.
//! 2. Watches: children of `/consumers/<g>/ids` (`ZKRebalancerListener`), the topic znode
//!    `/brokers/topics/<t>` through `exists(watch)` as ZkClient's `subscribeDataChanges` does
//!    (`ZKTopicPartitionChangeListener`), and children of `/brokers/ids` — a broker change
//!    triggers a rebalance only once a rebalance found no broker (then the real consumer
//!    subscribes its rebalance listener to `/brokers/ids`); otherwise it only re-reads the
//!    broker list. A watch that fires during a rebalance queues one more
//!    (`isWatcherTriggered`).
//! 3. Rebalance, up to `rebalance.max.retries` tries: stop fetching and commit the consumed
//!    offsets; release ownership (delete its `/consumers/<g>/owners/<t>/<p>`); read the
//!    members, the brokers and the topic's partitions; each member's subscription gives its
//!    thread ids `<consumerId>-<n>`; range-assign the sorted partitions over the sorted thread
//!    ids (the old `RangeAssignor`, [`assign::range_for`]); read each
//!    assigned partition's offset from `/consumers/<g>/offsets/<t>/<p>`; claim each by creating
//!    the ephemeral owner znode holding its thread id. Any `NodeExists` (the previous owner
//!    has not released yet) deletes what this try claimed, waits `rebalance.backoff.ms` and
//!    tries again; after the last try it gives up (`ConsumerRebalanceFailedException`) and
//!    waits for the next watch.
//! 4. Fetching: leaders come from a `Metadata` request to a broker listed under
//!    `/brokers/ids` (the `LeaderFinderThread`); each owned partition has one consumer
//!    `Fetch` (replica id -1, no leader epoch) in flight, reading up to the high watermark.
//!    No offset in ZooKeeper, or `OFFSET_OUT_OF_RANGE` → `ListOffsets` latest (`largest`) or
//!    earliest (`smallest`) (`handleOffsetOutOfRange`).
//! 5. Every `auto.commit.interval.ms` it writes each changed position with `setData` (or
//!    `create` when missing) on `/consumers/<g>/offsets/<t>/<p>`; also at the start of every
//!    rebalance try.
//! 6. Session expired → forget ownership (ZooKeeper deleted the ephemerals), open a new
//!    session, register again, rebalance.
//!
//! Simplified: one consumer thread (one stream) per consumer and one topic; no message
//! streams, queues or iterators — a fetched record counts as consumed at once ([`Consumed`]).
//! `consumerId` is `<group>_<name>-<start ms>-<8 hex digits from the seeded RNG>` (Kafka:
//! host name, wall-clock ms and a random UUID's first 8 hex digits), so a restarted consumer
//! joins under a new id as a real one does. Parent znodes are created once per session,
//! before registering, instead of on `NoNode`. The real ZkClient retries an operation across
//! `ConnectionLoss`; here a lost reply fails the rebalance try, and a release or claim whose
//! outcome is unknown is verified (`getData`: does it name this thread?) before the next
//! try deletes it. The broker answers a fetch at once, so an idle partition is polled every
//! `fetch.wait.max.ms`. Offsets are committed to ZooKeeper only (`offsets.storage=zookeeper`).

pub mod assign;
pub mod config;
pub mod rebalance;
pub mod session;

mod fetch;
mod replies;

use crate::kafka::broker::KCtx;
use crate::kafka::msg::{LiveBroker, Msg, Tick, Timer, Wire};
use crate::kafka::znodes::{encode_consumer_registration, paths};
use crate::sim::{NodeId, TimeUs, MS};
use crate::zk::msg::{ClientOp, ReplyBody};
use crate::zk::{CreateMode, ErrorCode, EventType, KeeperState, WriteOp};

pub use config::{OffsetReset, ZkConsumerConfig};
pub use rebalance::{Phase, Rebalance};
pub use session::{ZkEvent, ZkSession};

/// Bound on ZooKeeper events handled in one step.
const MAX_EVENTS: usize = 1_000;
/// Bound on the consumed-records list ([`ZkConsumer::consumed`]).
pub const MAX_CONSUMED: usize = 5_000;

/// The classic consumer's own timers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConsumerTimer {
    /// `rebalance.backoff.ms` after a failed rebalance try.
    Backoff,
    /// `auto.commit.interval.ms`.
    AutoCommit,
    /// The fetcher's poll (`fetch.wait.max.ms`).
    Fetch,
    /// Retry registering in the group.
    Register,
}

impl ConsumerTimer {
    /// Stable name for traces.
    pub fn name(&self) -> String {
        match self {
            ConsumerTimer::Backoff => "ZkConsumerBackoff",
            ConsumerTimer::AutoCommit => "ZkConsumerAutoCommit",
            ConsumerTimer::Fetch => "ZkConsumerFetch",
            ConsumerTimer::Register => "ZkConsumerRegister",
        }
        .to_string()
    }
}

impl From<ConsumerTimer> for Tick {
    fn from(t: ConsumerTimer) -> Self {
        Tick::Kafka(Timer::ZkConsumer(t))
    }
}

/// Why the consumer made a ZooKeeper call. `round` names the rebalance try it belongs to;
/// completions of an older try are ignored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ZkReq {
    /// A persistent parent path (`NodeExists` is fine).
    CreatePath,
    /// `create(/consumers/<g>/ids/<id>, EPHEMERAL)`.
    Register,
    /// After `NodeExists` on registering: is it this session's own node?
    RegisterCheck,
    /// An offset commit: `setData`, or `create` after `NoNode` (`updatePersistentPath`).
    Commit {
        round: Option<u64>,
        partition: i32,
        offset: i64,
        create: bool,
        retried: bool,
    },
    /// Release: `delete` of an owner znode this consumer holds.
    Release { round: u64, partition: i32 },
    /// Release of an owner znode whose creation or deletion has an unknown outcome: read it
    /// first, delete only if it names this thread.
    ReleaseCheck { round: u64, partition: i32 },
    /// `getChildren(/consumers/<g>/ids, watch)`.
    Members { round: u64 },
    /// `getChildren(/brokers/ids, watch)` (`round` None: re-arming the watch).
    Brokers { round: Option<u64> },
    /// `exists(/brokers/topics/<t>, watch)`.
    TopicWatch { round: u64 },
    /// `getData(/brokers/topics/<t>)`.
    Topic { round: u64 },
    /// `getData(/consumers/<g>/ids/<member>)`.
    Subscription { round: u64, member: String },
    /// `getData(/consumers/<g>/offsets/<t>/<p>)`.
    Offset { round: u64, partition: i32 },
    /// `create(/consumers/<g>/owners/<t>/<p>, thread id, EPHEMERAL)`.
    Claim { round: u64, partition: i32 },
    /// Deleting an owner znode claimed in a failed try.
    Unclaim { round: u64, partition: i32 },
}

/// A partition this consumer owns and fetches (`PartitionTopicInfo`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OwnedPartition {
    pub partition: i32,
    /// Next offset to consume; -1 until reset through `ListOffsets`.
    pub position: i64,
    /// Broker id of the leader, -1 if unknown.
    pub leader: i32,
    /// The leader's high watermark in the last fetch response, -1 before.
    pub high_watermark: i64,
    /// When the request in flight was sent, and whether it is a `Fetch` (else `ListOffsets`).
    pub in_flight: Option<(TimeUs, bool)>,
}

impl OwnedPartition {
    /// Records the leader has that this consumer has not consumed (0 when unknown).
    pub fn lag(&self) -> i64 {
        if self.position < 0 || self.high_watermark < 0 {
            return 0;
        }
        (self.high_watermark - self.position).max(0)
    }
}

/// A consumed record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Consumed {
    pub partition: i32,
    pub offset: i64,
    pub value: String,
}

/// Counters of what the group protocol did (for tests and cards).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ZkConsumerStats {
    /// Synced rebalances started.
    pub rebalances: u64,
    /// Rebalance tries that failed (and backed off).
    pub failed_tries: u64,
    /// `NodeExists` answers to an ownership claim.
    pub claim_conflicts: u64,
    /// Synced rebalances given up after `rebalance.max.retries` tries.
    pub gave_up: u64,
    /// Sessions registered.
    pub registrations: u64,
    /// Offset znodes written.
    pub commits: u64,
}

/// A classic consumer node.
#[derive(Clone, Debug, PartialEq)]
pub struct ZkConsumer {
    /// Label and host name, e.g. `consumer-1`.
    pub name: String,
    pub config: ZkConsumerConfig,
    /// The one subscribed topic (`createMessageStreams(Map(topic -> 1))`).
    pub topic: String,
    /// The ZooKeeper session.
    pub zk: ZkSession<ZkReq>,
    /// Host name → node (the network's name resolution).
    pub address_book: Vec<(String, NodeId)>,
    /// `consumerIdString`, chosen at start.
    pub consumer_id: String,
    /// Registered under `/consumers/<g>/ids` in the current session.
    pub registered: bool,
    /// The synced rebalance in progress.
    pub rebalance: Option<Rebalance>,
    /// A watch fired during a rebalance: one more follows (`isWatcherTriggered`).
    pub rebalance_pending: bool,
    /// The topic registry: partitions owned and fetched.
    pub owned: Vec<OwnedPartition>,
    /// Owner znodes still to delete, and whether this consumer surely created them (false:
    /// the create or delete had an unknown outcome).
    pub to_release: Vec<(i32, bool)>,
    /// Offsets last written to (or read from) ZooKeeper (`checkpointedZkOffsets`).
    pub checkpointed: Vec<(i32, i64)>,
    /// Broker ids under `/brokers/ids` as last read.
    pub brokers: Vec<i32>,
    /// Live brokers from the last `MetadataResponse`.
    pub broker_nodes: Vec<LiveBroker>,
    /// A rebalance found no broker: `/brokers/ids` changes now trigger rebalances.
    pub brokers_watch_rebalances: bool,
    /// Consumed records, in order (bounded by [`MAX_CONSUMED`]).
    pub consumed: Vec<Consumed>,
    /// Records consumed, including those past the bound.
    pub consumed_total: u64,
    pub stats: ZkConsumerStats,
    round: u64,
    metadata_sent_us: Option<TimeUs>,
    next_broker: usize,
}

impl ZkConsumer {
    /// A consumer named `name` in `config.group_id`, subscribed to `topic`, connecting to
    /// `zk_servers`.
    pub fn new(
        name: &str,
        topic: &str,
        zk_servers: Vec<NodeId>,
        config: ZkConsumerConfig,
        address_book: Vec<(String, NodeId)>,
    ) -> Self {
        let timeout = config.zookeeper_session_timeout_ms;
        Self {
            name: name.to_string(),
            config,
            topic: topic.to_string(),
            zk: ZkSession::new(zk_servers, timeout),
            address_book,
            consumer_id: String::new(),
            registered: false,
            rebalance: None,
            rebalance_pending: false,
            owned: Vec::new(),
            to_release: Vec::new(),
            checkpointed: Vec::new(),
            brokers: Vec::new(),
            broker_nodes: Vec::new(),
            brokers_watch_rebalances: false,
            consumed: Vec::new(),
            consumed_total: 0,
            stats: ZkConsumerStats::default(),
            round: 0,
            metadata_sent_us: None,
            next_broker: 0,
        }
    }

    /// Its one consumer thread id, `<consumerId>-0` (`ConsumerThreadId`).
    pub fn thread_id(&self) -> String {
        format!("{}-0", self.consumer_id)
    }

    /// Whether it is settled — it believes it owns its partitions: registered in its current
    /// session, no rebalance running or queued. While that session lives, a settled consumer
    /// fetches exactly the partitions whose owner znodes name its thread (it may be
    /// disconnected meanwhile: its ephemerals stay).
    pub fn is_settled(&self) -> bool {
        self.registered && self.rebalance.is_none() && !self.rebalance_pending
    }

    /// The partitions it owns and fetches, sorted (`owned` is kept in partition order).
    pub fn owned_partitions(&self) -> Vec<i32> {
        self.owned.iter().map(|o| o.partition).collect()
    }

    /// Total lag over its partitions.
    pub fn lag(&self) -> i64 {
        self.owned.iter().map(OwnedPartition::lag).sum()
    }

    // ----- actor -----

    /// Starts: picks its consumer id, connects to ZooKeeper, arms the committer and fetcher.
    pub fn on_start(&mut self, ctx: &mut KCtx) {
        let now_ms = ctx.now_us() / MS;
        let uuid8 = ctx.rng().next_u64() as u32;
        self.consumer_id = format!(
            "{}_{}-{}-{:08x}",
            self.config.group_id, self.name, now_ms, uuid8
        );
        self.zk.connect(ctx);
        ctx.set_timer(ConsumerTimer::AutoCommit, self.commit_interval_us());
        ctx.set_timer(ConsumerTimer::Fetch, self.fetch_wait_us());
    }

    /// A ZooKeeper packet or a Kafka response.
    pub fn on_message(&mut self, ctx: &mut KCtx, src: NodeId, msg: Wire) {
        match msg {
            Wire::Zk(m) => self.zk.on_message(ctx, src, m),
            Wire::Kafka(m) => self.on_kafka(ctx, m),
        }
        self.drain(ctx);
    }

    /// A timer.
    pub fn on_timer(&mut self, ctx: &mut KCtx, t: Tick) {
        match t {
            Tick::Zk(crate::zk::Timer::Client(t)) => self.zk.on_timer(ctx, t),
            Tick::Zk(_) => {}
            Tick::Kafka(Timer::ZkConsumer(t)) => self.on_consumer_timer(ctx, t),
            Tick::Kafka(_) => {}
        }
        self.drain(ctx);
    }

    /// Crash: session, ownership, positions and fetches are lost (nothing is on disk; the
    /// committed offsets are in ZooKeeper). The consumed list is kept as the record of what
    /// the application saw.
    pub fn on_crash(&mut self) {
        self.zk.on_crash();
        self.registered = false;
        self.rebalance = None;
        self.rebalance_pending = false;
        self.owned.clear();
        self.to_release.clear();
        self.checkpointed.clear();
        self.brokers.clear();
        self.broker_nodes.clear();
        self.brokers_watch_rebalances = false;
        self.metadata_sent_us = None;
    }

    fn on_consumer_timer(&mut self, ctx: &mut KCtx, t: ConsumerTimer) {
        match t {
            ConsumerTimer::Backoff => self.on_backoff(ctx),
            ConsumerTimer::AutoCommit => {
                if self.rebalance.is_none() && self.registered {
                    self.commit_offsets(ctx, None);
                }
                ctx.set_timer(ConsumerTimer::AutoCommit, self.commit_interval_us());
            }
            ConsumerTimer::Fetch => {
                self.on_fetch_tick(ctx);
                ctx.set_timer(ConsumerTimer::Fetch, self.fetch_wait_us());
            }
            ConsumerTimer::Register => {
                if self.zk.client.state().is_alive() && !self.registered {
                    self.register(ctx);
                }
            }
        }
    }

    fn on_kafka(&mut self, ctx: &mut KCtx, m: Msg) {
        match m {
            Msg::FetchResponse { .. } => self.on_fetch_response(ctx, m),
            Msg::ListOffsetsResponse { .. } => self.on_list_offsets_response(ctx, m),
            Msg::MetadataResponse {
                brokers,
                partitions,
                ..
            } => self.on_metadata(ctx, brokers, partitions),
            _ => {}
        }
    }

    fn commit_interval_us(&self) -> TimeUs {
        self.config.auto_commit_interval_ms.max(1) as u64 * MS
    }

    fn fetch_wait_us(&self) -> TimeUs {
        self.config.fetch_wait_max_ms.max(1) as u64 * MS
    }

    fn backoff_us(&self) -> TimeUs {
        self.config.rebalance_backoff_ms.max(1) as u64 * MS
    }

    // ----- ZooKeeper -----

    fn drain(&mut self, ctx: &mut KCtx) {
        let mut n = 0;
        while let Some(ev) = self.zk.next_event() {
            n += 1;
            if n > MAX_EVENTS {
                ctx.note("too many ZooKeeper events in one step: the rest are dropped");
                break;
            }
            match ev {
                ZkEvent::State(state) => self.on_state(ctx, state),
                ZkEvent::Watch { event, path } => self.on_watch(ctx, event, &path),
                ZkEvent::Completed { req, result } => self.on_completed(ctx, req, result),
            }
        }
    }

    fn on_state(&mut self, ctx: &mut KCtx, state: KeeperState) {
        match state {
            KeeperState::SyncConnected if self.zk.is_new_session() => self.on_new_session(ctx),
            KeeperState::Expired => {
                ctx.note(format!(
                    "{}: ZooKeeper session expired: releases partition ownership, re-registers with a new session",
                    self.consumer_id
                ));
                self.registered = false;
                self.rebalance = None;
                self.rebalance_pending = false;
                self.owned.clear();
                // The expired session's ephemerals are gone.
                self.to_release.clear();
                self.zk.forget_calls();
                ctx.cancel_timer(ConsumerTimer::Backoff);
                self.zk.connect(ctx);
            }
            _ => {}
        }
    }

    /// Creates the group's parent paths, then registers (`registerConsumerInZK`).
    fn on_new_session(&mut self, ctx: &mut KCtx) {
        let g = &self.config.group_id;
        let t = &self.topic;
        let parents = [
            paths::CONSUMERS.to_string(),
            format!("{}/{g}", paths::CONSUMERS),
            paths::consumer_ids(g),
            format!("{}/{g}/owners", paths::CONSUMERS),
            paths::consumer_owners(g, t),
            format!("{}/{g}/offsets", paths::CONSUMERS),
            format!("{}/{g}/offsets/{t}", paths::CONSUMERS),
        ];
        for path in parents {
            let op = WriteOp::create(&path, "", CreateMode::Persistent);
            self.zk.call(ctx, ZkReq::CreatePath, ClientOp::Write(op));
        }
        self.register(ctx);
    }

    fn register(&mut self, ctx: &mut KCtx) {
        let now_ms = (ctx.now_us() / MS) as i64;
        let mut sub = crate::sim::VecMap::new();
        sub.insert(self.topic.clone(), 1);
        let data = encode_consumer_registration(&sub, "static", now_ms);
        let data = String::from_utf8_lossy(&data).into_owned();
        let path = paths::consumer_id(&self.config.group_id, &self.consumer_id);
        let op = WriteOp::create(&path, &data, CreateMode::Ephemeral);
        self.zk.call(ctx, ZkReq::Register, ClientOp::Write(op));
    }

    fn on_registered(&mut self, ctx: &mut KCtx) {
        self.registered = true;
        self.stats.registrations += 1;
        ctx.note(format!(
            "registered /consumers/{}/ids/{}",
            self.config.group_id, self.consumer_id
        ));
        self.start_rebalance(ctx);
    }

    fn on_watch(&mut self, ctx: &mut KCtx, event: EventType, path: &str) {
        let g = &self.config.group_id;
        if path == paths::consumer_ids(g) {
            ctx.note("the group's members changed: rebalance");
            self.trigger_rebalance(ctx);
        } else if path == paths::topic(&self.topic) {
            if event == EventType::NodeDeleted {
                ctx.note("the topic znode was deleted (not supported by the classic consumer)");
            } else {
                ctx.note("the topic's partitions changed: rebalance");
            }
            self.trigger_rebalance(ctx);
        } else if path == paths::BROKER_IDS {
            let op = ClientOp::GetChildren {
                path: paths::BROKER_IDS.into(),
                watch: true,
                stat: false,
            };
            self.zk.call(ctx, ZkReq::Brokers { round: None }, op);
            if self.brokers_watch_rebalances {
                ctx.note("the brokers changed: rebalance");
                self.trigger_rebalance(ctx);
            }
        }
    }

    fn on_completed(&mut self, ctx: &mut KCtx, req: ZkReq, result: Result<ReplyBody, ErrorCode>) {
        match req {
            ZkReq::CreatePath => {}
            ZkReq::Register => match result {
                Ok(_) => self.on_registered(ctx),
                Err(ErrorCode::NodeExists) => {
                    let path = paths::consumer_id(&self.config.group_id, &self.consumer_id);
                    let op = ClientOp::Exists { path, watch: false };
                    self.zk.call(ctx, ZkReq::RegisterCheck, op);
                }
                Err(e) => {
                    ctx.note(format!("registration failed ({}): retries", e.name()));
                    ctx.set_timer(ConsumerTimer::Register, self.backoff_us());
                }
            },
            ZkReq::RegisterCheck => match result {
                // `ZKCheckedEphemeral`: our own node from a create whose answer was lost.
                Ok(ReplyBody::Exists(Some(stat)))
                    if stat.ephemeral_owner == self.zk.client.session_id() =>
                {
                    self.on_registered(ctx)
                }
                _ => ctx.set_timer(ConsumerTimer::Register, self.backoff_us()),
            },
            ZkReq::Commit { .. } => self.on_commit_completed(ctx, req, result),
            ZkReq::Brokers { round: None } => {
                if let Ok(ReplyBody::Children { children, .. }) = result {
                    self.brokers = parse_ids(&children);
                }
            }
            _ => self.on_rebalance_completed(ctx, req, result),
        }
    }

    /// The node a broker id's host resolves to.
    pub fn resolve(&self, id: i32) -> Option<NodeId> {
        if let Some(b) = self.broker_nodes.iter().find(|b| b.id == id) {
            return Some(b.node);
        }
        let host = crate::kafka::broker::host_of(id);
        self.address_book
            .iter()
            .find(|(h, _)| *h == host)
            .map(|(_, n)| *n)
    }
}

/// Broker ids from `/brokers/ids` children (non-numeric names skipped), sorted.
fn parse_ids(children: &[String]) -> Vec<i32> {
    let mut ids = Vec::with_capacity(children.len());
    for id in children.iter().filter_map(|c| c.parse().ok()) {
        insert_sorted(&mut ids, id);
    }
    ids
}

/// Inserts `x` in sorted `v` (small lists; cheaper in the bundle than a sort per type).
pub(crate) fn insert_sorted<T: Ord>(v: &mut Vec<T>, x: T) {
    let at = v.binary_search(&x).unwrap_or_else(|e| e);
    v.insert(at, x);
}

#[cfg(test)]
mod tests;
