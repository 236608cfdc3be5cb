//! Group membership (ephemeral member nodes, a watcher listing them with a child watch) and
//! a simple barrier (wait until N members are present).

use crate::zk::client::ClientEvent;
use crate::zk::data::txn::WriteOp;
use crate::zk::msg::{ClientOp, Msg, ReplyBody, Timer};
use crate::zk::types::{CreateMode, ErrorCode};

use super::{children_of, create_op, ensure_path, ensured, Calls, Io, TIMER_ACT, TIMER_RETRY};
use crate::zk::data::path::join;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum MemberStep {
    Dir { last: bool },
    Join,
    Check,
    Leave,
}

/// Joins a group by creating an ephemeral `<group>/<name>`; optionally leaves (deletes it)
/// after a while. The node disappears by itself when the session ends.
#[derive(Clone, Debug, PartialEq)]
pub struct GroupMember {
    /// The group znode, e.g. `/members`.
    pub group: String,
    /// Leave the group this long after joining.
    pub leave_after_ms: Option<u64>,
    /// Currently a member.
    pub joined: bool,
    /// One line for the UI.
    pub status: String,
    calls: Calls<MemberStep>,
}

impl GroupMember {
    /// A member of `group`.
    pub fn new(group: &str, leave_after_ms: Option<u64>) -> Self {
        Self {
            group: group.to_string(),
            leave_after_ms,
            joined: false,
            status: "not connected yet".into(),
            calls: Calls::default(),
        }
    }

    pub(super) fn my_path(&self, name: &str) -> String {
        join(&self.group, name)
    }

    pub(super) fn start<M: From<Msg>, T: From<Timer>>(&mut self, io: &mut Io<M, T>, _name: &str) {
        ensure_path(io, &mut self.calls, &self.group, |last| MemberStep::Dir {
            last,
        });
    }

    pub(super) fn join<M: From<Msg>, T: From<Timer>>(&mut self, io: &mut Io<M, T>, name: &str) {
        let path = self.my_path(name);
        io.note(format!("joins the group: creates ephemeral {path}"));
        let op = create_op(&path, name, CreateMode::Ephemeral);
        self.calls.issue(io, MemberStep::Join, op);
    }

    pub(super) fn joined<M: From<Msg>, T: From<Timer>>(&mut self, io: &mut Io<M, T>, name: &str) {
        self.joined = true;
        self.status = format!("member of {} as {name}", self.group);
        if let Some(ms) = self.leave_after_ms {
            io.set_timer(TIMER_ACT, ms);
        }
    }

    pub(super) fn on_timer<M: From<Msg>, T: From<Timer>>(
        &mut self,
        io: &mut Io<M, T>,
        name: &str,
        n: u32,
    ) {
        match n {
            TIMER_ACT if self.joined => {
                let path = self.my_path(name);
                io.note(format!("leaves the group: deletes {path}"));
                let op = ClientOp::Write(WriteOp::Delete { path, version: -1 });
                self.calls.issue(io, MemberStep::Leave, op);
            }
            TIMER_RETRY => self.join(io, name),
            _ => {}
        }
    }

