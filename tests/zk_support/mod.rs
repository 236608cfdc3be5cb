//! Helpers for ZooKeeper scenario tests: build an ensemble, run until a condition holds, and
//! talk to servers with raw client packets from the environment (no client library), so the
//! server rules can be tested on their own.
#![allow(dead_code)]

use zooscope::cluster::{ClusterSim, Msg};
use zooscope::sim::{Input, NodeId, TimeUs, Violation, SEC};
use zooscope::zk::msg::{ClientOp, ClientPacket, ServerState};
use zooscope::zk::{self, CreateMode, SessionId, WriteOp};

/// A test harness around one ensemble run.
pub struct Ens {
    pub sim: ClusterSim,
    pub violations: Vec<Violation>,
    /// Packets servers sent to raw connections: (connection id, packet).
    pub replies: Vec<(u64, ClientPacket)>,
    next_conn: u64,
}

/// A raw client connection from the environment to one server.
pub struct RawConn {
    pub server: NodeId,
    pub conn: u64,
    pub seq: u64,
}

impl Ens {
    /// `n` servers, no clients.
    pub fn new(n: usize, seed: u64) -> Self {
        Self {
            sim: zooscope::cluster::zk::scenarios::ensemble(seed, n, &[]),
            violations: Vec::new(),
            replies: Vec::new(),
            next_conn: 1000,
        }
    }

    /// A harness around an already built run (a shipped scenario, say).
    pub fn from_sim(sim: ClusterSim) -> Self {
        Self {
            sim,
            violations: Vec::new(),
            replies: Vec::new(),
            next_conn: 1000,
        }
    }

    /// The node of server `sid`.
    pub fn node(&self, sid: u64) -> NodeId {
        NodeId(sid as u32 - 1)
    }

    /// Server `sid`.
    pub fn server(&self, sid: u64) -> &zk::Server {
        self.sim
            .world
            .node(self.node(sid))
            .zk_server()
            .expect("not a server")
    }

    /// Steps once, collecting violations.
    pub fn step(&mut self) -> bool {
        match self.sim.step() {
            Some(rec) => {
                if std::env::var_os("ZK_TRACE").is_some() {
                    let w = &self.sim.world;
                    eprintln!("{}", rec.trace_line(&|id| w.label(id)));
                }
                for s in &rec.sends {
                    if let (true, Msg::Zk(zk::Msg::Client { conn, pkt, .. })) =
                        (s.dst == NodeId::ENV, &s.msg)
                    {
                        self.replies.push((*conn, pkt.clone()));
                    }
                }
                self.violations.extend(rec.violations);
                true
            }
            None => false,
        }
    }

    /// Runs until `cond` holds or `limit_us` of simulated time passes; returns whether it held.
    pub fn run_until(&mut self, limit_us: TimeUs, cond: impl Fn(&Ens) -> bool) -> bool {
        let end = self.sim.world.now_us() + limit_us;
        while !cond(self) {
            if self.sim.world.now_us() > end || !self.step() {
                return cond(self);
            }
        }
        true
    }

    /// Runs for `us` of simulated time.
    pub fn run_for(&mut self, us: TimeUs) {
        let end = self.sim.world.now_us() + us;
        while self.sim.world.next_event_us().is_some_and(|t| t <= end) {
            self.step();
        }
    }

    /// Applies an input now.
    pub fn input(&mut self, input: Input<Msg>) {
        self.sim.world.inject(input);
        self.step();
    }

    /// The sid of the established leader, if exactly one server is an active leader with
    /// the highest epoch.
    pub fn leader(&self) -> Option<u64> {
        let mut best: Option<(u32, u64)> = None;
        for sid in 1..=self.len() as u64 {
            if !self.sim.world.is_up(self.node(sid)) {
                continue;
            }
            if let Some(e) = self.server(sid).established_epoch() {
                if best.is_none_or(|(be, _)| e > be) {
                    best = Some((e, sid));
                }
            }
        }
        best.map(|(_, s)| s)
    }

    /// Number of servers.
    pub fn len(&self) -> usize {
        self.sim
            .world
            .node_ids()
            .filter(|id| self.sim.world.node(*id).zk_server().is_some())
            .count()
    }

    /// Runs until every up server is serving under one leader.
    pub fn settle(&mut self) -> u64 {
        let ok = self.run_until(60 * SEC, |e| {
            e.leader().is_some()
                && (1..=e.len() as u64)
                    .all(|s| !e.sim.world.is_up(e.node(s)) || e.server(s).is_serving())
        });
        assert!(ok, "ensemble did not settle");
        self.leader().expect("a leader")
    }

