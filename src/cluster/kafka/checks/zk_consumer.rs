//! `kafka.zk-consumer-owner`: classic consumers fetch only what their owner znodes say.
//!
//! What is guaranteed, and checked after every step: take the ZooKeeper leader (the running
//! server leading the highest established epoch) and a running classic consumer that
//! *believes it owns* its partitions — registered, no rebalance running or queued — and
//! whose session is still open in the leader's tree. Then
//!
//! 1. for every partition it fetches, `/consumers/<g>/owners/<t>/<p>` exists in the
//!    leader's tree and holds its thread id; and
//! 2. no two such consumers fetch the same partition.
//!
//! Why it holds: a consumer fetches a partition only after its ephemeral owner znode was
//! created (the create is committed by the leader before the reply), deletes that znode only
//! after it stopped fetching (a rebalance starts by emptying its registry), and nobody else
//! can create the znode while its session lives. Clause 2 follows from clause 1 (the znode
//! names one thread) and is reported separately because it is the anomaly a reader looks for.
//!
//! Not guaranteed, so not checked: a consumer whose session the leader has expired but who has
//! not heard yet (it learns on its next connection) keeps fetching as a zombie while another
//! member takes its partitions — the at-least-once duplicates of the classic consumer. With no
//! established leader nothing is checked (no tree to compare with).

use crate::cluster::checkers::{AnyChecker, ClusterChecker};
use crate::cluster::zk::running_servers;
use crate::cluster::{Node, Record};
use crate::kafka::znodes::paths;
use crate::sim::{CheckKind, CheckerInfo, World};
use crate::zk::DataTree;

use super::super::zk_consumers;

/// The classic consumer's checkers, fresh.
pub fn checkers() -> Vec<AnyChecker> {
    vec![AnyChecker::new(ZkConsumerOwner)]
}

/// `kafka.zk-consumer-owner`.
#[derive(Clone, Debug, Default)]
pub struct ZkConsumerOwner;

/// The tree of the leader of the highest established epoch, if any.
fn leader_tree(world: &World<Node>) -> Option<&DataTree> {
    running_servers(world)
        .filter_map(|(_, s)| s.established_epoch().map(|e| (e, s)))
        .max_by_key(|(e, _)| *e)
        .map(|(_, s)| s.tree())
}

impl ClusterChecker for ZkConsumerOwner {
    fn info(&self) -> CheckerInfo {
        CheckerInfo {
            name: "kafka.zk-consumer-owner",
            kind: CheckKind::Always,
            description: "a classic consumer that believes it owns a partition (registered, not rebalancing, session open at the ZooKeeper leader) fetches it only if its owner znode names the consumer's thread, so no two such consumers fetch the same partition",
        }
    }

    fn after_step(&mut self, world: &World<Node>, _rec: &Record) -> Option<String> {
        let tree = leader_tree(world)?;
        let mut fetched: Vec<(i32, &str)> = Vec::new();
        for (id, c) in zk_consumers(world) {
            let session = c.zk.client.session_id();
            if !world.is_up(id) || !c.is_settled() || !tree.sessions().contains_key(&session) {
                continue;
            }
            let me = c.thread_id();
            for p in c.owned_partitions() {
                let path = paths::consumer_owner(&c.config.group_id, &c.topic, p);
                match tree.get_data(&path) {
                    Ok((data, _)) if data == me => {}
                    Ok((data, _)) => {
                        return Some(format!(
                            "{} fetches {}-{p} but {path} names {data} in the ZooKeeper leader's tree",
                            c.name, c.topic
                        ))
                    }
                    Err(_) => {
                        return Some(format!(
                            "{} fetches {}-{p} but {path} does not exist in the ZooKeeper leader's tree",
                            c.name, c.topic
                        ))
                    }
                }
                if let Some((_, other)) = fetched.iter().find(|(q, _)| *q == p) {
                    return Some(format!(
                        "{other} and {} both fetch {}-{p}, each believing it owns it",
                        c.name, c.topic
                    ));
                }
                fetched.push((p, c.name.as_str()));
            }
        }
        None
    }
}
