//! Everything ZooKeeper nodes say to each other, under the real protocol names.
//!
//! * Election: FLE notifications (sheet B.3).
//! * Quorum: `QuorumPacket` types between a leader and its learners (sheet B.4–B.6), carried
//!   on a learner connection. Each connection has an id and each packet a sequence number,
//!   standing in for TCP: a receiver that sees a gap (a lost packet) treats the connection as
//!   reset, and ignores duplicates and packets of connections it has closed.
//! * Client: `ConnectRequest`/`ConnectResponse`, requests with an `xid`, replies
//!   (`ReplyHeader{xid, zxid, err}` + body) and `WatcherEvent` notifications (xid -1), on a
//!   client connection with the same gap/duplicate rules.
//!
//! Auth: `addAuth` is an `auth` request (xid -4) answered on the connection itself; the
//! connection's ids go with every forwarded write (`QuorumPacket.authinfo`).
//!
//! Observers connect with `OBSERVERINFO` and learn committed txns from `INFORM` (the whole
//! txn, sent only once it is committed) instead of PROPOSAL+COMMIT.
//!
//! Simplified: no jute byte encoding, no SASL, no reconfig (`INFORMANDACTIVATE`); a SNAP
//! carries the leader's tree by reference-counted value rather than as a byte stream.

use std::rc::Rc;

use crate::sim::Message;

use super::config::Sid;
use super::data::acl::{Acl, Id};
use super::data::tree::DataTree;
use super::data::txn::{OpResult, Txn, TxnHeader, WriteOp};
use super::types::{fmt_zxid, ErrorCode, EventType, KeeperState, SessionId, Stat, Zxid};

/// `QuorumPeer.ServerState`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ServerState {
    Looking,
    Following,
    Leading,
    Observing,
}

impl ServerState {
    /// `LOOKING`, `FOLLOWING`, `LEADING`, `OBSERVING`.
    pub fn name(self) -> &'static str {
        match self {
            ServerState::Looking => "LOOKING",
            ServerState::Following => "FOLLOWING",
            ServerState::Leading => "LEADING",
            ServerState::Observing => "OBSERVING",
        }
    }
}

/// A vote: (proposed leader, its last zxid, its epoch). Ordered by (peer_epoch, zxid, leader).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Vote {
    pub leader: Sid,
    pub zxid: Zxid,
    pub peer_epoch: u64,
}

impl Vote {
    /// `totalOrderPredicate(new, cur)`: whether `self` beats `cur` (sheet B.3).
    pub fn beats(&self, cur: &Vote) -> bool {
        (self.peer_epoch, self.zxid, self.leader) > (cur.peer_epoch, cur.zxid, cur.leader)
    }

    /// Why `self` beats `cur`, in words: "same epoch, same zxid, higher id".
    pub fn why_beats(&self, cur: &Vote) -> &'static str {
        if self.peer_epoch != cur.peer_epoch {
            "higher epoch"
        } else if self.zxid != cur.zxid {
            "same epoch, higher zxid"
        } else {
            "same epoch, same zxid, higher id"
        }
    }
}

/// FLE notification (wire: state, leader, zxid, electionEpoch, peerEpoch).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Notification {
    pub vote: Vote,
    /// The sender's logical clock (election round).
    pub election_epoch: u64,
    pub state: ServerState,
}

