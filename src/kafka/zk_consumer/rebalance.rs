//! The synced rebalance of the classic consumer (`ZKRebalancerListener.syncedRebalance` and
//! `rebalance`, 1.1.1), as a chain of phases: each phase issues its ZooKeeper calls together
//! (a session answers in order) and the next starts when the last of them has completed.

use crate::kafka::broker::KCtx;
use crate::kafka::znodes::paths;
use crate::zk::msg::ClientOp;
use crate::zk::{CreateMode, WriteOp};

use super::assign::range_for;
use super::{ConsumerTimer, ZkConsumer, ZkReq};

/// Where a rebalance try is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Committing the consumed offsets (fetchers stopped).
    Commit,
    /// Deleting its owner znodes (`releasePartitionOwnership`).
    Release,
    /// Reading the members, the brokers and the topic's partitions.
    Read,
    /// Reading each member's subscription (its thread ids).
    Subscriptions,
    /// Reading the assigned partitions' offsets (`fetchOffsets`).
    Offsets,
    /// Creating the owner znodes (`reflectPartitionOwnershipDecision`).
    Claim,
    /// A claim failed: deleting what this try claimed.
    Unclaim,
    /// Waiting `rebalance.backoff.ms` before the next try.
    Backoff,
}

impl Phase {
    /// Lower-case name for cards and notes.
    pub fn name(self) -> &'static str {
        match self {
            Phase::Commit => "commit",
            Phase::Release => "release",
            Phase::Read => "read",
            Phase::Subscriptions => "subscriptions",
            Phase::Offsets => "offsets",
            Phase::Claim => "claim",
            Phase::Unclaim => "unclaim",
            Phase::Backoff => "backoff",
        }
    }
}

/// A synced rebalance in progress.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rebalance {
    /// Try number, from 0.
    pub attempt: u32,
    pub phase: Phase,
    /// The try's id in its calls' tags.
    pub round: u64,
    pub(super) outstanding: u32,
    pub(super) failed: Option<String>,
    pub(super) conflict: bool,
    /// Members (consumer ids) as read.
    pub members: Vec<String>,
    /// Thread ids subscribed to the topic, sorted.
    pub thread_ids: Vec<String>,
    pub(super) brokers: Vec<i32>,
    pub(super) num_partitions: i32,
    /// The partitions the assignment gives this consumer.
    pub assigned: Vec<i32>,
    pub(super) offsets: Vec<(i32, i64)>,
    pub(super) claimed: Vec<i32>,
}

impl Rebalance {
    fn new(attempt: u32, round: u64) -> Self {
        Self {
            attempt,
            phase: Phase::Commit,
            round,
            outstanding: 0,
            failed: None,
            conflict: false,
            members: Vec::new(),
            thread_ids: Vec::new(),
            brokers: Vec::new(),
            num_partitions: 0,
            assigned: Vec::new(),
            offsets: Vec::new(),
            claimed: Vec::new(),
        }
    }
}

impl ZkConsumer {
    /// A watch fired: rebalance now, or after the one running (`rebalanceEventTriggered`).
    pub(super) fn trigger_rebalance(&mut self, ctx: &mut KCtx) {
        if self.rebalance.is_some() {
            self.rebalance_pending = true;
        } else {
            self.start_rebalance(ctx);
        }
    }

    /// `syncedRebalance`: the first try.
    pub(super) fn start_rebalance(&mut self, ctx: &mut KCtx) {
        if !self.registered {
            return;
        }
        if self.rebalance.is_some() {
            self.rebalance_pending = true;
            return;
        }
        self.stats.rebalances += 1;
        self.rebalance_pending = false;
        self.begin_try(ctx, 0);
    }

    fn begin_try(&mut self, ctx: &mut KCtx, attempt: u32) {
        self.round += 1;
        ctx.note(format!(
            "begin rebalancing consumer {} try #{attempt}",
            self.consumer_id
        ));
        self.rebalance = Some(Rebalance::new(attempt, self.round));
        // Stop the fetchers, commit what was consumed, then release (`closeFetchers`).
        self.commit_offsets(ctx, Some(self.round));
        for o in std::mem::take(&mut self.owned) {
            if !self.to_release.iter().any(|(p, _)| *p == o.partition) {
                self.to_release.push((o.partition, true));
            }
        }
        self.metadata_sent_us = None;
        self.maybe_advance(ctx);
    }

    pub(super) fn on_backoff(&mut self, ctx: &mut KCtx) {
        match &self.rebalance {
            Some(rb) if rb.phase == Phase::Backoff => {
                let next = rb.attempt + 1;
                self.begin_try(ctx, next);
            }
            _ => {}
        }
    }

