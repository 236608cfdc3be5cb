//! Departures from the real 3.5.9/3.8 servers that were fixed, each pinned by a scenario
//! named after the rule (sheet section B; the Java class and method are named per test).

mod zk_support;

use zk_support::{Ens, RawConn};
use zooscope::cluster::scenario::{self, BuildOptions};
use zooscope::cluster::Msg;
use zooscope::sim::rng::SimRng;
use zooscope::sim::{Command, Ctx, Input, NodeId, MS, SEC};
use zooscope::zk;
use zooscope::zk::client::{ClientTimer, ZkClient};
use zooscope::zk::msg::{ClientOp, ClientPacket, Notification, QuorumPacket, ServerState, Vote};
use zooscope::zk::server::conns::passwd_of;
use zooscope::zk::{zxid, CreateMode, ErrorCode};

/// `Leader.waitForEpochAck` returns at once once `electionFinished` is set: a learner that
/// connects to an established leader is never "ahead", it is synced (TRUNC/SNAP) instead.
#[test]
fn an_established_leader_keeps_leading_when_an_old_leader_with_a_stray_txn_returns() {
    for seed in 1..=4 {
        let sim = scenario::build("zk-old-leader-returns", &BuildOptions::seed(seed)).unwrap();
        let mut e = Ens::from_sim(sim);
        // The old leader zk3 restarts at 40 s; by then zk2 leads epoch 2.
        e.run_until(39 * SEC, |_| false);
        assert_eq!(
            e.leader(),
            Some(2),
            "seed {seed}: zk2 leads before zk3 returns"
        );
        assert_eq!(e.server(2).established_epoch(), Some(2));
        let stayed = std::cell::Cell::new(true);
        let back = e.run_until(30 * SEC, |e| {
            stayed.set(stayed.get() && e.state(2) == ServerState::Leading);
            e.state(3) == ServerState::Following && e.server(3).is_serving()
        });
        assert!(back, "seed {seed}: zk3 rejoined as a serving follower");
        assert!(
            stayed.get(),
            "seed {seed}: zk2 never gave up leading epoch 2"
        );
        for sid in 1..=3 {
            let d = e.server(sid).disk();
            assert_eq!(
                (d.accepted_epoch, d.current_epoch),
                (2, 2),
                "seed {seed}: zk{sid} is in epoch 2, no epoch 3"
            );
        }
        assert_eq!(e.server(3).tree(), e.server(2).tree());
        e.assert_clean();
    }
}

/// `LearnerHandler` reads with a `syncLimit*tickTime` socket timeout once the learner is
/// synced: a learner the leader stops hearing from is dropped, and the learner, seeing its
/// connection closed, goes back to LOOKING instead of serving on the PINGs it still gets.
#[test]
fn the_leader_drops_a_learner_it_has_not_heard_from_within_sync_limit() {
    let mut e = Ens::new(3, 21);
    assert_eq!(e.settle(), 3);
    e.input(Input::HoldLink(e.node(1), e.node(3)));
    let held = e.sim.world.now_us();
    let looking = e.run_until(30 * SEC, |e| e.state(1) == ServerState::Looking);
    assert!(looking, "zk1 still {:?}", e.state(1));
    let waited = e.sim.world.now_us() - held;
    // syncLimit = 5 ticks of 2 s after the last packet, which was at most a tick earlier.
    assert!(
        (9 * SEC..=11 * SEC).contains(&waited),
        "dropped after {waited} us"
    );
    assert_eq!(e.state(3), ServerState::Leading, "the leader keeps zk2");
    assert!(!e.server(1).is_serving());
    e.assert_clean();
}

