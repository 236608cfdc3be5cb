//! The lock and leader-election recipes: both queue up with an ephemeral sequential node and
//! let the lowest sequence number win; everyone else watches only its immediate predecessor
//! (with `exists`), so a release wakes one waiter, not the whole herd.

use super::{
    children_of, create_op, created_path, ensure_path, ensured, last_segment, sort_by_sequence,
    Calls, Io, Outcome, TIMER_ACT, TIMER_RETRY,
};
use crate::zk::client::ClientEvent;
use crate::zk::data::path::join;
use crate::zk::data::txn::WriteOp;
use crate::zk::msg::{ClientOp, Msg, ReplyBody, Timer};
use crate::zk::types::{CreateMode, ErrorCode, EventType, KeeperState};

/// Lock or leader election: the same queue, different words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueueKind {
    /// `/lock/<name>-lock-N`: the owner holds the lock for a while, then releases it.
    Lock,
    /// `/election/<name>-n_N`: the owner is the leader (and may resign after a while).
    Election,
}

impl QueueKind {
    /// The role name for views.
    pub fn role(self) -> &'static str {
        match self {
            QueueKind::Lock => "lock contender",
            QueueKind::Election => "election candidate",
        }
    }

    fn infix(self) -> &'static str {
        match self {
            QueueKind::Lock => "-lock-",
            QueueKind::Election => "-n_",
        }
    }
}

