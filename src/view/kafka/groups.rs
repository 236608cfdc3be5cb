//! The Groups panel: each consumer group as its coordinator has it (state, generation,
//! leader, protocol, members and their assignment) and, per partition, the committed offset,
//! the consuming member's position, the partition leader's log end offset and high
//! watermark, the lag and a small lag chart over the recent steps. A committed offset links
//! to the step at which the `OffsetCommit` that carried it reached the coordinator.
//!
//! Sources: the group coordinator of the running broker that leads the group's
//! `__consumer_offsets` partition (the highest leader epoch wins over a deposed one); the
//! consumers for positions. The classic ZooKeeper group (`/consumers/<group>/…`) is read from
//! its znodes: members from `ids`, owners from `owners/<topic>/<p>`, committed offsets from
//! `offsets/<topic>/<p>`; it has no coordinator, generation or leader.
//!
//! Lag is what `kafka-consumer-groups.sh --describe` prints: high watermark − committed
//! offset (unknown without a commit).

use crate::cluster::kafka::{consumers, running_brokers, zk_consumers};
use crate::cluster::ClusterWorld;
use crate::kafka::broker::coordinator::{Group, OFFSETS_TOPIC};
use crate::kafka::broker::{Replica, ReplicaRole};
use crate::kafka::group::TopicPartition;
use crate::sim::NodeId;
use crate::view::names::Names;

use super::history::{samples, KafkaHistory};
use super::metrics::{sparkline, SPARK_POINTS, SPARK_STEPS};

/// A member of a group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberRow {
    pub id: String,
    /// The client's node label, or `?` for a member reloaded from the log.
    pub client: String,
    pub leader: bool,
    /// `events-0, events-2`.
    pub assignment: String,
}

/// A partition a group consumes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartRow {
    /// `events-0`.
    pub name: String,
    pub owner: String,
    /// -1: none committed.
    pub committed: i64,
    /// The step whose `OffsetCommit` carried `committed`.
    pub commit_step: Option<u64>,
    /// The consumer that sent that commit and the coordinator that got it (empty if none).
    pub commit_nodes: Vec<NodeId>,
    /// The owning consumer's position (next offset to process), -1 unknown.
    pub position: i64,
    /// The current leader's log end offset and high watermark (-1: no leader).
    pub leo: i64,
    pub hw: i64,
    /// High watermark − committed, -1 unknown.
    pub lag: i64,
    /// Lag chart points (see [`sparkline`]).
    pub chart: String,
}

/// A group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupRow {
    pub id: String,
    /// `consumer group` or `classic (ZooKeeper)`.
    pub kind: &'static str,
    pub state: String,
    /// -1 for a classic group.
    pub generation: i32,
    pub leader: String,
    pub protocol: String,
    pub coordinator: String,
    pub members: Vec<MemberRow>,
    pub partitions: Vec<PartRow>,
}

/// The panel's content.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct GroupsTable {
    pub groups: Vec<GroupRow>,
}

/// Every group a coordinator holds now: (coordinator broker id, group), one per id.
fn coordinated(world: &ClusterWorld) -> Vec<(i32, &Group)> {
    let mut out: Vec<(i32, i32, &Group)> = Vec::new();
    for (_, b) in running_brokers(world) {
        for g in b.coordinator.groups.values() {
            let Some(r) = b
                .replicas
                .get(&(OFFSETS_TOPIC.to_string(), g.partition))
                .filter(|r| r.role == ReplicaRole::Leader)
            else {
                continue;
            };
            match out.iter_mut().find(|(_, _, x)| x.id == g.id) {
                Some(e) if e.1 < r.leader_epoch => *e = (b.id, r.leader_epoch, g),
                Some(_) => {}
                None => out.push((b.id, r.leader_epoch, g)),
            }
        }
    }
    out.sort_by(|a, b| a.2.id.cmp(&b.2.id));
    out.into_iter().map(|(b, _, g)| (b, g)).collect()
}

/// The current leader replica of a partition: running, leading, highest leader epoch.
fn leader_of<'a>(world: &'a ClusterWorld, topic: &str, partition: i32) -> Option<&'a Replica> {
    let key = (topic.to_string(), partition);
    running_brokers(world)
        .filter_map(|(_, b)| b.replicas.get(&key))
        .filter(|r| r.role == ReplicaRole::Leader)
        .max_by_key(|r| r.leader_epoch)
}

fn lag_of(world: &ClusterWorld, tp: &TopicPartition, committed: i64) -> i64 {
    match leader_of(world, &tp.topic, tp.partition) {
        Some(r) if committed >= 0 => (r.log.high_watermark() - committed).max(0),
        _ => -1,
    }
}

/// Each coordinated group's lag per committed partition (what the history charts).
pub fn lags(world: &ClusterWorld) -> Vec<(&str, &TopicPartition, i64)> {
    let mut out = Vec::new();
    for (_, g) in coordinated(world) {
        for (tp, off) in g.offsets.iter() {
            out.push((g.id.as_str(), tp, lag_of(world, tp, *off)));
        }
    }
    out
}

