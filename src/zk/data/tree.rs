//! The replicated ZooKeeper database (`ZKDatabase`: the `DataTree` plus the session table)
//! as every server holds it in memory: znodes with their persisted stat, the global sessions
//! with their timeouts, each session's ephemeral nodes, and the last applied zxid.
//!
//! [`DataTree::apply`] is `DataTree.processTxn` (sheet A.3, A.6, A.7 rule 7): it is the only
//! way the tree changes, it is deterministic, and it returns the client's result together with
//! the watch triggers in the order the real server fires them. The leader-side validation
//! (`PrepRequestProcessor`) lives in `prep.rs` as [`DataTree::prepare`].
//!
//! Simplified compared to ZooKeeper 3.5.9/3.8:
//! * Each node keeps its own ACL list (the real tree shares them through a reference-counted
//!   cache, `ReferenceCountedACLCache`, which a client cannot observe).
//! * Containers and TTL nodes are stored as the real tree does, in `ephemeralOwner` (see
//!   `extended.rs`); the stat sent to clients shows 0 for them.
//! * Data is UTF-8 text (`dataLength` is its byte length).
//! * `getChildren` lists names sorted; the real server returns them in hash-set order.
//! * `closeSession` deletes a session's ephemerals in path order (the real order is that of a
//!   Java `HashSet`), so replicas stay comparable.
//! * `apply` refuses txns that would break the tree's shape (a create of an invalid path, or
//!   under a missing or ephemeral parent; a delete of a node with children or of a reserved
//!   node) with an error result instead of corrupting it; txns from [`DataTree::prepare`]
//!   never hit these.

use crate::sim::vecmap::{VecMap, VecSet};
use crate::zk::data::acl::{self, open_acl_unsafe, Acl, Id};
use crate::zk::data::extended::{EphemeralType, CONTAINER_OWNER};
use crate::zk::data::path::{self, parent_of};
use crate::zk::data::txn::{ApplyOutcome, OpResult, Txn, TxnHeader, WatchTarget, WatchTrigger};
use crate::zk::types::{ErrorCode, EventType, SessionId, Stat, Zxid};

/// The stored part of a znode's stat (`StatPersisted`): `dataLength` and `numChildren` are
/// computed, and `cversion` is the **stored** value (child creates only, sheet A.3).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct StatPersisted {
    /// zxid of the create txn.
    pub czxid: Zxid,
    /// zxid of the last data change.
    pub mzxid: Zxid,
    /// Leader wall-clock ms of the create.
    pub ctime: i64,
    /// Leader wall-clock ms of the last data change.
    pub mtime: i64,
    /// Number of data changes.
    pub version: i32,
    /// Stored child version: successful child creates (wrapping); the sequential counter.
    pub cversion: i32,
    /// Number of ACL changes.
    pub aversion: i32,
    /// Owning session for ephemerals, else 0; containers and TTL nodes store their
    /// `EphemeralType` encoding here (never shown to clients).
    pub ephemeral_owner: SessionId,
    /// zxid of the last change to the child list.
    pub pzxid: Zxid,
}

/// One znode (`DataNode`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Znode {
    /// The node's data.
    pub data: String,
    /// Names (last segments) of the children, sorted.
    pub children: VecSet<String>,
    /// The persisted stat.
    pub stat: StatPersisted,
    /// The node's ACL (after `fixupACL`).
    pub acl: Vec<Acl>,
}

impl Znode {
    /// The stat a client sees (`DataNode.copyStat`): reported `cversion` is
    /// `2 × stored − numChildren`, in Java's wrapping int arithmetic.
    pub fn stat(&self) -> Stat {
        let s = &self.stat;
        let num_children = self.children.len() as i32;
        Stat {
            czxid: s.czxid,
            mzxid: s.mzxid,
            ctime: s.ctime,
            mtime: s.mtime,
            version: s.version,
            cversion: s.cversion.wrapping_mul(2).wrapping_sub(num_children),
            aversion: s.aversion,
            ephemeral_owner: self.owner(),
            data_length: self.data.len() as i32,
            num_children,
            pzxid: s.pzxid,
        }
    }

