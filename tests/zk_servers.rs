//! ZooKeeper server rules (sheet sections A and B), each in a sentence-named scenario.
//! Clients are raw connections from the environment, so these tests exercise the servers
//! alone; the client library has tests of its own.

mod zk_support;

use zk_support::Ens;
use zooscope::sim::{Input, MS, SEC};
use zooscope::zk::msg::{ClientOp, QuorumPacket, ReplyBody, ServerState};
use zooscope::zk::{counter_of, epoch_of, fmt_zxid, zxid, CreateMode, ErrorCode};

#[test]
fn three_servers_with_equal_logs_elect_the_highest_sid() {
    let mut e = Ens::new(3, 1);
    let leader = e.settle();
    assert_eq!(leader, 3, "equal (epoch, zxid): the highest sid wins");
    assert_eq!(e.state(1), ServerState::Following);
    assert_eq!(e.state(2), ServerState::Following);
    for sid in 1..=3 {
        let d = e.server(sid).disk();
        assert_eq!(
            (d.accepted_epoch, d.current_epoch),
            (1, 1),
            "zk{sid} persisted epoch 1"
        );
    }
    e.assert_clean();
}

#[test]
fn ensembles_of_one_five_and_seven_elect_a_leader() {
    for n in [1, 5, 7] {
        let mut e = Ens::new(n, 4);
        let leader = e.settle();
        assert_eq!(leader, n as u64);
        e.assert_clean();
    }
}

#[test]
fn a_crashed_leader_is_replaced_by_a_leader_with_a_higher_epoch() {
    let mut e = Ens::new(3, 2);
    assert_eq!(e.settle(), 3);
    e.input(Input::Crash(e.node(3)));
    let l = e.settle();
    assert_eq!(l, 2, "zk2 has the same zxid as zk1 and a higher sid");
    assert_eq!(e.server(2).established_epoch(), Some(2));
    e.input(Input::Restart(e.node(3)));
    e.settle();
    assert_eq!(
        e.state(3),
        ServerState::Following,
        "the old leader rejoins as a follower"
    );
    assert_eq!(e.server(3).disk().current_epoch, 2);
    e.assert_clean();
}

#[test]
fn a_write_at_a_follower_commits_through_the_leader_and_is_applied_everywhere() {
    let mut e = Ens::new(3, 3);
    e.settle();
    let mut c = e.connect(1);
    let session = e.await_session(&c);
    assert_eq!(
        session >> 56,
        1,
        "the session id's top byte is the server that created it"
    );
    e.create(&mut c, 1, "/a", CreateMode::Persistent);
    let (z, err, body) = e.await_reply(&c, 1);
    assert_eq!(err, ErrorCode::Ok);
    assert_eq!(z, zxid(1, 2), "createSession took 0x100000001");
    assert!(matches!(body, ReplyBody::Write(_)));
    e.run_for(100 * MS);
    for sid in 1..=3 {
        let stat = e.server(sid).tree().stat("/a").expect("applied");
        assert_eq!(stat.czxid, zxid(1, 2));
    }
    e.assert_clean();
}

#[test]
fn failed_writes_still_consume_a_zxid() {
    let mut e = Ens::new(3, 5);
    e.settle();
    let mut c = e.connect(3);
    e.await_session(&c);
    e.create(&mut c, 1, "/a", CreateMode::Persistent);
    e.create(&mut c, 2, "/a", CreateMode::Persistent);
    e.create(&mut c, 3, "/b", CreateMode::Persistent);
    let (z1, _, _) = e.await_reply(&c, 1);
    let (z2, err2, _) = e.await_reply(&c, 2);
    let (z3, _, _) = e.await_reply(&c, 3);
    assert_eq!(err2, ErrorCode::NodeExists);
    assert_eq!((counter_of(z1), counter_of(z2), counter_of(z3)), (2, 3, 4));
    e.assert_clean();
}

