//! The partition state machine's transitions and the `state` writes
//! (`PartitionStateMachine.doHandleStateChanges`, `doElectLeaderForPartitions`,
//! `collectUncleanLeaderElectionState`, `ReplicaStateMachine.removeReplicasFromIsr`).
//!
//! An offline partition with no live ISR member but a live out-of-sync replica reads
//! `/config/topics/<t>` first: the election is unclean only if the topic's
//! `unclean.leader.election.enable` (else this broker's) is true; an unclean election is
//! counted (`UncleanLeaderElectionsPerSec`) and named in the trace.

use super::{text, CtlReq, PartitionPhase, PendingShutdown, StateWrite};
use crate::kafka::broker::{Broker, KCtx};
use crate::kafka::bugs::KafkaBug;
use crate::kafka::config::TopicConfig;
use crate::kafka::errors::KafkaError;
use crate::kafka::msg::Msg;
use crate::kafka::partition_state::{
    elect_offline, initial_leader_and_isr, remove_replica_from_isr, LeaderAndIsr,
};
use crate::kafka::znodes::{decode_entity_config, paths, PartitionState};
use crate::zk::client::multi_outcome;
use crate::zk::msg::ReplyBody;
use crate::zk::{CreateMode, ErrorCode, WriteOp};

impl Broker {
    /// The partition state machine's transitions for one partition, given the live brokers:
    /// New → Online, Offline → Online (offline election), or a dead replica out of the ISR.
    pub(super) fn fix_partition(&mut self, ctx: &mut KCtx, k: (String, i32)) {
        let Some(c) = self.ctl() else { return };
        let live = c.live_set();
        let Some(cp) = c.partitions.get_mut(&k) else {
            return;
        };
        let replicas = cp.replicas.clone();
        match cp.leader_and_isr.clone() {
            None => {
                let Some(next) = initial_leader_and_isr(&cp.replicas, &live) else {
                    return;
                };
                let recipients = next.isr.clone();
                self.write_state(ctx, &k, next, true, StateWrite::to(&k, recipients));
            }
            Some(cur) if cur.leader < 0 || !live.contains(&cur.leader) => {
                cp.phase = PartitionPhase::Offline;
                let live_isr = cur.isr.iter().any(|r| live.contains(r));
                let live_other = replicas.iter().any(|r| live.contains(r));
                if !live_isr && live_other {
                    if self.config.bugs.has(KafkaBug::UncleanWithoutConfig) {
                        self.elect_offline_now(ctx, k, true);
                    } else {
                        // The topic's config decides (`getLogConfigs`).
                        let path = paths::config_topic(&k.0);
                        self.ctl_get(ctx, CtlReq::UncleanConfig(k.0, k.1), path, false);
                    }
                    return;
                }
                self.elect_offline_now(ctx, k, false);
            }
            Some(cur) => {
                let mut next = cur.clone();
                for dead in cur.isr.iter().filter(|r| !live.contains(r)) {
                    if let Some(l) = remove_replica_from_isr(&next, *dead) {
                        if l.isr != next.isr {
                            next = l;
                        }
                    }
                }
                if next == cur {
                    return;
                }
                let recipients = self.live_replicas(&k);
                self.write_state(ctx, &k, next, false, StateWrite::to(&k, recipients));
            }
        }
    }

    pub(super) fn on_unclean_config(
        &mut self,
        ctx: &mut KCtx,
        topic: String,
        partition: i32,
        result: Result<ReplyBody, ErrorCode>,
    ) {
        let mut topic_config = TopicConfig::default();
        if let Ok(ReplyBody::Data { data, .. }) = &result {
            for (key, v) in decode_entity_config(data.as_bytes()).unwrap_or_default() {
                // Keys the simulator does not model are ignored, as Kafka ignores unknown ones.
                let _ = topic_config.set(&key, &v);
            }
        }
        let unclean = topic_config.unclean_leader_election_enable(&self.config);
        self.elect_offline_now(ctx, (topic, partition), unclean);
    }

    /// `OfflinePartition → OnlinePartition` with the offline strategy; if no leader can be
    /// found a dead leader is still removed (leader -1, the last ISR member kept).
    fn elect_offline_now(&mut self, ctx: &mut KCtx, k: (String, i32), unclean: bool) {
        let Some(c) = self.controller.as_ref().filter(|c| c.started) else {
            return;
        };
        let live = c.live_set();
        let Some(cp) = c.partitions.get(&k) else {
            return;
        };
        let Some(cur) = cp.leader_and_isr.clone() else {
            return;
        };
        if cur.leader >= 0 && live.contains(&cur.leader) {
            return;
        }
        let recipients = self.live_replicas(&k);
        match elect_offline(&cp.replicas, &cur, &live, unclean) {
            Some(e) => {
                let mut w = StateWrite::to(&k, recipients);
                w.unclean = e.unclean;
                self.write_state(ctx, &k, e.leader_and_isr, false, w);
            }
            None if cur.leader >= 0 => {
                if let Some(next) = remove_replica_from_isr(&cur, cur.leader) {
                    self.write_state(ctx, &k, next, false, StateWrite::to(&k, recipients));
                }
            }
            None => {}
        }
    }