    /// True if the node belongs to a session (not a container or TTL node).
    pub fn is_ephemeral(&self) -> bool {
        self.ephemeral_type() == EphemeralType::Normal
    }

    /// The owning session of an ephemeral, else 0 (`DataNode.getClientEphemeralOwner`).
    pub fn owner(&self) -> SessionId {
        if self.is_ephemeral() {
            self.stat.ephemeral_owner
        } else {
            0
        }
    }

    fn new(stat: StatPersisted, data: String, acl: Vec<Acl>) -> Znode {
        Znode {
            data,
            children: VecSet::new(),
            stat,
            acl,
        }
    }
}

static NO_PATHS: VecSet<String> = VecSet::new();

/// The replicated database of one server: ZooKeeper's `ZKDatabase`.
///
/// Two replicas that applied the same txns compare equal, whatever new-epoch zxid
/// (`epoch<<32`) either was given with [`DataTree::set_last_processed_zxid`].
#[derive(Clone, Debug)]
pub struct DataTree {
    nodes: VecMap<String, Znode>,
    sessions: VecMap<SessionId, i32>,
    ephemerals: VecMap<SessionId, VecSet<String>>,
    /// `lastProcessedZxid`: the last applied txn, or a new epoch's first zxid if higher.
    last_processed_zxid: Zxid,
    /// The last applied txn.
    last_txn_zxid: Zxid,
}

impl PartialEq for DataTree {
    fn eq(&self, other: &Self) -> bool {
        self.nodes == other.nodes
            && self.sessions == other.sessions
            && self.ephemerals == other.ephemerals
            && self.last_txn_zxid == other.last_txn_zxid
    }
}

impl Eq for DataTree {}

impl Default for DataTree {
    fn default() -> Self {
        DataTree::new()
    }
}

impl DataTree {
    /// A fresh database: `/`, `/zookeeper`, `/zookeeper/quota` and `/zookeeper/config`, all
    /// with zxid 0 and stored `cversion` 0 (so `/` reports −1 and `/zookeeper` −2), no sessions.
    pub fn new() -> DataTree {
        let mut nodes = VecMap::new();
        for p in path::RESERVED_PATHS {
            nodes.insert(
                p.to_string(),
                Znode::new(StatPersisted::default(), String::new(), open_acl_unsafe()),
            );
        }
        for p in path::RESERVED_PATHS.iter().skip(1) {
            let parent = parent_of(p).unwrap_or("/");
            if let Some(n) = nodes.get_mut(parent) {
                n.children.insert(path::name_of(p).to_string());
            }
        }
        DataTree {
            nodes,
            sessions: VecMap::new(),
            ephemerals: VecMap::new(),
            last_processed_zxid: 0,
            last_txn_zxid: 0,
        }
    }

    /// The highest zxid applied so far, or the new epoch's first zxid a leader set on
    /// activation if that is higher (`DataTree.lastProcessedZxid`).
    pub fn last_processed_zxid(&self) -> Zxid {
        self.last_processed_zxid
    }

    /// The zxid of the last txn actually applied (no new-epoch zxid).
    pub fn last_txn_zxid(&self) -> Zxid {
        self.last_txn_zxid
    }

    /// `ZKDatabase.setlastProcessedZxid`: raises the last processed zxid without a txn (a
    /// leader's `newEpoch<<32` on activation, a learner's SNAP or TRUNC zxid). It never goes
    /// down.
    pub fn set_last_processed_zxid(&mut self, zxid: Zxid) {
        self.last_processed_zxid = self.last_processed_zxid.max(zxid);
    }

    /// The replicated session table: session id → negotiated timeout in ms.
    pub fn sessions(&self) -> &VecMap<SessionId, i32> {
        &self.sessions
    }

    /// The timeout of a live session, if it is in the table.
    pub fn session_timeout_ms(&self, session: SessionId) -> Option<i32> {
        self.sessions.get(&session).copied()
    }