/// Where a queue member is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Not started (no session yet).
    Idle,
    /// Creating its node and looking at the queue.
    Joining,
    /// Watching its predecessor.
    Waiting { predecessor: String },
    /// Lowest in the queue: holds the lock / is the leader.
    Owner,
    /// Released the lock / resigned; will join again after a pause.
    Released,
    /// Gave up after an unexpected error.
    Stopped(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Step {
    Dir { last: bool },
    Create,
    Recover,
    List,
    WatchPred(String),
    Delete,
}

/// A lock contender or an election candidate.
#[derive(Clone, Debug, PartialEq)]
pub struct SeqQueue {
    /// Lock or election.
    pub kind: QueueKind,
    /// The queue's znode (`/lock`, `/election`).
    pub dir: String,
    /// Lock: release after holding this long. Election: resign after leading this long
    /// (`None`: never).
    pub hold_ms: Option<u64>,
    /// Pause between releasing and queueing again.
    pub pause_ms: u64,
    /// This member's node name, once created.
    pub me: Option<String>,
    /// Where it is.
    pub phase: Phase,
    /// Times it became the owner.
    pub wins: u64,
    disconnected: bool,
    calls: Calls<Step>,
}

impl SeqQueue {
    /// A lock contender on `dir` that holds the lock `hold_ms` and queues again `pause_ms`
    /// after releasing it.
    pub fn lock(dir: &str, hold_ms: u64, pause_ms: u64) -> Self {
        Self::new(QueueKind::Lock, dir, Some(hold_ms), pause_ms)
    }

    /// An election candidate on `dir`; a leader resigns after `resign_after_ms` if given.
    pub fn election(dir: &str, resign_after_ms: Option<u64>, pause_ms: u64) -> Self {
        Self::new(QueueKind::Election, dir, resign_after_ms, pause_ms)
    }

    fn new(kind: QueueKind, dir: &str, hold_ms: Option<u64>, pause_ms: u64) -> Self {
        Self {
            kind,
            dir: dir.to_string(),
            hold_ms,
            pause_ms,
            me: None,
            phase: Phase::Idle,
            wins: 0,
            disconnected: false,
            calls: Calls::default(),
        }
    }

    /// The same configuration, nothing else.
    pub fn fresh(&self) -> Self {
        Self::new(self.kind, &self.dir, self.hold_ms, self.pause_ms)
    }

    /// Whether it holds the lock / is the leader.
    pub fn is_owner(&self) -> bool {
        self.phase == Phase::Owner
    }

    pub(super) fn set_status(&mut self, s: String) {
        self.phase = Phase::Stopped(s);
    }

    /// One line for the UI.
    pub fn status(&self) -> String {
        let lock = self.kind == QueueKind::Lock;
        match &self.phase {
            Phase::Idle => "not connected yet".into(),
            Phase::Joining => "joining the queue".into(),
            Phase::Waiting { predecessor } if lock => format!("waiting for {predecessor}"),
            Phase::Waiting { predecessor } => format!("follower, watching {predecessor}"),
            Phase::Owner => {
                let s = if lock {
                    "holds the lock"
                } else {
                    "is the leader"
                };
                if self.disconnected {
                    format!("{s} (disconnected: loses it if the session expires)")
                } else {
                    s.to_string()
                }
            }
            Phase::Released if lock => "released the lock".into(),
            Phase::Released => "resigned".into(),
            Phase::Stopped(s) => s.clone(),
        }
    }

    pub(super) fn start<M: From<Msg>, T: From<Timer>>(&mut self, io: &mut Io<M, T>, _name: &str) {
        self.phase = Phase::Joining;
        self.me = None;
        ensure_path(io, &mut self.calls, &self.dir, |last| Step::Dir { last });
    }

    fn my_prefix(&self, name: &str) -> String {
        format!("{name}{}", self.kind.infix())
    }

    fn create<M: From<Msg>, T: From<Timer>>(&mut self, io: &mut Io<M, T>, name: &str) {
        self.phase = Phase::Joining;
        self.me = None;
        let path = join(&self.dir, &self.my_prefix(name));
        io.note(format!("queues up: creates ephemeral sequential {path}"));
        let op = create_op(&path, name, CreateMode::EphemeralSequential);
        self.calls.issue(io, Step::Create, op);
    }

    fn list<M: From<Msg>, T: From<Timer>>(&mut self, io: &mut Io<M, T>, step: Step) {
        let op = ClientOp::GetChildren {
            path: self.dir.clone(),
            watch: false,
            stat: true,
        };
        self.calls.issue(io, step, op);
    }

    /// Looks at the queue: lowest wins, otherwise watch the one just before.
    fn evaluate<M: From<Msg>, T: From<Timer>>(
        &mut self,
        io: &mut Io<M, T>,
        name: &str,
        mut children: Vec<String>,
    ) {
        let Some(me) = self.me.clone() else {
            return;
        };
        sort_by_sequence(&mut children);
        let Some(i) = children.iter().position(|c| *c == me) else {
            io.note(format!("its node {me} is gone: queues up again"));
            return self.create(io, name);
        };
        if i == 0 {
            self.phase = Phase::Owner;
            self.wins += 1;
            io.note(format!("{me} is the lowest: {}", self.status()));
            if let Some(ms) = self.hold_ms {
                io.set_timer(TIMER_ACT, ms);
            }
            return;
        }
        let pred = children[i - 1].clone();
        io.note(format!(
            "{me} is not the lowest: watches only its predecessor {pred} (exists with a watch)"
        ));
        let op = ClientOp::Exists {
            path: join(&self.dir, &pred),
            watch: true,
        };
        self.calls.issue(io, Step::WatchPred(pred), op);
    }

    pub(super) fn on_timer<M: From<Msg>, T: From<Timer>>(
        &mut self,
        io: &mut Io<M, T>,
        name: &str,
        n: u32,
    ) {
        match n {
            TIMER_ACT if self.phase == Phase::Owner => self.release(io),
            TIMER_RETRY if self.phase == Phase::Released => self.create(io, name),
            _ => {}
        }
    }

    fn release<M: From<Msg>, T: From<Timer>>(&mut self, io: &mut Io<M, T>) {
        let Some(me) = self.me.clone() else {
            return;
        };
        let path = join(&self.dir, &me);
        let verb = match self.kind {
            QueueKind::Lock => "releases the lock",
            QueueKind::Election => "resigns",
        };
        io.note(format!("{verb}: deletes {path}"));
        let op = ClientOp::Write(WriteOp::Delete { path, version: -1 });
        self.calls.issue(io, Step::Delete, op);
    }

    pub(super) fn on_event<M: From<Msg>, T: From<Timer>>(
        &mut self,
        io: &mut Io<M, T>,
        name: &str,
        ev: &ClientEvent,
    ) {
        match ev {
            ClientEvent::Completed { tag, result, .. } => {
                if let Some(step) = self.calls.take(*tag) {
                    self.on_completed(io, name, step, result);
                }
            }
            ClientEvent::Watch { event, path } => {
                let Phase::Waiting { predecessor } = &self.phase else {
                    return;
                };
                if *event == EventType::NodeDeleted && *path == join(&self.dir, predecessor) {
                    io.note(format!("{predecessor} is gone: looks at the queue again"));
                    self.list(io, Step::List);
                }
            }
            ClientEvent::State(KeeperState::Disconnected) => self.disconnected = true,
            ClientEvent::State(KeeperState::SyncConnected) => self.disconnected = false,
            ClientEvent::State(_) => {}
        }
    }

    fn on_completed<M: From<Msg>, T: From<Timer>>(
        &mut self,
        io: &mut Io<M, T>,
        name: &str,
        step: Step,
        result: &Outcome,
    ) {
        match (step, result) {
            (Step::Dir { last: true }, r) if ensured(r) => self.create(io, name),
            (Step::Dir { .. }, Err(ErrorCode::ConnectionLoss)) => self.start(io, name),
            (Step::Dir { .. }, r) if ensured(r) => {}
            (Step::Create, r @ Ok(_)) => {
                self.me = created_path(r).map(|p| last_segment(&p));
                self.list(io, Step::List);
            }
            (Step::Create, Err(ErrorCode::ConnectionLoss)) => {
                io.note("lost the connection during the create: looks for its node by name");
                self.list(io, Step::Recover);
            }
            (Step::Recover, r @ Ok(_)) => {
                let children = children_of(r).unwrap_or_default();
                let prefix = self.my_prefix(name);
                match children.iter().find(|c| c.starts_with(&prefix)) {
                    Some(found) => {
                        io.note(format!("its create did happen: {found}"));
                        self.me = Some(found.clone());
                        self.evaluate(io, name, children);
                    }
                    None => self.create(io, name),
                }
            }
            (Step::List, r @ Ok(_)) => {
                let children = children_of(r).unwrap_or_default();
                self.evaluate(io, name, children);
            }
            (Step::WatchPred(pred), Ok(ReplyBody::Exists(Some(_)))) => {
                self.phase = Phase::Waiting { predecessor: pred };
            }
            (Step::WatchPred(_), Ok(_)) => self.list(io, Step::List),
            (Step::Recover | Step::List | Step::WatchPred(_), Err(ErrorCode::ConnectionLoss)) => {
                self.list(io, Step::List)
            }
            (Step::Delete, Ok(_) | Err(ErrorCode::NoNode)) => {
                self.phase = Phase::Released;
                self.me = None;
                io.set_timer(TIMER_RETRY, self.pause_ms);
            }
            (Step::Delete, Err(ErrorCode::ConnectionLoss)) => self.release(io),
            (_, Err(e)) => self.phase = Phase::Stopped(format!("stopped: {e}")),
            _ => {}
        }
    }
}
