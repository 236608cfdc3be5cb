//! ZooKeeper's inputs in the URL: `expire:0xSESSION@N` expires a session, delivered to node N
//! (the leader at the time).

use crate::cluster::Msg;
use crate::sim::{Input, NodeId};
use crate::zk::{self, msg::Control, SessionId};

/// The URL form of a ZooKeeper input, if it is one.
pub fn encode(input: &Input<Msg>) -> Option<String> {
    match input {
        Input::Deliver(n, m) => match m.zk()? {
            zk::Msg::Control(Control::ExpireSession(s)) => {
                Some(format!("expire:{:#x}@{}", *s as u64, n.0))
            }
            _ => None,
        },
        _ => None,
    }
}

/// Parses `verb:arg` as a ZooKeeper input; `node` parses a node index.
pub fn decode(
    verb: &str,
    arg: &str,
    node: &dyn Fn(&str) -> Option<NodeId>,
    number: &dyn Fn(&str) -> Option<u64>,
) -> Option<Input<Msg>> {
    match verb {
        "expire" => {
            let (s, n) = arg.split_once('@')?;
            Some(expire(number(s)? as SessionId, node(n)?))
        }
        _ => None,
    }
}

/// Expiring `session` by hand, delivered to `leader`.
pub fn expire(session: SessionId, leader: NodeId) -> Input<Msg> {
    Input::Deliver(
        leader,
        Msg::from(zk::Msg::Control(Control::ExpireSession(session))),
    )
}
