//! The ZooKeeper client library (`ZooKeeper` + `ClientCnxn`), shaped for the actor model: an
//! owning actor (a scripted client, a recipe, later a Kafka broker) embeds a [`ZkClient`],
//! feeds it its messages and timers, and gets back [`ClientEvent`]s: tagged completions of
//! the calls it made, watch notifications and connection state changes (sheet A.6, A.7).
//!
//! What is modelled, after `ClientCnxn` 3.5.9:
//! * One session over a sequence of connections. Each attempt picks a fresh random connection
//!   id and numbers its packets; a gap in the server's numbering means the connection broke.
//! * Handle states `CONNECTING` → `CONNECTED` ↔ `CONNECTING` → `CLOSED` ([`States`]).
//! * Heartbeats: `readTimeout = 2/3 × negotiated timeout`; whenever the send thread wakes
//!   (a packet arrives or its wait runs out) the next `ping` (xid −2) is due in
//!   `readTimeout/2 − idleSend`, a second less once nothing was sent for over a second, and
//!   at once after 10 s without sending; nothing received for `readTimeout` (or
//!   `connectTimeout = sessionTimeout / number of servers` while connecting) drops the
//!   connection and tries the next server in the list, keeping session id, password and
//!   `lastZxidSeen`. Every reconnect waits a random 0–999 ms first, plus 1 s when the list
//!   has wrapped round to the server last connected to (`StaticHostProvider` spin delay).
//! * On a lost connection every outstanding call fails with `ConnectionLoss` (the caller
//!   cannot know whether a write happened), then `Disconnected` is reported (only once per
//!   loss of a working connection). A `ConnectResponse` with `timeOut = 0` means the session
//!   is gone: `Expired` (terminal, `CLOSED`), outstanding calls fail with `SessionExpired`.
//! * Replies must come in request order (`xid` check; a mismatch is a broken connection).
//!   `lastZxidSeen` follows the zxid of every reply except pings.
//! * Client-side watch tables (`dataWatches`, `existWatches`, `childWatches`), filled from
//!   successful reads (`exists` on a missing node arms an exist watch), emptied by the events
//!   they receive, re-sent with `SetWatches` (xid −8) after every reconnect.
//! * `close` sends `closeSession` and ends in `CLOSED` whatever the answer; calls made on a
//!   closed handle fail with `SessionExpired`, during close or before connecting with
//!   `ConnectionLoss` (as `ClientCnxn.conLossPacket`).
//!
//! Simplified compared to the real client:
//! * Authentication by `addAuth` only (see [`auth`]; no SASL), no chroot, no read-only mode, no `removeWatches`/persistent watches,
//!   no request timeout. `multi` is the write kind only (see [`multi`]).
//! * Watches belong to the session, not to watcher objects: an event is reported once, and
//!   only if the client holds a matching watch. State changes are reported once, not to every
//!   watcher.
//! * The server list is used in the order given (the real `StaticHostProvider` shuffles it).
//! * The client waits for `ConnectResponse` before sending anything else on a connection (the
//!   real one pipelines `SetWatches` and queued requests right behind `ConnectRequest`).
//! * Paths are not checked on the client: the real library throws `IllegalArgumentException`
//!   for malformed paths before sending; here the server's answer (sheet A.5) is what you see.
//! * Dropping a connection sends a `Close` packet to the server, standing in for TCP's FIN.
//!
//! One `ZkClient` per actor: its timers ([`ClientTimer`]) are not keyed by client.

use std::collections::VecDeque;

use crate::sim::vecmap::VecSet;
use crate::sim::{Ctx, NodeId, TimeUs, MS, SEC};

use crate::zk::msg::{ClientOp, ClientPacket, Msg, ReplyBody, Timer};
use crate::zk::types::{ErrorCode, EventType, KeeperState, SessionId, Zxid};

/// xid of pings (`ClientCnxn` reserves it).
pub const PING_XID: i32 = -2;
/// xid of `SetWatches`.
pub const SET_WATCHES_XID: i32 = -8;
/// Longest time between pings whatever the timeout (`MAX_SEND_PING_INTERVAL`).
pub const MAX_PING_INTERVAL_MS: u64 = 10_000;
/// Pause after trying every server in the list without success (`StaticHostProvider`).
pub const SPIN_DELAY_MS: u64 = 1_000;

/// A call a script, a lesson or the UI asks a client node to make (sent as
/// `Control::ClientCall`). The answer is logged under `tag`.
#[derive(Clone, Debug, PartialEq)]
pub struct Call {
    /// Chosen by the caller; the outcome carries it back.
    pub tag: u64,
    /// What to do.
    pub op: CallOp,
}

