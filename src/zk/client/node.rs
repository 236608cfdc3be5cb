//! Client nodes of the simulation: an actor around one [`ZkClient`] session handle, in one
//! of two roles.
//!
//! * **Scripted**: runs the [`Call`]s the environment delivers (`Control::ClientCall` from
//!   [`NodeId::ENV`]: zk-script, lessons, the UI) and keeps an ordered log of their outcomes,
//!   the watch events and the connection state changes. Calls go to the handle as they
//!   arrive; the handle keeps them in order (FIFO per session, sheet A.8).
//! * **Recipe**: a [`Recipe`] state machine (config, group, lock, barrier, election). The
//!   node connects when it starts, starts the recipe on every new session, and opens a new
//!   session one second after an expiry, as a well-behaved application does.
//!
//! Simplified: a crash loses the handle (the session lives on in the ensemble until it
//! expires); a scripted client's log survives the crash, since it is the observer's record.

use std::collections::VecDeque;

use crate::sim::vecmap::VecMap;
use crate::sim::{Ctx, NodeId, TimeUs};

use crate::zk::client::{Call, CallOp, ClientEvent, ClientTimer, ZkClient};
use crate::zk::msg::{Control, Msg, ReplyBody, Timer};
use crate::zk::recipes::{Io, Recipe};
use crate::zk::server::summary::ClientSummary;
use crate::zk::types::{ErrorCode, EventType, KeeperState, SessionId, Zxid};

/// Longest log a scripted client keeps; older entries are dropped (and counted).
pub const MAX_LOG: usize = 10_000;
/// Default session timeout asked for by recipe nodes (ms).
pub const RECIPE_TIMEOUT_MS: i32 = 6_000;
/// Timer number the node uses to open a new session after an expiry.
const TIMER_NEW_SESSION: u32 = 0;
/// Bound on events handled in one handler call (a recipe reacting to refusals).
const MAX_EVENTS_PER_STEP: usize = 1_000;

/// One line of a scripted client's log.
#[derive(Clone, Debug, PartialEq)]
pub enum LogEntry {
    /// A `connect` call succeeded.
    Connected {
        tag: u64,
        session_id: SessionId,
        timeout_ms: i32,
        server: NodeId,
        at_us: TimeUs,
    },
    /// Any other call finished (or a `connect` failed).
    Done {
        tag: u64,
        /// `connect`, `close` or the opcode name (`create`, `getData`, …).
        op: &'static str,
        result: Result<ReplyBody, ErrorCode>,
        zxid: Zxid,
        at_us: TimeUs,
    },
    /// A watch event was delivered.
    Watch {
        event: EventType,
        path: String,
        at_us: TimeUs,
    },
    /// The connection state changed.
    State { state: KeeperState, at_us: TimeUs },
}

impl LogEntry {
    /// The call tag, for outcomes.
    pub fn tag(&self) -> Option<u64> {
        match self {
            LogEntry::Connected { tag, .. } | LogEntry::Done { tag, .. } => Some(*tag),
            _ => None,
        }
    }
}

/// The scripted role: calls from outside, an ordered log of what came back.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ScriptedClient {
    log: VecDeque<LogEntry>,
    dropped: usize,
    /// Tag of the `connect` call waiting for `SyncConnected`.
    connecting: Option<u64>,
    /// Operation names of the calls in flight, by tag.
    ops: VecMap<u64, &'static str>,
}

impl ScriptedClient {
    /// Entries ever logged (dropped ones included): the index the next one gets.
    pub fn log_len(&self) -> usize {
        self.dropped + self.log.len()
    }

    /// Entries from absolute index `from` on (as many as are still kept).
    pub fn entries_since(&self, from: usize) -> impl Iterator<Item = (usize, &LogEntry)> {
        let skip = from.saturating_sub(self.dropped);
        self.log
            .iter()
            .enumerate()
            .skip(skip)
            .map(move |(i, e)| (self.dropped + i, e))
    }

    /// The kept log, oldest first.
    pub fn log(&self) -> impl Iterator<Item = &LogEntry> {
        self.log.iter()
    }

    fn push(&mut self, e: LogEntry) {
        if self.log.len() == MAX_LOG {
            self.log.pop_front();
            self.dropped += 1;
        }
        self.log.push_back(e);
    }