/// `Learner.registerWithLeader` writes one FOLLOWERINFO on its connection and reads the
/// answer with an `initLimit*tickTime` socket timeout; only a failed connect is retried
/// (`connectToLeader`: five tries a second apart).
#[test]
fn a_learner_sends_one_followerinfo_and_waits_init_limit_for_leaderinfo() {
    let mut e = Ens::new(3, 22);
    assert_eq!(e.settle(), 3);
    e.input(Input::Crash(e.node(1)));
    e.input(Input::Restart(e.node(1)));
    let decided = e.run_until(10 * SEC, |e| e.state(1) == ServerState::Following);
    assert!(decided);
    // Whatever the leader says to zk1 from now on is held: no LEADERINFO arrives.
    e.input(Input::HoldLink(e.node(3), e.node(1)));
    let t0 = e.sim.world.now_us();
    let mut followerinfos = 0;
    while e.sim.world.now_us() < t0 + 15 * SEC {
        let Some(rec) = e.sim.step() else { break };
        followerinfos += rec
            .sends
            .iter()
            .filter(|s| {
                matches!(
                    &s.msg,
                    Msg::Zk(zk::Msg::Quorum {
                        pkt: QuorumPacket::FollowerInfo { .. },
                        ..
                    })
                )
            })
            .count();
        e.violations.extend(rec.violations);
    }
    assert_eq!(followerinfos, 0, "no FOLLOWERINFO is re-sent");
    assert_eq!(e.state(1), ServerState::Following, "still waiting at 15 s");
    let gave_up = e.run_until(10 * SEC, |e| e.state(1) == ServerState::Looking);
    assert!(gave_up);
    let waited = e.sim.world.now_us() - t0;
    assert!(waited <= 20 * SEC + SEC, "gave up after {waited} us");
    e.assert_clean();
}

/// `connectToLeader`: a server that is not leading refuses the connection and the learner
/// tries again a second later, five times in all, then goes back to LOOKING.
#[test]
fn a_server_that_is_not_leading_refuses_a_learner_connection() {
    let mut e = Ens::new(3, 23);
    e.settle();
    e.sim.world.inject(Input::Deliver(
        e.node(1),
        Msg::Zk(zk::Msg::Quorum {
            conn: 77,
            seq: 1,
            pkt: QuorumPacket::FollowerInfo { accepted_epoch: 1 },
        }),
    ));
    let rec = e.sim.step().expect("a step");
    let refused = rec.sends.iter().any(|s| {
        matches!(&s.msg, Msg::Zk(zk::Msg::Disconnect { conn: 77, reason }) if reason == zk::msg::CONNECTION_REFUSED)
    });
    assert!(refused, "a follower does not accept learner connections");
}

/// `NIOServerCnxn.close` → `ZooKeeperServer.removeCnxn` → `DataTree.removeCnxn`: the
/// watches a connection set go with it, whoever closes it.
#[test]
fn a_connection_closed_by_its_client_takes_its_watches_with_it() {
    let mut e = Ens::new(3, 24);
    e.settle();
    let mut c = e.connect(1);
    e.await_session(&c);
    e.create(&mut c, 1, "/w", CreateMode::Persistent);
    e.await_reply(&c, 1);
    e.request(
        &mut c,
        2,
        ClientOp::GetData {
            path: "/w".into(),
            watch: true,
        },
    );
    e.await_reply(&c, 2);
    assert_eq!(e.server(1).watches().len(), 1);
    e.send(
        &mut c,
        ClientPacket::Close {
            reason: "bye".into(),
        },
    );
    assert!(
        e.server(1).watches().is_empty(),
        "the closed connection's watch is gone"
    );
    e.assert_clean();
}

/// `ZooKeeperServer.processConnectRequest`: a session re-connecting to a server first
/// closes the session's older connection there (`serverCnxnFactory.closeSession`), so
/// replies and events go to the new connection only.
#[test]
fn a_session_reconnecting_to_the_same_server_closes_its_older_connection() {
    let mut e = Ens::new(3, 25);
    e.settle();
    let mut old = e.connect(1);
    let s = e.await_session(&old);
    e.request(
        &mut old,
        1,
        ClientOp::Exists {
            path: "/later".into(),
            watch: true,
        },
    );
    e.await_reply(&old, 1);
    let mut new = RawConn {
        server: e.node(1),
        conn: 5555,
        seq: 0,
    };
    e.send(
        &mut new,
        ClientPacket::ConnectRequest {
            last_zxid_seen: 0,
            timeout_ms: 6000,
            session_id: s,
            passwd: passwd_of(s),
        },
    );
    assert_eq!(e.await_session(&new), s);
    let to_old = |e: &Ens| e.replies.iter().filter(|(k, _)| *k == old.conn).count();
    let closed = e
        .replies
        .iter()
        .any(|(k, p)| *k == old.conn && matches!(p, ClientPacket::Close { .. }));
    assert!(closed, "the older connection was closed");
    assert!(
        e.server(1).watches().is_empty(),
        "its watches went with it (the client re-sets them with SetWatches)"
    );
    let before = to_old(&e);
    e.create(&mut new, 1, "/later", CreateMode::Persistent);
    let (_, err, _) = e.await_reply(&new, 1);
    assert_eq!(err, ErrorCode::Ok);
    assert_eq!(
        to_old(&e),
        before,
        "nothing more reaches the old connection"
    );
    e.assert_clean();
}

