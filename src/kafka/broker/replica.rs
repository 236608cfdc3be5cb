//! The partitions a broker hosts (`ReplicaManager`, `Partition`, `ReplicaFetcherThread`,
//! `DelayedProduce`, 2.8.2; sheet C.5, C.9, C.10).
//!
//! * `LeaderAndIsr`: stale broker epoch or controller epoch → ignored; per partition only a
//!   larger leader epoch applies. `makeLeader` records `(epoch, LEO)` in the epoch cache and
//!   resets the followers' state; `makeFollower` starts fetching at the LEO.
//! * Follower fetch (`Fetch` v12 with `LastFetchedEpoch`): the leader checks the epoch
//!   ([`crate::kafka::divergence`]), answers with records and the HW read *before* updating the
//!   follower's state, then updates it, may ask to expand the ISR and may advance the HW. The
//!   follower truncates on `DivergingEpoch`, appends, and sets `HW = min(leader HW, LEO)`.
//! * ISR shrink every `replica.lag.time.max.ms / 2` and expand on fetch go to the controller
//!   with `AlterIsr`; while one is in flight the HW counts the larger ISR.
//! * Produce (`appendRecords`, acks, idempotence checks) is in [`super::produce`]; a
//!   follower's append also rebuilds the idempotent producers' state there.
//!
//! The records a truncation removes are remembered on the replica for the view.
//!
//! Simplified: the leader does not park an empty fetch for `replica.fetch.wait.max.ms`; the
//! follower instead polls on a `FetchTick` of that period and fetches again at once after a
//! response with records. A follower sends one `Fetch` per leader with every partition it
//! follows from it (as one `ReplicaFetcherThread` per source broker does with
//! `num.replica.fetchers=1`), always a full fetch (no incremental fetch session, KIP-227) and
//! without the response-wide `replica.fetch.response.max.bytes` limit. A fetch unanswered for
//! `request.timeout.ms` is sent again. An `AlterIsr` unanswered for
//! `controller.socket.timeout.ms` is sent again, to the controller the broker knows then, as
//! `AlterIsrManager` retries through its controller channel until an answer or a new
//! `LeaderAndIsr` (checked on the fetch tick, so up to `replica.fetch.wait.max.ms` late).
//! An `AlterIsr` error clears the pending state at once (Kafka waits for the next
//! `LeaderAndIsr`).

use super::{Broker, KCtx};
use crate::kafka::config::TopicConfig;
use crate::kafka::divergence::{diverging_epoch, offset_truncation_state, EpochEndOffset};
use crate::kafka::errors::KafkaError;
use crate::kafka::log::{LogLimits, PartitionLog, Record};
use crate::kafka::msg::{
    FetchPartition, FetchedPartition, Msg, PartitionInfo, CONSUMER_REPLICA_ID,
};
use crate::kafka::partition_state::{
    maybe_increment_leader_hw, needs_expand_isr, out_of_sync_replicas,
    reset_remote_replicas_on_make_leader, RemoteReplica,
};
use crate::kafka::producer_state::ProducerStateManager;
use crate::sim::{NodeId, TimeUs, MS};

/// What this broker is for a partition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReplicaRole {
    /// Not (yet) told by a controller since start.
    None,
    Leader,
    Follower,
}

/// One partition replica on a broker.
#[derive(Clone, Debug, PartialEq)]
pub struct Replica {
    pub topic: String,
    pub partition: i32,
    /// The log (kept across crashes).
    pub log: PartitionLog,
    pub role: ReplicaRole,
    pub leader: i32,
    pub leader_epoch: i32,
    pub replicas: Vec<i32>,
    /// The ISR as last confirmed (leader only).
    pub isr: Vec<i32>,
    /// An ISR change sent with `AlterIsr` and not answered yet.
    pub pending_isr: Option<Vec<i32>>,
    pub zk_version: i32,
    pub remotes: Vec<RemoteReplica>,
    leader_epoch_start: Option<i64>,
    fetch_sent_at: Option<TimeUs>,
    /// When the pending `AlterIsr` was last sent (not in the ZooKeeper ISR mode).
    alter_isr_sent_at: Option<TimeUs>,
    /// Idempotent producers' state (`ProducerStateManager`; on disk with the log).
    pub producer_state: ProducerStateManager,
    /// The topic's config overrides read from `/config/topics/<t>` when the log was
    /// created (`LogConfig`; on disk with the log).
    pub log_config: TopicConfig,
    /// Records truncation removed, with the simulated time it did: kept for the view (Kafka
    /// forgets them), the last [`TRUNCATED_KEPT`], across crashes.
    pub truncated: Vec<(TimeUs, Record)>,
}