    /// Writes `next` to the partition's `state` znode (create or conditional `setData`),
    /// updating the context at once; the completion sends the requests.
    pub(super) fn write_state(
        &mut self,
        ctx: &mut KCtx,
        k: &(String, i32),
        next: LeaderAndIsr,
        create: bool,
        w: StateWrite,
    ) {
        let Some(c) = self.ctl() else { return };
        let epoch = c.epoch;
        let live = c.live_set();
        let Some(cp) = c.partitions.get_mut(k) else {
            return;
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
        let mut written = next;
        written.zk_version = if create { 0 } else { written.zk_version + 1 };
        cp.phase = if written.leader >= 0 && live.contains(&written.leader) {
            PartitionPhase::Online
        } else {
            PartitionPhase::Offline
        };
        cp.leader_and_isr = Some(written);
        self.ctl_write(ctx, CtlReq::WriteState(Box::new(w)), op);
    }

    pub(super) fn on_state_written(
        &mut self,
        ctx: &mut KCtx,
        w: StateWrite,
        result: Result<ReplyBody, ErrorCode>,
    ) {
        let k = (w.topic.clone(), w.partition);
        match multi_outcome(&result) {
            Ok(_) => {
                if w.unclean {
                    self.unclean_elections += 1;
                    if let Some(i) = self.partition_info(&k) {
                        ctx.note(format!(
                            "UNCLEAN leader election: {}-{} led by out-of-sync broker {} (epoch {}); records it lacks are lost",
                            k.0, k.1, i.leader, i.leader_epoch
                        ));
                    }
                }
                if let Some(leader) = w.alter_isr_from {
                    let state = self
                        .partition_info(&k)
                        .map(|i| (i.leader, i.leader_epoch, i.isr, i.zk_version));
                    let reply = Msg::AlterIsrResponse {
                        topic: w.topic.clone(),
                        partition: w.partition,
                        error: KafkaError::None,
                        state,
                    };
                    ctx.send(leader, reply);
                } else {
                    self.send_leader_and_isr_to(ctx, &k, &w.recipients);
                }
                self.send_update_metadata_all(ctx);
            }
            Err(e) => {
                if self.fenced(&e) {
                    ctx.note(
                        "controller write fenced: /controller_epoch has moved on (BadVersion); resigns",
                    );
                    self.resign_fenced(ctx);
                    return;
                }
                ctx.note(format!(
                    "state write for {}-{} failed ({}): re-reads it",
                    w.topic,
                    w.partition,
                    e.err.name()
                ));
                if let Some(leader) = w.alter_isr_from {
                    let reply = Msg::AlterIsrResponse {
                        topic: w.topic.clone(),
                        partition: w.partition,
                        error: KafkaError::InvalidUpdateVersion,
                        state: None,
                    };
                    ctx.send(leader, reply);
                }
                if e.err == ErrorCode::NoNode {
                    // A `state` create under a missing partition path: create the paths
                    // (`createTopicPartitionStatesRaw` always does) before trying again.
                    self.create_partition_paths(ctx, std::slice::from_ref(&k));
                }
                let path = paths::partition_state(&w.topic, w.partition);
                self.ctl_get(
                    ctx,
                    CtlReq::StateRead(w.topic.clone(), w.partition),
                    path,
                    false,
                );
            }
        }
        if let Some(b) = w.shutdown_of {
            self.shutdown_write_done(ctx, b);
        }
    }

    /// A write a controlled shutdown waited for is done; answer once all are.
    fn shutdown_write_done(&mut self, ctx: &mut KCtx, broker: i32) {
        let Some(c) = self.ctl() else { return };
        let mut ready: Vec<PendingShutdown> = Vec::new();
        c.shutdowns.retain_mut(|s| {
            if s.broker == broker && s.writes_left > 0 {
                s.writes_left -= 1;
                if s.writes_left == 0 {
                    ready.push(s.clone());
                    return false;
                }
            }
            true
        });
        for s in ready {
            self.answer_controlled_shutdown(ctx, s.broker, s.reply_to);
        }
    }
}

impl StateWrite {
    /// A plain write whose completion sends `LeaderAndIsr` to `recipients`.
    pub(super) fn to(k: &(String, i32), recipients: Vec<i32>) -> Self {
        Self {
            topic: k.0.clone(),
            partition: k.1,
            alter_isr_from: None,
            shutdown_of: None,
            unclean: false,
            recipients,
        }
    }
}
