//! Invariant checkers for every protocol, behind one enum so a `Sim` can hold them.

use std::collections::BTreeMap;

use crate::sim::{
    healed_for, CheckKind, Checker, CheckerInfo, EventRecord, Input, NodeId, World, MS, SEC,
};

use super::zk_checks::{self, AgreementState, CommittedState, WatchState};
use super::{Node, Record};

/// How long after healing a ZooKeeper ensemble must have recovered (FLE back-off can reach
/// 60 s, plus a sync).
pub const ZK_RECOVERY_GRACE_US: u64 = 90 * SEC;

/// Every checker the cluster knows.
#[derive(Clone, Debug)]
pub enum AnyChecker {
    /// After healing, every running member sees every other running member alive.
    HeartbeatViewsConverge,
    /// Nobody keeps seeing a crashed member alive for longer than the timeout. Remembers when
    /// each member went down.
    HeartbeatDeadDetected {
        down_since: BTreeMap<NodeId, crate::sim::TimeUs>,
    },
    /// At some point some member sees all its peers alive.
    HeartbeatFullViewReached {
        reached: bool,
    },
    ZkLeadership {
        leaders: BTreeMap<u32, NodeId>,
    },
    ZkAgreement(Box<AgreementState>),
    ZkCommittedNeverLost(Box<CommittedState>),
    ZkReplicasIdentical,
    ZkEphemeralsCleaned,
    ZkWatchFiresOnce(Box<WatchState>),
    ZkEpochs,
    ZkRecoversAfterHeal,
    ZkLeaderElected {
        reached: bool,
    },
}

impl AnyChecker {
    /// The ZooKeeper checkers.
    pub fn zk_set() -> Vec<AnyChecker> {
        vec![
            AnyChecker::ZkLeadership {
                leaders: BTreeMap::new(),
            },
            AnyChecker::ZkAgreement(Box::default()),
            AnyChecker::ZkCommittedNeverLost(Box::default()),
            AnyChecker::ZkReplicasIdentical,
            AnyChecker::ZkEphemeralsCleaned,
            AnyChecker::ZkWatchFiresOnce(Box::default()),
            AnyChecker::ZkEpochs,
            AnyChecker::ZkRecoversAfterHeal,
            AnyChecker::ZkLeaderElected { reached: false },
        ]
    }

    /// The checkers of the heartbeat demo protocol.
    pub fn heartbeat_set() -> Vec<AnyChecker> {
        vec![
            AnyChecker::HeartbeatViewsConverge,
            AnyChecker::HeartbeatDeadDetected {
                down_since: BTreeMap::new(),
            },
            AnyChecker::HeartbeatFullViewReached { reached: false },
        ]
    }
}

fn members(world: &World<Node>) -> impl Iterator<Item = (NodeId, &crate::heartbeat::Member)> {
    world.node_ids().filter_map(move |id| match world.node(id) {
        Node::Heartbeat(m) => Some((id, m)),
        _ => None,
    })
}

impl Checker<Node> for AnyChecker {
    fn info(&self) -> CheckerInfo {
        match self {
            AnyChecker::HeartbeatViewsConverge => CheckerInfo {
                name: "heartbeat.views-converge",
                kind: CheckKind::EventuallyAfterHeal,
                description: "once the network is healed and every member is up, each member sees all the others alive",
            },
            AnyChecker::HeartbeatDeadDetected { .. } => CheckerInfo {
                name: "heartbeat.dead-detected",
                kind: CheckKind::Always,
                description: "a crashed member is not seen alive by anyone for longer than the timeout plus the worst latency",
            },
            AnyChecker::HeartbeatFullViewReached { .. } => CheckerInfo {
                name: "heartbeat.full-view-reached",
                kind: CheckKind::Sometimes,
                description: "at some point some member sees all of its peers alive",
            },
            AnyChecker::ZkLeadership { .. } => CheckerInfo {
                name: "zk.leadership",
                kind: CheckKind::Always,
                description: "for every epoch, at most one server becomes an established leader",
            },
            AnyChecker::ZkAgreement(_) => CheckerInfo {
                name: "zk.agreement",
                kind: CheckKind::Always,
                description: "every server delivers the same transaction under the same zxid, in zxid order",
            },
            AnyChecker::ZkCommittedNeverLost(_) => CheckerInfo {
                name: "zk.committed-never-lost",
                kind: CheckKind::Always,
                description: "a new leader has every transaction committed in earlier epochs",
            },
            AnyChecker::ZkReplicasIdentical => CheckerInfo {
                name: "zk.replicas-identical",
                kind: CheckKind::Always,
                description: "serving servers that applied up to the same zxid have identical data trees",
            },
            AnyChecker::ZkEphemeralsCleaned => CheckerInfo {
                name: "zk.ephemerals-cleaned",
                kind: CheckKind::Always,
                description: "no ephemeral znode outlives the session that owns it",
            },
            AnyChecker::ZkWatchFiresOnce(_) => CheckerInfo {
                name: "zk.watch-fires-once",
                kind: CheckKind::Always,
                description: "a watch fires at most once: each notification consumes an armed watch",
            },
            AnyChecker::ZkEpochs => CheckerInfo {
                name: "zk.epochs",
                kind: CheckKind::Always,
                description: "every server's acceptedEpoch is at least its currentEpoch",
            },
            AnyChecker::ZkRecoversAfterHeal => CheckerInfo {
                name: "zk.recovers-after-heal",
                kind: CheckKind::EventuallyAfterHeal,
                description: "90 s after the last fault is healed, one leader is established and every server serves",
            },
            AnyChecker::ZkLeaderElected { .. } => CheckerInfo {
                name: "zk.leader-elected",
                kind: CheckKind::Sometimes,
                description: "at some point a leader is established",
            },
        }
    }