/// What a [`Call`] asks for.
#[derive(Clone, Debug, PartialEq)]
pub enum CallOp {
    /// Open a new session (a new `ZooKeeper` handle) over these servers.
    Connect {
        servers: Vec<NodeId>,
        timeout_ms: i32,
    },
    /// Run one operation on the session.
    Op(ClientOp),
    /// Close the session.
    Close,
}

/// The client's timers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClientTimer {
    /// Time to check whether a ping is due.
    Ping,
    /// Time to check whether the server has been silent too long (read or connect timeout).
    ReadTimeout,
    /// The pause before the next connection attempt is over.
    Reconnect,
    /// A timer of the actor that embeds the client (recipes), by number.
    Recipe(u32),
}

impl ClientTimer {
    /// The stable name in traces and narration: `Ping`, `ReadTimeout`, `Reconnect`,
    /// `Recipe(3)`.
    pub fn name(&self) -> String {
        match self {
            ClientTimer::Ping => "Ping".into(),
            ClientTimer::ReadTimeout => "ReadTimeout".into(),
            ClientTimer::Reconnect => "Reconnect".into(),
            ClientTimer::Recipe(n) => format!("Recipe({n})"),
        }
    }
}

/// `ZooKeeper.States`, the handle's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum States {
    /// No session asked for yet (`NOT_CONNECTED`).
    NotConnected,
    /// Looking for a server, or waiting for its `ConnectResponse`.
    Connecting,
    /// Connected; requests flow.
    Connected,
    /// Closed by the application or expired: terminal for this session.
    Closed,
    /// The server refused an `addAuth`: terminal (`AUTH_FAILED`).
    AuthFailed,
}

impl States {
    /// `NOT_CONNECTED`, `CONNECTING`, `CONNECTED`, `CLOSED`.
    pub fn name(self) -> &'static str {
        match self {
            States::NotConnected => "NOT_CONNECTED",
            States::Connecting => "CONNECTING",
            States::Connected => "CONNECTED",
            States::Closed => "CLOSED",
            States::AuthFailed => "AUTH_FAILED",
        }
    }

    /// `isAlive()`: the handle may still reach the session.
    pub fn is_alive(self) -> bool {
        matches!(self, States::Connecting | States::Connected)
    }
}

/// What the client tells its owner.
#[derive(Clone, Debug, PartialEq)]
pub enum ClientEvent {
    /// A call finished. `zxid` is the reply header's (0 for errors made by the client).
    Completed {
        tag: u64,
        result: Result<ReplyBody, ErrorCode>,
        zxid: Zxid,
    },
    /// A watch fired.
    Watch { event: EventType, path: String },
    /// The connection state changed: `SyncConnected`, `Disconnected`, `Expired`, `Closed`.
    State(KeeperState),
}

/// A request the owner made that has not been answered yet.
#[derive(Clone, Debug, PartialEq)]
pub struct PendingRequest {
    /// The owner's tag.
    pub tag: u64,
    /// The xid it was sent with, or `None` while queued (waiting for a connection).
    pub xid: Option<i32>,
    /// The operation.
    pub op: ClientOp,
}

/// The watches the client has registered (and will re-send after a reconnect).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClientWatches {
    /// Data watches (`getData`, `exists` on an existing node).
    pub data: VecSet<String>,
    /// Exist watches (`exists` on a missing node; fires `NodeCreated`).
    pub exist: VecSet<String>,
    /// Child watches (`getChildren`).
    pub child: VecSet<String>,
}

impl ClientWatches {
    /// Whether no watch is registered.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty() && self.exist.is_empty() && self.child.is_empty()
    }

    /// `ZKWatchManager.materialize`: removes the watches an event consumes; true if any did.
    fn consume(&mut self, event: EventType, path: &str) -> bool {
        match event {
            EventType::NodeCreated | EventType::NodeDataChanged => {
                let a = self.data.remove(path);
                let b = self.exist.remove(path);
                a || b
            }
            EventType::NodeChildrenChanged => self.child.remove(path),
            EventType::NodeDeleted => {
                let a = self.data.remove(path);
                let b = self.exist.remove(path);
                let c = self.child.remove(path);
                a || b || c
            }
            EventType::None => false,
        }
    }
}

