//! A ZooKeeper server (`QuorumPeer`): election, then leading or following, and serving clients.
//!
//! State is split the way a real server's is: [`Disk`] survives a crash (the `acceptedEpoch`
//! and `currentEpoch` files, the txn log, the latest snapshot); everything else is volatile.
//! Whenever a server (re)enters LOOKING it reloads its database from disk — snapshot plus
//! *every* logged txn, committed or not, exactly as `ZKDatabase.loadDataBase` does — so its
//! vote carries its last *logged* zxid (sheet B.7). The one in-memory value kept across that
//! reload is the `newEpoch<<32` an activated leader sets as its last processed zxid
//! (`startZkServer`), which its later votes and ACKEPOCHs carry as real 3.5 servers do (they
//! keep the database and fast-forward it from the log instead of reloading it).
//!
//! Modelled on 3.5.9 with one deliberate choice (sheet B.4 follower step 4, B.8): a learner
//! writes the txns it received during synchronization to its log *before* it ACKs NEWLEADER
//! (the ZOOKEEPER-3911 behaviour of 3.5.10/3.6.3+), so the Zab invariants hold as stated.
//! Observers (`peerType=observer`) run the same FLE without a vote of their own, connect with
//! OBSERVERINFO, sync like followers, then apply the committed txns the leader INFORMs them of;
//! they serve reads and forward writes like followers and never count toward any quorum.
//! Simplified: no reconfig, no local sessions, no `REVALIDATE` round trip (a
//! reconnecting session is checked against the server's replicated session table), fsync is
//! instantaneous, and an ensemble of one runs as a quorum of one rather than in standalone
//! mode.

pub mod conns;
pub mod containers;
pub mod election;
pub mod leader;
pub mod leader_broadcast;
pub mod leader_sync;
pub mod learner;
pub mod sessions;
pub mod summary;
pub mod wire;

use std::collections::VecDeque;
use std::hash::{Hash, Hasher};
use std::rc::Rc;

use crate::sim::vecmap::{VecMap, VecSet};
use crate::sim::{Ctx, NodeId, MS};

use crate::zk::config::{Sid, ZkConfig};
use crate::zk::data::tree::DataTree;
use crate::zk::data::txn::{Txn, TxnHeader};
use crate::zk::data::watches::WatchManager;
use crate::zk::msg::{Control, Msg, QuorumPacket, ServerState, Timer, Vote, CONNECTION_REFUSED};
use crate::zk::server::conns::ClientConns;
use crate::zk::server::election::{Decision, Election};
use crate::zk::server::leader::LeaderState;
use crate::zk::server::learner::LearnerState;
use crate::zk::server::summary::{LogEntrySummary, ServerSummary, ZabPhase};
use crate::zk::types::{counter_of, fmt_zxid, Zxid};

/// Short for the context ZooKeeper handlers run in.
pub type ZkCtx<'a> = Ctx<'a, Msg, Timer>;

/// One logged transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogEntry {
    pub hdr: TxnHeader,
    pub txn: Txn,
}

/// What survives a crash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Disk {
    /// `acceptedEpoch` file: epoch of the last LEADERINFO accepted.
    pub accepted_epoch: u32,
    /// `currentEpoch` file: epoch of the last NEWLEADER accepted.
    pub current_epoch: u32,
    /// Latest snapshot.
    pub snapshot: Rc<DataTree>,
    /// Txns logged after the snapshot, in zxid order.
    pub log: Vec<LogEntry>,
}

impl Disk {
    fn new() -> Self {
        Self {
            accepted_epoch: 0,
            current_epoch: 0,
            snapshot: Rc::new(DataTree::new()),
            log: Vec::new(),
        }
    }

    /// zxid of the last logged txn (or of the snapshot).
    pub fn last_logged_zxid(&self) -> Zxid {
        self.log
            .last()
            .map(|e| e.hdr.zxid)
            .unwrap_or_else(|| self.snapshot.last_processed_zxid())
    }
}

