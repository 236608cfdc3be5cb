//! Consumer-group invariants (sheet C.18 items 6 and 8).
//!
//! * `kafka.one-owner-per-partition`: within one generation of a group, no partition is
//!   owned by two members that are both `STABLE` in that generation; and once the
//!   coordinator's group is `Stable` and every member of its generation is running and
//!   `STABLE` in it, every partition of the subscription is owned by exactly one of them.
//!   What is *not* guaranteed, and so not checked: members of different generations may own
//!   the same partition at the same time. A member that has not yet learned it was fenced
//!   (its session expired, it is partitioned away, its heartbeat has not come back) still
//!   believes its old assignment until a heartbeat or commit answers `ILLEGAL_GENERATION` /
//!   `UNKNOWN_MEMBER_ID`; the eager protocol bounds that window by the session timeout but
//!   does not close it, which is why duplicates are possible (sheet C.16, D3).
//! * `kafka.commit-after-processing`: an offset a consumer commits never exceeds its
//!   processed position for that partition (the next offset the application would
//!   process) at the moment it sends the commit; committing more is how records are lost
//!   when the consumer then crashes (sheet C.16, L6).

use crate::cluster::checkers::{AnyChecker, ClusterChecker};
use crate::cluster::{Node, Record};
use crate::kafka::broker::coordinator::GroupState;
use crate::kafka::consumer::MemberState;
use crate::sim::{CheckKind, CheckerInfo, NodeId, VecMap, World};

use super::super::{consumers, running_brokers};

/// The consumer-group checkers, fresh.
pub fn checkers() -> Vec<AnyChecker> {
    vec![
        AnyChecker::new(OneOwnerPerPartition),
        AnyChecker::new(CommitAfterProcessing::default()),
    ]
}

/// (group, generation, topic, partition) and the member owning it.
type Owner<'a> = ((&'a str, i32, &'a str, i32), &'a str);

/// `kafka.one-owner-per-partition`.
#[derive(Clone, Debug, Default)]
pub struct OneOwnerPerPartition;

impl ClusterChecker for OneOwnerPerPartition {
    fn info(&self) -> CheckerInfo {
        CheckerInfo {
            name: "kafka.one-owner-per-partition",
            kind: CheckKind::Always,
            description: "within a group generation each partition has at most one owner, and exactly one once the generation is stable",
        }
    }

    fn after_step(&mut self, world: &World<Node>, _rec: &Record) -> Option<String> {
        let stable: Vec<_> = consumers(world)
            .filter(|(id, c)| world.is_up(*id) && c.state == MemberState::Stable)
            .map(|(_, c)| c)
            .collect();
        let mut owners: Vec<Owner> = Vec::new();
        for c in &stable {
            for tp in c.assignment() {
                let k = (
                    c.group_id.as_str(),
                    c.generation,
                    c.topic.as_str(),
                    tp.partition,
                );
                let other = owners.iter().find(|(o, _)| *o == k).map(|(_, n)| *n);
                owners.push((k, c.name.as_str()));
                if let Some(other) = other {
                    return Some(format!(
                        "{other} and {} both own {}-{} in generation {} of group {}",
                        c.name, tp.topic, tp.partition, c.generation, c.group_id
                    ));
                }
            }
        }
        for (_, b) in running_brokers(world) {
            for g in b.coordinator.groups.values() {
                if g.state != GroupState::Stable || g.members.is_empty() {
                    continue;
                }
                let members: Vec<_> = stable
                    .iter()
                    .filter(|c| c.group_id == g.id && c.generation == g.generation)
                    .filter(|c| g.member(&c.member_id).is_some())
                    .collect();
                if members.len() != g.members.len() {
                    continue;
                }
                let Some(first) = members.first() else {
                    continue;
                };
                let n = first.partitions.len() as i32;
                for p in 0..n {
                    let owned = members
                        .iter()
                        .any(|c| c.assigned.iter().any(|a| a.tp.partition == p));
                    if !owned {
                        return Some(format!(
                            "generation {} of group {} is stable but no member owns {}-{p}",
                            g.generation, g.id, first.topic
                        ));
                    }
                }
            }
        }
        None
    }
}

/// `kafka.commit-after-processing`.
#[derive(Clone, Debug, Default)]
pub struct CommitAfterProcessing {
    seen: VecMap<NodeId, u64>,
}

impl ClusterChecker for CommitAfterProcessing {
    fn info(&self) -> CheckerInfo {
        CheckerInfo {
            name: "kafka.commit-after-processing",
            kind: CheckKind::Always,
            description:
                "a consumer never commits an offset beyond what its application has processed",
        }
    }

    fn after_step(&mut self, world: &World<Node>, _rec: &Record) -> Option<String> {
        for (id, c) in consumers(world) {
            let before = self.seen.insert(id, c.commits_sent).unwrap_or(0);
            if c.commits_sent == before {
                continue;
            }
            if let Some(s) = c.last_commit.iter().find(|s| s.offset > s.processed) {
                return Some(format!(
                    "{} committed offset {} for {}-{} but had processed only up to offset {}: if it crashes now, records {}..{} are never processed by the group",
                    c.name,
                    s.offset,
                    s.tp.topic,
                    s.tp.partition,
                    s.processed - 1,
                    s.processed,
                    s.offset - 1
                ));
            }
        }
        None
    }
}
