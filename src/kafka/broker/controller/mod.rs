//! The controller inside a broker (`KafkaController`, `PartitionStateMachine`,
//! `ReplicaStateMachine`, `ControllerChannelManager`, 2.8.2; sheet C.4–C.8).
//!
//! * `context`: start-up (`onControllerFailover` → `initializeControllerContext`: children
//!   of `/brokers/ids`, `/brokers/topics`, `/isr_change_notification` with watches, every
//!   broker, topic (with a data watch: `PartitionModifications`) and partition `state`), then
//!   `UpdateMetadata` to every live broker and `LeaderAndIsr` for every led partition; broker
//!   changes (dead, new and bounced brokers from the registrations' czxids); new topics and
//!   partitions added to a topic.
//! * `election`: the partition state machine's transitions — New → Online, Offline →
//!   Online (offline election; unclean only when the topic's `unclean.leader.election.enable`,
//!   read from `/config/topics/<t>` when no ISR member is alive, says so), a dead replica out
//!   of the ISR (`removeReplicasFromIsr`, the last member stays).
//! * `shutdown`: `ControlledShutdown` (controlled-shutdown election for the partitions the
//!   broker leads, `StopReplica` and ISR removal for those it follows).
//! * `rebalance`: the auto preferred-leader rebalance.
//! * `isr`: `AlterIsr` and the older `/isr_change_notification` path.
//!
//! Every write is `multi(check(/controller_epoch, epochZkVersion), op)`, as
//! `KafkaZkClient` wraps requests with a `zkVersionCheck`: a controller that lost its
//! epoch is fenced with `BadVersion` on the check and resigns (`ControllerMovedException`).
//!
//! Simplified: one write per partition per change; the election works on the context rather
//! than re-reading the `state` znodes first; no topic deletion, reassignment or admin-triggered
//! preferred election (`/admin/preferred_replica_election`); `UpdateMetadata` always carries
//! every partition; events are handled as their ZooKeeper answers arrive rather than through
//! one event queue; a failed `state` write re-reads the znode instead of retrying the batch.

mod context;
mod election;
mod isr;
mod rebalance;
mod shutdown;

use crate::sim::{VecMap, VecSet};

use super::{Broker, KCtx, ZkReq};
use crate::kafka::bugs::KafkaBug;
use crate::kafka::msg::{LiveBroker, Msg, PartitionInfo};
use crate::kafka::partition_state::LeaderAndIsr;
use crate::kafka::znodes::paths;
use crate::sim::NodeId;
use crate::zk::msg::{ClientOp, ReplyBody};
use crate::zk::{ErrorCode, WriteOp};

/// `PartitionState` of the partition state machine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PartitionPhase {
    New,
    Online,
    Offline,
}

/// One partition in the controller context.
#[derive(Clone, Debug, PartialEq)]
pub struct CtlPartition {
    pub replicas: Vec<i32>,
    pub phase: PartitionPhase,
    pub leader_and_isr: Option<LeaderAndIsr>,
}

/// What a `state` write is for, so its completion does the rest.
#[derive(Clone, Debug, PartialEq)]
pub struct StateWrite {
    pub topic: String,
    pub partition: i32,
    /// The leader to answer for an `AlterIsr`.
    pub alter_isr_from: Option<NodeId>,
    /// The broker whose controlled shutdown waits for this write.
    pub shutdown_of: Option<i32>,
    /// An unclean election (the leader came from outside the ISR).
    pub unclean: bool,
    /// Brokers to send `LeaderAndIsr` to once written.
    pub recipients: Vec<i32>,
}

/// A controller ZooKeeper request.
#[derive(Clone, Debug, PartialEq)]
pub enum CtlReq {
    BrokerIds,
    BrokerData(i32),
    Topics,
    TopicData(String),
    StateRead(String, i32),
    /// A path under the topic, or a notification deleted (`NodeExists`/`NoNode` fine).
    Path,
    /// A `state` write.
    WriteState(Box<StateWrite>),
    /// `/config/topics/<t>` read for an election without a live ISR member.
    UncleanConfig(String, i32),
    /// `getChildren(/isr_change_notification)`.
    IsrChanges,
    /// One ISR change notification.
    IsrChangeData(String),
    /// A `state` re-read after an ISR change notification.
    StateRefresh(String, i32),
}

/// A broker refresh: ids listed, registrations read so far, reads left.
type BrokerRefresh = (Vec<i32>, VecMap<i32, (i64, NodeId)>, u32);

/// A controlled shutdown waiting for its `state` writes before it answers.
#[derive(Clone, Debug, PartialEq)]
struct PendingShutdown {
    broker: i32,
    reply_to: NodeId,
    writes_left: u32,
}

