//! The server side of client connections (`NIOServerCnxn` + the per-session ordering of
//! `CommitProcessor` + `FinalRequestProcessor`'s replies).
//!
//! Reads are answered from this server's own tree (possibly stale). Writes, `sync` and
//! `closeSession` go to the leader (forwarded as REQUEST by a follower); the reply is sent
//! when the txn has been applied here. As in 3.5's `CommitProcessor`, once a connection has a
//! write in flight its later requests, reads included, wait until that write is applied.
//! Watch notifications are queued before any reply sent after the change. Closing a
//! connection, by either side, drops the watches it set (`DataTree.removeCnxn`), and a
//! session that re-connects here first closes its older connection (`processConnectRequest`).
//! Simplified: watches are kept per session, which is the same thing since a session has at
//! most one connection per server; pings are answered at once, no `SessionMoved`, no
//! `maxClientCnxns`, no SASL.
//!
//! Auth (`ZooKeeperServer.processPacket`): a connection starts with the id `ip:<client
//! address>` (a client node `n` is at `10.0.<n/256>.<n%256>`); an `auth` packet is handled at
//! once, out of queue order, as the real server handles it on arrival: it adds an id, or for a
//! scheme without a provider answers `AuthFailed` and closes the connection. Reads check the
//! node's ACL (`getData`/`getChildren` READ, `getACL` READ or ADMIN, `exists` nothing).

use std::collections::VecDeque;

use crate::sim::vecmap::VecMap;
use crate::sim::NodeId;

use crate::zk::data::acl::{self, Id};
use crate::zk::data::txn::{ApplyOutcome, Txn, TxnHeader};
use crate::zk::msg::{ClientOp, ClientPacket, ForwardedOp, Msg, ReplyBody};
use crate::zk::server::wire::{Arrival, ConnEnd};
use crate::zk::server::{Server, ZkCtx};
use crate::zk::types::{fmt_zxid, ErrorCode, EventType, KeeperState, SessionId, Zxid};

/// A client connection on this server.
#[derive(Clone, Debug, PartialEq)]
pub struct ClientConn {
    pub end: ConnEnd,
    /// The session (for a new session: the id handed out, before it is committed).
    pub session: SessionId,
    pub timeout_ms: i32,
    /// The ConnectResponse has been sent.
    pub established: bool,
    /// Requests not yet started, in order.
    queue: VecDeque<(i32, ClientOp)>,
    /// The write/sync/close waiting for the leader.
    in_flight: Option<(i32, ClientOp)>,
    /// The ids this connection has authenticated as (`ServerCnxn.authInfo`).
    pub auth: Vec<Id>,
}

/// The address a client node connects from.
pub fn client_ip(node: NodeId) -> String {
    format!("10.0.{}.{}", node.0 / 256 % 256, node.0 % 256)
}

/// All client connections of a server, by (client node, connection id).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ClientConns {
    conns: VecMap<(NodeId, u64), ClientConn>,
}

impl ClientConns {
    /// Connected clients and their sessions.
    pub fn summary(&self) -> Vec<(NodeId, SessionId)> {
        self.conns
            .values()
            .map(|c| (c.end.peer, if c.established { c.session } else { 0 }))
            .collect()
    }

    /// The session established on client `peer`'s connection `conn`, if any.
    pub fn session_on(&self, peer: NodeId, conn: u64) -> Option<SessionId> {
        self.conns
            .get(&(peer, conn))
            .filter(|c| c.established)
            .map(|c| c.session)
    }

    fn key_of_session(&self, session: SessionId) -> Option<(NodeId, u64)> {
        self.conns
            .iter()
            .find(|(_, c)| c.session == session)
            .map(|(k, _)| *k)
    }
}

/// `passwd` of a session (the real server derives it from the id and a secret).
pub fn passwd_of(session: SessionId) -> u64 {
    (session as u64) ^ 0xB341_5C00
}

