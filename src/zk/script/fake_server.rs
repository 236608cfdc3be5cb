//! Test support: a standalone ZooKeeper stand-in that speaks the client protocol from one
//! data tree (no quorum, no Zab, no session expiry), and a tiny world to run clients
//! against it. It lets the client library, the recipes and the script runner be tested
//! end to end without the replicated server. Not a model of anything.

use crate::sim::vecmap::VecMap;
use crate::sim::{
    Actor, CheckKind, Checker, CheckerInfo, Ctx, LinkConfig, NodeId, Sim, StepRecord, World,
};

use crate::zk::client::node::ClientNode;
use crate::zk::data::tree::DataTree;
use crate::zk::data::txn::{OpResult, Txn, TxnHeader};
use crate::zk::data::watches::WatchManager;
use crate::zk::msg::{ClientOp, ClientPacket, Control, Msg, ReplyBody, Timer};
use crate::zk::types::{zxid, ErrorCode, KeeperState, SessionId};

#[derive(Clone, Debug)]
struct Conn {
    session: SessionId,
    recv_seq: u64,
    sent_seq: u64,
}

/// One server holding the whole tree.
#[derive(Clone, Debug)]
pub struct FakeServer {
    pub label: String,
    pub tree: DataTree,
    pub watches: WatchManager,
    conns: VecMap<(NodeId, u64), Conn>,
    counter: u32,
    next_session: i64,
}

impl FakeServer {
    pub fn new(label: &str) -> Self {
        Self {
            label: label.into(),
            tree: DataTree::new(),
            watches: WatchManager::new(),
            conns: VecMap::new(),
            counter: 0,
            next_session: 1,
        }
    }

    fn send(&mut self, ctx: &mut Ctx<Msg, Timer>, key: (NodeId, u64), pkt: ClientPacket) {
        if let Some(c) = self.conns.get_mut(&key) {
            c.sent_seq += 1;
            let msg = Msg::Client {
                conn: key.1,
                seq: c.sent_seq,
                pkt,
            };
            ctx.send(key.0, msg);
        }
    }

    fn commit(&mut self, ctx: &mut Ctx<Msg, Timer>, session: SessionId, txn: &Txn) -> OpResult {
        self.counter += 1;
        let hdr = TxnHeader {
            session_id: session,
            cxid: 0,
            zxid: zxid(1, self.counter),
            time_ms: (ctx.now_us() / 1000) as i64,
        };
        let outcome = self.tree.apply(&hdr, txn);
        for t in &outcome.triggers {
            for s in self.watches.fire(t) {
                let keys: Vec<_> = self
                    .conns
                    .iter()
                    .filter(|(_, c)| c.session == s)
                    .map(|(k, _)| *k)
                    .collect();
                for k in keys {
                    let pkt = ClientPacket::WatcherEvent {
                        event: t.event,
                        state: KeeperState::SyncConnected,
                        path: t.path.clone(),
                    };
                    self.send(ctx, k, pkt);
                }
            }
        }
        outcome.result
    }

    fn close_conn(&mut self, ctx: &mut Ctx<Msg, Timer>, key: (NodeId, u64), reason: &str) {
        let reason = reason.to_string();
        self.send(ctx, key, ClientPacket::Close { reason });
        self.conns.remove(&key);
    }

    fn on_message(&mut self, ctx: &mut Ctx<Msg, Timer>, src: NodeId, msg: Msg) {
        match msg {
            Msg::Control(Control::ExpireSession(s)) => {
                self.commit(ctx, s, &Txn::CloseSession);
                self.watches.remove_session(s);
                let keys: Vec<_> = self
                    .conns
                    .iter()
                    .filter(|(_, c)| c.session == s)
                    .map(|(k, _)| *k)
                    .collect();
                for k in keys {
                    self.close_conn(ctx, k, "session expired");
                }
            }
            Msg::Client { conn, seq, pkt } => self.on_packet(ctx, (src, conn), seq, pkt),
            _ => {}
        }
    }