/// The controller context.
#[derive(Clone, Debug, PartialEq)]
pub struct Controller {
    pub epoch: i32,
    pub epoch_zk_version: i32,
    /// Registered brokers: id → (broker epoch, node).
    pub live: VecMap<i32, (i64, NodeId)>,
    /// Brokers in controlled shutdown (`shuttingDownBrokerIds`): registered, but not "live"
    /// for elections.
    pub shutting_down: VecSet<i32>,
    pub partitions: VecMap<(String, i32), CtlPartition>,
    pub started: bool,
    startup_reads: u32,
    refresh: Option<BrokerRefresh>,
    shutdowns: Vec<PendingShutdown>,
}

impl Controller {
    /// A controller that just won `epoch`.
    pub fn new(epoch: i32, epoch_zk_version: i32) -> Self {
        Self {
            epoch,
            epoch_zk_version,
            live: VecMap::new(),
            shutting_down: VecSet::new(),
            partitions: VecMap::new(),
            started: false,
            startup_reads: 0,
            refresh: None,
            shutdowns: Vec::new(),
        }
    }

    /// `liveBrokerIds`: registered and not shutting down.
    fn live_set(&self) -> VecSet<i32> {
        self.live
            .keys()
            .copied()
            .filter(|b| !self.shutting_down.contains(b))
            .collect()
    }

    /// `liveOrShuttingDownBrokerIds`.
    fn live_or_shutting_down(&self) -> VecSet<i32> {
        self.live.keys().copied().collect()
    }

    fn info(&self, (t, p): &(String, i32), cp: &CtlPartition) -> PartitionInfo {
        let lai = cp.leader_and_isr.clone().unwrap_or(LeaderAndIsr {
            leader: -1,
            leader_epoch: -1,
            isr: Vec::new(),
            zk_version: -1,
        });
        PartitionInfo {
            topic: t.clone(),
            partition: *p,
            controller_epoch: self.epoch,
            leader: lai.leader,
            leader_epoch: lai.leader_epoch,
            isr: lai.isr,
            zk_version: lai.zk_version,
            replicas: cp.replicas.clone(),
        }
    }

    fn live_brokers(&self) -> Vec<LiveBroker> {
        self.live
            .iter()
            .map(|(&id, &(_, node))| LiveBroker { id, node })
            .collect()
    }
}

fn text(bytes: Vec<u8>) -> String {
    String::from_utf8_lossy(&bytes).into_owned()
}

impl Broker {
    fn ctl(&mut self) -> Option<&mut Controller> {
        self.controller.as_mut()
    }

    fn ctl_read(&mut self, ctx: &mut KCtx, req: CtlReq, op: ClientOp) {
        let Some(c) = self.ctl() else { return };
        if !c.started {
            c.startup_reads += 1;
        }
        let epoch = c.epoch;
        self.zk_call(ctx, ZkReq::Ctl { epoch, req }, op);
    }

    fn ctl_get(&mut self, ctx: &mut KCtx, req: CtlReq, path: String, watch: bool) {
        self.ctl_read(ctx, req, ClientOp::GetData { path, watch });
    }

    fn ctl_children(&mut self, ctx: &mut KCtx, req: CtlReq, path: &str) {
        let op = ClientOp::GetChildren {
            path: path.into(),
            watch: true,
            stat: false,
        };
        self.ctl_read(ctx, req, op);
    }

    /// A fenced controller write; with [`KafkaBug::NoControllerFencing`] the
    /// `/controller_epoch` check is left out of the `multi`.
    fn ctl_write(&mut self, ctx: &mut KCtx, req: CtlReq, op: WriteOp) {
        let Some(c) = self.controller.as_ref() else {
            return;
        };
        let (epoch, version) = (c.epoch, c.epoch_zk_version);
        let req = ZkReq::Ctl { epoch, req };
        if self.config.bugs.has(KafkaBug::NoControllerFencing) {
            self.zk_call(ctx, req, ClientOp::multi(vec![op]));
        } else {
            self.zk_fenced(ctx, req, version, op);
        }
    }

    /// Whether a failed `multi` failed on its `/controller_epoch` check.
    fn fenced(&self, e: &crate::zk::client::MultiError) -> bool {
        if self.config.bugs.has(KafkaBug::NoControllerFencing) {
            return false;
        }
        e.results.first() == Some(&crate::zk::OpResult::Error(ErrorCode::BadVersion))
            || (e.results.is_empty() && e.err == ErrorCode::BadVersion)
    }