/// A learner connection's packets (`QuorumPacket` types, sheet B.4 table).
#[derive(Clone, Debug, PartialEq)]
pub enum QuorumPacket {
    /// Learner → leader: `FOLLOWERINFO(acceptedEpoch<<32)`.
    FollowerInfo { accepted_epoch: u32 },
    /// Observer → leader: `OBSERVERINFO(acceptedEpoch<<32)`, the same handshake as a
    /// follower's but marking the learner as `LearnerType.OBSERVER`.
    ObserverInfo { accepted_epoch: u32 },
    /// Leader → learner: `LEADERINFO(newEpoch<<32)`.
    LeaderInfo { new_epoch: u32 },
    /// Learner → leader: `ACKEPOCH(lastLoggedZxid)` with `currentEpoch`, or -1 when it had
    /// already accepted this epoch.
    AckEpoch { last_zxid: Zxid, current_epoch: i64 },
    /// Leader → learner: sync by sending the missing txns after this packet.
    Diff { zxid: Zxid },
    /// Leader → learner: drop log entries after `zxid`.
    Trunc { zxid: Zxid },
    /// Leader → learner: full snapshot at `zxid`.
    Snap { zxid: Zxid, tree: Rc<DataTree> },
    /// Leader → learner: a txn to log (and, during sync, a committed txn to replay).
    Proposal { hdr: TxnHeader, txn: Txn },
    /// Learner → leader: logged (fsynced) up to `zxid`.
    Ack { zxid: Zxid },
    /// Leader → learner: `zxid` is committed; apply it.
    Commit { zxid: Zxid },
    /// Leader → learner: `NEWLEADER(newEpoch<<32)`.
    NewLeader { zxid: Zxid },
    /// Leader → learner: synced; start serving clients.
    UpToDate,
    /// Both ways every tickTime/2; the learner's reply carries its session touches.
    Ping { touches: Vec<(SessionId, i32)> },
    /// Learner → leader: a client write forwarded (also session create/close and `sync`).
    Request {
        session: SessionId,
        cxid: i32,
        op: ForwardedOp,
    },
    /// Leader → learner: answer to a forwarded `sync`.
    Sync { session: SessionId, cxid: i32 },
    /// Leader → observer: `INFORM(zxid)`, a committed txn with its data
    /// (`Leader.inform` → `sendObserverPacket`).
    Inform { hdr: TxnHeader, txn: Txn },
}

impl QuorumPacket {
    /// The packet type name as in `Leader.getPacketType`.
    pub fn kind(&self) -> &'static str {
        match self {
            QuorumPacket::FollowerInfo { .. } => "FOLLOWERINFO",
            QuorumPacket::ObserverInfo { .. } => "OBSERVERINFO",
            QuorumPacket::LeaderInfo { .. } => "LEADERINFO",
            QuorumPacket::AckEpoch { .. } => "ACKEPOCH",
            QuorumPacket::Diff { .. } => "DIFF",
            QuorumPacket::Trunc { .. } => "TRUNC",
            QuorumPacket::Snap { .. } => "SNAP",
            QuorumPacket::Proposal { .. } => "PROPOSAL",
            QuorumPacket::Ack { .. } => "ACK",
            QuorumPacket::Commit { .. } => "COMMIT",
            QuorumPacket::NewLeader { .. } => "NEWLEADER",
            QuorumPacket::UpToDate => "UPTODATE",
            QuorumPacket::Ping { .. } => "PING",
            QuorumPacket::Request { .. } => "REQUEST",
            QuorumPacket::Sync { .. } => "SYNC",
            QuorumPacket::Inform { .. } => "INFORM",
        }
    }
}

/// What a learner forwards to the leader in a `REQUEST`.
#[derive(Clone, Debug, PartialEq)]
pub enum ForwardedOp {
    /// A client write, with the ids its connection has authenticated as
    /// (`QuorumPacket.authinfo`).
    Write(WriteOp, Vec<Id>),
    /// `createSession` with the negotiated timeout.
    CreateSession { timeout_ms: i32 },
    /// `closeSession`.
    CloseSession,
    /// `sync`.
    Sync,
}

/// A client operation (`OpCode` names).
#[derive(Clone, Debug, PartialEq)]
pub enum ClientOp {
    /// A write: create, delete, setData, check, multi.
    Write(WriteOp),
    /// `getData(path, watch)`.
    GetData { path: String, watch: bool },
    /// `exists(path, watch)`.
    Exists { path: String, watch: bool },
    /// `getChildren(path, watch)`, or `getChildren2` (the parent's stat too) when `stat`.
    GetChildren {
        path: String,
        watch: bool,
        stat: bool,
    },
    /// `sync(path)`.
    Sync { path: String },
    /// `getACL(path)`.
    GetAcl { path: String },
    /// `addAuth(scheme, auth)`: the `auth` packet (xid -4), handled by the connection at once.
    Auth { scheme: String, auth: String },
    /// `ping` (xid -2).
    Ping,
    /// `closeSession`.
    CloseSession,
    /// `setWatches(relativeZxid, …)` sent after a reconnect.
    SetWatches {
        relative_zxid: Zxid,
        data: Vec<String>,
        exist: Vec<String>,
        child: Vec<String>,
    },
}