    fn on_packet(
        &mut self,
        ctx: &mut Ctx<Msg, Timer>,
        key: (NodeId, u64),
        seq: u64,
        pkt: ClientPacket,
    ) {
        let Some(c) = self.conns.get_mut(&key) else {
            if let (1, ClientPacket::ConnectRequest { .. }) = (seq, &pkt) {
                self.conns.insert(
                    key,
                    Conn {
                        session: 0,
                        recv_seq: 1,
                        sent_seq: 0,
                    },
                );
                self.on_connect(ctx, key, pkt);
            }
            return;
        };
        if seq <= c.recv_seq {
            return;
        }
        if seq > c.recv_seq + 1 {
            self.conns.remove(&key);
            return;
        }
        c.recv_seq = seq;
        let session = c.session;
        match pkt {
            ClientPacket::Request { xid, op } => self.on_request(ctx, key, session, xid, op),
            ClientPacket::Close { .. } => {
                self.conns.remove(&key);
            }
            _ => {}
        }
    }

    fn on_connect(&mut self, ctx: &mut Ctx<Msg, Timer>, key: (NodeId, u64), pkt: ClientPacket) {
        let ClientPacket::ConnectRequest {
            last_zxid_seen,
            timeout_ms,
            session_id,
            passwd,
        } = pkt
        else {
            return;
        };
        if last_zxid_seen > self.tree.last_processed_zxid() {
            return self.close_conn(ctx, key, "client has seen a newer zxid");
        }
        let (timeout_ms, session_id) = if session_id == 0 {
            let id = (1i64 << 56) | self.next_session;
            self.next_session += 1;
            let t = timeout_ms.clamp(4000, 40_000);
            self.commit(ctx, id, &Txn::CreateSession { timeout_ms: t });
            (t, id)
        } else {
            match self.tree.session_timeout_ms(session_id) {
                Some(t) if passwd == session_id as u64 ^ 0x5a5a => (t, session_id),
                _ => {
                    let pkt = ClientPacket::ConnectResponse {
                        timeout_ms: 0,
                        session_id: 0,
                        passwd: 0,
                    };
                    self.send(ctx, key, pkt);
                    return self.close_conn(ctx, key, "session expired");
                }
            }
        };
        if let Some(c) = self.conns.get_mut(&key) {
            c.session = session_id;
        }
        let pkt = ClientPacket::ConnectResponse {
            timeout_ms,
            session_id,
            passwd: session_id as u64 ^ 0x5a5a,
        };
        self.send(ctx, key, pkt);
    }

    fn on_request(
        &mut self,
        ctx: &mut Ctx<Msg, Timer>,
        key: (NodeId, u64),
        session: SessionId,
        xid: i32,
        op: ClientOp,
    ) {
        let last = self.tree.last_processed_zxid();
        let (err, body, zxid) = match op {
            ClientOp::Ping => (ErrorCode::Ok, ReplyBody::Empty, last),
            ClientOp::SetWatches {
                relative_zxid,
                data,
                exist,
                child,
            } => {
                let events = self.watches.set_watches(
                    &self.tree,
                    session,
                    relative_zxid,
                    &data,
                    &exist,
                    &child,
                );
                for (event, path) in events {
                    let state = KeeperState::SyncConnected;
                    self.send(ctx, key, ClientPacket::WatcherEvent { event, state, path });
                }
                (ErrorCode::Ok, ReplyBody::Empty, last)
            }
            ClientOp::GetData { path, watch } => match self.tree.get_data(&path) {
                Ok((data, stat)) => {
                    if watch {
                        self.watches.add_data_watch(&path, session);
                    }
                    (ErrorCode::Ok, ReplyBody::Data { data, stat }, last)
                }
                Err(e) => (e, ReplyBody::Empty, last),
            },
            ClientOp::Exists { path, watch } => {
                if watch {
                    self.watches.add_data_watch(&path, session);
                }
                match self.tree.exists(&path) {
                    Ok(Some(s)) => (ErrorCode::Ok, ReplyBody::Exists(Some(s)), last),
                    Ok(None) => (ErrorCode::NoNode, ReplyBody::Exists(None), last),
                    Err(e) => (e, ReplyBody::Empty, last),
                }
            }
            ClientOp::GetChildren { path, watch, stat } => match self.tree.get_children(&path) {
                Ok((children, parent)) => {
                    if watch {
                        self.watches.add_child_watch(&path, session);
                    }
                    let stat = stat.then_some(parent);
                    (ErrorCode::Ok, ReplyBody::Children { children, stat }, last)
                }
                Err(e) => (e, ReplyBody::Empty, last),
            },
            ClientOp::Sync { path } => (ErrorCode::Ok, ReplyBody::Sync { path }, last),
            // The stand-in keeps no auth: every connection is anonymous, `addAuth` succeeds.
            ClientOp::GetAcl { path } => match self.tree.get_acl(&path, &[]) {
                Ok((acl, stat)) => (ErrorCode::Ok, ReplyBody::Acl { acl, stat }, last),
                Err(e) => (e, ReplyBody::Empty, last),
            },
            ClientOp::Auth { .. } => (ErrorCode::Ok, ReplyBody::Empty, 0),
            ClientOp::Write(w) => {
                let txn = self.tree.prepare(session, &w);
                let r = self.commit(ctx, session, &txn);
                let z = self.tree.last_processed_zxid();
                let (err, body) = ReplyBody::for_write(&ClientOp::Write(w), r);
                (err, body, z)
            }
            ClientOp::CloseSession => {
                self.commit(ctx, session, &Txn::CloseSession);
                self.watches.remove_session(session);
                let z = self.tree.last_processed_zxid();
                let reply = ClientPacket::Reply {
                    xid,
                    zxid: z,
                    err: ErrorCode::Ok,
                    body: ReplyBody::Empty,
                };
                self.send(ctx, key, reply);
                return self.close_conn(ctx, key, "session closed");
            }
        };
        let reply = ClientPacket::Reply {
            xid,
            zxid,
            err,
            body,
        };
        self.send(ctx, key, reply);
    }
}

