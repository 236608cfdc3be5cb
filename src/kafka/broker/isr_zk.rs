//! The older ISR propagation, used when `inter.broker.protocol.version` < 2.7-IV2
//! (`Partition.shrinkIsr`/`expandIsr` → `ReplicationUtils.updateLeaderAndIsr`,
//! `ReplicaManager.maybePropagateIsrChanges`, 2.6).
//!
//! The leader writes the partition's `state` znode itself (same leader and leader epoch, the
//! new ISR, the controller epoch it last heard of) with a `setData` conditional on its cached
//! zkVersion; a version conflict drops the change (the controller changed the state and a
//! `LeaderAndIsr` follows). A success is recorded in a pending set; every 2500 ms, if the last
//! ISR change is more than 5000 ms old or the last propagation more than 60000 ms old, one
//! `/isr_change_notification/isr_change_<seq>` lists the pending partitions for the
//! controller, which re-reads them and sends `UpdateMetadata`.

use crate::sim::VecSet;

use super::{Broker, KCtx, ReplicaRole, ZkReq};
use crate::kafka::msg::Timer;
use crate::kafka::partition_state::maybe_increment_leader_hw;
use crate::kafka::znodes::{encode_isr_change, paths, PartitionState};
use crate::sim::MS;
use crate::zk::msg::{ClientOp, ReplyBody};
use crate::zk::{CreateMode, ErrorCode, OpResult, WriteOp};

/// `isr-change-propagation` period (ms).
const PROPAGATION_INTERVAL_MS: i64 = 2_500;
/// Quiet time before pending changes are propagated (ms).
const PROPAGATION_BLACKOUT_MS: i64 = 5_000;
/// Longest wait before pending changes are propagated anyway (ms).
const PROPAGATION_MAX_DELAY_MS: i64 = 60_000;

/// Pending ISR changes to announce.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct IsrPropagation {
    pub pending: VecSet<(String, i32)>,
    pub last_change_ms: i64,
    pub last_propagation_ms: i64,
}

/// A ZK-ISR ZooKeeper request.
#[derive(Clone, Debug, PartialEq)]
pub enum IsrZkReq {
    /// The leader's conditional `state` write.
    Write {
        topic: String,
        partition: i32,
        leader_epoch: i32,
        isr: Vec<i32>,
    },
    /// The notification created.
    Notify,
}

impl Broker {
    /// Arms `isr-change-propagation` (ZK-ISR mode only).
    pub(super) fn arm_isr_propagation(&mut self, ctx: &mut KCtx) {
        if self.config.zk_isr_mode() {
            ctx.set_timer(
                Timer::IsrChangePropagation,
                PROPAGATION_INTERVAL_MS as u64 * MS,
            );
        }
    }

    /// The leader writes an ISR change to ZooKeeper itself.
    pub(super) fn write_isr_to_zk(
        &mut self,
        ctx: &mut KCtx,
        topic: &str,
        partition: i32,
        new_isr: Vec<i32>,
    ) {
        let k = (topic.to_string(), partition);
        let controller_epoch = self
            .metadata
            .partitions
            .get(&k)
            .map_or(self.highest_controller_epoch, |p| p.controller_epoch);
        let me = self.id;
        let Some(r) = self.replicas.get_mut(&k) else {
            return;
        };
        r.pending_isr = Some(new_isr.clone());
        let data = PartitionState {
            leader: me,
            leader_epoch: r.leader_epoch,
            isr: new_isr.clone(),
            controller_epoch,
        }
        .encode();
        let data = String::from_utf8_lossy(&data).into_owned();
        let op = WriteOp::set_data(
            &paths::partition_state(topic, partition),
            &data,
            r.zk_version,
        );
        let req = IsrZkReq::Write {
            topic: topic.to_string(),
            partition,
            leader_epoch: r.leader_epoch,
            isr: new_isr,
        };
        self.zk_call(ctx, ZkReq::IsrZk(req), ClientOp::Write(op));
    }

    pub(super) fn on_isr_zk_completed(
        &mut self,
        ctx: &mut KCtx,
        req: IsrZkReq,
        result: Result<ReplyBody, ErrorCode>,
    ) {
        let IsrZkReq::Write {
            topic,
            partition,
            leader_epoch,
            isr,
        } = req
        else {
            return;
        };
        let now = (ctx.now_us() / MS) as i64;
        let lag = self.config.replica_lag_time_max_ms;
        let k = (topic.clone(), partition);
        let Some(r) = self.replicas.get_mut(&k) else {
            return;
        };
        r.pending_isr = None;
        if r.role != ReplicaRole::Leader || r.leader_epoch != leader_epoch {
            return;
        }
        match result {
            Ok(ReplyBody::Write(OpResult::SetData { stat })) => {
                r.isr = isr;
                r.zk_version = stat.version;
                let max_isr = r.maximal_isr();
                let moved = maybe_increment_leader_hw(&mut r.log, &r.remotes, &max_isr, now, lag);
                self.isr_zk.pending.insert(k);
                self.isr_zk.last_change_ms = now;
                if moved {
                    self.complete_produces(ctx);
                }
            }
            Ok(_) => {}
            Err(e) => ctx.note(format!(
                "{topic}-{partition}: ISR write failed ({}): the change is dropped",
                e.name()
            )),
        }
    }

    /// `maybePropagateIsrChanges`.
    pub(super) fn on_isr_propagation_tick(&mut self, ctx: &mut KCtx) {
        let now = (ctx.now_us() / MS) as i64;
        let p = &self.isr_zk;
        let due = !p.pending.is_empty()
            && (p.last_change_ms + PROPAGATION_BLACKOUT_MS < now
                || p.last_propagation_ms + PROPAGATION_MAX_DELAY_MS < now);
        if due {
            let list: Vec<(String, i32)> = std::mem::take(&mut self.isr_zk.pending)
                .into_iter()
                .collect();
            self.isr_zk.last_propagation_ms = now;
            let data = String::from_utf8_lossy(&encode_isr_change(&list)).into_owned();
            let op = WriteOp::create(
                paths::ISR_CHANGE_PREFIX,
                &data,
                CreateMode::PersistentSequential,
            );
            self.zk_call(ctx, ZkReq::IsrZk(IsrZkReq::Notify), ClientOp::Write(op));
        }
        self.arm_isr_propagation(ctx);
    }
}