impl ClientOp {
    /// The opcode name (`create`, `getData`, `ping`, …).
    pub fn name(&self) -> &'static str {
        match self {
            ClientOp::Write(w) => w.name(),
            ClientOp::GetData { .. } => "getData",
            ClientOp::Exists { .. } => "exists",
            ClientOp::GetChildren { stat: false, .. } => "getChildren",
            ClientOp::GetChildren { .. } => "getChildren2",
            ClientOp::Sync { .. } => "sync",
            ClientOp::GetAcl { .. } => "getACL",
            ClientOp::Auth { .. } => "auth",
            ClientOp::Ping => "ping",
            ClientOp::CloseSession => "closeSession",
            ClientOp::SetWatches { .. } => "setWatches",
        }
    }

    /// Whether the server must send it through the leader (sheet B.5 step 1).
    pub fn is_write(&self) -> bool {
        matches!(
            self,
            ClientOp::Write(_) | ClientOp::Sync { .. } | ClientOp::CloseSession
        )
    }
}

/// The body of a reply.
#[derive(Clone, Debug, PartialEq)]
pub enum ReplyBody {
    /// Nothing beyond the header (errors, ping, setWatches, closeSession).
    Empty,
    /// Result of a write (created path and stat, new stat, multi results).
    Write(OpResult),
    /// `getData`.
    Data { data: String, stat: Stat },
    /// `exists`: the stat, or none (the header then says `NoNode`).
    Exists(Option<Stat>),
    /// `getChildren` (no stat) or `getChildren2` (the parent's stat).
    Children {
        children: Vec<String>,
        stat: Option<Stat>,
    },
    /// `sync`: the path.
    Sync { path: String },
    /// `getACL`: the ACL (digest ids redacted for a caller without ADMIN) and the stat.
    Acl { acl: Vec<Acl>, stat: Stat },
}

impl ReplyBody {
    /// The `ReplyHeader` error and body answering `op` once its txn gave `result`
    /// (`FinalRequestProcessor`, see [`OpResult::response_to`]).
    pub fn for_write(op: &ClientOp, result: OpResult) -> (ErrorCode, ReplyBody) {
        let (err, body) = match op {
            ClientOp::Write(w) => result.response_to(w),
            _ => match result {
                OpResult::Error(code) => (code, None),
                r => (ErrorCode::Ok, Some(r)),
            },
        };
        (err, body.map_or(ReplyBody::Empty, ReplyBody::Write))
    }
}

/// Client ↔ server messages on a client connection.
#[derive(Clone, Debug, PartialEq)]
pub enum ClientPacket {
    /// `ConnectRequest{protocolVersion, lastZxidSeen, timeOut, sessionId, passwd}`.
    ConnectRequest {
        last_zxid_seen: Zxid,
        timeout_ms: i32,
        session_id: SessionId,
        passwd: u64,
    },
    /// `ConnectResponse{protocolVersion, timeOut, sessionId, passwd}`; `timeout_ms == 0`
    /// means the session is expired or unknown (the server then closes the connection).
    ConnectResponse {
        timeout_ms: i32,
        session_id: SessionId,
        passwd: u64,
    },
    /// A request with its `xid`.
    Request { xid: i32, op: ClientOp },
    /// `ReplyHeader{xid, zxid, err}` and body.
    Reply {
        xid: i32,
        zxid: Zxid,
        err: ErrorCode,
        body: ReplyBody,
    },
    /// `WatcherEvent{type, state, path}` (xid -1).
    WatcherEvent {
        event: EventType,
        state: KeeperState,
        path: String,
    },
    /// The server closes the connection (it stopped serving, or refused the session).
    Close { reason: String },
}

