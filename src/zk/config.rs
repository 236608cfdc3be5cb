//! Ensemble configuration: who the servers are and the timing parameters (sheet B.2).

use crate::sim::{NodeId, TimeUs, MS};

/// Server id (`myid`, the `N` of `server.N=`), 1-based.
pub type Sid = u64;

/// Configuration shared by every server of an ensemble (zoo.cfg).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ZkConfig {
    /// Voting members: sid and the node that runs it, in sid order.
    pub servers: Vec<(Sid, NodeId)>,
    /// `tickTime` in ms (the sample config's 2000).
    pub tick_time_ms: u64,
    /// `initLimit` in ticks (sample config 10).
    pub init_limit: u64,
    /// `syncLimit` in ticks (sample config 5).
    pub sync_limit: u64,
    /// `finalizeWait` in ms (200).
    pub finalize_wait_ms: u64,
    /// First FLE notification timeout in ms (200); doubles up to `max_notification_interval_ms`.
    pub min_notification_interval_ms: u64,
    /// `maxNotificationInterval` in ms (60000).
    pub max_notification_interval_ms: u64,
    /// Size of the leader's in-memory committed log (`committedLog`, 500).
    pub committed_log_size: usize,
    /// Planted protocol mistakes (all off unless a "What if…" scenario or a test turns one
    /// on; see [`crate::zk::bugs`]).
    pub bugs: crate::zk::Bugs,
}

impl ZkConfig {
    /// The sample configuration (`tickTime=2000`, `initLimit=10`, `syncLimit=5`).
    pub fn new(servers: Vec<(Sid, NodeId)>) -> Self {
        Self {
            servers,
            tick_time_ms: 2000,
            init_limit: 10,
            sync_limit: 5,
            finalize_wait_ms: 200,
            min_notification_interval_ms: 200,
            max_notification_interval_ms: 60_000,
            committed_log_size: 500,
            bugs: crate::zk::Bugs::NONE,
        }
    }

    /// `tickTime` in microseconds.
    pub fn tick_us(&self) -> TimeUs {
        self.tick_time_ms * MS
    }

    /// `minSessionTimeout` = 2 ticks, in ms.
    pub fn min_session_timeout_ms(&self) -> i32 {
        (2 * self.tick_time_ms) as i32
    }

    /// `maxSessionTimeout` = 20 ticks, in ms.
    pub fn max_session_timeout_ms(&self) -> i32 {
        (20 * self.tick_time_ms) as i32
    }

    /// Strict majority of the voting members.
    pub fn quorum_size(&self) -> usize {
        self.servers.len() / 2 + 1
    }

    /// Whether a set of sids is a quorum.
    pub fn is_quorum<'a>(&self, sids: impl IntoIterator<Item = &'a Sid>) -> bool {
        let mut n = 0;
        for s in sids {
            if self.node_of(*s).is_some() {
                n += 1;
            }
        }
        n >= self.quorum_size()
    }

    /// The node running server `sid`.
    pub fn node_of(&self, sid: Sid) -> Option<NodeId> {
        self.servers
            .iter()
            .find(|(s, _)| *s == sid)
            .map(|(_, n)| *n)
    }

    /// The sid of the server on `node`.
    pub fn sid_of(&self, node: NodeId) -> Option<Sid> {
        self.servers
            .iter()
            .find(|(_, n)| *n == node)
            .map(|(s, _)| *s)
    }
}
