//! ZooKeeper recipes as small state machines for lessons: configuration management, group
//! membership, a lock, a barrier and leader election, each driven by the events of the
//! node's [`ZkClient`] (the "recipes" page of the ZooKeeper docs, and what Curator does).
//!
//! Every recipe starts from the beginning on a **new** session (after an expiry the node opens
//! another one), keeps going across a disconnect of the same session (its watches come back
//! with `SetWatches`), narrates its steps with `ctx.note`, and has a one-line status for the
//! UI ("holds the lock", "waiting for c1-lock-0000000003").
//!
//! Simplified compared to production recipes:
//! * Sequential nodes carry the client's name (`/lock/c1-lock-0000000003`), the "guid" the
//!   ZooKeeper recipes page recommends: after a `ConnectionLoss` on the create, the recipe
//!   lists the children to find out whether its create happened.
//! * A lock holder that gets disconnected keeps acting as the holder (Curator would suspend
//!   it); its status says it may have lost the lock.
//! * The barrier is the simple one (wait until N children exist under the barrier node, with a
//!   child watch), not the double barrier with a `ready` node.
//! * Errors other than `ConnectionLoss` and the expected ones stop the recipe with a status
//!   saying so.

use std::collections::BTreeMap;

use crate::sim::{Ctx, MS};

use super::client::{ClientEvent, ClientTimer, ZkClient};
use super::msg::{ClientOp, Msg, ReplyBody, Timer};
use super::path::{join, name_of};
use super::txn::{OpResult, WriteOp};
use super::types::{CreateMode, ErrorCode, EventType, SessionId};

#[path = "recipes_queue.rs"]
mod queue;

pub use queue::{QueueKind, SeqQueue};

/// Timer number of the recipe's main action (write, release, leave, resign, rejoin).
pub const TIMER_ACT: u32 = 1;
/// Timer number of a retry after a pause.
pub const TIMER_RETRY: u32 = 2;

/// What a recipe may do in a handler: make calls on the session, set its timers, narrate.
/// Calls the handle refuses at once come back through `feedback`.
pub struct Io<'a, 'b, M, T> {
    zk: &'a mut ZkClient,
    ctx: &'a mut Ctx<'b, M, T>,
    /// Events produced at once by calls (a closed handle refuses them).
    pub feedback: Vec<ClientEvent>,
}

impl<'a, 'b, M: From<Msg>, T: From<Timer>> Io<'a, 'b, M, T> {
    /// Wraps the node's client and the handler's context.
    pub fn new(zk: &'a mut ZkClient, ctx: &'a mut Ctx<'b, M, T>) -> Self {
        Self {
            zk,
            ctx,
            feedback: Vec::new(),
        }
    }

    /// Submits `op` under `tag`.
    pub fn call(&mut self, tag: u64, op: ClientOp) {
        let ev = self.zk.call(self.ctx, tag, op);
        self.feedback.extend(ev);
    }

    /// A line of narration.
    pub fn note(&mut self, text: impl Into<String>) {
        self.ctx.note(text);
    }

    /// Arms `ClientTimer::Recipe(n)`.
    pub fn set_timer(&mut self, n: u32, after_ms: u64) {
        self.ctx
            .set_timer(Timer::Client(ClientTimer::Recipe(n)), after_ms * MS);
    }

    /// The session id of the handle.
    pub fn session_id(&self) -> SessionId {
        self.zk.session_id()
    }
}

/// Outstanding calls of a recipe: which step each tag answers.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Calls<S> {
    next_tag: u64,
    waiting: BTreeMap<u64, S>,
}

impl<S> Default for Calls<S> {
    fn default() -> Self {
        Self {
            next_tag: 1,
            waiting: BTreeMap::new(),
        }
    }
}