    fn on_call<M: From<Msg>, T: From<Timer>>(
        &mut self,
        zk: &mut ZkClient,
        ctx: &mut Ctx<M, T>,
        call: Call,
    ) -> Vec<ClientEvent> {
        let Call { tag, op } = call;
        match op {
            CallOp::Connect {
                servers,
                timeout_ms,
            } => {
                if zk.state().is_alive() {
                    ctx.note("connect ignored: this client already has a session");
                    self.done(ctx, tag, "connect", Err(ErrorCode::BadArguments), 0);
                    return Vec::new();
                }
                self.connecting = Some(tag);
                zk.connect_to(ctx, servers, timeout_ms);
                if !zk.state().is_alive() {
                    self.connecting = None;
                    self.done(ctx, tag, "connect", Err(ErrorCode::ConnectionLoss), 0);
                }
                Vec::new()
            }
            CallOp::Op(op) => {
                self.ops.insert(tag, op.name());
                zk.call(ctx, tag, op)
            }
            CallOp::Close => {
                self.ops.insert(tag, "close");
                zk.close(ctx, tag)
            }
        }
    }

    fn done<M, T>(
        &mut self,
        ctx: &Ctx<M, T>,
        tag: u64,
        op: &'static str,
        result: Result<ReplyBody, ErrorCode>,
        zxid: Zxid,
    ) {
        let at_us = ctx.now_us();
        self.push(LogEntry::Done {
            tag,
            op,
            result,
            zxid,
            at_us,
        });
    }

    fn on_event<M, T>(&mut self, zk: &ZkClient, ctx: &Ctx<M, T>, ev: ClientEvent) {
        let at_us = ctx.now_us();
        match ev {
            ClientEvent::Completed { tag, result, zxid } => {
                let op = self.ops.remove(&tag).unwrap_or("call");
                self.done(ctx, tag, op, result, zxid);
            }
            ClientEvent::Watch { event, path } => self.push(LogEntry::Watch { event, path, at_us }),
            ClientEvent::State(state) => {
                self.push(LogEntry::State { state, at_us });
                let Some(tag) = self.connecting else {
                    return;
                };
                match state {
                    KeeperState::SyncConnected => {
                        self.connecting = None;
                        self.push(LogEntry::Connected {
                            tag,
                            session_id: zk.session_id(),
                            timeout_ms: zk.negotiated_timeout_ms(),
                            server: zk.connected_server().unwrap_or(NodeId::ENV),
                            at_us,
                        });
                    }
                    KeeperState::Expired => {
                        self.connecting = None;
                        self.done(ctx, tag, "connect", Err(ErrorCode::SessionExpired), 0);
                    }
                    KeeperState::Closed => {
                        self.connecting = None;
                        self.done(ctx, tag, "connect", Err(ErrorCode::ConnectionLoss), 0);
                    }
                    _ => {}
                }
            }
        }
    }
}

/// What a client node does.
#[derive(Clone, Debug, PartialEq)]
pub enum Role {
    /// Runs calls from the environment.
    Scripted(ScriptedClient),
    /// Runs a recipe.
    Recipe(Recipe),
}

/// A client node of the simulation.
#[derive(Clone, Debug, PartialEq)]
pub struct ClientNode {
    /// Label, e.g. `c1`.
    pub name: String,
    /// The session handle.
    pub zk: ZkClient,
    /// Scripted client or recipe.
    pub role: Role,
    /// The session the recipe last started on (a resumed session does not restart it).
    recipe_session: SessionId,
}

