//! The consumer's side of the group protocol (`AbstractCoordinator`, `ConsumerCoordinator`):
//! coordinator discovery, join, sync, heartbeats, leaving, and the assignors the leader runs.

use crate::sim::VecMap;

use super::{AfterCommit, Assigned, Consumer, MemberState};
use crate::kafka::broker::KCtx;
use crate::kafka::config::AssignorName;
use crate::kafka::errors::KafkaError;
use crate::kafka::group::sticky::{sticky_assign, StickySubscription};
use crate::kafka::group::{
    range_assign, round_robin_assign, GroupAssignment, Subscription, TopicPartition,
};
use crate::kafka::msg::{GroupProtocol, Msg};
use crate::sim::{MS, SEC};

/// Runs assignor `name` over the members' subscriptions with `partitions_per_topic`.
/// `None` for an unknown assignor name.
pub fn run_assignor(
    name: &str,
    partitions_per_topic: &VecMap<String, i32>,
    members: &[(String, GroupProtocol)],
) -> Option<GroupAssignment> {
    fn topics(p: &GroupProtocol) -> Vec<&str> {
        p.topics.iter().map(String::as_str).collect()
    }
    match name {
        "range" | "roundrobin" => {
            let subs: VecMap<String, Subscription> = members
                .iter()
                .map(|(id, p)| (id.clone(), Subscription::new(&topics(p))))
                .collect();
            Some(if name == "range" {
                range_assign(partitions_per_topic, &subs)
            } else {
                round_robin_assign(partitions_per_topic, &subs)
            })
        }
        "sticky" => {
            let subs: VecMap<String, StickySubscription> = members
                .iter()
                .map(|(id, p)| {
                    let s = StickySubscription::new(&topics(p), p.owned.clone(), p.generation);
                    (id.clone(), s)
                })
                .collect();
            Some(sticky_assign(partitions_per_topic, &subs))
        }
        _ => None,
    }
}

fn is_coordinator_error(e: KafkaError) -> bool {
    matches!(
        e,
        KafkaError::CoordinatorNotAvailable | KafkaError::NotCoordinator
    )
}

impl Consumer {
    fn protocols(&self) -> Vec<GroupProtocol> {
        self.config
            .partition_assignment_strategy
            .iter()
            .map(|a| {
                let (owned, generation) = if *a == AssignorName::Sticky {
                    self.previous.clone()
                } else {
                    (Vec::new(), -1)
                };
                GroupProtocol {
                    name: a.protocol_name().to_string(),
                    topics: vec![self.topic.clone()],
                    owned,
                    generation,
                }
            })
            .collect()
    }

    /// `ensureCoordinatorReady` and `ensureActiveGroup`, one step per poll.
    pub(super) fn drive_group(&mut self, ctx: &mut KCtx) {
        let now = ctx.now_us();
        if self.coordinator.is_none() {
            if self.find_until.is_none() {
                if let Some(node) = self.any_broker() {
                    // A dead broker refuses the connection at once in reality; here an
                    // unanswered FindCoordinator is given up after 1 s.
                    self.find_until = Some(now + self.request_timeout().min(SEC));
                    let key = self.group_id.clone();
                    ctx.send(node, Msg::FindCoordinator { key });
                }
            }
            return;
        }
        if self.state == MemberState::Unjoined && !self.partitions.is_empty() {
            self.prepare_join(ctx);
        }
    }

    /// `onJoinPrepare` (eager): commit synchronously if auto-commit is on, revoke everything,
    /// then join.
    fn prepare_join(&mut self, ctx: &mut KCtx) {
        if self.config.enable_auto_commit && self.generation >= 0 && !self.assigned.is_empty() {
            if self.commit_until.is_none() {
                self.state = MemberState::PreparingJoin;
                self.commit(ctx, AfterCommit::Rejoin);
            }
            return;
        }
        self.send_join(ctx);
    }

    pub(super) fn send_join(&mut self, ctx: &mut KCtx) {
        let Some(c) = self.coordinator else {
            self.state = MemberState::Unjoined;
            return;
        };
        if !self.assigned.is_empty() {
            ctx.note(format!(
                "{}: revokes {} partitions before rejoining",
                self.name,
                self.assigned.len()
            ));
        }
        self.assigned.clear();
        self.state = MemberState::Joining;
        let rebalance_ms = self.config.max_poll_interval_ms.max(1);
        let wait = (rebalance_ms as u64 + 5_000) * MS;
        self.join_until = Some(ctx.now_us() + wait.max(self.request_timeout()));
        let msg = Msg::JoinGroup {
            group_id: self.group_id.clone(),
            client_id: self.name.clone(),
            session_timeout_ms: self.config.session_timeout_ms,
            rebalance_timeout_ms: rebalance_ms,
            member_id: self.member_id.clone(),
            protocol_type: "consumer".to_string(),
            protocols: self.protocols(),
        };
        ctx.send(c.node, msg);
    }

