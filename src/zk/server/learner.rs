//! The follower side of Zab (`Learner.registerWithLeader`, `syncWithLeader`,
//! `Follower.followLeader`), sheet B.4 follower steps 1–6 and B.6.
//!
//! Connect and send one FOLLOWERINFO, then wait for LEADERINFO up to the socket read timeout
//! (initLimit ticks); only a refused connect (the server is not leading) is retried, a
//! second later, five tries in all and within initLimit (`connectToLeader`). On LEADERINFO
//! persist acceptedEpoch before answering ACKEPOCH (or answer -1 if the epoch was already
//! accepted; a lower epoch is an error); then exactly one of DIFF / TRUNC / SNAP,
//! PROPOSAL+COMMIT pairs, NEWLEADER (persist currentEpoch, snapshot after SNAP/TRUNC, ACK),
//! UPTODATE (serve clients). In broadcast: log every PROPOSAL then ACK it, apply COMMITs in
//! order (a COMMIT with no txn pending is ignored; one for anything but the next pending txn
//! makes the process exit, modelled as the server closing its connections and restarting
//! from its disk), answer PINGs with the session touches. No packet within the read timeout (initLimit ticks while syncing,
//! syncLimit ticks after) sends the follower back to LOOKING.
//!
//! An observer (`Observer.observeLeader`) goes through the same steps with OBSERVERINFO; once
//! up to date it ignores PROPOSAL and COMMIT (it is never sent them) and logs and applies each
//! INFORM, a committed txn (`ObserverZooKeeperServer.commitRequest`, with the default
//! `zookeeper.observer.syncEnabled`); it never ACKs proposals.
//!
//! Chosen behaviour: txns received while syncing are written to the log before the NEWLEADER
//! ACK (ZOOKEEPER-3911, 3.5.10+/3.6.3+), not after UPTODATE as in 3.5.9. Simplified: a
//! connect to an unreachable leader is not timed out on its own (real: syncLimit ticks per
//! try); the initLimit read timeout ends the attempt instead.

use crate::sim::vecmap::VecMap;
use crate::sim::{NodeId, TimeUs, SEC};

use crate::zk::config::Sid;
use crate::zk::data::txn::{Txn, TxnHeader};
use crate::zk::msg::{ForwardedOp, Msg, QuorumPacket, Timer};
use crate::zk::server::summary::ZabPhase;
use crate::zk::server::wire::{Arrival, ConnEnd};
use crate::zk::server::{LogEntry, Role, Server, ZkCtx};
use crate::zk::types::{epoch_of, fmt_zxid, zxid, SessionId, Zxid};

/// Where a learner is in its handshake with the leader.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LearnerStage {
    /// FOLLOWERINFO sent, waiting for LEADERINFO.
    Connecting,
    /// ACKEPOCH sent, waiting for DIFF/TRUNC/SNAP.
    AwaitSync,
    /// Receiving the sync stream, until NEWLEADER.
    Syncing,
    /// NEWLEADER ACKed, waiting for UPTODATE.
    AwaitUpToDate,
    /// Following in the broadcast phase, serving clients.
    Following,
}

/// Everything a learner keeps while following.
#[derive(Clone, Debug, PartialEq)]
pub struct LearnerState {
    pub leader_sid: Sid,
    pub end: ConnEnd,
    pub stage: LearnerStage,
    /// Connect attempts so far, and when the first began.
    attempts: u32,
    connect_started_us: TimeUs,
    new_epoch: u32,
    sync_mode: Option<&'static str>,
    /// Proposals received during sync, written to the log at NEWLEADER.
    sync_pending: Vec<LogEntry>,
    /// Sessions of local clients that showed life since the last PING.
    pub touches: VecMap<SessionId, i32>,
    /// How the last sync went and to which zxid.
    pub last_sync: Option<(&'static str, Zxid)>,
}

const CONNECT_ATTEMPTS: u32 = 5;

impl Server {
    fn learner(&mut self) -> Option<&mut LearnerState> {
        match &mut self.role {
            Role::Learner(l) => Some(l),
            _ => None,
        }
    }

    fn learner_send(&mut self, ctx: &mut ZkCtx, pkt: QuorumPacket) {
        if let Some(l) = self.learner() {
            let seq = l.end.next_seq();
            ctx.send(
                l.end.peer,
                Msg::Quorum {
                    conn: l.end.conn,
                    seq,
                    pkt,
                },
            );
        }
    }

