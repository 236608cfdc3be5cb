//! Kafka on ZooKeeper (baseline 2.8.2): the pure protocol core.
//!
//! What exists so far are building blocks without actors (brokers, controller, producers and
//! consumers come once the cluster seams land):
//!
//! * [`errors`]: the `Errors.java` codes the simulator returns, with names and retriability.
//! * [`partitioner`]: murmur2, the default (keyed + sticky), uniform-sticky and round-robin
//!   partitioners of the producer.
//! * [`assignment`]: `AdminUtils.assignReplicasToBrokers` (rack-unaware) and partition addition.
//! * [`config`]: broker, topic, producer and consumer settings with 2.8 names and defaults.
//! * [`divergence`]: the fetch-path divergence check and the follower's truncation offset.
//! * [`epoch_cache`]: the leader epoch cache (`LeaderEpochFileCache`).
//! * [`group`]: coordinator partition for a group id, `range` and `roundrobin` assignors.
//! * [`log`]: a replica's partition log (LEO, HW, log start, truncation, bounded size).
//! * [`partition_state`]: HW, ISR shrink/expand and the controller's leader elections.
//! * [`znodes`]: Kafka's ZooKeeper paths and the JSON it stores there (`ZkData.scala`).
//!
//! Simplifications are listed in each module's own documentation.

pub mod assignment;
pub mod config;
pub mod divergence;
pub mod epoch_cache;
pub mod errors;
pub mod group;
pub mod log;
pub mod partition_state;
pub mod partitioner;
pub mod znodes;
