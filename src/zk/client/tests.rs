//! Unit tests of the client state machine, driven with hand-made server packets.

use super::*;
use crate::sim::{Command, SimRng};
use crate::zk::data::txn::{OpResult, WriteOp};
use crate::zk::types::{CreateMode, Stat};

const ME: NodeId = NodeId(10);
pub(super) const S1: NodeId = NodeId(0);
const S2: NodeId = NodeId(1);
const S3: NodeId = NodeId(2);

type Cmds = Vec<Command<Msg, Timer>>;

/// A client with its own clock and PRNG, and the commands of the last handler call.
pub(super) struct Harness {
    pub(super) c: ZkClient,
    rng: SimRng,
    now: TimeUs,
    cmds: Cmds,
}

impl Harness {
    pub(super) fn new(timeout_ms: i32) -> Self {
        Self {
            c: ZkClient::new(vec![S1, S2, S3], timeout_ms),
            rng: SimRng::new(7),
            now: 0,
            cmds: Vec::new(),
        }
    }

    fn run<R>(&mut self, f: impl FnOnce(&mut ZkClient, &mut Ctx<Msg, Timer>) -> R) -> R {
        let mut ctx = Ctx::new(ME, self.now, &mut self.rng);
        let r = f(&mut self.c, &mut ctx);
        self.cmds = ctx.into_commands();
        r
    }

    fn at(&mut self, ms: u64) -> &mut Self {
        self.now = ms * MS;
        self
    }

    fn connect(&mut self) {
        self.run(|c, ctx| c.connect(ctx));
    }

    pub(super) fn call(&mut self, tag: u64, op: ClientOp) -> Vec<ClientEvent> {
        self.run(|c, ctx| c.call(ctx, tag, op))
    }

    fn timer(&mut self, t: ClientTimer) -> Vec<ClientEvent> {
        self.run(|c, ctx| c.on_timer(ctx, t))
    }

    pub(super) fn deliver(
        &mut self,
        src: NodeId,
        conn: u64,
        seq: u64,
        pkt: ClientPacket,
    ) -> Vec<ClientEvent> {
        self.run(|c, ctx| c.on_message(ctx, src, Msg::Client { conn, seq, pkt }))
    }

    /// Packets sent by the last handler call: (dst, conn, seq, packet).
    pub(super) fn sent(&self) -> Vec<(NodeId, u64, u64, ClientPacket)> {
        self.cmds
            .iter()
            .filter_map(|c| match c {
                Command::Send {
                    dst,
                    msg: Msg::Client { conn, seq, pkt },
                } => Some((*dst, *conn, *seq, pkt.clone())),
                _ => None,
            })
            .collect()
    }

    fn timer_set(&self, t: ClientTimer) -> Option<TimeUs> {
        self.cmds.iter().find_map(|c| match c {
            Command::SetTimer {
                timer: Timer::Client(x),
                after_us,
            } if *x == t => Some(*after_us),
            _ => None,
        })
    }

    fn conn_id(&self) -> u64 {
        self.c.conn.as_ref().expect("a connection").id
    }

    /// Connects to S1 and completes the handshake; returns the connection id.
    pub(super) fn establish(&mut self, session: SessionId, timeout_ms: i32) -> u64 {
        self.connect();
        let conn = self.conn_id();
        let ev = self.deliver(S1, conn, 1, connect_response(timeout_ms, session));
        assert_eq!(ev, vec![ClientEvent::State(KeeperState::SyncConnected)]);
        conn
    }
}

fn connect_response(timeout_ms: i32, session_id: SessionId) -> ClientPacket {
    ClientPacket::ConnectResponse {
        timeout_ms,
        session_id,
        passwd: 0xfeed,
    }
}

pub(super) fn reply(xid: i32, zxid: Zxid, err: ErrorCode, body: ReplyBody) -> ClientPacket {
    ClientPacket::Reply {
        xid,
        zxid,
        err,
        body,
    }
}

