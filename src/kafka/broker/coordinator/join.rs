//! The group state machine's join phase and deadlines (`GroupCoordinator.doJoinGroup`,
//! `prepareRebalance`, `onCompleteJoin`, `InitialDelayedJoin`, `onExpireHeartbeat`,
//! `onExpirePendingSync`, 2.8.2); SyncGroup, Heartbeat and LeaveGroup are in [`super::sync`].
//!
//! Simplified: dynamic members only (no `group.instance.id`); `group.max.size` is unlimited;
//! a protocol vote tie goes to the name first in sorted order (Kafka: hash-map order); a
//! removed leader is replaced by the oldest remaining member (Kafka: `members.keys.headOption`,
//! hash-map order).

use super::{Group, GroupState, Member};
use crate::kafka::broker::{Broker, KCtx};
use crate::kafka::errors::KafkaError;
use crate::kafka::group::TopicPartition;
use crate::kafka::msg::{GroupProtocol, Msg};
use crate::sim::{NodeId, TimeUs, MS};

/// The broker settings the state machine reads.
#[derive(Clone, Copy)]
pub(super) struct Cfg {
    initial_delay_ms: i64,
}

fn join_error(error: KafkaError, member_id: &str) -> Msg {
    Msg::JoinGroupResponse {
        error,
        generation_id: -1,
        protocol_name: String::new(),
        leader: String::new(),
        member_id: member_id.to_string(),
        members: Vec::new(),
    }
}

pub(super) fn sync_reply(error: KafkaError, assignment: Vec<TopicPartition>) -> Msg {
    Msg::SyncGroupResponse { error, assignment }
}

pub(super) fn ms(v: i64) -> TimeUs {
    v.max(0) as u64 * MS
}

/// The protocols every member supports, in the first member's order.
fn candidates(g: &Group, extra: Option<&[GroupProtocol]>) -> Vec<String> {
    let mut lists: Vec<Vec<&str>> = g
        .members
        .iter()
        .map(|m| m.protocols.iter().map(|p| p.name.as_str()).collect())
        .collect();
    if let Some(e) = extra {
        lists.push(e.iter().map(|p| p.name.as_str()).collect());
    }
    let Some(first) = lists.first() else {
        return Vec::new();
    };
    first
        .iter()
        .filter(|n| lists.iter().all(|l| l.contains(n)))
        .map(|n| n.to_string())
        .collect()
}