    pub(super) fn on_event<M: From<Msg>, T: From<Timer>>(
        &mut self,
        io: &mut Io<M, T>,
        name: &str,
        ev: &ClientEvent,
    ) {
        let ClientEvent::Completed { tag, result, .. } = ev else {
            return;
        };
        match (self.calls.take(*tag), result) {
            (Some(MemberStep::Dir { last: true }), r) if ensured(r) => self.join(io, name),
            (Some(MemberStep::Dir { .. }), Err(ErrorCode::ConnectionLoss)) => self.start(io, name),
            (Some(MemberStep::Dir { .. }), r) if ensured(r) => {}
            (Some(MemberStep::Join), Ok(_)) => self.joined(io, name),
            (Some(MemberStep::Join), Err(ErrorCode::ConnectionLoss)) => {
                io.note("lost the connection during the create: checks whether it happened");
                let op = ClientOp::Exists {
                    path: self.my_path(name),
                    watch: false,
                };
                self.calls.issue(io, MemberStep::Check, op);
            }
            (Some(MemberStep::Join), Err(ErrorCode::NodeExists)) => {
                self.status = format!(
                    "{} is taken (an old session's node?): retries in 1 s",
                    self.my_path(name)
                );
                io.note(self.status.clone());
                io.set_timer(TIMER_RETRY, 1000);
            }
            (Some(MemberStep::Check), Ok(ReplyBody::Exists(Some(stat))))
                if stat.ephemeral_owner == io.session_id() =>
            {
                self.joined(io, name)
            }
            (Some(MemberStep::Check), Ok(ReplyBody::Exists(_)))
            | (Some(MemberStep::Check), Err(ErrorCode::ConnectionLoss)) => self.join(io, name),
            (Some(MemberStep::Leave), Ok(_) | Err(ErrorCode::NoNode)) => {
                self.joined = false;
                self.status = format!("left {}", self.group);
            }
            (Some(MemberStep::Leave), Err(ErrorCode::ConnectionLoss)) => {
                self.on_timer(io, name, TIMER_ACT)
            }
            (Some(_), Err(e)) => self.status = format!("stopped: {e}"),
            _ => {}
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum WatchStep {
    List,
    Exists,
}

/// Lists a group's members with a child watch, and lists again on every change.
#[derive(Clone, Debug, PartialEq)]
pub struct GroupWatcher {
    /// The group znode.
    pub group: String,
    /// The members at the last listing.
    pub members: Vec<String>,
    /// One line for the UI.
    pub status: String,
    calls: Calls<WatchStep>,
}

impl GroupWatcher {
    /// A watcher of `group`.
    pub fn new(group: &str) -> Self {
        Self {
            group: group.to_string(),
            members: Vec::new(),
            status: "not connected yet".into(),
            calls: Calls::default(),
        }
    }

    pub(super) fn start<M: From<Msg>, T: From<Timer>>(&mut self, io: &mut Io<M, T>) {
        io.note(format!("lists {} and leaves a child watch", self.group));
        let op = ClientOp::GetChildren {
            path: self.group.clone(),
            watch: true,
            stat: true,
        };
        self.calls.issue(io, WatchStep::List, op);
    }

    pub(super) fn on_event<M: From<Msg>, T: From<Timer>>(
        &mut self,
        io: &mut Io<M, T>,
        ev: &ClientEvent,
    ) {
        match ev {
            ClientEvent::Completed { tag, result, .. } => match (self.calls.take(*tag), result) {
                (Some(WatchStep::List), r @ Ok(_)) => {
                    self.members = children_of(r).unwrap_or_default();
                    self.status = if self.members.is_empty() {
                        "no members".into()
                    } else {
                        format!("members: {}", self.members.join(", "))
                    };
                    io.note(self.status.clone());
                }
                (Some(WatchStep::List), Err(ErrorCode::NoNode)) => {
                    let op = ClientOp::Exists {
                        path: self.group.clone(),
                        watch: true,
                    };
                    self.calls.issue(io, WatchStep::Exists, op);
                }
                (Some(WatchStep::Exists), Ok(ReplyBody::Exists(Some(_)))) => self.start(io),
                (Some(WatchStep::Exists), Ok(_)) => {
                    self.status = format!("waiting for {} to be created", self.group);
                }
                (Some(_), Err(ErrorCode::ConnectionLoss)) => self.start(io),
                (Some(_), Err(e)) => self.status = format!("stopped: {e}"),
                _ => {}
            },
            ClientEvent::Watch { path, event } if *path == self.group => {
                io.note(format!("{} on {path}: lists again", event.name()));
                self.start(io);
            }
            _ => {}
        }
    }
}

// ----- barrier -----

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum BarrierStep {
    Dir { last: bool },
    Enter,
    Recover,
    List,
}

/// Enters a barrier by creating an ephemeral `<dir>/<name>`, then waits (child watch) until
/// `count` members are there.
#[derive(Clone, Debug, PartialEq)]
pub struct Barrier {
    /// The barrier znode, e.g. `/barrier`.
    pub dir: String,
    /// Members needed to pass.
    pub count: usize,
    /// Passed the barrier.
    pub passed: bool,
    /// One line for the UI.
    pub status: String,
    calls: Calls<BarrierStep>,
}

impl Barrier {
    /// A member of a barrier of `count` at `dir`.
    pub fn new(dir: &str, count: usize) -> Self {
        Self {
            dir: dir.to_string(),
            count,
            passed: false,
            status: "not connected yet".into(),
            calls: Calls::default(),
        }
    }

    pub(super) fn start<M: From<Msg>, T: From<Timer>>(&mut self, io: &mut Io<M, T>, _name: &str) {
        ensure_path(io, &mut self.calls, &self.dir, |last| BarrierStep::Dir {
            last,
        });
    }

    pub(super) fn enter<M: From<Msg>, T: From<Timer>>(&mut self, io: &mut Io<M, T>, name: &str) {
        let path = join(&self.dir, name);
        io.note(format!("enters the barrier: creates ephemeral {path}"));
        self.calls.issue(
            io,
            BarrierStep::Enter,
            create_op(&path, name, CreateMode::Ephemeral),
        );
    }

    pub(super) fn list<M: From<Msg>, T: From<Timer>>(&mut self, io: &mut Io<M, T>) {
        let op = ClientOp::GetChildren {
            path: self.dir.clone(),
            watch: true,
            stat: true,
        };
        self.calls.issue(io, BarrierStep::List, op);
    }

    pub(super) fn on_event<M: From<Msg>, T: From<Timer>>(
        &mut self,
        io: &mut Io<M, T>,
        name: &str,
        ev: &ClientEvent,
    ) {
        match ev {
            ClientEvent::Completed { tag, result, .. } => match (self.calls.take(*tag), result) {
                (Some(BarrierStep::Dir { last: true }), r) if ensured(r) => self.enter(io, name),
                (Some(BarrierStep::Dir { .. }), Err(ErrorCode::ConnectionLoss)) => {
                    self.start(io, name)
                }
                (Some(BarrierStep::Dir { .. }), r) if ensured(r) => {}
                (Some(BarrierStep::Enter), Ok(_) | Err(ErrorCode::NodeExists)) => self.list(io),
                (Some(BarrierStep::Enter), Err(ErrorCode::ConnectionLoss)) => {
                    let op = ClientOp::Exists {
                        path: join(&self.dir, name),
                        watch: false,
                    };
                    self.calls.issue(io, BarrierStep::Recover, op);
                }
                (Some(BarrierStep::Recover), Ok(ReplyBody::Exists(Some(_)))) => self.list(io),
                (Some(BarrierStep::Recover), _) => self.enter(io, name),
                (Some(BarrierStep::List), r @ Ok(_)) => {
                    let present = children_of(r).unwrap_or_default().len();
                    if self.passed {
                        return;
                    }
                    if present >= self.count {
                        self.passed = true;
                        self.status =
                            format!("passed the barrier ({present} of {} present)", self.count);
                    } else {
                        self.status =
                            format!("waiting at the barrier: {present} of {}", self.count);
                    }
                    io.note(self.status.clone());
                }
                (Some(BarrierStep::List), Err(ErrorCode::ConnectionLoss)) => self.list(io),
                (Some(_), Err(e)) => self.status = format!("stopped: {e}"),
                _ => {}
            },
            ClientEvent::Watch { path, .. } if *path == self.dir && !self.passed => self.list(io),
            _ => {}
        }
    }
}