impl<S> Calls<S> {
    fn issue<M: From<Msg>, T: From<Timer>>(&mut self, io: &mut Io<M, T>, step: S, op: ClientOp) {
        let tag = self.next_tag;
        self.next_tag += 1;
        self.waiting.insert(tag, step);
        io.call(tag, op);
    }

    fn take(&mut self, tag: u64) -> Option<S> {
        self.waiting.remove(&tag)
    }
}

/// A completed call, reduced to what recipes look at.
type Outcome = Result<ReplyBody, ErrorCode>;

fn create_op(path: &str, data: &str, mode: CreateMode) -> ClientOp {
    ClientOp::Write(WriteOp::Create {
        path: path.to_string(),
        data: data.to_string(),
        mode,
    })
}

fn created_path(r: &Outcome) -> Option<String> {
    match r {
        Ok(ReplyBody::Write(OpResult::Create { path, .. })) => Some(path.clone()),
        _ => None,
    }
}

fn children_of(r: &Outcome) -> Option<Vec<String>> {
    match r {
        Ok(ReplyBody::Children { children, .. }) => Some(children.clone()),
        _ => None,
    }
}

/// Creates every missing ancestor of `path` and `path` itself (persistent, empty), pipelined:
/// the session's FIFO order makes each parent exist before its child's create. `step(true)`
/// tags the last create, the one to wait for.
fn ensure_path<S, M: From<Msg>, T: From<Timer>>(
    io: &mut Io<M, T>,
    calls: &mut Calls<S>,
    path: &str,
    step: impl Fn(bool) -> S,
) {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let mut prefix = String::new();
    for (i, seg) in segments.iter().enumerate() {
        prefix.push('/');
        prefix.push_str(seg);
        let last = i + 1 == segments.len();
        calls.issue(
            io,
            step(last),
            create_op(&prefix, "", CreateMode::Persistent),
        );
    }
}

/// Whether an `ensure_path` create went as hoped (created, or already there).
fn ensured(r: &Outcome) -> bool {
    matches!(r, Ok(_) | Err(ErrorCode::NodeExists))
}

/// Which recipe a client node runs.
#[derive(Clone, Debug, PartialEq)]
pub enum Recipe {
    /// Reads a config znode with a watch and re-reads it on every change.
    ConfigReader(ConfigReader),
    /// Creates the config znode if needed and rewrites it periodically.
    ConfigWriter(ConfigWriter),
    /// Joins a group with an ephemeral node.
    GroupMember(GroupMember),
    /// Lists a group's members with a child watch.
    GroupWatcher(GroupWatcher),
    /// Lock or leader election over ephemeral sequential nodes.
    Queue(SeqQueue),
    /// Waits until N members are at a barrier.
    Barrier(Barrier),
}