    /// The paths of the session's ephemeral nodes, sorted.
    pub fn ephemerals_of(&self, session: SessionId) -> &VecSet<String> {
        self.ephemerals.get(&session).unwrap_or(&NO_PATHS)
    }

    /// The znode at `path`, exactly as named.
    pub fn node(&self, path: &str) -> Option<&Znode> {
        self.nodes.get(path)
    }

    /// Every znode in path order (for views and checkers).
    pub fn nodes(&self) -> impl Iterator<Item = (&str, &Znode)> {
        self.nodes.iter().map(|(p, n)| (p.as_str(), n))
    }

    /// Number of znodes, the four reserved ones included.
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// The reported stat of the node at `path`.
    pub fn stat(&self, path: &str) -> Option<Stat> {
        self.nodes.get(path).map(Znode::stat)
    }

    /// `getData`: data and stat, or `NoNode`. Paths are not validated (a malformed path is
    /// simply absent). The caller registers a data watch only on success.
    pub fn get_data(&self, path: &str) -> Result<(String, Stat), ErrorCode> {
        let node = self.nodes.get(path).ok_or(ErrorCode::NoNode)?;
        Ok((node.data.clone(), node.stat()))
    }

    /// `exists`: the stat, or `None` if absent. Only a NUL in the path is an error
    /// (`BadArguments`); otherwise the caller registers a data watch even when the node is
    /// absent, so that it fires `NodeCreated`.
    pub fn exists(&self, path: &str) -> Result<Option<Stat>, ErrorCode> {
        if path.contains('\0') {
            return Err(ErrorCode::BadArguments);
        }
        Ok(self.stat(path))
    }

    /// `getChildren2`: child names and the node's stat, or `NoNode`. Names are sorted (the
    /// real server does not sort). The caller registers a child watch only on success.
    pub fn get_children(&self, path: &str) -> Result<(Vec<String>, Stat), ErrorCode> {
        let node = self.nodes.get(path).ok_or(ErrorCode::NoNode)?;
        Ok((node.children.iter().cloned().collect(), node.stat()))
    }

    /// `checkACL` on the node at `path`: `NoNode` if absent, `NoAuth` unless one of `auth`'s
    /// ids (or `world:anyone`) holds one of the bits in `perm`.
    pub fn check_acl(&self, path: &str, perm: i32, auth: &[Id]) -> Result<(), ErrorCode> {
        let node = self.nodes.get(path).ok_or(ErrorCode::NoNode)?;
        acl::check_acl(&node.acl, perm, auth)
    }

    /// `getACL` (`FinalRequestProcessor`): `NoNode`, `NoAuth` without READ or ADMIN; a caller
    /// without ADMIN sees digest ids as `user:x`.
    pub fn get_acl(&self, path: &str, auth: &[Id]) -> Result<(Vec<Acl>, Stat), ErrorCode> {
        let node = self.nodes.get(path).ok_or(ErrorCode::NoNode)?;
        acl::check_acl(&node.acl, acl::READ | acl::ADMIN, auth)?;
        let shown = match acl::check_acl(&node.acl, acl::ADMIN, auth) {
            Ok(()) => node.acl.clone(),
            Err(_) => acl::redacted(&node.acl),
        };
        Ok((shown, node.stat()))
    }

    /// Applies one committed txn (`ZKDatabase.processTxn`) and returns the client's result
    /// and the watch triggers in firing order. Raises `last_processed_zxid` to `hdr.zxid`
    /// (it never goes down, as in the real tree).
    pub fn apply(&mut self, hdr: &TxnHeader, txn: &Txn) -> ApplyOutcome {
        let mut triggers = Vec::new();
        let result = self.apply_txn(hdr, txn, &mut triggers);
        self.last_processed_zxid = self.last_processed_zxid.max(hdr.zxid);
        self.last_txn_zxid = self.last_txn_zxid.max(hdr.zxid);
        ApplyOutcome { result, triggers }
    }