    /// `resetGenerationOnResponseError`: forget the member id and generation; the partitions
    /// are lost (not committed).
    fn reset_generation(&mut self, ctx: &mut KCtx, why: KafkaError) {
        if !self.assigned.is_empty() {
            ctx.note(format!(
                "{}: {} — its {} partitions are lost without a commit",
                self.name,
                why.name(),
                self.assigned.len()
            ));
        }
        self.assigned.clear();
        self.member_id.clear();
        self.generation = -1;
        self.is_leader = false;
        self.state = MemberState::Unjoined;
    }

    /// `markCoordinatorUnknown`: requests in flight to it fail (a commit counts as failed,
    /// a join or sync starts over).
    pub(super) fn mark_coordinator_unknown(&mut self, ctx: &mut KCtx) {
        self.coordinator = None;
        self.heartbeat_until = None;
        self.offset_fetch_until = None;
        let joining = self.join_until.take().is_some();
        let syncing = self.sync_until.take().is_some();
        if joining || syncing {
            self.state = MemberState::Unjoined;
        }
        if let Some((_, after)) = self.commit_until.take() {
            self.after_commit(ctx, after);
        }
    }

    pub(super) fn after_commit(&mut self, ctx: &mut KCtx, after: AfterCommit) {
        match after {
            AfterCommit::Nothing => {}
            AfterCommit::Rejoin => {
                if self.state == MemberState::PreparingJoin {
                    self.send_join(ctx);
                }
            }
            AfterCommit::Leave => self.leave(ctx),
        }
    }

    /// `maybeLeaveGroup` and close.
    pub(super) fn leave(&mut self, ctx: &mut KCtx) {
        if let Some(c) = self.coordinator {
            if !self.member_id.is_empty() {
                let msg = Msg::LeaveGroup {
                    group_id: self.group_id.clone(),
                    member_id: self.member_id.clone(),
                };
                ctx.send(c.node, msg);
            }
        }
        self.assigned.clear();
        self.state = MemberState::Closed;
        ctx.cancel_timer(crate::kafka::msg::Timer::ConsumerPoll);
        ctx.cancel_timer(crate::kafka::msg::Timer::ConsumerHeartbeat);
    }

    /// The heartbeat thread's tick.
    pub(super) fn on_heartbeat_tick(&mut self, ctx: &mut KCtx) {
        let now = ctx.now_us();
        if self.state != MemberState::Stable {
            return;
        }
        let session = self.config.session_timeout_ms.max(1) as u64 * MS;
        if now > self.last_heartbeat_ok_us + session && self.coordinator.is_some() {
            ctx.note(format!(
                "{}: no heartbeat answer within session.timeout.ms: coordinator unknown",
                self.name
            ));
            self.mark_coordinator_unknown(ctx);
            self.last_heartbeat_ok_us = now;
            return;
        }
        let Some(c) = self.coordinator else { return };
        if self.heartbeat_until.is_some() {
            return;
        }
        self.heartbeat_until = Some(now + self.request_timeout());
        let msg = Msg::Heartbeat {
            group_id: self.group_id.clone(),
            generation_id: self.generation,
            member_id: self.member_id.clone(),
        };
        ctx.send(c.node, msg);
    }

