//! Write requests, the transactions the leader turns them into, and what applying a
//! transaction yields (`zookeeper.jute`'s `TxnHeader`, `CreateTxn`, `DeleteTxn`,
//! `SetDataTxn`, `CheckVersionTxn`, `ErrorTxn`, `MultiTxn`, `CreateSessionTxn`, and the
//! server's `ProcessTxnResult`).
//!
//! Also `CreateContainerTxn`, `CreateTTLTxn`, `SetACLTxn` and the `deleteContainer` request
//! of the leader's container manager (whose txn is a `DeleteTxn` under opcode 20).
//!
//! Simplified compared to ZooKeeper 3.5.9/3.8: data is UTF-8 text, no reconfig txn, and a txn
//! is a Rust value rather than jute bytes. A failed `multi` keeps the real shape: a `MultiTxn` whose failing op (and every op
//! after it) is an `ErrorTxn`. `create` and `create2` requests make the same `CreateTxn`;
//! only the answer differs ([`OpResult::response_to`], after `FinalRequestProcessor`).

use crate::zk::data::acl::{open_acl_unsafe, Acl};
use crate::zk::types::{CreateMode, ErrorCode, EventType, SessionId, Stat, Zxid};

/// A write request from a client (`CreateRequest`, `DeleteRequest`, `SetDataRequest`,
/// `CheckVersionRequest`, `MultiTransactionRecord`). Version `-1` means "any version".
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WriteOp {
    /// `create(path, data, mode)`; for sequential modes `path` is the prefix.
    Create {
        /// Requested path (prefix of the final name for sequential modes).
        path: String,
        /// Initial data.
        data: String,
        /// Ephemeral and/or sequential.
        mode: CreateMode,
        /// Opcode `create2` (15) rather than `create` (1): the answer carries the new node's
        /// stat as well as its path. Both make the same txn. (Container and TTL modes go as
        /// `createContainer`/`createTTL`, which always answer with the stat.)
        stat: bool,
        /// The new node's ACL, before `fixupACL`.
        acl: Vec<Acl>,
        /// `CreateTTLRequest.ttl` in ms for the TTL modes; -1 otherwise (what the server
        /// assumes for a request without one).
        ttl: i64,
    },
    /// `setACL(path, acl, aversion)`.
    SetAcl {
        /// Node whose ACL changes.
        path: String,
        /// New ACL, before `fixupACL`.
        acl: Vec<Acl>,
        /// Expected `aversion`, or -1.
        version: i32,
    },
    /// `deleteContainer(path)`: only the leader's container manager sends it (session 0).
    DeleteContainer {
        /// Container or TTL node to delete.
        path: String,
    },
    /// `delete(path, version)`.
    Delete {
        /// Node to delete.
        path: String,
        /// Expected `version`, or -1.
        version: i32,
    },
    /// `setData(path, data, version)`.
    SetData {
        /// Node to write.
        path: String,
        /// New data.
        data: String,
        /// Expected `version`, or -1.
        version: i32,
    },
    /// `check(path, version)`: a pure version assertion, meant for use inside `multi`.
    Check {
        /// Node to check.
        path: String,
        /// Expected `version`, or -1.
        version: i32,
    },
    /// `multi(ops)`: all ops or none, under one zxid. Ops may not themselves be `Multi`.
    Multi(Vec<WriteOp>),
}

