//! The leader's per-learner synchronization (`LearnerHandler.syncFollower`, sheet B.4 step 4):
//! DIFF when the learner's last zxid is in the committed log, TRUNC when it has txns the
//! leader never committed (within one epoch), SNAP otherwise (also for a learner whose last
//! zxid is a bare `epoch<<32` above the committed log); then the outstanding proposals
//! and NEWLEADER (`startForwarding`). Simplified: syncing from the on-disk txn log beyond the
//! in-memory committed log is folded into SNAP (real 3.5 also ends up sending SNAP whenever
//! its preallocated log files outweigh a third of the snapshot, the usual case).

use std::rc::Rc;

use crate::zk::msg::QuorumPacket;
use crate::zk::server::leader::{send_h, Stage};
use crate::zk::server::{LogEntry, Server, ZkCtx};
use crate::zk::types::{counter_of, epoch_of, fmt_zxid, zxid, Zxid};

impl Server {
    /// `syncFollower` (sheet B.4 step 4): which of DIFF / TRUNC / SNAP, and the packets.
    pub(crate) fn sync_plan(&self, peer: Zxid) -> (&'static str, Vec<QuorumPacket>) {
        let last = self.tree.last_processed_zxid();
        let log: Vec<&LogEntry> = self.committed_log.iter().collect();
        let after = |z: Zxid| -> Vec<QuorumPacket> {
            log.iter()
                .filter(|e| e.hdr.zxid > z)
                .flat_map(|e| {
                    [
                        QuorumPacket::Proposal {
                            hdr: e.hdr,
                            txn: e.txn.clone(),
                        },
                        QuorumPacket::Commit { zxid: e.hdr.zxid },
                    ]
                })
                .collect()
        };
        let diff = |z: Zxid| {
            let mut p = vec![QuorumPacket::Diff { zxid: last }];
            p.extend(after(z));
            ("DIFF", p)
        };
        let snap = || {
            (
                "SNAP",
                vec![QuorumPacket::Snap {
                    zxid: last,
                    tree: Rc::new(self.tree.clone()),
                }],
            )
        };
        let trunc = |to: Zxid| {
            let mut p = vec![QuorumPacket::Trunc { zxid: to }];
            p.extend(after(to));
            ("TRUNC", p)
        };
        if peer == last {
            return diff(peer);
        }
        // A bare `epoch<<32` (a leader's zxid on activation) is never TRUNCed: the learner
        // has no txn log to cut. Above the committed log it matches no case of
        // `syncFollower` ("Unhandled scenario") and gets a SNAP.
        let bare_marker = counter_of(peer) == 0;
        let (Some(min), Some(max)) = (
            log.first().map(|e| e.hdr.zxid),
            log.last().map(|e| e.hdr.zxid),
        ) else {
            return if peer > last && !bare_marker {
                trunc(last)
            } else {
                snap()
            };
        };
        if peer > max {
            return if bare_marker { snap() } else { trunc(max) };
        }
        if peer < min {
            return snap();
        }
        if bare_marker || log.iter().any(|e| e.hdr.zxid == peer) {
            return diff(peer);
        }
        let next = log.iter().find(|e| e.hdr.zxid > peer).map(|e| e.hdr.zxid);
        match next {
            Some(n) if epoch_of(n) == epoch_of(peer) => {
                let below = log
                    .iter()
                    .rev()
                    .find(|e| e.hdr.zxid < peer)
                    .map(|e| e.hdr.zxid)
                    .unwrap_or(min);
                trunc(below)
            }
            _ => snap(),
        }
    }

    pub(super) fn leader_sync_follower(&mut self, ctx: &mut ZkCtx, conn: u64) {
        let Some(peer) = self
            .lead()
            .and_then(|l| l.handlers.get(&conn))
            .map(|h| h.peer_last_zxid)
        else {
            return;
        };
        let (mode, packets) = match self.config.bugs.skip_sync {
            true => ("DIFF", vec![QuorumPacket::Diff { zxid: peer }]),
            false => self.sync_plan(peer),
        };
        let me = self.sid;
        let leader_last = self.tree.last_processed_zxid();
        let Some(l) = self.lead() else { return };
        let Some(e) = l.new_epoch else { return };
        let observer = l.handlers.get(&conn).is_some_and(|h| h.observer);
        // "Only participant need to get outstanding proposals" (`startForwarding`).
        let outstanding: Vec<QuorumPacket> = l
            .outstanding
            .values()
            .filter(|_| !observer)
            .map(|p| QuorumPacket::Proposal {
                hdr: p.hdr,
                txn: p.txn.clone(),
            })
            .collect();
        let Some(h) = l.handlers.get_mut(&conn) else {
            return;
        };
        let target = match packets.first() {
            Some(QuorumPacket::Trunc { zxid }) | Some(QuorumPacket::Snap { zxid, .. }) => *zxid,
            _ => peer,
        };
        for p in packets.into_iter().chain(outstanding) {
            send_h(ctx, h, p);
        }
        h.sync_mode = Some(mode);
        h.forwarding = true;
        send_h(ctx, h, QuorumPacket::NewLeader { zxid: zxid(e, 0) });
        h.stage = Stage::Syncing;
        ctx.note(format!(
            "zk{me} syncs zk{} with {mode} (its last zxid {}, leader's {}): {}",
            h.sid,
            fmt_zxid(peer),
            fmt_zxid(leader_last),
            match mode {
                "DIFF" => "it gets the committed txns it is missing".to_string(),
                "TRUNC" => format!("it must drop its txns after {}", fmt_zxid(target)),
                _ => "it gets a full snapshot".to_string(),
            }
        ));
    }
}