/// One connection attempt to one server.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Connection {
    id: u64,
    server: NodeId,
    /// Sequence number of the last packet sent.
    sent_seq: u64,
    /// Sequence number of the last packet received.
    recv_seq: u64,
    /// `ConnectResponse` received.
    established: bool,
    last_send_us: TimeUs,
    last_recv_us: TimeUs,
}

/// The client library state of one session handle.
#[derive(Clone, Debug, PartialEq)]
pub struct ZkClient {
    servers: Vec<NodeId>,
    requested_timeout_ms: i32,
    state: States,
    session_id: SessionId,
    passwd: u64,
    negotiated_timeout_ms: i32,
    last_zxid_seen: Zxid,
    conn: Option<Connection>,
    /// Index in `servers` of the current (or last tried) server.
    server_idx: usize,
    /// Index of the server last connected to (spin delay when the list wraps to it).
    last_connected_idx: usize,
    /// No attempt made yet on this handle (the first one does not wait).
    first_attempt: bool,
    /// `close` was called; the handle ends when the `closeSession` call completes.
    closing: bool,
    next_xid: i32,
    /// Sent, waiting for a reply, in xid order.
    sent: VecDeque<(PendingRequest, i32)>,
    /// Not sent yet (no connection).
    queued: VecDeque<PendingRequest>,
    watches: ClientWatches,
    /// Every `(scheme, auth)` given to `addAuthInfo`, re-sent on each connection.
    auth_info: Vec<(String, String)>,
    /// Auth packets sent on this connection, oldest first: the call's tag, if any.
    auth_waiting: VecDeque<Option<u64>>,
    /// `addAuth` calls made while not connected.
    auth_later: Vec<u64>,
}

impl ZkClient {
    /// A handle for `servers`, asking for `requested_timeout_ms`; nothing happens until
    /// [`ZkClient::connect`].
    pub fn new(servers: Vec<NodeId>, requested_timeout_ms: i32) -> Self {
        Self {
            servers,
            requested_timeout_ms,
            state: States::NotConnected,
            session_id: 0,
            passwd: 0,
            negotiated_timeout_ms: 0,
            last_zxid_seen: 0,
            conn: None,
            server_idx: 0,
            last_connected_idx: 0,
            first_attempt: true,
            closing: false,
            next_xid: 1,
            sent: VecDeque::new(),
            queued: VecDeque::new(),
            watches: ClientWatches::default(),
            auth_info: Vec::new(),
            auth_waiting: VecDeque::new(),
            auth_later: Vec::new(),
        }
    }

    // ----- read-only state for views -----

    /// The handle's state.
    pub fn state(&self) -> States {
        self.state
    }

    /// The server list, in the order tried.
    pub fn servers(&self) -> &[NodeId] {
        &self.servers
    }

    /// The server of the established connection, if connected.
    pub fn connected_server(&self) -> Option<NodeId> {
        self.conn
            .as_ref()
            .filter(|c| c.established)
            .map(|c| c.server)
    }

    /// The server being connected to or connected to.
    pub fn current_server(&self) -> Option<NodeId> {
        self.conn.as_ref().map(|c| c.server)
    }

    /// Session id (0 before the first `ConnectResponse`).
    pub fn session_id(&self) -> SessionId {
        self.session_id
    }

    /// Session password (0 before the first `ConnectResponse`).
    pub fn passwd(&self) -> u64 {
        self.passwd
    }

    /// The timeout asked for.
    pub fn requested_timeout_ms(&self) -> i32 {
        self.requested_timeout_ms
    }

    /// The timeout the server granted (0 before the first `ConnectResponse`).
    pub fn negotiated_timeout_ms(&self) -> i32 {
        self.negotiated_timeout_ms
    }

    /// The highest zxid seen in a reply: sent with every `ConnectRequest` so a server that
    /// is behind refuses the connection (sheet A.7 rule 2).
    pub fn last_zxid_seen(&self) -> Zxid {
        self.last_zxid_seen
    }

    /// Unanswered requests: sent ones first (xid order), then queued ones.
    pub fn pending(&self) -> Vec<PendingRequest> {
        self.sent
            .iter()
            .map(|(p, _)| p.clone())
            .chain(self.queued.iter().cloned())
            .collect()
    }

    /// The registered watches.
    pub fn watches(&self) -> &ClientWatches {
        &self.watches
    }

    /// `readTimeout` in ms: 2/3 of the negotiated (before that, the requested) timeout.
    pub fn read_timeout_ms(&self) -> u64 {
        self.effective_timeout_ms() * 2 / 3
    }

    /// `connectTimeout` in ms: the session timeout divided by the number of servers.
    pub fn connect_timeout_ms(&self) -> u64 {
        self.effective_timeout_ms() / self.servers.len().max(1) as u64
    }