    /// `followLeader()` begins: connect to the leader and send FOLLOWERINFO.
    pub(crate) fn start_following(&mut self, ctx: &mut ZkCtx, leader: Sid) {
        let Some(node) = self.node_of(leader) else {
            self.enter_looking(ctx, Some(format!("zk{leader} is not in the configuration")));
            return;
        };
        self.phase = ZabPhase::Discovery;
        let conn = ctx.rng().next_u64();
        self.role = Role::Learner(Box::new(LearnerState {
            leader_sid: leader,
            end: ConnEnd::new(node, conn),
            stage: LearnerStage::Connecting,
            attempts: 1,
            connect_started_us: ctx.now_us(),
            new_epoch: 0,
            sync_mode: None,
            sync_pending: Vec::new(),
            touches: VecMap::new(),
            last_sync: None,
        }));
        let info = self.learner_info();
        self.learner_send(ctx, info);
        self.learner_reset_read_timeout(ctx);
    }

    /// `registerWithLeader(FOLLOWERINFO)` or, for an observer, `(OBSERVERINFO)`.
    fn learner_info(&self) -> QuorumPacket {
        let accepted_epoch = self.disk.accepted_epoch;
        if self.is_observer() {
            QuorumPacket::ObserverInfo { accepted_epoch }
        } else {
            QuorumPacket::FollowerInfo { accepted_epoch }
        }
    }

    fn learner_reset_read_timeout(&mut self, ctx: &mut ZkCtx) {
        let following = matches!(self.learner(), Some(l) if l.stage == LearnerStage::Following);
        let ticks = if following {
            self.config.sync_limit
        } else {
            self.config.init_limit
        };
        ctx.set_timer(Timer::LearnerReadTimeout, ticks * self.config.tick_us());
    }

    /// The leader refused the connection (`connectToLeader`): try again a second later,
    /// unless five tries failed or initLimit is (nearly) used up.
    pub(crate) fn learner_on_refused(&mut self, ctx: &mut ZkCtx) {
        let init_limit_us = self.config.init_limit * self.config.tick_us();
        let now = ctx.now_us();
        let Some(l) = self.learner() else { return };
        let leader = l.leader_sid;
        if l.stage != LearnerStage::Connecting {
            self.enter_looking(
                ctx,
                Some(format!("leader zk{leader} closed the connection")),
            );
            return;
        }
        let remaining = (l.connect_started_us + init_limit_us).saturating_sub(now);
        if l.attempts >= CONNECT_ATTEMPTS || remaining <= SEC {
            let tries = l.attempts;
            self.enter_looking(
                ctx,
                Some(format!(
                    "could not connect to leader zk{leader} ({tries} tries refused)"
                )),
            );
            return;
        }
        ctx.note(format!(
            "zk{}: leader zk{leader} refused the connection; it tries again in a second",
            self.sid
        ));
        ctx.set_timer(Timer::LearnerConnect, SEC);
    }

    /// A second after a refused connect: connect again and send FOLLOWERINFO.
    pub(crate) fn learner_on_connect_retry(&mut self, ctx: &mut ZkCtx) {
        let info = self.learner_info();
        let Some(l) = self.learner() else { return };
        if l.stage != LearnerStage::Connecting {
            return;
        }
        l.attempts += 1;
        l.end = ConnEnd::new(l.end.peer, ctx.rng().next_u64());
        self.learner_send(ctx, info);
        self.learner_reset_read_timeout(ctx);
    }

    /// Nothing from the leader within the read timeout.
    pub(crate) fn learner_on_read_timeout(&mut self, ctx: &mut ZkCtx) {
        let Some(l) = self.learner() else { return };
        let leader = l.leader_sid;
        self.enter_looking(
            ctx,
            Some(format!(
                "no packet from leader zk{leader} within its read timeout"
            )),
        );
    }

    /// Sends a client write (or session op, or sync) to the leader as a REQUEST.
    pub(crate) fn learner_forward(
        &mut self,
        ctx: &mut ZkCtx,
        session: SessionId,
        cxid: i32,
        op: ForwardedOp,
    ) {
        if matches!(self.learner(), Some(l) if l.stage == LearnerStage::Following) {
            self.learner_send(ctx, QuorumPacket::Request { session, cxid, op });
        }
    }