impl WriteOp {
    /// The request's opcode name as ZooKeeper logs it (`create`, `create2`, `delete`,
    /// `setData`, `check`, `multi`).
    pub fn name(&self) -> &'static str {
        match self {
            WriteOp::Create { mode, .. } if mode.is_container() => "createContainer",
            WriteOp::Create { mode, .. } if mode.is_ttl() => "createTTL",
            WriteOp::Create { stat: true, .. } => "create2",
            WriteOp::Create { .. } => "create",
            WriteOp::SetAcl { .. } => "setACL",
            WriteOp::DeleteContainer { .. } => "deleteContainer",
            WriteOp::Delete { .. } => "delete",
            WriteOp::SetData { .. } => "setData",
            WriteOp::Check { .. } => "check",
            WriteOp::Multi(_) => "multi",
        }
    }

    /// The path the op names (`None` for `multi`).
    pub fn path(&self) -> Option<&str> {
        match self {
            WriteOp::Create { path, .. }
            | WriteOp::Delete { path, .. }
            | WriteOp::SetData { path, .. }
            | WriteOp::Check { path, .. }
            | WriteOp::SetAcl { path, .. }
            | WriteOp::DeleteContainer { path } => Some(path),
            WriteOp::Multi(_) => None,
        }
    }
}

/// Builders named after the Java client's `Op` factory methods, for `multi`.
impl WriteOp {
    /// `Op.check(path, version)`: a pure version assertion.
    pub fn check(path: &str, version: i32) -> WriteOp {
        WriteOp::Check {
            path: path.to_string(),
            version,
        }
    }

    /// `Op.create(path, data, OPEN_ACL_UNSAFE, mode)`: opcode `create`, answered with the path.
    pub fn create(path: &str, data: &str, mode: CreateMode) -> WriteOp {
        WriteOp::Create {
            path: path.to_string(),
            data: data.to_string(),
            mode,
            stat: false,
            acl: open_acl_unsafe(),
            ttl: -1,
        }
    }

    /// `create2`: [`WriteOp::create`] answered with the new node's stat as well.
    pub fn create2(path: &str, data: &str, mode: CreateMode) -> WriteOp {
        let mut op = WriteOp::create(path, data, mode);
        if let WriteOp::Create { stat, .. } = &mut op {
            *stat = true;
        }
        op
    }

    /// `Op.create(path, data, acl, mode, ttl)` with an explicit ACL and TTL (-1 for none).
    pub fn create_with(
        path: &str,
        data: &str,
        acl: Vec<Acl>,
        mode: CreateMode,
        ttl: i64,
    ) -> WriteOp {
        let mut op = WriteOp::create(path, data, mode);
        if let WriteOp::Create { acl: a, ttl: t, .. } = &mut op {
            *a = acl;
            *t = ttl;
        }
        op
    }

    /// `Op.setData(path, data, version)`.
    pub fn set_data(path: &str, data: &str, version: i32) -> WriteOp {
        WriteOp::SetData {
            path: path.to_string(),
            data: data.to_string(),
            version,
        }
    }

    /// `Op.delete(path, version)`.
    pub fn delete(path: &str, version: i32) -> WriteOp {
        WriteOp::Delete {
            path: path.to_string(),
            version,
        }
    }
}

/// `TxnHeader`: who asked, the zxid the leader assigned, and the leader's wall-clock time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TxnHeader {
    /// The session that issued the request (`clientId`).
    pub session_id: SessionId,
    /// The client's request number (`cxid`); carried for replies, ignored by the tree.
    pub cxid: i32,
    /// The zxid the leader assigned.
    pub zxid: Zxid,
    /// The leader's wall-clock time in ms; becomes `ctime`/`mtime`.
    pub time_ms: i64,
}

