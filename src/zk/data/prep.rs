//! The leader's `PrepRequestProcessor`: turns a client's write into the txn to propose,
//! checking it against a tree in exactly the order the real server does (sheet A.5), so the
//! error a client sees for a bad request is the one ZooKeeper would give.
//!
//! The leader keeps a second "prep tree" to which it applies every prepared txn right away
//! (ZooKeeper's outstanding-change records), so pipelined writes see each other; this is why
//! [`DataTree::prepare`] only needs `&self`.
//!
//! ACLs are checked where 3.8 checks them (`fixupACL` → `InvalidACL`, `checkACL` → `NoAuth`)
//! against the auth ids the request carries (a learner forwards them in the REQUEST packet,
//! as `QuorumPacket.authinfo`), and TTL creates are refused with `Unimplemented` unless the
//! ensemble enables extended types. Where the sheet and 3.8 source differ, the source wins:
//! `delete` checks DELETE on the parent **before** looking the node up, so a missing node under
//! a parent without DELETE gives `NoAuth`.
//!
//! Simplified compared to ZooKeeper 3.5.9/3.8: no `SessionMoved` (the tree does not know which
//! server owns a connection; the server checks that), no quotas. The session check uses the prep tree's
//! session table, which already lacks sessions whose `closeSession` has been prepared, as the
//! real tracker's "closing" mark does.

use crate::zk::data::acl::{self, fixup_acl, Acl, Id};
use crate::zk::data::extended::{ttl_is_valid, EphemeralType};
use crate::zk::data::path::{self, check_path, sequential_path};
use crate::zk::data::tree::DataTree;
use crate::zk::data::txn::{Txn, TxnHeader, WriteOp};
use crate::zk::types::{CreateMode, ErrorCode, SessionId};

/// Who sends a request and how the ensemble is configured: what `prepare` checks against
/// besides the tree.
#[derive(Clone, Copy, Debug, Default)]
pub struct Requester<'a> {
    /// The connection's auth ids (`Request.authInfo`).
    pub auth: &'a [Id],
    /// `zookeeper.extendedTypesEnabled` (TTL nodes).
    pub extended_types: bool,
}

impl DataTree {
    /// Validates `op` from `session` against this tree and returns the txn to propose: the
    /// change, or `Txn::Error(code)` (a failed write still becomes a txn and takes a zxid).
    ///
    /// Checks, in order, after the session check (`SessionExpired` if `session` is not in
    /// the session table):
    /// * create: `BadArguments` (no `/` or NUL), `NoNode` (parent), *sequential suffix from
    ///   the parent's stored `cversion`*, `BadArguments` (full path), `NodeExists`,
    ///   `NoChildrenForEphemerals`;
    /// * delete: `BadArguments` (no `/`, NUL, reserved node), `NoNode` (parent, then node),
    ///   `BadVersion`, `NotEmpty`;
    /// * setData and check: `BadArguments` (full path), `NoNode`, `BadVersion`;
    /// * multi: each op against the state left by the earlier ops; on the first failure the
    ///   later ops become `Error(RuntimeInconsistency)` and the whole multi applies nothing. A
    ///   multi nested in a multi cannot be encoded on the wire: `MarshallingError`.
    pub fn prepare(&self, session: SessionId, op: &WriteOp) -> Txn {
        self.prepare_as(session, Requester::default(), op)
    }

    /// [`DataTree::prepare`] for a requester with auth ids and the ensemble's extended-types
    /// switch. ACL checks: create needs CREATE on the parent, delete DELETE on the parent,
    /// setData WRITE, check READ, setACL ADMIN; ACL lists go through `fixupACL`.
    pub fn prepare_as(&self, session: SessionId, who: Requester, op: &WriteOp) -> Txn {
        match op {
            WriteOp::Multi(ops) => self.prepare_multi(session, who, ops),
            _ => self.prepare_op(session, who, op).unwrap_or_else(Txn::Error),
        }
    }

    fn prepare_multi(&self, session: SessionId, who: Requester, ops: &[WriteOp]) -> Txn {
        // Later ops must see earlier ones: apply each to a scratch copy, made only if needed.
        let mut scratch: Option<DataTree> = None;
        let mut txns = Vec::with_capacity(ops.len());
        let mut failed = false;
        for (i, op) in ops.iter().enumerate() {
            if failed {
                txns.push(Txn::Error(ErrorCode::RuntimeInconsistency));
                continue;
            }
            let prepared = scratch
                .as_ref()
                .unwrap_or(self)
                .prepare_op(session, who, op);
            match prepared {
                Ok(txn) => {
                    if i + 1 < ops.len() {
                        let tree = scratch.get_or_insert_with(|| self.clone());
                        let hdr = TxnHeader {
                            session_id: session,
                            cxid: 0,
                            zxid: tree.last_processed_zxid(),
                            time_ms: 0,
                        };
                        tree.apply(&hdr, &txn);
                    }
                    txns.push(txn);
                }
                Err(code) => {
                    failed = true;
                    txns.push(Txn::Error(code));
                }
            }
        }
        Txn::Multi(txns)
    }