    /// `min(readTimeout/2, MAX_SEND_PING_INTERVAL)`: the ping interval as narrated; when a
    /// ping is actually due is [`ZkClient::time_to_next_ping_us`]'s business.
    pub fn ping_interval_ms(&self) -> u64 {
        (self.read_timeout_ms() / 2).min(MAX_PING_INTERVAL_MS)
    }

    /// `ClientCnxn.SendThread.run`: time until the next ping after `idle_us` without
    /// sending, `readTimeout/2 − idle`, a second less once idle for over a second; `None`
    /// when one is due now (also after `MAX_SEND_PING_INTERVAL` without sending).
    pub fn time_to_next_ping_us(&self, idle_us: TimeUs) -> Option<TimeUs> {
        if idle_us > MAX_PING_INTERVAL_MS * MS {
            return None;
        }
        let early = if idle_us > SEC { SEC } else { 0 };
        (self.read_timeout_ms() / 2 * MS)
            .checked_sub(idle_us + early)
            .filter(|t| *t > 0)
    }

    /// The send thread woke (a packet came in, or its wait ran out): send a ping if one is
    /// due, and wait until the next one otherwise.
    fn wake_send_thread<M: From<Msg>, T: From<Timer>>(&mut self, ctx: &mut Ctx<M, T>) {
        let Some(c) = self.conn.as_ref().filter(|c| c.established) else {
            return;
        };
        let idle = ctx.now_us().saturating_sub(c.last_send_us);
        let wait = match self.time_to_next_ping_us(idle) {
            Some(t) => t,
            None => {
                self.send(ctx, ping());
                self.read_timeout_ms() / 2 * MS
            }
        };
        ctx.set_timer(Timer::Client(ClientTimer::Ping), wait.max(1));
    }

    fn effective_timeout_ms(&self) -> u64 {
        let t = if self.negotiated_timeout_ms > 0 {
            self.negotiated_timeout_ms
        } else {
            self.requested_timeout_ms
        };
        t.max(1) as u64
    }

    // ----- what the owner asks -----

    /// Opens a new session (a fresh handle: new session id, empty watches). Does nothing if
    /// the handle is already connecting or connected.
    pub fn connect<M: From<Msg>, T: From<Timer>>(&mut self, ctx: &mut Ctx<M, T>) {
        if self.state.is_alive() {
            return;
        }
        *self = ZkClient::new(self.servers.clone(), self.requested_timeout_ms);
        if self.servers.is_empty() {
            ctx.note("no server to connect to");
            self.state = States::Closed;
            return;
        }
        self.state = States::Connecting;
        self.start_attempt(ctx);
    }

    /// Replaces the server list and requested timeout, then [`ZkClient::connect`]s.
    pub fn connect_to<M: From<Msg>, T: From<Timer>>(
        &mut self,
        ctx: &mut Ctx<M, T>,
        servers: Vec<NodeId>,
        timeout_ms: i32,
    ) {
        if self.state.is_alive() {
            return;
        }
        self.servers = servers;
        self.requested_timeout_ms = timeout_ms;
        self.connect(ctx);
    }

    /// Submits an operation; its outcome comes back as `Completed{tag}` (right away, in the
    /// returned events, if the handle cannot take it).
    pub fn call<M: From<Msg>, T: From<Timer>>(
        &mut self,
        ctx: &mut Ctx<M, T>,
        tag: u64,
        op: ClientOp,
    ) -> Vec<ClientEvent> {
        match op {
            ClientOp::CloseSession => return self.close(ctx, tag),
            ClientOp::Ping | ClientOp::SetWatches { .. } => {
                return vec![failed(tag, ErrorCode::BadArguments)]
            }
            ClientOp::Auth { scheme, auth } => {
                if let Some(err) = self.refusal().filter(|_| self.state != States::Connecting) {
                    return vec![failed(tag, err)];
                }
                return self.add_auth(ctx, tag, scheme, auth);
            }
            _ => {}
        }
        if let Some(body) = multi::empty_multi(&op) {
            let result = Ok(body);
            return vec![ClientEvent::Completed {
                tag,
                result,
                zxid: 0,
            }];
        }
        if let Some(err) = self.refusal() {
            return vec![failed(tag, err)];
        }
        self.submit(ctx, PendingRequest { tag, xid: None, op });
        Vec::new()
    }

