//! Configuration management: a reader that keeps a data watch on a config znode and re-reads
//! it on every change, and a writer that rewrites it periodically.

use crate::zk::client::ClientEvent;
use crate::zk::data::txn::WriteOp;
use crate::zk::msg::{ClientOp, Msg, ReplyBody, Timer};
use crate::zk::types::{ErrorCode, EventType};

use super::{ensure_path, ensured, Calls, Io, TIMER_ACT};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ReadStep {
    Get,
    Exists,
}

/// Reads a config znode with a data watch and re-reads it whenever it changes; waits with an
/// `exists` watch while it does not exist.
#[derive(Clone, Debug, PartialEq)]
pub struct ConfigReader {
    /// The config znode.
    pub path: String,
    /// The last value read and its version.
    pub value: Option<(String, i32)>,
    /// How many times it has read a new value.
    pub reads: u64,
    /// One line for the UI.
    pub status: String,
    calls: Calls<ReadStep>,
}

impl ConfigReader {
    /// A reader of `path`.
    pub fn new(path: &str) -> Self {
        Self {
            path: path.to_string(),
            value: None,
            reads: 0,
            status: "not connected yet".into(),
            calls: Calls::default(),
        }
    }

    pub(super) fn start<M: From<Msg>, T: From<Timer>>(&mut self, io: &mut Io<M, T>) {
        self.read(io);
    }

    pub(super) fn read<M: From<Msg>, T: From<Timer>>(&mut self, io: &mut Io<M, T>) {
        io.note(format!("reads {} and leaves a watch on it", self.path));
        let op = ClientOp::GetData {
            path: self.path.clone(),
            watch: true,
        };
        self.calls.issue(io, ReadStep::Get, op);
    }

    pub(super) fn on_event<M: From<Msg>, T: From<Timer>>(
        &mut self,
        io: &mut Io<M, T>,
        ev: &ClientEvent,
    ) {
        match ev {
            ClientEvent::Completed { tag, result, .. } => match (self.calls.take(*tag), result) {
                (Some(ReadStep::Get), Ok(ReplyBody::Data { data, stat })) => {
                    self.reads += 1;
                    self.value = Some((data.clone(), stat.version));
                    self.status = format!("config (version {}) is \"{data}\"", stat.version);
                    io.note(format!("has config version {}: \"{data}\"", stat.version));
                }
                (Some(ReadStep::Get), Err(ErrorCode::NoNode)) => {
                    io.note(format!(
                        "{} does not exist: waits for it with exists",
                        self.path
                    ));
                    let op = ClientOp::Exists {
                        path: self.path.clone(),
                        watch: true,
                    };
                    self.calls.issue(io, ReadStep::Exists, op);
                }
                (Some(ReadStep::Exists), Ok(ReplyBody::Exists(Some(_)))) => self.read(io),
                (Some(ReadStep::Exists), Ok(ReplyBody::Exists(None))) => {
                    self.status = format!("waiting for {} to be created", self.path);
                }
                (Some(_), Err(ErrorCode::ConnectionLoss)) => self.read(io),
                (Some(_), Err(e)) => self.status = format!("stopped: {e}"),
                _ => {}
            },
            ClientEvent::Watch { event, path } if *path == self.path => match event {
                EventType::NodeDataChanged | EventType::NodeCreated => {
                    io.note(format!(
                        "{} changed ({}): reads it again",
                        path,
                        event.name()
                    ));
                    self.read(io);
                }
                EventType::NodeDeleted => {
                    self.value = None;
                    io.note(format!("{path} was deleted: waits for it to come back"));
                    let op = ClientOp::Exists {
                        path: self.path.clone(),
                        watch: true,
                    };
                    self.calls.issue(io, ReadStep::Exists, op);
                }
                _ => {}
            },
            _ => {}
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum WriteStep {
    Dir { last: bool },
    Set(u64),
}

/// Creates a config znode if it is missing, then writes `v1`, `v2`, … into it every
/// `interval_ms`.
#[derive(Clone, Debug, PartialEq)]
pub struct ConfigWriter {
    /// The config znode.
    pub path: String,
    /// Time between writes.
    pub interval_ms: u64,
    /// Number of the last value written (or attempted).
    pub written: u64,
    /// One line for the UI.
    pub status: String,
    calls: Calls<WriteStep>,
}

impl ConfigWriter {
    /// A writer of `path` every `interval_ms`.
    pub fn new(path: &str, interval_ms: u64) -> Self {
        Self {
            path: path.to_string(),
            interval_ms,
            written: 0,
            status: "not connected yet".into(),
            calls: Calls::default(),
        }
    }

    pub(super) fn start<M: From<Msg>, T: From<Timer>>(&mut self, io: &mut Io<M, T>) {
        io.note(format!("makes sure {} exists", self.path));
        ensure_path(io, &mut self.calls, &self.path, |last| WriteStep::Dir {
            last,
        });
    }

    pub(super) fn on_timer<M: From<Msg>, T: From<Timer>>(&mut self, io: &mut Io<M, T>, n: u32) {
        if n != TIMER_ACT {
            return;
        }
        self.written += 1;
        let data = format!("v{}", self.written);
        io.note(format!("writes \"{data}\" to {}", self.path));
        let op = ClientOp::Write(WriteOp::SetData {
            path: self.path.clone(),
            data,
            version: -1,
        });
        self.calls.issue(io, WriteStep::Set(self.written), op);
        io.set_timer(TIMER_ACT, self.interval_ms);
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
            (Some(WriteStep::Dir { last: true }), r) if ensured(r) => {
                self.status = format!(
                    "{} is there; writes every {} ms",
                    self.path, self.interval_ms
                );
                io.set_timer(TIMER_ACT, self.interval_ms);
            }
            (Some(WriteStep::Dir { .. }), Err(ErrorCode::ConnectionLoss)) => self.start(io),
            (Some(WriteStep::Dir { .. }), r) if ensured(r) => {}
            (Some(WriteStep::Set(n)), Ok(_)) => self.status = format!("wrote v{n}"),
            (Some(WriteStep::Set(n)), Err(ErrorCode::ConnectionLoss)) => {
                self.status = format!(
                    "write of v{n} lost with the connection: it may or may not have happened"
                );
            }
            (Some(WriteStep::Set(_)), Err(ErrorCode::NoNode)) => {
                io.note(format!("{} is gone: creates it again", self.path));
                self.start(io);
            }
            (Some(_), Err(e)) => self.status = format!("write failed: {e}"),
            _ => {}
        }
    }
}
