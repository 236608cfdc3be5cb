//! The leader side of Zab (`Leader.lead` + one `LearnerHandler` per learner), sheet B.4–B.6.
//!
//! Discovery: FOLLOWERINFO from a quorum (leader included) fixes
//! `newEpoch = max(acceptedEpoch) + 1`, persisted as acceptedEpoch and sent as LEADERINFO; a quorum of ACKEPOCH (a follower
//! more recent than the leader is an error) persists currentEpoch. Synchronization: per
//! learner DIFF / TRUNC / SNAP from the in-memory committed log (`syncFollower`), then the
//! outstanding proposals, then NEWLEADER; a quorum of NEWLEADER ACKs starts the leader, which
//! sends UPTODATE. Broadcast: PROPOSAL to every forwarding learner, commit on a quorum of
//! ACKs strictly in zxid order, COMMIT to learners. Liveness: PING every tickTime/2, and
//! every tick the leader gives up if the learners that ACKed within syncLimit plus itself are
//! not a quorum. Only the leader expires sessions.
//!
//! Simplified: syncing from the on-disk txn log beyond the committed log is folded into SNAP;
//! observers and `INFORM` are not modelled; `initLimit` is one timer for discovery and sync.

use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use crate::sim::{NodeId, MS};

use super::config::Sid;
use super::msg::{ForwardedOp, Msg, QuorumPacket, Timer};
use super::server::{LogEntry, Role, Server, ZkCtx};
use super::sessions::SessionTracker;
use super::summary::{LearnerSummary, ZabPhase};
use super::tree::DataTree;
use super::txn::{Txn, TxnHeader};
use super::types::{counter_of, epoch_of, fmt_zxid, zxid, SessionId, Zxid};
use super::wire::{Arrival, ConnEnd};

/// A proposal waiting for a quorum of ACKs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proposal {
    pub hdr: TxnHeader,
    pub txn: Txn,
    pub acks: BTreeSet<Sid>,
}

/// Where a `LearnerHandler` is in the handshake.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// FOLLOWERINFO received; the new epoch is not decided yet.
    AwaitEpoch,
    /// LEADERINFO sent.
    SentLeaderInfo,
    /// ACKEPOCH received; waiting for the epoch to be established.
    AckedEpoch,
    /// Sync packets and NEWLEADER sent.
    Syncing,
    /// UPTODATE sent.
    UpToDate,
}

/// The leader's view of one learner connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LearnerHandler {
    pub sid: Sid,
    pub end: ConnEnd,
    pub stage: Stage,
    pub peer_last_zxid: Zxid,
    pub sync_mode: Option<&'static str>,
    /// Receives proposals and commits.
    pub forwarding: bool,
    pub newleader_acked: bool,
    pub last_ack_zxid: Zxid,
    /// `tickOfNextAckDeadline`.
    pub deadline_tick: u64,
}

/// A `sync` waiting for the proposals outstanding when it arrived.
#[derive(Clone, Debug, PartialEq, Eq)]
struct PendingSync {
    upto: Zxid,
    /// The learner connection that forwarded it, or `None` for a client of the leader.
    origin: Option<u64>,
    session: SessionId,
    cxid: i32,
}

/// Everything a leader keeps while leading.
#[derive(Clone, Debug)]
pub struct LeaderState {
    pub new_epoch: Option<u32>,
    epoch_contrib: BTreeSet<Sid>,
    max_accepted: u32,
    epoch_acked: BTreeSet<Sid>,
    pub epoch_established: bool,
    newleader_acked: BTreeSet<Sid>,
    /// A quorum ACKed NEWLEADER: the leader is active (BROADCAST).
    pub started: bool,
    /// `leaderStateSummary` = (currentEpoch, last zxid) when leading began.
    summary_at_start: (u32, Zxid),
    pub handlers: BTreeMap<u64, LearnerHandler>,
    counter: u32,
    pub outstanding: BTreeMap<Zxid, Proposal>,
    /// The tree with every outstanding proposal applied (`outstandingChanges`).
    prep_tree: DataTree,
    pending_syncs: Vec<PendingSync>,
    tick: u64,
    half_tick: bool,
    pub sessions: SessionTracker,
}

