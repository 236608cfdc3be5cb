//! A tiny heartbeat membership protocol that exists to exercise the kernel.
//!
//! Every member sends `PING` to each peer every `interval_us`; a peer answers `PONG`. A member
//! considers a peer alive while it has heard anything from it within `timeout_us`. It is not a
//! real system's protocol: it only gives the kernel tests messages, timers, crashes and
//! partitions to chew on, with an obvious property (after healing, everyone sees everyone).

use crate::sim::vecmap::VecMap;
use crate::sim::{Ctx, Message, NodeId, TimeUs, MS};

/// Heartbeat messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Msg {
    /// "Are you there?" with the sender's round number.
    Ping { round: u64 },
    /// The answer to a ping of that round.
    Pong { round: u64 },
}

impl Message for Msg {
    fn kind(&self) -> &'static str {
        match self {
            Msg::Ping { .. } => "PING",
            Msg::Pong { .. } => "PONG",
        }
    }

    fn summary(&self) -> String {
        match self {
            Msg::Ping { round } => format!("PING round={round}"),
            Msg::Pong { round } => format!("PONG round={round}"),
        }
    }
}

/// Heartbeat timers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Timer {
    /// Time to ping every peer again.
    Tick,
}

impl crate::sim::TimerKey for Timer {
    fn name(&self) -> String {
        match self {
            Timer::Tick => "Tick".into(),
        }
    }
}

/// One member of the group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    /// Name shown to people.
    pub name: String,
    /// The other members.
    pub peers: Vec<NodeId>,
    /// Names of the other members, for narration (ids are shown where a name is missing).
    pub peer_names: VecMap<NodeId, String>,
    /// Time between pings.
    pub interval_us: TimeUs,
    /// Silence after which a peer is considered dead.
    pub timeout_us: TimeUs,
    /// Volatile: ping rounds sent since the last start.
    round: u64,
    /// Volatile: when each peer was last heard from.
    last_heard_us: VecMap<NodeId, TimeUs>,
}

impl Member {
    /// A member with default timing (100 ms pings, 350 ms timeout).
    pub fn new(name: impl Into<String>, peers: Vec<NodeId>) -> Self {
        Self {
            name: name.into(),
            peers,
            peer_names: VecMap::new(),
            interval_us: 100 * MS,
            timeout_us: 350 * MS,
            round: 0,
            last_heard_us: VecMap::new(),
        }
    }

    /// Peers heard from within the timeout at `now_us`.
    pub fn alive_view(&self, now_us: TimeUs) -> Vec<NodeId> {
        self.last_heard_us
            .iter()
            .filter(|(_, t)| now_us.saturating_sub(**t) <= self.timeout_us)
            .map(|(n, _)| *n)
            .collect()
    }

    /// Ping rounds sent since the last start.
    pub fn round(&self) -> u64 {
        self.round
    }

    /// Starts (or restarts) the member.
    pub fn on_start<M: From<Msg>, T: From<Timer>>(&mut self, ctx: &mut Ctx<M, T>) {
        self.ping_all(ctx);
    }

    /// Handles a ping or a pong.
    pub fn on_message<M: From<Msg>, T: From<Timer>>(
        &mut self,
        ctx: &mut Ctx<M, T>,
        src: NodeId,
        msg: Msg,
    ) {
        if src == NodeId::ENV {
            return;
        }
        let was_alive = self.alive_view(ctx.now_us()).contains(&src);
        self.last_heard_us.insert(src, ctx.now_us());
        if !was_alive {
            let who = self
                .peer_names
                .get(&src)
                .cloned()
                .unwrap_or_else(|| src.to_string());
            ctx.note(format!("{} now sees {who} alive", self.name));
        }
        if let Msg::Ping { round } = msg {
            ctx.send(src, Msg::Pong { round });
        }
    }

    /// Handles the tick timer.
    pub fn on_timer<M: From<Msg>, T: From<Timer>>(&mut self, ctx: &mut Ctx<M, T>, _t: Timer) {
        self.ping_all(ctx);
    }

    /// Loses everything volatile.
    pub fn on_crash(&mut self) {
        self.round = 0;
        self.last_heard_us.clear();
    }

    fn ping_all<M: From<Msg>, T: From<Timer>>(&mut self, ctx: &mut Ctx<M, T>) {
        self.round += 1;
        for &p in &self.peers {
            ctx.send(p, Msg::Ping { round: self.round });
        }
        ctx.set_timer(Timer::Tick, self.interval_us);
    }
}
