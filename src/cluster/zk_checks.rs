//! ZooKeeper invariants (sheet B.8 and A.6/A.7), read from the servers after every step.
//!
//! * `zk.leadership`: at most one established leader per epoch.
//! * `zk.agreement`: every server delivers the same txn under the same zxid, and each server
//!   delivers in increasing zxid order (agreement, total order, primary order).
//! * `zk.committed-never-lost`: a leader established for epoch e has applied every txn
//!   committed in earlier epochs (a txn counts as committed once a serving server delivered
//!   it; txns applied while a follower syncs are only a candidate leader's history).
//! * `zk.replicas-identical`: serving servers with the same last zxid have identical trees.
//! * `zk.ephemerals-cleaned`: no ephemeral outlives its session on a serving server.
//! * `zk.watch-fires-once`: a watch notification is only sent for an armed watch, and disarms it.
//! * `zk.epochs`: acceptedEpoch >= currentEpoch on every server.
//! * `zk.recovers-after-heal` (eventually): once healed, one leader and every server serving.
//! * `zk.leader-elected` (sometimes): a leader gets established at some point.

use std::collections::BTreeMap;

use crate::sim::{EventRecord, NodeId, World};
use crate::zk::msg::{ClientOp, ClientPacket, ServerState};
use crate::zk::{self, epoch_of, fmt_zxid, EventType, Zxid};

use super::{Msg, Node, Record};

/// Remembered txns (zxid → fingerprint) for the agreement check; older ones are forgotten.
const ORDER_KEPT: usize = 20_000;

/// State of the agreement checker.
#[derive(Clone, Debug, Default)]
pub struct AgreementState {
    order: BTreeMap<Zxid, u64>,
    /// Per server: (database generation, deliveries seen, last zxid delivered).
    seen: BTreeMap<NodeId, (u64, u64, Zxid)>,
}

/// State of the committed-never-lost checker: highest committed zxid per epoch.
#[derive(Clone, Debug, Default)]
pub struct CommittedState {
    max_per_epoch: BTreeMap<u32, Zxid>,
    /// Per server: (database generation, deliveries seen).
    seen: BTreeMap<NodeId, (u64, u64)>,
}

/// The deliveries of `s` not yet looked at, given what was seen: (generation, seen count).
fn fresh_deliveries<'a>(
    d: &zk::server::Deliveries<'a>,
    seen: Option<(u64, u64)>,
) -> impl Iterator<Item = &'a (Zxid, u64)> {
    let seen_total = match seen {
        Some((g, n)) if g == d.generation => n,
        _ => 0,
    };
    let fresh = d
        .total
        .saturating_sub(seen_total)
        .min(d.recent.len() as u64) as usize;
    d.recent.iter().skip(d.recent.len() - fresh)
}

/// Armed watches per (client node, path): (data, child).
#[derive(Clone, Debug, Default)]
pub struct WatchState {
    armed: BTreeMap<(NodeId, String), (bool, bool)>,
}

pub(crate) fn servers(world: &World<Node>) -> impl Iterator<Item = (NodeId, &zk::Server)> {
    world.node_ids().filter_map(move |id| match world.node(id) {
        Node::ZkServer(s) if world.is_up(id) => Some((id, s.as_ref())),
        _ => None,
    })
}

fn server_of(world: &World<Node>, id: Option<NodeId>) -> Option<(NodeId, &zk::Server)> {
    let id = id?;
    match world.node(id) {
        Node::ZkServer(s) if world.is_up(id) => Some((id, s.as_ref())),
        _ => None,
    }
}

/// `zk.leadership`.
pub fn check_leadership(
    world: &World<Node>,
    leaders: &mut BTreeMap<u32, NodeId>,
) -> Option<String> {
    for (id, s) in servers(world) {
        if let Some(e) = s.established_epoch() {
            match leaders.get(&e) {
                Some(other) if *other != id => {
                    return Some(format!(
                        "two leaders were established for epoch {e}: {} and {}",
                        world.label(*other),
                        world.label(id)
                    ))
                }
                Some(_) => {}
                None => {
                    leaders.insert(e, id);
                }
            }
        }
    }
    None
}

/// `zk.agreement`.
pub fn check_agreement(
    world: &World<Node>,
    rec: &Record,
    st: &mut AgreementState,
) -> Option<String> {
    let (id, s) = server_of(world, rec.actor())?;
    let d = s.delivered();
    let prev = st.seen.get(&id).copied();
    let mut last = match prev {
        Some((g, _, last)) if g == d.generation => last,
        // A (re)loaded database: deliveries start again after what it loaded.
        _ => d.loaded_zxid,
    };
    let mut problem = None;
    for &(z, fp) in fresh_deliveries(&d, prev.map(|(g, n, _)| (g, n))) {
        if z <= last && problem.is_none() {
            problem = Some(format!(
                "{} delivered zxid {} after {}: deliveries must follow zxid order",
                world.label(id),
                fmt_zxid(z),
                fmt_zxid(last)
            ));
        }
        last = z;
        match st.order.get(&z) {
            Some(other) if *other != fp && problem.is_none() => {
                problem = Some(format!(
                    "{} delivered a different transaction as zxid {} than another server did",
                    world.label(id),
                    fmt_zxid(z)
                ));
            }
            Some(_) => {}
            None => {
                st.order.insert(z, fp);
                if st.order.len() > ORDER_KEPT {
                    st.order.pop_first();
                }
            }
        }
    }
    st.seen.insert(id, (d.generation, d.total, last));
    problem
}

