//! The group coordinator inside a broker (`GroupCoordinator`, `GroupMetadata`,
//! `GroupMetadataManager`, 2.8.2; sheet C.13, C.15, C.19).
//!
//! * `FindCoordinator`: the group's partition of `__consumer_offsets` is
//!   `Utils.abs(groupId.hashCode) % offsets.topic.num.partitions`; its leader (from the metadata
//!   cache) is the coordinator. A missing offsets topic is created on first use, as Kafka's
//!   `getOrCreateInternalTopic` does (replicas assigned over the live brokers, written to
//!   `/brokers/topics/__consumer_offsets`; the controller takes it from there) and the answer
//!   is `COORDINATOR_NOT_AVAILABLE` until it has a leader.
//! * A broker coordinates the groups of the offsets partitions it leads. When it becomes
//!   leader it loads them from that partition's log (up to the log end, as
//!   `doLoadGroupsAndOffsets`); meanwhile requests get `COORDINATOR_LOAD_IN_PROGRESS`
//!   (Heartbeat: `NONE`, SyncGroup: `REBALANCE_IN_PROGRESS`). When it stops leading, those
//!   groups are unloaded and parked requests get `NOT_COORDINATOR` ([`store`]).
//! * The state machine (Empty, PreparingRebalance, CompletingRebalance, Stable, Dead) with
//!   JoinGroup (`MEMBER_ID_REQUIRED` first), the initial delayed join, the rebalance timeout
//!   and session expiry is in [`join`]; SyncGroup, Heartbeat and LeaveGroup in [`sync`].
//! * OffsetCommit appends records to the group's offsets partition as leader and answers once
//!   the high watermark passes them (`acks=-1`, `offsets.commit.timeout.ms` = 5000); the cache
//!   is updated then. The leader's SyncGroup appends the group record the same way.
//!
//! Simplified: one error per OffsetCommit/LeaveGroup response (Kafka answers per partition or
//! member, with the same group error); no static membership, offset expiry
//! (`offsets.retention.minutes`), compaction, tombstones or transactional offsets; loading
//! takes a fixed 50 ms; a re-election of the same broker with a higher leader epoch keeps the
//! loaded groups; the records are text (`offset:<topic>:<partition>:<group>` → offset,
//! `group:<group>` → generation, protocol, leader and members), not Kafka's binary schemas.
//! Deadlines (join and sync phases, sessions, pending member ids, commit timeouts, loads) share
//! one timer armed for the earliest.

pub mod join;
pub mod store;
pub mod sync;

use std::borrow::Borrow;

use super::{Broker, KCtx, ReplicaRole, ZkReq};
use crate::kafka::assignment::assign_replicas_to_brokers;
use crate::kafka::errors::KafkaError;
use crate::kafka::group::{partition_for, TopicPartition};
use crate::kafka::msg::{GroupProtocol, LiveBroker, Msg, Timer};
use crate::kafka::znodes::{paths, TopicAssignment};
use crate::sim::{NodeId, TimeUs, MS, SEC};
use crate::zk::msg::ClientOp;
use crate::zk::{CreateMode, WriteOp};

/// The internal topic holding committed offsets and group metadata.
pub const OFFSETS_TOPIC: &str = "__consumer_offsets";
/// Simulated time to load an offsets partition.
const LOAD_TIME_US: TimeUs = 50 * MS;
/// `offsets.commit.timeout.ms`.
const OFFSETS_COMMIT_TIMEOUT_MS: u64 = 5_000;

/// A small map kept as a sorted vector (cheaper in the browser bundle than another
/// `BTreeMap` instantiation; iteration is in key order like a `BTreeMap`).
#[derive(Clone, Debug, PartialEq)]
pub struct VecMap<K, V>(Vec<(K, V)>);

impl<K, V> Default for VecMap<K, V> {
    fn default() -> Self {
        VecMap(Vec::new())
    }
}

impl<K: Ord, V> VecMap<K, V> {
    fn find<Q: ?Sized + Ord>(&self, k: &Q) -> Result<usize, usize>
    where
        K: Borrow<Q>,
    {
        self.0.binary_search_by(|(x, _)| x.borrow().cmp(k))
    }

