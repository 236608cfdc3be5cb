//! The connection machinery of [`ZkClient`] (`ClientCnxn.SendThread`): attempts and the
//! handshake, sending requests in xid order, matching replies, losing a connection, closing
//! and expiring. Split from `client.rs`, whose public API drives it.

use crate::sim::{Ctx, MS};
use crate::zk::msg::{ClientOp, ClientPacket, Msg, ReplyBody, Timer};
use crate::zk::types::{fmt_zxid, ErrorCode, KeeperState, SessionId, Zxid};

use super::auth::AUTH_XID;
use super::{
    ClientEvent, ClientTimer, ClientWatches, Connection, PendingRequest, States, ZkClient,
    PING_XID, SET_WATCHES_XID, SPIN_DELAY_MS,
};

impl ZkClient {
    /// Why a new call cannot be taken (`ClientCnxn.conLossPacket`).
    pub(super) fn refusal(&self) -> Option<ErrorCode> {
        match self.state {
            States::Closed => Some(ErrorCode::SessionExpired),
            States::AuthFailed => Some(ErrorCode::AuthFailed),
            States::NotConnected => Some(ErrorCode::ConnectionLoss),
            _ if self.closing => Some(ErrorCode::ConnectionLoss),
            _ => None,
        }
    }

    pub(super) fn submit<M: From<Msg>, T: From<Timer>>(
        &mut self,
        ctx: &mut Ctx<M, T>,
        req: PendingRequest,
    ) {
        if self.state == States::Connected {
            self.send_request(ctx, req);
        } else {
            self.queued.push_back(req);
        }
    }

    pub(super) fn send_request<M: From<Msg>, T: From<Timer>>(
        &mut self,
        ctx: &mut Ctx<M, T>,
        mut req: PendingRequest,
    ) {
        let xid = self.next_xid;
        self.next_xid = self.next_xid.wrapping_add(1).max(1);
        req.xid = Some(xid);
        self.send(
            ctx,
            ClientPacket::Request {
                xid,
                op: req.op.clone(),
            },
        );
        self.sent.push_back((req, xid));
    }

    pub(super) fn send<M: From<Msg>, T: From<Timer>>(
        &mut self,
        ctx: &mut Ctx<M, T>,
        pkt: ClientPacket,
    ) {
        let Some(c) = self.conn.as_mut() else {
            return;
        };
        c.sent_seq += 1;
        c.last_send_us = ctx.now_us();
        let msg = Msg::Client {
            conn: c.id,
            seq: c.sent_seq,
            pkt,
        };
        ctx.send(c.server, msg);
    }

    pub(super) fn start_attempt<M: From<Msg>, T: From<Timer>>(&mut self, ctx: &mut Ctx<M, T>) {
        let server = self.servers[self.server_idx];
        let id = ctx.rng().next_u64();
        let now = ctx.now_us();
        self.conn = Some(Connection {
            id,
            server,
            sent_seq: 0,
            recv_seq: 0,
            established: false,
            last_send_us: now,
            last_recv_us: now,
        });
        self.first_attempt = false;
        let nth = format!(
            "server {} of {} in its list",
            self.server_idx + 1,
            self.servers.len()
        );
        if self.session_id == 0 {
            ctx.note(format!("connects to {nth} for a new session"));
        } else {
            ctx.note(format!(
                "connects to {nth} to resume session 0x{:x} (lastZxidSeen {})",
                self.session_id,
                fmt_zxid(self.last_zxid_seen)
            ));
        }
        let pkt = ClientPacket::ConnectRequest {
            last_zxid_seen: self.last_zxid_seen,
            timeout_ms: self.requested_timeout_ms,
            session_id: self.session_id,
            passwd: self.passwd,
        };
        self.send(ctx, pkt);
        let t = self.connect_timeout_ms() * MS;
        ctx.set_timer(Timer::Client(ClientTimer::ReadTimeout), t);
    }

    pub(super) fn on_connect_response<M: From<Msg>, T: From<Timer>>(
        &mut self,
        ctx: &mut Ctx<M, T>,
        timeout_ms: i32,
        session_id: SessionId,
        passwd: u64,
    ) -> Vec<ClientEvent> {
        if timeout_ms <= 0 {
            ctx.note(format!(
                "session 0x{:x} has expired: the server refused to resume it",
                self.session_id
            ));
            self.conn = None;
            self.state = States::Closed;
            cancel_timers(ctx);
            let mut events = vec![ClientEvent::State(KeeperState::Expired)];
            events.extend(self.fail_all(ErrorCode::SessionExpired));
            self.watches = ClientWatches::default();
            return events;
        }
        self.session_id = session_id;
        self.passwd = passwd;
        self.negotiated_timeout_ms = timeout_ms;
        self.state = States::Connected;
        self.last_connected_idx = self.server_idx;
        if let Some(c) = self.conn.as_mut() {
            c.established = true;
        }
        ctx.note(format!(
            "connected: session 0x{session_id:x}, timeout {timeout_ms} ms \
             (read timeout {} ms, ping every {} ms)",
            self.read_timeout_ms(),
            self.ping_interval_ms()
        ));
        ctx.set_timer(
            Timer::Client(ClientTimer::ReadTimeout),
            self.read_timeout_ms() * MS,
        );
        self.resend_auth(ctx);
        if !self.watches.is_empty() {
            let w = &self.watches;
            let pkt = ClientPacket::Request {
                xid: SET_WATCHES_XID,
                op: ClientOp::SetWatches {
                    relative_zxid: self.last_zxid_seen,
                    data: w.data.iter().cloned().collect(),
                    exist: w.exist.iter().cloned().collect(),
                    child: w.child.iter().cloned().collect(),
                },
            };
            self.send(ctx, pkt);
        }
        while let Some(req) = self.queued.pop_front() {
            self.send_request(ctx, req);
        }
        vec![ClientEvent::State(KeeperState::SyncConnected)]
    }