    /// Counts a call of the current try as issued.
    pub(super) fn issued(&mut self, n: u32) {
        if let Some(rb) = self.rebalance.as_mut() {
            rb.outstanding += n;
        }
    }

    /// Counts a call of try `round` as finished; advances when the phase is complete.
    pub(super) fn finished(&mut self, ctx: &mut KCtx, round: u64) {
        let Some(rb) = self.rebalance.as_mut() else {
            return;
        };
        if rb.round != round {
            return;
        }
        rb.outstanding = rb.outstanding.saturating_sub(1);
        self.maybe_advance(ctx);
    }

    pub(super) fn fail(&mut self, why: impl Into<String>) {
        if let Some(rb) = self.rebalance.as_mut() {
            rb.failed.get_or_insert_with(|| why.into());
        }
    }

    pub(super) fn current_round(&self, round: u64) -> bool {
        self.rebalance.as_ref().is_some_and(|rb| rb.round == round)
    }

    fn maybe_advance(&mut self, ctx: &mut KCtx) {
        loop {
            let Some(rb) = self.rebalance.as_ref() else {
                return;
            };
            if rb.outstanding > 0 || rb.phase == Phase::Backoff {
                return;
            }
            let failed = rb.failed.clone();
            match (rb.phase, failed) {
                (Phase::Unclaim, _) => return self.fail_try(ctx),
                (Phase::Claim, _) if rb.conflict || rb.failed.is_some() => self.unclaim(ctx),
                (_, Some(_)) => return self.fail_try(ctx),
                (Phase::Commit, None) => self.release(ctx),
                (Phase::Release, None) => self.read(ctx),
                (Phase::Read, None) => {
                    if !self.read_done(ctx) {
                        return;
                    }
                }
                (Phase::Subscriptions, None) => self.assign_and_read_offsets(ctx),
                (Phase::Offsets, None) => self.claim(ctx),
                (Phase::Claim, None) => return self.succeed(ctx),
                (Phase::Backoff, _) => return,
            }
        }
    }

    fn set_phase(&mut self, phase: Phase) {
        if let Some(rb) = self.rebalance.as_mut() {
            rb.phase = phase;
        }
    }

    pub(super) fn owner_path(&self, partition: i32) -> String {
        paths::consumer_owner(&self.config.group_id, &self.topic, partition)
    }

    fn release(&mut self, ctx: &mut KCtx) {
        self.set_phase(Phase::Release);
        let round = self.round;
        for (partition, sure) in self.to_release.clone() {
            let path = self.owner_path(partition);
            if sure {
                let op = ClientOp::Write(WriteOp::delete(&path, -1));
                self.zk.call(ctx, ZkReq::Release { round, partition }, op);
            } else {
                let op = ClientOp::GetData { path, watch: false };
                self.zk
                    .call(ctx, ZkReq::ReleaseCheck { round, partition }, op);
            }
            self.issued(1);
        }
    }

    fn read(&mut self, ctx: &mut KCtx) {
        self.set_phase(Phase::Read);
        let round = self.round;
        let ids = paths::consumer_ids(&self.config.group_id);
        let children = |path: String| ClientOp::GetChildren {
            path,
            watch: true,
            stat: false,
        };
        self.zk.call(ctx, ZkReq::Members { round }, children(ids));
        let brokers = children(paths::BROKER_IDS.to_string());
        self.zk
            .call(ctx, ZkReq::Brokers { round: Some(round) }, brokers);
        let topic = paths::topic(&self.topic);
        let op = ClientOp::Exists {
            path: topic.clone(),
            watch: true,
        };
        self.zk.call(ctx, ZkReq::TopicWatch { round }, op);
        let op = ClientOp::GetData {
            path: topic,
            watch: false,
        };
        self.zk.call(ctx, ZkReq::Topic { round }, op);
        self.issued(4);
    }

    /// After the reads: no broker → done; else read the subscriptions. False when the
    /// rebalance ended here.
    fn read_done(&mut self, ctx: &mut KCtx) -> bool {
        let Some(rb) = self.rebalance.as_ref() else {
            return false;
        };
        if rb.brokers.is_empty() {
            ctx.note("no brokers found when trying to rebalance: watches /brokers/ids");
            self.brokers_watch_rebalances = true;
            self.succeed(ctx);
            return false;
        }
        if !rb.members.contains(&self.consumer_id) {
            self.fail(format!("{} is not among the group's ids", self.consumer_id));
            return true;
        }
        let members = rb.members.clone();
        self.set_phase(Phase::Subscriptions);
        let round = self.round;
        for member in members {
            let path = paths::consumer_id(&self.config.group_id, &member);
            let op = ClientOp::GetData { path, watch: false };
            self.zk.call(ctx, ZkReq::Subscription { round, member }, op);
            self.issued(1);
        }
        true
    }