/// `Leader.startZkServer` sets the database's last processed zxid to `newEpoch<<32`, and
/// `QuorumPeer.getLastLoggedZxid` (the zxid in a vote) reads that value: a leader that has
/// proposed nothing in its epoch still votes with its epoch's first zxid when it gives up.
#[test]
fn an_activated_leader_votes_with_its_new_epoch_zxid_after_giving_up() {
    let mut e = Ens::new(3, 26);
    assert_eq!(e.settle(), 3);
    assert_eq!(
        e.server(3).tree().last_processed_zxid(),
        zxid(1, 0),
        "set on activation"
    );
    e.input(Input::Partition(vec![
        vec![e.node(3)],
        vec![e.node(1), e.node(2)],
    ]));
    let gave_up = e.run_until(20 * SEC, |e| e.state(3) == ServerState::Looking);
    assert!(gave_up);
    let vote = e.server(3).summary().vote;
    assert_eq!((vote.zxid, vote.peer_epoch), (zxid(1, 0), 1), "{vote:?}");
    e.assert_clean();
}

/// `ProposalRequestProcessor` hands only a `LearnerSyncRequest` to `Leader.processSync`
/// (which waits for the outstanding proposals); a sync from the leader's own client goes
/// through its `CommitProcessor` (`matchSyncs` false) and is answered in session order.
#[test]
fn a_sync_from_a_client_of_the_leader_does_not_wait_for_other_sessions_proposals() {
    let mut e = Ens::new(3, 27);
    assert_eq!(e.settle(), 3);
    let mut w = e.connect(3);
    e.await_session(&w);
    let mut s = e.connect(3);
    e.await_session(&s);
    // The followers' ACKs are held: w's write stays outstanding.
    e.input(Input::HoldLink(e.node(1), e.node(3)));
    e.input(Input::HoldLink(e.node(2), e.node(3)));
    e.create(&mut w, 1, "/p", CreateMode::Persistent);
    e.request(&mut s, 1, ClientOp::Sync { path: "/".into() });
    let conn = s.conn;
    let answered = e.run_until(SEC, |e| {
        e.replies
            .iter()
            .any(|(k, p)| *k == conn && matches!(p, ClientPacket::Reply { xid: 1, .. }))
    });
    assert!(answered, "the leader's own client is answered at once");
    assert!(e.reply(&w, 1).is_none(), "the write is still outstanding");
    e.input(Input::ReleaseLink(e.node(1), e.node(3)));
    e.input(Input::ReleaseLink(e.node(2), e.node(3)));
    e.await_reply(&w, 1);
    e.assert_clean();
}

/// `Leader.lead` counts every `LearnerHandler` whose `synced()` holds (alive and the tick
/// within `tickOfNextAckDeadline`, which starts at initLimit + syncLimit ticks), not only
/// learners that are up to date: a learner still in its handshake keeps the leader's
/// quorum while within its deadline.
#[test]
fn a_learner_still_syncing_counts_for_the_leaders_quorum_within_its_deadline() {
    let mut e = Ens::new(3, 28);
    assert_eq!(e.settle(), 3);
    e.input(Input::Crash(e.node(1)));
    e.input(Input::Restart(e.node(1)));
    let decided = e.run_until(10 * SEC, |e| e.state(1) == ServerState::Following);
    assert!(decided);
    // zk1 never gets LEADERINFO: it stays in the handshake.
    e.input(Input::HoldLink(e.node(3), e.node(1)));
    e.input(Input::Crash(e.node(2)));
    let crashed = e.sim.world.now_us();
    e.run_for(15 * SEC);
    assert_eq!(
        e.state(3),
        ServerState::Leading,
        "zk1's handler is within its deadline"
    );
    let gave_up = e.run_until(20 * SEC, |e| e.state(3) == ServerState::Looking);
    assert!(gave_up, "the leader gives up once zk1's handler times out");
    let waited = e.sim.world.now_us() - crashed;
    assert!(waited <= 22 * SEC, "gave up after {waited} us");
    e.assert_clean();
}