fn tp_name(tp: &TopicPartition) -> String {
    let mut s = tp.topic.clone();
    s.push('-');
    s.push_str(&tp.partition.to_string());
    s
}

fn join(tps: &[TopicPartition]) -> String {
    tps.iter().map(tp_name).collect::<Vec<_>>().join(", ")
}

/// The groups at `cursor`.
pub fn groups_table(
    world: &ClusterWorld,
    names: &Names,
    history: &KafkaHistory,
    cursor: u64,
    zk_group: &dyn Fn(&str, &str) -> Option<ZkGroupZnodes>,
) -> GroupsTable {
    let mut groups: Vec<GroupRow> = coordinated(world)
        .into_iter()
        .map(|(broker, g)| group_row(world, names, history, cursor, broker, g))
        .collect();
    let mut seen: Vec<&str> = Vec::new();
    for (_, c) in zk_consumers(world) {
        let g = c.config.group_id.as_str();
        if seen.contains(&g) {
            continue;
        }
        seen.push(g);
        if let Some(z) = zk_group(g, &c.topic) {
            groups.push(zk_group_row(world, g, &c.topic, z));
        }
    }
    GroupsTable { groups }
}

fn group_row(
    world: &ClusterWorld,
    names: &Names,
    history: &KafkaHistory,
    cursor: u64,
    broker: i32,
    g: &Group,
) -> GroupRow {
    let label = |client: Option<crate::sim::NodeId>| match client {
        Some(id) => names.label(id).to_string(),
        None => "?".to_string(),
    };
    let members: Vec<MemberRow> = g
        .members
        .iter()
        .map(|m| MemberRow {
            id: m.id.clone(),
            client: label(m.client),
            leader: g.leader.as_deref() == Some(m.id.as_str()),
            assignment: join(&m.assignment),
        })
        .collect();
    let mut tps: Vec<&TopicPartition> = g.offsets.keys().collect();
    for m in &g.members {
        tps.extend(m.assignment.iter());
    }
    tps.sort();
    tps.dedup();
    let partitions = tps
        .into_iter()
        .map(|tp| {
            let owner = g.members.iter().find(|m| m.assignment.contains(tp));
            let committed = g.offsets.get(tp).copied().unwrap_or(-1);
            let leader = leader_of(world, &tp.topic, tp.partition);
            let position = consumers(world)
                .filter(|(id, c)| world.is_up(*id) && c.group_id == g.id)
                .flat_map(|(_, c)| c.assigned.iter())
                .find(|a| a.tp == *tp)
                .map_or(-1, |a| a.processed);
            let chart = history
                .lag(&g.id, &tp.topic, tp.partition)
                .map(|s| sparkline(&samples(s, cursor, SPARK_STEPS, SPARK_POINTS)))
                .unwrap_or_default();
            let seen = (committed >= 0)
                .then(|| history.commit_seen(&g.id, &tp.topic, tp.partition, committed, cursor))
                .flatten();
            PartRow {
                name: tp_name(tp),
                owner: owner.map_or(String::new(), |m| label(m.client)),
                committed,
                commit_step: seen.map(|c| c.step),
                commit_nodes: seen.map_or(Vec::new(), |c| c.nodes.to_vec()),
                position,
                leo: leader.map_or(-1, |r| r.log.log_end_offset()),
                hw: leader.map_or(-1, |r| r.log.high_watermark()),
                lag: lag_of(world, tp, committed),
                chart,
            }
        })
        .collect();
    GroupRow {
        id: g.id.clone(),
        kind: "consumer group",
        state: g.state.name().to_string(),
        generation: g.generation,
        leader: g
            .leader
            .as_deref()
            .and_then(|l| members.iter().find(|m| m.id == l))
            .map_or(String::new(), |m| m.client.clone()),
        protocol: g.protocol.clone().unwrap_or_default(),
        coordinator: crate::kafka::broker::host_of(broker),
        members,
        partitions,
    }
}

/// What a classic group's znodes hold: member ids (with data), owners and offsets by
/// partition.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ZkGroupZnodes {
    pub ids: Vec<String>,
    /// (partition, owning consumer thread id).
    pub owners: Vec<(i32, String)>,
    /// (partition, committed offset).
    pub offsets: Vec<(i32, i64)>,
}

/// The host in a classic consumer id or thread id (`<group>_<host>-<ms>-<uuid>[-<n>]`).
fn classic_label(group: &str, id: &str) -> String {
    let rest = id
        .strip_prefix(group)
        .and_then(|r| r.strip_prefix('_'))
        .unwrap_or(id);
    let mut host = rest;
    // The host ends before the start time: the first `-` followed by a long number.
    for (i, _) in rest.match_indices('-') {
        let tail = &rest[i + 1..];
        let digits = tail.bytes().take_while(u8::is_ascii_digit).count();
        if digits >= 3 && tail.as_bytes().get(digits) == Some(&b'-') {
            host = &rest[..i];
            break;
        }
    }
    host.to_string()
}