/// `zk.committed-never-lost`.
pub fn check_committed(
    world: &World<Node>,
    rec: &Record,
    st: &mut CommittedState,
) -> Option<String> {
    if let Some((id, s)) = server_of(world, rec.actor()) {
        let d = s.delivered();
        // Only a serving server's deliveries prove a commit: txns applied while syncing
        // come from a prospective leader's history, committed only if that leader gets
        // established.
        let serving = s.is_serving();
        for &(z, _) in fresh_deliveries(&d, st.seen.get(&id).copied()) {
            if serving {
                let m = st.max_per_epoch.entry(epoch_of(z)).or_insert(z);
                *m = (*m).max(z);
            }
        }
        st.seen.insert(id, (d.generation, d.total));
    }
    for (id, s) in servers(world) {
        let Some(e) = s.established_epoch() else {
            continue;
        };
        let needed = st
            .max_per_epoch
            .range(..e)
            .map(|(_, z)| *z)
            .max()
            .unwrap_or(0);
        if s.last_applied_zxid() < needed {
            return Some(format!(
                "{} leads epoch {e} but lacks committed txn {} (it has applied up to {}): a committed write was lost",
                world.label(id),
                fmt_zxid(needed),
                fmt_zxid(s.last_applied_zxid())
            ));
        }
    }
    None
}

/// `zk.replicas-identical`.
pub fn check_replicas(world: &World<Node>, rec: &Record) -> Option<String> {
    let (id, s) = server_of(world, rec.actor())?;
    if !s.is_serving() {
        return None;
    }
    for (other, t) in servers(world) {
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

/// `zk.ephemerals-cleaned`.
pub fn check_ephemerals(world: &World<Node>, rec: &Record) -> Option<String> {
    let (id, s) = server_of(world, rec.actor())?;
    if !s.is_serving() {
        return None;
    }
    let tree = s.tree();
    for (path, node) in tree.nodes() {
        let owner = node.stat.ephemeral_owner;
        if owner != 0 && !tree.sessions().contains_key(&owner) {
            return Some(format!(
                "{} still has ephemeral {path} of session 0x{owner:x}, which is closed",
                world.label(id)
            ));
        }
    }
    None
}

/// `zk.watch-fires-once`.
pub fn check_watches(rec: &Record, st: &mut WatchState) -> Option<String> {
    if let EventRecord::Deliver {
        src,
        msg:
            Msg::Zk(zk::Msg::Client {
                pkt: ClientPacket::Request { op, .. },
                ..
            }),
        ..
    } = &rec.event
    {
        let mut arm = |path: &str, data: bool, child: bool| {
            let e = st.armed.entry((*src, path.to_string())).or_default();
            e.0 |= data;
            e.1 |= child;
        };
        match op {
            ClientOp::GetData { path, watch: true } | ClientOp::Exists { path, watch: true } => {
                arm(path, true, false)
            }
            ClientOp::GetChildren {
                path, watch: true, ..
            } => arm(path, false, true),
            ClientOp::SetWatches {
                data, exist, child, ..
            } => {
                for p in data.iter().chain(exist) {
                    arm(p, true, false);
                }
                for p in child {
                    arm(p, false, true);
                }
            }
            _ => {}
        }
    }
    for send in &rec.sends {
        let Msg::Zk(zk::Msg::Client {
            pkt: ClientPacket::WatcherEvent { event, path, .. },
            ..
        }) = &send.msg
        else {
            continue;
        };
        let e = st.armed.entry((send.dst, path.clone())).or_default();
        let ok = match event {
            EventType::NodeChildrenChanged => std::mem::take(&mut e.1),
            EventType::NodeDeleted => std::mem::take(&mut e.0) | std::mem::take(&mut e.1),
            _ => std::mem::take(&mut e.0),
        };
        if !ok {
            return Some(format!(
                "{} was sent {} for {path} without an armed watch: a watch fired twice",
                send.dst,
                event.name()
            ));
        }
    }
    None
}

/// `zk.epochs`.
pub fn check_epochs(world: &World<Node>, rec: &Record) -> Option<String> {
    let (id, s) = server_of(world, rec.actor())?;
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

/// `zk.recovers-after-heal`: one established leader, every server serving it.
pub fn recovered(world: &World<Node>) -> Result<(), String> {
    let mut leader = None;
    for (id, s) in servers(world) {
        if s.established_epoch().is_some() {
            leader = Some(id);
        }
    }
    let Some(l) = leader else {
        return Err("no leader is established".into());
    };
    for (id, s) in servers(world) {
        if !s.is_serving() || !matches!(s.state(), ServerState::Following | ServerState::Leading) {
            return Err(format!(
                "{} is not serving under leader {}",
                world.label(id),
                world.label(l)
            ));
        }
    }
    Ok(())
}

/// Whether any server is an established leader.
pub fn has_leader(world: &World<Node>) -> bool {
    servers(world).any(|(_, s)| s.established_epoch().is_some())
}