/// A transaction as proposed by the leader and applied by every replica.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Txn {
    /// `CreateSessionTxn`: adds the header's session to the replicated session table.
    CreateSession {
        /// Negotiated session timeout.
        timeout_ms: i32,
    },
    /// `closeSession`: removes the header's session and deletes its ephemerals.
    CloseSession,
    /// `CreateTxn`. The owner of an ephemeral is the header's session, as in jute.
    Create {
        /// Final path (sequential suffix included).
        path: String,
        /// Initial data.
        data: String,
        /// Owned by the header's session.
        ephemeral: bool,
        /// The parent's new **stored** `cversion` (old + 1, wrapping).
        parent_cversion: i32,
        /// The ACL after `fixupACL`.
        acl: Vec<Acl>,
        /// `CreateContainerTxn`: the node is a container.
        container: bool,
        /// `CreateTTLTxn`: the node's TTL in ms; 0 for any other node.
        ttl: i64,
    },
    /// `DeleteTxn`.
    Delete {
        /// Node to delete.
        path: String,
    },
    /// A `DeleteTxn` under opcode `deleteContainer` (20), from the container manager.
    DeleteContainer {
        /// Container or TTL node to delete.
        path: String,
    },
    /// `SetACLTxn`.
    SetAcl {
        /// Node whose ACL changes.
        path: String,
        /// The ACL after `fixupACL`.
        acl: Vec<Acl>,
        /// The node's **new** `aversion` (old + 1).
        version: i32,
    },
    /// `SetDataTxn`.
    SetData {
        /// Node to write.
        path: String,
        /// New data.
        data: String,
        /// The node's **new** version (old + 1).
        version: i32,
    },
    /// `CheckVersionTxn`: changes nothing. `version` is the checked version + 1, as the real
    /// server records it.
    Check {
        /// Node checked.
        path: String,
        /// Checked version + 1.
        version: i32,
    },
    /// `MultiTxn`. If any op is an [`Txn::Error`] the whole multi fails and nothing applies.
    Multi(Vec<Txn>),
    /// `ErrorTxn`: a write that failed validation; it still takes a zxid.
    Error(ErrorCode),
}

impl Txn {
    /// The opcode name (`createSession`, `closeSession`, `create`, `delete`, `setData`,
    /// `check`, `multi`, `error`).
    pub fn name(&self) -> &'static str {
        match self {
            Txn::CreateSession { .. } => "createSession",
            Txn::CloseSession => "closeSession",
            Txn::Create {
                container: true, ..
            } => "createContainer",
            Txn::Create { ttl, .. } if *ttl > 0 => "createTTL",
            Txn::Create { .. } => "create",
            Txn::Delete { .. } => "delete",
            Txn::DeleteContainer { .. } => "deleteContainer",
            Txn::SetAcl { .. } => "setACL",
            Txn::SetData { .. } => "setData",
            Txn::Check { .. } => "check",
            Txn::Multi(_) => "multi",
            Txn::Error(_) => "error",
        }
    }

    /// The `ZooDefs.OpCode` of the txn.
    pub fn op_code(&self) -> i32 {
        match self {
            Txn::CreateSession { .. } => -10,
            Txn::CloseSession => -11,
            Txn::Create {
                container: true, ..
            } => 19,
            Txn::Create { ttl, .. } if *ttl > 0 => 21,
            Txn::Create { .. } => 1,
            Txn::Delete { .. } => 2,
            Txn::DeleteContainer { .. } => 20,
            Txn::SetAcl { .. } => 7,
            Txn::SetData { .. } => 5,
            Txn::Check { .. } => 13,
            Txn::Multi(_) => 14,
            Txn::Error(_) => -1,
        }
    }

    /// The error the client will get: `Ok`, the code of an `ErrorTxn`, or for a multi the
    /// code of its first failing op.
    pub fn err(&self) -> ErrorCode {
        match self {
            Txn::Error(code) => *code,
            Txn::Multi(ops) => ops
                .iter()
                .map(Txn::err)
                .find(|c| !c.is_ok())
                .unwrap_or(ErrorCode::Ok),
            _ => ErrorCode::Ok,
        }
    }
}