    /// Handles a packet from the leader.
    pub(crate) fn learner_on_packet(
        &mut self,
        ctx: &mut ZkCtx,
        src: NodeId,
        conn: u64,
        seq: u64,
        pkt: QuorumPacket,
    ) {
        let me = self.sid;
        let Some(l) = self.learner() else { return };
        if conn != l.end.conn || src != l.end.peer {
            return;
        }
        match l.end.arrival(seq) {
            Arrival::Duplicate => return,
            Arrival::Gap => {
                let leader = l.leader_sid;
                self.enter_looking(
                    ctx,
                    Some(format!(
                        "a packet from leader zk{leader} was lost: connection reset"
                    )),
                );
                return;
            }
            Arrival::Next => {}
        }
        self.learner_reset_read_timeout(ctx);
        match pkt {
            QuorumPacket::LeaderInfo { new_epoch } => self.learner_on_leader_info(ctx, new_epoch),
            QuorumPacket::Diff { zxid } => self.learner_begin_sync(ctx, "DIFF", zxid),
            QuorumPacket::Trunc { zxid } => {
                let snap = self.disk.snapshot.last_processed_zxid();
                if zxid < snap {
                    self.enter_looking(
                        ctx,
                        Some(format!(
                            "cannot truncate to {} below the snapshot",
                            fmt_zxid(zxid)
                        )),
                    );
                    return;
                }
                if !self.config.bugs.diff_without_truncate {
                    self.disk.log.retain(|e| e.hdr.zxid <= zxid);
                }
                self.reload_from_disk();
                ctx.note(format!("zk{me} truncates its log to {}", fmt_zxid(zxid)));
                self.learner_begin_sync(ctx, "TRUNC", zxid);
            }
            QuorumPacket::Snap { zxid, tree } => {
                self.tree = (*tree).clone();
                self.tree.set_last_processed_zxid(zxid);
                self.committed_log.clear();
                self.database_replaced();
                ctx.note(format!(
                    "zk{me} replaces its whole state with the leader's snapshot at {}",
                    fmt_zxid(zxid)
                ));
                self.learner_begin_sync(ctx, "SNAP", zxid);
            }
            QuorumPacket::Proposal { hdr, txn } => {
                let observer = self.is_observer();
                let Some(l) = self.learner() else { return };
                if l.stage == LearnerStage::Syncing || l.stage == LearnerStage::AwaitSync {
                    l.sync_pending.push(LogEntry { hdr, txn });
                } else if observer {
                    // `Observer.processPacket`: "Ignoring proposal".
                } else if hdr.zxid > self.disk.last_logged_zxid() {
                    self.log_txn(hdr, txn);
                    self.learner_send(ctx, QuorumPacket::Ack { zxid: hdr.zxid });
                }
            }
            QuorumPacket::Commit { zxid } => {
                let observing = self.is_observer()
                    && matches!(self.learner(), Some(l) if l.stage == LearnerStage::Following);
                // `Observer.processPacket`: "Ignoring commit" once it observes.
                if !observing {
                    self.learner_on_commit(ctx, zxid);
                }
            }
            QuorumPacket::Inform { hdr, txn } => self.observer_on_inform(ctx, hdr, txn),
            QuorumPacket::NewLeader { zxid } => self.learner_on_new_leader(ctx, zxid),
            QuorumPacket::UpToDate => {
                let Some(l) = self.learner() else { return };
                l.stage = LearnerStage::Following;
                let (e, leader) = (l.new_epoch, l.leader_sid);
                self.serving = true;
                self.phase = ZabPhase::Broadcast;
                self.election.vote.peer_epoch = e as u64;
                self.learner_send(ctx, QuorumPacket::Ack { zxid: zxid(e, 0) });
                self.learner_reset_read_timeout(ctx);
                ctx.note(format!(
                    "zk{me} is up to date with leader zk{leader} (epoch {e}) and serves clients"
                ));
            }
            QuorumPacket::Ping { .. } => {
                let mut touches: Vec<(SessionId, i32)> = match self.learner() {
                    Some(l) => std::mem::take(&mut l.touches).into_iter().collect(),
                    None => vec![],
                };
                if touches.is_empty() {
                    touches = Vec::new();
                }
                self.learner_send(ctx, QuorumPacket::Ping { touches });
            }
            QuorumPacket::Sync { session, cxid } => self.complete_sync(ctx, session, cxid),
            _ => {}
        }
    }

    fn learner_on_leader_info(&mut self, ctx: &mut ZkCtx, new_epoch: u32) {
        let me = self.sid;
        ctx.cancel_timer(Timer::LearnerConnect);
        let accepted = self.disk.accepted_epoch;
        let current = self.disk.current_epoch as i64;
        // `getLastLoggedZxid` is the database's last processed zxid.
        let last = self.tree.last_processed_zxid();
        if new_epoch < accepted {
            self.enter_looking(
                ctx,
                Some(format!(
                    "LEADERINFO epoch {new_epoch} is lower than its acceptedEpoch {accepted}"
                )),
            );
            return;
        }
        let reported = if new_epoch > accepted {
            if !self.config.bugs.accepted_epoch_not_saved {
                self.disk.accepted_epoch = new_epoch;
            }
            current
        } else {
            -1
        };
        if let Some(l) = self.learner() {
            l.new_epoch = new_epoch;
            l.stage = LearnerStage::AwaitSync;
        }
        self.phase = ZabPhase::Synchronization;
        ctx.note(format!(
            "zk{me} accepts epoch {new_epoch} and answers ACKEPOCH (last zxid {}, currentEpoch {reported})",
            fmt_zxid(last)
        ));
        self.learner_send(
            ctx,
            QuorumPacket::AckEpoch {
                last_zxid: last,
                current_epoch: reported,
            },
        );
    }

