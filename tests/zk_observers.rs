//! ZooKeeper observers (`peerType=observer`, sheet B.3–B.5): non-voting learners that sync
//! like followers, learn committed txns through INFORM, serve reads, forward writes, and never
//! count toward an election or ACK quorum. Each rule is one sentence-named scenario with three
//! voters (zk1..zk3) and two observers (zk4, zk5); clients are raw connections.

mod zk_support;

use zk_support::Ens;
use zooscope::cluster::scenario::{self, BuildOptions};
use zooscope::cluster::zk::scenarios::ensemble_observed;
use zooscope::cluster::Msg;
use zooscope::sim::{Input, NodeId, MS, SEC};
use zooscope::zk::msg::{ClientOp, ClientPacket, QuorumPacket, ReplyBody, ServerState};
use zooscope::zk::{self, CreateMode, ErrorCode, WriteOp};

/// Three voters and two observers.
fn observed(seed: u64) -> Ens {
    Ens::from_sim(ensemble_observed(&BuildOptions::seed(seed), 3, 2, &[]))
}

/// Steps for `us`, returning every quorum packet sent as (from sid, to sid, packet kind).
fn quorum_traffic(e: &mut Ens, us: u64) -> Vec<(u64, u64, &'static str)> {
    let end = e.sim.world.now_us() + us;
    let mut out = Vec::new();
    while e.sim.world.next_event_us().is_some_and(|t| t <= end) {
        let Some(rec) = e.sim.step() else { break };
        let from = rec.actor().map_or(0, |n| n.0 as u64 + 1);
        for s in &rec.sends {
            match &s.msg {
                Msg::Zk(zk::Msg::Quorum { pkt, .. }) => {
                    out.push((from, s.dst.0 as u64 + 1, pkt.kind()))
                }
                Msg::Zk(zk::Msg::Client { conn, pkt, .. }) if s.dst == NodeId::ENV => {
                    e.replies.push((*conn, pkt.clone()))
                }
                _ => {}
            }
        }
        e.violations.extend(rec.violations);
    }
    out
}

#[test]
fn observers_do_not_vote_and_the_highest_voting_sid_leads() {
    let mut e = observed(1);
    let leader = e.settle();
    assert_eq!(leader, 3, "zk4 and zk5 have higher sids but weight 0");
    for sid in [4, 5] {
        assert_eq!(e.state(sid), ServerState::Observing);
        assert!(e.server(sid).is_observer());
        let votes = e.server(sid).summary().votes_received;
        assert!(
            votes.iter().all(|(s, _)| *s <= 3),
            "an observer only records voters' votes: {votes:?}"
        );
    }
    for sid in 1..=3 {
        assert!(!e.server(sid).is_observer());
        let votes = e.server(sid).summary().votes_received;
        assert!(
            votes.iter().all(|(s, _)| *s <= 3),
            "voters never count an observer's notification: {votes:?}"
        );
    }
    let learners = e.server(3).summary().learners;
    let observers: Vec<u64> = learners
        .iter()
        .filter(|l| l.observer)
        .map(|l| l.sid)
        .collect();
    assert_eq!(observers, vec![4, 5], "they connected with OBSERVERINFO");
    e.assert_clean();
}

#[test]
fn observers_alone_never_elect_anyone_while_the_voters_are_down() {
    let mut e = observed(2);
    e.settle();
    for sid in 1..=3 {
        e.input(Input::Crash(e.node(sid)));
    }
    e.run_for(30 * SEC);
    for sid in [4, 5] {
        assert_eq!(
            e.state(sid),
            ServerState::Looking,
            "no voter answers zk{sid}"
        );
        assert!(!e.server(sid).is_serving());
    }
    assert_eq!(e.leader(), None);
    for sid in 1..=3 {
        e.input(Input::Restart(e.node(sid)));
    }
    assert_eq!(e.settle(), 3);
    assert_eq!(e.state(4), ServerState::Observing);
    e.assert_clean();
}

#[test]
fn an_observer_serves_a_read_locally_and_forwards_a_write_that_comes_back_as_inform() {
    let mut e = observed(3);
    e.settle();
    let mut c = e.connect(4);
    let session = e.await_session(&c);
    assert_eq!(session >> 56, 4, "the observer created the session");
    // Delivered by hand (not through `Ens::input`, which would take the step) so that the
    // observer's REQUEST shows in the traffic.
    c.seq += 1;
    e.sim.world.inject(Input::Deliver(
        c.server,
        Msg::Zk(zk::Msg::Client {
            conn: c.conn,
            seq: c.seq,
            pkt: ClientPacket::Request {
                xid: 1,
                op: ClientOp::Write(WriteOp::create("/a", "x", CreateMode::Persistent)),
            },
        }),
    ));
    let traffic = quorum_traffic(&mut e, 200 * MS);
    assert!(
        traffic.contains(&(4, 3, "REQUEST")),
        "the write is forwarded to the leader: {traffic:?}"
    );
    assert!(traffic.contains(&(3, 4, "INFORM")));
    assert!(traffic.contains(&(3, 5, "INFORM")));
    for obs in [4, 5] {
        assert!(
            !traffic
                .iter()
                .any(|(f, t, k)| *f == 3 && *t == obs && (*k == "PROPOSAL" || *k == "COMMIT")),
            "an observer gets neither PROPOSAL nor COMMIT"
        );
        assert!(
            !traffic.iter().any(|(f, _, k)| *f == obs && *k == "ACK"),
            "an observer never ACKs a proposal"
        );
    }
    let (_, err, _) = e.await_reply(&c, 1);
    assert_eq!(err, ErrorCode::Ok);
    e.request(
        &mut c,
        2,
        ClientOp::GetData {
            path: "/a".into(),
            watch: false,
        },
    );
    let traffic = quorum_traffic(&mut e, 50 * MS);
    assert!(
        !traffic.iter().any(|(f, _, k)| *f == 4 && *k == "REQUEST"),
        "a read is answered by the observer itself"
    );
    let (_, err, body) = e.await_reply(&c, 2);
    assert_eq!(err, ErrorCode::Ok);
    assert!(matches!(body, ReplyBody::Data { .. }), "{body:?}");
    for sid in 1..=5 {
        assert!(e.has(sid, "/a"), "zk{sid} applied /a");
    }
    e.assert_clean();
}

