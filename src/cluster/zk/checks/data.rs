//! The checkers that look at the data: `zk.replicas-identical`, `zk.ephemerals-cleaned` and
//! `zk.watch-fires-once`.

use crate::cluster::checkers::ClusterChecker;
use crate::cluster::zk::{running_server, running_servers};
use crate::cluster::{Node, Record};
use crate::sim::{CheckKind, CheckerInfo, EventRecord, NodeId, TimeUs, World, SEC};
use crate::zk::msg::{ClientOp, ClientPacket};
use crate::zk::{self, fmt_zxid, EventType, SessionId, Zxid};

/// `zk.replicas-identical`.
#[derive(Clone, Debug)]
pub struct ReplicasIdentical;

impl ClusterChecker for ReplicasIdentical {
    fn info(&self) -> CheckerInfo {
        CheckerInfo {
            name: "zk.replicas-identical",
            kind: CheckKind::Always,
            description:
                "serving servers that applied up to the same zxid have identical data trees",
        }
    }

    fn after_step(&mut self, world: &World<Node>, rec: &Record) -> Option<String> {
        let (id, s) = running_server(world, rec.actor())?;
        if !s.is_serving() {
            return None;
        }
        for (other, t) in running_servers(world) {
            if other != id
                && t.is_serving()
                && t.last_applied_zxid() == s.last_applied_zxid()
                && t.tree() != s.tree()
            {
                return Some(format!(
                    "{} and {} have both applied up to {} but their data trees differ",
                    world.label(id),
                    world.label(other),
                    fmt_zxid(s.last_applied_zxid())
                ));
            }
        }
        None
    }
}

/// `zk.ephemerals-cleaned`: each ephemeral is checked against its session's real fate, not
/// only against the table of the server holding it — a session closed on one server (its
/// closeSession applied) must leave no ephemeral on any server that has applied as far, and a
/// session the leader's tracker let run out must not keep its ephemerals for long.
#[derive(Clone, Debug, Default)]
pub struct EphemeralsCleaned {
    /// Per server serving at its last step: the sessions its table held then.
    tables: Vec<(NodeId, Vec<SessionId>)>,
    /// Sessions a serving server closed: (session, its applied zxid then, which server).
    /// Bounded: the oldest go first.
    closed: Vec<(SessionId, Zxid, NodeId)>,
}

/// The most closed sessions remembered.
const CLOSED_MAX: usize = 512;
/// How long past its tracker deadline a session may keep its ephemerals: the expiry timer
/// fires at the deadline, then closeSession needs a round of Zab.
const TRACKER_GRACE_US: TimeUs = 4 * SEC;

impl ClusterChecker for EphemeralsCleaned {
    fn info(&self) -> CheckerInfo {
        CheckerInfo {
            name: "zk.ephemerals-cleaned",
            kind: CheckKind::Always,
            description: "no ephemeral znode outlives the session that owns it: not on its own server, not on any server once another closed the session, not long past the leader's expiry deadline",
        }
    }

    fn after_step(&mut self, world: &World<Node>, rec: &Record) -> Option<String> {
        let id = rec.actor()?;
        let serving = running_server(world, Some(id)).filter(|(_, s)| s.is_serving());
        let Some((_, s)) = serving else {
            self.tables.retain(|t| t.0 != id);
            return None;
        };
        let tree = s.tree();
        let applied = tree.last_txn_zxid();
        let now: Vec<SessionId> = tree.sessions().keys().copied().collect();
        let had = match self.tables.iter_mut().find(|t| t.0 == id) {
            Some((_, t)) => std::mem::replace(t, now),
            None => {
                self.tables.push((id, now));
                Vec::new()
            }
        };
        for x in had.iter().filter(|x| !tree.sessions().contains_key(x)) {
            if self.closed.len() >= CLOSED_MAX {
                self.closed.remove(0);
            }
            self.closed.push((*x, applied, id));
        }
        let leader = running_servers(world).find(|(_, l)| l.established_epoch().is_some());
        for (path, node) in tree.nodes() {
            let owner = node.owner();
            if owner == 0 {
                continue;
            }
            if !tree.sessions().contains_key(&owner) {
                return Some(format!(
                    "{} still has ephemeral {path} of session 0x{owner:x}, which is closed",
                    world.label(id)
                ));
            }
            if let Some((_, z, by)) = self
                .closed
                .iter()
                .find(|(x, z, _)| *x == owner && *z <= applied)
            {
                return Some(format!(
                    "{} has applied up to {} but still has ephemeral {path} of session 0x{owner:x}, which {} closed by {}: the session's end never reached it",
                    world.label(id),
                    fmt_zxid(applied),
                    world.label(*by),
                    fmt_zxid(*z)
                ));
            }
            let due = leader.and_then(|(l, ls)| Some((l, ls.session_deadline_us(owner)?)));
            if let Some((l, due)) = due {
                let late = world.now_us().saturating_sub(due);
                if late > TRACKER_GRACE_US {
                    return Some(format!(
                        "session 0x{owner:x} ran out at leader {}'s session tracker {} s ago, yet {} still has its ephemeral {path}: the leader never expired it",
                        world.label(l),
                        late / SEC,
                        world.label(id)
                    ));
                }
            }
        }
        None
    }
}

