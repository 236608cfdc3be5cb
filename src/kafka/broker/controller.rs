//! The controller inside a broker (`KafkaController`, `PartitionStateMachine`,
//! `ReplicaStateMachine`, 2.8.2; sheet C.4–C.7).
//!
//! Start-up (`onControllerFailover` → `initializeControllerContext`): `getChildren` of
//! `/brokers/ids` and `/brokers/topics` with watches, `getData` of every broker, topic and
//! partition `state`; then `UpdateMetadata` to every live broker, `LeaderAndIsr` for every
//! partition with a live leader, and the partition state machine's
//! `triggerOnlinePartitionStateChange` for new and offline partitions.
//!
//! Every write is `multi(check(/controller_epoch, epochZkVersion), op)`, as
//! `KafkaZkClient` wraps requests with a `zkVersionCheck`: a controller that lost its
//! epoch is fenced with `BadVersion` on the check and resigns (`ControllerMovedException`).
//!
//! Partition states: `New` (assigned, no `state` znode yet), `Online`, `Offline`. New →
//! Online creates `.../state` with the first live replica as leader and the live replicas as
//! ISR; Offline → Online uses the offline election (first live ISR replica in assignment
//! order); a dead follower leaves the ISR (`removeReplicasFromIsr`, the last member stays).
//! A broker change is computed from `/brokers/ids` and each registration's czxid (dead, new
//! and bounced brokers). `AlterIsr` is validated (`STALE_BROKER_EPOCH`,
//! `FENCED_LEADER_EPOCH`, `INVALID_UPDATE_VERSION`) and written with the leader's epoch.
//!
//! Simplified: one write per partition per change (Kafka's `removeReplicasFromIsr` after an
//! election writes nothing more, since the election already filtered the ISR); no topic
//! deletion, reassignment, preferred-leader rebalance, controlled shutdown or StopReplica;
//! `UpdateMetadata` always carries every partition; events are handled as their ZooKeeper
//! answers arrive rather than through one event queue; a failed `state` write re-reads the
//! znode instead of retrying the batch.

use std::collections::{BTreeMap, BTreeSet};

use super::{Broker, KCtx, ZkReq};
use crate::kafka::assignment::assign_replicas_to_brokers;
use crate::kafka::errors::KafkaError;
use crate::kafka::msg::{LiveBroker, Msg, PartitionInfo};
use crate::kafka::partition_state::{
    elect_offline, initial_leader_and_isr, remove_replica_from_isr, LeaderAndIsr,
};
use crate::kafka::znodes::{paths, BrokerRegistration, PartitionState, TopicAssignment};
use crate::sim::NodeId;
use crate::zk::client::multi_outcome;
use crate::zk::msg::{ClientOp, ReplyBody};
use crate::zk::{CreateMode, ErrorCode, EventType, OpResult, WriteOp};

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

/// A controller ZooKeeper request.
#[derive(Clone, Debug, PartialEq)]
pub enum CtlReq {
    BrokerIds,
    BrokerData(i32),
    Topics,
    TopicData(String),
    StateRead(String, i32),
    /// A path under the topic (`NodeExists` fine).
    Path,
    /// A `state` write; `alter_isr_from` is the leader to answer for an `AlterIsr`.
    WriteState {
        topic: String,
        partition: i32,
        alter_isr_from: Option<NodeId>,
    },
}

/// A broker refresh: ids listed, registrations read so far, reads left.
type BrokerRefresh = (Vec<i32>, BTreeMap<i32, (i64, NodeId)>, u32);

/// The controller context.
#[derive(Clone, Debug, PartialEq)]
pub struct Controller {
    pub epoch: i32,
    pub epoch_zk_version: i32,
    /// Live brokers: id → (broker epoch, node).
    pub live: BTreeMap<i32, (i64, NodeId)>,
    pub partitions: BTreeMap<(String, i32), CtlPartition>,
    pub started: bool,
    startup_reads: u32,
    /// A broker refresh in progress: ids listed, registrations read so far, reads left.
    refresh: Option<BrokerRefresh>,
}

impl Controller {
    /// A controller that just won `epoch`.
    pub fn new(epoch: i32, epoch_zk_version: i32) -> Self {
        Self {
            epoch,
            epoch_zk_version,
            live: BTreeMap::new(),
            partitions: BTreeMap::new(),
            started: false,
            startup_reads: 0,
            refresh: None,
        }
    }