impl Server {
    fn send_client(&mut self, ctx: &mut ZkCtx, key: (NodeId, u64), pkt: ClientPacket) {
        if let Some(c) = self.conns.conns.get_mut(&key) {
            let seq = c.end.next_seq();
            ctx.send(
                key.0,
                Msg::Client {
                    conn: key.1,
                    seq,
                    pkt,
                },
            );
        }
    }

    /// Sends `Close` on every connection and forgets them.
    pub(crate) fn close_all_clients(&mut self, ctx: &mut ZkCtx, reason: &str) {
        let keys: Vec<_> = self.conns.conns.keys().copied().collect();
        for k in keys {
            self.close_client(ctx, k, reason);
        }
    }

    fn close_client(&mut self, ctx: &mut ZkCtx, key: (NodeId, u64), reason: &str) {
        self.send_client(
            ctx,
            key,
            ClientPacket::Close {
                reason: reason.to_string(),
            },
        );
        self.remove_client(key);
    }

    /// `NIOServerCnxn.close` → `removeCnxn`: the connection and the watches it set go.
    fn remove_client(&mut self, key: (NodeId, u64)) {
        if let Some(c) = self.conns.conns.remove(&key) {
            if c.established && self.conns.key_of_session(c.session).is_none() {
                self.watches.remove_session(c.session);
            }
        }
    }

    /// Handles a packet on a client connection.
    pub(crate) fn on_client_packet(
        &mut self,
        ctx: &mut ZkCtx,
        src: NodeId,
        conn: u64,
        seq: u64,
        pkt: ClientPacket,
    ) {
        let key = (src, conn);
        let Some(c) = self.conns.conns.get_mut(&key) else {
            match pkt {
                ClientPacket::ConnectRequest { .. } if seq == 1 && self.serving => {
                    self.conns.conns.insert(
                        key,
                        ClientConn {
                            end: ConnEnd::new(src, conn),
                            session: 0,
                            timeout_ms: 0,
                            established: false,
                            auth: vec![Id::new("ip", &client_ip(src))],
                            queue: VecDeque::new(),
                            in_flight: None,
                        },
                    );
                    let _ = self.conns.conns.get_mut(&key).map(|c| c.end.arrival(seq));
                    self.on_connect_request(ctx, key, pkt);
                }
                ClientPacket::Close { .. } => {}
                _ => {
                    // Nobody listens on this connection: refuse it.
                    let reason = if self.serving {
                        "unknown connection"
                    } else {
                        "server is not serving"
                    };
                    ctx.send(
                        src,
                        Msg::Client {
                            conn,
                            seq: 1,
                            pkt: ClientPacket::Close {
                                reason: reason.into(),
                            },
                        },
                    );
                }
            }
            return;
        };
        match c.end.arrival(seq) {
            Arrival::Duplicate => return,
            Arrival::Gap => {
                self.close_client(ctx, key, "packet lost: connection reset");
                return;
            }
            Arrival::Next => {}
        }
        let (session, timeout, established) = (c.session, c.timeout_ms, c.established);
        if established {
            self.touch_session(ctx, session, timeout);
        }
        match pkt {
            ClientPacket::Request { xid, op } => {
                if let ClientOp::Ping = op {
                    let zxid = self.tree.last_processed_zxid();
                    self.send_client(ctx, key, reply(xid, zxid, ErrorCode::Ok, ReplyBody::Empty));
                    return;
                }
                if let ClientOp::Auth { scheme, auth } = op {
                    self.on_auth(ctx, key, xid, &scheme, &auth);
                    return;
                }
                if let Some(c) = self.conns.conns.get_mut(&key) {
                    c.queue.push_back((xid, op));
                }
                self.process_queue(ctx, key);
            }
            ClientPacket::Close { .. } => self.remove_client(key),
            _ => {}
        }
    }