/// A node of the test world.
#[derive(Clone, Debug)]
pub enum TestNode {
    Server(Box<FakeServer>),
    Client(Box<ClientNode>),
    /// A server that never answers (as if it were always down).
    Silent(String),
}

impl Actor for TestNode {
    type Msg = Msg;
    type Timer = Timer;

    fn label(&self) -> String {
        match self {
            TestNode::Server(s) => s.label.clone(),
            TestNode::Client(c) => c.label(),
            TestNode::Silent(l) => l.clone(),
        }
    }

    fn on_start(&mut self, ctx: &mut Ctx<Msg, Timer>) {
        if let TestNode::Client(c) = self {
            c.on_start(ctx);
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<Msg, Timer>, src: NodeId, msg: Msg) {
        match self {
            TestNode::Server(s) => s.on_message(ctx, src, msg),
            TestNode::Client(c) => c.on_message(ctx, src, msg),
            TestNode::Silent(_) => {}
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<Msg, Timer>, timer: Timer) {
        if let TestNode::Client(c) = self {
            c.on_timer(ctx, timer);
        }
    }

    fn on_crash(&mut self) {
        match self {
            TestNode::Server(s) => s.conns.clear(),
            TestNode::Client(c) => c.on_crash(),
            TestNode::Silent(_) => {}
        }
    }
}

/// No checks.
#[derive(Clone, Debug)]
pub struct NoCheck;

impl Checker<TestNode> for NoCheck {
    fn info(&self) -> CheckerInfo {
        CheckerInfo {
            name: "none",
            kind: CheckKind::Always,
            description: "nothing",
        }
    }

    fn after_step(&mut self, _w: &World<TestNode>, _r: &StepRecord<Msg, Timer>) -> Option<String> {
        None
    }
}

/// The test world.
pub type TestSim = Sim<TestNode, NoCheck>;

/// `zk1` answers (if `live`), `zk2..zkN` are silent; then the given extra nodes.
pub fn world(seed: u64, servers: usize, live: bool, extra: Vec<TestNode>) -> TestSim {
    let mut w = World::new(seed, LinkConfig::default());
    for sid in 1..=servers {
        let label = format!("zk{sid}");
        let node = if sid == 1 && live {
            TestNode::Server(Box::new(FakeServer::new(&label)))
        } else {
            TestNode::Silent(label)
        };
        w.add_node(node);
    }
    for n in extra {
        w.add_node(n);
    }
    Sim::new(w, Vec::new())
}

/// A world of scripted clients: the shape `run_script_with` wants.
pub fn scripted(seed: u64, servers: usize, clients: &[&str], live: bool) -> TestSim {
    let extra = clients
        .iter()
        .map(|c| TestNode::Client(Box::new(ClientNode::scripted(*c))))
        .collect();
    world(seed, servers, live, extra)
}

/// The client inside a test node.
pub fn client_of(n: &TestNode) -> Option<&ClientNode> {
    match n {
        TestNode::Client(c) => Some(c),
        _ => None,
    }
}
