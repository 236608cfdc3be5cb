//! ZooKeeper recipes as small state machines for lessons: configuration management, group
//! membership, a lock, a barrier, leader election and a `multi` writer fenced by an epoch
//! znode (how Kafka's controller writes), each driven by the events of the
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
//! * Listings use `getChildren2` (the variant that also returns the parent's stat, which the
//!   recipes ignore); creates use plain `create` (path only).

use crate::sim::vecmap::VecMap;
use crate::sim::{Ctx, MS};

use crate::zk::client::{ClientEvent, ClientTimer, ZkClient};
use crate::zk::data::path::name_of;
use crate::zk::data::txn::{OpResult, WriteOp};
use crate::zk::msg::{ClientOp, Msg, ReplyBody, Timer};
use crate::zk::types::{CreateMode, ErrorCode, SessionId};

mod config;
mod group;
mod multi;
mod queue;

pub use config::{ConfigReader, ConfigWriter};
pub use group::{Barrier, GroupMember, GroupWatcher};
pub use multi::MultiWriter;
pub use queue::{Phase, QueueKind, SeqQueue};

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
    waiting: VecMap<u64, S>,
}

impl<S> Default for Calls<S> {
    fn default() -> Self {
        Self {
            next_tag: 1,
            waiting: VecMap::new(),
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
    ClientOp::Write(WriteOp::create(path, data, mode))
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
    /// Writes two znodes together in a `multi` fenced by an epoch znode's version.
    MultiWriter(MultiWriter),
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
            Recipe::MultiWriter(_) => "multi writer",
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
            Recipe::MultiWriter(r) => r.status.clone(),
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
            Recipe::MultiWriter(r) => r.start(io),
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
            Recipe::MultiWriter(r) => r.on_event(io, ev),
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
            Recipe::MultiWriter(r) => r.on_timer(io, n),
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
            Recipe::MultiWriter(r) => *r = MultiWriter::new(&r.epoch_path, &r.dir, r.interval_ms),
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
            Recipe::MultiWriter(r) => r.status = s,
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
///
/// An insertion sort: the lists are a recipe's few children, and the browser bundle then needs
/// no copy of the standard library's sort for this key. Names are distinct, so the order is
/// the same as any sort's.
pub fn sort_by_sequence(children: &mut [String]) {
    fn key(c: &str) -> (i64, &str) {
        (sequence_of(c).unwrap_or(i64::MAX), c)
    }
    for i in 1..children.len() {
        let mut j = i;
        while j > 0 && key(&children[j]) < key(&children[j - 1]) {
            children.swap(j, j - 1);
            j -= 1;
        }
    }
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
mod e2e;