    /// `processPacket` for `OpCode.auth`: reply with zxid 0; on failure close the connection.
    fn on_auth(&mut self, ctx: &mut ZkCtx, key: (NodeId, u64), xid: i32, scheme: &str, auth: &str) {
        let Some(c) = self.conns.conns.get_mut(&key) else {
            return;
        };
        match acl::authenticate(scheme, auth, &client_ip(key.0)) {
            Ok(id) => {
                if !c.auth.contains(&id) {
                    c.auth.push(id);
                }
                self.send_client(ctx, key, reply(xid, 0, ErrorCode::Ok, ReplyBody::Empty));
            }
            Err(e) => {
                ctx.note(format!(
                    "zk{}: authentication failed for scheme {scheme}",
                    self.sid
                ));
                self.send_client(ctx, key, reply(xid, 0, e, ReplyBody::Empty));
                self.close_client(ctx, key, "authentication failed");
            }
        }
    }

    fn on_connect_request(&mut self, ctx: &mut ZkCtx, key: (NodeId, u64), pkt: ClientPacket) {
        let ClientPacket::ConnectRequest {
            last_zxid_seen,
            timeout_ms,
            session_id,
            passwd,
        } = pkt
        else {
            return;
        };
        let ours = self.tree.last_processed_zxid();
        if last_zxid_seen > ours {
            let why = format!(
                "Refusing session request for client as it has seen zxid {} our last zxid is {}",
                fmt_zxid(last_zxid_seen),
                fmt_zxid(ours)
            );
            ctx.note(format!("zk{}: {why}", self.sid));
            self.close_client(ctx, key, &why);
            return;
        }
        let timeout = timeout_ms.clamp(
            self.config.min_session_timeout_ms(),
            self.config.max_session_timeout_ms(),
        );
        if session_id != 0 {
            // `serverCnxnFactory.closeSession`: the session's older connection here is
            // closed before the session is even checked, so nothing goes to it any more.
            let older: Vec<_> = self
                .conns
                .conns
                .iter()
                .filter(|(k, c)| **k != key && c.session == session_id)
                .map(|(k, _)| *k)
                .collect();
            for k in older {
                self.close_client(ctx, k, "session moved to a new connection");
            }
        }
        if session_id == 0 {
            let id = self.next_session_id;
            self.next_session_id += 1;
            if let Some(c) = self.conns.conns.get_mut(&key) {
                c.session = id;
                c.timeout_ms = timeout;
            }
            ctx.note(format!(
                "zk{} creates session 0x{id:x} (timeout {timeout} ms) through the leader",
                self.sid
            ));
            self.submit_write(
                ctx,
                id,
                0,
                ForwardedOp::CreateSession {
                    timeout_ms: timeout,
                },
            );
        } else if self.tree.sessions().contains_key(&session_id) && passwd == passwd_of(session_id)
        {
            if let Some(c) = self.conns.conns.get_mut(&key) {
                c.session = session_id;
                c.timeout_ms = timeout;
                c.established = true;
            }
            self.touch_session(ctx, session_id, timeout);
            ctx.note(format!("zk{} resumes session 0x{session_id:x}", self.sid));
            self.send_client(
                ctx,
                key,
                ClientPacket::ConnectResponse {
                    timeout_ms: timeout,
                    session_id,
                    passwd: passwd_of(session_id),
                },
            );
        } else {
            ctx.note(format!(
                "zk{}: session 0x{session_id:x} is expired or unknown",
                self.sid
            ));
            self.send_client(
                ctx,
                key,
                ClientPacket::ConnectResponse {
                    timeout_ms: 0,
                    session_id: 0,
                    passwd: 0,
                },
            );
            self.close_client(ctx, key, "session expired");
        }
    }

