//! Truncation after a leader change (sheet C.8): a replica that logged records a new leader
//! never got cuts them when it returns as a follower (divergence found by the leader epoch),
//! and then holds exactly the new leader's log.

mod zk_support;

use zk_support::Ens;
use zooscope::cluster::kafka::brokers;
use zooscope::cluster::{build, BuildOptions};
use zooscope::kafka::broker::ReplicaRole;
use zooscope::sim::SEC;

/// `(offset, leader epoch, value)` of broker `id`'s replica of `events-<p>`.
fn log_of(e: &Ens, id: i32, p: i32) -> Vec<(i64, i32, String)> {
    brokers(&e.sim.world)
        .find(|(_, b)| b.id == id)
        .and_then(|(_, b)| b.replicas.get(&("events".to_string(), p)))
        .map(|r| {
            r.log
                .records()
                .iter()
                .map(|x| (x.offset, x.leader_epoch, x.data.value.clone()))
                .collect()
        })
        .unwrap_or_default()
}

/// The broker id leading `events-<p>` among the running brokers.
fn leader_of(e: &Ens, p: i32) -> Option<i32> {
    brokers(&e.sim.world)
        .filter(|(n, _)| e.sim.world.is_up(*n))
        .find(|(_, b)| {
            b.replicas
                .get(&("events".to_string(), p))
                .is_some_and(|r| r.role == ReplicaRole::Leader)
        })
        .map(|(_, b)| b.id)
}

#[test]
fn a_returning_old_leader_truncates_the_records_the_new_leader_never_got() {
    // kafka-acks-1: broker-2 leads with acks=1 while cut off from its followers (12 s), crashes
    // at 15 s, and returns at 30 s.
    let mut e = Ens::from_sim(build("kafka-acks-1", &BuildOptions::seed(1)).expect("builds"));
    e.run_until(29 * SEC, |e| e.sim.world.now_us() >= 29 * SEC);
    let mut diverged = Vec::new();
    for p in 0..3 {
        let Some(new_leader) = leader_of(&e, p) else {
            continue;
        };
        let old = log_of(&e, 2, p);
        let new = log_of(&e, new_leader, p);
        let lost: Vec<_> = old.iter().filter(|r| !new.contains(r)).cloned().collect();
        if !lost.is_empty() && new_leader != 2 {
            diverged.push((p, new_leader, lost));
        }
    }
    assert!(
        !diverged.is_empty(),
        "broker-2 logged records no new leader has"
    );
    // After it returns and catches up, its log is the leader's: the lost tail is gone.
    let caught_up = e.run_until(30 * SEC, |e| {
        diverged.iter().all(|(p, _, _)| {
            leader_of(e, *p).is_some_and(|l| {
                let leader_log = log_of(e, l, *p);
                !leader_log.is_empty() && log_of(e, 2, *p) == leader_log
            })
        })
    });
    assert!(caught_up, "broker-2 holds the new leaders' logs again");
    for (p, _, lost) in &diverged {
        let now = log_of(&e, 2, *p);
        for r in lost {
            assert!(
                !now.contains(r),
                "events-{p}: {r:?} was truncated from broker-2"
            );
        }
    }
    assert!(e.violations.is_empty(), "{:?}", e.violations);
}
