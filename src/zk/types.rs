//! The ZooKeeper vocabulary shared by the data tree, the servers and the client: zxids,
//! session ids, `KeeperException` codes, `CreateMode`, the jute `Stat`, and the watch event
//! types and connection states (sheet A.2, A.3, A.5, A.6, A.9).
//!
//! Simplified compared to ZooKeeper 3.5.9/3.8:
//! * `CreateMode` has all seven modes; the opcode a create is sent with follows the mode, as
//!   the Java client does it (`createContainer` for `CONTAINER`, `createTTL` for the TTL modes).
//! * `EventType` stops at `NodeChildrenChanged`: `removeWatches` (and with it
//!   `DataWatchRemoved`/`ChildWatchRemoved`) and 3.6 persistent watches are not modelled.

use serde::Serialize;

/// A ZooKeeper transaction id: high 32 bits the epoch (leader term), low 32 bits a counter
/// (sheet A.9). Signed, as in Java, so it orders the same way the real server compares it.
pub type Zxid = i64;

/// A session id. The top byte names the server that created it (sheet A.7 rule 3).
pub type SessionId = i64;

/// Builds `(epoch << 32) | counter`.
pub fn zxid(epoch: u32, counter: u32) -> Zxid {
    ((u64::from(epoch) << 32) | u64::from(counter)) as i64
}

/// The epoch half (high 32 bits) of a zxid.
pub fn epoch_of(z: Zxid) -> u32 {
    ((z as u64) >> 32) as u32
}

/// The counter half (low 32 bits) of a zxid.
pub fn counter_of(z: Zxid) -> u32 {
    (z as u64 & 0xffff_ffff) as u32
}

/// Formats a zxid the way ZooKeeper logs and file names show it: `0x100000004`, `0x0`.
pub fn fmt_zxid(z: Zxid) -> String {
    format!("{:#x}", z as u64)
}

/// `KeeperException.Code`: every result code a ZooKeeper operation can report (sheet A.5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum ErrorCode {
    /// Everything is OK.
    Ok,
    /// A system or server-side error.
    SystemError,
    /// A runtime inconsistency; in a failed `multi`, the result of every op after the failing one.
    RuntimeInconsistency,
    /// A data inconsistency was found.
    DataInconsistency,
    /// The connection to the server was lost (client-side; a pending write may or may not apply).
    ConnectionLoss,
    /// Error while marshalling or unmarshalling data.
    MarshallingError,
    /// The operation is not implemented.
    Unimplemented,
    /// The operation timed out (client-side).
    OperationTimeout,
    /// Invalid arguments, e.g. a malformed path or deleting a reserved node.
    BadArguments,
    /// Unknown session (internal).
    UnknownSession,
    /// No quorum of the new config is connected and up to date.
    NewConfigNoQuorum,
    /// Another reconfiguration is in progress.
    ReconfigInProgress,
    /// Base of the API errors; never returned by itself.
    #[serde(rename = "APIError")]
    ApiError,
    /// The node (or its parent) does not exist.
    NoNode,
    /// Not authenticated / no permission.
    NoAuth,
    /// The expected version does not match the node's version.
    BadVersion,
    /// Ephemeral nodes may not have children.
    NoChildrenForEphemerals,
    /// The node already exists.
    NodeExists,
    /// The node has children.
    NotEmpty,
    /// The session has been expired by the server.
    SessionExpired,
    /// Invalid callback specified.
    InvalidCallback,
    /// Invalid ACL specified.
    InvalidACL,
    /// Client authentication failed.
    AuthFailed,
    /// The session moved to another server, so the operation is ignored.
    SessionMoved,
    /// A state-changing request was sent to a read-only server.
    NotReadOnly,
    /// An ephemeral node was attempted on a local session.
    EphemeralOnLocalSession,
    /// The watcher to remove does not exist.
    NoWatcher,
    /// The request timed out (client-side, only with `zookeeper.request.timeout`).
    RequestTimeout,
    /// Dynamic reconfiguration is disabled.
    ReconfigDisabled,
    /// The server requires SASL and the client has not authenticated; the session is closed.
    SessionClosedRequireSaslAuth,
}

