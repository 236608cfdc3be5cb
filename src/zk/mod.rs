//! ZooKeeper: servers, the replicated database, the client library and what is built on it.
//!
//! * [`server`]: a ZooKeeper server: Fast Leader Election, Zab discovery/sync/broadcast,
//!   client connections and the session tracker.
//! * [`data`]: the data tree, transactions, request preparation, paths and watch tables.
//! * [`client`]: the client library (`ZooKeeper` handle and its connection) and the client
//!   actor that embeds it.
//! * [`recipes`]: config, group membership, barrier, queue, lock and election recipes.
//! * [`script`]: zk-script, a JSON script of client calls run against a real ensemble.
//! * [`msg`], [`types`], [`config`]: the vocabulary every part shares.
//!
//! Modelled on ZooKeeper 3.5.9 (the version Kafka 2.8 ships), with the measured 3.8 facts of
//! `shared/protocols.md` section A; ACLs (`world`, `auth`, `digest`, `ip`), container and TTL
//! nodes follow the 3.8 source. Common simplifications: no SASL or `super` user, data as
//! UTF-8 text, children listed sorted. Each module says what else it leaves out.

pub mod bugs;
pub mod client;
pub mod config;
pub mod data;
pub mod msg;
pub mod node;
pub mod recipes;
pub mod script;
pub mod server;
pub mod types;

pub use bugs::{Bug, Bugs};
pub use client::node::ClientNode;
pub use config::{Sid, ZkConfig};
pub use data::tree::{DataTree, StatPersisted, Znode};
pub use data::txn::{ApplyOutcome, OpResult, Txn, TxnHeader, WatchTarget, WatchTrigger, WriteOp};
pub use data::watches::{PathWatches, WatchManager};
pub use msg::{Msg, Timer};
pub use node::ZkNode;
pub use server::Server;
pub use types::{
    counter_of, epoch_of, fmt_zxid, zxid, CreateMode, ErrorCode, EventType, KeeperState, SessionId,
    Stat, Zxid,
};
