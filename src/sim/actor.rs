//! Actors: the protocol code the world runs, one handler call per step.
//!
//! A handler never performs effects itself. It *records* commands in its [`Ctx`] (send a
//! message, set or cancel a timer, write a note) and the world applies them after the handler
//! returns, through the simulated network. Handlers see simulated time and the run's seeded
//! PRNG only through `Ctx`, so a run is a pure function of (scenario, seed, inputs).

use std::fmt;

use serde::{Deserialize, Serialize};

use super::rng::SimRng;
use super::time::TimeUs;

/// Index of a node in its world (servers, clients, brokers…). Labels for people come from
/// [`Actor::label`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct NodeId(pub u32);

impl NodeId {
    /// The environment: the sender of messages injected from outside (a user's click, a
    /// scripted client command).
    pub const ENV: NodeId = NodeId(u32::MAX);

    /// Position in the world's node table.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if *self == NodeId::ENV {
            write!(f, "env")
        } else {
            write!(f, "n{}", self.0)
        }
    }
}

/// What the kernel needs to know about a message to record, draw and digest it.
pub trait Message: Clone + fmt::Debug {
    /// The protocol's own name for this message type, e.g. `"PROPOSAL"` or `"notification"`.
    fn kind(&self) -> &'static str;
    /// One line with the fields a person needs, e.g. `PROPOSAL zxid=0x100000001 create /a`.
    fn summary(&self) -> String;
}

/// A timer key. Setting a timer whose key equals an armed one re-arms it.
pub trait TimerKey: Clone + fmt::Debug + PartialEq {
    /// A stable name for traces, digests and narration, e.g. `LearnerReadTimeout`. Never
    /// `Debug` of a nested enum: wrapping a protocol's timers in another enum must not
    /// change the name, so adding a protocol leaves the others' golden digests alone.
    fn name(&self) -> String;
}

/// A node of the simulation. The whole actor must be cheap enough to clone: a checkpoint is a
/// clone of the world.
pub trait Actor: Clone {
    /// The message type of the world (one nested enum for all protocols).
    type Msg: Message;
    /// The timer type of the world.
    type Timer: TimerKey;

    /// A short name for people and traces, e.g. `zk3` or `c1`.
    fn label(&self) -> String;
    /// Called when the node starts, and again when it restarts after a crash.
    fn on_start(&mut self, ctx: &mut Ctx<Self::Msg, Self::Timer>);
    /// Called when a message from `src` is delivered.
    fn on_message(&mut self, ctx: &mut Ctx<Self::Msg, Self::Timer>, src: NodeId, msg: Self::Msg);
    /// Called when an armed timer fires.
    fn on_timer(&mut self, ctx: &mut Ctx<Self::Msg, Self::Timer>, timer: Self::Timer);
    /// Called when the node crashes: drop volatile state, keep what was on disk. Timers are
    /// cancelled by the world.
    fn on_crash(&mut self);
}

/// A command recorded by a handler, applied by the world after the handler returns.
#[derive(Clone, Debug, PartialEq)]
pub enum Command<M, T> {
    /// Send `msg` to `dst` through the network.
    Send { dst: NodeId, msg: M },
    /// Arm (or re-arm) `timer` to fire `after_us` from now.
    SetTimer { timer: T, after_us: TimeUs },
    /// Disarm `timer` if armed.
    CancelTimer { timer: T },
    /// A line of narration for the event log.
    Note(String),
    /// The node exits on its own (a clean shutdown): after this handler it is down as after a
    /// crash (`on_crash` runs, its timers are cancelled) and an `Input::Restart` starts it again.
    Stop,
}

/// The handler's view of the world: who it is, the time, the PRNG, and a command buffer.
pub struct Ctx<'a, M, T> {
    me: NodeId,
    now_us: TimeUs,
    rng: &'a mut SimRng,
    commands: Vec<Command<M, T>>,
}

impl<'a, M, T> Ctx<'a, M, T> {
    /// A context for one handler call.
    pub fn new(me: NodeId, now_us: TimeUs, rng: &'a mut SimRng) -> Self {
        Self {
            me,
            now_us,
            rng,
            commands: Vec::new(),
        }
    }

    /// The node running the handler.
    pub fn me(&self) -> NodeId {
        self.me
    }

    /// Current simulated time.
    pub fn now_us(&self) -> TimeUs {
        self.now_us
    }

    /// The run's seeded PRNG.
    pub fn rng(&mut self) -> &mut SimRng {
        self.rng
    }

    /// Sends a message (anything convertible into the world's message type).
    pub fn send(&mut self, dst: NodeId, msg: impl Into<M>) {
        self.commands.push(Command::Send {
            dst,
            msg: msg.into(),
        });
    }

    /// Arms `timer` to fire after `after_us`; re-arms it if already armed.
    pub fn set_timer(&mut self, timer: impl Into<T>, after_us: TimeUs) {
        self.commands.push(Command::SetTimer {
            timer: timer.into(),
            after_us,
        });
    }

    /// Disarms `timer` if it is armed.
    pub fn cancel_timer(&mut self, timer: impl Into<T>) {
        self.commands.push(Command::CancelTimer {
            timer: timer.into(),
        });
    }

    /// Adds a line of narration to this step's record.
    pub fn note(&mut self, text: impl Into<String>) {
        self.commands.push(Command::Note(text.into()));
    }

    /// Stops this node once the handler returns (a process exiting cleanly); see
    /// [`Command::Stop`].
    pub fn stop(&mut self) {
        self.commands.push(Command::Stop);
    }

    /// The commands recorded so far (for tests of single handlers).
    pub fn commands(&self) -> &[Command<M, T>] {
        &self.commands
    }

    /// Takes the recorded commands out.
    pub fn into_commands(self) -> Vec<Command<M, T>> {
        self.commands
    }

    /// Runs `f` with a context whose messages and timers are another protocol's types, then
    /// converts its commands into this context's types. Lets a protocol that embeds another
    /// one (a Kafka broker embedding a ZooKeeper client) reuse the inner protocol's handlers.
    pub fn scoped<M2, T2, R>(&mut self, f: impl FnOnce(&mut Ctx<'_, M2, T2>) -> R) -> R
    where
        M2: Into<M>,
        T2: Into<T>,
    {
        let mut inner = Ctx::new(self.me, self.now_us, self.rng);
        let out = f(&mut inner);
        let cmds = inner.into_commands();
        for c in cmds {
            self.commands.push(match c {
                Command::Send { dst, msg } => Command::Send {
                    dst,
                    msg: msg.into(),
                },
                Command::SetTimer { timer, after_us } => Command::SetTimer {
                    timer: timer.into(),
                    after_us,
                },
                Command::CancelTimer { timer } => Command::CancelTimer {
                    timer: timer.into(),
                },
                Command::Note(n) => Command::Note(n),
                Command::Stop => Command::Stop,
            });
        }
        out
    }
}