impl ErrorCode {
    /// Every code, in the order of the sheet's table (`Ok` first).
    pub const ALL: [ErrorCode; 30] = [
        ErrorCode::Ok,
        ErrorCode::SystemError,
        ErrorCode::RuntimeInconsistency,
        ErrorCode::DataInconsistency,
        ErrorCode::ConnectionLoss,
        ErrorCode::MarshallingError,
        ErrorCode::Unimplemented,
        ErrorCode::OperationTimeout,
        ErrorCode::BadArguments,
        ErrorCode::UnknownSession,
        ErrorCode::NewConfigNoQuorum,
        ErrorCode::ReconfigInProgress,
        ErrorCode::ApiError,
        ErrorCode::NoNode,
        ErrorCode::NoAuth,
        ErrorCode::BadVersion,
        ErrorCode::NoChildrenForEphemerals,
        ErrorCode::NodeExists,
        ErrorCode::NotEmpty,
        ErrorCode::SessionExpired,
        ErrorCode::InvalidCallback,
        ErrorCode::InvalidACL,
        ErrorCode::AuthFailed,
        ErrorCode::SessionMoved,
        ErrorCode::NotReadOnly,
        ErrorCode::EphemeralOnLocalSession,
        ErrorCode::NoWatcher,
        ErrorCode::RequestTimeout,
        ErrorCode::ReconfigDisabled,
        ErrorCode::SessionClosedRequireSaslAuth,
    ];

    /// The integer code sent on the wire (`ReplyHeader.err`, `ErrorTxn.err`).
    pub fn code(self) -> i32 {
        match self {
            ErrorCode::Ok => 0,
            ErrorCode::SystemError => -1,
            ErrorCode::RuntimeInconsistency => -2,
            ErrorCode::DataInconsistency => -3,
            ErrorCode::ConnectionLoss => -4,
            ErrorCode::MarshallingError => -5,
            ErrorCode::Unimplemented => -6,
            ErrorCode::OperationTimeout => -7,
            ErrorCode::BadArguments => -8,
            ErrorCode::UnknownSession => -12,
            ErrorCode::NewConfigNoQuorum => -13,
            ErrorCode::ReconfigInProgress => -14,
            ErrorCode::ApiError => -100,
            ErrorCode::NoNode => -101,
            ErrorCode::NoAuth => -102,
            ErrorCode::BadVersion => -103,
            ErrorCode::NoChildrenForEphemerals => -108,
            ErrorCode::NodeExists => -110,
            ErrorCode::NotEmpty => -111,
            ErrorCode::SessionExpired => -112,
            ErrorCode::InvalidCallback => -113,
            ErrorCode::InvalidACL => -114,
            ErrorCode::AuthFailed => -115,
            ErrorCode::SessionMoved => -118,
            ErrorCode::NotReadOnly => -119,
            ErrorCode::EphemeralOnLocalSession => -120,
            ErrorCode::NoWatcher => -121,
            ErrorCode::RequestTimeout => -122,
            ErrorCode::ReconfigDisabled => -123,
            ErrorCode::SessionClosedRequireSaslAuth => -124,
        }
    }

