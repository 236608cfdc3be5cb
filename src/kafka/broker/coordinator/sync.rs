//! SyncGroup, the stored assignment, Heartbeat and LeaveGroup (`GroupCoordinator.doSyncGroup`,
//! `handleHeartbeat`, `handleLeaveGroup`, 2.8.2); the join phase is in [`super::join`].

use super::join::{
    maybe_complete_join, maybe_prepare_rebalance, ms, remove_member_and_update,
    reset_assignment_and_fail_syncs, sync_reply,
};
use super::{AppendKind, GroupState};
use crate::kafka::broker::{Broker, KCtx};
use crate::kafka::errors::KafkaError;
use crate::kafka::group::TopicPartition;
use crate::kafka::msg::Msg;
use crate::sim::NodeId;

impl Broker {
    /// `handleSyncGroup` / `doSyncGroup`.
    pub(super) fn on_sync_group(&mut self, ctx: &mut KCtx, src: NodeId, m: Msg) {
        let Msg::SyncGroup {
            group_id,
            generation_id,
            member_id,
            assignments,
        } = m
        else {
            return;
        };
        let p = match self.coordinator_for(&group_id) {
            Ok(p) => p,
            Err(KafkaError::CoordinatorLoadInProgress) => {
                return ctx.send(src, sync_reply(KafkaError::RebalanceInProgress, vec![]))
            }
            Err(e) => return ctx.send(src, sync_reply(e, vec![])),
        };
        let now = ctx.now_us();
        let Some(g) = self.coordinator.groups.get_mut(&group_id) else {
            return ctx.send(src, sync_reply(KafkaError::UnknownMemberId, vec![]));
        };
        let error = if g.state == GroupState::Dead {
            KafkaError::CoordinatorNotAvailable
        } else if g.member(&member_id).is_none() {
            KafkaError::UnknownMemberId
        } else if generation_id != g.generation {
            KafkaError::IllegalGeneration
        } else {
            match g.state {
                GroupState::Empty => KafkaError::UnknownMemberId,
                GroupState::PreparingRebalance => KafkaError::RebalanceInProgress,
                _ => KafkaError::None,
            }
        };
        if !error.is_none() {
            return ctx.send(src, sync_reply(error, vec![]));
        }
        let is_leader = g.leader.as_deref() == Some(member_id.as_str());
        let state = g.state;
        let generation = g.generation;
        let Some(member) = g.member_mut(&member_id) else {
            return;
        };
        member.client = Some(src);
        member.synced = true;
        member.expires_at_us = now + ms(i64::from(member.session_timeout_ms));
        if state == GroupState::Stable {
            let a = member.assignment.clone();
            return ctx.send(src, sync_reply(KafkaError::None, a));
        }
        member.awaiting_sync = true;
        if !is_leader {
            return;
        }
        // The leader's assignment, with empty lists for members it did not mention.
        let full: Vec<(String, Vec<TopicPartition>)> = g
            .members
            .iter()
            .map(|m| {
                let a = assignments
                    .iter()
                    .find(|(id, _)| *id == m.id)
                    .map(|(_, a)| a.clone())
                    .unwrap_or_default();
                (m.id.clone(), a)
            })
            .collect();
        let record = super::store::group_record(g, &full);
        let kind = AppendKind::Group {
            group: group_id.clone(),
            generation,
            assignments: full,
        };
        if let Err(e) = self.coordinator_append(ctx, p, vec![record], kind) {
            self.on_group_stored(ctx, &group_id, generation, e, Vec::new());
        }
    }

    /// The group record of `generation` is replicated (or failed with `error`).
    pub(super) fn on_group_stored(
        &mut self,
        ctx: &mut KCtx,
        group_id: &str,
        generation: i32,
        error: KafkaError,
        assignments: Vec<(String, Vec<TopicPartition>)>,
    ) {
        let cfg = self.group_cfg();
        let Some(g) = self.coordinator.groups.get_mut(group_id) else {
            return;
        };
        if g.generation != generation || g.state != GroupState::CompletingRebalance {
            return;
        }
        if !error.is_none() {
            let e = super::store::store_group_error(error);
            reset_assignment_and_fail_syncs(ctx, g, e);
            maybe_prepare_rebalance(ctx, g, cfg, "storing the group failed");
            return;
        }
        for m in &mut g.members {
            m.assignment = assignments
                .iter()
                .find(|(id, _)| *id == m.id)
                .map(|(_, a)| a.clone())
                .unwrap_or_default();
            if m.awaiting_sync {
                m.awaiting_sync = false;
                if let Some(c) = m.client {
                    ctx.send(c, sync_reply(KafkaError::None, m.assignment.clone()));
                }
            }
        }
        g.state = GroupState::Stable;
        ctx.note(format!(
            "group {}: generation {generation} assignment stored → Stable",
            g.id
        ));
    }

    /// `handleHeartbeat`.
    pub(super) fn on_heartbeat(&mut self, ctx: &mut KCtx, src: NodeId, m: Msg) {
        let Msg::Heartbeat {
            group_id,
            generation_id,
            member_id,
        } = m
        else {
            return;
        };
        let reply = |error| Msg::HeartbeatResponse { error };
        match self.coordinator_for(&group_id) {
            Ok(_) => {}
            Err(KafkaError::CoordinatorLoadInProgress) => {
                return ctx.send(src, reply(KafkaError::None))
            }
            Err(e) => return ctx.send(src, reply(e)),
        }
        let now = ctx.now_us();
        let Some(g) = self.coordinator.groups.get_mut(&group_id) else {
            return ctx.send(src, reply(KafkaError::UnknownMemberId));
        };
        let state = g.state;
        let generation = g.generation;
        let error = match g.member_mut(&member_id) {
            _ if state == GroupState::Dead => KafkaError::CoordinatorNotAvailable,
            None => KafkaError::UnknownMemberId,
            Some(_) if generation_id != generation => KafkaError::IllegalGeneration,
            Some(_) if state == GroupState::Empty => KafkaError::UnknownMemberId,
            Some(member) => {
                member.client = Some(src);
                member.expires_at_us = now + ms(i64::from(member.session_timeout_ms));
                if state == GroupState::PreparingRebalance {
                    KafkaError::RebalanceInProgress
                } else {
                    KafkaError::None
                }
            }
        };
        ctx.send(src, reply(error));
    }

    /// `handleLeaveGroup` (one member per request).
    pub(super) fn on_leave_group(
        &mut self,
        ctx: &mut KCtx,
        src: NodeId,
        group_id: String,
        member_id: String,
    ) {
        let reply = |error| Msg::LeaveGroupResponse { error };
        if let Err(e) = self.coordinator_for(&group_id) {
            return ctx.send(src, reply(e));
        }
        let cfg = self.group_cfg();
        let Some(g) = self.coordinator.groups.get_mut(&group_id) else {
            return ctx.send(src, reply(KafkaError::UnknownMemberId));
        };
        if g.state == GroupState::Dead {
            return ctx.send(src, reply(KafkaError::CoordinatorNotAvailable));
        }
        if let Some(i) = g.pending.iter().position(|(id, _)| *id == member_id) {
            g.pending.remove(i);
            maybe_complete_join(ctx, g);
            return ctx.send(src, reply(KafkaError::None));
        }
        if g.member(&member_id).is_none() {
            return ctx.send(src, reply(KafkaError::UnknownMemberId));
        }
        ctx.note(format!("group {group_id}: {member_id} leaves"));
        remove_member_and_update(ctx, g, cfg, &member_id, "a member left");
        ctx.send(src, reply(KafkaError::None));
    }
}
