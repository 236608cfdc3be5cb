//! Controller invariants read from ZooKeeper (the most up-to-date running server's tree):
//!
//! * `kafka.clean-election`: a new partition leader was in the ISR the `state` znode held
//!   just before, unless `unclean.leader.election.enable` is on for the topic (its
//!   `/config/topics/<t>` override, else `/config/brokers/<default>`, else a broker's own
//!   setting).
//! * `kafka.controller-fencing`: a `state` write that elects a leader (a new leader epoch),
//!   made after the current `/controller_epoch` was written, carries that controller epoch —
//!   a deposed controller's elections are refused by the `/controller_epoch` check.
//!
//! Only consecutive versions of a `state` znode are compared, so a server that skipped a
//! version (a lagging follower later chosen as the freshest) never yields a false report.

use crate::sim::VecMap;

use crate::cluster::checkers::ClusterChecker;
use crate::cluster::zk::running_servers;
use crate::cluster::{Node, Record};
use crate::kafka::znodes::{decode_controller_epoch, decode_entity_config, paths, PartitionState};
use crate::sim::{CheckKind, CheckerInfo, World};
use crate::zk::{DataTree, Zxid};

use super::super::brokers;

/// The tree of the running ZooKeeper server that has applied the most.
fn freshest_tree(world: &World<Node>) -> Option<&DataTree> {
    running_servers(world)
        .map(|(_, s)| s.tree())
        .max_by_key(|t| t.last_processed_zxid())
}

/// Every partition `state` znode: path, version, mzxid and decoded state.
fn states(tree: &DataTree) -> Vec<(String, i32, Zxid, PartitionState)> {
    let mut out = Vec::new();
    let Ok((topics, _)) = tree.get_children(paths::TOPICS) else {
        return out;
    };
    for t in topics {
        let Ok((parts, _)) = tree.get_children(&paths::topic_partitions(&t)) else {
            continue;
        };
        for p in parts.iter().filter_map(|p| p.parse::<i32>().ok()) {
            let path = paths::partition_state(&t, p);
            if let Ok((data, stat)) = tree.get_data(&path) {
                if let Ok(s) = PartitionState::decode(data.as_bytes()) {
                    out.push((path, stat.version, stat.mzxid, s));
                }
            }
        }
    }
    out
}

/// Every partition's `state` znode in the freshest running server's tree, as (topic,
/// partition, mzxid, state), for the view.
pub fn partition_states(world: &World<Node>) -> Vec<(String, i32, Zxid, PartitionState)> {
    let Some(tree) = freshest_tree(world) else {
        return Vec::new();
    };
    states(tree)
        .into_iter()
        .filter_map(|(path, _, mzxid, s)| {
            let p = path.rsplit('/').nth(1)?.parse().ok()?;
            Some((topic_of(&path).to_string(), p, mzxid, s))
        })
        .collect()
}

/// The topic of a `state` path.
fn topic_of(path: &str) -> &str {
    path.strip_prefix(paths::TOPICS)
        .and_then(|r| r.strip_prefix('/'))
        .and_then(|r| r.split('/').next())
        .unwrap_or("")
}

fn unclean_enabled(world: &World<Node>, tree: &DataTree, topic: &str) -> bool {
    let key = "unclean.leader.election.enable";
    let read = |path: &str| {
        tree.get_data(path)
            .ok()
            .and_then(|(d, _)| decode_entity_config(d.as_bytes()).ok())
            .and_then(|c| c.get(key).cloned())
    };
    let v = read(&paths::config_topic(topic)).or_else(|| read("/config/brokers/<default>"));
    match v {
        Some(v) => v.eq_ignore_ascii_case("true"),
        None => brokers(world).any(|(_, b)| b.config.unclean_leader_election_enable),
    }
}

/// `kafka.clean-election`.
#[derive(Clone, Debug, Default)]
pub struct CleanElection {
    last_zxid: Zxid,
    seen: VecMap<String, (i32, PartitionState)>,
}

impl ClusterChecker for CleanElection {
    fn info(&self) -> CheckerInfo {
        CheckerInfo {
            name: "kafka.clean-election",
            kind: CheckKind::Always,
            description: "a new partition leader comes from the last ISR unless unclean leader election is enabled for the topic",
        }
    }

    fn after_step(&mut self, world: &World<Node>, _rec: &Record) -> Option<String> {
        let tree = freshest_tree(world)?;
        if tree.last_processed_zxid() == self.last_zxid {
            return None;
        }
        self.last_zxid = tree.last_processed_zxid();
        let mut report = None;
        for (path, version, _, s) in states(tree) {
            if let Some((v0, before)) = self.seen.get(&path) {
                let elected = version == v0 + 1
                    && s.leader_epoch > before.leader_epoch
                    && s.leader >= 0
                    && s.leader != before.leader
                    && !before.isr.contains(&s.leader);
                if elected && report.is_none() && !unclean_enabled(world, tree, topic_of(&path)) {
                    report = Some(format!(
                        "{}: broker {} became leader in epoch {} but was not in the ISR {:?}, and unclean.leader.election.enable is off for the topic",
                        path, s.leader, s.leader_epoch, before.isr
                    ));
                }
            }
            self.seen.insert(path, (version, s));
        }
        report
    }
}

/// `kafka.controller-fencing`.
#[derive(Clone, Debug, Default)]
pub struct ControllerFencing {
    last_zxid: Zxid,
    seen: VecMap<String, (i32, i32)>,
}

impl ClusterChecker for ControllerFencing {
    fn info(&self) -> CheckerInfo {
        CheckerInfo {
            name: "kafka.controller-fencing",
            kind: CheckKind::Always,
            description: "a leader election written after a controller epoch began carries that epoch: a deposed controller cannot write",
        }
    }

    fn after_step(&mut self, world: &World<Node>, _rec: &Record) -> Option<String> {
        let tree = freshest_tree(world)?;
        if tree.last_processed_zxid() == self.last_zxid {
            return None;
        }
        self.last_zxid = tree.last_processed_zxid();
        let (data, epoch_stat) = tree.get_data(paths::CONTROLLER_EPOCH).ok()?;
        let current = decode_controller_epoch(data.as_bytes()).ok()?;
        let mut report = None;
        for (path, version, mzxid, s) in states(tree) {
            if let Some(&(v0, epoch0)) = self.seen.get(&path) {
                let new_epoch = version == v0 + 1 && s.leader_epoch > epoch0;
                if new_epoch
                    && mzxid > epoch_stat.mzxid
                    && s.controller_epoch < current
                    && report.is_none()
                {
                    report = Some(format!(
                        "{path}: leader epoch {} was written by controller epoch {} after controller epoch {current} began: a deposed controller was not fenced",
                        s.leader_epoch, s.controller_epoch
                    ));
                }
            }
            self.seen.insert(path, (version, s.leader_epoch));
        }
        report
    }
}