    pub(super) fn on_reply<M: From<Msg>, T: From<Timer>>(
        &mut self,
        ctx: &mut Ctx<M, T>,
        xid: i32,
        zxid: Zxid,
        err: ErrorCode,
        body: ReplyBody,
    ) -> Vec<ClientEvent> {
        if xid == PING_XID {
            return Vec::new();
        }
        if zxid > 0 {
            self.last_zxid_seen = self.last_zxid_seen.max(zxid);
        }
        if xid == SET_WATCHES_XID {
            return Vec::new();
        }
        if xid == AUTH_XID {
            return self.on_auth_reply(ctx, err);
        }
        let expected = self.sent.front().map(|(_, x)| *x);
        if expected != Some(xid) {
            let reason = match expected {
                Some(e) => format!("reply xid {xid} out of order (expected {e})"),
                None => format!("reply xid {xid} to no request"),
            };
            return self.drop_connection(ctx, &reason, true);
        }
        let Some((req, _)) = self.sent.pop_front() else {
            return Vec::new();
        };
        let result = self.reply_result(&req.op, err, body);
        let mut events = vec![ClientEvent::Completed {
            tag: req.tag,
            result,
            zxid,
        }];
        if req.op == ClientOp::CloseSession {
            ctx.note(format!(
                "session 0x{:x} closed (zxid {})",
                self.session_id,
                fmt_zxid(zxid)
            ));
            events.extend(self.finish_close(ctx));
        }
        events
    }

    /// The caller's view of a reply, registering the watch a successful read armed.
    pub(super) fn reply_result(
        &mut self,
        op: &ClientOp,
        err: ErrorCode,
        body: ReplyBody,
    ) -> Result<ReplyBody, ErrorCode> {
        match (op, err) {
            (ClientOp::Exists { path, watch }, ErrorCode::NoNode) => {
                if *watch {
                    self.watches.exist.insert(path.clone());
                }
                Ok(ReplyBody::Exists(None))
            }
            (_, ErrorCode::Ok) => {
                match op {
                    ClientOp::GetData { path, watch: true }
                    | ClientOp::Exists { path, watch: true } => {
                        self.watches.data.insert(path.clone());
                    }
                    ClientOp::GetChildren {
                        path, watch: true, ..
                    } => {
                        self.watches.child.insert(path.clone());
                    }
                    _ => {}
                }
                Ok(body)
            }
            (_, e) => Err(e),
        }
    }

    /// The connection is gone (`cleanup` + `Disconnected`): fail what was outstanding, then
    /// either end the handle (it was closing) or try the next server after a pause.
    pub(super) fn drop_connection<M: From<Msg>, T: From<Timer>>(
        &mut self,
        ctx: &mut Ctx<M, T>,
        reason: &str,
        tell_server: bool,
    ) -> Vec<ClientEvent> {
        if tell_server {
            self.send(
                ctx,
                ClientPacket::Close {
                    reason: reason.to_string(),
                },
            );
        }
        let was_connected = self.state == States::Connected;
        self.conn = None;
        cancel_timers(ctx);
        ctx.note(format!("connection lost: {reason}"));
        let mut events = self.fail_all(ErrorCode::ConnectionLoss);
        if self.closing {
            events.extend(self.finish_close(ctx));
            return events;
        }
        self.state = States::Connecting;
        if was_connected {
            events.push(ClientEvent::State(KeeperState::Disconnected));
        }
        self.server_idx = (self.server_idx + 1) % self.servers.len();
        let mut delay_ms = ctx.rng().below(1000);
        if self.server_idx == self.last_connected_idx {
            delay_ms += SPIN_DELAY_MS;
        }
        ctx.set_timer(Timer::Client(ClientTimer::Reconnect), delay_ms * MS);
        events
    }

    pub(super) fn finish_close<M: From<Msg>, T: From<Timer>>(
        &mut self,
        ctx: &mut Ctx<M, T>,
    ) -> Vec<ClientEvent> {
        self.conn = None;
        self.state = States::Closed;
        self.closing = false;
        self.watches = ClientWatches::default();
        cancel_timers(ctx);
        let mut events = self.fail_all(ErrorCode::SessionExpired);
        events.push(ClientEvent::State(KeeperState::Closed));
        events
    }

    /// Fails every sent and queued request with `err`, in submission order.
    pub(super) fn fail_all(&mut self, err: ErrorCode) -> Vec<ClientEvent> {
        let mut events = self.fail_auth(err);
        let sent = self.sent.drain(..).map(|(p, _)| p);
        let all: Vec<PendingRequest> = sent.chain(self.queued.drain(..)).collect();
        events.extend(all.into_iter().map(|p| failed(p.tag, err)));
        events
    }
}

pub(super) fn failed(tag: u64, err: ErrorCode) -> ClientEvent {
    ClientEvent::Completed {
        tag,
        result: Err(err),
        zxid: 0,
    }
}

pub(super) fn ping() -> ClientPacket {
    ClientPacket::Request {
        xid: PING_XID,
        op: ClientOp::Ping,
    }
}

pub(super) fn cancel_timers<M: From<Msg>, T: From<Timer>>(ctx: &mut Ctx<M, T>) {
    ctx.cancel_timer(Timer::Client(ClientTimer::Ping));
    ctx.cancel_timer(Timer::Client(ClientTimer::ReadTimeout));
    ctx.cancel_timer(Timer::Client(ClientTimer::Reconnect));
}