/// How many truncated records a replica remembers.
pub const TRUNCATED_KEPT: usize = 64;

impl Replica {
    pub(super) fn new(topic: &str, partition: i32) -> Self {
        Self {
            topic: topic.to_string(),
            partition,
            log: PartitionLog::new(LogLimits::default()),
            role: ReplicaRole::None,
            leader: -1,
            leader_epoch: -1,
            replicas: Vec::new(),
            isr: Vec::new(),
            pending_isr: None,
            zk_version: -1,
            remotes: Vec::new(),
            leader_epoch_start: None,
            fetch_sent_at: None,
            alter_isr_sent_at: None,
            producer_state: ProducerStateManager::new(),
            log_config: TopicConfig::default(),
            truncated: Vec::new(),
        }
    }

    /// Crash: everything but the log, its producer state and its config is lost.
    pub fn on_crash(&mut self) {
        let log = self.log.clone();
        let producer_state = std::mem::take(&mut self.producer_state);
        let log_config = std::mem::take(&mut self.log_config);
        let truncated = std::mem::take(&mut self.truncated);
        *self = Replica::new(&self.topic, self.partition);
        self.log = log;
        self.producer_state = producer_state;
        self.log_config = log_config;
        self.truncated = truncated;
    }

    /// The ISR the HW rule uses: the confirmed one plus a pending expansion.
    pub fn maximal_isr(&self) -> Vec<i32> {
        let mut isr = self.isr.clone();
        if let Some(p) = &self.pending_isr {
            for r in p {
                if !isr.contains(r) {
                    isr.push(*r);
                }
            }
        }
        isr
    }
}

/// Where the replica manager's millisecond clock starts: Kafka's `Time.milliseconds()` is
/// the wall clock, and `Partition`/`Replica` use 0 as "never caught up" (a follower outside
/// the ISR after `makeLeader`, a follower's first fetch), which only works because real
/// clocks are far past `replica.lag.time.max.ms`. The simulated clock starts at 0, so without
/// an origin every replica would count as caught up during the first 30 s — and one that had
/// never fetched (LEO unknown) would hold a new leader's high watermark down.
const CLOCK_ORIGIN_MS: i64 = 1_600_000_000_000;

pub(super) fn now_ms(ctx: &KCtx) -> i64 {
    CLOCK_ORIGIN_MS + (ctx.now_us() / MS) as i64
}

impl Broker {
    pub(super) fn key(t: &str, p: i32) -> (String, i32) {
        (t.to_string(), p)
    }

    /// `becomeLeaderOrFollower`.
    pub(super) fn on_leader_and_isr(
        &mut self,
        ctx: &mut KCtx,
        controller_epoch: i32,
        broker_epoch: i64,
        partitions: Vec<PartitionInfo>,
    ) {
        if broker_epoch < self.broker_epoch {
            ctx.note("LeaderAndIsr for an older broker epoch: STALE_BROKER_EPOCH");
            return;
        }
        if controller_epoch < self.highest_controller_epoch {
            ctx.note("LeaderAndIsr from a stale controller: STALE_CONTROLLER_EPOCH");
            return;
        }
        self.highest_controller_epoch = controller_epoch;
        let mut followed = Vec::new();
        for p in partitions {
            if !p.replicas.contains(&self.id) {
                continue;
            }
            let k = Self::key(&p.topic, p.partition);
            if !self.replicas.contains_key(&k) {
                self.create_log(ctx, &p.topic, p.partition);
            }
            let Some(r) = self.replicas.get_mut(&k) else {
                continue;
            };
            if r.role != ReplicaRole::None && p.leader_epoch <= r.leader_epoch {
                continue;
            }
            if p.leader == self.id {
                self.make_leader(ctx, &p);
            } else {
                self.make_follower(ctx, &p);
                if p.leader >= 0 {
                    followed.push(k);
                }
            }
        }
        // `addFetcherForPartitions`: the fetcher of each leader asks for all of them at once.
        self.send_fetches(ctx, followed);
    }