    /// Starts queued requests until one has to wait for the leader.
    fn process_queue(&mut self, ctx: &mut ZkCtx, key: (NodeId, u64)) {
        loop {
            let Some(c) = self.conns.conns.get_mut(&key) else {
                return;
            };
            if c.in_flight.is_some() || !c.established {
                return;
            }
            let Some((xid, op)) = c.queue.pop_front() else {
                return;
            };
            let session = c.session;
            if op.is_write() {
                c.in_flight = Some((xid, op.clone()));
                let fwd = match op {
                    ClientOp::Write(w) => ForwardedOp::Write(w, c.auth.clone()),
                    ClientOp::Sync { .. } => ForwardedOp::Sync,
                    _ => ForwardedOp::CloseSession,
                };
                self.submit_write(ctx, session, xid, fwd);
                return;
            }
            let auth = c.auth.clone();
            self.answer_read(ctx, key, session, xid, op, &auth);
        }
    }

    fn answer_read(
        &mut self,
        ctx: &mut ZkCtx,
        key: (NodeId, u64),
        session: SessionId,
        xid: i32,
        op: ClientOp,
        auth: &[Id],
    ) {
        let zxid = self.tree.last_processed_zxid();
        let read_denied = match &op {
            ClientOp::GetData { path, .. } | ClientOp::GetChildren { path, .. } => {
                self.tree.check_acl(path, acl::READ, auth).err()
            }
            _ => None,
        };
        let (err, body) = match op {
            _ if read_denied.is_some() => {
                (read_denied.unwrap_or(ErrorCode::NoAuth), ReplyBody::Empty)
            }
            ClientOp::GetAcl { path } => match self.tree.get_acl(&path, auth) {
                Ok((acl, stat)) => (ErrorCode::Ok, ReplyBody::Acl { acl, stat }),
                Err(e) => (e, ReplyBody::Empty),
            },
            ClientOp::GetData { path, watch } => match self.tree.get_data(&path) {
                Ok((data, stat)) => {
                    if watch {
                        self.watches.add_data_watch(&path, session);
                    }
                    (ErrorCode::Ok, ReplyBody::Data { data, stat })
                }
                Err(e) => (e, ReplyBody::Empty),
            },
            ClientOp::Exists { path, watch } => match self.tree.exists(&path) {
                Ok(stat) => {
                    if watch {
                        self.watches.add_data_watch(&path, session);
                    }
                    let err = if stat.is_some() {
                        ErrorCode::Ok
                    } else {
                        ErrorCode::NoNode
                    };
                    (err, ReplyBody::Exists(stat))
                }
                Err(e) => (e, ReplyBody::Empty),
            },
            ClientOp::GetChildren { path, watch, stat } => match self.tree.get_children(&path) {
                Ok((children, parent)) => {
                    if watch {
                        self.watches.add_child_watch(&path, session);
                    }
                    let stat = stat.then_some(parent);
                    (ErrorCode::Ok, ReplyBody::Children { children, stat })
                }
                Err(e) => (e, ReplyBody::Empty),
            },
            ClientOp::SetWatches {
                relative_zxid,
                data,
                exist,
                child,
            } => {
                let fired = self.watches.set_watches(
                    &self.tree,
                    session,
                    relative_zxid,
                    &data,
                    &exist,
                    &child,
                );
                for (event, path) in fired {
                    self.send_client(ctx, key, watcher_event(event, path));
                }
                (ErrorCode::Ok, ReplyBody::Empty)
            }
            _ => (ErrorCode::Unimplemented, ReplyBody::Empty),
        };
        self.send_client(ctx, key, reply(xid, zxid, err, body));
    }

    /// Sends a write to the leader: locally if we lead, as a REQUEST if we follow.
    fn submit_write(&mut self, ctx: &mut ZkCtx, session: SessionId, cxid: i32, op: ForwardedOp) {
        if self.is_active_leader() {
            self.leader_submit(ctx, session, cxid, op, None);
        } else {
            self.learner_forward(ctx, session, cxid, op);
        }
    }

