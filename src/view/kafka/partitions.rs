//! The Partitions panel's model: one row per topic-partition (user topics first, then
//! `__consumer_offsets`), read from the world at the cursor.
//!
//! A row's leader, leader epoch and ISR are the **controller's** view (its context, as it last
//! wrote the `state` znode); with no active controller they are the `state` znode's in the
//! freshest running ZooKeeper server, and with neither, what the brokers' own replicas say.
//! Each replica cell adds that replica's **own** view — the role and leader epoch it was last
//! told, its log end offset and high watermark — and is marked stale when it still acts as
//! leader in an older epoch or for a leader the controller replaced (a zombie) or has not
//! heard of the current epoch yet.
//!
//! Simplified: a partition is offline only when it has no leader (`-1`), as the controller
//! records it; a leader that just died counts until the controller reacts.

use crate::cluster::kafka::checks::controller::partition_states;
use crate::cluster::kafka::{brokers, controller};
use crate::cluster::ClusterWorld;
use crate::kafka::broker::{Broker, ReplicaRole};
use crate::sim::NodeId;

/// One replica of a partition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplicaCell {
    pub broker: i32,
    /// Its node, if the broker exists.
    pub node: Option<NodeId>,
    pub up: bool,
    pub in_isr: bool,
    /// Its own view: `L` (leads), `F` (follows) or empty (not told, or down).
    pub own: &'static str,
    /// The leader epoch it was last told (-1: none).
    pub own_epoch: i32,
    /// Acts on an older epoch or leadership than the controller's.
    pub stale: bool,
    /// Log end offset and high watermark (-1: no log here).
    pub leo: i64,
    pub hw: i64,
}

/// One topic-partition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartitionRow {
    /// `events-0`.
    pub name: String,
    pub topic: String,
    pub partition: i32,
    /// An internal topic (`__consumer_offsets`).
    pub internal: bool,
    /// In assignment order; the first is the preferred leader.
    pub replicas: Vec<ReplicaCell>,
    /// -1: no leader.
    pub leader: i32,
    pub preferred: i32,
    pub leader_epoch: i32,
    pub isr: Vec<i32>,
    pub under_replicated: bool,
    pub offline: bool,
    /// Whose view the row shows: `controller`, `ZooKeeper` or `brokers`.
    pub source: &'static str,
}

impl PartitionRow {
    /// The ISR as `3,1` (the `data-isr` hook).
    pub fn isr_text(&self) -> String {
        ids_text(&self.isr)
    }

    /// Whether the actual leader is not the preferred one.
    pub fn off_preferred(&self) -> bool {
        self.leader >= 0 && self.leader != self.preferred
    }
}

/// Every partition.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PartitionTable {
    pub rows: Vec<PartitionRow>,
    /// The active controller's broker id.
    pub controller: Option<i32>,
}

/// Ids joined by commas: `3,1`.
pub fn ids_text(ids: &[i32]) -> String {
    let mut s = String::new();
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&id.to_string());
    }
    s
}