impl LeaderState {
    /// Learners as views show them.
    pub fn learner_summaries(&self) -> Vec<LearnerSummary> {
        self.handlers
            .values()
            .map(|h| LearnerSummary {
                sid: h.sid,
                sync_mode: h.sync_mode,
                synced: h.newleader_acked,
                last_ack_zxid: h.last_ack_zxid,
            })
            .collect()
    }
}

fn send_h(ctx: &mut ZkCtx, h: &mut LearnerHandler, pkt: QuorumPacket) {
    let seq = h.end.next_seq();
    ctx.send(
        h.end.peer,
        Msg::Quorum {
            conn: h.end.conn,
            seq,
            pkt,
        },
    );
}

fn sids(set: &BTreeSet<Sid>) -> String {
    set.iter()
        .map(|s| s.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

impl Server {
    fn lead(&mut self) -> Option<&mut LeaderState> {
        match &mut self.role {
            Role::Leader(l) => Some(l),
            _ => None,
        }
    }

    /// Whether this server is an active leader (broadcast phase).
    pub(crate) fn is_active_leader(&self) -> bool {
        matches!(&self.role, Role::Leader(l) if l.started)
    }

    /// `Leader.lead()` begins: wait for FOLLOWERINFO from a quorum.
    pub(crate) fn start_leading(&mut self, ctx: &mut ZkCtx) {
        self.phase = ZabPhase::Discovery;
        let state = LeaderState {
            new_epoch: None,
            epoch_contrib: BTreeSet::from([self.sid]),
            max_accepted: self.disk.accepted_epoch,
            epoch_acked: BTreeSet::new(),
            epoch_established: false,
            newleader_acked: BTreeSet::new(),
            started: false,
            summary_at_start: (self.disk.current_epoch, self.disk.last_logged_zxid()),
            handlers: BTreeMap::new(),
            counter: 0,
            outstanding: BTreeMap::new(),
            prep_tree: self.tree.clone(),
            pending_syncs: Vec::new(),
            tick: 0,
            half_tick: false,
            sessions: SessionTracker::default(),
        };
        self.role = Role::Leader(Box::new(state));
        let tick = self.config.tick_us();
        ctx.set_timer(Timer::LeaderInitLimit, self.config.init_limit * tick);
        ctx.set_timer(Timer::LeaderTick, tick / 2);
        self.leader_try_decide_epoch(ctx);
    }

    fn leader_try_decide_epoch(&mut self, ctx: &mut ZkCtx) {
        let cfg = self.config.clone();
        let me = self.sid;
        let Some(l) = self.lead() else { return };
        if l.new_epoch.is_some() || !cfg.is_quorum(l.epoch_contrib.iter()) {
            return;
        }
        let e = l.max_accepted + 1;
        l.new_epoch = Some(e);
        let contrib = sids(&l.epoch_contrib);
        for h in l
            .handlers
            .values_mut()
            .filter(|h| h.stage == Stage::AwaitEpoch)
        {
            send_h(ctx, h, QuorumPacket::LeaderInfo { new_epoch: e });
            h.stage = Stage::SentLeaderInfo;
        }
        l.epoch_acked.insert(me);
        self.disk.accepted_epoch = e;
        ctx.note(format!(
            "zk{me} proposes epoch {e} (highest acceptedEpoch of {{{contrib}}} plus one) and sends LEADERINFO"
        ));
        self.leader_try_establish(ctx);
    }

    fn leader_try_establish(&mut self, ctx: &mut ZkCtx) {
        let cfg = self.config.clone();
        let me = self.sid;
        let Some(l) = self.lead() else { return };
        if l.epoch_established || !cfg.is_quorum(l.epoch_acked.iter()) {
            return;
        }
        let Some(e) = l.new_epoch else { return };
        l.epoch_established = true;
        l.newleader_acked.insert(me);
        let acked = sids(&l.epoch_acked);
        let waiting: Vec<u64> = l
            .handlers
            .iter()
            .filter(|(_, h)| h.stage == Stage::AckedEpoch)
            .map(|(c, _)| *c)
            .collect();
        self.disk.current_epoch = e;
        self.phase = ZabPhase::Synchronization;
        ctx.note(format!(
            "zk{me}: a quorum {{{acked}}} acknowledged epoch {e}; it becomes zk{me}'s currentEpoch and synchronization starts"
        ));
        for c in waiting {
            self.leader_sync_follower(ctx, c);
        }
        self.leader_try_start(ctx);
    }

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
        let bare_marker = counter_of(peer) == 0;
        let (Some(min), Some(max)) = (
            log.first().map(|e| e.hdr.zxid),
            log.last().map(|e| e.hdr.zxid),
        ) else {
            return if peer > last && !bare_marker {
                trunc(last)
            } else if bare_marker && peer > last {
                diff(peer)
            } else {
                snap()
            };
        };
        if peer > max {
            return if bare_marker { diff(peer) } else { trunc(max) };
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

    fn leader_sync_follower(&mut self, ctx: &mut ZkCtx, conn: u64) {
        let Some(peer) = self
            .lead()
            .and_then(|l| l.handlers.get(&conn))
            .map(|h| h.peer_last_zxid)
        else {
            return;
        };
        let (mode, packets) = self.sync_plan(peer);
        let me = self.sid;
        let leader_last = self.tree.last_processed_zxid();
        let Some(l) = self.lead() else { return };
        let Some(e) = l.new_epoch else { return };
        let outstanding: Vec<QuorumPacket> = l
            .outstanding
            .values()
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

    fn leader_try_start(&mut self, ctx: &mut ZkCtx) {
        let cfg = self.config.clone();
        let me = self.sid;
        let now_ms = ctx.now_us() / MS;
        let table: Vec<(SessionId, i32)> =
            self.tree.sessions().iter().map(|(s, t)| (*s, *t)).collect();
        let tree = self.tree.clone();
        let Some(l) = self.lead() else { return };
        if l.started || !l.epoch_established || !cfg.is_quorum(l.newleader_acked.iter()) {
            return;
        }
        let Some(e) = l.new_epoch else { return };
        l.started = true;
        l.counter = 0;
        l.prep_tree = tree;
        l.sessions = SessionTracker::activate(cfg.tick_time_ms, now_ms, table);
        let quorum = sids(&l.newleader_acked);
        for h in l.handlers.values_mut().filter(|h| h.newleader_acked) {
            send_h(ctx, h, QuorumPacket::UpToDate);
            h.stage = Stage::UpToDate;
        }
        self.phase = ZabPhase::Broadcast;
        self.serving = true;
        self.election.vote.peer_epoch = e as u64;
        ctx.cancel_timer(Timer::LeaderInitLimit);
        ctx.note(format!(
            "zk{me} is now the established leader of epoch {e} (quorum {{{quorum}}}): it sends UPTODATE and serves clients; every session's timeout starts afresh"
        ));
        self.leader_schedule_expiry(ctx);
    }

    /// Handles a packet from a learner.
    pub(crate) fn leader_on_packet(
        &mut self,
        ctx: &mut ZkCtx,
        src: NodeId,
        conn: u64,
        seq: u64,
        pkt: QuorumPacket,
    ) {
        let Some(src_sid) = self.config.sid_of(src) else {
            return;
        };
        let me = self.sid;
        let sync_limit = self.config.sync_limit;
        let init_limit = self.config.init_limit;
        let Some(l) = self.lead() else { return };
        if !l.handlers.contains_key(&conn) {
            let QuorumPacket::FollowerInfo { .. } = pkt else {
                return;
            };
            l.handlers.retain(|_, h| h.sid != src_sid);
            l.handlers.insert(
                conn,
                LearnerHandler {
                    sid: src_sid,
                    end: ConnEnd::new(src, conn),
                    stage: Stage::AwaitEpoch,
                    peer_last_zxid: 0,
                    sync_mode: None,
                    forwarding: false,
                    newleader_acked: false,
                    last_ack_zxid: 0,
                    deadline_tick: l.tick + init_limit + sync_limit,
                },
            );
        }
        let tick = l.tick;
        let Some(h) = l.handlers.get_mut(&conn) else {
            return;
        };
        match h.end.arrival(seq) {
            Arrival::Duplicate => return,
            Arrival::Gap => {
                l.handlers.remove(&conn);
                ctx.note(format!(
                    "zk{me} lost a packet from zk{src_sid}: it drops that learner's connection"
                ));
                return;
            }
            Arrival::Next => {}
        }
        // `tickOfNextAckDeadline` is set afresh by every packet the learner sends.
        h.deadline_tick = tick + sync_limit;
        match pkt {
            QuorumPacket::FollowerInfo { accepted_epoch } => {
                if let Some(e) = l.new_epoch {
                    send_h(ctx, h, QuorumPacket::LeaderInfo { new_epoch: e });
                    h.stage = Stage::SentLeaderInfo;
                } else {
                    l.epoch_contrib.insert(src_sid);
                    l.max_accepted = l.max_accepted.max(accepted_epoch);
                    self.leader_try_decide_epoch(ctx);
                }
            }
            QuorumPacket::AckEpoch {
                last_zxid,
                current_epoch,
            } => {
                h.peer_last_zxid = last_zxid;
                h.stage = Stage::AckedEpoch;
                if current_epoch != -1 {
                    if (current_epoch, last_zxid)
                        > (l.summary_at_start.0 as i64, l.summary_at_start.1)
                    {
                        let why = format!(
                            "Follower is ahead of the leader: zk{src_sid} has epoch {current_epoch}, zxid {}",
                            fmt_zxid(last_zxid)
                        );
                        self.enter_looking(ctx, Some(why));
                        return;
                    }
                    l.epoch_acked.insert(src_sid);
                }
                if l.epoch_established {
                    self.leader_sync_follower(ctx, conn);
                } else {
                    self.leader_try_establish(ctx);
                }
            }
            QuorumPacket::Ack { zxid: z } => {
                h.last_ack_zxid = h.last_ack_zxid.max(z);
                let newleader = l.new_epoch.map(|e| zxid(e, 0));
                if Some(z) == newleader {
                    if !h.newleader_acked && h.stage == Stage::Syncing {
                        h.newleader_acked = true;
                        l.newleader_acked.insert(src_sid);
                        if l.started {
                            send_h(ctx, h, QuorumPacket::UpToDate);
                            h.stage = Stage::UpToDate;
                        } else {
                            self.leader_try_start(ctx);
                        }
                    }
                } else if let Some(p) = l.outstanding.get_mut(&z) {
                    p.acks.insert(src_sid);
                    self.leader_try_commit(ctx);
                }
            }
            QuorumPacket::Ping { touches } => {
                let now_ms = ctx.now_us() / MS;
                for (s, _) in touches {
                    l.sessions.touch(s, now_ms);
                }
                self.leader_schedule_expiry(ctx);
            }
            QuorumPacket::Request { session, cxid, op } => {
                self.leader_submit(ctx, session, cxid, op, Some(conn));
            }
            _ => {}
        }
    }

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
        let Some(l) = self.lead() else { return };
        if !l.started {
            return;
        }
        let Some(e) = l.new_epoch else { return };
        let txn = match op {
            ForwardedOp::Sync => {
                match l.outstanding.keys().next_back() {
                    Some(&upto) => l.pending_syncs.push(PendingSync {
                        upto,
                        origin,
                        session,
                        cxid,
                    }),
                    None => self.leader_answer_sync(ctx, origin, session, cxid),
                }
                return;
            }
            ForwardedOp::Write(w) => l.prep_tree.prepare(session, &w),
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

    fn leader_propose(&mut self, ctx: &mut ZkCtx, hdr: TxnHeader, txn: Txn) {
        let me = self.sid;
        self.log_txn(hdr, txn.clone());
        let Some(l) = self.lead() else { return };
        l.prep_tree.apply(&hdr, &txn);
        for h in l.handlers.values_mut().filter(|h| h.forwarding) {
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
            super::msg::txn_summary(&txn),
            fmt_zxid(hdr.zxid)
        ));
        l.outstanding.insert(
            hdr.zxid,
            Proposal {
                hdr,
                txn,
                acks: BTreeSet::from([me]),
            },
        );
        self.leader_try_commit(ctx);
    }

    /// Commits proposals with a quorum of ACKs, strictly in zxid order.
    fn leader_try_commit(&mut self, ctx: &mut ZkCtx) {
        loop {
            let cfg = self.config.clone();
            let me = self.sid;
            let Some(l) = self.lead() else { return };
            let ready = l
                .outstanding
                .first_key_value()
                .is_some_and(|(_, p)| cfg.is_quorum(p.acks.iter()));
            if !ready {
                return;
            }
            let Some((z, p)) = l.outstanding.pop_first() else {
                return;
            };
            for h in l.handlers.values_mut().filter(|h| h.forwarding) {
                send_h(ctx, h, QuorumPacket::Commit { zxid: z });
            }
            let due: Vec<PendingSync> = l
                .pending_syncs
                .iter()
                .filter(|s| s.upto <= z)
                .cloned()
                .collect();
            l.pending_syncs.retain(|s| s.upto > z);
            ctx.note(format!(
                "zk{me} commits zxid {} ({}): ACKed by {{{}}}, a quorum",
                fmt_zxid(z),
                super::msg::txn_summary(&p.txn),
                sids(&p.acks)
            ));
            self.apply_committed(ctx, p.hdr, p.txn);
            for s in due {
                self.leader_answer_sync(ctx, s.origin, s.session, s.cxid);
            }
        }
    }

    fn leader_answer_sync(
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

    /// Every tickTime/2: PING the learners; every tick: check the synced quorum.
    pub(crate) fn leader_on_tick(&mut self, ctx: &mut ZkCtx) {
        let cfg = self.config.clone();
        let me = self.sid;
        let Some(l) = self.lead() else { return };
        for h in l
            .handlers
            .values_mut()
            .filter(|h| h.stage == Stage::UpToDate)
        {
            send_h(ctx, h, QuorumPacket::Ping { touches: vec![] });
        }
        ctx.set_timer(Timer::LeaderTick, cfg.tick_us() / 2);
        l.half_tick = !l.half_tick;
        if l.half_tick {
            return;
        }
        l.tick += 1;
        if !l.started {
            return;
        }
        let mut synced = BTreeSet::from([me]);
        for h in l.handlers.values() {
            if h.newleader_acked && h.deadline_tick >= l.tick {
                synced.insert(h.sid);
            }
        }
        if !cfg.is_quorum(synced.iter()) {
            let why = format!(
                "Not sufficient followers synced, only synced with sids: [ {} ]",
                sids(&synced)
            );
            self.enter_looking(ctx, Some(why));
        }
    }

    /// A learner closed its connection: forget its handler.
    pub(crate) fn leader_on_disconnect(&mut self, ctx: &mut ZkCtx, conn: u64) {
        let me = self.sid;
        let Some(l) = self.lead() else { return };
        if let Some(h) = l.handlers.remove(&conn) {
            ctx.note(format!("zk{me}: learner zk{} closed its connection", h.sid));
        }
    }

    /// initLimit passed before a quorum synced.
    pub(crate) fn leader_on_init_limit(&mut self, ctx: &mut ZkCtx) {
        let Some(l) = self.lead() else { return };
        if l.started {
            return;
        }
        let why = if l.new_epoch.is_none() {
            "Timeout while waiting for epoch from quorum".to_string()
        } else {
            format!(
                "Waiting for a quorum of followers, only synced with sids: [ {} ]",
                sids(&l.newleader_acked)
            )
        };
        self.enter_looking(ctx, Some(why));
    }

    fn leader_schedule_expiry(&mut self, ctx: &mut ZkCtx) {
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
        let Some(l) = self.lead() else { return };
        if !l.started {
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