impl ClientPacket {
    /// Message type name for views and traces.
    pub fn kind(&self) -> &'static str {
        match self {
            ClientPacket::ConnectRequest { .. } => "ConnectRequest",
            ClientPacket::ConnectResponse { .. } => "ConnectResponse",
            ClientPacket::Request { op, .. } => op.name(),
            ClientPacket::Reply { .. } => "reply",
            ClientPacket::WatcherEvent { .. } => "WatcherEvent",
            ClientPacket::Close { .. } => "close",
        }
    }
}

/// Every ZooKeeper message.
#[derive(Clone, Debug, PartialEq)]
pub enum Msg {
    /// FLE notification on the election port.
    Notification(Notification),
    /// A quorum packet on learner connection `conn`, with per-direction sequence `seq`.
    Quorum {
        conn: u64,
        seq: u64,
        pkt: QuorumPacket,
    },
    /// A client packet on client connection `conn`, with per-direction sequence `seq`.
    Client {
        conn: u64,
        seq: u64,
        pkt: ClientPacket,
    },
    /// The sender closed learner connection `conn` (TCP FIN): a leader that shuts down
    /// closes its learners' connections, a learner that gives up closes its own. A crashed
    /// machine sends nothing; its peers find out through their timeouts.
    Disconnect { conn: u64, reason: String },
    /// From the environment: a person or a script drives a node (not a wire message).
    Control(Control),
}

/// Commands from outside the ensemble, delivered as environment messages.
#[derive(Clone, Debug, PartialEq)]
pub enum Control {
    /// Ask the leader to expire a session now (what a person clicking "expire" means).
    ExpireSession(SessionId),
    /// Ask a client to run an operation (scripts, lessons, the UI).
    ClientCall(super::client::Call),
}

/// The kind of traffic a message is, for colours and filters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Category {
    Election,
    Discovery,
    Sync,
    Broadcast,
    /// Committed txns told to observers (`INFORM`).
    Inform,
    Ping,
    ClientRequest,
    ClientResponse,
    Watch,
    Connection,
    Control,
}

impl Category {
    /// Lower-case name used in CSS classes and filters.
    pub fn name(self) -> &'static str {
        match self {
            Category::Election => "election",
            Category::Discovery => "discovery",
            Category::Sync => "sync",
            Category::Broadcast => "broadcast",
            Category::Inform => "inform",
            Category::Ping => "ping",
            Category::ClientRequest => "client-request",
            Category::ClientResponse => "client-response",
            Category::Watch => "watch",
            Category::Connection => "connection",
            Category::Control => "control",
        }
    }
}

impl Msg {
    /// The traffic category of this message.
    pub fn category(&self) -> Category {
        match self {
            Msg::Notification(_) => Category::Election,
            Msg::Quorum { pkt, .. } => match pkt {
                QuorumPacket::FollowerInfo { .. }
                | QuorumPacket::ObserverInfo { .. }
                | QuorumPacket::LeaderInfo { .. }
                | QuorumPacket::AckEpoch { .. } => Category::Discovery,
                QuorumPacket::Diff { .. }
                | QuorumPacket::Trunc { .. }
                | QuorumPacket::Snap { .. }
                | QuorumPacket::NewLeader { .. }
                | QuorumPacket::UpToDate => Category::Sync,
                QuorumPacket::Ping { .. } => Category::Ping,
                QuorumPacket::Proposal { .. }
                | QuorumPacket::Ack { .. }
                | QuorumPacket::Commit { .. }
                | QuorumPacket::Request { .. }
                | QuorumPacket::Sync { .. } => Category::Broadcast,
                QuorumPacket::Inform { .. } => Category::Inform,
            },
            Msg::Client { pkt, .. } => match pkt {
                ClientPacket::ConnectRequest { .. } | ClientPacket::Request { .. } => {
                    Category::ClientRequest
                }
                ClientPacket::WatcherEvent { .. } => Category::Watch,
                _ => Category::ClientResponse,
            },
            Msg::Disconnect { .. } => Category::Connection,
            Msg::Control(_) => Category::Control,
        }
    }
}