    /// The name as `KeeperException.Code` spells it in the sheet, e.g. `"NoNode"`.
    pub fn name(self) -> &'static str {
        match self {
            ErrorCode::Ok => "Ok",
            ErrorCode::SystemError => "SystemError",
            ErrorCode::RuntimeInconsistency => "RuntimeInconsistency",
            ErrorCode::DataInconsistency => "DataInconsistency",
            ErrorCode::ConnectionLoss => "ConnectionLoss",
            ErrorCode::MarshallingError => "MarshallingError",
            ErrorCode::Unimplemented => "Unimplemented",
            ErrorCode::OperationTimeout => "OperationTimeout",
            ErrorCode::BadArguments => "BadArguments",
            ErrorCode::UnknownSession => "UnknownSession",
            ErrorCode::NewConfigNoQuorum => "NewConfigNoQuorum",
            ErrorCode::ReconfigInProgress => "ReconfigInProgress",
            ErrorCode::ApiError => "APIError",
            ErrorCode::NoNode => "NoNode",
            ErrorCode::NoAuth => "NoAuth",
            ErrorCode::BadVersion => "BadVersion",
            ErrorCode::NoChildrenForEphemerals => "NoChildrenForEphemerals",
            ErrorCode::NodeExists => "NodeExists",
            ErrorCode::NotEmpty => "NotEmpty",
            ErrorCode::SessionExpired => "SessionExpired",
            ErrorCode::InvalidCallback => "InvalidCallback",
            ErrorCode::InvalidACL => "InvalidACL",
            ErrorCode::AuthFailed => "AuthFailed",
            ErrorCode::SessionMoved => "SessionMoved",
            ErrorCode::NotReadOnly => "NotReadOnly",
            ErrorCode::EphemeralOnLocalSession => "EphemeralOnLocalSession",
            ErrorCode::NoWatcher => "NoWatcher",
            ErrorCode::RequestTimeout => "RequestTimeout",
            ErrorCode::ReconfigDisabled => "ReconfigDisabled",
            ErrorCode::SessionClosedRequireSaslAuth => "SessionClosedRequireSaslAuth",
        }
    }

    /// The code for a wire value, if it is one of the known codes.
    pub fn from_code(code: i32) -> Option<ErrorCode> {
        ErrorCode::ALL.into_iter().find(|c| c.code() == code)
    }

    /// True for `Ok`.
    pub fn is_ok(self) -> bool {
        self == ErrorCode::Ok
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// `CreateMode`: whether a znode is ephemeral and/or sequential (sheet A.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum CreateMode {
    /// `PERSISTENT` (flag 0): lives until deleted.
    Persistent,
    /// `EPHEMERAL` (flag 1): deleted when the owning session ends; may not have children.
    Ephemeral,
    /// `PERSISTENT_SEQUENTIAL` (flag 2): name gets a 10-digit counter suffix.
    PersistentSequential,
    /// `EPHEMERAL_SEQUENTIAL` (flag 3).
    EphemeralSequential,
    /// `CONTAINER` (flag 4): sent as `createContainer`; the leader's container manager
    /// deletes it once it has had a child and is empty again.
    Container,
    /// `PERSISTENT_WITH_TTL` (flag 5): sent as `createTTL`; deleted when childless and
    /// unmodified for its TTL. Needs `zookeeper.extendedTypesEnabled`.
    PersistentWithTtl,
    /// `PERSISTENT_SEQUENTIAL_WITH_TTL` (flag 6).
    PersistentSequentialWithTtl,
}

impl CreateMode {
    /// True for the two ephemeral modes.
    pub fn is_ephemeral(self) -> bool {
        matches!(
            self,
            CreateMode::Ephemeral | CreateMode::EphemeralSequential
        )
    }

    /// True for the two sequential modes.
    pub fn is_sequential(self) -> bool {
        matches!(
            self,
            CreateMode::PersistentSequential
                | CreateMode::EphemeralSequential
                | CreateMode::PersistentSequentialWithTtl
        )
    }

    /// True for `CONTAINER`.
    pub fn is_container(self) -> bool {
        self == CreateMode::Container
    }

    /// True for the two TTL modes.
    pub fn is_ttl(self) -> bool {
        matches!(
            self,
            CreateMode::PersistentWithTtl | CreateMode::PersistentSequentialWithTtl
        )
    }

    /// The mode with the given properties.
    pub fn from_flags(ephemeral: bool, sequential: bool) -> CreateMode {
        match (ephemeral, sequential) {
            (false, false) => CreateMode::Persistent,
            (true, false) => CreateMode::Ephemeral,
            (false, true) => CreateMode::PersistentSequential,
            (true, true) => CreateMode::EphemeralSequential,
        }
    }

    /// The `flags` value of a `CreateRequest`.
    pub fn flag(self) -> i32 {
        match self {
            CreateMode::Persistent => 0,
            CreateMode::Ephemeral => 1,
            CreateMode::PersistentSequential => 2,
            CreateMode::EphemeralSequential => 3,
            CreateMode::Container => 4,
            CreateMode::PersistentWithTtl => 5,
            CreateMode::PersistentSequentialWithTtl => 6,
        }
    }

    /// The mode for a `flags` value (`CreateMode.fromFlag`); `None` for unknown values.
    pub fn from_flag(flag: i32) -> Option<CreateMode> {
        match flag {
            0 => Some(CreateMode::Persistent),
            1 => Some(CreateMode::Ephemeral),
            2 => Some(CreateMode::PersistentSequential),
            3 => Some(CreateMode::EphemeralSequential),
            4 => Some(CreateMode::Container),
            5 => Some(CreateMode::PersistentWithTtl),
            6 => Some(CreateMode::PersistentSequentialWithTtl),
            _ => None,
        }
    }