impl Recipe {
    /// What the node is, for views: `config reader`, `lock contender`, ….
    pub fn role(&self) -> &'static str {
        match self {
            Recipe::ConfigReader(_) => "config reader",
            Recipe::ConfigWriter(_) => "config writer",
            Recipe::GroupMember(_) => "group member",
            Recipe::GroupWatcher(_) => "group watcher",
            Recipe::Queue(q) => q.kind.role(),
            Recipe::Barrier(_) => "barrier member",
        }
    }

    /// One line of what it is doing.
    pub fn status(&self) -> String {
        match self {
            Recipe::ConfigReader(r) => r.status.clone(),
            Recipe::ConfigWriter(r) => r.status.clone(),
            Recipe::GroupMember(r) => r.status.clone(),
            Recipe::GroupWatcher(r) => r.status.clone(),
            Recipe::Queue(r) => r.status(),
            Recipe::Barrier(r) => r.status.clone(),
        }
    }

    /// A new session is up: start from the beginning.
    pub fn on_session<M: From<Msg>, T: From<Timer>>(&mut self, io: &mut Io<M, T>, name: &str) {
        match self {
            Recipe::ConfigReader(r) => r.start(io),
            Recipe::ConfigWriter(r) => r.start(io),
            Recipe::GroupMember(r) => r.start(io, name),
            Recipe::GroupWatcher(r) => r.start(io),
            Recipe::Queue(r) => r.start(io, name),
            Recipe::Barrier(r) => r.start(io, name),
        }
    }

    /// Handles an event of the session (completions, watches, state changes).
    pub fn on_event<M: From<Msg>, T: From<Timer>>(
        &mut self,
        io: &mut Io<M, T>,
        name: &str,
        ev: &ClientEvent,
    ) {
        match self {
            Recipe::ConfigReader(r) => r.on_event(io, ev),
            Recipe::ConfigWriter(r) => r.on_event(io, ev),
            Recipe::GroupMember(r) => r.on_event(io, name, ev),
            Recipe::GroupWatcher(r) => r.on_event(io, ev),
            Recipe::Queue(r) => r.on_event(io, name, ev),
            Recipe::Barrier(r) => r.on_event(io, name, ev),
        }
    }

    /// Handles one of the recipe's timers.
    pub fn on_timer<M: From<Msg>, T: From<Timer>>(
        &mut self,
        io: &mut Io<M, T>,
        name: &str,
        n: u32,
    ) {
        match self {
            Recipe::ConfigWriter(r) => r.on_timer(io, n),
            Recipe::GroupMember(r) => r.on_timer(io, name, n),
            Recipe::Queue(r) => r.on_timer(io, name, n),
            _ => {}
        }
    }

    /// The session expired or the node crashed: forget everything but the configuration.
    pub fn reset(&mut self, status: &str) {
        match self {
            Recipe::ConfigReader(r) => *r = ConfigReader::new(&r.path),
            Recipe::ConfigWriter(r) => *r = ConfigWriter::new(&r.path, r.interval_ms),
            Recipe::GroupMember(r) => *r = GroupMember::new(&r.group, r.leave_after_ms),
            Recipe::GroupWatcher(r) => *r = GroupWatcher::new(&r.group),
            Recipe::Queue(r) => *r = r.fresh(),
            Recipe::Barrier(r) => *r = Barrier::new(&r.dir, r.count),
        }
        self.set_status(status);
    }

    fn set_status(&mut self, s: &str) {
        let s = s.to_string();
        match self {
            Recipe::ConfigReader(r) => r.status = s,
            Recipe::ConfigWriter(r) => r.status = s,
            Recipe::GroupMember(r) => r.status = s,
            Recipe::GroupWatcher(r) => r.status = s,
            Recipe::Queue(r) => r.set_status(s),
            Recipe::Barrier(r) => r.status = s,
        }
    }
}