    /// The value at `k`.
    pub fn get<Q: ?Sized + Ord>(&self, k: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
    {
        self.find(k).ok().map(|i| &self.0[i].1)
    }

    /// The value at `k`, mutably.
    pub fn get_mut<Q: ?Sized + Ord>(&mut self, k: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
    {
        self.find(k).ok().map(|i| &mut self.0[i].1)
    }

    /// Whether `k` is present.
    pub fn contains_key<Q: ?Sized + Ord>(&self, k: &Q) -> bool
    where
        K: Borrow<Q>,
    {
        self.find(k).is_ok()
    }

    /// Sets `k` to `v`.
    pub fn insert(&mut self, k: K, v: V) {
        match self.find(&k) {
            Ok(i) => self.0[i].1 = v,
            Err(i) => self.0.insert(i, (k, v)),
        }
    }

    /// The value at `k`, inserted with `f` if missing.
    pub fn get_or_insert_with(&mut self, k: K, f: impl FnOnce() -> V) -> &mut V {
        let i = match self.find(&k) {
            Ok(i) => i,
            Err(i) => {
                self.0.insert(i, (k, f()));
                i
            }
        };
        &mut self.0[i].1
    }

    /// The entries, in key order.
    pub fn into_entries(self) -> Vec<(K, V)> {
        self.0
    }

    /// Removes `k`.
    pub fn remove<Q: ?Sized + Ord>(&mut self, k: &Q) -> Option<V>
    where
        K: Borrow<Q>,
    {
        self.find(k).ok().map(|i| self.0.remove(i).1)
    }

    /// Entries in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.0.iter().map(|(k, v)| (k, v))
    }

    /// Keys in order.
    pub fn keys(&self) -> impl Iterator<Item = &K> {
        self.0.iter().map(|(k, _)| k)
    }

    /// Values in key order.
    pub fn values(&self) -> impl Iterator<Item = &V> {
        self.0.iter().map(|(_, v)| v)
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether it is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A group's state (`GroupState`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupState {
    Empty,
    PreparingRebalance,
    CompletingRebalance,
    Stable,
    Dead,
}

impl GroupState {
    /// Kafka's name.
    pub fn name(self) -> &'static str {
        match self {
            GroupState::Empty => "Empty",
            GroupState::PreparingRebalance => "PreparingRebalance",
            GroupState::CompletingRebalance => "CompletingRebalance",
            GroupState::Stable => "Stable",
            GroupState::Dead => "Dead",
        }
    }
}

/// A member (`MemberMetadata`).
#[derive(Clone, Debug, PartialEq)]
pub struct Member {
    pub id: String,
    /// Where its parked answers go (unknown for a member reloaded from the log until it
    /// talks again).
    pub client: Option<NodeId>,
    pub session_timeout_ms: i32,
    pub rebalance_timeout_ms: i32,
    pub protocols: Vec<GroupProtocol>,
    pub assignment: Vec<TopicPartition>,
    /// A JoinGroup of it is parked.
    pub awaiting_join: bool,
    /// A SyncGroup of it is parked.
    pub awaiting_sync: bool,
    /// It sent SyncGroup for the current generation.
    pub synced: bool,
    /// Session expiry (not checked while a join or sync is parked).
    pub expires_at_us: TimeUs,
}

/// A group (`GroupMetadata`) and its committed offsets.
#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    pub id: String,
    /// Its `__consumer_offsets` partition.
    pub partition: i32,
    pub state: GroupState,
    pub generation: i32,
    pub protocol: Option<String>,
    pub leader: Option<String>,
    /// Members in the order they were added (the first is the initial leader).
    pub members: Vec<Member>,
    /// Member ids handed out with `MEMBER_ID_REQUIRED`, with their expiry.
    pub pending: Vec<(String, TimeUs)>,
    /// Committed offsets (the cache, updated once a commit is replicated).
    pub offsets: VecMap<TopicPartition, i64>,
    join_deadline_us: Option<TimeUs>,
    /// `Some(remaining ms)` while the join phase is an `InitialDelayedJoin`.
    initial_remaining_ms: Option<i64>,
    new_member_added: bool,
    sync_deadline_us: Option<TimeUs>,
}

impl Group {
    fn new(id: &str, partition: i32) -> Self {
        Self {
            id: id.to_string(),
            partition,
            state: GroupState::Empty,
            generation: 0,
            protocol: None,
            leader: None,
            members: Vec::new(),
            pending: Vec::new(),
            offsets: VecMap::default(),
            join_deadline_us: None,
            initial_remaining_ms: None,
            new_member_added: false,
            sync_deadline_us: None,
        }
    }

    /// The member `id`.
    pub fn member(&self, id: &str) -> Option<&Member> {
        self.members.iter().find(|m| m.id == id)
    }

    fn member_mut(&mut self, id: &str) -> Option<&mut Member> {
        self.members.iter_mut().find(|m| m.id == id)
    }

