//! The coordinator's storage in `__consumer_offsets` (`GroupMetadataManager.storeGroup`,
//! `storeOffsets`, `doLoadGroupsAndOffsets`, `removeGroupsForPartition`, 2.8.2), and the
//! OffsetCommit / OffsetFetch handlers.
//!
//! Records are text: `offset:<topic>:<partition>:<group>` → the committed offset, and
//! `group:<group>` → `<generation>;<protocol>;<leader>;<members>` where members are
//! `<id>,<session ms>,<rebalance ms>,<topic>+…,<topic>/<partition>+…` joined by `|`. A record
//! that does not parse is skipped on load (never a panic).

use super::{
    AppendKind, Group, GroupState, Member, PendingAppend, VecMap, OFFSETS_COMMIT_TIMEOUT_MS,
    OFFSETS_TOPIC,
};
use crate::kafka::broker::{Broker, KCtx, ReplicaRole};
use crate::kafka::errors::KafkaError;
use crate::kafka::group::TopicPartition;
use crate::kafka::log::RecordData;
use crate::kafka::msg::{GroupProtocol, Msg};
use crate::kafka::partition_state::maybe_increment_leader_hw;
use crate::sim::{NodeId, MS};

fn key(p: i32) -> (String, i32) {
    (OFFSETS_TOPIC.to_string(), p)
}

/// An offset commit record.
pub fn offset_record(group: &str, tp: &TopicPartition, offset: i64, now_ms: i64) -> RecordData {
    let k = format!("offset:{}:{}:{group}", tp.topic, tp.partition);
    RecordData::new(Some(&k), &offset.to_string(), now_ms)
}

fn tps_field(list: &[TopicPartition]) -> String {
    let parts: Vec<String> = list
        .iter()
        .map(|t| format!("{}/{}", t.topic, t.partition))
        .collect();
    parts.join("+")
}

/// The group metadata record with the assignment being stored.
pub fn group_record(g: &Group, assignments: &[(String, Vec<TopicPartition>)]) -> RecordData {
    let protocol = g.protocol.clone().unwrap_or_default();
    let members: Vec<String> = g
        .members
        .iter()
        .map(|m| {
            let topics = m
                .protocols
                .iter()
                .find(|p| p.name == protocol)
                .map(|p| p.topics.join("+"))
                .unwrap_or_default();
            let a = assignments
                .iter()
                .find(|(id, _)| *id == m.id)
                .map(|(_, a)| tps_field(a))
                .unwrap_or_default();
            format!(
                "{},{},{},{topics},{a}",
                m.id, m.session_timeout_ms, m.rebalance_timeout_ms
            )
        })
        .collect();
    let value = format!(
        "{};{protocol};{};{}",
        g.generation,
        g.leader.clone().unwrap_or_default(),
        members.join("|")
    );
    RecordData::new(Some(&format!("group:{}", g.id)), &value, 0)
}

/// A member as the group record stores it.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredMember {
    pub id: String,
    pub session_timeout_ms: i32,
    pub rebalance_timeout_ms: i32,
    pub topics: Vec<String>,
    pub assignment: Vec<TopicPartition>,
}

/// A parsed `__consumer_offsets` record.
#[derive(Clone, Debug, PartialEq)]
pub enum OffsetsRecord {
    Offset {
        group: String,
        tp: TopicPartition,
        offset: i64,
    },
    Group {
        group: String,
        generation: i32,
        protocol: String,
        leader: String,
        members: Vec<StoredMember>,
    },
}

fn parse_tps(s: &str) -> Option<Vec<TopicPartition>> {
    s.split('+')
        .filter(|x| !x.is_empty())
        .map(|x| {
            let (t, p) = x.rsplit_once('/')?;
            Some(TopicPartition::new(t, p.parse().ok()?))
        })
        .collect()
}