/// `zk.watch-fires-once`: per server, the watches its table held after its last step.
#[derive(Clone, Debug, Default)]
pub struct WatchFiresOnce {
    armed: Vec<(NodeId, Vec<ArmedWatch>)>,
}

/// A watch in a server's table: (child watch?, path, session).
pub(super) type ArmedWatch = (bool, String, SessionId);

/// The watches in `s`'s table: armed there by a successful watching read or SetWatches.
/// (Plain vectors, not sets: the browser bundle has no room for another set type.)
pub(super) fn armed_watches(s: &zk::Server) -> Vec<ArmedWatch> {
    let w = s.watches();
    w.data_watches()
        .flat_map(|(p, ss)| ss.iter().map(move |x| (false, p.to_string(), *x)))
        .chain(
            w.child_watches()
                .flat_map(|(p, ss)| ss.iter().map(move |x| (true, p.to_string(), *x))),
        )
        .collect()
}

/// Replaces the watches remembered for `id` with `now`; returns those remembered before.
pub(super) fn remember(
    armed: &mut Vec<(NodeId, Vec<ArmedWatch>)>,
    id: NodeId,
    now: Vec<ArmedWatch>,
) -> Vec<ArmedWatch> {
    match armed.iter_mut().find(|(n, _)| *n == id) {
        Some((_, w)) => std::mem::replace(w, now),
        None => {
            armed.push((id, now));
            Vec::new()
        }
    }
}

/// Forgets what was remembered for `id` (it is down).
pub(super) fn forget(armed: &mut Vec<(NodeId, Vec<ArmedWatch>)>, id: NodeId) {
    armed.retain(|(n, _)| *n != id);
}

impl ClusterChecker for WatchFiresOnce {
    fn info(&self) -> CheckerInfo {
        CheckerInfo {
            name: "zk.watch-fires-once",
            kind: CheckKind::Always,
            description: "a watch notification is sent only for a watch the server armed, and disarms it: a watch fires at most once",
        }
    }

    fn after_step(&mut self, world: &World<Node>, rec: &Record) -> Option<String> {
        let id = rec.actor()?;
        let Some((_, s)) = running_server(world, Some(id)) else {
            forget(&mut self.armed, id);
            return None;
        };
        let now = armed_watches(s);
        let before = remember(&mut self.armed, id, now.clone());
        let mut disarmed: Vec<&ArmedWatch> = before.iter().filter(|w| !now.contains(w)).collect();
        // SetWatches on reconnect answers at once for watches that would have fired while
        // the client was away (sheet A.6 guarantee 4): those are sent without arming.
        let set_watches_from = match &rec.event {
            EventRecord::Deliver { src, msg, .. } => match msg.zk() {
                Some(zk::Msg::Client {
                    pkt:
                        ClientPacket::Request {
                            op: ClientOp::SetWatches { .. },
                            ..
                        },
                    ..
                }) => Some(*src),
                _ => None,
            },
            _ => None,
        };
        // Sessions still connected to the server, read once per step if an event needs it.
        let mut connected: Option<Vec<SessionId>> = None;
        for send in &rec.sends {
            let Some(zk::Msg::Client {
                conn,
                pkt: ClientPacket::WatcherEvent { event, path, .. },
                ..
            }) = send.msg.zk()
            else {
                continue;
            };
            if set_watches_from == Some(send.dst) {
                continue;
            }
            // The session of the connection the event goes out on: a client that crashed and
            // came back may have its old session's connection there too. A connection closed
            // in this very step (its session expired: its own ephemerals' events go out
            // first) is gone already; then the event belongs to a session no longer
            // connected.
            let session = s.conns.session_on(send.dst, *conn);
            let connected = connected
                .get_or_insert_with(|| s.conns.summary().into_iter().map(|(_, x)| x).collect());
            let owns = |w: &ArmedWatch| match session {
                Some(x) => w.2 == x,
                None => !connected.contains(&w.2),
            };
            let mut take = |child: bool| {
                let at = disarmed
                    .iter()
                    .position(|w| w.0 == child && w.1 == *path && owns(w));
                at.map(|i| disarmed.swap_remove(i)).is_some()
            };
            let ok = match event {
                EventType::NodeChildrenChanged => take(true),
                EventType::NodeDeleted => take(false) | take(true),
                _ => take(false),
            };
            if !ok {
                return Some(format!(
                    "{} sent {} {} for {path} without an armed watch: a watch fired twice",
                    world.label(id),
                    world.label(send.dst),
                    event.name()
                ));
            }
        }
        None
    }
}