    fn rebalance_timeout_ms(&self) -> i64 {
        self.members
            .iter()
            .map(|m| i64::from(m.rebalance_timeout_ms))
            .max()
            .unwrap_or(0)
    }
}

/// What an append to an offsets partition is for.
#[derive(Clone, Debug, PartialEq)]
pub enum AppendKind {
    /// An OffsetCommit to answer.
    Commit {
        client: NodeId,
        group: String,
        offsets: Vec<(TopicPartition, i64)>,
    },
    /// The leader's SyncGroup: the group record with the assignment of `generation`.
    Group {
        group: String,
        generation: i32,
        assignments: Vec<(String, Vec<TopicPartition>)>,
    },
}

/// An append waiting for the high watermark.
#[derive(Clone, Debug, PartialEq)]
pub struct PendingAppend {
    pub partition: i32,
    pub last_offset: i64,
    pub deadline_us: TimeUs,
    pub kind: AppendKind,
}

/// The coordinator's state in a broker (all volatile: rebuilt from the log after a crash).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GroupCoordinator {
    /// Groups of the loaded partitions, by id.
    pub groups: VecMap<String, Group>,
    /// Offsets partitions loaded (it coordinates their groups).
    pub loaded: Vec<i32>,
    /// Offsets partitions being loaded, with when the load finishes.
    pub loading: Vec<(i32, TimeUs)>,
    pub appends: Vec<PendingAppend>,
    creating_topic_at: Option<TimeUs>,
    armed_at: Option<TimeUs>,
}

impl Broker {
    /// The group requests (one line in the broker's dispatch); responses are ignored.
    pub(super) fn coordinator_on_request(&mut self, ctx: &mut KCtx, src: NodeId, m: Msg) {
        match m {
            Msg::FindCoordinator { key } => self.on_find_coordinator(ctx, src, key),
            Msg::JoinGroup { .. } => self.on_join_group(ctx, src, m),
            Msg::SyncGroup { .. } => self.on_sync_group(ctx, src, m),
            Msg::Heartbeat { .. } => self.on_heartbeat(ctx, src, m),
            Msg::LeaveGroup {
                group_id,
                member_id,
            } => self.on_leave_group(ctx, src, group_id, member_id),
            Msg::OffsetCommit { .. } => self.on_offset_commit(ctx, src, m),
            Msg::OffsetFetch {
                group_id,
                partitions,
            } => self.on_offset_fetch(ctx, src, group_id, partitions),
            _ => {}
        }
    }

    /// The leader epoch of offsets partition `p` if this broker leads it.
    fn leads_offsets(&self, p: i32) -> bool {
        self.replicas
            .get(&(OFFSETS_TOPIC.to_string(), p))
            .is_some_and(|r| r.role == ReplicaRole::Leader)
    }

    /// `validateGroupStatus`: the group's offsets partition, if this broker coordinates it.
    fn coordinator_for(&self, group_id: &str) -> Result<i32, KafkaError> {
        let n = self.config.offsets_topic_num_partitions;
        let Some(p) = partition_for(group_id, n) else {
            return Err(KafkaError::CoordinatorNotAvailable);
        };
        if self.coordinator.loading.iter().any(|(q, _)| *q == p) {
            return Err(KafkaError::CoordinatorLoadInProgress);
        }
        if !self.leads_offsets(p) || !self.coordinator.loaded.contains(&p) {
            return Err(KafkaError::NotCoordinator);
        }
        Ok(p)
    }

    fn on_find_coordinator(&mut self, ctx: &mut KCtx, src: NodeId, key: String) {
        let n = self.config.offsets_topic_num_partitions;
        let exists = self
            .metadata
            .partitions
            .keys()
            .any(|(t, _)| t == OFFSETS_TOPIC);
        let found = if exists {
            partition_for(&key, n)
                .and_then(|p| {
                    self.metadata
                        .partitions
                        .get(&(OFFSETS_TOPIC.to_string(), p))
                })
                .and_then(|info| self.metadata.brokers.iter().find(|b| b.id == info.leader))
                .copied()
        } else {
            self.maybe_create_offsets_topic(ctx);
            None
        };
        let error = if found.is_some() {
            KafkaError::None
        } else {
            KafkaError::CoordinatorNotAvailable
        };
        let reply = Msg::FindCoordinatorResponse {
            key,
            error,
            coordinator: found.map(|b| LiveBroker {
                id: b.id,
                node: b.node,
            }),
        };
        ctx.send(src, reply);
    }