/// Parses a record of the offsets topic; `None` if it is not one this module wrote.
pub fn parse_record(key: &str, value: &str) -> Option<OffsetsRecord> {
    if let Some(rest) = key.strip_prefix("offset:") {
        let mut it = rest.splitn(3, ':');
        let topic = it.next()?;
        let partition: i32 = it.next()?.parse().ok()?;
        let group = it.next()?;
        return Some(OffsetsRecord::Offset {
            group: group.to_string(),
            tp: TopicPartition::new(topic, partition),
            offset: value.parse().ok()?,
        });
    }
    let group = key.strip_prefix("group:")?;
    let mut it = value.splitn(4, ';');
    let generation = it.next()?.parse().ok()?;
    let protocol = it.next()?.to_string();
    let leader = it.next()?.to_string();
    let members = it
        .next()?
        .split('|')
        .filter(|m| !m.is_empty())
        .map(|m| {
            let f: Vec<&str> = m.split(',').collect();
            if f.len() != 5 {
                return None;
            }
            let topics = f[3]
                .split('+')
                .filter(|t| !t.is_empty())
                .map(str::to_string)
                .collect();
            Some(StoredMember {
                id: f[0].to_string(),
                session_timeout_ms: f[1].parse().ok()?,
                rebalance_timeout_ms: f[2].parse().ok()?,
                topics,
                assignment: parse_tps(f[4])?,
            })
        })
        .collect::<Option<Vec<_>>>()?;
    Some(OffsetsRecord::Group {
        group: group.to_string(),
        generation,
        protocol,
        leader,
        members,
    })
}

/// `storeOffsets`' error mapping.
fn store_offsets_error(e: KafkaError) -> KafkaError {
    match e {
        KafkaError::UnknownTopicOrPartition
        | KafkaError::NotEnoughReplicas
        | KafkaError::NotEnoughReplicasAfterAppend => KafkaError::CoordinatorNotAvailable,
        KafkaError::NotLeaderOrFollower | KafkaError::KafkaStorageError => {
            KafkaError::NotCoordinator
        }
        other => other,
    }
}

/// `storeGroup`'s error mapping (a timeout means: rebalance again).
pub(super) fn store_group_error(e: KafkaError) -> KafkaError {
    match e {
        KafkaError::RequestTimedOut => KafkaError::RebalanceInProgress,
        other => store_offsets_error(other),
    }
}

impl Broker {
    /// Appends `records` to offsets partition `p` as leader (`acks=-1`); the pending append
    /// completes when the high watermark passes it.
    pub(super) fn coordinator_append(
        &mut self,
        ctx: &mut KCtx,
        p: i32,
        records: Vec<RecordData>,
        kind: AppendKind,
    ) -> Result<(), KafkaError> {
        let now_ms = (ctx.now_us() / MS) as i64;
        let min_isr = self.config.min_insync_replicas;
        let lag = self.config.replica_lag_time_max_ms;
        let Some(r) = self
            .replicas
            .get_mut(&key(p))
            .filter(|r| r.role == ReplicaRole::Leader)
        else {
            return Err(KafkaError::NotLeaderOrFollower);
        };
        if (r.isr.len() as i32) < min_isr {
            return Err(KafkaError::NotEnoughReplicas);
        }
        let info = r
            .log
            .append_as_leader(&records, r.leader_epoch)
            .map_err(|e| e.kafka_error())?;
        let isr = r.maximal_isr();
        maybe_increment_leader_hw(&mut r.log, &r.remotes, &isr, now_ms, lag);
        self.coordinator.appends.push(PendingAppend {
            partition: p,
            last_offset: info.last_offset,
            deadline_us: ctx.now_us() + OFFSETS_COMMIT_TIMEOUT_MS * MS,
            kind,
        });
        Ok(())
    }

    fn finish_append(&mut self, ctx: &mut KCtx, a: PendingAppend, error: KafkaError) {
        match a.kind {
            AppendKind::Commit {
                client,
                group,
                offsets,
            } => {
                let error = store_offsets_error(error);
                if error.is_none() {
                    if let Some(g) = self.coordinator.groups.get_mut(&group) {
                        for (tp, o) in &offsets {
                            g.offsets.insert(tp.clone(), *o);
                        }
                    }
                }
                ctx.send(client, Msg::OffsetCommitResponse { error, offsets });
            }
            AppendKind::Group {
                group,
                generation,
                assignments,
            } => self.on_group_stored(ctx, &group, generation, error, assignments),
        }
    }

    /// Answers the appends the high watermark has passed, and fails those whose partition
    /// this broker no longer leads.
    pub(super) fn complete_appends(&mut self, ctx: &mut KCtx) {
        let mut done = Vec::new();
        let replicas = &self.replicas;
        self.coordinator.appends.retain(|a| {
            let r = replicas
                .get(&key(a.partition))
                .filter(|r| r.role == ReplicaRole::Leader);
            match r {
                None => done.push((a.clone(), KafkaError::NotLeaderOrFollower)),
                Some(r) if r.log.high_watermark() > a.last_offset => {
                    done.push((a.clone(), KafkaError::None))
                }
                Some(_) => return true,
            }
            false
        });
        for (a, e) in done {
            self.finish_append(ctx, a, e);
        }
    }