impl Message for Msg {
    fn kind(&self) -> &'static str {
        match self {
            Msg::Notification(_) => "notification",
            Msg::Quorum { pkt, .. } => pkt.kind(),
            Msg::Client { pkt, .. } => pkt.kind(),
            Msg::Disconnect { .. } => "close",
            Msg::Control(Control::ExpireSession(_)) => "expire",
            Msg::Control(Control::ClientCall(_)) => "call",
        }
    }

    fn summary(&self) -> String {
        match self {
            Msg::Notification(n) => format!(
                "notification vote=(leader {}, zxid {}, peerEpoch {}) electionEpoch={} state={}",
                n.vote.leader,
                fmt_zxid(n.vote.zxid),
                n.vote.peer_epoch,
                n.election_epoch,
                n.state.name()
            ),
            Msg::Quorum { pkt, .. } => quorum_summary(pkt),
            Msg::Client { pkt, .. } => client_summary(pkt),
            Msg::Disconnect { reason, .. } => format!("close connection ({reason})"),
            Msg::Control(Control::ExpireSession(s)) => format!("expire session 0x{s:x}"),
            Msg::Control(Control::ClientCall(c)) => format!("call {c:?}"),
        }
    }
}

fn quorum_summary(pkt: &QuorumPacket) -> String {
    let k = pkt.kind();
    match pkt {
        QuorumPacket::FollowerInfo { accepted_epoch }
        | QuorumPacket::ObserverInfo { accepted_epoch } => {
            format!("{k} acceptedEpoch={accepted_epoch}")
        }
        QuorumPacket::LeaderInfo { new_epoch } => format!("{k} newEpoch={new_epoch}"),
        QuorumPacket::AckEpoch {
            last_zxid,
            current_epoch,
        } => format!(
            "{k} lastZxid={} currentEpoch={current_epoch}",
            fmt_zxid(*last_zxid)
        ),
        QuorumPacket::Diff { zxid } | QuorumPacket::Trunc { zxid } => {
            format!("{k} zxid={}", fmt_zxid(*zxid))
        }
        QuorumPacket::Snap { zxid, tree } => format!(
            "{k} zxid={} ({} znodes)",
            fmt_zxid(*zxid),
            tree.node_count()
        ),
        QuorumPacket::Proposal { hdr, txn } | QuorumPacket::Inform { hdr, txn } => {
            format!("{k} zxid={} {}", fmt_zxid(hdr.zxid), txn_summary(txn))
        }
        QuorumPacket::Ack { zxid } | QuorumPacket::Commit { zxid } => {
            format!("{k} zxid={}", fmt_zxid(*zxid))
        }
        QuorumPacket::NewLeader { zxid } => format!("{k} zxid={}", fmt_zxid(*zxid)),
        QuorumPacket::UpToDate => k.to_string(),
        QuorumPacket::Ping { touches } if touches.is_empty() => k.to_string(),
        QuorumPacket::Ping { touches } => format!("{k} touches={}", touches.len()),
        QuorumPacket::Request { session, op, .. } => {
            format!("{k} session=0x{session:x} {}", forwarded_summary(op))
        }
        QuorumPacket::Sync { session, .. } => format!("{k} session=0x{session:x}"),
    }
}

fn forwarded_summary(op: &ForwardedOp) -> String {
    match op {
        ForwardedOp::Write(w, _) => write_summary(w),
        ForwardedOp::CreateSession { timeout_ms } => {
            format!("createSession timeout={timeout_ms}ms")
        }
        ForwardedOp::CloseSession => "closeSession".into(),
        ForwardedOp::Sync => "sync".into(),
    }
}

/// `create /a` style summary of a write request.
pub fn write_summary(w: &WriteOp) -> String {
    match w {
        WriteOp::Multi(ops) => format!("multi({} ops)", ops.len()),
        other => format!("{} {}", other.name(), other.path().unwrap_or("")),
    }
}