    /// Opens a raw client connection to server `sid` and creates a session through it.
    pub fn connect(&mut self, sid: u64) -> RawConn {
        self.next_conn += 1;
        let mut c = RawConn {
            server: self.node(sid),
            conn: self.next_conn,
            seq: 0,
        };
        self.send(
            &mut c,
            ClientPacket::ConnectRequest {
                last_zxid_seen: 0,
                timeout_ms: 6000,
                session_id: 0,
                passwd: 0,
            },
        );
        c
    }

    /// Sends a raw packet on a connection.
    pub fn send(&mut self, c: &mut RawConn, pkt: ClientPacket) {
        c.seq += 1;
        self.input(Input::Deliver(
            c.server,
            Msg::Zk(zk::Msg::Client {
                conn: c.conn,
                seq: c.seq,
                pkt,
            }),
        ));
    }

    /// Sends a request on a connection.
    pub fn request(&mut self, c: &mut RawConn, xid: i32, op: ClientOp) {
        self.send(c, ClientPacket::Request { xid, op });
    }

    /// Sends `create(path, data, PERSISTENT)`.
    pub fn create(&mut self, c: &mut RawConn, xid: i32, path: &str, mode: CreateMode) {
        self.request(
            c,
            xid,
            ClientOp::Write(WriteOp::Create {
                path: path.into(),
                data: "x".into(),
                mode,
                stat: false,
                acl: zooscope::zk::data::acl::open_acl_unsafe(),
                ttl: -1,
            }),
        );
    }

    /// Sessions known to server `sid`.
    pub fn sessions(&self, sid: u64) -> Vec<SessionId> {
        self.server(sid).tree().sessions().keys().copied().collect()
    }

    /// Whether server `sid` has znode `path`.
    pub fn has(&self, sid: u64, path: &str) -> bool {
        self.server(sid).tree().node(path).is_some()
    }

    /// State of server `sid`.
    pub fn state(&self, sid: u64) -> ServerState {
        self.server(sid).state()
    }

    /// Asserts no checker complained.
    pub fn assert_clean(&self) {
        assert!(
            self.violations.is_empty(),
            "violations: {:#?}",
            self.violations
        );
    }
}

impl Ens {
    /// The reply to request `xid` on connection `c`, if it came.
    pub fn reply(
        &self,
        c: &RawConn,
        xid: i32,
    ) -> Option<(zk::Zxid, zk::ErrorCode, zk::msg::ReplyBody)> {
        self.replies.iter().find_map(|(conn, p)| match p {
            ClientPacket::Reply {
                xid: x,
                zxid,
                err,
                body,
            } if *conn == c.conn && *x == xid => Some((*zxid, *err, body.clone())),
            _ => None,
        })
    }

    /// The session id a connection got, once its ConnectResponse came.
    pub fn session_of(&self, c: &RawConn) -> Option<SessionId> {
        self.replies.iter().find_map(|(conn, p)| match p {
            ClientPacket::ConnectResponse {
                session_id,
                timeout_ms,
                ..
            } if *conn == c.conn && *timeout_ms > 0 => Some(*session_id),
            _ => None,
        })
    }

    /// Runs until the reply to `xid` on `c` arrives (at most 30 s).
    pub fn await_reply(
        &mut self,
        c: &RawConn,
        xid: i32,
    ) -> (zk::Zxid, zk::ErrorCode, zk::msg::ReplyBody) {
        let conn = c.conn;
        let got = self.run_until(30 * SEC, |e| {
            e.replies.iter().any(|(k, p)| {
                *k == conn && matches!(p, ClientPacket::Reply { xid: x, .. } if *x == xid)
            })
        });
        assert!(got, "no reply to xid {xid}");
        self.reply(c, xid).expect("reply")
    }

    /// Runs until connection `c` has a session (at most 30 s).
    pub fn await_session(&mut self, c: &RawConn) -> SessionId {
        let conn = c.conn;
        let got = self.run_until(30 * SEC, |e| {
            e.replies
                .iter()
                .any(|(k, p)| *k == conn && matches!(p, ClientPacket::ConnectResponse { .. }))
        });
        assert!(got, "no ConnectResponse");
        self.session_of(c).expect("a session")
    }
}
