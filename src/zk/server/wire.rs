//! What TCP gives ZooKeeper and the simulated network does not: a connection identity and
//! in-order, exactly-once delivery. Each connection has a random id; each packet a sequence
//! number per direction. A receiver drops duplicates and packets of other connections, and
//! treats a gap (a lost packet) as a reset connection.

use crate::sim::NodeId;

/// How a packet fits the connection's sequence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arrival {
    /// The next packet: process it.
    Next,
    /// Already seen: ignore it.
    Duplicate,
    /// One or more packets were lost: the connection is broken.
    Gap,
}

/// One end of a connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnEnd {
    pub peer: NodeId,
    pub conn: u64,
    sent: u64,
    received: u64,
}

impl ConnEnd {
    /// A fresh connection end.
    pub fn new(peer: NodeId, conn: u64) -> Self {
        Self {
            peer,
            conn,
            sent: 0,
            received: 0,
        }
    }

    /// Sequence number for the next packet sent.
    pub fn next_seq(&mut self) -> u64 {
        self.sent += 1;
        self.sent
    }

    /// Sequence number of the last packet received in order.
    pub fn received(&self) -> u64 {
        self.received
    }

    /// Classifies an arriving packet and advances on `Next`.
    pub fn arrival(&mut self, seq: u64) -> Arrival {
        if seq <= self.received {
            Arrival::Duplicate
        } else if seq == self.received + 1 {
            self.received = seq;
            Arrival::Next
        } else {
            Arrival::Gap
        }
    }
}