/// One FLE server driven by hand: each call runs one handler and returns its commands.
struct Fle {
    s: zk::Server,
    rng: SimRng,
}

impl Fle {
    /// Server `sid` of an ensemble of `n`, started (LOOKING, round 1, voting for itself).
    fn start(sid: u64, n: u64) -> Self {
        let cfg = zk::ZkConfig::new((1..=n).map(|s| (s, NodeId(s as u32 - 1))).collect());
        let mut f = Self {
            s: zk::Server::new(sid, cfg),
            rng: SimRng::new(1),
        };
        let mut ctx = Ctx::new(NodeId(sid as u32 - 1), 0, &mut f.rng);
        f.s.on_start(&mut ctx);
        f
    }

    /// Delivers a notification from server `from`.
    fn hear(
        &mut self,
        from: u64,
        leader: u64,
        zxid: zk::Zxid,
        peer_epoch: u64,
        round: u64,
        state: ServerState,
    ) -> Vec<Command<zk::Msg, zk::Timer>> {
        let me = NodeId(self.s.sid as u32 - 1);
        let mut ctx = Ctx::new(me, 10 * MS, &mut self.rng);
        let n = Notification {
            vote: Vote {
                leader,
                zxid,
                peer_epoch,
            },
            election_epoch: round,
            state,
        };
        self.s
            .on_message(&mut ctx, NodeId(from as u32 - 1), zk::Msg::Notification(n));
        ctx.into_commands()
    }
}

/// `FastLeaderElection.Messenger.WorkerReceiver` answers a LOOKING peer of an older round
/// with our vote as soon as its notification arrives, whatever `lookForLeader` is doing, so
/// also during the finalize wait.
#[test]
fn a_looking_server_answers_a_lagging_peer_during_its_finalize_wait() {
    let mut f = Fle::start(1, 3);
    // zk2 is in round 5 and votes for zk1: zk1 joins round 5 and a quorum agrees.
    f.hear(2, 1, 0, 0, 5, ServerState::Looking);
    assert!(f.s.summary().votes_received.len() >= 2);
    // zk3 still in round 3, voting for zk1 too (so it does not end the wait).
    let cmds = f.hear(3, 1, 0, 0, 3, ServerState::Looking);
    let answered = cmds.iter().any(|c| {
        matches!(c, Command::Send { dst, msg: zk::Msg::Notification(n) }
            if *dst == NodeId(2) && n.election_epoch == 5)
    });
    assert!(answered, "zk3 is told about round 5: {cmds:?}");
}

/// `lookForLeader`, FOLLOWING/LEADING case: notifications of our own round go into
/// `recvset` as LOOKING votes, and `Vote.equals` then compares the whole vote (leader,
/// zxid, round, epoch); only `outofelection` compares just leader and epoch.
#[test]
fn same_round_notifications_from_an_established_ensemble_must_agree_on_the_whole_vote() {
    let mut f = Fle::start(1, 5);
    // zk2 (LOOKING, round 1) votes for zk3 with zxid 5 in epoch 1: zk1 adopts that vote.
    f.hear(2, 3, 5, 1, 1, ServerState::Looking);
    assert_eq!(f.s.summary().vote.leader, 3);
    // zk3 says it is LEADING, in round 1, with zxid 7: same leader and epoch, not the same
    // vote. Three of five agree only if zxids are ignored.
    f.hear(3, 3, 7, 1, 1, ServerState::Leading);
    f.hear(3, 3, 7, 1, 1, ServerState::Leading);
    assert_eq!(
        f.s.state(),
        ServerState::Looking,
        "no quorum agrees on (zk3, 0x7, round 1, epoch 1)"
    );
}