    fn apply_txn(&mut self, hdr: &TxnHeader, txn: &Txn, out: &mut Vec<WatchTrigger>) -> OpResult {
        let done = match txn {
            Txn::CreateSession { timeout_ms } => {
                self.sessions.insert(hdr.session_id, *timeout_ms);
                Ok(OpResult::CreateSession)
            }
            Txn::CloseSession => {
                self.kill_session(hdr.session_id, hdr.zxid, out);
                Ok(OpResult::CloseSession)
            }
            Txn::Create {
                path,
                data,
                ephemeral,
                parent_cversion,
                acl,
                container,
                ttl,
            } => {
                let owner = if *container {
                    CONTAINER_OWNER
                } else if *ttl > 0 {
                    EphemeralType::ttl_owner(*ttl)
                } else if *ephemeral {
                    hdr.session_id
                } else {
                    0
                };
                let new = NewNode {
                    data,
                    owner,
                    parent_cversion: *parent_cversion,
                    acl,
                };
                self.create_node(hdr, path, new, out)
                    .map(|stat| OpResult::Create {
                        path: path.clone(),
                        stat: Some(stat),
                    })
            }
            Txn::Delete { path } | Txn::DeleteContainer { path } => self
                .delete_node(path, hdr.zxid, out)
                .map(|()| OpResult::Delete),
            Txn::SetAcl { path, acl, version } => match self.nodes.get_mut(path) {
                Some(node) => {
                    node.acl = acl.clone();
                    node.stat.aversion = *version;
                    Ok(OpResult::SetAcl { stat: node.stat() })
                }
                None => Err(ErrorCode::NoNode),
            },
            Txn::SetData {
                path,
                data,
                version,
            } => self
                .set_data(hdr, path, data, *version, out)
                .map(|stat| OpResult::SetData { stat }),
            Txn::Check { .. } => Ok(OpResult::Check),
            Txn::Multi(txns) => Ok(self.apply_multi(hdr, txns, out)),
            Txn::Error(code) => Err(*code),
        };
        done.unwrap_or_else(OpResult::Error)
    }

    /// A multi whose ops hold an `ErrorTxn` applies nothing: earlier ops report `Ok`, later
    /// non-error ops `RuntimeInconsistency` (`DataTree.processTxn`, `OpCode.multi`). Otherwise
    /// the ops apply in order under the multi's header, like the real tree (which does not
    /// roll back if an unprepared op fails half-way).
    fn apply_multi(
        &mut self,
        hdr: &TxnHeader,
        txns: &[Txn],
        out: &mut Vec<WatchTrigger>,
    ) -> OpResult {
        if txns.iter().any(|t| matches!(t, Txn::Error(_))) {
            let mut post_failed = false;
            let results = txns
                .iter()
                .map(|t| match t {
                    Txn::Error(code) => {
                        post_failed = true;
                        OpResult::Error(*code)
                    }
                    _ if post_failed => OpResult::Error(ErrorCode::RuntimeInconsistency),
                    _ => OpResult::Error(ErrorCode::Ok),
                })
                .collect();
            return OpResult::Multi(results);
        }
        OpResult::Multi(txns.iter().map(|t| self.apply_txn(hdr, t, out)).collect())
    }