    /// Closes the session: sends `closeSession` and ends `CLOSED` once it is answered (or the
    /// connection is lost). On a handle that is not alive it completes at once.
    pub fn close<M: From<Msg>, T: From<Timer>>(
        &mut self,
        ctx: &mut Ctx<M, T>,
        tag: u64,
    ) -> Vec<ClientEvent> {
        if !self.state.is_alive() {
            return vec![ClientEvent::Completed {
                tag,
                result: Ok(ReplyBody::Empty),
                zxid: 0,
            }];
        }
        if self.closing {
            return vec![failed(tag, ErrorCode::ConnectionLoss)];
        }
        self.closing = true;
        ctx.note(format!("closing session 0x{:x}", self.session_id));
        let op = ClientOp::CloseSession;
        self.submit(ctx, PendingRequest { tag, xid: None, op });
        Vec::new()
    }

    /// Handles a message addressed to the client. Anything but a packet of the current
    /// connection from its server is ignored.
    pub fn on_message<M: From<Msg>, T: From<Timer>>(
        &mut self,
        ctx: &mut Ctx<M, T>,
        src: NodeId,
        msg: Msg,
    ) -> Vec<ClientEvent> {
        let Msg::Client { conn, seq, pkt } = msg else {
            return Vec::new();
        };
        let Some(c) = self.conn.as_mut() else {
            return Vec::new();
        };
        if c.id != conn || c.server != src || seq <= c.recv_seq {
            return Vec::new();
        }
        if seq > c.recv_seq + 1 {
            let reason = format!("packet {} from the server went missing", c.recv_seq + 1);
            return self.drop_connection(ctx, &reason, true);
        }
        c.recv_seq = seq;
        c.last_recv_us = ctx.now_us();
        let established = c.established;
        let events = match pkt {
            ClientPacket::Close { reason } => self.drop_connection(
                ctx,
                &format!("the server closed the connection ({reason})"),
                false,
            ),
            ClientPacket::ConnectResponse {
                timeout_ms,
                session_id,
                passwd,
            } if !established => self.on_connect_response(ctx, timeout_ms, session_id, passwd),
            ClientPacket::Reply {
                xid,
                zxid,
                err,
                body,
            } if established => self.on_reply(ctx, xid, zxid, err, body),
            ClientPacket::WatcherEvent { event, path, .. } if established => {
                if self.watches.consume(event, &path) {
                    vec![ClientEvent::Watch { event, path }]
                } else {
                    ctx.note(format!("{} {path} ignored: no watch on it", event.name()));
                    Vec::new()
                }
            }
            other => {
                let reason = format!("unexpected {} from the server", other.kind());
                self.drop_connection(ctx, &reason, true)
            }
        };
        // The send thread wakes on every packet read and checks whether a ping is due.
        self.wake_send_thread(ctx);
        events
    }

    /// Handles one of the client's timers.
    pub fn on_timer<M: From<Msg>, T: From<Timer>>(
        &mut self,
        ctx: &mut Ctx<M, T>,
        timer: ClientTimer,
    ) -> Vec<ClientEvent> {
        let now = ctx.now_us();
        match timer {
            ClientTimer::Ping => {
                self.wake_send_thread(ctx);
                Vec::new()
            }
            ClientTimer::ReadTimeout => {
                let Some(c) = self.conn.as_ref() else {
                    return Vec::new();
                };
                let limit_ms = if c.established {
                    self.read_timeout_ms()
                } else {
                    self.connect_timeout_ms()
                };
                let idle = now.saturating_sub(c.last_recv_us);
                if idle >= limit_ms * MS {
                    let reason = format!("no answer from the server for {limit_ms} ms");
                    self.drop_connection(ctx, &reason, true)
                } else {
                    ctx.set_timer(
                        Timer::Client(ClientTimer::ReadTimeout),
                        limit_ms * MS - idle,
                    );
                    Vec::new()
                }
            }
            ClientTimer::Reconnect => {
                if self.state == States::Connecting && self.conn.is_none() {
                    self.start_attempt(ctx);
                }
                Vec::new()
            }
            ClientTimer::Recipe(_) => Vec::new(),
        }
    }

    /// The owner crashed: the handle, its session and everything queued are gone (the
    /// session itself lives on in the ensemble until it expires).
    pub fn on_crash(&mut self) {
        *self = ZkClient::new(self.servers.clone(), self.requested_timeout_ms);
    }
}

mod cnxn;
pub mod multi;
pub mod node;

use cnxn::{failed, ping};
pub mod auth;
pub use multi::{multi_outcome, MultiError};

#[cfg(test)]
mod tests;