#[test]
fn a_session_that_goes_silent_expires_and_its_ephemerals_are_deleted_everywhere() {
    let mut e = Ens::new(3, 6);
    e.settle();
    let mut c = e.connect(2);
    let s = e.await_session(&c);
    e.create(&mut c, 1, "/eph", CreateMode::Ephemeral);
    e.await_reply(&c, 1);
    let t0 = e.sim.world.now_us();
    e.run_for(100 * MS);
    assert!((1..=3).all(|sid| e.has(sid, "/eph")));
    // The raw connection never pings: after the 6 s timeout (bucketed to the next 2 s tick)
    // the leader expires the session.
    let gone = e.run_until(12 * SEC, |e| (1..=3).all(|sid| !e.has(sid, "/eph")));
    assert!(gone, "ephemeral still there");
    let waited = e.sim.world.now_us() - t0;
    assert!(
        (6 * SEC..=9 * SEC).contains(&waited),
        "expired after {waited} us"
    );
    assert!((1..=3).all(|sid| !e.sessions(sid).contains(&s)));
    e.assert_clean();
}

#[test]
fn a_leader_change_restarts_every_session_timeout() {
    let mut e = Ens::new(3, 7);
    e.settle();
    let mut c = e.connect(1);
    let s = e.await_session(&c);
    e.create(&mut c, 1, "/eph", CreateMode::Ephemeral);
    e.await_reply(&c, 1);
    e.input(Input::Crash(e.node(3)));
    e.settle();
    let activated = e.sim.world.now_us();
    // The session has been silent for longer than its timeout by now, but the new leader
    // gave it a fresh deadline when it was activated.
    e.run_for(4 * SEC);
    assert!(e.sessions(2).contains(&s), "session survived the election");
    let gone = e.run_until(10 * SEC, |e| !e.sessions(2).contains(&s));
    assert!(gone);
    assert!(e.sim.world.now_us() - activated >= 6 * SEC);
    e.assert_clean();
}

#[test]
fn a_follower_with_no_txns_below_the_committed_log_gets_a_snapshot() {
    // Real 3.5 would try its txn log, whose preallocated 64 MB file always exceeds a third
    // of a small snapshot, so it sends SNAP too.
    let mut e = Ens::new(3, 8);
    e.settle();
    e.input(Input::Crash(e.node(1)));
    let mut c = e.connect(3);
    e.await_session(&c);
    e.create(&mut c, 1, "/x", CreateMode::Persistent);
    e.await_reply(&c, 1);
    e.input(Input::Restart(e.node(1)));
    e.settle();
    assert_eq!(
        e.server(1).summary().last_sync.map(|(m, _)| m),
        Some("SNAP")
    );
    assert_eq!(e.server(1).tree(), e.server(3).tree());
    e.assert_clean();
}

#[test]
fn a_follower_that_missed_txns_is_synced_with_a_diff() {
    let mut e = Ens::new(3, 8);
    e.settle();
    let mut c = e.connect(3);
    e.await_session(&c);
    e.create(&mut c, 1, "/w", CreateMode::Persistent);
    e.await_reply(&c, 1);
    e.run_for(100 * MS);
    // zk1 has 0x100000002, inside the leader's committed log: it will get a DIFF.
    e.input(Input::Crash(e.node(1)));
    for (i, p) in ["/x", "/y", "/z"].iter().enumerate() {
        e.create(&mut c, i as i32 + 2, p, CreateMode::Persistent);
        e.await_reply(&c, i as i32 + 2);
    }
    e.input(Input::Restart(e.node(1)));
    e.settle();
    let summary = e.server(1).summary();
    assert_eq!(summary.last_sync.map(|(m, _)| m), Some("DIFF"));
    assert_eq!(e.server(1).tree(), e.server(3).tree());
    e.assert_clean();
}

/// Sheet B.7 set-up: zk3 leads epoch 1; it is cut off, takes a write it logs alone and can
/// never commit, and crashes; zk1 and zk2 elect zk2 for epoch 2. Returns the stray zxid.
fn strand_a_write_on_the_isolated_leader(e: &mut Ens) -> zooscope::zk::Zxid {
    assert_eq!(e.settle(), 3);
    let mut c = e.connect(3);
    e.await_session(&c);
    e.input(Input::Partition(vec![
        vec![e.node(3)],
        vec![e.node(1), e.node(2)],
    ]));
    e.create(&mut c, 1, "/stray", CreateMode::Persistent);
    e.run_for(10 * MS);
    let stray = e.server(3).disk().last_logged_zxid();
    assert_eq!(stray, zxid(1, 2));
    assert!(e.reply(&c, 1).is_none(), "never acknowledged to the client");
    e.input(Input::Crash(e.node(3)));
    e.input(Input::Heal);
    assert_eq!(e.settle(), 2);
    stray
}