    fn learner_begin_sync(&mut self, _ctx: &mut ZkCtx, mode: &'static str, zxid: Zxid) {
        if let Some(l) = self.learner() {
            l.stage = LearnerStage::Syncing;
            l.sync_mode = Some(mode);
            l.last_sync = Some((mode, zxid));
        }
    }

    fn learner_on_commit(&mut self, ctx: &mut ZkCtx, z: Zxid) {
        let me = self.sid;
        let applied = self.tree.last_processed_zxid();
        let Some(l) = self.learner() else { return };
        if l.stage == LearnerStage::Following {
            // `FollowerZooKeeperServer.commit`: nothing pending is only a warning; a COMMIT
            // for anything but the first pending txn ends the process (`System.exit(12)`).
            let next = self.disk.log.iter().find(|e| e.hdr.zxid > applied).cloned();
            match next {
                Some(e) if e.hdr.zxid == z => self.apply_committed(ctx, e.hdr, e.txn),
                None => ctx.note(format!(
                    "zk{me} ignores COMMIT {}: it has no txn waiting for a commit",
                    fmt_zxid(z)
                )),
                Some(e) => self.exit_and_restart(
                    ctx,
                    format!(
                        "COMMIT {} but its next pending txn is {}",
                        fmt_zxid(z),
                        fmt_zxid(e.hdr.zxid)
                    ),
                ),
            }
            return;
        }
        let entry = if l.stage == LearnerStage::Syncing {
            l.sync_pending.iter().find(|e| e.hdr.zxid == z).cloned()
        } else {
            self.disk
                .log
                .iter()
                .find(|e| e.hdr.zxid > applied)
                .filter(|e| e.hdr.zxid == z)
                .cloned()
        };
        match entry {
            Some(e) if z > applied => self.apply_committed(ctx, e.hdr, e.txn),
            Some(_) => {}
            None => self.enter_looking(
                ctx,
                Some(format!(
                    "zk{me} got COMMIT {} that is not its next logged txn",
                    fmt_zxid(z)
                )),
            ),
        }
    }

    /// `Observer.processPacket(INFORM)`: a committed txn; the observer logs it and applies it
    /// (it came in zxid order on a FIFO connection, after everything the sync gave it). One
    /// that arrives before UPTODATE is applied at once too (`syncWithLeader` queues it and
    /// commits it at UPTODATE, in the same order).
    fn observer_on_inform(&mut self, ctx: &mut ZkCtx, hdr: TxnHeader, txn: Txn) {
        let observing = self.is_observer()
            && matches!(self.learner(), Some(l) if matches!(
                l.stage,
                LearnerStage::Syncing | LearnerStage::AwaitUpToDate | LearnerStage::Following
            ));
        if !observing || hdr.zxid <= self.tree.last_txn_zxid() {
            return;
        }
        if hdr.zxid > self.disk.last_logged_zxid() {
            self.log_txn(hdr, txn.clone());
        }
        self.apply_committed(ctx, hdr, txn);
    }

    /// Accessor for tests and views: the learner's state, if this server follows.
    pub fn learner_state(&self) -> Option<&LearnerState> {
        match &self.role {
            Role::Learner(l) => Some(l),
            _ => None,
        }
    }

    fn learner_on_new_leader(&mut self, ctx: &mut ZkCtx, z: Zxid) {
        let me = self.sid;
        let Some(l) = self.learner() else { return };
        if l.stage != LearnerStage::Syncing {
            self.enter_looking(ctx, Some("NEWLEADER outside synchronization".into()));
            return;
        }
        let mode = l.sync_mode.unwrap_or("DIFF");
        let pending = std::mem::take(&mut l.sync_pending);
        l.stage = LearnerStage::AwaitUpToDate;
        self.serving |= self.config.bugs.reads_before_uptodate;
        if mode != "DIFF" {
            self.take_snapshot();
            self.disk.log.clear();
        }
        for e in pending {
            if e.hdr.zxid > self.disk.last_logged_zxid() {
                self.log_txn(e.hdr, e.txn);
            }
        }
        self.disk.current_epoch = epoch_of(z);
        let applied = self.tree.last_processed_zxid();
        let unacked: Vec<Zxid> = self
            .disk
            .log
            .iter()
            .filter(|e| e.hdr.zxid > applied)
            .map(|e| e.hdr.zxid)
            .collect();
        // An observer never ACKs proposals (only NEWLEADER and UPTODATE).
        if !self.is_observer() {
            for u in unacked {
                self.learner_send(ctx, QuorumPacket::Ack { zxid: u });
            }
        }
        ctx.note(format!(
            "zk{me} has logged the synced history, sets currentEpoch {} and ACKs NEWLEADER",
            epoch_of(z)
        ));
        self.learner_send(ctx, QuorumPacket::Ack { zxid: z });
    }
}