fn zk_group_row(world: &ClusterWorld, group: &str, topic: &str, z: ZkGroupZnodes) -> GroupRow {
    let mut parts: Vec<i32> = z.owners.iter().map(|(p, _)| *p).collect();
    parts.extend(z.offsets.iter().map(|(p, _)| *p));
    parts.sort_unstable();
    parts.dedup();
    let rebalancing = zk_consumers(world)
        .any(|(id, c)| world.is_up(id) && c.config.group_id == group && c.rebalance.is_some());
    let members = z
        .ids
        .iter()
        .map(|id| MemberRow {
            id: id.clone(),
            client: classic_label(group, id),
            leader: false,
            assignment: z
                .owners
                .iter()
                .filter(|(_, o)| o.starts_with(id.as_str()))
                .map(|(p, _)| tp_name(&TopicPartition::new(topic, *p)))
                .collect::<Vec<_>>()
                .join(", "),
        })
        .collect();
    let partitions = parts
        .into_iter()
        .map(|p| {
            let tp = TopicPartition::new(topic, p);
            let committed = z
                .offsets
                .iter()
                .find(|(q, _)| *q == p)
                .map_or(-1, |(_, o)| *o);
            let leader = leader_of(world, topic, p);
            PartRow {
                name: tp_name(&tp),
                owner: z
                    .owners
                    .iter()
                    .find(|(q, _)| *q == p)
                    .map_or(String::new(), |(_, o)| classic_label(group, o)),
                committed,
                commit_step: None,
                commit_nodes: Vec::new(),
                position: -1,
                leo: leader.map_or(-1, |r| r.log.log_end_offset()),
                hw: leader.map_or(-1, |r| r.log.high_watermark()),
                lag: lag_of(world, &tp, committed),
                chart: String::new(),
            }
        })
        .collect();
    GroupRow {
        id: group.to_string(),
        kind: "classic (ZooKeeper)",
        state: if rebalancing { "Rebalancing" } else { "Stable" }.to_string(),
        generation: -1,
        leader: String::new(),
        protocol: "range".into(),
        coordinator: "ZooKeeper".into(),
        members,
        partitions,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::{build, BuildOptions};

    fn table_at(name: &str, steps: u64) -> GroupsTable {
        table_and_names(name, steps).0
    }

    fn table_and_names(name: &str, steps: u64) -> (GroupsTable, Names) {
        let mut sim = build(name, &BuildOptions::seed(1)).unwrap();
        let mut h = KafkaHistory::default();
        for _ in 0..steps {
            let Some(rec) = sim.step() else { break };
            h.observe(&rec, &sim.world, &|_| [0; 5]);
        }
        let names = Names::from_world(&sim.world);
        let t = groups_table(&sim.world, &names, &h, steps, &|_, _| None);
        (t, names)
    }

    #[test]
    fn a_stable_group_shows_members_assignment_commits_and_lag() {
        let (t, names) = table_and_names("kafka-consumer-rebalance", 3000);
        let g = &t.groups[0];
        assert_eq!((g.id.as_str(), g.state.as_str()), ("my-group", "Stable"));
        assert_eq!(g.members.len(), 2);
        assert!(g.generation >= 1 && !g.leader.is_empty() && !g.protocol.is_empty());
        assert_eq!(g.partitions.len(), 3);
        let committed: Vec<&PartRow> = g.partitions.iter().filter(|p| p.committed > 0).collect();
        assert!(!committed.is_empty(), "{g:?}");
        assert!(committed
            .iter()
            .all(|p| p.commit_step.is_some() && p.hw >= p.committed));
        assert!(committed.iter().any(|p| !p.chart.is_empty()));
        // Each commit names the consumer that sent it and the coordinator that got it.
        for p in &committed {
            let labels: Vec<&str> = p.commit_nodes.iter().map(|n| names.label(*n)).collect();
            assert_eq!(labels.len(), 2, "{p:?}");
            assert!(labels[0].starts_with("consumer-"), "{labels:?}");
            assert_eq!(labels[1], g.coordinator, "{labels:?}");
        }
    }

    #[test]
    fn a_classic_consumer_is_named_by_its_host() {
        assert_eq!(
            classic_label("group", "group_consumer-1-4000-88563b7f"),
            "consumer-1"
        );
        assert_eq!(
            classic_label("group", "group_consumer-12-4500-9e-0"),
            "consumer-12"
        );
        assert_eq!(classic_label("g", "odd"), "odd");
    }

    #[test]
    fn a_dead_member_leaves_one_member_with_every_partition_in_a_later_generation() {
        let before = table_at("kafka-consumer-rebalance", 3000);
        let after = table_at("kafka-consumer-rebalance", 4500);
        let (b, a) = (&before.groups[0], &after.groups[0]);
        assert!(
            a.generation > b.generation,
            "{} -> {}",
            b.generation,
            a.generation
        );
        assert_eq!(a.members.len(), 1);
        assert_eq!(a.members[0].assignment.matches("events-").count(), 3);
    }
}
