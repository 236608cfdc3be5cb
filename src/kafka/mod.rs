//! Kafka on ZooKeeper (baseline 2.8.2): the broker and producer actors and their pure protocol core.
//!
//! The actors — [`broker`] (registration, controller election, the controller in
//! [`broker::controller`], the hosted partitions in [`broker::replica`]) and [`producer`] —
//! speak [`msg`]'s Kafka requests to each other and reach ZooKeeper only through an embedded
//! [`crate::zk::client::ZkClient`], so their ZooKeeper requests, watches and sessions are part
//! of the run. [`node::KafkaNode`] is what the cluster composition wraps.
//!
//! The pure building blocks below send nothing, read no clock and draw from no global RNG:
//! time, randomness (a seeded [`crate::sim::SimRng`]) and cluster facts are passed in, and
//! protocol failures come back as values named like Kafka's own errors.
//!
//! * [`errors`]: the `Errors.java` codes the simulator returns, with names and retriability.
//! * [`partitioner`]: murmur2, the default (keyed + sticky), uniform-sticky and round-robin
//!   partitioners of the producer.
//! * [`assignment`]: `AdminUtils.assignReplicasToBrokers` (rack-unaware) and partition addition.
//! * [`znodes`]: Kafka's ZooKeeper paths and the JSON it stores there (`ZkData.scala`).
//! * [`log`]: a replica's partition log (LEO, HW, log start, truncation, bounded size).
//! * [`epoch_cache`]: the leader epoch cache (`LeaderEpochFileCache`).
//! * [`divergence`]: the fetch-path divergence check and the follower's truncation offset.
//! * [`producer_state`]: idempotent-producer sequence checks and duplicate detection.
//! * [`partition_state`]: HW, ISR shrink/expand and the controller's leader elections.
//! * [`config`]: broker, topic, producer and consumer settings with 2.8 names and defaults.
//! * [`group`]: coordinator partition for a group id, `range`, `roundrobin` and `sticky`
//!   assignors.
//! * [`consumer`]: a consumer in a group (the coordinator is [`broker::coordinator`]).
//!
//! What is simplified overall (details in each module):
//!
//! * Logs are lists of records with sizes, not segments of bytes: no indexes, compression,
//!   page cache, fsync or transactions; the idempotence checks live beside the log in
//!   [`producer_state`], called by the broker's produce path ([`broker::produce`]).
//! * Randomness Kafka takes from `ThreadLocalRandom`/`Random` (sticky partition, assignment
//!   start index and shift) comes from the seeded simulator RNG, so choices are reproducible
//!   but not those of a real JVM.
//! * JSON written to ZooKeeper has a fixed key order per znode; Kafka's order comes from Scala
//!   hash maps (see [`znodes`]). Decoders accept any order and never panic.
//! * Rack-aware assignment and the cooperative-sticky assignor are not here yet.

pub mod assignment;
pub mod broker;
pub mod bugs;
pub mod config;
pub mod consumer;
pub mod divergence;
pub mod epoch_cache;
pub mod errors;
pub mod group;
pub mod log;
pub mod msg;
pub mod node;
pub mod partition_state;
pub mod partitioner;
pub mod producer;
pub mod producer_state;
pub mod zk_consumer;
pub mod znodes;

pub use msg::{Msg, Tick, Timer, Wire};
pub use node::KafkaNode;