/// The role a server plays once the election is over.
#[derive(Clone, Debug)]
pub enum Role {
    /// LOOKING (or just started).
    None,
    Leader(Box<LeaderState>),
    Learner(Box<LearnerState>),
}

/// Deliveries remembered for checkers.
const DELIVERED_KEPT: usize = 64;

/// A fingerprint of a txn (FNV-1a over its `Hash` stream), to compare replicas within a run.
/// Only ever compared with another fingerprint made by the same build, never shown.
pub fn fingerprint(txn: &Txn) -> u64 {
    let mut h = Fnv1a(0xcbf2_9ce4_8422_2325);
    txn.hash(&mut h);
    h.0
}

/// FNV-1a as a [`Hasher`], so fingerprints need no text form of the txn.
struct Fnv1a(u64);

impl Hasher for Fnv1a {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= b as u64;
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// Txns between snapshots (real default `snapCount` is 100000; small here to bound memory).
pub const SNAP_COUNT: usize = 200;

/// A ZooKeeper server.
#[derive(Clone, Debug)]
pub struct Server {
    pub sid: Sid,
    pub config: ZkConfig,
    pub(crate) disk: Disk,
    pub(crate) state: ServerState,
    pub(crate) phase: ZabPhase,
    /// The in-memory database (committed and applied txns; after a reload, everything logged).
    pub(crate) tree: DataTree,
    /// Last applied txns, for DIFF (`committedLog`).
    pub(crate) committed_log: VecDeque<LogEntry>,
    pub(crate) election: Election,
    pub(crate) role: Role,
    pub(crate) serving: bool,
    pub(crate) watches: WatchManager,
    pub(crate) conns: ClientConns,
    /// Next session id this server hands out (top byte = sid).
    pub(crate) next_session_id: i64,
    /// Txns applied since the last snapshot.
    pub(crate) since_snapshot: usize,
    /// Checker hook: the last committed txns this server delivered, as (zxid, fingerprint).
    pub(crate) delivered: VecDeque<(Zxid, u64)>,
    /// Checker hook: how many txns it has delivered since its database was last loaded.
    pub(crate) delivered_total: u64,
    /// Checker hook: bumped whenever the in-memory database is replaced (reload from disk,
    /// SNAP), which starts a new run of deliveries.
    pub(crate) db_generation: u64,
    /// Checker hook: the database's last zxid when it was loaded.
    pub(crate) loaded_zxid: Zxid,
}

/// What a server delivered since its database was last (re)loaded, for checkers.
#[derive(Clone, Copy, Debug)]
pub struct Deliveries<'a> {
    /// The most recent deliveries (zxid, txn fingerprint), oldest first.
    pub recent: &'a VecDeque<(Zxid, u64)>,
    /// Deliveries since the database was loaded.
    pub total: u64,
    /// Which load of the database this is.
    pub generation: u64,
    /// Last zxid in the database right after it was loaded.
    pub loaded_zxid: Zxid,
}

impl Server {
    /// A server with an empty disk.
    pub fn new(sid: Sid, config: ZkConfig) -> Self {
        Self {
            sid,
            election: Election::new(sid),
            config,
            disk: Disk::new(),
            state: ServerState::Looking,
            phase: ZabPhase::Election,
            tree: DataTree::new(),
            committed_log: VecDeque::new(),
            role: Role::None,
            serving: false,
            watches: WatchManager::new(),
            conns: ClientConns::default(),
            next_session_id: 0,
            since_snapshot: 0,
            delivered: VecDeque::new(),
            delivered_total: 0,
            db_generation: 0,
            loaded_zxid: 0,
        }
    }

    /// `zk<sid>`.
    pub fn label(&self) -> String {
        format!("zk{}", self.sid)
    }

    /// Current server state.
    pub fn state(&self) -> ServerState {
        self.state
    }

    /// Whether clients can use this server.
    pub fn is_serving(&self) -> bool {
        self.serving
    }

    /// The in-memory data tree.
    pub fn tree(&self) -> &DataTree {
        &self.tree
    }

    /// The watch table (watches of clients connected here).
    pub fn watches(&self) -> &WatchManager {
        &self.watches
    }