fn get(path: &str, watch: bool) -> ClientOp {
    ClientOp::GetData {
        path: path.into(),
        watch,
    }
}

fn create(path: &str) -> ClientOp {
    ClientOp::Write(WriteOp::Create {
        path: path.into(),
        data: String::new(),
        mode: CreateMode::Persistent,
        stat: false,
        acl: crate::zk::data::acl::open_acl_unsafe(),
        ttl: -1,
    })
}

pub(super) fn completed(tag: u64, result: Result<ReplyBody, ErrorCode>, zxid: Zxid) -> ClientEvent {
    ClientEvent::Completed { tag, result, zxid }
}

pub(super) const SESSION: SessionId = 0x0100_0000_0000_0001;

#[test]
fn connect_sends_connect_request_to_the_first_server_and_waits() {
    let mut h = Harness::new(4000);
    h.connect();
    assert_eq!(h.c.state(), States::Connecting);
    let sent = h.sent();
    assert_eq!(sent.len(), 1);
    let (dst, _, seq, pkt) = &sent[0];
    assert_eq!((*dst, *seq), (S1, 1));
    assert_eq!(
        *pkt,
        ClientPacket::ConnectRequest {
            last_zxid_seen: 0,
            timeout_ms: 4000,
            session_id: 0,
            passwd: 0,
        }
    );
    // connectTimeout = 4000 / 3 servers.
    assert_eq!(h.timer_set(ClientTimer::ReadTimeout), Some(1333 * MS));
    assert_eq!(h.c.connected_server(), None);
    assert_eq!(h.c.current_server(), Some(S1));
}

#[test]
fn connect_response_connects_with_the_negotiated_timeout() {
    let mut h = Harness::new(1000);
    h.establish(SESSION, 4000);
    assert_eq!(h.c.state(), States::Connected);
    assert_eq!(h.c.session_id(), SESSION);
    assert_eq!(h.c.passwd(), 0xfeed);
    assert_eq!(h.c.negotiated_timeout_ms(), 4000);
    assert_eq!(h.c.connected_server(), Some(S1));
    // readTimeout = 2/3 × 4000; ping after readTimeout / 2.
    assert_eq!(h.c.read_timeout_ms(), 2666);
    assert_eq!(h.timer_set(ClientTimer::ReadTimeout), Some(2666 * MS));
    assert_eq!(h.timer_set(ClientTimer::Ping), Some(1333 * MS));
    // Nothing else sent: no watches to re-arm, nothing queued.
    assert!(h.sent().is_empty());
}