/// Sheet B.7: the old leader logged a txn nobody else has; the new leader has committed
/// nothing in its epoch yet, so the old leader is told to TRUNC it away.
#[test]
fn a_returning_old_leader_truncates_its_uncommitted_txn() {
    let mut e = Ens::new(3, 9);
    let stray = strand_a_write_on_the_isolated_leader(&mut e);
    e.input(Input::Restart(e.node(3)));
    assert_eq!(
        e.server(3).summary().vote.zxid,
        stray,
        "it votes with its logged zxid"
    );
    e.settle();
    assert_eq!(
        e.state(3),
        ServerState::Following,
        "epoch 2 beats its higher zxid of epoch 1"
    );
    let sync = e.server(3).summary().last_sync;
    assert_eq!(sync, Some(("TRUNC", zxid(1, 1))), "{sync:?}");
    assert!(!e.has(3, "/stray"));
    assert!(e.server(3).disk().log.iter().all(|l| l.hdr.zxid != stray));
    e.assert_clean();
}

/// Sheet B.7, second case: the new leader already committed txns in epoch 2, so the stray
/// txn lies inside its committed range but is absent, and the next committed txn is in a
/// later epoch: the leader sends a SNAP.
#[test]
fn a_returning_old_leader_gets_a_snapshot_when_epoch_two_has_commits() {
    let mut e = Ens::new(3, 10);
    let stray = strand_a_write_on_the_isolated_leader(&mut e);
    let mut w = e.connect(2);
    e.await_session(&w);
    e.create(&mut w, 1, "/epoch2", CreateMode::Persistent);
    e.await_reply(&w, 1);
    e.input(Input::Restart(e.node(3)));
    e.settle();
    let (mode, at) = e.server(3).summary().last_sync.expect("synced");
    assert_eq!(mode, "SNAP");
    assert_eq!(epoch_of(at), 2, "snapshot at {}", fmt_zxid(at));
    assert!(!e.has(3, "/stray") && e.has(3, "/epoch2"));
    assert!(e.server(3).disk().log.iter().all(|l| l.hdr.zxid != stray));
    assert_eq!(e.server(3).tree(), e.server(2).tree());
    e.assert_clean();
}

#[test]
fn a_leader_partitioned_with_a_minority_stops_serving_within_sync_limit() {
    let mut e = Ens::new(5, 11);
    assert_eq!(e.settle(), 5);
    e.input(Input::Partition(vec![
        vec![e.node(5), e.node(4)],
        vec![e.node(1), e.node(2), e.node(3)],
    ]));
    let cut = e.sim.world.now_us();
    let gave_up = e.run_until(20 * SEC, |e| e.state(5) == ServerState::Looking);
    assert!(gave_up);
    let waited = e.sim.world.now_us() - cut;
    // syncLimit = 5 ticks of 2 s, checked once per tick.
    assert!(
        (8 * SEC..=14 * SEC).contains(&waited),
        "gave up after {waited} us"
    );
    let majority = e.run_until(60 * SEC, |e| e.leader() == Some(3));
    assert!(majority, "the majority side elects zk3");
    // The old leader's close reaches its last follower a few milliseconds later.
    e.run_for(100 * MS);
    assert!(
        !e.server(4).is_serving() && !e.server(5).is_serving(),
        "zk4 {:?} {}, zk5 {:?} {}",
        e.state(4),
        e.server(4).is_serving(),
        e.state(5),
        e.server(5).is_serving()
    );
    e.assert_clean();
}

#[test]
fn a_majority_crash_leaves_no_serving_server_until_enough_return() {
    let mut e = Ens::new(3, 12);
    e.settle();
    e.input(Input::Crash(e.node(2)));
    e.input(Input::Crash(e.node(3)));
    e.run_for(30 * SEC);
    assert!(!e.server(1).is_serving());
    assert_eq!(e.state(1), ServerState::Looking);
    e.input(Input::Restart(e.node(2)));
    let back = e.settle();
    assert_eq!(back, 2);
    e.assert_clean();
}