    pub(super) fn on_group_response(&mut self, ctx: &mut KCtx, m: Msg) {
        match m {
            Msg::FindCoordinatorResponse {
                error, coordinator, ..
            } => {
                self.find_until = None;
                match coordinator {
                    Some(c) if error.is_none() => {
                        self.coordinator = Some(c);
                        self.last_heartbeat_ok_us = ctx.now_us();
                        self.drive_group(ctx);
                    }
                    _ => self.record_error("FindCoordinator", error),
                }
            }
            Msg::JoinGroupResponse {
                error,
                generation_id,
                protocol_name,
                leader,
                member_id,
                members,
            } => {
                if self.state != MemberState::Joining {
                    return;
                }
                self.join_until = None;
                match error {
                    KafkaError::None => {
                        self.member_id = member_id;
                        self.generation = generation_id;
                        self.is_leader = leader == self.member_id;
                        self.send_sync(ctx, &protocol_name, &members);
                    }
                    KafkaError::MemberIdRequired => {
                        self.member_id = member_id;
                        self.send_join(ctx);
                    }
                    e => {
                        self.record_error("JoinGroup", e);
                        self.state = MemberState::Unjoined;
                        match e {
                            KafkaError::UnknownMemberId | KafkaError::IllegalGeneration => {
                                self.reset_generation(ctx, e)
                            }
                            e if is_coordinator_error(e) => self.mark_coordinator_unknown(ctx),
                            _ => {}
                        }
                    }
                }
            }
            Msg::SyncGroupResponse { error, assignment } => {
                if self.state != MemberState::Syncing {
                    return;
                }
                self.sync_until = None;
                if error.is_none() {
                    self.on_assignment(ctx, assignment);
                    return;
                }
                self.record_error("SyncGroup", error);
                self.state = MemberState::Unjoined;
                match error {
                    KafkaError::UnknownMemberId | KafkaError::IllegalGeneration => {
                        self.reset_generation(ctx, error)
                    }
                    e if is_coordinator_error(e) => self.mark_coordinator_unknown(ctx),
                    _ => {}
                }
            }
            Msg::HeartbeatResponse { error } => {
                self.heartbeat_until = None;
                match error {
                    KafkaError::None => self.last_heartbeat_ok_us = ctx.now_us(),
                    KafkaError::RebalanceInProgress => {
                        self.last_heartbeat_ok_us = ctx.now_us();
                        if self.state == MemberState::Stable {
                            ctx.note(format!("{}: the group is rebalancing: rejoins", self.name));
                            self.state = MemberState::Unjoined;
                            self.drive_group(ctx);
                        }
                    }
                    KafkaError::UnknownMemberId | KafkaError::IllegalGeneration => {
                        self.record_error("Heartbeat", error);
                        if self.state == MemberState::Stable {
                            self.reset_generation(ctx, error);
                        }
                    }
                    e => {
                        self.record_error("Heartbeat", e);
                        if is_coordinator_error(e) {
                            self.mark_coordinator_unknown(ctx);
                        }
                    }
                }
            }
            _ => {}
        }
    }

    fn send_sync(&mut self, ctx: &mut KCtx, protocol: &str, members: &[(String, GroupProtocol)]) {
        let Some(c) = self.coordinator else {
            self.state = MemberState::Unjoined;
            return;
        };
        let mut assignments = Vec::new();
        if self.is_leader {
            let mut per_topic: VecMap<String, i32> = VecMap::new();
            per_topic.insert(self.topic.clone(), self.partitions.len() as i32);
            match run_assignor(protocol, &per_topic, members) {
                Some(a) => assignments = a.into_iter().collect(),
                None => ctx.note(format!("unknown assignor {protocol}: assigns nothing")),
            }
            ctx.note(format!(
                "{}: leads generation {}: assigns with {protocol}",
                self.name, self.generation
            ));
        }
        self.state = MemberState::Syncing;
        self.sync_until = Some(ctx.now_us() + self.request_timeout());
        let msg = Msg::SyncGroup {
            group_id: self.group_id.clone(),
            generation_id: self.generation,
            member_id: self.member_id.clone(),
            assignments,
        };
        ctx.send(c.node, msg);
    }

    /// `onJoinComplete`: take the assignment, fetch the committed offsets.
    fn on_assignment(&mut self, ctx: &mut KCtx, assignment: Vec<TopicPartition>) {
        let now = ctx.now_us();
        ctx.note(format!(
            "{}: generation {} assigns it {} partitions",
            self.name,
            self.generation,
            assignment.len()
        ));
        self.state = MemberState::Stable;
        self.last_heartbeat_ok_us = now;
        self.next_auto_commit_us = now + self.config.auto_commit_interval_ms.max(1) as u64 * MS;
        self.previous = (assignment.clone(), self.generation);
        if self.history.len() < 100 {
            self.history.push((self.generation, assignment.clone()));
        }
        self.assigned = assignment
            .into_iter()
            .filter(|tp| tp.topic == self.topic)
            .map(Assigned::new)
            .collect();
        self.offset_fetch_until = None;
        self.send_offset_fetch(ctx);
    }
}