/// (leader, leader epoch, ISR) and where it was read.
type Truth = (i32, i32, Vec<i32>, &'static str);

/// The table at the world's current step.
pub fn partition_table(world: &ClusterWorld) -> PartitionTable {
    let all: Vec<(NodeId, &Broker)> = brokers(world).collect();
    let ctl = controller(world).and_then(|(_, b)| b.controller.as_ref().map(|c| (b.id, c)));
    let zk = partition_states(world);
    // Sorted and each once; a binary-search insert rather than a sort keeps a sort
    // instantiation out of the wasm bundle.
    let mut keys: Vec<(String, i32)> = Vec::new();
    let mut add = |k: (String, i32)| {
        if let Err(at) = keys.binary_search(&k) {
            keys.insert(at, k);
        }
    };
    if let Some((_, c)) = ctl {
        c.partitions.keys().for_each(|k| add(k.clone()));
    }
    zk.iter().for_each(|(t, p, _, _)| add((t.clone(), *p)));
    for (_, b) in &all {
        b.replicas.keys().for_each(|k| add(k.clone()));
    }
    // User topics first, then internal ones.
    let internal = |k: &(String, i32)| k.0.starts_with("__");
    let keys: Vec<(String, i32)> = keys
        .iter()
        .filter(|k| !internal(k))
        .chain(keys.iter().filter(|k| internal(k)))
        .cloned()
        .collect();
    let rows = keys
        .into_iter()
        .map(|k| {
            let cp = ctl.and_then(|(_, c)| c.partitions.get(&k));
            let mut replicas: Vec<i32> = cp.map(|cp| cp.replicas.clone()).unwrap_or_default();
            if replicas.is_empty() {
                replicas = all
                    .iter()
                    .filter_map(|(_, b)| b.replicas.get(&k))
                    .map(|r| r.replicas.clone())
                    .find(|r| !r.is_empty())
                    .unwrap_or_else(|| {
                        all.iter()
                            .filter(|(_, b)| b.replicas.contains_key(&k))
                            .map(|(_, b)| b.id)
                            .collect()
                    });
            }
            let truth: Truth = if let Some(l) = cp.and_then(|cp| cp.leader_and_isr.as_ref()) {
                (l.leader, l.leader_epoch, l.isr.clone(), "controller")
            } else if let Some((_, _, _, s)) = zk.iter().find(|(t, p, _, _)| *t == k.0 && *p == k.1)
            {
                (s.leader, s.leader_epoch, s.isr.clone(), "ZooKeeper")
            } else {
                brokers_view(world, &all, &k)
            };
            row(world, &all, k, replicas, truth)
        })
        .collect();
    PartitionTable {
        rows,
        controller: ctl.map(|(id, _)| id),
    }
}

/// What the running replicas say: the leader in the highest epoch.
fn brokers_view(world: &ClusterWorld, all: &[(NodeId, &Broker)], k: &(String, i32)) -> Truth {
    all.iter()
        .filter(|(n, _)| world.is_up(*n))
        .filter_map(|(_, b)| b.replicas.get(k))
        .filter(|r| r.role == ReplicaRole::Leader)
        .max_by_key(|r| r.leader_epoch)
        .map_or((-1, -1, Vec::new(), "brokers"), |r| {
            (r.leader, r.leader_epoch, r.isr.clone(), "brokers")
        })
}

fn row(
    world: &ClusterWorld,
    all: &[(NodeId, &Broker)],
    (topic, partition): (String, i32),
    replicas: Vec<i32>,
    (leader, leader_epoch, isr, source): Truth,
) -> PartitionRow {
    let key = (topic.clone(), partition);
    let cells: Vec<ReplicaCell> = replicas
        .iter()
        .map(|&id| {
            let found = all.iter().find(|(_, b)| b.id == id);
            let node = found.map(|(n, _)| *n);
            let up = node.is_some_and(|n| world.is_up(n));
            let r = found.and_then(|(_, b)| b.replicas.get(&key));
            let (own, own_epoch) = match r.map(|r| (r.role, r.leader_epoch)) {
                Some((ReplicaRole::Leader, e)) if up => ("L", e),
                Some((ReplicaRole::Follower, e)) if up => ("F", e),
                Some((_, e)) => ("", e),
                None => ("", -1),
            };
            let stale =
                up && !own.is_empty() && (own_epoch < leader_epoch || (own == "L" && id != leader));
            ReplicaCell {
                broker: id,
                node,
                up,
                in_isr: isr.contains(&id),
                own,
                own_epoch,
                stale,
                leo: r.map_or(-1, |r| r.log.log_end_offset()),
                hw: r.map_or(-1, |r| r.log.high_watermark()),
            }
        })
        .collect();
    let offline = leader < 0;
    PartitionRow {
        name: format!("{topic}-{partition}"),
        internal: topic.starts_with("__"),
        topic,
        partition,
        preferred: replicas.first().copied().unwrap_or(-1),
        under_replicated: !offline && isr.len() < replicas.len(),
        offline,
        replicas: cells,
        leader,
        leader_epoch,
        isr,
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::{build, BuildOptions};
    use crate::sim::SEC;

    fn run_to(name: &str, seed: u64, until_us: u64) -> crate::cluster::ClusterSim {
        let mut sim = build(name, &BuildOptions::seed(seed)).unwrap();
        while sim.world.now_us() < until_us && sim.step().is_some() {}
        sim
    }

    #[test]
    fn a_settled_cluster_shows_every_partition_led_with_a_full_isr() {
        let sim = run_to("kafka-default", 1, 10 * SEC);
        let t = partition_table(&sim.world);
        let names: Vec<&str> = t.rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(&names[..3], ["events-0", "events-1", "events-2"]);
        assert!(names.contains(&"__consumer_offsets-0"), "{names:?}");
        assert!(t.controller.is_some());
        for r in t.rows.iter().filter(|r| !r.internal) {
            assert!(r.leader > 0 && !r.offline && !r.under_replicated, "{r:?}");
            assert_eq!(r.isr.len(), 3, "{r:?}");
            assert_eq!(r.source, "controller");
            assert!(r.replicas.iter().all(|c| c.in_isr && c.up && !c.stale));
            let lead = r.replicas.iter().find(|c| c.broker == r.leader).unwrap();
            assert_eq!(lead.own, "L");
            assert!(lead.leo >= lead.hw && lead.hw >= 0);
        }
        assert!(t.rows.last().unwrap().internal);
    }

    #[test]
    fn a_crashed_leader_is_replaced_from_the_isr_and_leaves_it() {
        let before = run_to("kafka-leader-failover", 1, 14 * SEC);
        let led: Vec<String> = partition_table(&before.world)
            .rows
            .into_iter()
            .filter(|r| r.leader == 3 && !r.internal)
            .map(|r| r.name)
            .collect();
        assert!(!led.is_empty());
        let after = run_to("kafka-leader-failover", 1, 30 * SEC);
        let t = partition_table(&after.world);
        for name in led {
            let r = t.rows.iter().find(|r| r.name == name).unwrap();
            assert!(r.leader != 3 && r.leader > 0, "{r:?}");
            assert!(!r.isr.contains(&3) && r.under_replicated, "{r:?}");
            assert!(r.off_preferred() || r.preferred != 3);
            let down = r.replicas.iter().find(|c| c.broker == 3).unwrap();
            assert!(!down.up && !down.in_isr);
        }
    }

    #[test]
    fn ids_are_joined_by_commas() {
        assert_eq!(ids_text(&[3, 1]), "3,1");
        assert_eq!(ids_text(&[]), "");
    }
}
