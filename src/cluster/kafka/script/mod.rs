//! `kafka-script`: run a list of Kafka admin, producer and consumer operations and faults
//! against a simulated cluster (ZooKeeper servers and brokers) and print what each returned,
//! one JSON object per line (format in `docs/kafka-script.md`). The Kafka twin of
//! [`crate::zk::script`].
//!
//! ```json
//! {"zk": 3, "brokers": 3, "seed": 1, "broker_config": {"min.insync.replicas": 2}, "ops": [
//!   {"op": "create_topic", "topic": "t", "partitions": 3, "replication_factor": 3, "start_index": 0},
//!   {"op": "produce", "client": "p", "topic": "t", "key": "k1", "value": "v1", "acks": "all"},
//!   {"op": "consume", "client": "c", "topic": "t", "max": 10},
//!   {"op": "crash_broker", "broker": 2}, {"op": "wait", "ms": 20000},
//!   {"op": "describe", "topic": "t"}
//! ]}
//! ```
//!
//! The script's clients are not nodes of the world: the runner is the client, and it talks
//! to the brokers with real requests (`Metadata`, `CreateTopics`, `Produce`, `ListOffsets`,
//! `Fetch`) delivered from the environment (`Input::Deliver`), reading the answers the brokers
//! send back to the environment from each step's record. ZooKeeper reads and the admin
//! tooling's writes (`kafka-topics.sh --zookeeper`) go through a scripted ZooKeeper client
//! node, `zk-admin`. Each op runs to completion before the next, bounded in simulated time
//! ([`OP_TIMEOUT_US`], or the producer's own timeouts) and in steps.
//!
//! Simplified compared with the Java clients: one record per `Produce`, no batching or
//! pipelining; a client's requests reach the broker at once (no network between the
//! environment and a broker, so partitions and lossy links only affect the cluster's own
//! traffic); a group-less consumer's positions start at the log start offset
//! (`auto.offset.reset=earliest`) and live in the script. Bad input never panics: it is an
//! error that says which op and field are wrong.
//!
//! Group clients are the exception to "the runner is the client": every client that
//! `consume`s with a `group` is a real [`crate::kafka::consumer::Consumer`] node, added at
//! build time (one per client, `enable.auto.commit=false`) and started by its first op
//! (`group.rs`); `consume`, `commit` and `seek` drive it with operator commands and read its
//! processed records. `alter_config` is `kafka-configs.sh --zookeeper`: the tool's checks,
//! then [`crate::kafka::msg::Operator::AlterConfig`] to a running broker, waiting until every
//! running broker has processed the change notification (`config.rs`). `stop_broker` sends
//! `Operator::Shutdown` (controlled shutdown) and waits for the broker to stop.
//!
//! Native only (the browser does not run scripts).

mod config;
mod group;
mod ops;
mod parse;
mod runner;

pub use parse::{CreateTopic, Script, ScriptOp};
pub use runner::{build_cluster, run, run_script};

use crate::sim::{TimeUs, SEC};

/// Simulated time an op may take before it is reported as `REQUEST_TIMED_OUT`.
pub const OP_TIMEOUT_US: TimeUs = 60 * SEC;
/// Longest time the cluster may take to boot (registrations, controller, metadata).
pub const BOOT_LIMIT_US: TimeUs = 60 * SEC;
/// Most ZooKeeper servers a script may ask for.
pub const MAX_ZK: usize = 7;
/// Most brokers a script may ask for.
pub const MAX_BROKERS: usize = 9;
/// Most partitions a topic may have in a script.
pub const MAX_PARTITIONS: i32 = 1_000;
/// Longest `wait` (one simulated hour).
pub const MAX_WAIT_MS: u64 = 3_600_000;
/// Label of the ZooKeeper client node the runner reads and writes znodes with.
pub const ZK_ADMIN: &str = "zk-admin";

#[cfg(test)]
mod tests;
