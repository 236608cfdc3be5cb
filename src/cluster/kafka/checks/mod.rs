//! Kafka invariants (sheet C.18), read from the brokers after every step.
//!
//! * `kafka.one-controller-per-epoch`: no two brokers act as controller for the same epoch.
//! * `kafka.one-leader-per-epoch`: per partition, no two brokers lead in the same leader epoch.
//! * `kafka.high-watermark`: on a leader the HW never goes backwards within its epoch, and it
//!   never passes the LEO of a running ISR member.
//! * `kafka.clean-election`, `kafka.controller-fencing`: see [`controller`] (read from
//!   ZooKeeper's `state` znodes).

pub mod zk_consumer;

pub mod groups;

use crate::sim::VecMap;

use crate::cluster::checkers::{AnyChecker, ClusterChecker};
use crate::cluster::{Node, Record};
use crate::kafka::broker::ReplicaRole;
use crate::sim::{CheckKind, CheckerInfo, NodeId, World};

use super::running_brokers;

pub mod controller;
pub mod data;

/// Every Kafka checker, fresh.
pub fn checkers() -> Vec<AnyChecker> {
    vec![
        AnyChecker::new(OneControllerPerEpoch::default()),
        AnyChecker::new(OneLeaderPerEpoch::default()),
        AnyChecker::new(HighWatermark::default()),
        AnyChecker::new(controller::CleanElection::default()),
        AnyChecker::new(controller::ControllerFencing::default()),
    ]
}

/// `kafka.one-controller-per-epoch`.
#[derive(Clone, Debug, Default)]
pub struct OneControllerPerEpoch {
    controllers: VecMap<i32, i32>,
}

impl ClusterChecker for OneControllerPerEpoch {
    fn info(&self) -> CheckerInfo {
        CheckerInfo {
            name: "kafka.one-controller-per-epoch",
            kind: CheckKind::Always,
            description: "for every controller epoch, at most one broker acts as controller",
        }
    }

    fn after_step(&mut self, world: &World<Node>, _rec: &Record) -> Option<String> {
        for (_, b) in running_brokers(world) {
            let Some(e) = b.controller_epoch() else {
                continue;
            };
            match self.controllers.get(&e) {
                Some(&other) if other != b.id => {
                    return Some(format!(
                        "brokers {other} and {} both act as controller of epoch {e}",
                        b.id
                    ))
                }
                Some(_) => {}
                None => {
                    self.controllers.insert(e, b.id);
                }
            }
        }
        None
    }
}

/// `kafka.one-leader-per-epoch`.
#[derive(Clone, Debug, Default)]
pub struct OneLeaderPerEpoch {
    leaders: VecMap<(String, i32, i32), i32>,
}

impl ClusterChecker for OneLeaderPerEpoch {
    fn info(&self) -> CheckerInfo {
        CheckerInfo {
            name: "kafka.one-leader-per-epoch",
            kind: CheckKind::Always,
            description: "for every partition and leader epoch, at most one broker leads",
        }
    }

    fn after_step(&mut self, world: &World<Node>, _rec: &Record) -> Option<String> {
        for (_, b) in running_brokers(world) {
            for r in b.replicas.values() {
                if r.role != ReplicaRole::Leader {
                    continue;
                }
                let k = (r.topic.clone(), r.partition, r.leader_epoch);
                match self.leaders.get(&k) {
                    Some(&other) if other != b.id => {
                        return Some(format!(
                            "brokers {other} and {} both lead {}-{} in leader epoch {}",
                            b.id, r.topic, r.partition, r.leader_epoch
                        ))
                    }
                    Some(_) => {}
                    None => {
                        self.leaders.insert(k, b.id);
                    }
                }
            }
        }
        None
    }
}

/// `kafka.high-watermark`.
#[derive(Clone, Debug, Default)]
pub struct HighWatermark {
    last: VecMap<(NodeId, String, i32, i32), i64>,
}

impl ClusterChecker for HighWatermark {
    fn info(&self) -> CheckerInfo {
        CheckerInfo {
            name: "kafka.high-watermark",
            kind: CheckKind::Always,
            description: "a leader's high watermark never goes backwards and never passes the log end of an in-sync replica",
        }
    }

    fn after_step(&mut self, world: &World<Node>, _rec: &Record) -> Option<String> {
        let leo_of = |broker: i32, t: &str, p: i32| {
            running_brokers(world)
                .find(|(_, b)| b.id == broker)
                .and_then(|(_, b)| b.replicas.get(&(t.to_string(), p)))
                .map(|r| r.log.log_end_offset())
        };
        for (id, b) in running_brokers(world) {
            for r in b.replicas.values() {
                if r.role != ReplicaRole::Leader {
                    continue;
                }
                let hw = r.log.high_watermark();
                let k = (id, r.topic.clone(), r.partition, r.leader_epoch);
                if let Some(&prev) = self.last.get(&k) {
                    if hw < prev {
                        return Some(format!(
                            "broker {} leads {}-{}: its high watermark went back from {prev} to {hw}",
                            b.id, r.topic, r.partition
                        ));
                    }
                }
                self.last.insert(k, hw);
                for &m in &r.isr {
                    if let Some(leo) = leo_of(m, &r.topic, r.partition) {
                        if hw > leo {
                            return Some(format!(
                                "{}-{}: the leader's high watermark {hw} passes the log end {leo} of in-sync broker {m}",
                                r.topic, r.partition
                            ));
                        }
                    }
                }
            }
        }
        None
    }
}
