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
use crate::kafka::msg::Timer;
use crate::kafka::msg::{LiveBroker, Msg, PartitionInfo};
use crate::kafka::partition_state::LeaderAndIsr;
use crate::kafka::znodes::paths;
use crate::sim::{NodeId, TimeUs, MS};
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
    /// Unanswered `LeaderAndIsr`/`UpdateMetadata` requests: (broker, correlation id, sent at).
    pub outstanding: Vec<(i32, i32, TimeUs)>,
    next_correlation: i32,
    /// Whether the `ControllerRequestTimeout` timer is armed.
    timeout_armed: bool,
    /// ZooKeeper calls that failed with `ConnectionLoss`, sent again on reconnection.
    retry_on_connect: Vec<(CtlReq, ClientOp)>,
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
            outstanding: Vec::new(),
            next_correlation: 0,
            timeout_armed: false,
            retry_on_connect: Vec::new(),
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
        let call = ZkReq::Ctl {
            epoch,
            req,
            op: Box::new(op.clone()),
        };
        self.zk_call(ctx, call, op);
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
        let ops = if self.config.bugs.has(KafkaBug::NoControllerFencing) {
            vec![op]
        } else {
            // `zkVersionCheck`: multi(check(/controller_epoch, zkVersion), op).
            vec![WriteOp::check(paths::CONTROLLER_EPOCH, version), op]
        };
        let op = ClientOp::multi(ops);
        let req = ZkReq::Ctl {
            epoch,
            req,
            op: Box::new(op.clone()),
        };
        self.zk_call(ctx, req, op);
    }

    /// `retryRequestsUntilConnected`: a controller call that failed with `ConnectionLoss` is
    /// sent again once the client has reconnected (same session), instead of counting as
    /// answered — a start-up read lost that way left the controller with an empty context.
    pub(super) fn ctl_retry_when_connected(&mut self, ctx: &mut KCtx, req: CtlReq, op: ClientOp) {
        let connected = self.zk.state().is_alive();
        if connected {
            let Some(c) = self.controller.as_ref() else {
                return;
            };
            let call = ZkReq::Ctl {
                epoch: c.epoch,
                req,
                op: Box::new(op.clone()),
            };
            self.zk_call(ctx, call, op);
        } else if let Some(c) = self.ctl() {
            c.retry_on_connect.push((req, op));
        }
    }

    /// The client reconnected: send the controller calls parked on `ConnectionLoss`.
    pub(crate) fn ctl_resend_after_reconnect(&mut self, ctx: &mut KCtx) {
        let Some(c) = self.ctl() else { return };
        let parked = std::mem::take(&mut c.retry_on_connect);
        for (req, op) in parked {
            self.ctl_retry_when_connected(ctx, req, op);
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
        let correlation_id = self.track_request(ctx, broker);
        let Some(c) = self.controller.as_ref() else {
            return;
        };
        let msg = Msg::LeaderAndIsr {
            controller_id: self.id,
            controller_epoch: c.epoch,
            broker_epoch,
            partitions,
            live_leaders: c.live_brokers(),
            correlation_id,
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
        let live: Vec<i32> = c.live.keys().copied().collect();
        for id in live {
            self.send_update_metadata_to(ctx, id, partitions.clone());
        }
    }

    fn send_update_metadata_to(&mut self, ctx: &mut KCtx, id: i32, partitions: Vec<PartitionInfo>) {
        let Some(&(broker_epoch, node)) = self.controller.as_ref().and_then(|c| c.live.get(&id))
        else {
            return;
        };
        let correlation_id = self.track_request(ctx, id);
        let Some(c) = self.controller.as_ref() else {
            return;
        };
        let msg = Msg::UpdateMetadata {
            controller_id: self.id,
            controller_epoch: c.epoch,
            broker_epoch,
            partitions,
            live_brokers: c.live_brokers(),
            correlation_id,
        };
        ctx.send(node, msg);
    }

    /// Records a request to `broker` as unanswered and returns its correlation id; arms the
    /// request timeout if it is not armed.
    fn track_request(&mut self, ctx: &mut KCtx, broker: i32) -> i32 {
        let now = ctx.now_us();
        let timeout_us = self.config.controller_socket_timeout_ms.max(1) as u64 * MS;
        let Some(c) = self.ctl() else { return -1 };
        c.next_correlation = c.next_correlation.wrapping_add(1);
        c.outstanding.push((broker, c.next_correlation, now));
        if !c.timeout_armed {
            c.timeout_armed = true;
            ctx.set_timer(Timer::ControllerRequestTimeout, timeout_us);
        }
        c.next_correlation
    }

    /// A broker answered a controller request.
    pub(super) fn ctl_on_control_response(&mut self, src: NodeId, correlation_id: i32) {
        let Some(c) = self.ctl() else { return };
        let Some(broker) = c.live.iter().find(|(_, (_, n))| *n == src).map(|(b, _)| *b) else {
            return;
        };
        c.outstanding
            .retain(|(b, id, _)| !(*b == broker && *id == correlation_id));
    }

    /// `RequestSendThread`: a request unanswered for `controller.socket.timeout.ms` (a lost
    /// message, a cut link) fails, the connection is closed and the request is sent again.
    /// Simplified: requests are not queued one at a time per broker, so instead of resending
    /// the old request (which could now be stale) the controller sends the broker what it
    /// would hold after the queue drained: a full `UpdateMetadata` and a `LeaderAndIsr` for
    /// every partition it hosts.
    pub(super) fn ctl_on_request_timeout(&mut self, ctx: &mut KCtx) {
        let now = ctx.now_us();
        let timeout_us = self.config.controller_socket_timeout_ms.max(1) as u64 * MS;
        let Some(c) = self.ctl() else { return };
        c.timeout_armed = false;
        let live = c.live.clone();
        c.outstanding.retain(|(b, _, _)| live.contains_key(b));
        let mut expired: Vec<i32> = c
            .outstanding
            .iter()
            .filter(|(_, _, at)| at + timeout_us <= now)
            .map(|(b, _, _)| *b)
            .collect();
        expired.dedup();
        crate::sim::sort::sort(&mut expired);
        expired.dedup();
        c.outstanding.retain(|(b, _, _)| !expired.contains(b));
        let next = c.outstanding.iter().map(|(_, _, at)| *at).min();
        if let Some(at) = next {
            c.timeout_armed = true;
            ctx.set_timer(
                Timer::ControllerRequestTimeout,
                (at + timeout_us).saturating_sub(now).max(1),
            );
        }
        for b in expired {
            ctx.note(format!(
                "controller request to broker {b} unanswered for controller.socket.timeout.ms: reconnects and sends it again"
            ));
            let (partitions, hosted): (Vec<PartitionInfo>, Vec<PartitionInfo>) = {
                let Some(c) = self.controller.as_ref() else {
                    return;
                };
                let all: Vec<PartitionInfo> = c
                    .partitions
                    .iter()
                    .filter(|(_, cp)| cp.leader_and_isr.is_some())
                    .map(|(k, cp)| c.info(k, cp))
                    .collect();
                let hosted = c
                    .partitions
                    .iter()
                    .filter(|(_, cp)| cp.leader_and_isr.is_some() && cp.replicas.contains(&b))
                    .map(|(k, cp)| c.info(k, cp))
                    .collect();
                (all, hosted)
            };
            if !hosted.is_empty() {
                self.send_lai_to(ctx, b, hosted);
            }
            self.send_update_metadata_to(ctx, b, partitions);
        }
    }
}
