//! ZooKeeper's `mntr` figures the Kafka Metrics panel shows (`zk_server_state`,
//! `zk_znode_count`, `zk_watch_count`, `zk_ephemerals_count`, `zk_outstanding_requests`),
//! read from the world in neutral numbers so Kafka's view does not name ZooKeeper types.
//!
//! Which server: `mntr` answers per server. The node, ephemeral and outstanding counts are
//! the leader's (every server applies the same tree; the leader's pipeline is where writes
//! wait). Watches live on the server each client is connected to, so `zk_watch_count` is the
//! sum over the running servers. Simplified: `zk_outstanding_requests` is the leader's
//! proposals not yet committed (the sim has no request queue in front of them).

use crate::cluster::zk::running_servers;
use crate::cluster::ClusterWorld;
use crate::kafka::znodes::paths;
use crate::view::kafka::groups::ZkGroupZnodes;
use crate::view::names::Names;
use crate::zk::msg::ServerState;
use crate::zk::DataTree;

/// `[leader sid (0: none), znodes, watches, ephemerals, outstanding]`.
pub type Figures = [i64; 5];

/// The figures now.
pub fn figures(world: &ClusterWorld) -> Figures {
    let mut out = [0; 5];
    for (_, s) in running_servers(world) {
        out[2] += s.watches().len() as i64;
        if s.state() != ServerState::Leading {
            continue;
        }
        let tree = s.tree();
        out[0] = s.sid as i64;
        out[1] = tree.node_count() as i64;
        out[3] = tree
            .sessions()
            .keys()
            .map(|id| tree.ephemerals_of(*id).len() as i64)
            .sum();
        out[4] = s.outstanding_proposals() as i64;
    }
    out
}

/// Each running server's `zk_server_state`: `zk1 leader · zk2 follower`.
pub fn states(world: &ClusterWorld, names: &Names) -> String {
    let mut out = String::new();
    for (id, s) in running_servers(world) {
        if !out.is_empty() {
            out.push_str(" · ");
        }
        out.push_str(names.label(id));
        out.push(' ');
        out.push_str(match s.state() {
            ServerState::Leading => "leader",
            ServerState::Following => "follower",
            ServerState::Observing => "observer",
            ServerState::Looking => "looking",
        });
    }
    out
}

/// The tree of the leader, else of the running server that has applied the most.
fn tree(world: &ClusterWorld) -> Option<&DataTree> {
    running_servers(world)
        .max_by_key(|(_, s)| {
            (
                s.state() == ServerState::Leading,
                s.tree().last_processed_zxid(),
            )
        })
        .map(|(_, s)| s.tree())
}

/// A classic consumer group's znodes (`/consumers/<group>/ids`, `owners/<topic>/<p>`,
/// `offsets/<topic>/<p>`), if its `ids` node exists.
pub fn group_znodes(world: &ClusterWorld, group: &str, topic: &str) -> Option<ZkGroupZnodes> {
    let t = tree(world)?;
    let (ids, _) = t.get_children(&paths::consumer_ids(group)).ok()?;
    let by_partition = |dir: String| -> Vec<(i32, String)> {
        let names = t.get_children(&dir).map(|(c, _)| c).unwrap_or_default();
        let mut out: Vec<(i32, String)> = names
            .iter()
            .filter_map(|n| {
                let data = t.get_data(&format!("{dir}/{n}")).ok()?.0;
                Some((n.parse().ok()?, data))
            })
            .collect();
        out.sort();
        out
    };
    let offsets_dir = format!("/consumers/{group}/offsets/{topic}");
    Some(ZkGroupZnodes {
        ids,
        owners: by_partition(paths::consumer_owners(group, topic)),
        offsets: by_partition(offsets_dir)
            .into_iter()
            .filter_map(|(p, d)| Some((p, d.trim().parse().ok()?)))
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kafka_run_shows_a_leader_with_the_brokers_znodes_and_ephemerals() {
        let mut sim =
            crate::cluster::build("kafka-default", &crate::cluster::BuildOptions::seed(1)).unwrap();
        for _ in 0..3000 {
            sim.step();
        }
        let f = figures(&sim.world);
        assert!(f[0] > 0, "{f:?}");
        assert!(f[1] > 10 && f[3] >= 3, "{f:?}");
        let names = Names::from_world(&sim.world);
        assert!(states(&sim.world, &names).contains("leader"));
    }

    #[test]
    fn a_classic_group_is_read_from_its_znodes() {
        let mut sim =
            crate::cluster::build("kafka-zk-consumer", &crate::cluster::BuildOptions::seed(1))
                .unwrap();
        for _ in 0..3000 {
            sim.step();
        }
        let z = group_znodes(&sim.world, "group", "events").expect("the group's znodes");
        assert!(!z.ids.is_empty(), "{z:?}");
        assert!(!z.owners.is_empty() && !z.offsets.is_empty(), "{z:?}");
        let names = Names::from_world(&sim.world);
        let h = crate::view::kafka::history::KafkaHistory::default();
        let t = crate::view::kafka::groups::groups_table(&sim.world, &names, &h, 3000, &|g, t| {
            group_znodes(&sim.world, g, t)
        });
        let g = t
            .groups
            .iter()
            .find(|g| g.kind.starts_with("classic"))
            .unwrap();
        assert_eq!(g.id, "group");
        assert!(g
            .partitions
            .iter()
            .any(|p| p.committed >= 0 && !p.owner.is_empty()));
    }
}
