//! ZooKeeper: the replicated database (data tree, session table), leader-side request
//! preparation, per-server watch tables, and the vocabulary they share.
//!
//! Modelled on ZooKeeper 3.5.9 (the version Kafka 2.8 ships), with the measured 3.8 facts of
//! `shared/protocols.md` section A. Common simplifications: no ACLs (every node is
//! `world:anyone` with `ALL`, so `NoAuth`/`InvalidACL` never arise), no container or TTL
//! nodes, data as UTF-8 text, children listed sorted. Each module says what else it leaves out.

pub mod client;
pub mod client_node;
pub mod config;
pub mod conns;
pub mod election;
pub mod leader;
pub mod leader_broadcast;
pub mod leader_sync;
pub mod learner;
pub mod msg;
pub mod path;
pub mod prep;
pub mod recipes;
pub mod script;
pub mod server;
pub mod sessions;
pub mod summary;
pub mod tree;
pub mod txn;
pub mod types;
pub mod watches;
pub mod wire;

pub use client_node::ClientNode;
pub use config::{Sid, ZkConfig};
pub use msg::{Msg, Timer};
pub use server::Server;
pub use tree::{DataTree, StatPersisted, Znode};
pub use txn::{ApplyOutcome, OpResult, Txn, TxnHeader, WatchTarget, WatchTrigger, WriteOp};
pub use types::{
    counter_of, epoch_of, fmt_zxid, zxid, CreateMode, ErrorCode, EventType, KeeperState, SessionId,
    Stat, Zxid,
};
pub use watches::{PathWatches, WatchManager};
