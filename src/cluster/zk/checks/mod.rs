//! ZooKeeper invariants (sheet B.8 and A.6/A.7), read from the servers after every step.
//! Each checker is a struct whose name, kind and description sit beside its logic.
//!
//! * `zk.leadership`: at most one established leader per epoch.
//! * `zk.agreement`: every server delivers the same txn under the same zxid, and each server
//!   delivers in increasing zxid order (agreement, total order, primary order).
//! * `zk.committed-never-lost`: a leader established for epoch e has applied every txn
//!   committed in earlier epochs (a txn counts as committed once a serving server delivered
//!   it; txns applied while a follower syncs are only a candidate leader's history).
//! * `zk.replicas-identical`: serving servers with the same last zxid have identical trees.
//! * `zk.ephemerals-cleaned`: no ephemeral outlives its session on a serving server: its own
//!   table, a closeSession another server applied, and the leader's expiry deadline decide.
//! * `zk.watch-fires-once`: a watch notification is only sent for an armed watch, and disarms it.
//! * `zk.epochs`: acceptedEpoch >= currentEpoch on every server.
//! * `zk.recovers-after-heal` (eventually): once healed, exactly one established leader that
//!   every running voter follows while serving (observers observe it), and every connected
//!   client's server serves.
//! * `zk.leader-elected` (sometimes): a leader gets established at some point.
//! * `zk.new-epoch-fresh`: a leader's new epoch is above every acceptedEpoch its discovery
//!   quorum reported (Zab phase 1).
//! * `zk.serves-when-synced`: only an established leader or a follower past UPTODATE serves.
//! * `zk.sessions-expire`: a crashed client's session is expired by the leader in time.
//! * `zk.watch-not-lost`: an armed watch leaves a server's table only by notifying its
//!   connected client, or with the client's connection or session.
//!
//! Each checker is shown to fire on a planted bug in `tests/checkers_fire.rs`, and
//! `zooscope-cli mutants` sweeps every bug switch.

mod data;
mod fate;
mod log;

use crate::cluster::checkers::{AnyChecker, ClusterChecker};
use crate::cluster::{Node, Record};
use crate::sim::vecmap::VecMap;
use crate::sim::{healed_for, CheckKind, CheckerInfo, NodeId, World, SEC};
use crate::zk::msg::ServerState;

use super::running_servers;

pub use data::{EphemeralsCleaned, ReplicasIdentical, WatchFiresOnce};
pub use fate::{NewEpochFresh, ServesWhenSynced, SessionsExpire, WatchNotLost};
pub use log::{Agreement, CommittedNeverLost};

/// How long after healing a ZooKeeper ensemble must have recovered (FLE back-off can reach
/// 60 s, plus a sync).
pub const ZK_RECOVERY_GRACE_US: u64 = 90 * SEC;

/// Every ZooKeeper checker, fresh.
pub fn checkers() -> Vec<AnyChecker> {
    vec![
        AnyChecker::new(Leadership::default()),
        AnyChecker::new(Agreement::default()),
        AnyChecker::new(CommittedNeverLost::default()),
        AnyChecker::new(ReplicasIdentical),
        AnyChecker::new(EphemeralsCleaned::default()),
        AnyChecker::new(WatchFiresOnce::default()),
        AnyChecker::new(Epochs),
        AnyChecker::new(RecoversAfterHeal),
        AnyChecker::new(LeaderElected::default()),
        AnyChecker::new(NewEpochFresh),
        AnyChecker::new(ServesWhenSynced),
        AnyChecker::new(SessionsExpire::default()),
        AnyChecker::new(WatchNotLost::default()),
    ]
}

/// `zk.leadership`: remembers the leader established for each epoch.
#[derive(Clone, Debug, Default)]
pub struct Leadership {
    leaders: VecMap<u32, NodeId>,
}

impl ClusterChecker for Leadership {
    fn info(&self) -> CheckerInfo {
        CheckerInfo {
            name: "zk.leadership",
            kind: CheckKind::Always,
            description: "for every epoch, at most one server becomes an established leader",
        }
    }

    fn after_step(&mut self, world: &World<Node>, _rec: &Record) -> Option<String> {
        for (id, s) in running_servers(world) {
            if let Some(e) = s.established_epoch() {
                match self.leaders.get(&e) {
                    Some(other) if *other != id => {
                        return Some(format!(
                            "two leaders were established for epoch {e}: {} and {}",
                            world.label(*other),
                            world.label(id)
                        ))
                    }
                    Some(_) => {}
                    None => {
                        self.leaders.insert(e, id);
                    }
                }
            }
        }
        None
    }
}

