//! Building and keeping the controller context: start-up reads, broker changes, new topics
//! and partitions added to a topic (`PartitionModifications`).

use crate::sim::{VecMap, VecSet};

use super::{CtlPartition, CtlReq, PartitionPhase};
use crate::kafka::broker::{Broker, KCtx};
use crate::kafka::msg::Timer;
use crate::kafka::partition_state::LeaderAndIsr;
use crate::kafka::znodes::{paths, BrokerRegistration, PartitionState, TopicAssignment};
use crate::sim::SEC;
use crate::zk::msg::ReplyBody;
use crate::zk::{CreateMode, ErrorCode, EventType, WriteOp};

/// The topic of a `/brokers/topics/<t>` path, if that is what `path` is.
fn topic_of_path(path: &str) -> Option<&str> {
    let t = path.strip_prefix(paths::TOPICS)?.strip_prefix('/')?;
    (!t.is_empty() && !t.contains('/')).then_some(t)
}

impl Broker {
    /// `onControllerFailover`: read the cluster's state with watches.
    pub(in crate::kafka::broker) fn ctl_failover(&mut self, ctx: &mut KCtx) {
        self.read_broker_ids(ctx);
        self.ctl_children(ctx, CtlReq::Topics, paths::TOPICS);
        self.ctl_children(ctx, CtlReq::IsrChanges, paths::ISR_CHANGE_NOTIFICATION);
    }

    fn read_broker_ids(&mut self, ctx: &mut KCtx) {
        self.ctl_children(ctx, CtlReq::BrokerIds, paths::BROKER_IDS);
    }

    pub(in crate::kafka::broker) fn ctl_on_watch(
        &mut self,
        ctx: &mut KCtx,
        event: EventType,
        path: &str,
    ) {
        if self.controller.is_none() {
            return;
        }
        match event {
            EventType::NodeChildrenChanged if path == paths::BROKER_IDS => {
                self.read_broker_ids(ctx)
            }
            EventType::NodeChildrenChanged if path == paths::TOPICS => {
                self.ctl_children(ctx, CtlReq::Topics, paths::TOPICS)
            }
            EventType::NodeChildrenChanged if path == paths::ISR_CHANGE_NOTIFICATION => {
                self.ctl_children(ctx, CtlReq::IsrChanges, paths::ISR_CHANGE_NOTIFICATION)
            }
            EventType::NodeDataChanged => {
                if let Some(t) = topic_of_path(path).map(str::to_string) {
                    // PartitionModifications: partitions may have been added.
                    self.ctl_get(ctx, CtlReq::TopicData(t.clone()), paths::topic(&t), true);
                }
            }
            _ => {}
        }
    }

    pub(super) fn on_broker_ids(&mut self, ctx: &mut KCtx, result: Result<ReplyBody, ErrorCode>) {
        let Ok(ReplyBody::Children { children, .. }) = &result else {
            return;
        };
        let ids: Vec<i32> = children.iter().filter_map(|c| c.parse().ok()).collect();
        if let Some(c) = self.ctl() {
            c.refresh = Some((ids.clone(), VecMap::new(), ids.len() as u32));
        }
        if ids.is_empty() {
            self.finish_broker_refresh(ctx);
        }
        for id in ids {
            self.ctl_get(ctx, CtlReq::BrokerData(id), paths::broker_id(id), false);
        }
    }