    /// `createInternalTopic`: at most one attempt every 5 s per broker.
    fn maybe_create_offsets_topic(&mut self, ctx: &mut KCtx) {
        let now = ctx.now_us();
        if self
            .coordinator
            .creating_topic_at
            .is_some_and(|t| now < t + 5 * SEC)
        {
            return;
        }
        self.coordinator.creating_topic_at = Some(now);
        let brokers: Vec<i32> = self.metadata.brokers.iter().map(|b| b.id).collect();
        let n = self.config.offsets_topic_num_partitions;
        let rf = self.config.offsets_topic_replication_factor;
        match assign_replicas_to_brokers(&brokers, n, rf, None, -1, ctx.rng()) {
            Ok(a) => {
                ctx.note(format!(
                    "creates {OFFSETS_TOPIC} ({n} partitions, replication factor {rf}) on first use"
                ));
                let data =
                    String::from_utf8_lossy(&TopicAssignment::new(None, &a).encode()).into_owned();
                let op =
                    WriteOp::create(&paths::topic(OFFSETS_TOPIC), &data, CreateMode::Persistent);
                // The answer needs no handling: NodeExists means another broker created it.
                self.zk_call(ctx, ZkReq::CreatePath, ClientOp::Write(op));
            }
            Err(e) => ctx.note(format!(
                "cannot create {OFFSETS_TOPIC} yet ({}): COORDINATOR_NOT_AVAILABLE",
                e.error.name()
            )),
        }
    }

    /// After every event: follow leadership of the offsets partitions (load / unload),
    /// complete replicated appends, re-arm the deadline timer.
    pub(super) fn coordinator_after_event(&mut self, ctx: &mut KCtx) {
        let now = ctx.now_us();
        let led: Vec<i32> = self
            .replicas
            .values()
            .filter(|r| r.topic == OFFSETS_TOPIC && r.role == ReplicaRole::Leader)
            .map(|r| r.partition)
            .collect();
        let c = &mut self.coordinator;
        for &p in &led {
            if !c.loaded.contains(&p) && !c.loading.iter().any(|(q, _)| *q == p) {
                c.loading.push((p, now + LOAD_TIME_US));
                ctx.note(format!(
                    "leads {OFFSETS_TOPIC}-{p}: loads its groups and offsets"
                ));
            }
        }
        let lost: Vec<i32> = c
            .loaded
            .iter()
            .copied()
            .chain(c.loading.iter().map(|(p, _)| *p))
            .filter(|p| !led.contains(p))
            .collect();
        for p in lost {
            self.unload_partition(ctx, p);
        }
        self.complete_appends(ctx);
        self.arm_coordinator_timer(ctx);
    }

    fn arm_coordinator_timer(&mut self, ctx: &mut KCtx) {
        let now = ctx.now_us();
        let c = &self.coordinator;
        let mut next: Option<TimeUs> = None;
        let mut consider = |t: TimeUs| next = Some(next.map_or(t, |n: TimeUs| n.min(t)));
        c.loading.iter().for_each(|(_, t)| consider(*t));
        c.appends.iter().for_each(|a| consider(a.deadline_us));
        for g in c.groups.values() {
            g.pending.iter().for_each(|(_, t)| consider(*t));
            g.join_deadline_us.into_iter().for_each(&mut consider);
            g.sync_deadline_us.into_iter().for_each(&mut consider);
            g.members
                .iter()
                .filter(|m| !m.awaiting_join && !m.awaiting_sync)
                .filter(|_| g.state != GroupState::Empty)
                .for_each(|m| consider(m.expires_at_us));
        }
        if next == self.coordinator.armed_at {
            return;
        }
        match next {
            Some(t) => ctx.set_timer(Timer::Coordinator, t.saturating_sub(now).max(1)),
            None => ctx.cancel_timer(Timer::Coordinator),
        }
        self.coordinator.armed_at = next;
    }

    /// The deadline timer.
    pub(super) fn on_coordinator_timer(&mut self, ctx: &mut KCtx) {
        let now = ctx.now_us();
        self.coordinator.armed_at = None;
        let done: Vec<i32> = self
            .coordinator
            .loading
            .iter()
            .filter(|(_, t)| *t <= now)
            .map(|(p, _)| *p)
            .collect();
        for p in done {
            self.coordinator.loading.retain(|(q, _)| *q != p);
            self.load_partition(ctx, p);
        }
        self.expire_appends(ctx);
        let ids: Vec<String> = self.coordinator.groups.keys().cloned().collect();
        for id in ids {
            self.group_deadlines(ctx, &id);
        }
    }
}
