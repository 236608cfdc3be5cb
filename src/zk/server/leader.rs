//! The leader side of Zab (`Leader.lead` + one `LearnerHandler` per learner), sheet B.4–B.6.
//!
//! Discovery: FOLLOWERINFO from a quorum (leader included) fixes
//! `newEpoch = max(acceptedEpoch) + 1`, persisted as acceptedEpoch and sent as LEADERINFO; a
//! quorum of ACKEPOCH persists currentEpoch. Until then a follower more recent than the
//! leader fails its own handler (its connection is closed, the leader carries on); after
//! that, late learners are not checked at all and are simply synced (`waitForEpochAck`).
//! Synchronization: per learner DIFF / TRUNC / SNAP from the in-memory committed log
//! (`syncFollower`), then the outstanding proposals, then NEWLEADER; a quorum of NEWLEADER
//! ACKs starts the leader, which sends UPTODATE. Broadcast: PROPOSAL to every forwarding
//! learner, commit on a quorum of ACKs strictly in zxid order, COMMIT to learners. Liveness:
//! PING every tickTime/2, and every tick the leader gives up if the learners it heard from
//! within syncLimit ticks (initLimit + syncLimit for a new connection, whatever its stage)
//! plus itself are not a quorum; each handler has a socket read timeout
//! (initLimit ticks until the learner is up to date, syncLimit ticks after) and closes its
//! connection when it passes. Only the leader expires sessions.
//!
//! Observers (`LearnerHandler` of type OBSERVER, `Leader.observingLearners`): OBSERVERINFO
//! starts the same handshake (an observer's acceptedEpoch still raises the new epoch, and the
//! "ahead of the leader" check applies to it), but an observer never counts toward a quorum
//! (`QuorumVerifier` weight 0: epoch, epoch acks, NEWLEADER acks, proposal ACKs, the synced
//! check); it is synced without the outstanding proposals and then gets `INFORM` for every
//! commit instead of PROPOSAL and COMMIT (`sendObserverPacket`).
//! Simplified: syncing from the on-disk txn log beyond the committed log is folded into SNAP; `initLimit` is one timer for discovery and sync;
//! `SyncLimitCheck` (a proposal un-ACKed for syncLimit) is left to the read timeout, since a
//! simulated learner ACKs every proposal as soon as it arrives.

use crate::sim::vecmap::{VecMap, VecSet};
use crate::zk::server::containers::ContainerManager;

use crate::sim::{NodeId, MS};

use crate::zk::config::{Sid, ZkConfig};
use crate::zk::data::tree::DataTree;
use crate::zk::data::txn::{Txn, TxnHeader};
use crate::zk::msg::{Msg, QuorumPacket, Timer};
use crate::zk::server::sessions::SessionTracker;
use crate::zk::server::summary::{LearnerSummary, ZabPhase};
use crate::zk::server::wire::{Arrival, ConnEnd};
use crate::zk::server::{Role, Server, ZkCtx};
use crate::zk::types::{fmt_zxid, zxid, SessionId, Zxid};

/// A proposal waiting for a quorum of ACKs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proposal {
    pub hdr: TxnHeader,
    pub txn: Txn,
    pub acks: VecSet<Sid>,
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
    /// Receives proposals and commits (or, for an observer, INFORMs).
    pub forwarding: bool,
    /// The learner connected with OBSERVERINFO (`LearnerType.OBSERVER`).
    pub observer: bool,
    pub newleader_acked: bool,
    pub last_ack_zxid: Zxid,
    /// `tickOfNextAckDeadline`.
    pub deadline_tick: u64,
}

/// A learner's `sync` waiting for the proposals outstanding when it arrived.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct PendingSync {
    pub(super) upto: Zxid,
    /// The learner connection that forwarded it.
    pub(super) origin: u64,
    pub(super) session: SessionId,
    pub(super) cxid: i32,
}

/// Everything a leader keeps while leading.
#[derive(Clone, Debug)]
pub struct LeaderState {
    pub new_epoch: Option<u32>,
    pub(super) epoch_contrib: VecSet<Sid>,
    pub(super) max_accepted: u32,
    pub(super) epoch_acked: VecSet<Sid>,
    pub epoch_established: bool,
    pub(super) newleader_acked: VecSet<Sid>,
    /// A quorum ACKed NEWLEADER: the leader is active (BROADCAST).
    pub started: bool,
    /// `leaderStateSummary` = (currentEpoch, last zxid) when leading began.
    pub(super) summary_at_start: (u32, Zxid),
    pub handlers: VecMap<u64, LearnerHandler>,
    pub(super) counter: u32,
    pub outstanding: VecMap<Zxid, Proposal>,
    /// The tree with every outstanding proposal applied (`outstandingChanges`).
    pub(super) prep_tree: DataTree,
    pub(super) pending_syncs: Vec<PendingSync>,
    pub(super) tick: u64,
    pub(super) half_tick: bool,
    pub sessions: SessionTracker,
    /// The `ContainerManager`, started with the leader.
    pub containers: ContainerManager,
}