#[test]
fn a_dropped_proposal_resets_the_learner_connection_and_the_follower_catches_up() {
    let mut e = Ens::new(3, 13);
    e.settle();
    let mut c = e.connect(3);
    e.await_session(&c);
    e.create(&mut c, 1, "/a", CreateMode::Persistent);
    // Find the PROPOSAL on its way to zk1 and drop it.
    let to1 = e.node(1);
    let id = e
        .sim
        .world
        .in_flight()
        .find(|f| {
            f.dst == to1
                && matches!(
                    &f.msg,
                    zooscope::cluster::Msg::Zk(zooscope::zk::Msg::Quorum {
                        pkt: QuorumPacket::Proposal { .. },
                        ..
                    })
                )
        })
        .map(|f| f.id)
        .expect("a proposal in flight");
    e.input(Input::Drop(id));
    e.await_reply(&c, 1);
    e.create(&mut c, 2, "/b", CreateMode::Persistent);
    e.await_reply(&c, 2);
    let caught_up = e.run_until(60 * SEC, |e| {
        e.has(1, "/a") && e.has(1, "/b") && e.server(1).is_serving()
    });
    assert!(caught_up, "zk1 rejoined and has both writes");
    e.assert_clean();
}

#[test]
fn reads_are_served_locally_and_a_lagging_follower_answers_stale_data() {
    let mut e = Ens::new(3, 14);
    e.settle();
    let mut w = e.connect(3);
    e.await_session(&w);
    let mut r = e.connect(1);
    e.await_session(&r);
    // Hold everything the leader sends zk1: zk1 falls behind.
    e.input(Input::HoldLink(e.node(3), e.node(1)));
    e.create(&mut w, 1, "/fresh", CreateMode::Persistent);
    e.await_reply(&w, 1);
    e.request(
        &mut r,
        1,
        ClientOp::GetData {
            path: "/fresh".into(),
            watch: false,
        },
    );
    let (_, err, _) = e.await_reply(&r, 1);
    assert_eq!(err, ErrorCode::NoNode, "zk1 has not seen the commit yet");
    e.input(Input::ReleaseLink(e.node(3), e.node(1)));
    e.run_for(100 * MS);
    e.request(
        &mut r,
        2,
        ClientOp::GetData {
            path: "/fresh".into(),
            watch: false,
        },
    );
    let (_, err, _) = e.await_reply(&r, 2);
    assert_eq!(err, ErrorCode::Ok);
    e.assert_clean();
}

#[test]
fn sync_makes_a_following_read_see_the_leaders_commits() {
    let mut e = Ens::new(3, 15);
    e.settle();
    let mut w = e.connect(3);
    e.await_session(&w);
    let mut r = e.connect(2);
    e.await_session(&r);
    e.create(&mut w, 1, "/s", CreateMode::Persistent);
    e.request(&mut r, 1, ClientOp::Sync { path: "/".into() });
    e.request(
        &mut r,
        2,
        ClientOp::GetData {
            path: "/s".into(),
            watch: false,
        },
    );
    let (_, serr, body) = e.await_reply(&r, 1);
    assert_eq!(serr, ErrorCode::Ok);
    assert!(matches!(body, ReplyBody::Sync { .. }));
    let (_, err, _) = e.await_reply(&r, 2);
    assert_eq!(err, ErrorCode::Ok, "the read after sync sees /s");
    e.assert_clean();
}

#[test]
fn a_client_that_has_seen_a_newer_zxid_is_refused_by_a_lagging_server() {
    let mut e = Ens::new(3, 16);
    e.settle();
    e.input(Input::HoldLink(e.node(3), e.node(1)));
    let mut w = e.connect(3);
    e.await_session(&w);
    e.create(&mut w, 1, "/n", CreateMode::Persistent);
    let (seen, _, _) = e.await_reply(&w, 1);
    let mut c = zk_support::RawConn {
        server: e.node(1),
        conn: 4242,
        seq: 0,
    };
    e.send(
        &mut c,
        zooscope::zk::msg::ClientPacket::ConnectRequest {
            last_zxid_seen: seen,
            timeout_ms: 6000,
            session_id: 0,
            passwd: 0,
        },
    );
    let closed = e.replies.iter().any(|(k, p)| {
        *k == 4242 && matches!(p, zooscope::zk::msg::ClientPacket::Close { reason } if reason.contains("Refusing session request"))
    });
    assert!(
        closed,
        "zk1 must refuse: it would take the client back in time"
    );
}
