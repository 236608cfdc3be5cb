//! A fenced writer, the way Kafka's controller writes to ZooKeeper: every update is a `multi`
//! whose first op checks the version of an epoch znode (Kafka checks `/controller_epoch`),
//! followed by the writes, here `setData` on two znodes that must always change together.
//! If someone else has written the epoch znode since it was read, the check fails with
//! `BadVersion`, nothing is applied, and the writer reads the epoch again before retrying.
//!
//! Simplified compared to Kafka: the writer never becomes "not the controller"; a moved epoch
//! only makes it re-read the version. After a `ConnectionLoss` it cannot know whether the
//! multi applied (sheet A.5) and simply writes the next round, which is harmless here because
//! every round sets both znodes to the same value.

use crate::zk::client::{multi_outcome, ClientEvent, MultiError};
use crate::zk::data::txn::{OpResult, WriteOp};
use crate::zk::msg::{ClientOp, Msg, ReplyBody, Timer};
use crate::zk::types::{CreateMode, ErrorCode};

use super::{create_op, ensure_path, ensured, Calls, Io, TIMER_ACT};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    Setup { last: bool },
    ReadEpoch,
    Multi(u64),
}

/// Writes `r1`, `r2`, … into `<dir>/a` and `<dir>/b` with one `multi` per round, fenced by
/// a `check` of the epoch znode's version.
#[derive(Clone, Debug, PartialEq)]
pub struct MultiWriter {
    /// The znode whose version fences every write (created empty if missing).
    pub epoch_path: String,
    /// The parent of the two znodes written together.
    pub dir: String,
    /// Pause between successful rounds.
    pub interval_ms: u64,
    /// The epoch znode's version as last read.
    pub epoch_version: Option<i32>,
    /// The last round started.
    pub round: u64,
    /// Multis that applied.
    pub committed: u64,
    /// Multis refused because the epoch had moved (`BadVersion` on the check).
    pub fenced: u64,
    /// One line for the UI.
    pub status: String,
    calls: Calls<Step>,
}

impl MultiWriter {
    /// A writer of `<dir>/a` and `<dir>/b` fenced by `epoch_path`, every `interval_ms`.
    pub fn new(epoch_path: &str, dir: &str, interval_ms: u64) -> Self {
        Self {
            epoch_path: epoch_path.to_string(),
            dir: dir.to_string(),
            interval_ms,
            epoch_version: None,
            round: 0,
            committed: 0,
            fenced: 0,
            status: "not connected yet".into(),
            calls: Calls::default(),
        }
    }

    fn child(&self, name: &str) -> String {
        format!("{}/{name}", self.dir)
    }

    /// Creates whatever is missing of the epoch znode, `<dir>/a` and `<dir>/b`, pipelined.
    pub(super) fn start<M: From<Msg>, T: From<Timer>>(&mut self, io: &mut Io<M, T>) {
        io.note(format!(
            "makes sure {}, {} and {} exist",
            self.epoch_path,
            self.child("a"),
            self.child("b")
        ));
        let setup = |_| Step::Setup { last: false };
        ensure_path(io, &mut self.calls, &self.epoch_path, setup);
        let a = self.child("a");
        ensure_path(io, &mut self.calls, &a, setup);
        let b = create_op(&self.child("b"), "", CreateMode::Persistent);
        self.calls.issue(io, Step::Setup { last: true }, b);
    }

    fn read_epoch<M: From<Msg>, T: From<Timer>>(&mut self, io: &mut Io<M, T>) {
        let op = ClientOp::GetData {
            path: self.epoch_path.clone(),
            watch: false,
        };
        self.calls.issue(io, Step::ReadEpoch, op);
    }

    fn write<M: From<Msg>, T: From<Timer>>(&mut self, io: &mut Io<M, T>) {
        let Some(version) = self.epoch_version else {
            return self.read_epoch(io);
        };
        self.round += 1;
        let data = format!("r{}", self.round);
        io.note(format!(
            "multi: check {} is at version {version}, then writes \"{data}\" to {} and {}",
            self.epoch_path,
            self.child("a"),
            self.child("b")
        ));
        let op = ClientOp::multi(vec![
            WriteOp::check(&self.epoch_path, version),
            WriteOp::set_data(&self.child("a"), &data, -1),
            WriteOp::set_data(&self.child("b"), &data, -1),
        ]);
        self.calls.issue(io, Step::Multi(self.round), op);
    }

    pub(super) fn on_timer<M: From<Msg>, T: From<Timer>>(&mut self, io: &mut Io<M, T>, n: u32) {
        if n == TIMER_ACT {
            self.write(io);
        }
    }

    pub(super) fn on_event<M: From<Msg>, T: From<Timer>>(
        &mut self,
        io: &mut Io<M, T>,
        ev: &ClientEvent,
    ) {
        let ClientEvent::Completed { tag, result, .. } = ev else {
            return;
        };
        match (self.calls.take(*tag), result) {
            (Some(Step::Setup { last: true }), r) if ensured(r) => self.read_epoch(io),
            // Every pipelined create fails with the connection; start over once, on the last.
            (Some(Step::Setup { last: true }), Err(ErrorCode::ConnectionLoss)) => self.start(io),
            (Some(Step::Setup { .. }), r) if ensured(r) => {}
            (Some(Step::Setup { .. }), Err(ErrorCode::ConnectionLoss)) => {}
            (Some(Step::ReadEpoch), Err(ErrorCode::ConnectionLoss)) => self.read_epoch(io),
            (Some(Step::ReadEpoch), Ok(ReplyBody::Data { stat, .. })) => {
                self.epoch_version = Some(stat.version);
                self.status = format!("{} is at version {}", self.epoch_path, stat.version);
                self.write(io);
            }
            (Some(Step::Multi(n)), r) => self.on_multi(io, n, multi_outcome(r)),
            (Some(Step::ReadEpoch), Err(ErrorCode::NoNode)) => self.start(io),
            (Some(_), Err(e)) => self.status = format!("stopped: {e}"),
            _ => {}
        }
    }

    fn on_multi<M: From<Msg>, T: From<Timer>>(
        &mut self,
        io: &mut Io<M, T>,
        n: u64,
        outcome: Result<Vec<OpResult>, MultiError>,
    ) {
        match outcome {
            Ok(_) => {
                self.committed += 1;
                self.status = format!("wrote r{n} to both znodes in one multi");
                io.set_timer(TIMER_ACT, self.interval_ms);
            }
            Err(MultiError {
                err: ErrorCode::BadVersion,
                ..
            }) => {
                self.fenced += 1;
                self.epoch_version = None;
                io.note(format!(
                    "{} moved: the multi applied nothing; reads its version again",
                    self.epoch_path
                ));
                self.read_epoch(io);
            }
            Err(MultiError {
                err: ErrorCode::ConnectionLoss,
                ..
            }) => {
                self.status =
                    format!("multi r{n} lost with the connection: it may or may not have applied");
                io.set_timer(TIMER_ACT, self.interval_ms);
            }
            Err(MultiError {
                err: ErrorCode::NoNode,
                ..
            }) => {
                io.note("a znode of the multi is gone: creates them again");
                self.epoch_version = None;
                self.start(io);
            }
            Err(e) => self.status = format!("multi failed: {}", e.err),
        }
    }
}
