//! The checkers that follow each server's deliveries: `zk.agreement` and
//! `zk.committed-never-lost`.

use crate::cluster::checkers::ClusterChecker;
use crate::cluster::zk::{running_server, running_servers};
use crate::cluster::{Node, Record};
use crate::sim::vecmap::VecMap;
use crate::sim::{CheckKind, CheckerInfo, NodeId, World};
use crate::zk::{self, epoch_of, fmt_zxid, Zxid};

/// Remembered txns (zxid → fingerprint) for the agreement check; older ones are forgotten.
const ORDER_KEPT: usize = 20_000;

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

/// Whether more deliveries happened since `seen` than `d` remembers.
fn missed(d: &zk::server::Deliveries<'_>, seen: Option<(u64, u64)>) -> bool {
    let seen_total = match seen {
        Some((g, n)) if g == d.generation => n,
        _ => 0,
    };
    d.total.saturating_sub(seen_total) > d.recent.len() as u64
}

/// `zk.agreement`: the txn seen under each zxid, and per server what was looked at.
#[derive(Clone, Debug, Default)]
pub struct Agreement {
    order: VecMap<Zxid, u64>,
    /// Per server: (database generation, deliveries seen, last zxid delivered).
    seen: VecMap<NodeId, (u64, u64, Zxid)>,
}

impl ClusterChecker for Agreement {
    fn info(&self) -> CheckerInfo {
        CheckerInfo {
            name: "zk.agreement",
            kind: CheckKind::Always,
            description:
                "every server delivers the same transaction under the same zxid, in zxid order",
        }
    }

    fn after_step(&mut self, world: &World<Node>, rec: &Record) -> Option<String> {
        let (id, s) = running_server(world, rec.actor())?;
        let d = s.delivered();
        let prev = self.seen.get(&id).copied();
        let mut last = match prev {
            Some((g, _, last)) if g == d.generation => last,
            // A (re)loaded database: deliveries start again after what it loaded.
            _ => d.loaded_zxid,
        };
        let mut problem = None;
        let seen = prev.map(|(g, n, _)| (g, n));
        // More deliveries in one step than the server remembers: read them from its
        // committed log instead, so that no batch size hides one.
        let fresh: Vec<(Zxid, u64)> = if missed(&d, seen) {
            s.committed_log
                .iter()
                .filter(|e| e.hdr.zxid > last)
                .map(|e| (e.hdr.zxid, zk::server::fingerprint(&e.txn)))
                .collect()
        } else {
            fresh_deliveries(&d, seen).copied().collect()
        };
        for (z, fp) in fresh {
            if z <= last && problem.is_none() {
                problem = Some(format!(
                    "{} delivered zxid {} after {}: deliveries must follow zxid order",
                    world.label(id),
                    fmt_zxid(z),
                    fmt_zxid(last)
                ));
            }
            last = z;
            match self.order.get(&z) {
                Some(other) if *other != fp && problem.is_none() => {
                    problem = Some(format!(
                        "{} delivered a different transaction as zxid {} than another server did",
                        world.label(id),
                        fmt_zxid(z)
                    ));
                }
                Some(_) => {}
                None => {
                    self.order.insert(z, fp);
                    if self.order.len() > ORDER_KEPT {
                        self.order.pop_first();
                    }
                }
            }
        }
        self.seen.insert(id, (d.generation, d.total, last));
        problem
    }
}

/// `zk.committed-never-lost`: the highest committed zxid per epoch, and what was committed.
#[derive(Clone, Debug, Default)]
pub struct CommittedNeverLost {
    max_per_epoch: VecMap<u32, Zxid>,
    /// Committed txns (zxid → fingerprint); older ones are forgotten.
    committed: VecMap<Zxid, u64>,
    /// (leader, epoch, zxid) whose contents were already compared.
    compared: Option<(NodeId, u32, Zxid)>,
    /// Per server: (database generation, deliveries seen).
    seen: VecMap<NodeId, (u64, u64)>,
}

impl ClusterChecker for CommittedNeverLost {
    fn info(&self) -> CheckerInfo {
        CheckerInfo {
            name: "zk.committed-never-lost",
            kind: CheckKind::Always,
            description: "a new leader has every transaction committed in earlier epochs, with the same contents",
        }
    }

    fn after_step(&mut self, world: &World<Node>, rec: &Record) -> Option<String> {
        if let Some((id, s)) = running_server(world, rec.actor()) {
            let d = s.delivered();
            // Only a serving server's deliveries prove a commit: txns applied while syncing
            // come from a prospective leader's history, committed only if that leader gets
            // established.
            let serving = s.is_serving();
            for &(z, fp) in fresh_deliveries(&d, self.seen.get(&id).copied()) {
                if serving {
                    let m = self.max_per_epoch.entry(epoch_of(z)).or_insert(z);
                    *m = (*m).max(z);
                    self.committed.entry(z).or_insert(fp);
                    if self.committed.len() > ORDER_KEPT {
                        self.committed.pop_first();
                    }
                }
            }
            self.seen.insert(id, (d.generation, d.total));
        }
        for (id, s) in running_servers(world) {
            let Some(e) = s.established_epoch() else {
                continue;
            };
            let needed = self
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
            // The same txn, not just the same zxid: compare contents once per leader.
            if needed == 0 || self.compared == Some((id, e, needed)) {
                continue;
            }
            self.compared = Some((id, e, needed));
            let Some(want) = self.committed.get(&needed) else {
                continue;
            };
            let has = s
                .committed_log
                .iter()
                .chain(s.disk().log.iter())
                .find(|x| x.hdr.zxid == needed)
                .map(|x| zk::server::fingerprint(&x.txn));
            if has.is_some_and(|h| h != *want) {
                return Some(format!(
                    "{} leads epoch {e} with a different transaction as zxid {} than the one committed: a committed write was replaced",
                    world.label(id),
                    fmt_zxid(needed)
                ));
            }
        }
        None
    }
}
