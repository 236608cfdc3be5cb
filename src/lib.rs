//! zooscope: a deterministic simulator of ZooKeeper (and, next, Kafka on ZooKeeper) with a
//! browser visualizer.
//!
//! Layers, dependencies pointing one way (see `shared/architecture.md`):
//!
//! ```text
//! sim  <-  zk  <-  kafka  <-  cluster  <-  view  <-  ui (Yew, feature "ui")
//!                                    ^-- cli (native binary)
//! ```
//!
//! * [`sim`]: simulated time, seeded PRNG, event queue, network, faults, actors, records,
//!   checkers and time travel. Knows nothing about ZooKeeper or Kafka.
//! * [`heartbeat`]: a tiny membership protocol that exercises the kernel.
//! * [`zk`]: ZooKeeper servers (Fast Leader Election, Zab), the data tree, sessions, watches
//!   and the client library.
//! * [`kafka`]: Kafka's protocol core (partitioner, replica assignment, znode formats, error
//!   codes, partition logs, replication rules, configuration).
//! * [`cluster`]: composition (`Node`, `Msg`, `Timer`), scenarios and invariant checkers.
//! * [`view`]: a pure view model of the world at a step.
//! * `ui`: Yew components (only with the `ui` feature).

pub mod cluster;
pub mod heartbeat;
pub mod kafka;
pub mod sim;
pub mod view;
pub mod zk;

#[cfg(feature = "ui")]
pub mod ui;