    pub(super) fn on_broker_data(
        &mut self,
        ctx: &mut KCtx,
        id: i32,
        result: Result<ReplyBody, ErrorCode>,
    ) {
        let node = match &result {
            Ok(ReplyBody::Data { data, stat }) => BrokerRegistration::decode(data.as_bytes())
                .ok()
                .and_then(|r| r.endpoints.first().map(|e| e.host.clone()))
                .and_then(|h| self.address_book.iter().find(|(a, _)| *a == h).map(|x| x.1))
                .map(|n| (stat.czxid, n)),
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

    pub(super) fn on_topics(&mut self, ctx: &mut KCtx, result: Result<ReplyBody, ErrorCode>) {
        let Ok(ReplyBody::Children { children, .. }) = &result else {
            return;
        };
        let known: VecSet<String> = self
            .controller
            .as_ref()
            .map(|c| c.partitions.keys().map(|k| k.0.clone()).collect())
            .unwrap_or_default();
        for t in children.iter().filter(|t| !known.contains(*t)) {
            self.ctl_get(ctx, CtlReq::TopicData(t.clone()), paths::topic(t), true);
        }
    }

    pub(super) fn on_topic_data(
        &mut self,
        ctx: &mut KCtx,
        topic: String,
        result: Result<ReplyBody, ErrorCode>,
    ) {
        if let Ok(ReplyBody::Data { data, .. }) = &result {
            if let Ok(a) = TopicAssignment::decode(data.as_bytes()) {
                self.on_topic_assignment(ctx, topic, a);
            }
        }
    }

    pub(super) fn on_state_read(
        &mut self,
        ctx: &mut KCtx,
        topic: String,
        partition: i32,
        result: Result<ReplyBody, ErrorCode>,
    ) {
        let lai = decode_state(&result);
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

    pub(super) fn maybe_finish_startup(&mut self, ctx: &mut KCtx) {
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
        // Partitions without a `state` znode are NewPartition; their New → Online creates
        // the partition paths first (`createTopicPartitionStatesRaw`): a topic created while
        // there was no controller has none yet.
        let new: Vec<(String, i32)> = self
            .controller
            .as_ref()
            .map(|c| {
                c.partitions
                    .iter()
                    .filter(|(_, cp)| cp.leader_and_isr.is_none())
                    .map(|(k, _)| k.clone())
                    .collect()
            })
            .unwrap_or_default();
        self.create_partition_paths(ctx, &new);
        for k in keys {
            self.fix_partition(ctx, k);
        }
        if self.config.auto_leader_rebalance_enable {
            // `scheduleAutoLeaderRebalanceTask(delay = 5 s)`.
            ctx.set_timer(Timer::AutoLeaderRebalance, 5 * SEC);
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
        // onBrokerFailure forgets that a dead broker was shutting down.
        for d in &dead {
            c.shutting_down.remove(d);
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

    /// A topic's assignment: its partitions the context does not know yet are new
    /// (`onNewPartitionCreation`); changes to known partitions (reassignments) are ignored,
    /// as `processPartitionModifications` does.
    fn on_topic_assignment(&mut self, ctx: &mut KCtx, topic: String, a: TopicAssignment) {
        let Some(c) = self.ctl() else { return };
        let started = c.started;
        let mut added = Vec::new();
        for (&p, r) in &a.partitions {
            let k = (topic.clone(), p);
            if c.partitions.contains_key(&k) {
                continue;
            }
            c.partitions.insert(
                k,
                CtlPartition {
                    replicas: r.replicas.clone(),
                    phase: PartitionPhase::New,
                    leader_and_isr: None,
                },
            );
            added.push(p);
        }
        if added.is_empty() {
            return;
        }
        if !started {
            for &p in &added {
                let path = paths::partition_state(&topic, p);
                self.ctl_get(ctx, CtlReq::StateRead(topic.clone(), p), path, false);
            }
            return;
        }
        ctx.note(format!("{topic}: partitions {added:?} are NewPartition"));
        // onNewPartitionCreation: the partition paths, then New → Online.
        let keys: Vec<(String, i32)> = added.iter().map(|p| (topic.clone(), *p)).collect();
        self.create_partition_paths(ctx, &keys);
        for p in added {
            self.fix_partition(ctx, (topic.clone(), p));
        }
    }
}

impl Broker {
    /// Creates `/brokers/topics/<t>/partitions` for each topic of `keys`, then each
    /// `.../partitions/<p>` (`createTopicPartitions`, `createTopicPartition`); `NodeExists` is
    /// fine. Session order puts them before the `state` creates that follow.
    pub(super) fn create_partition_paths(&mut self, ctx: &mut KCtx, keys: &[(String, i32)]) {
        let mut topics: Vec<&String> = keys.iter().map(|(t, _)| t).collect();
        topics.dedup();
        for t in topics {
            let op = WriteOp::create(&paths::topic_partitions(t), "", CreateMode::Persistent);
            self.ctl_write(ctx, CtlReq::Path, op);
        }
        for (t, p) in keys {
            let op = WriteOp::create(&paths::topic_partition(t, *p), "", CreateMode::Persistent);
            self.ctl_write(ctx, CtlReq::Path, op);
        }
    }
}

/// A `state` znode read as leader, epoch, ISR and znode version.
pub(super) fn decode_state(result: &Result<ReplyBody, ErrorCode>) -> Option<LeaderAndIsr> {
    match result {
        Ok(ReplyBody::Data { data, stat }) => {
            PartitionState::decode(data.as_bytes())
                .ok()
                .map(|s| LeaderAndIsr {
                    leader: s.leader,
                    leader_epoch: s.leader_epoch,
                    isr: s.isr,
                    zk_version: stat.version,
                })
        }
        _ => None,
    }
}