/// `create /a` style summary of a txn.
pub fn txn_summary(t: &Txn) -> String {
    match t {
        Txn::Create { path, .. }
        | Txn::Delete { path }
        | Txn::DeleteContainer { path }
        | Txn::SetAcl { path, .. }
        | Txn::SetData { path, .. } => {
            format!("{} {path}", t.name())
        }
        Txn::Check { path, .. } => format!("check {path}"),
        Txn::Multi(ops) => format!("multi({} ops)", ops.len()),
        Txn::Error(code) => format!("error {}", code.name()),
        other => other.name().to_string(),
    }
}

fn client_summary(pkt: &ClientPacket) -> String {
    match pkt {
        ClientPacket::ConnectRequest {
            session_id,
            timeout_ms,
            last_zxid_seen,
            ..
        } => format!(
            "ConnectRequest session=0x{session_id:x} timeOut={timeout_ms} lastZxidSeen={}",
            fmt_zxid(*last_zxid_seen)
        ),
        ClientPacket::ConnectResponse {
            timeout_ms,
            session_id,
            ..
        } => format!("ConnectResponse session=0x{session_id:x} timeOut={timeout_ms}"),
        ClientPacket::Request { xid, op } => match op {
            ClientOp::Write(w) => format!("{} xid={xid}", write_summary(w)),
            ClientOp::GetData { path, watch }
            | ClientOp::Exists { path, watch }
            | ClientOp::GetChildren { path, watch, .. } => {
                format!(
                    "{} {path}{} xid={xid}",
                    op.name(),
                    if *watch { " watch" } else { "" }
                )
            }
            ClientOp::Sync { path } => format!("sync {path} xid={xid}"),
            other => format!("{} xid={xid}", other.name()),
        },
        ClientPacket::Reply { xid, zxid, err, .. } => {
            format!(
                "reply xid={xid} zxid={} err={}",
                fmt_zxid(*zxid),
                err.name()
            )
        }
        ClientPacket::WatcherEvent { event, path, .. } => {
            format!("WatcherEvent {} {path}", event.name())
        }
        ClientPacket::Close { reason } => format!("close ({reason})"),
    }
}

/// The `reason` of a [`Msg::Disconnect`] that refuses a connection outright (nobody listens
/// on the quorum port: the server is not leading), as a TCP reset would. A learner retries
/// only such a failed connect; any other close ends its attempt to follow.
pub const CONNECTION_REFUSED: &str = "Connection refused";

/// Every ZooKeeper timer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Timer {
    /// FLE: nothing arrived within the notification timeout.
    ElectionPoll,
    /// FLE: the finalize wait after a quorum agreed.
    FinalizeWait,
    /// Leader: every tickTime/2, PING learners and check the synced quorum.
    LeaderTick,
    /// Leader: initLimit expired while waiting for a quorum in discovery/sync.
    LeaderInitLimit,
    /// Leader: the next session expiry bucket is due.
    SessionExpiry,
    /// Learner: no packet from the leader within the read timeout.
    LearnerReadTimeout,
    /// Leader: no packet on this learner connection within its handler's read timeout.
    LearnerHandlerReadTimeout(u64),
    /// Learner: retry connecting to the leader.
    LearnerConnect,
    /// Leader: the container manager's next check or next deletion request.
    ContainerCheck,
    /// Client timers.
    Client(super::client::ClientTimer),
}

impl crate::sim::TimerKey for Timer {
    fn name(&self) -> String {
        match self {
            Timer::ElectionPoll => "ElectionPoll".into(),
            Timer::FinalizeWait => "FinalizeWait".into(),
            Timer::LeaderTick => "LeaderTick".into(),
            Timer::LeaderInitLimit => "LeaderInitLimit".into(),
            Timer::SessionExpiry => "SessionExpiry".into(),
            Timer::LearnerReadTimeout => "LearnerReadTimeout".into(),
            Timer::LearnerHandlerReadTimeout(conn) => format!("LearnerHandlerReadTimeout({conn})"),
            Timer::LearnerConnect => "LearnerConnect".into(),
            Timer::ContainerCheck => "ContainerCheck".into(),
            Timer::Client(t) => t.name(),
        }
    }
}