    fn prepare_op(
        &self,
        session: SessionId,
        who: Requester,
        op: &WriteOp,
    ) -> Result<Txn, ErrorCode> {
        if let WriteOp::DeleteContainer { path } = op {
            return self.prepare_delete_container(path);
        }
        if let WriteOp::Create { mode, ttl, .. } = op {
            // `validateCreateRequest`: TTL checks come before the session check.
            if mode.is_ttl() && !who.extended_types {
                return Err(ErrorCode::Unimplemented);
            }
            if !ttl_is_valid(*mode, *ttl) {
                return Err(ErrorCode::BadArguments);
            }
        }
        if !self.sessions().contains_key(&session) {
            return Err(ErrorCode::SessionExpired);
        }
        match op {
            WriteOp::Create {
                path,
                data,
                mode,
                acl,
                ttl,
                ..
            } => self.prepare_create(path, data, *mode, acl, *ttl, who.auth),
            WriteOp::Delete { path, version } => self.prepare_delete(path, *version, who.auth),
            WriteOp::SetAcl { path, acl, version } => {
                check_path(path)?;
                let acl = fixup_acl(who.auth, acl)?;
                let node = self.node(path).ok_or(ErrorCode::NoNode)?;
                acl::check_acl(&node.acl, acl::ADMIN, who.auth)?;
                let version = check_version(node.stat.aversion, *version)?;
                Ok(Txn::SetAcl {
                    path: path.clone(),
                    acl,
                    version,
                })
            }
            WriteOp::DeleteContainer { .. } => Err(ErrorCode::SystemError),
            WriteOp::SetData {
                path,
                data,
                version,
            } => {
                let version = self.checked_version(path, *version, acl::WRITE, who.auth)?;
                Ok(Txn::SetData {
                    path: path.clone(),
                    data: data.clone(),
                    version,
                })
            }
            WriteOp::Check { path, version } => {
                let version = self.checked_version(path, *version, acl::READ, who.auth)?;
                Ok(Txn::Check {
                    path: path.clone(),
                    version,
                })
            }
            WriteOp::Multi(_) => Err(ErrorCode::MarshallingError),
        }
    }

    /// `PrepRequestProcessor.pRequest2TxnCreate`.
    fn prepare_create(
        &self,
        path: &str,
        data: &str,
        mode: CreateMode,
        acl: &[Acl],
        ttl: i64,
        auth: &[Id],
    ) -> Result<Txn, ErrorCode> {
        let parent_path = path::parent_for_create(path)?;
        let acl = fixup_acl(auth, acl)?;
        let parent = self.node(parent_path).ok_or(ErrorCode::NoNode)?;
        acl::check_acl(&parent.acl, acl::CREATE, auth)?;
        let stored_cversion = parent.stat.cversion;
        let path = if mode.is_sequential() {
            sequential_path(path, stored_cversion)
        } else {
            path.to_string()
        };
        check_path(&path)?;
        if self.node(&path).is_some() {
            return Err(ErrorCode::NodeExists);
        }
        if parent.is_ephemeral() {
            return Err(ErrorCode::NoChildrenForEphemerals);
        }
        Ok(Txn::Create {
            path,
            data: data.to_string(),
            ephemeral: mode.is_ephemeral(),
            parent_cversion: stored_cversion.wrapping_add(1),
            acl,
            container: mode.is_container(),
            ttl: if mode.is_ttl() { ttl } else { 0 },
        })
    }

    /// `PrepRequestProcessor.pRequest2Txn`, `OpCode.delete`.
    fn prepare_delete(&self, path: &str, version: i32, auth: &[Id]) -> Result<Txn, ErrorCode> {
        let parent_path = path::parent_for_delete(path)?;
        let parent = self.node(parent_path).ok_or(ErrorCode::NoNode)?;
        acl::check_acl(&parent.acl, acl::DELETE, auth)?;
        let node = self.node(path).ok_or(ErrorCode::NoNode)?;
        check_version(node.stat.version, version)?;
        if !node.children.is_empty() {
            return Err(ErrorCode::NotEmpty);
        }
        Ok(Txn::Delete {
            path: path.to_string(),
        })
    }

    /// `OpCode.deleteContainer` (no session check: the request has session 0): `NoNode`,
    /// `NotEmpty`, `BadVersion` if the node is an ordinary ephemeral, then a delete txn.
    fn prepare_delete_container(&self, path: &str) -> Result<Txn, ErrorCode> {
        let parent_path = path::parent_for_delete(path)?;
        let node = self.node(path).ok_or(ErrorCode::NoNode)?;
        if !node.children.is_empty() {
            return Err(ErrorCode::NotEmpty);
        }
        if node.ephemeral_type() == EphemeralType::Normal {
            return Err(ErrorCode::BadVersion);
        }
        self.node(parent_path).ok_or(ErrorCode::NoNode)?;
        Ok(Txn::DeleteContainer {
            path: path.to_string(),
        })
    }

    /// The `setData`/`check` prefix: full path check, `NoNode`, `NoAuth` (no `perm`), then
    /// `BadVersion`; returns the version + 1 the txn carries.
    fn checked_version(
        &self,
        path: &str,
        expected: i32,
        perm: i32,
        auth: &[Id],
    ) -> Result<i32, ErrorCode> {
        check_path(path)?;
        let node = self.node(path).ok_or(ErrorCode::NoNode)?;
        acl::check_acl(&node.acl, perm, auth)?;
        check_version(node.stat.version, expected)
    }
}

/// `PrepRequestProcessor.checkAndIncVersion`: `-1` matches any version.
fn check_version(current: i32, expected: i32) -> Result<i32, ErrorCode> {
    if expected != -1 && expected != current {
        return Err(ErrorCode::BadVersion);
    }
    Ok(current.wrapping_add(1))
}