    /// The Java constant name, e.g. `"EPHEMERAL_SEQUENTIAL"`.
    pub fn name(self) -> &'static str {
        match self {
            CreateMode::Persistent => "PERSISTENT",
            CreateMode::Ephemeral => "EPHEMERAL",
            CreateMode::PersistentSequential => "PERSISTENT_SEQUENTIAL",
            CreateMode::EphemeralSequential => "EPHEMERAL_SEQUENTIAL",
            CreateMode::Container => "CONTAINER",
            CreateMode::PersistentWithTtl => "PERSISTENT_WITH_TTL",
            CreateMode::PersistentSequentialWithTtl => "PERSISTENT_SEQUENTIAL_WITH_TTL",
        }
    }
}

/// The jute `Stat` a client sees, field for field in wire order (sheet A.3).
///
/// `cversion` is the **reported** value (`2 × stored − numChildren`); `data_length` and
/// `num_children` are computed, not stored.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Stat {
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
    /// Reported child version: child creates plus child deletes.
    pub cversion: i32,
    /// Number of ACL changes (always 0 here: no `setACL`).
    pub aversion: i32,
    /// Owning session for ephemerals, else 0.
    pub ephemeral_owner: SessionId,
    /// Length of the data in bytes.
    pub data_length: i32,
    /// Number of children.
    pub num_children: i32,
    /// zxid of the last change to the child list.
    pub pzxid: Zxid,
}

/// `Watcher.Event.EventType` (sheet A.6).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum EventType {
    /// A connection state change, delivered to the default watcher.
    None,
    /// The watched node was created (armed by `exists`).
    NodeCreated,
    /// The watched node was deleted.
    NodeDeleted,
    /// The watched node's data changed.
    NodeDataChanged,
    /// The watched node's child list changed.
    NodeChildrenChanged,
}

impl EventType {
    /// The wire value.
    pub fn code(self) -> i32 {
        match self {
            EventType::None => -1,
            EventType::NodeCreated => 1,
            EventType::NodeDeleted => 2,
            EventType::NodeDataChanged => 3,
            EventType::NodeChildrenChanged => 4,
        }
    }

    /// The Java name, e.g. `"NodeDataChanged"`.
    pub fn name(self) -> &'static str {
        match self {
            EventType::None => "None",
            EventType::NodeCreated => "NodeCreated",
            EventType::NodeDeleted => "NodeDeleted",
            EventType::NodeDataChanged => "NodeDataChanged",
            EventType::NodeChildrenChanged => "NodeChildrenChanged",
        }
    }

    /// The event type for a wire value.
    pub fn from_code(code: i32) -> Option<EventType> {
        [
            EventType::None,
            EventType::NodeCreated,
            EventType::NodeDeleted,
            EventType::NodeDataChanged,
            EventType::NodeChildrenChanged,
        ]
        .into_iter()
        .find(|e| e.code() == code)
    }
}

/// `Watcher.Event.KeeperState`: the connection state carried by every watch event (sheet A.6).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum KeeperState {
    /// Not connected to any server (the session may still be alive).
    Disconnected,
    /// Connected to a server.
    SyncConnected,
    /// Authentication failed.
    AuthFailed,
    /// Connected to a read-only server.
    ConnectedReadOnly,
    /// SASL authentication succeeded.
    SaslAuthenticated,
    /// The session expired (terminal).
    Expired,
    /// The client closed the handle (client-local).
    Closed,
}

impl KeeperState {
    /// The wire value.
    pub fn code(self) -> i32 {
        match self {
            KeeperState::Disconnected => 0,
            KeeperState::SyncConnected => 3,
            KeeperState::AuthFailed => 4,
            KeeperState::ConnectedReadOnly => 5,
            KeeperState::SaslAuthenticated => 6,
            KeeperState::Expired => -112,
            KeeperState::Closed => 7,
        }
    }

    /// The Java name, e.g. `"SyncConnected"`.
    pub fn name(self) -> &'static str {
        match self {
            KeeperState::Disconnected => "Disconnected",
            KeeperState::SyncConnected => "SyncConnected",
            KeeperState::AuthFailed => "AuthFailed",
            KeeperState::ConnectedReadOnly => "ConnectedReadOnly",
            KeeperState::SaslAuthenticated => "SaslAuthenticated",
            KeeperState::Expired => "Expired",
            KeeperState::Closed => "Closed",
        }
    }
}