/// The result of one applied txn (`ProcessTxnResult` / the `OpResult`s of a multi).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OpResult {
    /// A session was added.
    CreateSession,
    /// A session was removed (its ephemerals deleted).
    CloseSession,
    /// `CreateResult`: the actual path, and the new node's stat for `create2` (the tree
    /// always fills it in; [`OpResult::response_to`] drops it for a plain `create`).
    Create {
        /// Path created (sequential suffix included).
        path: String,
        /// The new node's reported stat.
        stat: Option<Stat>,
    },
    /// `DeleteResult`.
    Delete,
    /// `SetDataResult`: the node's new stat.
    SetData {
        /// The node's reported stat after the write.
        stat: Stat,
    },
    /// `CheckResult`.
    Check,
    /// `SetACLResponse`: the node's new stat.
    SetAcl {
        /// The node's reported stat after the change.
        stat: Stat,
    },
    /// Per-op results of a multi. In a failed multi every entry is an `Error`: `Ok` for the
    /// ops before the failing one (rolled back), its code, then `RuntimeInconsistency`.
    Multi(Vec<OpResult>),
    /// `ErrorResult`.
    Error(ErrorCode),
}

impl OpResult {
    /// The error code the reply carries: `Ok` unless this is an error, or a multi with one.
    pub fn err(&self) -> ErrorCode {
        match self {
            OpResult::Error(code) => *code,
            OpResult::Multi(results) => results
                .iter()
                .map(OpResult::err)
                .find(|c| !c.is_ok())
                .unwrap_or(ErrorCode::Ok),
            _ => ErrorCode::Ok,
        }
    }

    /// What `FinalRequestProcessor` answers to the request `op` that this result applied:
    /// the `ReplyHeader` error and the response body (`None` for an error).
    ///
    /// * A failed single write: its code, no body.
    /// * `create` (opcode 1): the path only (`CreateResponse`); `create2`: path and stat.
    /// * `multi`: header `Ok` **even when an op failed** (the server does not throw for a
    ///   multi); the failure is in the per-op results (`MultiResponse`), which the client
    ///   reads to find the first failing op. Each sub-result is shaped by its own op, so a
    ///   `create` inside a multi gives `CreateResult(path)` without a stat.
    pub fn response_to(self, op: &WriteOp) -> (ErrorCode, Option<OpResult>) {
        match (self, op) {
            (OpResult::Error(code), _) => (code, None),
            (OpResult::Multi(results), WriteOp::Multi(ops)) => {
                let ops = ops.iter().map(Some).chain(std::iter::repeat(None));
                let shaped = results
                    .into_iter()
                    .zip(ops)
                    .map(|(r, op)| match op {
                        Some(op) => r.shaped_for(op),
                        None => r,
                    })
                    .collect();
                (ErrorCode::Ok, Some(OpResult::Multi(shaped)))
            }
            (r, op) => (ErrorCode::Ok, Some(r.shaped_for(op))),
        }
    }

    /// Drops the stat of a `CreateResult` answering a plain `create` (a container or TTL
    /// create is `create2`-shaped: `Create2Response`).
    fn shaped_for(self, op: &WriteOp) -> OpResult {
        match (self, op) {
            (
                OpResult::Create { path, .. },
                WriteOp::Create {
                    stat: false, mode, ..
                },
            ) if !mode.is_container() && !mode.is_ttl() => OpResult::Create { path, stat: None },
            (r, _) => r,
        }
    }
}

/// Which watch table a trigger consults on a server (sheet A.6).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum WatchTarget {
    /// Data watches (set by `getData` and `exists`).
    Data,
    /// Child watches (set by `getChildren`).
    Children,
    /// A delete: data watches, then child watches, one notification per session.
    DataAndChildren,
}

/// One watch trigger produced by applying a txn; every server fires it against its own
/// watch table, in the order given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WatchTrigger {
    /// The event the watchers receive.
    pub event: EventType,
    /// The path the event names.
    pub path: String,
    /// Which watches it fires.
    pub target: WatchTarget,
}

/// What applying a txn did: the result for the client and the watch triggers, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApplyOutcome {
    /// Reply to the issuing client.
    pub result: OpResult,
    /// Watch triggers in firing order.
    pub triggers: Vec<WatchTrigger>,
}