    /// Appends past `offsets.commit.timeout.ms`: `REQUEST_TIMED_OUT`.
    pub(super) fn expire_appends(&mut self, ctx: &mut KCtx) {
        let now = ctx.now_us();
        let mut due = Vec::new();
        self.coordinator.appends.retain(|a| {
            let expired = a.deadline_us <= now;
            if expired {
                due.push(a.clone());
            }
            !expired
        });
        for a in due {
            self.finish_append(ctx, a, KafkaError::RequestTimedOut);
        }
    }

    /// `doLoadGroupsAndOffsets`: replays the partition's log (to the log end).
    pub(super) fn load_partition(&mut self, ctx: &mut KCtx, p: i32) {
        let now = ctx.now_us();
        let Some(r) = self
            .replicas
            .get(&key(p))
            .filter(|r| r.role == ReplicaRole::Leader)
        else {
            return;
        };
        let mut groups: VecMap<String, Group> = VecMap::default();
        let mut skipped = 0;
        for rec in r.log.records() {
            let k = rec.data.key.as_deref().unwrap_or("");
            match parse_record(k, &rec.data.value) {
                Some(OffsetsRecord::Offset { group, tp, offset }) => {
                    let g = groups.get_or_insert_with(group.clone(), || Group::new(&group, p));
                    g.offsets.insert(tp, offset);
                }
                Some(OffsetsRecord::Group {
                    group,
                    generation,
                    protocol,
                    leader,
                    members,
                }) => {
                    let g = groups.get_or_insert_with(group.clone(), || Group::new(&group, p));
                    g.generation = generation;
                    g.protocol = (!protocol.is_empty()).then_some(protocol.clone());
                    g.leader = (!leader.is_empty()).then_some(leader);
                    g.members = members
                        .into_iter()
                        .map(|m| Member {
                            id: m.id,
                            client: None,
                            session_timeout_ms: m.session_timeout_ms,
                            rebalance_timeout_ms: m.rebalance_timeout_ms,
                            protocols: vec![GroupProtocol {
                                name: protocol.clone(),
                                topics: m.topics,
                                owned: Vec::new(),
                                generation: -1,
                            }],
                            assignment: m.assignment,
                            awaiting_join: false,
                            awaiting_sync: false,
                            synced: true,
                            expires_at_us: now
                                + u64::try_from(m.session_timeout_ms).unwrap_or(0) * MS,
                        })
                        .collect();
                    g.state = if g.members.is_empty() {
                        GroupState::Empty
                    } else {
                        GroupState::Stable
                    };
                }
                None => skipped += 1,
            }
        }
        let _ = skipped;
        let (n_groups, n_offsets) = (
            groups.len(),
            groups.values().map(|g| g.offsets.len()).sum::<usize>(),
        );
        for (id, g) in groups.into_entries() {
            self.coordinator.groups.insert(id, g);
        }
        self.coordinator.loaded.push(p);
        ctx.note(format!(
            "loaded {OFFSETS_TOPIC}-{p}: {n_groups} groups, {n_offsets} committed offsets"
        ));
    }

    /// `removeGroupsForPartition`: its groups are gone from this broker (`Dead`); parked
    /// joins and syncs get `NOT_COORDINATOR`.
    pub(super) fn unload_partition(&mut self, ctx: &mut KCtx, p: i32) {
        self.coordinator.loaded.retain(|q| *q != p);
        self.coordinator.loading.retain(|(q, _)| *q != p);
        let ids: Vec<String> = self
            .coordinator
            .groups
            .values()
            .filter(|g| g.partition == p)
            .map(|g| g.id.clone())
            .collect();
        for id in ids {
            let Some(g) = self.coordinator.groups.remove(&id) else {
                continue;
            };
            for m in &g.members {
                let Some(c) = m.client else { continue };
                if m.awaiting_join {
                    let reply = Msg::JoinGroupResponse {
                        error: KafkaError::NotCoordinator,
                        generation_id: -1,
                        protocol_name: String::new(),
                        leader: String::new(),
                        member_id: m.id.clone(),
                        members: Vec::new(),
                    };
                    ctx.send(c, reply);
                }
                if m.awaiting_sync {
                    let reply = Msg::SyncGroupResponse {
                        error: KafkaError::NotCoordinator,
                        assignment: Vec::new(),
                    };
                    ctx.send(c, reply);
                }
            }
        }
        ctx.note(format!(
            "no longer leads {OFFSETS_TOPIC}-{p}: its groups are unloaded"
        ));
        self.complete_appends(ctx);
    }