    fn live_set(&self) -> BTreeSet<i32> {
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

    fn ctl_write(&mut self, ctx: &mut KCtx, req: CtlReq, op: WriteOp) {
        let Some(c) = self.ctl() else { return };
        let (epoch, version) = (c.epoch, c.epoch_zk_version);
        self.zk_fenced(ctx, ZkReq::Ctl { epoch, req }, version, op);
    }

    /// `onControllerFailover`: read the cluster's state with watches.
    pub(super) fn ctl_failover(&mut self, ctx: &mut KCtx) {
        self.read_broker_ids(ctx);
        let op = ClientOp::GetChildren {
            path: paths::TOPICS.into(),
            watch: true,
            stat: false,
        };
        self.ctl_read(ctx, CtlReq::Topics, op);
    }

    fn read_broker_ids(&mut self, ctx: &mut KCtx) {
        let op = ClientOp::GetChildren {
            path: paths::BROKER_IDS.into(),
            watch: true,
            stat: false,
        };
        self.ctl_read(ctx, CtlReq::BrokerIds, op);
    }

    pub(super) fn ctl_on_watch(&mut self, ctx: &mut KCtx, event: EventType, path: &str) {
        if self.controller.is_none() || event != EventType::NodeChildrenChanged {
            return;
        }
        if path == paths::BROKER_IDS {
            self.read_broker_ids(ctx);
        } else if path == paths::TOPICS {
            let op = ClientOp::GetChildren {
                path: paths::TOPICS.into(),
                watch: true,
                stat: false,
            };
            self.ctl_read(ctx, CtlReq::Topics, op);
        }
    }

    pub(super) fn ctl_on_completed(
        &mut self,
        ctx: &mut KCtx,
        req: CtlReq,
        result: Result<ReplyBody, ErrorCode>,
    ) {
        let is_read = !matches!(req, CtlReq::Path | CtlReq::WriteState { .. });
        match req {
            CtlReq::BrokerIds => {
                if let Ok(ReplyBody::Children { children, .. }) = &result {
                    let ids: Vec<i32> = children.iter().filter_map(|c| c.parse().ok()).collect();
                    if let Some(c) = self.ctl() {
                        c.refresh = Some((ids.clone(), BTreeMap::new(), ids.len() as u32));
                    }
                    if ids.is_empty() {
                        self.finish_broker_refresh(ctx);
                    }
                    for id in ids {
                        let op = ClientOp::GetData {
                            path: paths::broker_id(id),
                            watch: false,
                        };
                        self.ctl_read(ctx, CtlReq::BrokerData(id), op);
                    }
                }
            }
            CtlReq::BrokerData(id) => {
                let node = match &result {
                    Ok(ReplyBody::Data { data, stat }) => {
                        BrokerRegistration::decode(data.as_bytes())
                            .ok()
                            .and_then(|r| r.endpoints.first().map(|e| e.host.clone()))
                            .and_then(|h| {
                                self.address_book.iter().find(|(a, _)| *a == h).map(|x| x.1)
                            })
                            .map(|n| (stat.czxid, n))
                    }
                    _ => None,
                };
                let mut done = false;
                if let Some(Some((_, seen, left))) = self.ctl().map(|c| c.refresh.as_mut()) {
                    if let Some(n) = node {
                        seen.insert(id, n);
                    }
                    *left = left.saturating_sub(1);
                    done = *left == 0;
                }
                if done {
                    self.finish_broker_refresh(ctx);
                }
            }
            CtlReq::Topics => {
                if let Ok(ReplyBody::Children { children, .. }) = &result {
                    let known: BTreeSet<String> = self
                        .controller
                        .as_ref()
                        .map(|c| c.partitions.keys().map(|k| k.0.clone()).collect())
                        .unwrap_or_default();
                    for t in children.iter().filter(|t| !known.contains(*t)) {
                        let op = ClientOp::GetData {
                            path: paths::topic(t),
                            watch: false,
                        };
                        self.ctl_read(ctx, CtlReq::TopicData(t.clone()), op);
                    }
                }
            }
            CtlReq::TopicData(topic) => {
                if let Ok(ReplyBody::Data { data, .. }) = &result {
                    if let Ok(a) = TopicAssignment::decode(data.as_bytes()) {
                        self.on_topic_assignment(ctx, topic, a);
                    }
                }
            }
            CtlReq::StateRead(topic, partition) => {
                let lai = match &result {
                    Ok(ReplyBody::Data { data, stat }) => PartitionState::decode(data.as_bytes())
                        .ok()
                        .map(|s| LeaderAndIsr {
                            leader: s.leader,
                            leader_epoch: s.leader_epoch,
                            isr: s.isr,
                            zk_version: stat.version,
                        }),
                    _ => None,
                };
                let started = self.controller.as_ref().is_some_and(|c| c.started);
                if let Some(cp) = self
                    .ctl()
                    .and_then(|c| c.partitions.get_mut(&(topic.clone(), partition)))
                {
                    cp.leader_and_isr = lai;
                }
                if started {
                    self.fix_partition(ctx, (topic, partition));
                }
            }
            CtlReq::Path => {}
            CtlReq::WriteState {
                topic,
                partition,
                alter_isr_from,
            } => self.on_state_written(ctx, topic, partition, alter_isr_from, result),
        }
        if is_read {
            self.maybe_finish_startup(ctx);
        }
    }

    fn maybe_finish_startup(&mut self, ctx: &mut KCtx) {
        let Some(c) = self.ctl() else { return };
        if c.started {
            return;
        }
        c.startup_reads = c.startup_reads.saturating_sub(1);
        if c.startup_reads > 0 {
            return;
        }
        c.started = true;
        ctx.note("controller start-up read the cluster: sends UpdateMetadata and LeaderAndIsr");
        self.send_update_metadata_all(ctx);
        let keys: Vec<(String, i32)> = self
            .controller
            .as_ref()
            .map(|c| c.partitions.keys().cloned().collect())
            .unwrap_or_default();
        for k in &keys {
            self.set_initial_phase(k);
            let leads = self
                .controller
                .as_ref()
                .and_then(|c| c.partitions.get(k))
                .is_some_and(|cp| cp.phase == PartitionPhase::Online);
            if leads {
                self.send_leader_and_isr(ctx, k);
            }
        }
        for k in keys {
            self.fix_partition(ctx, k);
        }
    }

    fn set_initial_phase(&mut self, k: &(String, i32)) {
        let Some(c) = self.ctl() else { return };
        let live = c.live_set();
        if let Some(cp) = c.partitions.get_mut(k) {
            cp.phase = match &cp.leader_and_isr {
                None => PartitionPhase::New,
                Some(l) if live.contains(&l.leader) => PartitionPhase::Online,
                Some(_) => PartitionPhase::Offline,
            };
        }
    }

    fn finish_broker_refresh(&mut self, ctx: &mut KCtx) {
        let Some(c) = self.ctl() else { return };
        let Some((_, seen, _)) = c.refresh.take() else {
            return;
        };
        let old = std::mem::replace(&mut c.live, seen.clone());
        if !c.started {
            return;
        }
        let dead: Vec<i32> = old
            .iter()
            .filter(|(id, (e, _))| seen.get(id).is_none_or(|(e2, _)| e2 != e))
            .map(|(id, _)| *id)
            .collect();
        let new: Vec<i32> = seen
            .iter()
            .filter(|(id, (e, _))| old.get(id).is_none_or(|(e2, _)| e2 != e))
            .map(|(id, _)| *id)
            .collect();
        if dead.is_empty() && new.is_empty() {
            return;
        }
        ctx.note(format!(
            "broker change: new {new:?}, dead or bounced {dead:?}"
        ));
        // onBrokerFailure for dead (and bounced) brokers, then onBrokerStartup.
        let keys: Vec<(String, i32)> = c.partitions.keys().cloned().collect();
        self.send_update_metadata_all(ctx);
        for b in &new {
            for k in &keys {
                let hosts = self
                    .controller
                    .as_ref()
                    .and_then(|c| c.partitions.get(k))
                    .is_some_and(|cp| cp.replicas.contains(b) && cp.leader_and_isr.is_some());
                if hosts {
                    let info = self.partition_info(k);
                    self.send_lai_to(ctx, *b, info.into_iter().collect());
                }
            }
        }
        for k in keys {
            self.fix_partition(ctx, k);
        }
    }

    fn on_topic_assignment(&mut self, ctx: &mut KCtx, topic: String, a: TopicAssignment) {
        let Some(c) = self.ctl() else { return };
        let started = c.started;
        for (&p, r) in &a.partitions {
            c.partitions.insert(
                (topic.clone(), p),
                CtlPartition {
                    replicas: r.replicas.clone(),
                    phase: PartitionPhase::New,
                    leader_and_isr: None,
                },
            );
        }
        if !started {
            for &p in a.partitions.keys() {
                let op = ClientOp::GetData {
                    path: paths::partition_state(&topic, p),
                    watch: false,
                };
                self.ctl_read(ctx, CtlReq::StateRead(topic.clone(), p), op);
            }
            return;
        }
        ctx.note(format!(
            "new topic {topic}: its partitions are NewPartition"
        ));
        // onNewPartitionCreation: the partition paths, then New → Online.
        let op = WriteOp::create(&paths::topic_partitions(&topic), "", CreateMode::Persistent);
        self.ctl_write(ctx, CtlReq::Path, op);
        for &p in a.partitions.keys() {
            let path = paths::topic_partition(&topic, p);
            let op = WriteOp::create(&path, "", CreateMode::Persistent);
            self.ctl_write(ctx, CtlReq::Path, op);
        }
        for &p in a.partitions.keys() {
            self.fix_partition(ctx, (topic.clone(), p));
        }
    }

    /// The partition state machine's transitions for one partition, given the live brokers:
    /// New → Online, Offline → Online (offline election), or a dead replica out of the ISR.
    fn fix_partition(&mut self, ctx: &mut KCtx, k: (String, i32)) {
        let Some(c) = self.ctl() else { return };
        let live = c.live_set();
        let epoch = c.epoch;
        let Some(cp) = c.partitions.get_mut(&k) else {
            return;
        };
        let (create, next) = match &cp.leader_and_isr {
            None => match initial_leader_and_isr(&cp.replicas, &live) {
                Some(l) => (true, l),
                None => return,
            },
            Some(cur) if cur.leader < 0 || !live.contains(&cur.leader) => {
                cp.phase = PartitionPhase::Offline;
                match elect_offline(&cp.replicas, cur, &live, false) {
                    Some(e) => (false, e.leader_and_isr),
                    None => match remove_replica_from_isr(cur, cur.leader) {
                        Some(l) if cur.leader >= 0 => (false, l),
                        _ => return,
                    },
                }
            }
            Some(cur) => {
                let mut next = cur.clone();
                let mut changed = false;
                for dead in cur.isr.iter().filter(|r| !live.contains(r)) {
                    if let Some(l) = remove_replica_from_isr(&next, *dead) {
                        if l.isr != next.isr {
                            next = l;
                            changed = true;
                        }
                    }
                }
                if !changed {
                    return;
                }
                (false, next)
            }
        };
        let data = text(
            PartitionState {
                leader: next.leader,
                leader_epoch: next.leader_epoch,
                isr: next.isr.clone(),
                controller_epoch: epoch,
            }
            .encode(),
        );
        let path = paths::partition_state(&k.0, k.1);
        let op = if create {
            WriteOp::create(&path, &data, CreateMode::Persistent)
        } else {
            WriteOp::set_data(&path, &data, next.zk_version)
        };
        let mut written = next.clone();
        written.zk_version = if create { 0 } else { next.zk_version + 1 };
        if written.leader >= 0 && live.contains(&written.leader) {
            cp.phase = PartitionPhase::Online;
        }
        cp.leader_and_isr = Some(written);
        let req = CtlReq::WriteState {
            topic: k.0.clone(),
            partition: k.1,
            alter_isr_from: None,
        };
        self.ctl_write(ctx, req, op);
    }

    fn on_state_written(
        &mut self,
        ctx: &mut KCtx,
        topic: String,
        partition: i32,
        alter_isr_from: Option<NodeId>,
        result: Result<ReplyBody, ErrorCode>,
    ) {
        let k = (topic.clone(), partition);
        match multi_outcome(&result) {
            Ok(_) => {
                if let Some(leader) = alter_isr_from {
                    let state = self
                        .partition_info(&k)
                        .map(|i| (i.leader, i.leader_epoch, i.isr, i.zk_version));
                    let reply = Msg::AlterIsrResponse {
                        topic,
                        partition,
                        error: KafkaError::None,
                        state,
                    };
                    ctx.send(leader, reply);
                } else {
                    self.send_leader_and_isr(ctx, &k);
                }
                self.send_update_metadata_all(ctx);
            }
            Err(e) => {
                let fenced = e.results.first() == Some(&OpResult::Error(ErrorCode::BadVersion))
                    || (e.results.is_empty() && e.err == ErrorCode::BadVersion);
                if fenced {
                    ctx.note(
                        "controller write fenced: /controller_epoch has moved on (BadVersion); resigns",
                    );
                    self.resign_fenced(ctx);
                    return;
                }
                ctx.note(format!(
                    "state write for {topic}-{partition} failed ({}): re-reads it",
                    e.err.name()
                ));
                if let Some(leader) = alter_isr_from {
                    let reply = Msg::AlterIsrResponse {
                        topic: topic.clone(),
                        partition,
                        error: KafkaError::InvalidUpdateVersion,
                        state: None,
                    };
                    ctx.send(leader, reply);
                }
                let op = ClientOp::GetData {
                    path: paths::partition_state(&topic, partition),
                    watch: false,
                };
                self.ctl_read(ctx, CtlReq::StateRead(topic, partition), op);
            }
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

    fn send_leader_and_isr(&mut self, ctx: &mut KCtx, k: &(String, i32)) {
        let Some(info) = self.partition_info(k) else {
            return;
        };
        let live: Vec<i32> = self
            .controller
            .as_ref()
            .map(|c| c.live.keys().copied().collect())
            .unwrap_or_default();
        for r in info.replicas.clone() {
            if live.contains(&r) {
                self.send_lai_to(ctx, r, vec![info.clone()]);
            }
        }
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

    /// `processAlterIsr`.
    pub(super) fn ctl_on_alter_isr(&mut self, ctx: &mut KCtx, src: NodeId, m: Msg) {
        let Msg::AlterIsr {
            broker_id,
            broker_epoch,
            topic,
            partition,
            leader_epoch,
            new_isr,
            current_isr_version,
        } = m
        else {
            return;
        };
        let reply = |error| Msg::AlterIsrResponse {
            topic: topic.clone(),
            partition,
            error,
            state: None,
        };
        let Some(c) = self.controller.as_ref().filter(|c| c.started) else {
            ctx.send(src, reply(KafkaError::NotController));
            return;
        };
        if c.live.get(&broker_id).map(|x| x.0) != Some(broker_epoch) {
            ctx.send(src, reply(KafkaError::StaleBrokerEpoch));
            return;
        }
        let k = (topic.clone(), partition);
        let Some(cur) = c
            .partitions
            .get(&k)
            .and_then(|cp| cp.leader_and_isr.clone())
        else {
            ctx.send(src, reply(KafkaError::UnknownTopicOrPartition));
            return;
        };
        if leader_epoch < cur.leader_epoch {
            ctx.send(src, reply(KafkaError::FencedLeaderEpoch));
            return;
        }
        if cur.isr == new_isr && cur.leader_epoch == leader_epoch {
            let state = Some((cur.leader, cur.leader_epoch, cur.isr, cur.zk_version));
            let r = Msg::AlterIsrResponse {
                topic,
                partition,
                error: KafkaError::None,
                state,
            };
            ctx.send(src, r);
            return;
        }
        if current_isr_version != cur.zk_version {
            ctx.send(src, reply(KafkaError::InvalidUpdateVersion));
            return;
        }
        let epoch = c.epoch;
        let data = text(
            PartitionState {
                leader: cur.leader,
                leader_epoch,
                isr: new_isr.clone(),
                controller_epoch: epoch,
            }
            .encode(),
        );
        let op = WriteOp::set_data(
            &paths::partition_state(&topic, partition),
            &data,
            cur.zk_version,
        );
        if let Some(cp) = self.ctl().and_then(|c| c.partitions.get_mut(&k)) {
            cp.leader_and_isr = Some(LeaderAndIsr {
                leader: cur.leader,
                leader_epoch,
                isr: new_isr,
                zk_version: cur.zk_version + 1,
            });
        }
        let req = CtlReq::WriteState {
            topic,
            partition,
            alter_isr_from: Some(src),
        };
        self.ctl_write(ctx, req, op);
    }

    /// `CreateTopics` (`ZkAdminManager.createTopics`): assign replicas over the live brokers
    /// of the metadata cache and create `/brokers/topics/<t>`; the controller's watch does
    /// the rest.
    pub(super) fn on_create_topics(
        &mut self,
        ctx: &mut KCtx,
        src: NodeId,
        topic: String,
        num_partitions: i32,
        replication_factor: i32,
    ) {
        if self.metadata.partitions.keys().any(|(t, _)| *t == topic) {
            let error = KafkaError::TopicAlreadyExists;
            ctx.send(src, Msg::CreateTopicsResponse { topic, error });
            return;
        }
        let brokers: Vec<i32> = self.metadata.brokers.iter().map(|b| b.id).collect();
        let assignment = assign_replicas_to_brokers(
            &brokers,
            num_partitions,
            replication_factor,
            None,
            -1,
            ctx.rng(),
        );
        match assignment {
            Ok(a) => {
                let data = text(TopicAssignment::new(None, &a).encode());
                let op = WriteOp::create(&paths::topic(&topic), &data, CreateMode::Persistent);
                let req = ZkReq::CreateTopic { client: src, topic };
                self.zk_call(ctx, req, ClientOp::Write(op));
            }
            Err(e) => {
                let error = e.error;
                ctx.send(src, Msg::CreateTopicsResponse { topic, error });
            }
        }
    }
}