/// `LearnerHandler.syncFollower`: a learner whose last zxid is a bare `epoch<<32` above the
/// leader's committed log is neither TRUNCed (it has no txn log to cut) nor found in the
/// log, so it falls through to "Unhandled scenario" and gets a SNAP.
#[test]
fn a_learner_with_a_bare_new_epoch_zxid_above_the_committed_log_gets_a_snapshot() {
    let mut e = Ens::new(3, 29);
    assert_eq!(e.settle(), 3);
    let mut c = e.connect(1);
    e.await_session(&c);
    e.create(&mut c, 1, "/a", CreateMode::Persistent);
    e.await_reply(&c, 1);
    // The raw client never pings: its session expires, still in epoch 1.
    let expired = e.run_until(15 * SEC, |e| e.sessions(1).is_empty());
    assert!(expired);
    e.input(Input::Crash(e.node(3)));
    assert_eq!(e.settle(), 2);
    // zk2 leads epoch 2 without a single txn, then is cut off and gives up.
    e.input(Input::Partition(vec![
        vec![e.node(2)],
        vec![e.node(1), e.node(3)],
    ]));
    let gave_up = e.run_until(20 * SEC, |e| e.state(2) == ServerState::Looking);
    assert!(gave_up);
    assert_eq!(e.server(2).summary().vote.zxid, zxid(2, 0));
    e.input(Input::Restart(e.node(3)));
    let elected = e.run_until(60 * SEC, |e| e.leader() == Some(1));
    assert!(elected, "zk1 (epoch 2) leads epoch 3");
    e.input(Input::Heal);
    let back = e.run_until(60 * SEC, |e| {
        e.state(2) == ServerState::Following && e.server(2).is_serving()
    });
    assert!(back);
    let (mode, _) = e.server(2).summary().last_sync.expect("synced");
    assert_eq!(mode, "SNAP");
    assert_eq!(e.server(2).tree(), e.server(1).tree());
    e.assert_clean();
}

/// A copy of follower `sid` of a settled ensemble and a way to hand it packets as if they
/// came from its leader on its learner connection.
struct Follower {
    s: zk::Server,
    rng: SimRng,
    leader: NodeId,
    conn: u64,
    seq: u64,
}

impl Follower {
    fn of(e: &Ens, sid: u64) -> Self {
        let s = e.server(sid).clone();
        let l = s.learner_state().expect("a follower");
        let (leader, conn, seq) = (l.end.peer, l.end.conn, l.end.received());
        Self {
            s,
            rng: SimRng::new(2),
            leader,
            conn,
            seq,
        }
    }

    fn hear_leader(&mut self, pkt: QuorumPacket) -> Vec<Command<zk::Msg, zk::Timer>> {
        self.seq += 1;
        let me = NodeId(self.s.sid as u32 - 1);
        let mut ctx = Ctx::new(me, 100 * SEC, &mut self.rng);
        let msg = zk::Msg::Quorum {
            conn: self.conn,
            seq: self.seq,
            pkt,
        };
        self.s.on_message(&mut ctx, self.leader, msg);
        ctx.into_commands()
    }
}

/// `FollowerZooKeeperServer.commit`: with no txn pending a COMMIT is only logged as a
/// warning ("Committing ... without seeing txn").
#[test]
fn a_follower_ignores_a_commit_with_no_txn_pending() {
    let mut e = Ens::new(3, 30);
    e.settle();
    let mut f = Follower::of(&e, 1);
    let next = f.s.last_applied_zxid() + 1;
    f.hear_leader(QuorumPacket::Commit { zxid: next });
    assert_eq!(f.s.state(), ServerState::Following);
    assert!(f.s.is_serving());
}

