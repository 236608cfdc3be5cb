//! Read-only summaries of servers and clients for views and checkers.
//!
//! Views never reach into protocol internals: they read these plain structs, which the
//! protocol code fills from its state.

use crate::sim::{NodeId, TimeUs};

use crate::zk::client::node::ClientNode;
use crate::zk::config::Sid;
use crate::zk::msg::{ServerState, Vote};
use crate::zk::types::{SessionId, Zxid};

/// Zab phase (paper/TLA+ `zabState`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ZabPhase {
    Election,
    Discovery,
    Synchronization,
    Broadcast,
}

impl ZabPhase {
    /// `ELECTION`, `DISCOVERY`, `SYNCHRONIZATION`, `BROADCAST`.
    pub fn name(self) -> &'static str {
        match self {
            ZabPhase::Election => "ELECTION",
            ZabPhase::Discovery => "DISCOVERY",
            ZabPhase::Synchronization => "SYNCHRONIZATION",
            ZabPhase::Broadcast => "BROADCAST",
        }
    }
}

/// One entry of a server's txn log as a view shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogEntrySummary {
    pub zxid: Zxid,
    /// e.g. `create /a`.
    pub summary: String,
    /// Committed (and applied) on this server.
    pub committed: bool,
    /// Leader only: sids that have ACKed it.
    pub acks: Vec<Sid>,
}

/// What the leader knows of one learner.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LearnerSummary {
    pub sid: Sid,
    /// Connected with OBSERVERINFO: a non-voting observer.
    pub observer: bool,
    /// `DIFF`, `TRUNC` or `SNAP`, once decided.
    pub sync_mode: Option<&'static str>,
    /// Has ACKed NEWLEADER.
    pub synced: bool,
    /// Highest zxid it ACKed.
    pub last_ack_zxid: Zxid,
}

/// A server as views and checkers see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerSummary {
    pub sid: Sid,
    /// A non-voting observer (`peerType=observer`).
    pub observer: bool,
    pub state: ServerState,
    pub phase: ZabPhase,
    pub accepted_epoch: u32,
    pub current_epoch: u32,
    pub last_logged_zxid: Zxid,
    pub last_committed_zxid: Zxid,
    /// Current vote while LOOKING (and the final vote afterwards).
    pub vote: Vote,
    /// FLE logical clock.
    pub election_epoch: u64,
    /// Votes received in this election round, by sender.
    pub votes_received: Vec<(Sid, Vote)>,
    /// The leader this server follows or is.
    pub leader: Option<Sid>,
    /// Accepts client connections (synced follower or active leader).
    pub serving: bool,
    /// The most recent log entries (oldest first).
    pub log: Vec<LogEntrySummary>,
    /// Clients connected here: node and session (0 while the session is being created).
    pub clients: Vec<(NodeId, SessionId)>,
    /// Leader only: session expiry deadlines.
    pub session_expiries: Vec<(SessionId, TimeUs)>,
    /// Leader only: its learners.
    pub learners: Vec<LearnerSummary>,
    /// Learner only: how it was synced last (`DIFF`, `TRUNC`, `SNAP`) and at which zxid.
    pub last_sync: Option<(&'static str, Zxid)>,
}

/// A client as views see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientSummary {
    pub name: String,
    /// `CONNECTING`, `CONNECTED` or `CLOSED`.
    pub state: &'static str,
    /// The server it is connected to.
    pub server: Option<NodeId>,
    pub session_id: SessionId,
    pub timeout_ms: i32,
    /// What it is: `client`, `config watcher`, `lock contender`, …
    pub role: String,
    /// One line of what it is doing: `holds the lock`, `waiting for lock-0000000003`.
    pub status: String,
}

/// Summary of a client node.
pub fn client_summary(c: &ClientNode) -> ClientSummary {
    c.summary()
}