#[test]
fn calls_before_connect_fail_and_calls_while_connecting_wait_for_the_session() {
    let mut h = Harness::new(4000);
    let ev = h.call(1, get("/a", false));
    assert_eq!(ev, vec![completed(1, Err(ErrorCode::ConnectionLoss), 0)]);
    h.connect();
    let conn = h.conn_id();
    assert!(h.call(2, get("/a", false)).is_empty());
    assert!(h.call(3, create("/b")).is_empty());
    assert!(
        h.sent().is_empty(),
        "nothing goes out before ConnectResponse"
    );
    assert_eq!(h.c.pending().len(), 2);
    assert_eq!(h.c.pending()[0].xid, None);
    h.deliver(S1, conn, 1, connect_response(4000, SESSION));
    let sent = h.sent();
    let xids: Vec<(u64, i32)> = sent
        .iter()
        .map(|(_, _, seq, p)| match p {
            ClientPacket::Request { xid, .. } => (*seq, *xid),
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(xids, vec![(2, 1), (3, 2)]);
    assert_eq!(h.c.pending()[1].xid, Some(2));
}

#[test]
fn replies_complete_calls_in_order_and_track_last_zxid_seen() {
    let mut h = Harness::new(4000);
    let conn = h.establish(SESSION, 4000);
    h.call(7, create("/a"));
    h.call(8, get("/a", false));
    let stat = Stat {
        czxid: 0x1_0000_0002,
        ..Stat::default()
    };
    let created = ReplyBody::Write(OpResult::Create {
        path: "/a".into(),
        stat: Some(stat),
    });
    let ev = h.deliver(
        S1,
        conn,
        2,
        reply(1, 0x1_0000_0002, ErrorCode::Ok, created.clone()),
    );
    assert_eq!(ev, vec![completed(7, Ok(created), 0x1_0000_0002)]);
    assert_eq!(h.c.last_zxid_seen(), 0x1_0000_0002);
    // A ping reply carries a zxid too, but the client does not take it (as ClientCnxn).
    h.deliver(
        S1,
        conn,
        3,
        reply(PING_XID, 0x1_0000_0009, ErrorCode::Ok, ReplyBody::Empty),
    );
    assert_eq!(h.c.last_zxid_seen(), 0x1_0000_0002);
    let data = ReplyBody::Data {
        data: String::new(),
        stat,
    };
    let ev = h.deliver(
        S1,
        conn,
        4,
        reply(2, 0x1_0000_0003, ErrorCode::Ok, data.clone()),
    );
    assert_eq!(ev, vec![completed(8, Ok(data), 0x1_0000_0003)]);
    assert_eq!(h.c.last_zxid_seen(), 0x1_0000_0003);
    assert!(h.c.pending().is_empty());
}

#[test]
fn ping_goes_out_after_a_third_of_the_timeout_without_sending() {
    let mut h = Harness::new(4000);
    let conn = h.establish(SESSION, 4000);
    // Something was sent at 1000 ms: the ping check at 1333 ms re-arms for the remainder.
    h.at(1000).call(1, get("/a", false));
    h.at(1333).timer(ClientTimer::Ping);
    assert!(h.sent().is_empty());
    assert_eq!(h.timer_set(ClientTimer::Ping), Some(1000 * MS));
    h.at(1010);
    h.deliver(
        S1,
        conn,
        2,
        reply(1, 5, ErrorCode::NoNode, ReplyBody::Empty),
    );
    h.at(2333).timer(ClientTimer::Ping);
    let sent = h.sent();
    assert_eq!(sent.len(), 1);
    assert_eq!(
        sent[0].3,
        ClientPacket::Request {
            xid: PING_XID,
            op: ClientOp::Ping
        }
    );
    assert_eq!(h.timer_set(ClientTimer::Ping), Some(1333 * MS));
    // A ping reply is not a completion.
    let ev = h.deliver(
        S1,
        conn,
        3,
        reply(PING_XID, 5, ErrorCode::Ok, ReplyBody::Empty),
    );
    assert!(ev.is_empty());
}

#[test]
fn ping_interval_is_at_most_ten_seconds() {
    let mut h = Harness::new(40_000);
    h.establish(SESSION, 40_000);
    assert_eq!(h.c.read_timeout_ms(), 26_666);
    assert_eq!(h.c.ping_interval_ms(), MAX_PING_INTERVAL_MS);
}

#[test]
fn read_timeout_disconnects_fails_pending_and_resumes_the_session_on_the_next_server() {
    let mut h = Harness::new(4000);
    let conn = h.establish(SESSION, 4000);
    h.call(1, get("/w", true));
    let data = ReplyBody::Data {
        data: "x".into(),
        stat: Stat::default(),
    };
    h.deliver(S1, conn, 2, reply(1, 0x1_0000_0004, ErrorCode::Ok, data));
    assert!(h.c.watches().data.contains("/w"));
    h.at(100).call(2, create("/b"));
    // The read timeout check before the deadline re-arms for the rest.
    h.at(2000).timer(ClientTimer::ReadTimeout);
    assert_eq!(h.timer_set(ClientTimer::ReadTimeout), Some(666 * MS));
    let ev = h.at(2666).timer(ClientTimer::ReadTimeout);
    assert_eq!(
        ev,
        vec![
            completed(2, Err(ErrorCode::ConnectionLoss), 0),
            ClientEvent::State(KeeperState::Disconnected),
        ]
    );
    assert_eq!(h.c.state(), States::Connecting);
    assert!(h.c.pending().is_empty());
    // The abandoned connection is closed towards the old server.
    assert!(matches!(h.sent()[..], [(S1, c, 4, ClientPacket::Close { .. })] if c == conn));
    let pause = h
        .timer_set(ClientTimer::Reconnect)
        .expect("reconnect pause");
    assert!(pause < 1000 * MS);
    h.at(3000).timer(ClientTimer::Reconnect);
    let sent = h.sent();
    assert_eq!(sent.len(), 1);
    let (dst, conn2, seq, pkt) = sent[0].clone();
    assert_eq!((dst, seq), (S2, 1));
    assert_ne!(conn2, conn);
    assert_eq!(
        pkt,
        ClientPacket::ConnectRequest {
            last_zxid_seen: 0x1_0000_0004,
            timeout_ms: 4000,
            session_id: SESSION,
            passwd: 0xfeed,
        }
    );
    // Resumed: the watch is re-armed with SetWatches.
    let ev = h.deliver(S2, conn2, 1, connect_response(4000, SESSION));
    assert_eq!(ev, vec![ClientEvent::State(KeeperState::SyncConnected)]);
    assert_eq!(
        h.sent()[0].3,
        ClientPacket::Request {
            xid: SET_WATCHES_XID,
            op: ClientOp::SetWatches {
                relative_zxid: 0x1_0000_0004,
                data: vec!["/w".into()],
                exist: vec![],
                child: vec![],
            }
        }
    );
    assert_eq!(h.c.connected_server(), Some(S2));
    // The SetWatches answer completes nothing.
    let ev = h.deliver(
        S2,
        conn2,
        2,
        reply(
            SET_WATCHES_XID,
            0x1_0000_0004,
            ErrorCode::Ok,
            ReplyBody::Empty,
        ),
    );
    assert!(ev.is_empty());
}

#[test]
fn a_refused_attempt_moves_on_without_a_disconnected_event() {
    let mut h = Harness::new(4000);
    h.connect();
    let conn = h.conn_id();
    h.call(1, get("/a", false));
    let ev = h.deliver(
        S1,
        conn,
        1,
        ClientPacket::Close {
            reason: "not serving".into(),
        },
    );
    assert_eq!(ev, vec![completed(1, Err(ErrorCode::ConnectionLoss), 0)]);
    assert!(h.sent().is_empty(), "no Close answered to a Close");
    h.timer(ClientTimer::Reconnect);
    assert_eq!(h.sent()[0].0, S2);
}

#[test]
fn connect_timeout_tries_the_next_server_and_spins_after_a_full_round() {
    let mut h = Harness::new(3000);
    h.connect();
    for (i, next) in [S2, S3, S1].into_iter().enumerate() {
        let ev = h.at(1000 * (i as u64 + 1)).timer(ClientTimer::ReadTimeout);
        assert!(ev.is_empty(), "never connected: no Disconnected");
        let pause = h.timer_set(ClientTimer::Reconnect).unwrap();
        if next == S1 {
            assert!(
                (1000 * MS..2000 * MS).contains(&pause),
                "spin delay {pause}"
            );
        } else {
            assert!(pause < 1000 * MS);
        }
        h.timer(ClientTimer::Reconnect);
        assert_eq!(h.sent()[0].0, next);
    }
}

#[test]
fn connect_response_with_timeout_zero_means_the_session_expired() {
    let mut h = Harness::new(4000);
    let conn = h.establish(SESSION, 4000);
    h.at(5000).timer(ClientTimer::ReadTimeout);
    h.timer(ClientTimer::Reconnect);
    let conn2 = h.conn_id();
    assert_ne!(conn, conn2);
    h.call(4, create("/x"));
    let ev = h.deliver(S2, conn2, 1, connect_response(0, 0));
    assert_eq!(
        ev,
        vec![
            ClientEvent::State(KeeperState::Expired),
            completed(4, Err(ErrorCode::SessionExpired), 0),
        ]
    );
    assert_eq!(h.c.state(), States::Closed);
    // Terminal: later calls fail with SessionExpired, the server's Close is ignored.
    let ev = h.call(5, get("/x", false));
    assert_eq!(ev, vec![completed(5, Err(ErrorCode::SessionExpired), 0)]);
    let close = ClientPacket::Close {
        reason: "expired".into(),
    };
    assert!(h.deliver(S2, conn2, 2, close).is_empty());
}

#[test]
fn duplicates_and_packets_of_other_connections_are_ignored() {
    let mut h = Harness::new(4000);
    let conn = h.establish(SESSION, 4000);
    h.call(1, get("/a", false));
    let r = reply(1, 3, ErrorCode::NoNode, ReplyBody::Empty);
    // Another connection id, another server, a replayed sequence number.
    assert!(h.deliver(S1, conn ^ 1, 2, r.clone()).is_empty());
    assert!(h.deliver(S2, conn, 2, r.clone()).is_empty());
    assert!(h.deliver(S1, conn, 1, r.clone()).is_empty());
    assert_eq!(h.c.state(), States::Connected);
    assert_eq!(h.c.pending().len(), 1);
    let ev = h.deliver(S1, conn, 2, r.clone());
    assert_eq!(ev, vec![completed(1, Err(ErrorCode::NoNode), 3)]);
    // The duplicate of that reply changes nothing.
    assert!(h.deliver(S1, conn, 2, r).is_empty());
    assert_eq!(h.c.state(), States::Connected);
}

#[test]
fn a_gap_in_the_sequence_is_a_broken_connection() {
    let mut h = Harness::new(4000);
    let conn = h.establish(SESSION, 4000);
    h.call(1, get("/a", false));
    let ev = h.deliver(
        S1,
        conn,
        3,
        reply(1, 3, ErrorCode::NoNode, ReplyBody::Empty),
    );
    assert_eq!(
        ev,
        vec![
            completed(1, Err(ErrorCode::ConnectionLoss), 0),
            ClientEvent::State(KeeperState::Disconnected),
        ]
    );
    assert_eq!(h.c.state(), States::Connecting);
    assert!(h.timer_set(ClientTimer::Reconnect).is_some());
}

#[test]
fn a_reply_out_of_order_is_a_broken_connection() {
    let mut h = Harness::new(4000);
    let conn = h.establish(SESSION, 4000);
    h.call(1, get("/a", false));
    h.call(2, get("/b", false));
    let ev = h.deliver(
        S1,
        conn,
        2,
        reply(2, 3, ErrorCode::NoNode, ReplyBody::Empty),
    );
    assert_eq!(ev.len(), 3);
    assert_eq!(ev[2], ClientEvent::State(KeeperState::Disconnected));
}

#[test]
fn exists_on_a_missing_node_returns_none_and_arms_an_exist_watch() {
    let mut h = Harness::new(4000);
    let conn = h.establish(SESSION, 4000);
    let op = ClientOp::Exists {
        path: "/n".into(),
        watch: true,
    };
    h.call(1, op);
    let ev = h.deliver(
        S1,
        conn,
        2,
        reply(1, 3, ErrorCode::NoNode, ReplyBody::Exists(None)),
    );
    assert_eq!(ev, vec![completed(1, Ok(ReplyBody::Exists(None)), 3)]);
    assert!(h.c.watches().exist.contains("/n"));
    let event = |event| ClientPacket::WatcherEvent {
        event,
        state: KeeperState::SyncConnected,
        path: "/n".into(),
    };
    let ev = h.deliver(S1, conn, 3, event(EventType::NodeCreated));
    assert_eq!(
        ev,
        vec![ClientEvent::Watch {
            event: EventType::NodeCreated,
            path: "/n".into()
        }]
    );
    assert!(h.c.watches().is_empty());
    // One-shot: a second event for the same path finds no watch and is not reported.
    assert!(h
        .deliver(S1, conn, 4, event(EventType::NodeDataChanged))
        .is_empty());
}

#[test]
fn failed_reads_arm_no_watch_and_node_deleted_consumes_every_kind() {
    let mut h = Harness::new(4000);
    let conn = h.establish(SESSION, 4000);
    h.call(1, get("/gone", true));
    h.deliver(
        S1,
        conn,
        2,
        reply(1, 3, ErrorCode::NoNode, ReplyBody::Empty),
    );
    assert!(h.c.watches().is_empty());
    h.call(2, get("/n", true));
    let stat = Stat::default();
    let data = ReplyBody::Data {
        data: String::new(),
        stat,
    };
    h.deliver(S1, conn, 3, reply(2, 3, ErrorCode::Ok, data));
    let op = ClientOp::GetChildren {
        path: "/n".into(),
        watch: true,
        stat: true,
    };
    h.call(3, op);
    let children = ReplyBody::Children {
        children: vec![],
        stat: Some(stat),
    };
    h.deliver(S1, conn, 4, reply(3, 3, ErrorCode::Ok, children));
    assert!(h.c.watches().data.contains("/n") && h.c.watches().child.contains("/n"));
    let deleted = ClientPacket::WatcherEvent {
        event: EventType::NodeDeleted,
        state: KeeperState::SyncConnected,
        path: "/n".into(),
    };
    assert_eq!(h.deliver(S1, conn, 5, deleted).len(), 1);
    assert!(h.c.watches().is_empty());
}

#[test]
fn close_sends_close_session_and_ends_closed() {
    let mut h = Harness::new(4000);
    let conn = h.establish(SESSION, 4000);
    assert!(h.run(|c, ctx| c.close(ctx, 9)).is_empty());
    assert_eq!(
        h.sent()[0].3,
        ClientPacket::Request {
            xid: 1,
            op: ClientOp::CloseSession
        }
    );
    // While closing, new calls are refused with ConnectionLoss.
    let ev = h.call(10, get("/a", false));
    assert_eq!(ev, vec![completed(10, Err(ErrorCode::ConnectionLoss), 0)]);
    let ev = h.deliver(
        S1,
        conn,
        2,
        reply(1, 0x1_0000_0007, ErrorCode::Ok, ReplyBody::Empty),
    );
    assert_eq!(
        ev,
        vec![
            completed(9, Ok(ReplyBody::Empty), 0x1_0000_0007),
            ClientEvent::State(KeeperState::Closed),
        ]
    );
    assert_eq!(h.c.state(), States::Closed);
    assert_eq!(h.c.current_server(), None);
    let ev = h.call(11, get("/a", false));
    assert_eq!(ev, vec![completed(11, Err(ErrorCode::SessionExpired), 0)]);
    // A new connect opens a new session from scratch.
    h.connect();
    assert_eq!(h.c.state(), States::Connecting);
    assert!(matches!(
        h.sent()[0].3,
        ClientPacket::ConnectRequest { session_id: 0, .. }
    ));
}

#[test]
fn close_while_the_connection_breaks_still_ends_closed() {
    let mut h = Harness::new(4000);
    h.establish(SESSION, 4000);
    h.run(|c, ctx| c.close(ctx, 9));
    let ev = h.at(3000).timer(ClientTimer::ReadTimeout);
    assert_eq!(
        ev,
        vec![
            completed(9, Err(ErrorCode::ConnectionLoss), 0),
            ClientEvent::State(KeeperState::Closed),
        ]
    );
    assert_eq!(h.c.state(), States::Closed);
    assert!(h.timer_set(ClientTimer::Reconnect).is_none());
}

#[test]
fn crash_forgets_the_handle() {
    let mut h = Harness::new(4000);
    h.establish(SESSION, 4000);
    h.call(1, get("/a", true));
    h.c.on_crash();
    assert_eq!(h.c.state(), States::NotConnected);
    assert_eq!(h.c.session_id(), 0);
    assert!(h.c.pending().is_empty());
    assert_eq!(h.c.servers(), &[S1, S2, S3]);
}
