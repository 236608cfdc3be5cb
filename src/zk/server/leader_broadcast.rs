//! The leader's broadcast phase (sheet B.5): `PrepRequestProcessor` turns a request into a
//! txn with the next zxid (failed validation becomes an `error` txn), the leader logs it,
//! sends PROPOSAL to every forwarding follower and commits on a quorum of ACKs strictly in
//! zxid order (COMMIT to followers, INFORM with the txn to observers); a `sync` forwarded by a learner waits for the proposals outstanding when it
//! arrived, while one from the leader's own client is answered in its session's order
//! without waiting (`ProposalRequestProcessor`, `Leader.processSync`). Also the leader's
//! session expiry (sheet A.7 rules 6–7): only the leader expires sessions, through a
//! closeSession txn.

use crate::sim::vecmap::VecSet;
use crate::sim::MS;

use crate::zk::data::prep::Requester;
use crate::zk::data::txn::{Txn, TxnHeader};
use crate::zk::msg::{ForwardedOp, QuorumPacket, Timer};
use crate::zk::server::leader::{send_h, sids, PendingSync, Proposal};
use crate::zk::server::{Role, Server, ZkCtx};
use crate::zk::types::{fmt_zxid, zxid, SessionId};
use crate::zk::Sid;

impl Server {
    /// The leader's request pipeline entry (`PrepRequestProcessor`): a write becomes a txn
    /// with the next zxid and is proposed; a `sync` waits for the outstanding proposals.
    pub(crate) fn leader_submit(
        &mut self,
        ctx: &mut ZkCtx,
        session: SessionId,
        cxid: i32,
        op: ForwardedOp,
        origin: Option<u64>,
    ) {
        let now_ms = ctx.now_us() / MS;
        let extended_types = self.config.extended_types_enabled;
        let Some(l) = self.lead() else { return };
        if !l.started {
            return;
        }
        let Some(e) = l.new_epoch else { return };
        let txn = match op {
            ForwardedOp::Sync => {
                // Only a learner's sync goes to `Leader.processSync`; the leader's own
                // client's sync passes its `CommitProcessor` (`matchSyncs` false) like a read,
                // already in session order.
                match (origin, l.outstanding.keys().next_back()) {
                    (Some(conn), Some(&upto)) => l.pending_syncs.push(PendingSync {
                        upto,
                        origin: conn,
                        session,
                        cxid,
                    }),
                    _ => self.leader_answer_sync(ctx, origin, session, cxid),
                }
                return;
            }
            ForwardedOp::Write(w, auth) => {
                let who = Requester {
                    auth: &auth,
                    extended_types,
                };
                l.prep_tree.prepare_as(session, who, &w)
            }
            ForwardedOp::CreateSession { timeout_ms } => {
                l.sessions.add(session, timeout_ms, now_ms);
                Txn::CreateSession { timeout_ms }
            }
            ForwardedOp::CloseSession => {
                l.sessions.remove(session);
                Txn::CloseSession
            }
        };
        if l.counter == u32::MAX - 1 {
            self.enter_looking(
                ctx,
                Some("zxid counter would roll over: forcing a new epoch".into()),
            );
            return;
        }
        l.counter += 1;
        let hdr = TxnHeader {
            session_id: session,
            cxid,
            zxid: zxid(e, l.counter),
            time_ms: now_ms as i64,
        };
        self.leader_propose(ctx, hdr, txn);
        self.leader_schedule_expiry(ctx);
    }

    pub(super) fn leader_propose(&mut self, ctx: &mut ZkCtx, hdr: TxnHeader, txn: Txn) {
        let me = self.sid;
        self.log_txn(hdr, txn.clone());
        let Some(l) = self.lead() else { return };
        l.prep_tree.apply(&hdr, &txn);
        for h in l
            .handlers
            .values_mut()
            .filter(|h| h.forwarding && !h.observer)
        {
            send_h(
                ctx,
                h,
                QuorumPacket::Proposal {
                    hdr,
                    txn: txn.clone(),
                },
            );
        }
        ctx.note(format!(
            "zk{me} proposes {} as zxid {} and logs it",
            crate::zk::msg::txn_summary(&txn),
            fmt_zxid(hdr.zxid)
        ));
        l.outstanding.insert(
            hdr.zxid,
            Proposal {
                hdr,
                txn,
                acks: VecSet::from([me]),
            },
        );
        self.leader_try_commit(ctx);
    }

    /// Commits proposals with a quorum of ACKs, strictly in zxid order.
    pub(super) fn leader_try_commit(&mut self, ctx: &mut ZkCtx) {
        self.leader_try_commit_after(ctx, None);
    }