    /// Proposals the leader has sent and not yet committed (0 on a learner): what its
    /// request pipeline still holds.
    pub fn outstanding_proposals(&self) -> usize {
        match &self.role {
            Role::Leader(l) => l.outstanding.len(),
            _ => 0,
        }
    }

    /// The committed txns this server delivered (applied because they were committed) since
    /// its database was last loaded. For checkers.
    pub fn delivered(&self) -> Deliveries<'_> {
        Deliveries {
            recent: &self.delivered,
            total: self.delivered_total,
            generation: self.db_generation,
            loaded_zxid: self.loaded_zxid,
        }
    }

    /// The in-memory database was replaced: a new run of deliveries starts.
    pub(crate) fn database_replaced(&mut self) {
        self.db_generation += 1;
        self.delivered.clear();
        self.delivered_total = 0;
        self.loaded_zxid = self.tree.last_processed_zxid();
    }

    /// The durable state.
    pub fn disk(&self) -> &Disk {
        &self.disk
    }

    /// The established epoch this server leads, if it is an active leader.
    pub fn established_epoch(&self) -> Option<u32> {
        match &self.role {
            Role::Leader(l) if l.started => l.new_epoch,
            _ => None,
        }
    }

    /// When an active leader's session tracker will expire `session` (simulated µs), if it
    /// tracks it: what the checkers compare a session's ephemerals against.
    pub fn session_deadline_us(&self, session: crate::zk::SessionId) -> Option<u64> {
        match &self.role {
            Role::Leader(l) if l.started => l
                .sessions
                .deadlines()
                .find(|(s, _)| *s == session)
                .map(|(_, ms)| ms * MS),
            _ => None,
        }
    }

    /// zxid of the last applied txn (not a new-epoch zxid set on activation).
    pub fn last_applied_zxid(&self) -> Zxid {
        self.tree.last_txn_zxid()
    }

    /// Whether this server is an observer (`LearnerType.OBSERVER`): it never votes.
    pub fn is_observer(&self) -> bool {
        self.config.is_observer(self.sid)
    }

    /// Our initial election vote: ourselves, last processed zxid of the database (just
    /// loaded, so the last logged txn, or a leader's `newEpoch<<32`), current epoch. An
    /// observer proposes nobody (`getInitId` is `Long.MIN_VALUE`, here sid 0 with zxid and
    /// epoch 0), so any voter's vote beats it.
    pub(crate) fn own_vote(&self) -> Vote {
        if self.is_observer() {
            return Vote {
                leader: 0,
                zxid: 0,
                peer_epoch: 0,
            };
        }
        Vote {
            leader: self.sid,
            zxid: self.tree.last_processed_zxid(),
            peer_epoch: self.disk.current_epoch as u64,
        }
    }

    /// Node of server `sid`.
    pub(crate) fn node_of(&self, sid: Sid) -> Option<NodeId> {
        self.config.node_of(sid)
    }

    /// Starts (or restarts after a crash): load the database from disk, look for a leader.
    pub fn on_start(&mut self, ctx: &mut ZkCtx) {
        let base = ((ctx.now_us() / MS) << 24) >> 8;
        self.next_session_id = ((self.sid << 56) | base) as i64;
        self.enter_looking(ctx, None);
    }

    /// Loses everything volatile; the disk stays.
    pub fn on_crash(&mut self) {
        let disk = self.disk.clone();
        // The checker hook counts database loads across restarts too, so that every load
        // starts a distinguishable run of deliveries.
        let generation = self.db_generation;
        *self = Server::new(self.sid, self.config.clone());
        self.disk = disk;
        self.db_generation = generation;
    }

    /// Handles any ZooKeeper message.
    pub fn on_message(&mut self, ctx: &mut ZkCtx, src: NodeId, msg: Msg) {
        match msg {
            Msg::Notification(n) => self.on_notification(ctx, src, n),
            Msg::Quorum { conn, seq, pkt } => match &self.role {
                Role::Leader(_) => self.leader_on_packet(ctx, src, conn, seq, pkt),
                // Nobody listens on the quorum port of a server that is not leading.
                _ if matches!(
                    pkt,
                    QuorumPacket::FollowerInfo { .. } | QuorumPacket::ObserverInfo { .. }
                ) && seq == 1 =>
                {
                    ctx.send(
                        src,
                        Msg::Disconnect {
                            conn,
                            reason: CONNECTION_REFUSED.to_string(),
                        },
                    );
                }
                Role::Learner(_) => self.learner_on_packet(ctx, src, conn, seq, pkt),
                Role::None => {}
            },
            Msg::Client { conn, seq, pkt } => self.on_client_packet(ctx, src, conn, seq, pkt),
            Msg::Disconnect { conn, reason } => match &self.role {
                Role::Leader(_) => self.leader_on_disconnect(ctx, conn),
                Role::Learner(l)
                    if l.end.conn == conn && l.end.peer == src && reason == CONNECTION_REFUSED =>
                {
                    self.learner_on_refused(ctx);
                }
                Role::Learner(l) if l.end.conn == conn && l.end.peer == src => {
                    let leader = l.leader_sid;
                    self.enter_looking(
                        ctx,
                        Some(format!("leader zk{leader} closed the connection")),
                    );
                }
                _ => {}
            },
            Msg::Control(Control::ExpireSession(s)) => self.leader_expire_by_hand(ctx, s),
            Msg::Control(Control::ClientCall(_)) => {}
        }
    }

    /// Handles a timer.
    pub fn on_timer(&mut self, ctx: &mut ZkCtx, timer: Timer) {
        match timer {
            Timer::ElectionPoll if self.state == ServerState::Looking => {
                let cfg = self.config.clone();
                self.election.on_poll_timeout(ctx, &cfg, self.sid);
            }
            Timer::FinalizeWait if self.state == ServerState::Looking => {
                if let Decision::Decided { leader } = self.election.on_finalize_timeout() {
                    self.decide(ctx, leader);
                }
            }
            Timer::LeaderTick => {
                self.leader_on_tick(ctx);
                self.containers_on_tick(ctx);
            }
            Timer::ContainerCheck => self.containers_on_timer(ctx),
            Timer::LeaderInitLimit => self.leader_on_init_limit(ctx),
            Timer::SessionExpiry => self.leader_on_session_expiry(ctx),
            Timer::LearnerReadTimeout => self.learner_on_read_timeout(ctx),
            Timer::LearnerHandlerReadTimeout(conn) => {
                self.leader_on_handler_read_timeout(ctx, conn)
            }
            Timer::LearnerConnect => self.learner_on_connect_retry(ctx),
            _ => {}
        }
    }

    fn on_notification(&mut self, ctx: &mut ZkCtx, src: NodeId, n: crate::zk::msg::Notification) {
        let Some(src_sid) = self.config.sid_of(src) else {
            return;
        };
        if !self.config.is_voter(src_sid) {
            // `WorkerReceiver`: a notification from a non-voting server (an observer) is
            // answered right away with our current vote and state, and never counted.
            ctx.send(src, self.election.notification(self.state));
            return;
        }
        if self.state == ServerState::Looking {
            let cfg = self.config.clone();
            let own = self.own_vote();
            let d = self
                .election
                .on_notification(ctx, &cfg, self.sid, own, src_sid, n);
            if let Decision::Decided { leader } = d {
                self.decide(ctx, leader);
            }
        } else if n.state == ServerState::Looking {
            // An established server answers a LOOKING peer with its current vote.
            ctx.send(src, self.election.notification(self.state));
        }
    }

    /// Leaves the election for `leader`.
    fn decide(&mut self, ctx: &mut ZkCtx, leader: Sid) {
        ctx.cancel_timer(Timer::ElectionPoll);
        ctx.cancel_timer(Timer::FinalizeWait);
        self.election.finalizing = false;
        self.election.vote.leader = leader;
        if leader == self.sid {
            self.state = ServerState::Leading;
            ctx.note(format!(
                "zk{} decides it is the leader (round {}): LEADING",
                self.sid, self.election.logical_clock
            ));
            self.start_leading(ctx);
        } else if self.is_observer() {
            // `learningState()`: an observer observes.
            self.state = ServerState::Observing;
            ctx.note(format!(
                "zk{} learns that zk{} is the leader (round {}): OBSERVING",
                self.sid, leader, self.election.logical_clock
            ));
            self.start_following(ctx, leader);
        } else {
            self.state = ServerState::Following;
            ctx.note(format!(
                "zk{} decides zk{} is the leader (round {}): FOLLOWING",
                self.sid, leader, self.election.logical_clock
            ));
            self.start_following(ctx, leader);
        }
    }

    /// Goes (back) to LOOKING: stop serving, close client connections, reload the database
    /// from disk and start an election round. `reason` is said in the event log.
    pub(crate) fn enter_looking(&mut self, ctx: &mut ZkCtx, reason: Option<String>) {
        if let Some(r) = reason {
            ctx.note(format!("zk{} gives up its role: {r}", self.sid));
        }
        for t in [
            Timer::LeaderTick,
            Timer::LeaderInitLimit,
            Timer::SessionExpiry,
            Timer::LearnerReadTimeout,
            Timer::LearnerConnect,
        ] {
            ctx.cancel_timer(t);
        }
        self.close_all_clients(ctx, "server is not serving (election)");
        self.close_quorum_connections(ctx);
        self.watches = WatchManager::new();
        self.role = Role::None;
        self.serving = false;
        self.state = ServerState::Looking;
        self.phase = ZabPhase::Election;
        // 3.5's `ZooKeeperServer.shutdown` keeps the database and fast-forwards it from the
        // txn log; reloading gives the same tree, but the `newEpoch<<32` a leader set on
        // activation survives only in memory, so it is carried over (when every txn the
        // tree holds is on disk).
        let (marker, in_memory) = (self.tree.last_processed_zxid(), self.tree.last_txn_zxid());
        self.reload_from_disk();
        if counter_of(marker) == 0 && in_memory <= self.tree.last_txn_zxid() {
            self.tree.set_last_processed_zxid(marker);
        }
        let cfg = self.config.clone();
        let own = self.own_vote();
        self.election.start(ctx, &cfg, self.sid, own);
    }

    /// The process exits (`System.exit` on a broken invariant) and is started again: its
    /// sockets close (clients and the leader see the connections go), everything volatile
    /// is lost, and it starts over from its disk as after a crash.
    pub(crate) fn exit_and_restart(&mut self, ctx: &mut ZkCtx, why: String) {
        ctx.note(format!(
            "zk{} exits ({why}) and is restarted from its disk",
            self.sid
        ));
        self.close_all_clients(ctx, "server process exited");
        self.close_quorum_connections(ctx);
        self.on_crash();
        self.on_start(ctx);
    }

    /// Closes the learner connections this server holds (as leader or learner).
    fn close_quorum_connections(&mut self, ctx: &mut ZkCtx) {
        let reason = format!("zk{} stopped {}", self.sid, self.state.name());
        let ends: Vec<(NodeId, u64)> = match &self.role {
            Role::Leader(l) => l
                .handlers
                .values()
                .map(|h| (h.end.peer, h.end.conn))
                .collect(),
            Role::Learner(l) => vec![(l.end.peer, l.end.conn)],
            Role::None => vec![],
        };
        for (peer, conn) in ends {
            if matches!(self.role, Role::Leader(_)) {
                ctx.cancel_timer(Timer::LearnerHandlerReadTimeout(conn));
            }
            ctx.send(
                peer,
                Msg::Disconnect {
                    conn,
                    reason: reason.clone(),
                },
            );
        }
    }

    /// `loadDataBase`: snapshot plus every logged txn.
    pub(crate) fn reload_from_disk(&mut self) {
        self.tree = (*self.disk.snapshot).clone();
        self.committed_log.clear();
        for e in &self.disk.log {
            self.tree.apply(&e.hdr, &e.txn);
            self.committed_log.push_back(e.clone());
        }
        while self.committed_log.len() > self.config.committed_log_size {
            self.committed_log.pop_front();
        }
        self.since_snapshot = self.disk.log.len();
        self.database_replaced();
    }

    /// Appends a txn to the log ("fsynced" at once).
    pub(crate) fn log_txn(&mut self, hdr: TxnHeader, txn: Txn) {
        self.disk.log.push(LogEntry { hdr, txn });
    }

    /// Applies a committed txn to the tree, fires watches and answers the client that asked
    /// (if it is connected here), and snapshots now and then.
    pub(crate) fn apply_committed(&mut self, ctx: &mut ZkCtx, hdr: TxnHeader, txn: Txn) {
        let outcome = self.tree.apply(&hdr, &txn);
        self.committed_log.push_back(LogEntry {
            hdr,
            txn: txn.clone(),
        });
        if self.committed_log.len() > self.config.committed_log_size {
            self.committed_log.pop_front();
        }
        self.delivered.push_back((hdr.zxid, fingerprint(&txn)));
        if self.delivered.len() > DELIVERED_KEPT {
            self.delivered.pop_front();
        }
        self.delivered_total += 1;
        self.after_apply(ctx, &hdr, &txn, outcome);
        self.since_snapshot += 1;
        if self.serving && self.since_snapshot >= SNAP_COUNT {
            self.take_snapshot();
        }
    }

    /// Writes a snapshot of the applied tree and drops the log entries it covers.
    pub(crate) fn take_snapshot(&mut self) {
        let upto = self.tree.last_processed_zxid();
        self.disk.snapshot = Rc::new(self.tree.clone());
        self.disk.log.retain(|e| e.hdr.zxid > upto);
        self.since_snapshot = 0;
    }

    /// What views and checkers see of this server.
    pub fn summary(&self) -> ServerSummary {
        let mut log: Vec<LogEntrySummary> = Vec::new();
        let applied = self.tree.last_processed_zxid();
        let acks: VecMap<Zxid, VecSet<Sid>> = match &self.role {
            Role::Leader(l) => l
                .outstanding
                .iter()
                .map(|(z, p)| (*z, p.acks.clone()))
                .collect(),
            _ => VecMap::new(),
        };
        for e in self.disk.log.iter().rev().take(12).rev() {
            log.push(LogEntrySummary {
                zxid: e.hdr.zxid,
                summary: crate::zk::msg::txn_summary(&e.txn),
                committed: e.hdr.zxid <= applied && !acks.contains_key(&e.hdr.zxid),
                acks: acks
                    .get(&e.hdr.zxid)
                    .map(|s| s.iter().copied().collect())
                    .unwrap_or_default(),
            });
        }
        let (learners, session_expiries, leader) = match &self.role {
            Role::Leader(l) => (
                l.learner_summaries(),
                l.sessions.deadlines().map(|(s, ms)| (s, ms * MS)).collect(),
                Some(self.sid),
            ),
            Role::Learner(l) => (vec![], vec![], Some(l.leader_sid)),
            Role::None => (vec![], vec![], None),
        };
        ServerSummary {
            sid: self.sid,
            observer: self.is_observer(),
            state: self.state,
            phase: self.phase,
            accepted_epoch: self.disk.accepted_epoch,
            current_epoch: self.disk.current_epoch,
            last_logged_zxid: self.disk.last_logged_zxid(),
            last_committed_zxid: applied,
            vote: self.election.vote,
            election_epoch: self.election.logical_clock,
            votes_received: self
                .election
                .recvset
                .iter()
                .map(|(s, v)| (*s, *v))
                .collect(),
            leader,
            serving: self.serving,
            log,
            clients: self.conns.summary(),
            session_expiries,
            learners,
            last_sync: match &self.role {
                Role::Learner(l) => l.last_sync,
                _ => None,
            },
        }
    }

    /// A one-line description for traces: `zk1 LEADING epoch 2 zxid 0x200000003`.
    pub fn describe(&self) -> String {
        format!(
            "{} {} epoch {} zxid {}",
            self.label(),
            self.state.name(),
            self.disk.current_epoch,
            fmt_zxid(self.disk.last_logged_zxid())
        )
    }
}