    fn make_leader(&mut self, ctx: &mut KCtx, p: &PartitionInfo) {
        let now = now_ms(ctx);
        let me = self.id;
        let lag = self.config.replica_lag_time_max_ms;
        let Some(r) = self.replicas.get_mut(&Self::key(&p.topic, p.partition)) else {
            return;
        };
        let is_new_leader = r.role != ReplicaRole::Leader;
        r.role = ReplicaRole::Leader;
        r.leader = me;
        r.leader_epoch = p.leader_epoch;
        r.replicas = p.replicas.clone();
        r.isr = p.isr.clone();
        r.zk_version = p.zk_version;
        r.pending_isr = None;
        r.alter_isr_sent_at = None;
        let leo = r.log.log_end_offset();
        r.log.assign_epoch_start_offset(p.leader_epoch, leo);
        r.leader_epoch_start = Some(leo);
        if is_new_leader || r.remotes.is_empty() {
            r.remotes = p
                .replicas
                .iter()
                .filter(|&&b| b != me)
                .map(|&b| RemoteReplica::new(b))
                .collect();
        }
        reset_remote_replicas_on_make_leader(&mut r.remotes, &p.isr, leo, now, is_new_leader);
        let isr = r.maximal_isr();
        maybe_increment_leader_hw(&mut r.log, &r.remotes, &isr, now, lag);
        ctx.note(format!(
            "leads {}-{} in epoch {}",
            p.topic, p.partition, p.leader_epoch
        ));
        self.complete_produces(ctx);
    }

    fn make_follower(&mut self, ctx: &mut KCtx, p: &PartitionInfo) {
        let k = Self::key(&p.topic, p.partition);
        let Some(r) = self.replicas.get_mut(&k) else {
            return;
        };
        r.role = ReplicaRole::Follower;
        r.leader = p.leader;
        r.leader_epoch = p.leader_epoch;
        r.replicas = p.replicas.clone();
        r.isr = p.isr.clone();
        r.zk_version = p.zk_version;
        r.pending_isr = None;
        r.alter_isr_sent_at = None;
        r.remotes.clear();
        r.leader_epoch_start = None;
        r.fetch_sent_at = None;
        // Produce requests parked on this partition lose their leader.
        self.on_lost_leadership(ctx, &p.topic, p.partition);
    }

    /// One `Fetch` per leader for the partitions `keys` this broker follows (the fetcher
    /// thread of that leader), each from its log end.
    fn send_fetches(&mut self, ctx: &mut KCtx, keys: Vec<(String, i32)>) {
        let me = self.id;
        let now = ctx.now_us();
        let max_bytes = self.config.replica_fetch_max_bytes;
        // Leader id → the partitions asked of it, leaders in id order.
        let mut by_leader: Vec<(i32, Vec<FetchPartition>)> = Vec::new();
        for k in keys {
            let Some(r) = self.replicas.get_mut(&k) else {
                continue;
            };
            if r.role != ReplicaRole::Follower || r.leader < 0 {
                continue;
            }
            r.fetch_sent_at = Some(now);
            let part = FetchPartition {
                topic: r.topic.clone(),
                partition: r.partition,
                fetch_offset: r.log.log_end_offset(),
                current_leader_epoch: r.leader_epoch,
                last_fetched_epoch: r.log.latest_epoch().unwrap_or(-1),
                log_start_offset: r.log.log_start_offset(),
                max_bytes,
            };
            match by_leader.binary_search_by_key(&r.leader, |(l, _)| *l) {
                Ok(i) => by_leader[i].1.push(part),
                Err(i) => by_leader.insert(i, (r.leader, vec![part])),
            }
        }
        for (leader, partitions) in by_leader {
            let msg = Msg::Fetch {
                replica_id: me,
                partitions,
            };
            self.send_to_broker(ctx, leader, msg);
        }
    }

    pub(super) fn on_fetch_tick(&mut self, ctx: &mut KCtx) {
        self.resend_unanswered_alter_isr(ctx);
        let timeout = self.config.request_timeout_ms.max(1) as u64 * MS;
        let now = ctx.now_us();
        let due: Vec<(String, i32)> = self
            .replicas
            .iter()
            .filter(|(_, r)| r.role == ReplicaRole::Follower)
            .filter(|(_, r)| r.fetch_sent_at.is_none_or(|t| now >= t + timeout))
            .map(|(k, _)| k.clone())
            .collect();
        self.send_fetches(ctx, due);
    }

