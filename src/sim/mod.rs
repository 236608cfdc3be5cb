//! The deterministic discrete-event simulation kernel.
//!
//! * [`time`]: integer microseconds.
//! * [`rng`]: the seeded PRNG (xoshiro256++, pinned by a test vector).
//! * [`actor`]: the `Actor` trait and the command-recording `Ctx`.
//! * [`net`]: per-link latency, loss, duplication, order, cuts and holds.
//! * [`world`]: nodes + network + queue; `World::step` processes exactly one event.
//! * [`record`]: `StepRecord`, the trace line and the digest.
//! * [`check`]: invariant checkers run after every step.
//! * [`timeline`]: records, checkpoints, seek, step back, fork on input.
//! * [`sort`]: the one stable sort (one copy of the algorithm in the wasm bundle).
//! * [`vecmap`], [`vecset`]: sorted-vector map and set for the small ordered collections
//!   (small in the wasm bundle, unlike one B-tree copy per key type).
//!
//! Nothing here knows about ZooKeeper or Kafka.

pub mod actor;
pub mod check;
pub mod input;
pub mod net;
pub mod record;
pub mod rng;
pub mod sort;
pub mod time;
pub mod timeline;
pub mod vecmap;
pub mod vecset;
pub mod world;

pub use actor::{Actor, Command, Ctx, Message, NodeId, TimerKey};
pub use check::{healed_for, Checker, CheckerInfo, Sim};
pub use net::{LinkConfig, LossReason};
pub use record::{CheckKind, EventRecord, SendFate, StepRecord, TraceDigest, Violation};
pub use rng::SimRng;
pub use time::{TimeUs, MS, SEC};
pub use timeline::{Timeline, TimelineLimits};
pub use vecmap::{VecMap, VecSet};
pub use world::{Bounds, Flight, Input, MsgId, World};
