//! Checkers added so that every planted bug (see [`crate::zk::bugs`]) has a checker that
//! catches it: `zk.new-epoch-fresh`, `zk.serves-when-synced`, `zk.sessions-expire` and
//! `zk.watch-not-lost`.

use crate::cluster::checkers::ClusterChecker;
use crate::cluster::zk::{running_server, running_servers};
use crate::cluster::{Node, Record};
use crate::sim::{CheckKind, CheckerInfo, EventRecord, Input, NodeId, TimeUs, World, MS, SEC};
use crate::zk::msg::ClientPacket;
use crate::zk::server::learner::LearnerStage;
use crate::zk::{self, SessionId};

/// `zk.new-epoch-fresh`.
#[derive(Clone, Debug)]
pub struct NewEpochFresh;

impl ClusterChecker for NewEpochFresh {
    fn info(&self) -> CheckerInfo {
        CheckerInfo {
            name: "zk.new-epoch-fresh",
            kind: CheckKind::Always,
            description: "a new epoch is above every acceptedEpoch the leader heard of",
        }
    }

    fn after_step(&mut self, world: &World<Node>, rec: &Record) -> Option<String> {
        let (id, s) = running_server(world, rec.actor())?;
        let (Some(e), max) = s.discovery_epochs()? else {
            return None;
        };
        (e <= max).then(|| {
            format!(
                "{} proposes epoch {e} although a server of its discovery quorum already accepted epoch {max}: the new epoch must be higher than all of them",
                world.label(id)
            )
        })
    }
}

/// `zk.serves-when-synced`.
#[derive(Clone, Debug)]
pub struct ServesWhenSynced;

impl ClusterChecker for ServesWhenSynced {
    fn info(&self) -> CheckerInfo {
        CheckerInfo {
            name: "zk.serves-when-synced",
            kind: CheckKind::Always,
            description: "only a leader or a follower past UPTODATE serves",
        }
    }

    fn after_step(&mut self, world: &World<Node>, rec: &Record) -> Option<String> {
        let (id, s) = running_server(world, rec.actor())?;
        if !s.is_serving() || s.is_active_leader() {
            return None;
        }
        let stage = s.learner_state().map(|l| l.stage);
        (stage != Some(LearnerStage::Following)).then(|| {
            format!(
                "{} serves clients while {}: it may answer reads from a database the leader has not finished syncing",
                world.label(id),
                match stage {
                    Some(st) => format!("its sync with the leader is at {st:?}, before UPTODATE"),
                    None => "it neither leads nor follows".into(),
                }
            )
        })
    }
}

/// `zk.sessions-expire`: crashed clients' sessions, and when each leader became active.
#[derive(Clone, Debug, Default)]
pub struct SessionsExpire {
    /// Per client node: its session and timeout, as last seen while it ran.
    sessions: Vec<(NodeId, SessionId, i32)>,
    /// Crashed clients: since when.
    down: Vec<(NodeId, TimeUs)>,
    /// The established leader and epoch, and since when.
    leader: Option<(NodeId, u32, TimeUs)>,
}

/// Extra time past a session's timeout before an unexpired session is a violation: the
/// expiry bucket (a tick), a closeSession through Zab, and a leader noticing a partition
/// (syncLimit).
const EXPIRY_GRACE_US: TimeUs = 16 * SEC;

impl ClusterChecker for SessionsExpire {
    fn info(&self) -> CheckerInfo {
        CheckerInfo {
            name: "zk.sessions-expire",
            kind: CheckKind::Always,
            description: "a crashed client's session expires in time",
        }
    }

    fn after_step(&mut self, world: &World<Node>, rec: &Record) -> Option<String> {
        let now = world.now_us();
        match &rec.event {
            EventRecord::Input(Input::Crash(n))
                if world.node(*n).zk_client().is_some() && !self.down.iter().any(|d| d.0 == *n) =>
            {
                self.down.push((*n, now));
            }
            EventRecord::Input(Input::Restart(n)) => {
                self.down.retain(|d| d.0 != *n);
            }
            _ => {}
        }
        if let Some(a) = rec.actor().filter(|a| world.is_up(*a)) {
            if let Some(c) = world.node(a).zk_client() {
                if c.zk.session_id() != 0 {
                    self.sessions.retain(|x| x.0 != a);
                    self.sessions
                        .push((a, c.zk.session_id(), c.zk.negotiated_timeout_ms()));
                }
            }
        }
        let leader =
            running_servers(world).find_map(|(id, s)| s.established_epoch().map(|e| (id, e, s)));
        let Some((lid, epoch, l)) = leader else {
            self.leader = None;
            return None;
        };
        let since = match self.leader {
            Some((i, e, t)) if i == lid && e == epoch => t,
            _ => {
                self.leader = Some((lid, epoch, now));
                now
            }
        };
        for (client, t_down) in &self.down {
            let Some((_, session, timeout)) = self.sessions.iter().find(|x| x.0 == *client) else {
                continue;
            };
            let from = (*t_down).max(since);
            let due = from + timeout.max(&0).unsigned_abs() as TimeUs * MS + EXPIRY_GRACE_US;
            if now > due && l.tree().sessions().contains_key(session) {
                return Some(format!(
                    "session 0x{session:x} of {}, crashed {} s ago, is still open at leader {} long after its {} ms timeout: the leader never expired it",
                    world.label(*client),
                    (now - t_down) / SEC,
                    world.label(lid),
                    timeout
                ));
            }
        }
        None
    }
}

/// `zk.watch-not-lost`: per server, the watches its table held after its last step.
#[derive(Clone, Debug, Default)]
pub struct WatchNotLost {
    armed: Vec<(NodeId, Vec<super::data::ArmedWatch>)>,
}

impl ClusterChecker for WatchNotLost {
    fn info(&self) -> CheckerInfo {
        CheckerInfo {
            name: "zk.watch-not-lost",
            kind: CheckKind::Always,
            description: "an armed watch goes only by notifying its client",
        }
    }

    fn after_step(&mut self, world: &World<Node>, rec: &Record) -> Option<String> {
        let id = rec.actor()?;
        let Some((_, s)) = running_server(world, Some(id)) else {
            super::data::forget(&mut self.armed, id);
            return None;
        };
        let now = super::data::armed_watches(s);
        let before = super::data::remember(&mut self.armed, id, now.clone());
        let connected = s.conns.summary();
        for (child, path, session) in before.iter().filter(|w| !now.contains(w)) {
            let Some((client, _)) = connected.iter().find(|(_, x)| *x != 0 && x == session) else {
                continue;
            };
            // The session moved to a new connection: the old one's watches went with it
            // (the client sends them again in SetWatches).
            let reconnected = rec.sends.iter().any(|m| {
                m.dst == *client
                    && matches!(
                        m.msg.zk(),
                        Some(zk::Msg::Client {
                            pkt: ClientPacket::Close { .. },
                            ..
                        })
                    )
            });
            if reconnected {
                continue;
            }
            let notified = rec.sends.iter().any(|m| {
                m.dst == *client
                    && matches!(m.msg.zk(), Some(zk::Msg::Client {
                        pkt: ClientPacket::WatcherEvent { path: p, .. }, ..
                    }) if p == path)
            });
            if !notified {
                return Some(format!(
                    "{} dropped the {} watch of {} on {path} without notifying it: a change went unannounced",
                    world.label(id),
                    if *child { "child" } else { "data" },
                    world.label(*client),
                ));
            }
        }
        None
    }
}