// ----- configuration management -----

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

    fn start<M: From<Msg>, T: From<Timer>>(&mut self, io: &mut Io<M, T>) {
        self.read(io);
    }

    fn read<M: From<Msg>, T: From<Timer>>(&mut self, io: &mut Io<M, T>) {
        io.note(format!("reads {} and leaves a watch on it", self.path));
        let op = ClientOp::GetData {
            path: self.path.clone(),
            watch: true,
        };
        self.calls.issue(io, ReadStep::Get, op);
    }

    fn on_event<M: From<Msg>, T: From<Timer>>(&mut self, io: &mut Io<M, T>, ev: &ClientEvent) {
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

    fn start<M: From<Msg>, T: From<Timer>>(&mut self, io: &mut Io<M, T>) {
        io.note(format!("makes sure {} exists", self.path));
        ensure_path(io, &mut self.calls, &self.path, |last| WriteStep::Dir {
            last,
        });
    }

    fn on_timer<M: From<Msg>, T: From<Timer>>(&mut self, io: &mut Io<M, T>, n: u32) {
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

    fn on_event<M: From<Msg>, T: From<Timer>>(&mut self, io: &mut Io<M, T>, ev: &ClientEvent) {
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

// ----- group membership -----

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

    fn my_path(&self, name: &str) -> String {
        join(&self.group, name)
    }

    fn start<M: From<Msg>, T: From<Timer>>(&mut self, io: &mut Io<M, T>, _name: &str) {
        ensure_path(io, &mut self.calls, &self.group, |last| MemberStep::Dir {
            last,
        });
    }

    fn join<M: From<Msg>, T: From<Timer>>(&mut self, io: &mut Io<M, T>, name: &str) {
        let path = self.my_path(name);
        io.note(format!("joins the group: creates ephemeral {path}"));
        let op = create_op(&path, name, CreateMode::Ephemeral);
        self.calls.issue(io, MemberStep::Join, op);
    }

    fn joined<M: From<Msg>, T: From<Timer>>(&mut self, io: &mut Io<M, T>, name: &str) {
        self.joined = true;
        self.status = format!("member of {} as {name}", self.group);
        if let Some(ms) = self.leave_after_ms {
            io.set_timer(TIMER_ACT, ms);
        }
    }

    fn on_timer<M: From<Msg>, T: From<Timer>>(&mut self, io: &mut Io<M, T>, name: &str, n: u32) {
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

    fn on_event<M: From<Msg>, T: From<Timer>>(
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

    fn start<M: From<Msg>, T: From<Timer>>(&mut self, io: &mut Io<M, T>) {
        io.note(format!("lists {} and leaves a child watch", self.group));
        let op = ClientOp::GetChildren {
            path: self.group.clone(),
            watch: true,
        };
        self.calls.issue(io, WatchStep::List, op);
    }

    fn on_event<M: From<Msg>, T: From<Timer>>(&mut self, io: &mut Io<M, T>, ev: &ClientEvent) {
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

    fn start<M: From<Msg>, T: From<Timer>>(&mut self, io: &mut Io<M, T>, _name: &str) {
        ensure_path(io, &mut self.calls, &self.dir, |last| BarrierStep::Dir {
            last,
        });
    }

    fn enter<M: From<Msg>, T: From<Timer>>(&mut self, io: &mut Io<M, T>, name: &str) {
        let path = join(&self.dir, name);
        io.note(format!("enters the barrier: creates ephemeral {path}"));
        self.calls.issue(
            io,
            BarrierStep::Enter,
            create_op(&path, name, CreateMode::Ephemeral),
        );
    }

    fn list<M: From<Msg>, T: From<Timer>>(&mut self, io: &mut Io<M, T>) {
        let op = ClientOp::GetChildren {
            path: self.dir.clone(),
            watch: true,
        };
        self.calls.issue(io, BarrierStep::List, op);
    }

    fn on_event<M: From<Msg>, T: From<Timer>>(
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

/// The sequence number at the end of a sequential node's name (`…0000000007` → 7).
pub fn sequence_of(name: &str) -> Option<i64> {
    let n = name.len();
    if n < 10 {
        return None;
    }
    name.get(n - 10..)?.parse().ok()
}

/// Sorts sequential children by their sequence number (then name).
pub fn sort_by_sequence(children: &mut [String]) {
    children.sort_by_key(|c| (sequence_of(c).unwrap_or(i64::MAX), c.clone()));
}

/// The last segment of a path (re-exported for the queue recipes).
fn last_segment(path: &str) -> String {
    name_of(path).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequence_numbers_sort_numerically_whatever_the_prefix() {
        let mut v = vec![
            "c2-lock-0000000010".to_string(),
            "c1-lock-0000000002".to_string(),
            "c3-lock-0000000009".to_string(),
        ];
        sort_by_sequence(&mut v);
        assert_eq!(
            v,
            vec![
                "c1-lock-0000000002",
                "c3-lock-0000000009",
                "c2-lock-0000000010"
            ]
        );
        assert_eq!(sequence_of("lock-"), None);
    }
}

#[cfg(test)]
#[path = "recipes_tests.rs"]
mod e2e;
