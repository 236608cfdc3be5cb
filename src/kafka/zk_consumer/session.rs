//! A Kafka actor's ZooKeeper session: the embedded [`ZkClient`] plus the bookkeeping the
//! broker does by hand (`Broker::zk_call`): a tag per call mapped back to why the call was
//! made, and a queue of client events still to handle (completions a call produced at once,
//! such as `ConnectionLoss` on a closed handle, come back in the same step).
//!
//! Generic over the owner's request type, so any Kafka actor that talks to ZooKeeper can
//! embed one; calls run in the ZooKeeper protocol's own context through `ctx.scoped`, as the
//! broker's do, so the client's handlers are compiled once.

use std::collections::VecDeque;

use crate::kafka::broker::KCtx;
use crate::sim::{Ctx, NodeId};
use crate::zk::client::{ClientEvent, ClientTimer, ZkClient};
use crate::zk::msg::{ClientOp, ReplyBody};
use crate::zk::{ErrorCode, EventType, KeeperState, SessionId};

type ZkCtx<'a> = Ctx<'a, crate::zk::Msg, crate::zk::Timer>;

/// What the session tells its owner, with completions resolved to the owner's request.
#[derive(Clone, Debug, PartialEq)]
pub enum ZkEvent<R> {
    /// The connection state changed.
    State(KeeperState),
    /// A watch fired.
    Watch { event: EventType, path: String },
    /// A call made with [`ZkSession::call`] finished.
    Completed {
        req: R,
        result: Result<ReplyBody, ErrorCode>,
    },
}

/// An embedded ZooKeeper client with tagged calls.
#[derive(Clone, Debug, PartialEq)]
pub struct ZkSession<R> {
    /// The client library.
    pub client: ZkClient,
    next_tag: u64,
    /// Calls in flight by tag, in tag order (few at a time: a list is enough).
    pending: Vec<(u64, R)>,
    deferred: VecDeque<ClientEvent>,
    /// The session id last seen connected (0 before the first).
    seen: SessionId,
}

impl<R> ZkSession<R> {
    /// A session handle over `servers` asking for `timeout_ms`.
    pub fn new(servers: Vec<NodeId>, timeout_ms: i32) -> Self {
        Self {
            client: ZkClient::new(servers, timeout_ms),
            next_tag: 1,
            pending: Vec::new(),
            deferred: VecDeque::new(),
            seen: 0,
        }
    }

    /// Opens a new session (a new `ZooKeeper` handle).
    pub fn connect(&mut self, ctx: &mut KCtx) {
        ctx.scoped(|c: &mut ZkCtx| self.client.connect(c));
    }

    /// Makes a call; its completion comes back as [`ZkEvent::Completed`] with `req`.
    pub fn call(&mut self, ctx: &mut KCtx, req: R, op: ClientOp) {
        let tag = self.next_tag;
        self.next_tag += 1;
        self.pending.push((tag, req));
        let events = ctx.scoped(|c: &mut ZkCtx| self.client.call(c, tag, op));
        self.deferred.extend(events);
    }

    /// A ZooKeeper packet for the client.
    pub fn on_message(&mut self, ctx: &mut KCtx, src: NodeId, m: crate::zk::Msg) {
        let events = ctx.scoped(|c: &mut ZkCtx| self.client.on_message(c, src, m));
        self.deferred.extend(events);
    }

    /// One of the client's timers.
    pub fn on_timer(&mut self, ctx: &mut KCtx, t: ClientTimer) {
        let events = ctx.scoped(|c: &mut ZkCtx| self.client.on_timer(c, t));
        self.deferred.extend(events);
    }

    /// The next event to handle, if any. Completions of calls the owner no longer knows
    /// (after [`Self::forget_calls`]) are skipped.
    pub fn next_event(&mut self) -> Option<ZkEvent<R>> {
        while let Some(ev) = self.deferred.pop_front() {
            match ev {
                ClientEvent::State(s) => return Some(ZkEvent::State(s)),
                ClientEvent::Watch { event, path } => return Some(ZkEvent::Watch { event, path }),
                ClientEvent::Completed { tag, result, .. } => {
                    if let Some(i) = self.pending.iter().position(|(t, _)| *t == tag) {
                        let (_, req) = self.pending.remove(i);
                        return Some(ZkEvent::Completed { req, result });
                    }
                }
            }
        }
        None
    }

    /// Whether the client is connected with a session other than the last one seen here;
    /// remembers it. True once per new session.
    pub fn is_new_session(&mut self) -> bool {
        let id = self.client.session_id();
        if id != 0 && id != self.seen {
            self.seen = id;
            return true;
        }
        false
    }

    /// Drops the calls still in flight: their completions will be ignored.
    pub fn forget_calls(&mut self) {
        self.pending.clear();
    }

    /// Crash: the handle and everything in flight are lost.
    pub fn on_crash(&mut self) {
        self.client.on_crash();
        self.pending.clear();
        self.deferred.clear();
        self.seen = 0;
    }
}