    fn assign_and_read_offsets(&mut self, ctx: &mut KCtx) {
        let me = self.thread_id();
        let topic = self.topic.clone();
        let Some(rb) = self.rebalance.as_mut() else {
            return;
        };
        rb.assigned = match rb.thread_ids.iter().position(|t| *t == me) {
            Some(i) => range_for(rb.num_partitions, rb.thread_ids.len(), i).collect(),
            None => Vec::new(),
        };
        let assigned = rb.assigned.clone();
        ctx.note(format!(
            "{me} is assigned partitions {assigned:?} of {} ({} threads)",
            rb.num_partitions,
            rb.thread_ids.len()
        ));
        self.set_phase(Phase::Offsets);
        let round = self.round;
        for partition in assigned {
            let path = paths::consumer_offset(&self.config.group_id, &topic, partition);
            let op = ClientOp::GetData { path, watch: false };
            self.zk.call(ctx, ZkReq::Offset { round, partition }, op);
            self.issued(1);
        }
    }

    fn claim(&mut self, ctx: &mut KCtx) {
        self.set_phase(Phase::Claim);
        let round = self.round;
        let me = self.thread_id();
        let assigned = self
            .rebalance
            .as_ref()
            .map(|rb| rb.assigned.clone())
            .unwrap_or_default();
        for partition in assigned {
            let path = self.owner_path(partition);
            let op = ClientOp::Write(WriteOp::create(&path, &me, CreateMode::Ephemeral));
            self.zk.call(ctx, ZkReq::Claim { round, partition }, op);
            self.issued(1);
        }
    }

    fn unclaim(&mut self, ctx: &mut KCtx) {
        self.set_phase(Phase::Unclaim);
        let round = self.round;
        let claimed = self
            .rebalance
            .as_ref()
            .map(|rb| rb.claimed.clone())
            .unwrap_or_default();
        for partition in claimed {
            let path = self.owner_path(partition);
            let op = ClientOp::Write(WriteOp::delete(&path, -1));
            self.zk.call(ctx, ZkReq::Unclaim { round, partition }, op);
            self.issued(1);
        }
    }

    fn fail_try(&mut self, ctx: &mut KCtx) {
        let Some(rb) = self.rebalance.as_mut() else {
            return;
        };
        let why = rb
            .failed
            .clone()
            .unwrap_or_else(|| "a partition is still owned by another consumer".into());
        self.stats.failed_tries += 1;
        let attempt = rb.attempt;
        if attempt + 1 < self.config.rebalance_max_retries {
            rb.phase = Phase::Backoff;
            ctx.note(format!(
                "rebalance try #{attempt} failed ({why}): retries in {} ms",
                self.config.rebalance_backoff_ms
            ));
            ctx.set_timer(ConsumerTimer::Backoff, self.backoff_us());
        } else {
            ctx.note(format!(
                "{} can't rebalance after {} retries ({why}): waits for the next change",
                self.consumer_id, self.config.rebalance_max_retries
            ));
            self.stats.gave_up += 1;
            self.end_rebalance(ctx);
        }
    }

    fn succeed(&mut self, ctx: &mut KCtx) {
        let Some(rb) = self.rebalance.as_ref() else {
            return;
        };
        let offsets = rb.offsets.clone();
        // `assigned` is a range, so `owned` is sorted by partition.
        let owned: Vec<super::OwnedPartition> = rb
            .assigned
            .iter()
            .map(|&partition| {
                let position = offsets
                    .iter()
                    .find(|(p, _)| *p == partition)
                    .map_or(-1, |(_, o)| *o);
                super::OwnedPartition {
                    partition,
                    position,
                    leader: -1,
                    high_watermark: -1,
                    in_flight: None,
                }
            })
            .collect();
        for o in &owned {
            self.set_checkpoint(o.partition, o.position);
        }
        ctx.note(format!(
            "{} owns partitions {:?}: starts fetching",
            self.thread_id(),
            owned.iter().map(|o| o.partition).collect::<Vec<_>>()
        ));
        self.owned = owned;
        self.end_rebalance(ctx);
        self.on_fetch_tick(ctx);
    }

    fn end_rebalance(&mut self, ctx: &mut KCtx) {
        self.rebalance = None;
        if self.rebalance_pending {
            self.rebalance_pending = false;
            self.start_rebalance(ctx);
        }
    }

    pub(super) fn set_checkpoint(&mut self, partition: i32, offset: i64) {
        match self.checkpointed.iter_mut().find(|(p, _)| *p == partition) {
            Some(c) => c.1 = offset,
            None => self.checkpointed.push((partition, offset)),
        }
    }
}