    /// After a committed txn was applied here: watches first, then the reply.
    pub(crate) fn after_apply(
        &mut self,
        ctx: &mut ZkCtx,
        hdr: &TxnHeader,
        txn: &Txn,
        outcome: ApplyOutcome,
    ) {
        for trig in &outcome.triggers {
            for s in self.watches.fire(trig) {
                let bugs = self.config.bugs;
                if bugs.watch_forgotten && trig.event == EventType::NodeChildrenChanged {
                    continue;
                }
                if let Some(k) = self.conns.key_of_session(s) {
                    self.send_client(ctx, k, watcher_event(trig.event, trig.path.clone()));
                    if bugs.watch_fires_twice {
                        self.send_client(ctx, k, watcher_event(trig.event, trig.path.clone()));
                    }
                }
            }
        }
        // Session 0 is the server itself (the container manager's `deleteContainer`).
        let key = match hdr.session_id {
            0 => None,
            s => self.conns.key_of_session(s),
        };
        let Some(key) = key else {
            if let Txn::CloseSession = txn {
                self.watches.remove_session(hdr.session_id);
            }
            return;
        };
        match txn {
            Txn::CreateSession { .. } => {
                let c = &self.conns.conns[&key];
                if !c.established {
                    let timeout = c.timeout_ms;
                    if let Some(c) = self.conns.conns.get_mut(&key) {
                        c.established = true;
                    }
                    let s = hdr.session_id;
                    self.send_client(
                        ctx,
                        key,
                        ClientPacket::ConnectResponse {
                            timeout_ms: timeout,
                            session_id: s,
                            passwd: passwd_of(s),
                        },
                    );
                    self.process_queue(ctx, key);
                }
            }
            Txn::CloseSession => {
                let asked = self.take_in_flight(key, hdr.cxid).is_some();
                if asked {
                    self.send_client(
                        ctx,
                        key,
                        reply(hdr.cxid, hdr.zxid, ErrorCode::Ok, ReplyBody::Empty),
                    );
                    self.close_client(ctx, key, "session closed");
                } else {
                    self.close_client(ctx, key, "session expired");
                }
                self.watches.remove_session(hdr.session_id);
            }
            _ => {
                if let Some(op) = self.take_in_flight(key, hdr.cxid) {
                    let (err, body) = ReplyBody::for_write(&op, outcome.result);
                    self.send_client(ctx, key, reply(hdr.cxid, hdr.zxid, err, body));
                    self.process_queue(ctx, key);
                }
            }
        }
    }

    /// A `sync` this server forwarded has been answered by the leader.
    pub(crate) fn complete_sync(&mut self, ctx: &mut ZkCtx, session: SessionId, cxid: i32) {
        let Some(key) = self.conns.key_of_session(session) else {
            return;
        };
        let path = match &self.conns.conns[&key].in_flight {
            Some((x, ClientOp::Sync { path })) if *x == cxid => path.clone(),
            _ => return,
        };
        self.take_in_flight(key, cxid);
        let zxid = self.tree.last_processed_zxid();
        self.send_client(
            ctx,
            key,
            reply(cxid, zxid, ErrorCode::Ok, ReplyBody::Sync { path }),
        );
        self.process_queue(ctx, key);
    }

    /// Ends the request in flight on `key` if it is `cxid`, and returns it.
    fn take_in_flight(&mut self, key: (NodeId, u64), cxid: i32) -> Option<ClientOp> {
        match self.conns.conns.get_mut(&key) {
            Some(c) if matches!(&c.in_flight, Some((x, _)) if *x == cxid) => {
                c.in_flight.take().map(|(_, op)| op)
            }
            _ => None,
        }
    }
}

fn reply(xid: i32, zxid: Zxid, err: ErrorCode, body: ReplyBody) -> ClientPacket {
    ClientPacket::Reply {
        xid,
        zxid,
        err,
        body,
    }
}

fn watcher_event(event: EventType, path: String) -> ClientPacket {
    ClientPacket::WatcherEvent {
        event,
        state: KeeperState::SyncConnected,
        path,
    }
}