    fn after_step(&mut self, world: &World<Node>, rec: &Record) -> Option<String> {
        let now = world.now_us();
        match self {
            AnyChecker::HeartbeatViewsConverge => {
                if !healed_for(world, 2_000 * MS) {
                    return None;
                }
                for (id, m) in members(world) {
                    let view = m.alive_view(now);
                    if let Some(p) = m.peers.iter().find(|p| !view.contains(p)) {
                        return Some(format!(
                            "{} still does not see {} alive two seconds after the network healed",
                            world.label(id),
                            world.label(*p)
                        ));
                    }
                }
                None
            }
            AnyChecker::HeartbeatDeadDetected { down_since } => {
                match &rec.event {
                    EventRecord::Input(Input::Crash(n)) => {
                        down_since.entry(*n).or_insert(now);
                    }
                    EventRecord::Input(Input::Restart(n)) => {
                        down_since.remove(n);
                    }
                    _ => {}
                }
                for (id, m) in members(world).filter(|(id, _)| world.is_up(*id)) {
                    for p in m.alive_view(now) {
                        let Some(since) = down_since.get(&p) else {
                            continue;
                        };
                        // Heard within the timeout although down for longer than the timeout
                        // plus the worst latency: a message from the dead arrived late.
                        if now.saturating_sub(*since) > m.timeout_us + 50 * MS {
                            return Some(format!(
                                "{} still sees {} alive although it has been down for {} ms",
                                world.label(id),
                                world.label(p),
                                (now - since) / MS
                            ));
                        }
                    }
                }
                None
            }
            AnyChecker::HeartbeatFullViewReached { reached } => {
                if !*reached {
                    *reached =
                        members(world).any(|(_, m)| m.alive_view(now).len() == m.peers.len());
                }
                None
            }
            AnyChecker::ZkLeadership { leaders } => zk_checks::check_leadership(world, leaders),
            AnyChecker::ZkAgreement(st) => zk_checks::check_agreement(world, rec, st),
            AnyChecker::ZkCommittedNeverLost(st) => zk_checks::check_committed(world, rec, st),
            AnyChecker::ZkReplicasIdentical => zk_checks::check_replicas(world, rec),
            AnyChecker::ZkEphemeralsCleaned => zk_checks::check_ephemerals(world, rec),
            AnyChecker::ZkWatchFiresOnce(st) => zk_checks::check_watches(rec, st),
            AnyChecker::ZkEpochs => zk_checks::check_epochs(world, rec),
            AnyChecker::ZkRecoversAfterHeal => {
                if !healed_for(world, ZK_RECOVERY_GRACE_US) {
                    return None;
                }
                zk_checks::recovered(world)
                    .err()
                    .map(|why| format!("the ensemble has not recovered 90 s after healing: {why}"))
            }
            AnyChecker::ZkLeaderElected { reached } => {
                *reached = *reached || zk_checks::has_leader(world);
                None
            }
        }
    }

    fn at_end(&mut self, _world: &World<Node>) -> Option<String> {
        match self {
            AnyChecker::HeartbeatFullViewReached { reached: false } => {
                Some("no member ever saw all of its peers alive".into())
            }
            AnyChecker::ZkLeaderElected { reached: false } => {
                Some("no leader was ever established".into())
            }
            _ => None,
        }
    }
}
