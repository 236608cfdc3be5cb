//! ZooKeeper client library (being written).

use super::msg::ClientOp;

/// A call a script or a lesson asks a client to make.
#[derive(Clone, Debug, PartialEq)]
pub struct Call {
    pub tag: u64,
    pub op: ClientOp,
}

/// Client timers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClientTimer {
    Ping,
}