    /// Leader side of a fetch (`ReplicaManager.fetchMessages`): every partition is read
    /// first and the answer sent with the high watermarks read then; a follower's state is
    /// updated after the read (`updateFollowerFetchState`), which may expand the ISR and
    /// advance the high watermark.
    pub(super) fn on_fetch(&mut self, ctx: &mut KCtx, src: NodeId, m: Msg) {
        let Msg::Fetch {
            replica_id,
            partitions,
        } = m
        else {
            return;
        };
        let mut answers = Vec::with_capacity(partitions.len());
        let mut read = Vec::new();
        for p in &partitions {
            let (answer, leo) = self.read_for_fetch(replica_id, p);
            answers.push(answer);
            if let Some(leo) = leo {
                read.push((p, leo));
            }
        }
        ctx.send(
            src,
            Msg::FetchResponse {
                partitions: answers,
            },
        );
        for (p, leo) in read {
            self.update_follower_fetch_state(ctx, replica_id, p, leo);
        }
    }

    /// `Partition.fetchRecords` for one partition: the answer, and the leader's log end
    /// offset when the fetch was a follower's successful read.
    fn read_for_fetch(
        &self,
        replica_id: i32,
        p: &FetchPartition,
    ) -> (FetchedPartition, Option<i64>) {
        let answer = |error, high_watermark, records, diverging| FetchedPartition {
            topic: p.topic.clone(),
            partition: p.partition,
            error,
            high_watermark,
            records,
            diverging,
        };
        let fail = |e| (answer(e, -1, Vec::new(), None), None);
        let Some(r) = self
            .replicas
            .get(&Self::key(&p.topic, p.partition))
            .filter(|r| r.role == ReplicaRole::Leader)
        else {
            return fail(KafkaError::NotLeaderOrFollower);
        };
        if p.current_leader_epoch >= 0 && p.current_leader_epoch < r.leader_epoch {
            return fail(KafkaError::FencedLeaderEpoch);
        }
        if p.current_leader_epoch > r.leader_epoch {
            return fail(KafkaError::UnknownLeaderEpoch);
        }
        let hw = r.log.high_watermark();
        if p.last_fetched_epoch >= 0 {
            match diverging_epoch(&r.log, p.fetch_offset, p.last_fetched_epoch) {
                Ok(Some(d)) => {
                    let div = Some((d.epoch, d.end_offset));
                    return (answer(KafkaError::None, hw, Vec::new(), div), None);
                }
                Ok(None) => {}
                Err(e) => return (answer(e, hw, Vec::new(), None), None),
            }
        }
        // A consumer reads committed data only (up to the high watermark).
        let consumer = replica_id == CONSUMER_REPLICA_ID;
        let leo = r.log.log_end_offset();
        let upto = if consumer { hw } else { leo };
        let max_bytes = p.max_bytes.max(1) as u64;
        match r.log.read(p.fetch_offset, upto, max_bytes) {
            Ok(recs) => (
                answer(KafkaError::None, hw, recs.to_vec(), None),
                (!consumer).then_some(leo),
            ),
            Err(e) => (answer(e.kafka_error(), hw, Vec::new(), None), None),
        }
    }

    /// `updateFollowerFetchState` after a follower read `p` (the log ended at `leo` then).
    fn update_follower_fetch_state(
        &mut self,
        ctx: &mut KCtx,
        replica_id: i32,
        p: &FetchPartition,
        leo: i64,
    ) {
        let now = now_ms(ctx);
        let lag = self.config.replica_lag_time_max_ms;
        let k = Self::key(&p.topic, p.partition);
        let Some(r) = self.replicas.get_mut(&k) else {
            return;
        };
        if let Some(remote) = r.remotes.iter_mut().find(|x| x.broker_id == replica_id) {
            remote.update_fetch_state(p.fetch_offset, p.log_start_offset, now, leo);
            let expand = needs_expand_isr(
                remote,
                &r.isr,
                r.pending_isr.is_some(),
                r.log.high_watermark(),
                r.leader_epoch_start,
            );
            if expand {
                let mut new_isr = r.isr.clone();
                new_isr.push(replica_id);
                self.send_alter_isr(ctx, &p.topic, p.partition, new_isr);
            }
        }
        if let Some(r) = self.replicas.get_mut(&k) {
            let isr = r.maximal_isr();
            if maybe_increment_leader_hw(&mut r.log, &r.remotes, &isr, now, lag) {
                self.complete_produces(ctx);
            }
        }
    }