/// `FollowerZooKeeperServer.commit`: a COMMIT for anything but the first pending txn ends
/// the process (`System.exit(12)`); it comes back from its disk as after a crash, closing its
/// connection to the leader on the way out.
#[test]
fn a_commit_that_is_not_the_next_pending_txn_makes_the_follower_exit_and_restart() {
    let mut e = Ens::new(3, 31);
    e.settle();
    let mut f = Follower::of(&e, 1);
    let round = f.s.summary().election_epoch;
    let z = f.s.last_applied_zxid() + 1;
    let hdr = zk::TxnHeader {
        session_id: 0x42,
        cxid: 0,
        zxid: z,
        time_ms: 0,
    };
    f.hear_leader(QuorumPacket::Proposal {
        hdr,
        txn: zk::Txn::CreateSession { timeout_ms: 6000 },
    });
    let cmds = f.hear_leader(QuorumPacket::Commit { zxid: z + 1 });
    assert_eq!(f.s.state(), ServerState::Looking);
    assert!(
        cmds.iter()
            .any(|c| matches!(c, Command::Send { dst, msg: zk::Msg::Disconnect { .. } } if *dst == f.leader)),
        "the leader sees the connection close"
    );
    assert_eq!(
        f.s.summary().election_epoch,
        1,
        "a new process starts its logical clock over (it was {round})"
    );
    assert_eq!(f.s.disk().last_logged_zxid(), z, "the logged txn survives");
}

/// A client library instance driven by hand, with the commands of its last handler call.
struct Client {
    c: ZkClient,
    rng: SimRng,
    conn: u64,
    seq: u64,
    cmds: Vec<Command<zk::Msg, zk::Timer>>,
}

impl Client {
    const ME: NodeId = NodeId(10);
    const SERVER: NodeId = NodeId(0);

    /// Connected at 10 ms with a 6 s session (readTimeout 4 s).
    fn connected() -> Self {
        let mut cl = Self {
            c: ZkClient::new(vec![Self::SERVER], 6000),
            rng: SimRng::new(4),
            conn: 0,
            seq: 0,
            cmds: Vec::new(),
        };
        let mut ctx: Ctx<zk::Msg, zk::Timer> = Ctx::new(Self::ME, 0, &mut cl.rng);
        cl.c.connect(&mut ctx);
        cl.conn = ctx
            .into_commands()
            .iter()
            .find_map(|c| match c {
                Command::Send {
                    msg: zk::Msg::Client { conn, .. },
                    ..
                } => Some(*conn),
                _ => None,
            })
            .expect("a ConnectRequest");
        cl.deliver(
            10,
            ClientPacket::ConnectResponse {
                timeout_ms: 6000,
                session_id: 0x77,
                passwd: 1,
            },
        );
        cl
    }

    fn deliver(&mut self, at_ms: u64, pkt: ClientPacket) {
        self.seq += 1;
        let mut ctx: Ctx<zk::Msg, zk::Timer> = Ctx::new(Self::ME, at_ms * MS, &mut self.rng);
        let msg = zk::Msg::Client {
            conn: self.conn,
            seq: self.seq,
            pkt,
        };
        self.c.on_message(&mut ctx, Self::SERVER, msg);
        self.cmds = ctx.into_commands();
    }

    fn pinged(&self) -> bool {
        self.cmds.iter().any(|c| {
            matches!(
                c,
                Command::Send {
                    msg: zk::Msg::Client {
                        pkt: ClientPacket::Request {
                            op: ClientOp::Ping,
                            ..
                        },
                        ..
                    },
                    ..
                }
            )
        })
    }

    fn ping_timer(&self) -> Option<u64> {
        self.cmds.iter().find_map(|c| match c {
            Command::SetTimer {
                timer: zk::Timer::Client(ClientTimer::Ping),
                after_us,
            } => Some(*after_us),
            _ => None,
        })
    }
}

/// `ClientCnxn.SendThread.run`: each time the send thread wakes (a packet arrived, or its
/// wait ran out) the next ping is due in `readTimeout/2 − idleSend`, less another second
/// once it has not sent for over a second; at zero or below it pings at once.
#[test]
fn a_client_pings_a_second_early_when_it_wakes_after_more_than_a_second_idle() {
    let mut cl = Client::connected();
    let event = || ClientPacket::WatcherEvent {
        event: zk::EventType::NodeDataChanged,
        state: zk::KeeperState::SyncConnected,
        path: "/x".into(),
    };
    // Woken at 0.5 s (idle 0.5 s since the ConnectRequest): next ping in 2 − 0.5 s.
    cl.deliver(500, event());
    assert!(!cl.pinged());
    assert_eq!(cl.ping_timer(), Some(1500 * MS));
    // Woken at 1.5 s: 2 − 1.5 − 1 < 0, so it pings now rather than at 2 s.
    cl.deliver(1500, event());
    assert!(cl.pinged(), "{:?}", cl.cmds);
}
