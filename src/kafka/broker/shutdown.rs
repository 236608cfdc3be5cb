//! A broker stopping cleanly (`KafkaServer.shutdown` → `controlledShutdown`, 2.8.2) and the
//! `StopReplica` request (`ReplicaManager.stopReplicas`).
//!
//! On [`Operator::Shutdown`](crate::kafka::msg::Operator::Shutdown), when
//! `controlled.shutdown.enable` and the broker is registered: up to
//! `controlled.shutdown.max.retries` attempts, each reading `/controller` and sending
//! `ControlledShutdown{BrokerId, BrokerEpoch}` to that broker; an attempt succeeds when the
//! answer has no error and no remaining partitions; after a failed attempt (error, leaderships
//! left, or no answer within `request.timeout.ms`) it waits
//! `controlled.shutdown.retry.backoff.ms`. Then, succeeded or not, it closes its ZooKeeper
//! session — the registration ephemeral goes at once, not after a session timeout as after a
//! crash — and the process exits ([`crate::sim::Ctx::stop`]).
//!
//! Simplified: the controller's node is found through the address book instead of reading
//! its `/brokers/ids` registration; the rest of the shutdown (socket server, log flush) is
//! the exit itself.

use super::{Broker, KCtx, ReplicaRole, ZkReq};
use crate::kafka::errors::KafkaError;
use crate::kafka::msg::{Msg, Timer};
use crate::kafka::znodes::{self, paths};
use crate::sim::MS;
use crate::zk::msg::{ClientOp, ReplyBody};
use crate::zk::ErrorCode;

/// A controlled shutdown in progress.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShutdownState {
    /// Attempts not yet started.
    pub attempts_left: i32,
    /// Whether the ZooKeeper session is being closed (the last step).
    pub closing: bool,
}

/// A shutdown ZooKeeper request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ShutdownReq {
    /// `getData(/controller)` for an attempt.
    ReadController,
    /// `closeSession`.
    Close,
}

impl Broker {
    /// `KafkaServer.shutdown`.
    pub(super) fn on_shutdown(&mut self, ctx: &mut KCtx) {
        if self.shutdown.is_some() {
            ctx.note("already shutting down");
            return;
        }
        let controlled = self.config.controlled_shutdown_enable && self.broker_epoch >= 0;
        self.shutdown = Some(ShutdownState {
            attempts_left: self.config.controlled_shutdown_max_retries,
            closing: false,
        });
        if controlled {
            ctx.note("shutting down: starts the controlled shutdown");
            self.shutdown_attempt(ctx);
        } else {
            self.finish_shutdown(ctx);
        }
    }

    fn shutdown_attempt(&mut self, ctx: &mut KCtx) {
        let Some(s) = self.shutdown.as_mut().filter(|s| !s.closing) else {
            return;
        };
        if s.attempts_left <= 0 {
            ctx.note("controlled shutdown did not complete: shuts down anyway");
            self.finish_shutdown(ctx);
            return;
        }
        s.attempts_left -= 1;
        let op = ClientOp::GetData {
            path: paths::CONTROLLER.into(),
            watch: false,
        };
        self.zk_call(ctx, ZkReq::Shutdown(ShutdownReq::ReadController), op);
        let timeout = self.config.request_timeout_ms.max(1) as u64 * MS;
        ctx.set_timer(Timer::ControlledShutdownTimeout, timeout);
    }

    /// An attempt failed: back off, then try again (or give up).
    fn shutdown_attempt_failed(&mut self, ctx: &mut KCtx) {
        if self.shutdown.as_ref().is_none_or(|s| s.closing) {
            return;
        }
        ctx.cancel_timer(Timer::ControlledShutdownTimeout);
        let backoff = self.config.controlled_shutdown_retry_backoff_ms.max(0) as u64 * MS;
        ctx.set_timer(Timer::ControlledShutdownRetry, backoff.max(1));
    }

    pub(super) fn on_shutdown_timer(&mut self, ctx: &mut KCtx, t: Timer) {
        match t {
            Timer::ControlledShutdownRetry => {
                ctx.note("retrying the controlled shutdown");
                self.shutdown_attempt(ctx);
            }
            Timer::ControlledShutdownTimeout => {
                ctx.note("ControlledShutdown went unanswered");
                self.shutdown_attempt_failed(ctx);
            }
            _ => {}
        }
    }