    /// `DataTree.createNode`.
    fn create_node(
        &mut self,
        hdr: &TxnHeader,
        path: &str,
        new: NewNode,
        out: &mut Vec<WatchTrigger>,
    ) -> Result<Stat, ErrorCode> {
        let NewNode {
            data,
            owner,
            parent_cversion,
            acl,
        } = new;
        path::check_path(path)?;
        if self.nodes.contains_key(path) {
            return Err(ErrorCode::NodeExists);
        }
        let parent_path = parent_of(path).ok_or(ErrorCode::NoNode)?;
        let parent = self.nodes.get_mut(parent_path).ok_or(ErrorCode::NoNode)?;
        if parent.is_ephemeral() {
            return Err(ErrorCode::NoChildrenForEphemerals);
        }
        parent.stat.cversion = if parent_cversion == -1 {
            parent.stat.cversion.wrapping_add(1)
        } else {
            parent_cversion
        };
        parent.stat.pzxid = hdr.zxid;
        parent.children.insert(path::name_of(path).to_string());
        let stat = StatPersisted {
            czxid: hdr.zxid,
            mzxid: hdr.zxid,
            pzxid: hdr.zxid,
            ctime: hdr.time_ms,
            mtime: hdr.time_ms,
            ephemeral_owner: owner,
            ..StatPersisted::default()
        };
        let node = Znode::new(stat, data.to_string(), acl.to_vec());
        let reported = node.stat();
        let normal = node.is_ephemeral();
        self.nodes.insert(path.to_string(), node);
        if normal {
            self.ephemerals
                .entry(owner)
                .or_default()
                .insert(path.to_string());
        }
        out.push(trigger(EventType::NodeCreated, path, WatchTarget::Data));
        out.push(trigger(
            EventType::NodeChildrenChanged,
            parent_path,
            WatchTarget::Children,
        ));
        Ok(reported)
    }

    /// `DataTree.deleteNode`: the parent's `pzxid` only moves forward; its stored `cversion`
    /// is left alone (the reported one still grows, as `numChildren` drops).
    fn delete_node(
        &mut self,
        path: &str,
        zxid: Zxid,
        out: &mut Vec<WatchTrigger>,
    ) -> Result<(), ErrorCode> {
        if path::is_reserved(path) {
            return Err(ErrorCode::BadArguments);
        }
        let node = self.nodes.get(path).ok_or(ErrorCode::NoNode)?;
        if !node.children.is_empty() {
            return Err(ErrorCode::NotEmpty);
        }
        let owner = node.owner();
        let parent_path = parent_of(path).ok_or(ErrorCode::NoNode)?;
        let parent = self.nodes.get_mut(parent_path).ok_or(ErrorCode::NoNode)?;
        parent.children.remove(path::name_of(path));
        if zxid > parent.stat.pzxid {
            parent.stat.pzxid = zxid;
        }
        self.nodes.remove(path);
        if owner != 0 {
            if let Some(paths) = self.ephemerals.get_mut(&owner) {
                paths.remove(path);
                if paths.is_empty() {
                    self.ephemerals.remove(&owner);
                }
            }
        }
        out.push(trigger(
            EventType::NodeDeleted,
            path,
            WatchTarget::DataAndChildren,
        ));
        out.push(trigger(
            EventType::NodeChildrenChanged,
            parent_path,
            WatchTarget::Children,
        ));
        Ok(())
    }

    /// `DataTree.setData`: `version` is the new version carried by the txn.
    fn set_data(
        &mut self,
        hdr: &TxnHeader,
        path: &str,
        data: &str,
        version: i32,
        out: &mut Vec<WatchTrigger>,
    ) -> Result<Stat, ErrorCode> {
        let node = self.nodes.get_mut(path).ok_or(ErrorCode::NoNode)?;
        node.data = data.to_string();
        node.stat.version = version;
        node.stat.mzxid = hdr.zxid;
        node.stat.mtime = hdr.time_ms;
        let stat = node.stat();
        out.push(trigger(EventType::NodeDataChanged, path, WatchTarget::Data));
        Ok(stat)
    }

    /// `DataTree.killSession`: drops the session and deletes its ephemerals, in path order.
    fn kill_session(&mut self, session: SessionId, zxid: Zxid, out: &mut Vec<WatchTrigger>) {
        self.sessions.remove(&session);
        let paths = self.ephemerals.remove(&session).unwrap_or_default();
        for p in &paths {
            // An ephemeral has no children, so this cannot fail on a prepared history.
            let _ = self.delete_node(p, zxid, out);
        }
    }
}

/// What a create txn puts in the new node.
struct NewNode<'a> {
    data: &'a str,
    owner: SessionId,
    parent_cversion: i32,
    acl: &'a [Acl],
}

fn trigger(event: EventType, path: &str, target: WatchTarget) -> WatchTrigger {
    WatchTrigger {
        event,
        path: path.to_string(),
        target,
    }
}