impl LeaderState {
    /// Learners as views show them.
    pub fn learner_summaries(&self) -> Vec<LearnerSummary> {
        self.handlers
            .values()
            .map(|h| LearnerSummary {
                sid: h.sid,
                observer: h.observer,
                sync_mode: h.sync_mode,
                synced: h.newleader_acked,
                last_ack_zxid: h.last_ack_zxid,
            })
            .collect()
    }
}

pub(super) fn send_h(ctx: &mut ZkCtx, h: &mut LearnerHandler, pkt: QuorumPacket) {
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

/// The handler's socket read timeout: `initLimit` ticks while the learner connects and
/// syncs, `syncLimit` ticks once it is up to date (`LearnerHandler.run`).
fn arm_read_timeout(ctx: &mut ZkCtx, h: &LearnerHandler, cfg: &ZkConfig) {
    let ticks = if h.stage == Stage::UpToDate {
        cfg.sync_limit
    } else {
        cfg.init_limit
    };
    ctx.set_timer(
        Timer::LearnerHandlerReadTimeout(h.end.conn),
        ticks * cfg.tick_us(),
    );
}

pub(super) fn sids(set: &VecSet<Sid>) -> String {
    set.iter()
        .map(|s| format!("zk{s}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Server {
    pub(super) fn lead(&mut self) -> Option<&mut LeaderState> {
        match &mut self.role {
            Role::Leader(l) => Some(l),
            _ => None,
        }
    }

    /// For checkers: a (prospective) leader's new epoch, once decided, and the highest
    /// acceptedEpoch its discovery quorum reported (its own included).
    pub fn discovery_epochs(&self) -> Option<(Option<u32>, u32)> {
        match &self.role {
            Role::Leader(l) => Some((l.new_epoch, l.max_accepted)),
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
            epoch_contrib: VecSet::from([self.sid]),
            max_accepted: self.disk.accepted_epoch,
            epoch_acked: VecSet::new(),
            epoch_established: false,
            newleader_acked: VecSet::new(),
            started: false,
            summary_at_start: (self.disk.current_epoch, self.tree.last_processed_zxid()),
            handlers: VecMap::new(),
            counter: 0,
            outstanding: VecMap::new(),
            prep_tree: self.tree.clone(),
            pending_syncs: Vec::new(),
            tick: 0,
            half_tick: false,
            sessions: SessionTracker::default(),
            containers: ContainerManager::default(),
        };
        self.role = Role::Leader(Box::new(state));
        let tick = self.config.tick_us();
        ctx.set_timer(Timer::LeaderInitLimit, self.config.init_limit * tick);
        ctx.set_timer(Timer::LeaderTick, tick / 2);
        self.leader_try_decide_epoch(ctx);
    }

    fn leader_try_decide_epoch(&mut self, ctx: &mut ZkCtx) {
        let cfg = self.config.clone();
        let own_accepted = self.disk.accepted_epoch;
        let me = self.sid;
        let Some(l) = self.lead() else { return };
        if l.new_epoch.is_some() || !cfg.is_quorum(l.epoch_contrib.iter()) {
            return;
        }
        let e = match cfg.bugs.ignore_follower_epoch {
            true => own_accepted + 1,
            false => l.max_accepted + 1,
        };
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

    pub(super) fn leader_try_start(&mut self, ctx: &mut ZkCtx) {
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
        l.containers = ContainerManager::start(now_ms, cfg.container_check_interval_ms);
        let quorum = sids(&l.newleader_acked);
        for h in l.handlers.values_mut().filter(|h| h.newleader_acked) {
            send_h(ctx, h, QuorumPacket::UpToDate);
            h.stage = Stage::UpToDate;
            arm_read_timeout(ctx, h, &cfg);
        }
        self.phase = ZabPhase::Broadcast;
        self.serving = true;
        // `startZkServer`: the database's last processed zxid becomes `newEpoch<<32`.
        self.tree.set_last_processed_zxid(zxid(e, 0));
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
        let cfg = self.config.clone();
        let (sync_limit, init_limit) = (cfg.sync_limit, cfg.init_limit);
        let Some(l) = self.lead() else { return };
        if !l.handlers.contains_key(&conn) {
            let observer = match pkt {
                QuorumPacket::FollowerInfo { .. } => false,
                QuorumPacket::ObserverInfo { .. } => true,
                _ => return,
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
                    observer,
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
        // `tickOfNextAckDeadline` is set afresh by every packet of the main loop (once the
        // learner is up to date); the socket read timeout by every packet.
        if h.stage == Stage::UpToDate {
            h.deadline_tick = tick + sync_limit;
        }
        arm_read_timeout(ctx, h, &cfg);
        match pkt {
            QuorumPacket::FollowerInfo { accepted_epoch }
            | QuorumPacket::ObserverInfo { accepted_epoch } => {
                // `getEpochToPropose`: every learner's acceptedEpoch raises the epoch, only a
                // participant joins `connectingFollowers` (`is_quorum` counts only voters).
                if let Some(e) = l.new_epoch {
                    send_h(ctx, h, QuorumPacket::LeaderInfo { new_epoch: e });
                    h.stage = Stage::SentLeaderInfo;
                } else {
                    if !h.observer {
                        l.epoch_contrib.insert(src_sid);
                    }
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
                // `waitForEpochAck`: once the epoch is established it returns at once, so a
                // late learner is never "ahead"; it is synced (TRUNC or SNAP) instead.
                if l.epoch_established {
                    self.leader_sync_follower(ctx, conn);
                    return;
                }
                if current_epoch != -1 {
                    if (current_epoch, last_zxid)
                        > (l.summary_at_start.0 as i64, l.summary_at_start.1)
                    {
                        // The exception ends only this learner's handler, not the leader.
                        let why = format!(
                            "Follower is ahead of the leader: zk{src_sid} has epoch {current_epoch}, zxid {}",
                            fmt_zxid(last_zxid)
                        );
                        self.leader_close_handler(ctx, conn, &why);
                        return;
                    }
                    if !h.observer {
                        l.epoch_acked.insert(src_sid);
                    }
                }
                self.leader_try_establish(ctx);
            }
            QuorumPacket::Ack { zxid: z } => {
                h.last_ack_zxid = h.last_ack_zxid.max(z);
                let newleader = l.new_epoch.map(|e| zxid(e, 0));
                if Some(z) == newleader {
                    if !h.newleader_acked && h.stage == Stage::Syncing {
                        h.newleader_acked = true;
                        // `addAck` keeps only participants.
                        if !h.observer {
                            l.newleader_acked.insert(src_sid);
                        }
                        if l.started {
                            send_h(ctx, h, QuorumPacket::UpToDate);
                            h.stage = Stage::UpToDate;
                            arm_read_timeout(ctx, h, &cfg);
                        } else {
                            self.leader_try_start(ctx);
                        }
                    }
                } else if let Some(p) = l.outstanding.get_mut(&z) {
                    // An observer's ACK never counts (`Observer ACK` is only logged).
                    if !h.observer {
                        p.acks.insert(src_sid);
                        self.leader_try_commit_after(ctx, Some(src_sid));
                    }
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
        // `LearnerHandler.synced()`: alive and within `tickOfNextAckDeadline`, whatever
        // stage its handshake is in.
        let mut synced = VecSet::from([me]);
        for h in l.handlers.values() {
            // Only voting members join `syncedAckSet`.
            if h.deadline_tick >= l.tick && !h.observer {
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

    /// Ends one learner's handler (`LearnerHandler.shutdown`): the socket is closed, so
    /// the learner sees the connection go; the leader itself carries on.
    pub(crate) fn leader_close_handler(&mut self, ctx: &mut ZkCtx, conn: u64, why: &str) {
        let me = self.sid;
        let Some(l) = self.lead() else { return };
        let Some(h) = l.handlers.remove(&conn) else {
            return;
        };
        ctx.cancel_timer(Timer::LearnerHandlerReadTimeout(conn));
        ctx.send(
            h.end.peer,
            Msg::Disconnect {
                conn,
                reason: why.to_string(),
            },
        );
        ctx.note(format!(
            "zk{me} closes its connection to learner zk{}: {why}",
            h.sid
        ));
    }

    /// A learner's handler heard nothing within its read timeout: it ends, closing the
    /// connection ("Read timed out"); the quorum check decides whether the leader goes on.
    pub(crate) fn leader_on_handler_read_timeout(&mut self, ctx: &mut ZkCtx, conn: u64) {
        let Some(l) = self.lead() else { return };
        if !l.handlers.contains_key(&conn) {
            return;
        }
        self.leader_close_handler(ctx, conn, "Read timed out: no packet from the learner");
    }

    /// A learner closed its connection: forget its handler.
    pub(crate) fn leader_on_disconnect(&mut self, ctx: &mut ZkCtx, conn: u64) {
        let me = self.sid;
        let Some(l) = self.lead() else { return };
        if let Some(h) = l.handlers.remove(&conn) {
            ctx.cancel_timer(Timer::LearnerHandlerReadTimeout(conn));
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
}
