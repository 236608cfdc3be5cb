//! Ensemble configuration: who the servers are and the timing parameters (sheet B.2).

use crate::sim::{NodeId, TimeUs, MS};

/// Server id (`myid`, the `N` of `server.N=`), 1-based.
pub type Sid = u64;

/// Configuration shared by every server of an ensemble (zoo.cfg).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ZkConfig {
    /// Voting members: sid and the node that runs it, in sid order.
    pub servers: Vec<(Sid, NodeId)>,
    /// Non-voting members (`server.N=host:2888:3888:observer`, `peerType=observer`): they
    /// learn from the leader but never vote and never count toward a quorum (weight 0).
    pub observers: Vec<(Sid, NodeId)>,
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
    /// `zookeeper.extendedTypesEnabled` (false): TTL nodes may be created.
    pub extended_types_enabled: bool,
    /// `znode.container.checkIntervalMs` (60000): how often the leader's container manager
    /// looks for containers and TTL nodes to delete.
    pub container_check_interval_ms: u64,
    /// `znode.container.maxPerMinute` (10000): the container manager waits
    /// `60000 / maxPerMinute` ms after each delete it asks for.
    pub container_max_per_minute: u64,
    /// Planted protocol mistakes (all off unless a "What if…" scenario or a test turns one
    /// on; see [`crate::zk::bugs`]).
    pub bugs: crate::zk::Bugs,
}

impl ZkConfig {
    /// The sample configuration (`tickTime=2000`, `initLimit=10`, `syncLimit=5`).
    pub fn new(servers: Vec<(Sid, NodeId)>) -> Self {
        Self {
            servers,
            observers: Vec::new(),
            tick_time_ms: 2000,
            init_limit: 10,
            sync_limit: 5,
            finalize_wait_ms: 200,
            min_notification_interval_ms: 200,
            max_notification_interval_ms: 60_000,
            committed_log_size: 500,
            extended_types_enabled: false,
            container_check_interval_ms: 60_000,
            container_max_per_minute: 10_000,
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

    /// The same configuration with these observers.
    pub fn with_observers(mut self, observers: Vec<(Sid, NodeId)>) -> Self {
        self.observers = observers;
        self
    }

    /// Whether `sid` is a voting member (`QuorumVerifier.getVotingMembers`).
    pub fn is_voter(&self, sid: Sid) -> bool {
        self.servers.iter().any(|(s, _)| *s == sid)
    }

    /// Whether `sid` is an observer (`LearnerType.OBSERVER`).
    pub fn is_observer(&self, sid: Sid) -> bool {
        self.observers.iter().any(|(s, _)| *s == sid)
    }

    /// Every member, voters then observers.
    pub fn members(&self) -> impl Iterator<Item = &(Sid, NodeId)> {
        self.servers.iter().chain(self.observers.iter())
    }

    /// Strict majority of the voting members.
    pub fn quorum_size(&self) -> usize {
        self.servers.len() / 2 + 1
    }

    /// Whether a set of sids is a quorum: only voting members count (observers have weight 0).
    pub fn is_quorum<'a>(&self, sids: impl IntoIterator<Item = &'a Sid>) -> bool {
        let mut n = 0;
        for s in sids {
            if self.is_voter(*s) {
                n += 1;
            }
        }
        n >= self.quorum_size()
    }

    /// The node running server `sid` (a voter or an observer).
    pub fn node_of(&self, sid: Sid) -> Option<NodeId> {
        self.members().find(|(s, _)| *s == sid).map(|(_, n)| *n)
    }

    /// The sid of the server on `node` (a voter or an observer).
    pub fn sid_of(&self, node: NodeId) -> Option<Sid> {
        self.members().find(|(_, n)| *n == node).map(|(s, _)| *s)
    }
}
