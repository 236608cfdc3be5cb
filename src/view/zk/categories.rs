//! ZooKeeper's traffic categories, in legend order: the phases of Zab, client traffic and
//! the categories shared with other protocols.

use crate::view::categories::{Category, CONTROL, PING};
use crate::zk::msg::Category as Kind;

pub const ELECTION: Category = Category {
    slug: "election",
    title: "Election (votes)",
    shape: "M-6 0a6 6 0 1 0 12 0a6 6 0 1 0 -12 0Z",
};
pub const DISCOVERY: Category = Category {
    slug: "discovery",
    title: "Discovery (new epoch)",
    shape: "M0 -7L7 0L0 7L-7 0Z",
};
pub const SYNC: Category = Category {
    slug: "sync",
    title: "Sync (catch up)",
    shape: "M-5.5 -5.5H5.5V5.5H-5.5Z",
};
pub const BROADCAST: Category = Category {
    slug: "broadcast",
    title: "PROPOSAL (and other broadcast)",
    shape: "M0 -7L6.5 5.5H-6.5Z",
};
/// An ACK of a proposal: the same colour as the broadcast, a different shape.
pub const ACK: Category = Category {
    slug: "ack",
    title: "ACK",
    shape: "M-7 -2.5H7V2.5H-7Z",
};
/// A COMMIT: the same colour as the broadcast, a different shape.
pub const COMMIT: Category = Category {
    slug: "commit",
    title: "COMMIT",
    shape: "M-2.5 -7H2.5V-2.5H7V2.5H2.5V7H-2.5V2.5H-7V-2.5H-2.5Z",
};
/// `INFORM`: a committed txn told to an observer. Its own category (not "broadcast") since
/// it is neither a proposal nor a vote on one: the observer gets only what is already decided,
/// and a pentagon "arrow" tells it apart from the PROPOSAL/ACK/COMMIT triangles.
pub const INFORM: Category = Category {
    slug: "inform",
    title: "Inform (committed txn to an observer)",
    shape: "M-6 -5H2L7 0L2 5H-6Z",
};
pub const CLIENT_REQUEST: Category = Category {
    slug: "client-request",
    title: "Client request",
    shape: "M0 7L6.5 -5.5H-6.5Z",
};
pub const CLIENT_RESPONSE: Category = Category {
    slug: "client-response",
    title: "Reply to client",
    shape: "M-6.5 0L-3.25 -5.6H3.25L6.5 0L3.25 5.6H-3.25Z",
};
pub const WATCH: Category = Category {
    slug: "watch",
    title: "Watch event",
    shape: "M0 -7.5L1.8 -2.4L7.1 -2.3L2.9 0.9L4.4 6.1L0 3L-4.4 6.1L-2.9 0.9L-7.1 -2.3L-1.8 -2.4Z",
};
pub const CONNECTION: Category = Category {
    slug: "connection",
    title: "Connection closed",
    shape: "M-6 -3.5L-3.5 -6L0 -2.5L3.5 -6L6 -3.5L2.5 0L6 3.5L3.5 6L0 2.5L-3.5 6L-6 3.5L-2.5 0Z",
};

/// ZooKeeper's categories, in legend order.
pub const TABLE: &[Category] = &[
    ELECTION,
    DISCOVERY,
    SYNC,
    BROADCAST,
    ACK,
    COMMIT,
    INFORM,
    PING,
    CLIENT_REQUEST,
    CLIENT_RESPONSE,
    WATCH,
    CONNECTION,
    CONTROL,
];

/// The drawn category of a ZooKeeper traffic kind.
pub fn of(kind: Kind) -> Category {
    match kind {
        Kind::Election => ELECTION,
        Kind::Discovery => DISCOVERY,
        Kind::Sync => SYNC,
        Kind::Broadcast => BROADCAST,
        Kind::Inform => INFORM,
        Kind::Ping => PING,
        Kind::ClientRequest => CLIENT_REQUEST,
        Kind::ClientResponse => CLIENT_RESPONSE,
        Kind::Watch => WATCH,
        Kind::Connection => CONNECTION,
        Kind::Control => CONTROL,
    }
}

/// The drawn category of a ZooKeeper message: its traffic kind, except that ACK and COMMIT
/// get their own shapes beside PROPOSAL (the moments of Zab's broadcast), and a client's ping
/// (xid -2) and the answer to it are heartbeats like the quorum's PING.
pub fn of_msg(m: &crate::zk::Msg) -> Category {
    use crate::zk::msg::{ClientOp, ClientPacket, QuorumPacket as Q};
    match m {
        crate::zk::Msg::Quorum {
            pkt: Q::Ack { .. }, ..
        } => ACK,
        crate::zk::Msg::Quorum {
            pkt: Q::Commit { .. },
            ..
        } => COMMIT,
        crate::zk::Msg::Client {
            pkt:
                ClientPacket::Request {
                    op: ClientOp::Ping, ..
                }
                | ClientPacket::Reply { xid: -2, .. },
            ..
        } => PING,
        _ => of(m.category()),
    }
}

/// The category of a ZooKeeper timer's firing.
pub fn of_timer(t: &crate::zk::Timer) -> Category {
    use crate::zk::Timer;
    match t {
        Timer::ElectionPoll | Timer::FinalizeWait => ELECTION,
        Timer::LeaderInitLimit | Timer::LearnerConnect => DISCOVERY,
        Timer::LeaderTick | Timer::LearnerReadTimeout | Timer::LearnerHandlerReadTimeout(_) => PING,
        Timer::SessionExpiry | Timer::ContainerCheck => CONTROL,
        Timer::Client(_) => CLIENT_REQUEST,
    }
}