    pub(super) fn on_shutdown_completed(
        &mut self,
        ctx: &mut KCtx,
        req: ShutdownReq,
        result: Result<ReplyBody, ErrorCode>,
    ) {
        match req {
            ShutdownReq::ReadController => {
                let controller = match &result {
                    Ok(ReplyBody::Data { data, .. }) => {
                        znodes::decode_controller(data.as_bytes()).ok()
                    }
                    _ => None,
                };
                let node = controller.and_then(|id| self.resolve(id));
                match node {
                    Some(node) if self.shutdown.is_some() => {
                        let msg = Msg::ControlledShutdown {
                            broker_id: self.id,
                            broker_epoch: self.broker_epoch,
                        };
                        ctx.send(node, msg);
                    }
                    Some(_) => {}
                    None => {
                        ctx.note("no controller registered in ZooKeeper");
                        self.shutdown_attempt_failed(ctx);
                    }
                }
            }
            ShutdownReq::Close => {
                ctx.note("ZooKeeper session closed: the broker exits");
                ctx.stop();
            }
        }
    }

    pub(super) fn on_controlled_shutdown_response(
        &mut self,
        ctx: &mut KCtx,
        error: KafkaError,
        remaining: Vec<(String, i32)>,
    ) {
        if self.shutdown.as_ref().is_none_or(|s| s.closing) {
            return;
        }
        if error.is_none() && remaining.is_empty() {
            ctx.cancel_timer(Timer::ControlledShutdownTimeout);
            ctx.note("controlled shutdown succeeded");
            self.finish_shutdown(ctx);
            return;
        }
        let parts: Vec<String> = remaining.iter().map(|(t, p)| format!("{t}-{p}")).collect();
        ctx.note(format!(
            "controlled shutdown attempt failed ({}); partitions still led here: [{}]",
            error.name(),
            parts.join(",")
        ));
        self.shutdown_attempt_failed(ctx);
    }

    /// Stops fetching and closes the ZooKeeper session; the exit follows its completion.
    fn finish_shutdown(&mut self, ctx: &mut KCtx) {
        if let Some(s) = self.shutdown.as_mut() {
            s.closing = true;
        }
        ctx.cancel_timer(Timer::ControlledShutdownRetry);
        ctx.cancel_timer(Timer::ControlledShutdownTimeout);
        for r in self.replicas.values_mut() {
            if r.role == ReplicaRole::Follower {
                r.role = ReplicaRole::None;
            }
        }
        self.zk_call(
            ctx,
            ZkReq::Shutdown(ShutdownReq::Close),
            ClientOp::CloseSession,
        );
    }

    /// `ReplicaManager.stopReplicas`: a partition stops only for a newer leader epoch (or the
    /// deletion sentinel -2); its fetcher stops, and with `delete_partitions` its log goes.
    pub(super) fn on_stop_replica(
        &mut self,
        ctx: &mut KCtx,
        controller_epoch: i32,
        broker_epoch: i64,
        delete_partitions: bool,
        partitions: Vec<(String, i32, i32)>,
    ) {
        if broker_epoch < self.broker_epoch {
            ctx.note("StopReplica for an older broker epoch: STALE_BROKER_EPOCH");
            return;
        }
        if controller_epoch < self.highest_controller_epoch {
            ctx.note("StopReplica from a stale controller: STALE_CONTROLLER_EPOCH");
            return;
        }
        self.highest_controller_epoch = controller_epoch;
        for (t, p, epoch) in partitions {
            let k = (t.clone(), p);
            let Some(r) = self.replicas.get_mut(&k) else {
                continue;
            };
            if epoch != -2 && epoch != -1 && epoch <= r.leader_epoch {
                ctx.note(format!(
                    "StopReplica {t}-{p} with leader epoch {epoch} not newer than {}: FENCED_LEADER_EPOCH",
                    r.leader_epoch
                ));
                continue;
            }
            r.role = ReplicaRole::None;
            if delete_partitions {
                self.replicas.remove(&k);
            }
            ctx.note(format!("stops replica {t}-{p}"));
        }
    }
}