/// `selectProtocol`: each member votes for its first supported candidate; most votes wins.
fn select_protocol(g: &Group) -> Option<String> {
    let cands = candidates(g, None);
    let mut votes: Vec<(String, usize)> = cands.iter().map(|c| (c.clone(), 0)).collect();
    for m in &g.members {
        if let Some(p) = m.protocols.iter().find(|p| cands.contains(&p.name)) {
            if let Some(v) = votes.iter_mut().find(|(n, _)| *n == p.name) {
                v.1 += 1;
            }
        }
    }
    crate::sim::sort::sort_by(&mut votes, |a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    votes.into_iter().next().map(|(n, _)| n)
}

fn has_all_members_joined(g: &Group) -> bool {
    g.members.iter().all(|m| m.awaiting_join) && g.pending.is_empty()
}

/// `prepareRebalance`.
fn prepare_rebalance(ctx: &mut KCtx, g: &mut Group, cfg: Cfg, reason: &str) {
    let now = ctx.now_us();
    if g.state == GroupState::CompletingRebalance {
        reset_assignment_and_fail_syncs(ctx, g, KafkaError::RebalanceInProgress);
    }
    let rebalance_ms = g.rebalance_timeout_ms();
    if g.state == GroupState::Empty {
        g.join_deadline_us = Some(now + ms(cfg.initial_delay_ms));
        g.initial_remaining_ms = Some((rebalance_ms - cfg.initial_delay_ms).max(0));
    } else {
        g.join_deadline_us = Some(now + ms(rebalance_ms));
        g.initial_remaining_ms = None;
    }
    g.sync_deadline_us = None;
    ctx.note(format!(
        "group {}: {} → PreparingRebalance ({reason})",
        g.id,
        g.state.name()
    ));
    g.state = GroupState::PreparingRebalance;
}

pub(super) fn maybe_prepare_rebalance(ctx: &mut KCtx, g: &mut Group, cfg: Cfg, reason: &str) {
    if matches!(
        g.state,
        GroupState::Stable | GroupState::CompletingRebalance | GroupState::Empty
    ) {
        prepare_rebalance(ctx, g, cfg, reason);
    }
}

/// `resetAndPropagateAssignmentError`.
pub(super) fn reset_assignment_and_fail_syncs(ctx: &mut KCtx, g: &mut Group, error: KafkaError) {
    for m in &mut g.members {
        m.assignment.clear();
        if m.awaiting_sync {
            m.awaiting_sync = false;
            if let Some(c) = m.client {
                ctx.send(c, sync_reply(error, Vec::new()));
            }
        }
    }
}

pub(super) fn maybe_complete_join(ctx: &mut KCtx, g: &mut Group) {
    if g.state == GroupState::PreparingRebalance
        && g.initial_remaining_ms.is_none()
        && has_all_members_joined(g)
    {
        complete_join(ctx, g);
    }
}

/// `onCompleteJoin`: drop members that did not rejoin, open the next generation, answer
/// every parked JoinGroup (the leader's answer lists the members).
fn complete_join(ctx: &mut KCtx, g: &mut Group) {
    let now = ctx.now_us();
    let gone: Vec<String> = g
        .members
        .iter()
        .filter(|m| !m.awaiting_join)
        .map(|m| m.id.clone())
        .collect();
    for id in &gone {
        ctx.note(format!(
            "group {}: {id} did not rejoin in time: removed",
            g.id
        ));
        remove_member(g, id);
    }
    g.join_deadline_us = None;
    g.initial_remaining_ms = None;
    g.new_member_added = false;
    g.generation += 1;
    if g.members.is_empty() {
        g.protocol = None;
        g.state = GroupState::Empty;
        ctx.note(format!(
            "group {}: generation {} with no members → Empty",
            g.id, g.generation
        ));
        return;
    }
    g.protocol = select_protocol(g);
    g.state = GroupState::CompletingRebalance;
    g.sync_deadline_us = Some(now + ms(g.rebalance_timeout_ms()));
    let protocol = g.protocol.clone().unwrap_or_default();
    let leader = g.leader.clone().unwrap_or_default();
    let listing: Vec<(String, GroupProtocol)> = g
        .members
        .iter()
        .filter_map(|m| {
            m.protocols
                .iter()
                .find(|p| p.name == protocol)
                .map(|p| (m.id.clone(), p.clone()))
        })
        .collect();
    ctx.note(format!(
        "group {}: generation {} with {} members, protocol {protocol}, leader {leader} → CompletingRebalance",
        g.id,
        g.generation,
        g.members.len()
    ));
    for m in &mut g.members {
        m.awaiting_join = false;
        m.synced = false;
        m.expires_at_us = now + ms(i64::from(m.session_timeout_ms));
        let members = if m.id == leader {
            listing.clone()
        } else {
            Vec::new()
        };
        if let Some(c) = m.client {
            let reply = Msg::JoinGroupResponse {
                error: KafkaError::None,
                generation_id: g.generation,
                protocol_name: protocol.clone(),
                leader: leader.clone(),
                member_id: m.id.clone(),
                members,
            };
            ctx.send(c, reply);
        }
    }
}

/// Removes a member; a removed leader is replaced by the oldest remaining member.
fn remove_member(g: &mut Group, id: &str) {
    g.members.retain(|m| m.id != id);
    if g.leader.as_deref() == Some(id) {
        g.leader = g.members.first().map(|m| m.id.clone());
    }
}

/// `removeMemberAndUpdateGroup`.
pub(super) fn remove_member_and_update(
    ctx: &mut KCtx,
    g: &mut Group,
    cfg: Cfg,
    id: &str,
    why: &str,
) {
    if let Some(m) = g.member(id) {
        if m.awaiting_join {
            if let Some(c) = m.client {
                ctx.send(c, join_error(KafkaError::UnknownMemberId, id));
            }
        }
    }
    remove_member(g, id);
    match g.state {
        GroupState::Stable | GroupState::CompletingRebalance => {
            maybe_prepare_rebalance(ctx, g, cfg, why)
        }
        GroupState::PreparingRebalance => maybe_complete_join(ctx, g),
        GroupState::Empty | GroupState::Dead => {}
    }
}

/// The answer to a member that rejoins with unchanged metadata: the current generation.
fn current_generation_reply(g: &Group, member_id: &str) -> Msg {
    let protocol = g.protocol.clone().unwrap_or_default();
    let leader = g.leader.clone().unwrap_or_default();
    let members = if leader == member_id {
        g.members
            .iter()
            .filter_map(|m| {
                m.protocols
                    .iter()
                    .find(|p| p.name == protocol)
                    .map(|p| (m.id.clone(), p.clone()))
            })
            .collect()
    } else {
        Vec::new()
    };
    Msg::JoinGroupResponse {
        error: KafkaError::None,
        generation_id: g.generation,
        protocol_name: protocol,
        leader,
        member_id: member_id.to_string(),
        members,
    }
}

/// The deadlines of one group that are due.
fn deadlines(ctx: &mut KCtx, g: &mut Group, cfg: Cfg) {
    let now = ctx.now_us();
    let expired: Vec<String> = g
        .pending
        .iter()
        .filter(|(_, t)| *t <= now)
        .map(|(id, _)| id.clone())
        .collect();
    if !expired.is_empty() {
        g.pending.retain(|(_, t)| *t > now);
        maybe_complete_join(ctx, g);
    }
    if g.state != GroupState::Empty {
        let dead: Vec<String> = g
            .members
            .iter()
            .filter(|m| !m.awaiting_join && !m.awaiting_sync && m.expires_at_us <= now)
            .map(|m| m.id.clone())
            .collect();
        for id in dead {
            ctx.note(format!(
                "group {}: member {id} missed its session timeout: removed",
                g.id
            ));
            remove_member_and_update(ctx, g, cfg, &id, "a member's session expired");
        }
    }
    if g.join_deadline_us.is_some_and(|t| t <= now) && g.state == GroupState::PreparingRebalance {
        match g.initial_remaining_ms {
            Some(rem) if g.new_member_added && rem > 0 => {
                let delay = cfg.initial_delay_ms.min(rem);
                g.new_member_added = false;
                g.join_deadline_us = Some(now + ms(delay));
                g.initial_remaining_ms = Some((rem - delay).max(0));
            }
            _ => {
                g.initial_remaining_ms = None;
                complete_join(ctx, g);
            }
        }
    }
    if g.sync_deadline_us.is_some_and(|t| t <= now) {
        g.sync_deadline_us = None;
        if matches!(
            g.state,
            GroupState::CompletingRebalance | GroupState::Stable
        ) {
            let lagging: Vec<String> = g
                .members
                .iter()
                .filter(|m| !m.synced)
                .map(|m| m.id.clone())
                .collect();
            for id in lagging {
                ctx.note(format!(
                    "group {}: {id} sent no SyncGroup within the rebalance timeout: removed",
                    g.id
                ));
                remove_member_and_update(ctx, g, cfg, &id, "a member never synced");
            }
        }
    }
}

impl Broker {
    pub(super) fn group_cfg(&self) -> Cfg {
        Cfg {
            initial_delay_ms: i64::from(self.config.group_initial_rebalance_delay_ms),
        }
    }

    pub(super) fn group_deadlines(&mut self, ctx: &mut KCtx, id: &str) {
        let cfg = self.group_cfg();
        if let Some(g) = self.coordinator.groups.get_mut(id) {
            deadlines(ctx, g, cfg);
        }
    }

    /// `handleJoinGroup` / `doJoinGroup` (v5: unknown members get `MEMBER_ID_REQUIRED`).
    pub(super) fn on_join_group(&mut self, ctx: &mut KCtx, src: NodeId, m: Msg) {
        let Msg::JoinGroup {
            group_id,
            client_id,
            session_timeout_ms,
            rebalance_timeout_ms,
            member_id,
            protocol_type,
            protocols,
        } = m
        else {
            return;
        };
        let cfg = self.group_cfg();
        let p = match self.coordinator_for(&group_id) {
            Ok(p) => p,
            Err(e) => return ctx.send(src, join_error(e, &member_id)),
        };
        let (lo, hi) = (
            self.config.group_min_session_timeout_ms,
            self.config.group_max_session_timeout_ms,
        );
        if session_timeout_ms < lo || session_timeout_ms > hi {
            return ctx.send(
                src,
                join_error(KafkaError::InvalidSessionTimeout, &member_id),
            );
        }
        let now = ctx.now_us();
        if !self.coordinator.groups.contains_key(&group_id) {
            if !member_id.is_empty() {
                return ctx.send(src, join_error(KafkaError::UnknownMemberId, &member_id));
            }
            self.coordinator
                .groups
                .insert(group_id.clone(), Group::new(&group_id, p));
        }
        let Some(g) = self.coordinator.groups.get_mut(&group_id) else {
            return;
        };
        if g.state == GroupState::Dead {
            return ctx.send(
                src,
                join_error(KafkaError::CoordinatorNotAvailable, &member_id),
            );
        }
        let compatible = protocol_type == "consumer"
            && !protocols.is_empty()
            && (g.members.is_empty() || !candidates(g, Some(&protocols)).is_empty());
        if !compatible {
            return ctx.send(
                src,
                join_error(KafkaError::InconsistentGroupProtocol, &member_id),
            );
        }
        if member_id.is_empty() {
            let suffix = ctx.rng().next_u64() as u32;
            let id = format!("{client_id}-{suffix:08x}");
            g.pending
                .push((id.clone(), now + ms(i64::from(session_timeout_ms))));
            return ctx.send(src, join_error(KafkaError::MemberIdRequired, &id));
        }
        if let Some(i) = g.pending.iter().position(|(id, _)| *id == member_id) {
            g.pending.remove(i);
            if g.leader.is_none() {
                g.leader = Some(member_id.clone());
            }
            g.members.push(Member {
                id: member_id.clone(),
                client: Some(src),
                session_timeout_ms,
                rebalance_timeout_ms,
                protocols,
                assignment: Vec::new(),
                awaiting_join: true,
                awaiting_sync: false,
                synced: false,
                expires_at_us: now + ms(i64::from(session_timeout_ms)),
            });
            if g.state == GroupState::PreparingRebalance && g.generation == 0 {
                g.new_member_added = true;
            }
            maybe_prepare_rebalance(ctx, g, cfg, &format!("{member_id} joins"));
            maybe_complete_join(ctx, g);
            return;
        }
        let is_leader = g.leader.as_deref() == Some(member_id.as_str());
        let state = g.state;
        let Some(member) = g.member_mut(&member_id) else {
            return ctx.send(src, join_error(KafkaError::UnknownMemberId, &member_id));
        };
        member.client = Some(src);
        let unchanged = member.protocols == protocols;
        let rejoin_without_rebalance = match state {
            GroupState::CompletingRebalance => unchanged,
            GroupState::Stable => unchanged && !is_leader,
            _ => false,
        };
        if rejoin_without_rebalance {
            member.expires_at_us = now + ms(i64::from(member.session_timeout_ms));
            let reply = current_generation_reply(g, &member_id);
            return ctx.send(src, reply);
        }
        member.protocols = protocols;
        member.session_timeout_ms = session_timeout_ms;
        member.rebalance_timeout_ms = rebalance_timeout_ms;
        member.awaiting_join = true;
        maybe_prepare_rebalance(ctx, g, cfg, &format!("{member_id} rejoins"));
        maybe_complete_join(ctx, g);
    }
}