    pub(super) fn ctl_on_completed(
        &mut self,
        ctx: &mut KCtx,
        req: CtlReq,
        result: Result<ReplyBody, ErrorCode>,
    ) {
        let is_read = !matches!(
            req,
            CtlReq::Path | CtlReq::WriteState(_) | CtlReq::UncleanConfig(..)
        );
        match req {
            CtlReq::BrokerIds => self.on_broker_ids(ctx, result),
            CtlReq::BrokerData(id) => self.on_broker_data(ctx, id, result),
            CtlReq::Topics => self.on_topics(ctx, result),
            CtlReq::TopicData(topic) => self.on_topic_data(ctx, topic, result),
            CtlReq::StateRead(topic, partition) => {
                self.on_state_read(ctx, topic, partition, result)
            }
            CtlReq::Path => {}
            CtlReq::WriteState(w) => self.on_state_written(ctx, *w, result),
            CtlReq::UncleanConfig(topic, partition) => {
                self.on_unclean_config(ctx, topic, partition, result)
            }
            CtlReq::IsrChanges => self.on_isr_changes(ctx, result),
            CtlReq::IsrChangeData(child) => self.on_isr_change_data(ctx, child, result),
            CtlReq::StateRefresh(topic, partition) => {
                self.on_state_refresh(ctx, topic, partition, result)
            }
        }
        if is_read {
            self.maybe_finish_startup(ctx);
        }
    }

    fn resign_fenced(&mut self, ctx: &mut KCtx) {
        self.controller = None;
        self.active_controller = -1;
        let op = ClientOp::Exists {
            path: paths::CONTROLLER.into(),
            watch: true,
        };
        self.zk_call(ctx, ZkReq::WatchController, op);
    }

    fn partition_info(&self, k: &(String, i32)) -> Option<PartitionInfo> {
        let c = self.controller.as_ref()?;
        let cp = c.partitions.get(k)?;
        cp.leader_and_isr.as_ref()?;
        Some(c.info(k, cp))
    }

    /// `LeaderAndIsr` for partition `k` to those of `recipients` that are registered.
    fn send_leader_and_isr_to(&mut self, ctx: &mut KCtx, k: &(String, i32), recipients: &[i32]) {
        let Some(info) = self.partition_info(k) else {
            return;
        };
        for &r in recipients {
            self.send_lai_to(ctx, r, vec![info.clone()]);
        }
    }

    /// `LeaderAndIsr` for partition `k` to its live replicas.
    fn send_leader_and_isr(&mut self, ctx: &mut KCtx, k: &(String, i32)) {
        let recipients = self.live_replicas(k);
        self.send_leader_and_isr_to(ctx, k, &recipients);
    }

    /// The replicas of `k` on live brokers (not shutting down), in assignment order.
    fn live_replicas(&self, k: &(String, i32)) -> Vec<i32> {
        let Some(c) = self.controller.as_ref() else {
            return Vec::new();
        };
        let live = c.live_set();
        c.partitions
            .get(k)
            .map(|cp| {
                cp.replicas
                    .iter()
                    .copied()
                    .filter(|r| live.contains(r))
                    .collect()
            })
            .unwrap_or_default()
    }

    fn send_lai_to(&mut self, ctx: &mut KCtx, broker: i32, partitions: Vec<PartitionInfo>) {
        let Some(c) = self.controller.as_ref() else {
            return;
        };
        let Some(&(broker_epoch, node)) = c.live.get(&broker) else {
            return;
        };
        let msg = Msg::LeaderAndIsr {
            controller_id: self.id,
            controller_epoch: c.epoch,
            broker_epoch,
            partitions,
            live_leaders: c.live_brokers(),
        };
        ctx.send(node, msg);
    }

    /// `StopReplica` to `broker` for `partitions` (topic, partition, leader epoch).
    fn send_stop_replica(
        &mut self,
        ctx: &mut KCtx,
        broker: i32,
        partitions: Vec<(String, i32, i32)>,
        delete_partitions: bool,
    ) {
        let Some(c) = self.controller.as_ref() else {
            return;
        };
        let Some(&(broker_epoch, node)) = c.live.get(&broker) else {
            return;
        };
        if partitions.is_empty() {
            return;
        }
        let msg = Msg::StopReplica {
            controller_id: self.id,
            controller_epoch: c.epoch,
            broker_epoch,
            delete_partitions,
            partitions,
        };
        ctx.send(node, msg);
    }

    fn send_update_metadata_all(&mut self, ctx: &mut KCtx) {
        let Some(c) = self.controller.as_ref() else {
            return;
        };
        let partitions: Vec<PartitionInfo> = c
            .partitions
            .iter()
            .filter(|(_, cp)| cp.leader_and_isr.is_some())
            .map(|(k, cp)| c.info(k, cp))
            .collect();
        for (&_id, &(broker_epoch, node)) in &c.live {
            let msg = Msg::UpdateMetadata {
                controller_id: self.id,
                controller_epoch: c.epoch,
                broker_epoch,
                partitions: partitions.clone(),
                live_brokers: c.live_brokers(),
            };
            ctx.send(node, msg);
        }
    }
}