#[test]
fn with_two_of_three_voters_down_nothing_commits_even_with_both_observers_up() {
    let mut e = observed(4);
    assert_eq!(e.settle(), 3);
    let mut c = e.connect(4);
    e.await_session(&c);
    e.input(Input::Crash(e.node(1)));
    e.input(Input::Crash(e.node(2)));
    e.create(&mut c, 1, "/x", CreateMode::Persistent);
    e.run_for(5 * SEC);
    assert!(e.reply(&c, 1).is_none(), "the write cannot commit");
    for sid in 3..=5 {
        assert!(!e.has(sid, "/x"), "zk{sid} did not apply /x");
    }
    // Within syncLimit the leader sees only itself synced among the voters and gives up.
    e.run_for(20 * SEC);
    assert_eq!(
        e.leader(),
        None,
        "one voter and two observers are no quorum"
    );
    for sid in 3..=5 {
        assert!(!e.server(sid).is_serving(), "zk{sid} stopped serving");
    }
    e.assert_clean();
}

#[test]
fn an_observer_restarted_after_missing_writes_syncs_and_observes_again() {
    let mut e = observed(5);
    e.settle();
    let mut c = e.connect(1);
    e.await_session(&c);
    e.create(&mut c, 9, "/b0", CreateMode::Persistent);
    e.await_reply(&c, 9);
    e.run_for(100 * MS);
    assert!(e.has(5, "/b0"));
    e.input(Input::Crash(e.node(5)));
    for (xid, path) in [(1, "/b1"), (2, "/b2"), (3, "/b3")] {
        e.create(&mut c, xid, path, CreateMode::Persistent);
        e.await_reply(&c, xid);
    }
    assert!(!e.has(5, "/b3"));
    e.input(Input::Restart(e.node(5)));
    let ok = e.run_until(30 * SEC, |e| e.server(5).is_serving());
    assert!(ok, "zk5 is back");
    assert_eq!(e.state(5), ServerState::Observing);
    assert!(e.has(5, "/b3"), "the sync brought what it missed");
    let synced = e.server(5).learner_state().and_then(|l| l.last_sync);
    assert!(
        matches!(synced, Some(("DIFF", _))),
        "its log is in the leader's committed log: {synced:?}"
    );
    e.create(&mut c, 4, "/b4", CreateMode::Persistent);
    e.await_reply(&c, 4);
    e.run_for(100 * MS);
    assert!(e.has(5, "/b4"), "and it is INFORMed again");
    e.assert_clean();
}

#[test]
fn an_observer_looks_again_when_the_leader_crashes_and_observes_the_new_leader() {
    let mut e = observed(6);
    assert_eq!(e.settle(), 3);
    e.input(Input::Crash(e.node(3)));
    let looked = e.run_until(30 * SEC, |e| e.state(4) == ServerState::Looking);
    assert!(looked, "the observer lost its leader");
    let leader = e.settle();
    assert_eq!(leader, 2, "a voter leads, never an observer");
    for sid in [4, 5] {
        assert_eq!(e.state(sid), ServerState::Observing);
        let followed = e.server(sid).learner_state().map(|l| l.leader_sid);
        assert_eq!(followed, Some(2));
    }
    e.assert_clean();
}

#[test]
fn a_restarted_observer_reconnects_with_observerinfo_not_followerinfo() {
    let mut e = observed(7);
    e.settle();
    let traffic = {
        e.input(Input::Crash(e.node(4)));
        e.input(Input::Restart(e.node(4)));
        quorum_traffic(&mut e, 5 * SEC)
    };
    assert!(traffic.contains(&(4, 3, "OBSERVERINFO")), "{traffic:?}");
    assert!(!traffic
        .iter()
        .any(|(f, _, k)| *f == 4 && *k == "FOLLOWERINFO"));
    assert!(matches!(
        QuorumPacket::ObserverInfo { accepted_epoch: 1 }.kind(),
        "OBSERVERINFO"
    ));
    e.assert_clean();
}

#[test]
fn the_zk_observers_scenario_runs_clean_with_clients_on_the_observers() {
    let sim = scenario::build("zk-observers", &BuildOptions::seed(11)).unwrap();
    let mut e = Ens::from_sim(sim);
    e.run_for(40 * SEC);
    assert_eq!(e.leader(), Some(3));
    let on_observers = zooscope::cluster::zk::clients(&e.sim.world)
        .filter_map(|(_, c)| c.summary().server)
        .filter(|n| n.0 >= 3)
        .count();
    assert!(on_observers > 0, "some recipe clients use an observer");
    for sid in [4, 5] {
        assert!(e.server(sid).tree().node("/config").is_some());
    }
    e.assert_clean();
}