/// `zk.epochs`.
#[derive(Clone, Debug)]
pub struct Epochs;

impl ClusterChecker for Epochs {
    fn info(&self) -> CheckerInfo {
        CheckerInfo {
            name: "zk.epochs",
            kind: CheckKind::Always,
            description: "every server's acceptedEpoch is at least its currentEpoch",
        }
    }

    fn after_step(&mut self, world: &World<Node>, rec: &Record) -> Option<String> {
        let (id, s) = super::running_server(world, rec.actor())?;
        let d = s.disk();
        (d.accepted_epoch < d.current_epoch).then(|| {
            format!(
                "{} has acceptedEpoch {} below currentEpoch {}",
                world.label(id),
                d.accepted_epoch,
                d.current_epoch
            )
        })
    }
}

/// `zk.recovers-after-heal`.
#[derive(Clone, Debug)]
pub struct RecoversAfterHeal;

impl ClusterChecker for RecoversAfterHeal {
    fn info(&self) -> CheckerInfo {
        CheckerInfo {
            name: "zk.recovers-after-heal",
            kind: CheckKind::EventuallyAfterHeal,
            description: "90 s after the last fault is healed, one leader is established and every server serves",
        }
    }

    fn after_step(&mut self, world: &World<Node>, _rec: &Record) -> Option<String> {
        if !healed_for(world, ZK_RECOVERY_GRACE_US) {
            return None;
        }
        recovered(world)
            .err()
            .map(|why| format!("the ensemble has not recovered 90 s after healing: {why}"))
    }
}

/// `zk.leader-elected`.
#[derive(Clone, Debug, Default)]
pub struct LeaderElected {
    reached: bool,
}

impl ClusterChecker for LeaderElected {
    fn info(&self) -> CheckerInfo {
        CheckerInfo {
            name: "zk.leader-elected",
            kind: CheckKind::Sometimes,
            description: "at some point a leader is established",
        }
    }

    fn after_step(&mut self, world: &World<Node>, _rec: &Record) -> Option<String> {
        self.reached = self.reached || has_leader(world);
        None
    }

    fn at_end(&mut self, _world: &World<Node>) -> Option<String> {
        (!self.reached).then(|| "no leader was ever established".into())
    }
}

/// Recovered: exactly one established leader, which every running voter follows (past
/// UPTODATE) while serving, and every connected client's server is one of them, serving.
pub fn recovered(world: &World<Node>) -> Result<(), String> {
    let leaders: Vec<(NodeId, u64)> = running_servers(world)
        .filter(|(_, s)| s.established_epoch().is_some())
        .map(|(id, s)| (id, s.sid))
        .collect();
    let (l, lsid) = match leaders[..] {
        [] => return Err("no leader is established".into()),
        [one] => one,
        [(a, _), (b, _), ..] => {
            return Err(format!(
                "{} and {} both lead an established epoch",
                world.label(a),
                world.label(b)
            ))
        }
    };
    for (id, s) in running_servers(world) {
        let follows = id == l
            || s.learner_state().is_some_and(|ls| {
                ls.leader_sid == lsid
                    && ls.stage == crate::zk::server::learner::LearnerStage::Following
            });
        let state_ok = if s.is_observer() {
            s.state() == ServerState::Observing
        } else {
            matches!(s.state(), ServerState::Following | ServerState::Leading)
        };
        if !s.is_serving() || !follows || !state_ok {
            return Err(format!(
                "{} is not serving under leader {}",
                world.label(id),
                world.label(l)
            ));
        }
    }
    for (id, c) in super::clients(world).filter(|(id, _)| world.is_up(*id)) {
        let Some(server) = c.zk.connected_server() else {
            continue;
        };
        let serving = world.is_up(server)
            && world
                .node(server)
                .zk_server()
                .is_some_and(|s| s.is_serving());
        if !serving {
            return Err(format!(
                "{} holds a session on {}, which does not serve",
                world.label(id),
                world.label(server)
            ));
        }
    }
    Ok(())
}

/// Whether any running server is an established leader.
pub fn has_leader(world: &World<Node>) -> bool {
    running_servers(world).any(|(_, s)| s.established_epoch().is_some())
}