    /// Leader side of `ListOffsets` (`Partition.fetchOffsetForTimestamp` for the two special
    /// timestamps): earliest is the log start offset, latest the high watermark (what a
    /// read-uncommitted consumer may read up to).
    pub(super) fn on_list_offsets(&mut self, ctx: &mut KCtx, src: NodeId, m: Msg) {
        let Msg::ListOffsets {
            topic,
            partition,
            timestamp,
        } = m
        else {
            return;
        };
        let found = self
            .replicas
            .get(&Self::key(&topic, partition))
            .filter(|r| r.role == ReplicaRole::Leader);
        let (error, offset) = match found {
            None => (KafkaError::NotLeaderOrFollower, -1),
            Some(r) if timestamp == -2 => (KafkaError::None, r.log.log_start_offset()),
            Some(r) => (KafkaError::None, r.log.high_watermark()),
        };
        let reply = Msg::ListOffsetsResponse {
            topic,
            partition,
            error,
            offset,
        };
        ctx.send(src, reply);
    }

    /// Follower side: per partition, truncate on divergence, append, copy the HW; then fetch
    /// again at once from each leader that sent records or a divergence (the fetcher loop).
    pub(super) fn on_fetch_response(&mut self, ctx: &mut KCtx, m: Msg) {
        let Msg::FetchResponse { partitions } = m else {
            return;
        };
        let mut again = Vec::new();
        for d in partitions {
            if let Some(leader) = self.apply_fetched(ctx, d) {
                if !again.contains(&leader) {
                    again.push(leader);
                }
            }
        }
        for leader in again {
            let idle: Vec<(String, i32)> = self
                .replicas
                .iter()
                .filter(|(_, r)| r.role == ReplicaRole::Follower && r.leader == leader)
                .filter(|(_, r)| r.fetch_sent_at.is_none())
                .map(|(k, _)| k.clone())
                .collect();
            self.send_fetches(ctx, idle);
        }
    }

    /// One partition of a `FetchResponse`; the leader to fetch from again at once, if any.
    fn apply_fetched(&mut self, ctx: &mut KCtx, d: FetchedPartition) -> Option<i32> {
        let FetchedPartition {
            topic,
            partition,
            error,
            high_watermark,
            records,
            diverging,
        } = d;
        let r = self.replicas.get_mut(&Self::key(&topic, partition))?;
        if r.role != ReplicaRole::Follower {
            return None;
        }
        r.fetch_sent_at = None;
        if !error.is_none() {
            return None;
        }
        if let Some((epoch, end_offset)) = diverging {
            let leo = r.log.log_end_offset();
            let t = offset_truncation_state(&r.log, leo, EpochEndOffset { epoch, end_offset });
            if let Ok(removed) = r.log.truncate_to(t.offset) {
                r.producer_state.truncate_to(t.offset);
                ctx.note(format!(
                    "{topic}-{partition}: log diverges from the leader's; truncated to {} ({} records removed)",
                    t.offset,
                    removed.len()
                ));
                let now = ctx.now_us();
                r.truncated
                    .extend(removed.into_iter().map(|rec| (now, rec)));
                let over = r.truncated.len().saturating_sub(TRUNCATED_KEPT);
                r.truncated.drain(..over);
            }
            return Some(r.leader);
        }
        let got = !records.is_empty();
        if got && r.log.append_as_follower(&records).is_err() {
            return None;
        }
        super::produce::replicate_producer_state(&mut r.producer_state, &records);
        let leo = r.log.log_end_offset();
        r.log.update_high_watermark(high_watermark.min(leo));
        got.then_some(r.leader)
    }