impl ClientNode {
    /// A scripted client with no servers yet (its `connect` call names them).
    pub fn scripted(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            zk: ZkClient::new(Vec::new(), RECIPE_TIMEOUT_MS),
            role: Role::Scripted(ScriptedClient::default()),
            recipe_session: 0,
        }
    }

    /// A node running `recipe` over `servers` with the given session timeout.
    pub fn recipe(
        name: impl Into<String>,
        servers: Vec<NodeId>,
        timeout_ms: i32,
        recipe: Recipe,
    ) -> Self {
        Self {
            name: name.into(),
            zk: ZkClient::new(servers, timeout_ms),
            role: Role::Recipe(recipe),
            recipe_session: 0,
        }
    }

    /// The node's label.
    pub fn label(&self) -> String {
        self.name.clone()
    }

    /// The scripted role's log keeper, if scripted.
    pub fn scripted_log(&self) -> Option<&ScriptedClient> {
        match &self.role {
            Role::Scripted(s) => Some(s),
            Role::Recipe(_) => None,
        }
    }

    /// The recipe, if it runs one.
    pub fn recipe_state(&self) -> Option<&Recipe> {
        match &self.role {
            Role::Recipe(r) => Some(r),
            Role::Scripted(_) => None,
        }
    }

    /// `client` or the recipe's role name.
    pub fn role_name(&self) -> &'static str {
        match &self.role {
            Role::Scripted(_) => "client",
            Role::Recipe(r) => r.role(),
        }
    }

    /// One line of what it is doing.
    pub fn status(&self) -> String {
        match &self.role {
            Role::Scripted(s) => {
                let n = self.zk.pending().len();
                match (n, s.connecting) {
                    (_, Some(_)) => "connecting".into(),
                    (0, None) => "idle".into(),
                    (n, None) => format!("{n} call(s) outstanding"),
                }
            }
            Role::Recipe(r) => r.status(),
        }
    }

    /// What views show of this node.
    pub fn summary(&self) -> ClientSummary {
        ClientSummary {
            name: self.label(),
            state: self.zk.state().name(),
            server: self.zk.connected_server(),
            session_id: self.zk.session_id(),
            timeout_ms: self.zk.negotiated_timeout_ms(),
            role: self.role_name().to_string(),
            status: self.status(),
        }
    }

    /// Starts (or restarts): a recipe node connects; a scripted one waits for calls.
    pub fn on_start<M: From<Msg>, T: From<Timer>>(&mut self, ctx: &mut Ctx<M, T>) {
        if let Role::Recipe(_) = self.role {
            self.zk.connect(ctx);
        }
    }

    /// Handles a packet from a server, or a call from the environment.
    pub fn on_message<M: From<Msg>, T: From<Timer>>(
        &mut self,
        ctx: &mut Ctx<M, T>,
        src: NodeId,
        msg: Msg,
    ) {
        let events = match (msg, &mut self.role) {
            (Msg::Control(Control::ClientCall(call)), Role::Scripted(s)) if src == NodeId::ENV => {
                s.on_call(&mut self.zk, ctx, call)
            }
            (Msg::Control(_), _) => return,
            (msg, _) => self.zk.on_message(ctx, src, msg),
        };
        self.handle(ctx, events);
    }

    /// Handles a timer: the client library's, or the recipe's.
    pub fn on_timer<M: From<Msg>, T: From<Timer>>(&mut self, ctx: &mut Ctx<M, T>, t: Timer) {
        let Timer::Client(t) = t else {
            return;
        };
        match t {
            ClientTimer::Recipe(TIMER_NEW_SESSION) => {
                if !self.zk.state().is_alive() {
                    ctx.note("opens a new session");
                    self.zk.connect(ctx);
                }
            }
            ClientTimer::Recipe(n) => {
                if let Role::Recipe(r) = &mut self.role {
                    let mut io = Io::new(&mut self.zk, ctx);
                    r.on_timer(&mut io, &self.name, n);
                    let fb = std::mem::take(&mut io.feedback);
                    self.handle(ctx, fb);
                }
            }
            other => {
                let events = self.zk.on_timer(ctx, other);
                self.handle(ctx, events);
            }
        }
    }

    /// Crashes: the handle and the recipe's progress are lost.
    pub fn on_crash(&mut self) {
        self.zk.on_crash();
        self.recipe_session = 0;
        match &mut self.role {
            Role::Recipe(r) => r.reset("crashed"),
            Role::Scripted(s) => {
                s.connecting = None;
                s.ops.clear();
            }
        }
    }

    /// Feeds the handle's events to the role, and the role's follow-ups back, in order.
    fn handle<M: From<Msg>, T: From<Timer>>(
        &mut self,
        ctx: &mut Ctx<M, T>,
        events: Vec<ClientEvent>,
    ) {
        let ClientNode {
            name,
            zk,
            role,
            recipe_session,
        } = self;
        let mut queue: VecDeque<ClientEvent> = events.into();
        let mut handled = 0;
        while let Some(ev) = queue.pop_front() {
            handled += 1;
            if handled > MAX_EVENTS_PER_STEP {
                ctx.note("too many client events in one step: the rest are dropped");
                break;
            }
            let r = match role {
                Role::Scripted(s) => {
                    s.on_event(zk, ctx, ev);
                    continue;
                }
                Role::Recipe(r) => r,
            };
            let new_session = ev == ClientEvent::State(KeeperState::SyncConnected)
                && zk.session_id() != *recipe_session;
            let mut io = Io::new(zk, ctx);
            if new_session {
                *recipe_session = io.session_id();
                r.on_session(&mut io, name);
            }
            if ev == ClientEvent::State(KeeperState::Expired) {
                r.reset("session expired: everything it owned is gone");
                io.note("its session expired: opens a new one in 1 s");
                io.set_timer(TIMER_NEW_SESSION, 1000);
            }
            r.on_event(&mut io, name, &ev);
            queue.extend(std::mem::take(&mut io.feedback));
        }
    }
}
