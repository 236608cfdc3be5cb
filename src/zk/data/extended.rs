//! Container and TTL nodes (sheet A.2; `EphemeralType`, `ContainerManager.getCandidates`,
//! 3.8): how their type is encoded in the **stored** `ephemeralOwner`, TTL validation, and
//! which nodes the leader's container manager would delete now.
//!
//! Simplified: `znode.container.maxNeverUsedIntervalMs` is 0 (off, the default), so a
//! container that never had a child is never deleted.

use crate::zk::data::tree::{DataTree, Znode};
use crate::zk::types::{CreateMode, SessionId};

/// Stored `ephemeralOwner` of a container (`EphemeralType.CONTAINER_EPHEMERAL_OWNER`,
/// `Long.MIN_VALUE`).
pub const CONTAINER_OWNER: SessionId = i64::MIN;
/// High byte that marks an extended type (`EXTENDED_MASK`); the TTL type has 0 in the next two
/// bytes and the TTL in the low 40 bits.
const EXTENDED_MASK: u64 = 0xff00_0000_0000_0000;
/// `EphemeralType.TTL.maxValue()`: the largest TTL in ms (2^40 − 1).
pub const MAX_TTL_MS: i64 = 0x00ff_ffff_ffff;

/// `EphemeralType`: what a stored `ephemeralOwner` says a node is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EphemeralType {
    /// 0: a persistent node.
    Void,
    /// A session id: an ordinary ephemeral.
    Normal,
    /// `Long.MIN_VALUE`.
    Container,
    /// `0xFF0000…` plus the TTL in ms.
    Ttl(i64),
}

impl EphemeralType {
    /// `EphemeralType.get(ephemeralOwner)`.
    pub fn of(owner: SessionId) -> EphemeralType {
        if owner == CONTAINER_OWNER {
            EphemeralType::Container
        } else if owner == 0 {
            EphemeralType::Void
        } else if (owner as u64) & EXTENDED_MASK == EXTENDED_MASK
            && (owner as u64) & 0x00ff_ff00_0000_0000 == 0
        {
            EphemeralType::Ttl(owner & MAX_TTL_MS)
        } else {
            EphemeralType::Normal
        }
    }

    /// The stored owner of a TTL node (`EphemeralType.TTL.toEphemeralOwner`).
    pub fn ttl_owner(ttl: i64) -> SessionId {
        (EXTENDED_MASK | (ttl & MAX_TTL_MS) as u64) as i64
    }
}

/// `EphemeralType.validateTTL`: a TTL mode needs `0 < ttl <= MAX_TTL_MS`; any other mode
/// must not carry a TTL (`ttl >= 0`). `false` means `BadArguments`.
pub fn ttl_is_valid(mode: CreateMode, ttl: i64) -> bool {
    if mode.is_ttl() {
        ttl > 0 && ttl <= MAX_TTL_MS
    } else {
        ttl < 0
    }
}

impl Znode {
    /// The node's `EphemeralType`.
    pub fn ephemeral_type(&self) -> EphemeralType {
        EphemeralType::of(self.stat.ephemeral_owner)
    }
}

impl DataTree {
    /// `ContainerManager.getCandidates` at leader wall-clock `now_ms`, in path order (the real
    /// one iterates hash sets): childless containers whose stored `cversion > 0`, then childless
    /// TTL nodes with `now - mtime > ttl`.
    pub fn container_candidates(&self, now_ms: i64) -> Vec<String> {
        let mut containers = Vec::new();
        let mut ttls = Vec::new();
        for (path, node) in self.nodes() {
            if !node.children.is_empty() {
                continue;
            }
            match node.ephemeral_type() {
                EphemeralType::Container if node.stat.cversion > 0 => {
                    containers.push(path.to_string())
                }
                EphemeralType::Ttl(ttl) if ttl != 0 && now_ms - node.stat.mtime > ttl => {
                    ttls.push(path.to_string())
                }
                _ => {}
            }
        }
        containers.extend(ttls);
        containers
    }

    /// Whether any container or TTL node exists (the container manager has work to look at).
    pub fn has_extended_nodes(&self) -> bool {
        self.nodes().any(|(_, n)| {
            matches!(
                n.ephemeral_type(),
                EphemeralType::Container | EphemeralType::Ttl(_)
            )
        })
    }
}