    fn send_alter_isr(&mut self, ctx: &mut KCtx, topic: &str, partition: i32, new_isr: Vec<i32>) {
        if self.config.zk_isr_mode() {
            self.write_isr_to_zk(ctx, topic, partition, new_isr);
            return;
        }
        let Some(node) = self.controller_node() else {
            return;
        };
        let broker_epoch = self.broker_epoch;
        let broker_id = self.id;
        let Some(r) = self.replicas.get_mut(&Self::key(topic, partition)) else {
            return;
        };
        r.pending_isr = Some(new_isr.clone());
        r.alter_isr_sent_at = Some(ctx.now_us());
        let msg = Msg::AlterIsr {
            broker_id,
            broker_epoch,
            topic: topic.to_string(),
            partition,
            leader_epoch: r.leader_epoch,
            new_isr,
            current_isr_version: r.zk_version,
        };
        ctx.send(node, msg);
    }

    /// The node of the controller the metadata names, when it is a known broker.
    fn controller_node(&self) -> Option<NodeId> {
        let controller = self.metadata.controller_id;
        self.metadata
            .brokers
            .iter()
            .find(|b| b.id == controller)
            .map(|b| b.node)
    }

    /// Sends again every `AlterIsr` left unanswered for `controller.socket.timeout.ms`: the
    /// controller may have died with it, or the request or its answer may have been lost.
    fn resend_unanswered_alter_isr(&mut self, ctx: &mut KCtx) {
        if self.config.zk_isr_mode() {
            return;
        }
        let timeout = self.config.controller_socket_timeout_ms.max(1) as u64 * MS;
        let now = ctx.now_us();
        let due: Vec<(String, i32, Vec<i32>)> = self
            .replicas
            .values()
            .filter(|r| r.role == ReplicaRole::Leader)
            .filter(|r| r.alter_isr_sent_at.is_some_and(|t| now >= t + timeout))
            .filter_map(|r| Some((r.topic.clone(), r.partition, r.pending_isr.clone()?)))
            .collect();
        if self.controller_node().is_none() {
            return;
        }
        for (t, p, isr) in due {
            ctx.note(format!(
                "{t}-{p}: AlterIsr unanswered for controller.socket.timeout.ms: sends it again"
            ));
            self.send_alter_isr(ctx, &t, p, isr);
        }
    }

    /// `maybeShrinkIsr` on every led partition.
    pub(super) fn maybe_shrink_isr(&mut self, ctx: &mut KCtx) {
        let now = now_ms(ctx);
        let lag = self.config.replica_lag_time_max_ms;
        let me = self.id;
        let mut shrink = Vec::new();
        for r in self.replicas.values() {
            if r.role != ReplicaRole::Leader {
                continue;
            }
            let out = out_of_sync_replicas(
                &r.isr,
                me,
                r.pending_isr.is_some(),
                &r.remotes,
                r.log.log_end_offset(),
                now,
                lag,
            );
            if !out.is_empty() {
                let new_isr: Vec<i32> =
                    r.isr.iter().copied().filter(|b| !out.contains(b)).collect();
                shrink.push((r.topic.clone(), r.partition, out, new_isr));
            }
        }
        for (t, p, out, new_isr) in shrink {
            ctx.note(format!(
                "{t}-{p}: replicas {out:?} lag more than replica.lag.time.max.ms: asks to shrink the ISR"
            ));
            self.send_alter_isr(ctx, &t, p, new_isr);
        }
    }

    pub(super) fn on_alter_isr_response(
        &mut self,
        ctx: &mut KCtx,
        topic: String,
        partition: i32,
        error: KafkaError,
        state: Option<(i32, i32, Vec<i32>, i32)>,
    ) {
        let now = now_ms(ctx);
        let lag = self.config.replica_lag_time_max_ms;
        let Some(r) = self.replicas.get_mut(&Self::key(&topic, partition)) else {
            return;
        };
        r.pending_isr = None;
        r.alter_isr_sent_at = None;
        if r.role != ReplicaRole::Leader {
            return;
        }
        match (error.is_none(), state) {
            (true, Some((_, epoch, isr, version))) if epoch == r.leader_epoch => {
                r.isr = isr;
                r.zk_version = version;
                let isr = r.maximal_isr();
                if maybe_increment_leader_hw(&mut r.log, &r.remotes, &isr, now, lag) {
                    self.complete_produces(ctx);
                }
            }
            _ => ctx.note(format!(
                "AlterIsr for {topic}-{partition}: {}",
                error.name()
            )),
        }
    }
}