    /// `handleCommitOffsets` / `doCommitOffsets`.
    pub(super) fn on_offset_commit(&mut self, ctx: &mut KCtx, src: NodeId, m: Msg) {
        let Msg::OffsetCommit {
            group_id,
            generation_id,
            member_id,
            offsets,
        } = m
        else {
            return;
        };
        let reply = |error, offsets| Msg::OffsetCommitResponse { error, offsets };
        let p = match self.coordinator_for(&group_id) {
            Ok(p) => p,
            Err(e) => return ctx.send(src, reply(e, offsets)),
        };
        let now = ctx.now_us();
        if !self.coordinator.groups.contains_key(&group_id) {
            if generation_id >= 0 {
                return ctx.send(src, reply(KafkaError::IllegalGeneration, offsets));
            }
            let g = Group::new(&group_id, p);
            self.coordinator.groups.insert(group_id.clone(), g);
        }
        let Some(g) = self.coordinator.groups.get_mut(&group_id) else {
            return;
        };
        let error = if g.state == GroupState::Dead {
            KafkaError::CoordinatorNotAvailable
        } else if generation_id < 0 && g.state == GroupState::Empty {
            KafkaError::None
        } else if g.state == GroupState::CompletingRebalance {
            KafkaError::RebalanceInProgress
        } else if g.member(&member_id).is_none() {
            KafkaError::UnknownMemberId
        } else if generation_id != g.generation {
            KafkaError::IllegalGeneration
        } else {
            KafkaError::None
        };
        if !error.is_none() {
            return ctx.send(src, reply(error, offsets));
        }
        if let Some(m) = g.member_mut(&member_id) {
            m.expires_at_us = now + u64::try_from(m.session_timeout_ms).unwrap_or(0) * MS;
        }
        let now_ms = (now / MS) as i64;
        let records = offsets
            .iter()
            .map(|(tp, o)| offset_record(&group_id, tp, *o, now_ms))
            .collect();
        let kind = AppendKind::Commit {
            client: src,
            group: group_id,
            offsets: offsets.clone(),
        };
        if let Err(e) = self.coordinator_append(ctx, p, records, kind) {
            ctx.send(src, reply(store_offsets_error(e), offsets));
        }
    }

    /// `handleFetchOffsets`: -1 where nothing is committed.
    pub(super) fn on_offset_fetch(
        &mut self,
        ctx: &mut KCtx,
        src: NodeId,
        group_id: String,
        partitions: Vec<TopicPartition>,
    ) {
        if let Err(error) = self.coordinator_for(&group_id) {
            return ctx.send(
                src,
                Msg::OffsetFetchResponse {
                    error,
                    offsets: vec![],
                },
            );
        }
        let g = self.coordinator.groups.get(&group_id);
        let offsets = partitions
            .into_iter()
            .map(|tp| {
                let o = g.and_then(|g| g.offsets.get(&tp)).copied().unwrap_or(-1);
                (tp, o)
            })
            .collect();
        let reply = Msg::OffsetFetchResponse {
            error: KafkaError::None,
            offsets,
        };
        ctx.send(src, reply);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offset_and_group_records_parse_back_and_garbage_is_skipped() {
        let tp = TopicPartition::new("events", 2);
        let r = offset_record("my:group", &tp, 41, 0);
        let got = parse_record(r.key.as_deref().unwrap(), &r.value);
        assert_eq!(
            got,
            Some(OffsetsRecord::Offset {
                group: "my:group".into(),
                tp: tp.clone(),
                offset: 41
            })
        );
        let mut g = Group::new("g", 0);
        g.generation = 3;
        g.protocol = Some("range".into());
        g.leader = Some("c-1".into());
        g.members.push(Member {
            id: "c-1".into(),
            client: None,
            session_timeout_ms: 6000,
            rebalance_timeout_ms: 30000,
            protocols: vec![GroupProtocol {
                name: "range".into(),
                topics: vec!["events".into()],
                owned: vec![],
                generation: -1,
            }],
            assignment: vec![],
            awaiting_join: false,
            awaiting_sync: false,
            synced: true,
            expires_at_us: 0,
        });
        let r = group_record(&g, &[("c-1".into(), vec![tp.clone()])]);
        match parse_record(r.key.as_deref().unwrap(), &r.value) {
            Some(OffsetsRecord::Group {
                generation,
                members,
                ..
            }) => {
                assert_eq!(generation, 3);
                assert_eq!(members[0].assignment, vec![tp]);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(parse_record("offset:x", "1"), None);
        assert_eq!(parse_record("group:g", "x;;;"), None);
        assert_eq!(parse_record("whatever", "1"), None);
    }
}
