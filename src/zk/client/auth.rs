//! `addAuthInfo` (`ZooKeeper.addAuthInfo`, `ClientCnxn` 3.8): the handle remembers every
//! `(scheme, auth)` it was given and sends each as an `auth` packet (xid −4), now if connected
//! and again on every later connection (`primeConnection`, before `SetWatches`), so the
//! session's identity follows it from server to server.
//!
//! The server answers an auth packet at once, outside the xid order of other replies. `Ok`
//! completes the call (the Java method returns nothing; here the caller learns when the
//! server took it). `AuthFailed` is terminal, as `ClientCnxn` makes it: the handle goes to
//! `AUTH_FAILED` (not alive), reports `KeeperState::AuthFailed`, fails what was outstanding
//! with `AuthFailed`, and every later call fails with `AuthFailed` at once.
//! Simplified: a call made while disconnected is sent once, with the others, on connecting.

use crate::sim::Ctx;
use crate::zk::msg::{ClientOp, ClientPacket, Msg, ReplyBody, Timer};
use crate::zk::types::{ErrorCode, KeeperState};

use super::cnxn::{cancel_timers, failed};
use super::{ClientEvent, States, ZkClient};

/// xid of `auth` packets (`ClientCnxn.AUTHPACKET_XID`).
pub const AUTH_XID: i32 = -4;

impl ZkClient {
    /// `addAuthInfo(scheme, auth)`; completes as `Completed{tag}` when the server answers.
    pub(super) fn add_auth<M: From<Msg>, T: From<Timer>>(
        &mut self,
        ctx: &mut Ctx<M, T>,
        tag: u64,
        scheme: String,
        auth: String,
    ) -> Vec<ClientEvent> {
        if self.state == States::AuthFailed {
            return vec![failed(tag, ErrorCode::AuthFailed)];
        }
        self.auth_info.push((scheme.clone(), auth.clone()));
        if self.state == States::Connected {
            self.auth_waiting.push_back(Some(tag));
            self.send(ctx, auth_packet(scheme, auth));
        } else {
            self.auth_later.push(tag);
        }
        Vec::new()
    }

    /// `primeConnection`: every remembered auth goes out again on a new connection; calls
    /// made while disconnected complete with these replies.
    pub(super) fn resend_auth<M: From<Msg>, T: From<Timer>>(&mut self, ctx: &mut Ctx<M, T>) {
        let later: Vec<u64> = std::mem::take(&mut self.auth_later);
        let n = self.auth_info.len();
        for (i, (scheme, auth)) in self.auth_info.clone().into_iter().enumerate() {
            // The last `later.len()` entries are the calls made while disconnected.
            let tag = (i + later.len() >= n).then(|| later[i + later.len() - n]);
            self.auth_waiting.push_back(tag);
            self.send(ctx, auth_packet(scheme, auth));
        }
    }

    /// The reply to an auth packet.
    pub(super) fn on_auth_reply<M: From<Msg>, T: From<Timer>>(
        &mut self,
        ctx: &mut Ctx<M, T>,
        err: ErrorCode,
    ) -> Vec<ClientEvent> {
        let tag = self.auth_waiting.pop_front().flatten();
        if err.is_ok() {
            return tag
                .map(|tag| ClientEvent::Completed {
                    tag,
                    result: Ok(ReplyBody::Empty),
                    zxid: 0,
                })
                .into_iter()
                .collect();
        }
        ctx.note("authentication failed: the handle is AUTH_FAILED".to_string());
        self.state = States::AuthFailed;
        self.conn = None;
        cancel_timers(ctx);
        let mut events: Vec<ClientEvent> = tag.map(|t| failed(t, err)).into_iter().collect();
        events.push(ClientEvent::State(KeeperState::AuthFailed));
        events.extend(self.fail_all(ErrorCode::AuthFailed));
        events
    }

    /// Auth calls still waiting, failed with `err` (the connection is gone or the handle ended).
    pub(super) fn fail_auth(&mut self, err: ErrorCode) -> Vec<ClientEvent> {
        let waiting: Vec<u64> = self.auth_waiting.drain(..).flatten().collect();
        let later: Vec<u64> = if self.state.is_alive() && err == ErrorCode::ConnectionLoss {
            Vec::new()
        } else {
            std::mem::take(&mut self.auth_later)
        };
        waiting
            .into_iter()
            .chain(later)
            .map(|t| failed(t, err))
            .collect()
    }
}

fn auth_packet(scheme: String, auth: String) -> ClientPacket {
    ClientPacket::Request {
        xid: AUTH_XID,
        op: ClientOp::Auth { scheme, auth },
    }
}