    /// As [`Self::leader_try_commit`], right after `by`'s ACK arrived: the note names the
    /// ACK that completed the quorum (the moment a transaction becomes committed).
    pub(super) fn leader_try_commit_after(&mut self, ctx: &mut ZkCtx, by: Option<Sid>) {
        loop {
            let cfg = self.config.clone();
            let me = self.sid;
            let Some(l) = self.lead() else { return };
            let ready = l.outstanding.first_key_value().is_some_and(|(_, p)| {
                cfg.is_quorum(p.acks.iter()) || cfg.bugs.commit_without_quorum
            });
            if !ready {
                return;
            }
            let Some((z, p)) = l.outstanding.pop_first() else {
                return;
            };
            // `commit` to the forwarding followers, `inform` (the whole txn) to the observers.
            for h in l.handlers.values_mut().filter(|h| h.forwarding) {
                let pkt = if h.observer {
                    QuorumPacket::Inform {
                        hdr: p.hdr,
                        txn: p.txn.clone(),
                    }
                } else {
                    QuorumPacket::Commit { zxid: z }
                };
                send_h(ctx, h, pkt);
            }
            let due: Vec<PendingSync> = l
                .pending_syncs
                .iter()
                .filter(|s| s.upto <= z)
                .cloned()
                .collect();
            l.pending_syncs.retain(|s| s.upto > z);
            let what = format!(
                "{} ({}) is committed: ACKed by {}, a quorum of {}",
                fmt_zxid(z),
                crate::zk::msg::txn_summary(&p.txn),
                sids(&p.acks),
                cfg.servers.len()
            );
            ctx.note(match by {
                Some(src) if src != me => format!(
                    "zk{src}'s ACK makes {} of {}: {what}; zk{me} sends COMMIT",
                    p.acks.len(),
                    cfg.servers.len()
                ),
                _ => format!("zk{me} commits: {what}"),
            });
            self.apply_committed(ctx, p.hdr, p.txn);
            for s in due {
                self.leader_answer_sync(ctx, Some(s.origin), s.session, s.cxid);
            }
        }
    }

    pub(super) fn leader_answer_sync(
        &mut self,
        ctx: &mut ZkCtx,
        origin: Option<u64>,
        session: SessionId,
        cxid: i32,
    ) {
        match origin {
            None => self.complete_sync(ctx, session, cxid),
            Some(conn) => {
                if let Some(h) = self.lead().and_then(|l| l.handlers.get_mut(&conn)) {
                    send_h(ctx, h, QuorumPacket::Sync { session, cxid });
                }
            }
        }
    }

    pub(super) fn leader_schedule_expiry(&mut self, ctx: &mut ZkCtx) {
        let now_us = ctx.now_us();
        let Some(l) = self.lead() else { return };
        if !l.started {
            return;
        }
        match l.sessions.next_expiry_ms() {
            Some(ms) => ctx.set_timer(
                Timer::SessionExpiry,
                (ms * MS).saturating_sub(now_us).max(1),
            ),
            None => ctx.cancel_timer(Timer::SessionExpiry),
        }
    }

    /// A session expiry bucket is due: close every expired session through Zab.
    pub(crate) fn leader_on_session_expiry(&mut self, ctx: &mut ZkCtx) {
        let now_ms = ctx.now_us() / MS;
        let me = self.sid;
        let never = self.config.bugs.sessions_never_expire;
        let Some(l) = self.lead() else { return };
        if !l.started || never {
            return;
        }
        let expired = l.sessions.take_expired(now_ms);
        for s in expired {
            ctx.note(format!(
                "zk{me} expires session 0x{s:x}: no sign of life within its timeout; closeSession removes its ephemerals"
            ));
            self.leader_submit(ctx, s, 0, ForwardedOp::CloseSession, None);
        }
        self.leader_schedule_expiry(ctx);
    }

    /// A person asks the leader to expire a session now.
    pub(crate) fn leader_expire_by_hand(&mut self, ctx: &mut ZkCtx, session: SessionId) {
        if !self.is_active_leader() || !self.tree.sessions().contains_key(&session) {
            ctx.note(format!(
                "zk{} cannot expire session 0x{session:x}: only an active leader expires known sessions",
                self.sid
            ));
            return;
        }
        ctx.note(format!(
            "session 0x{session:x} is expired by hand at the leader zk{}",
            self.sid
        ));
        self.leader_submit(ctx, session, 0, ForwardedOp::CloseSession, None);
    }

    /// A session showed life on this server.
    pub(crate) fn touch_session(&mut self, ctx: &mut ZkCtx, session: SessionId, timeout_ms: i32) {
        let now_ms = ctx.now_us() / MS;
        match &mut self.role {
            Role::Leader(l) if l.started => {
                l.sessions.touch(session, now_ms);
                self.leader_schedule_expiry(ctx);
            }
            Role::Learner(l) => {
                l.touches.insert(session, timeout_ms);
            }
            _ => {}
        }
    }
}
