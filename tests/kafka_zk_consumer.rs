//! The classic (Kafka 1.x) consumer, coordinated through ZooKeeper alone: members split the
//! partitions by creating ephemeral owner znodes, a dead member's partitions move when its
//! session expires and the survivors' watches fire, offsets live in ZooKeeper, a contested
//! claim backs off, and the `kafka.zk-consumer-owner` checker watches the ownership.

mod zk_support;

use zk_support::Ens;
use zooscope::cluster::kafka::scenarios::zk_consumer::{
    scenario_config, with_zk_consumers, zk_consumer_node,
};
use zooscope::cluster::kafka::{counters, zk_consumer_duplicates, zk_consumers};
use zooscope::cluster::runner::{run_trace, RunConfig, ScenarioSource};
use zooscope::cluster::{build, BuildOptions};
use zooscope::kafka::zk_consumer::ZkConsumer;
use zooscope::kafka::znodes::decode_consumer_subscription;
use zooscope::sim::{Input, SEC};
use zooscope::zk::msg::ClientOp;
use zooscope::zk::{CreateMode, DataTree, WriteOp};

const OWNERS: &str = "/consumers/group/owners/events";
const OFFSETS: &str = "/consumers/group/offsets/events";

fn scenario(seed: u64) -> Ens {
    Ens::from_sim(build("kafka-zk-consumer", &BuildOptions::seed(seed)).expect("builds"))
}

fn consumer<'a>(e: &'a Ens, name: &str) -> &'a ZkConsumer {
    zk_consumers(&e.sim.world)
        .find(|(_, c)| c.name == name)
        .map(|(_, c)| c)
        .expect("consumer")
}

fn leader_tree(e: &Ens) -> &DataTree {
    e.server(e.leader().expect("a ZooKeeper leader")).tree()
}

/// Both consumers settled, owning disjoint partitions that cover the topic.
fn split(e: &Ens) -> bool {
    let a = consumer(e, "consumer-1");
    let b = consumer(e, "consumer-2");
    let mut all = [a.owned_partitions(), b.owned_partitions()].concat();
    all.sort_unstable();
    a.is_settled() && b.is_settled() && all == vec![0, 1, 2]
}

#[test]
fn two_classic_consumers_split_the_partitions_through_owner_znodes() {
    let mut e = scenario(1);
    assert!(e.run_until(15 * SEC, split), "the group settled");
    let a = consumer(&e, "consumer-1").clone();
    let b = consumer(&e, "consumer-2").clone();
    // consumer-1's thread id sorts first: range gives it the extra partition.
    assert_eq!(a.owned_partitions(), vec![0, 1]);
    assert_eq!(b.owned_partitions(), vec![2]);
    let tree = leader_tree(&e);
    for (c, parts) in [(&a, vec![0, 1]), (&b, vec![2])] {
        assert!(c.consumer_id.starts_with(&format!("group_{}-", c.name)));
        let (data, stat) = tree
            .get_data(&format!("/consumers/group/ids/{}", c.consumer_id))
            .expect("registered");
        assert_ne!(stat.ephemeral_owner, 0, "registration is ephemeral");
        assert!(data.starts_with(
            r#"{"version":1,"subscription":{"events":1},"pattern":"static","timestamp":""#
        ));
        let sub = decode_consumer_subscription(data.as_bytes()).unwrap();
        assert_eq!(sub.get("events"), Some(&1));
        for p in parts {
            let (owner, stat) = tree.get_data(&format!("{OWNERS}/{p}")).expect("owner");
            assert_eq!(owner, c.thread_id());
            assert_eq!(stat.ephemeral_owner, c.zk.client.session_id());
        }
    }
    // From now on each fetches only its own partitions, and commits.
    let (a_before, b_before) = (a.consumed.len(), b.consumed.len());
    e.run_for(10 * SEC);
    let a = consumer(&e, "consumer-1");
    let b = consumer(&e, "consumer-2");
    assert!(a.consumed[a_before..].iter().all(|r| r.partition != 2));
    assert!(b.consumed[b_before..].iter().all(|r| r.partition == 2));
    assert!(
        a.consumed.len() + b.consumed.len() >= 10,
        "records consumed"
    );
    let tree = leader_tree(&e);
    let (offset, _) = tree.get_data(&format!("{OFFSETS}/2")).expect("committed");
    assert!(offset.parse::<i64>().unwrap() > 0, "offset {offset}");
    e.assert_clean();
}

#[test]
fn a_crashed_consumers_partitions_move_to_the_survivor_through_watches_after_its_session_expires() {
    let mut e = scenario(2);
    assert!(e.run_until(19 * SEC, split));
    assert!(e.run_until(20 * SEC + SEC / 2, |e| e.sim.world.now_us() > 20 * SEC));
    let c1 = zk_consumer_node(&e.sim.world, "consumer-1");
    assert!(!e.sim.world.is_up(c1), "consumer-1 crashed at 20 s");
    let rebalances = consumer(&e, "consumer-2").stats.rebalances;
    // Its session has not expired yet: the ownership stands.
    e.run_for(4 * SEC);
    assert_eq!(consumer(&e, "consumer-2").owned_partitions(), vec![2]);
    assert_eq!(consumer(&e, "consumer-2").stats.rebalances, rebalances);
    assert!(leader_tree(&e).node(&format!("{OWNERS}/0")).is_some());
    // Session timeout 6 s: the ephemerals go, the ids watch fires, consumer-2 takes all.
    let ok = e.run_until(10 * SEC, |e| {
        let c = consumer(e, "consumer-2");
        c.is_settled() && c.owned_partitions() == vec![0, 1, 2]
    });
    assert!(ok, "consumer-2 owns every partition");
    assert!(
        e.sim.world.now_us() > 26 * SEC,
        "only after the session timeout"
    );
    assert!(consumer(&e, "consumer-2").stats.rebalances > rebalances);
    let me = consumer(&e, "consumer-2").thread_id();
    let tree = leader_tree(&e);
    for p in 0..3 {
        let (owner, _) = tree.get_data(&format!("{OWNERS}/{p}")).unwrap();
        assert_eq!(owner, me);
    }
    let ids = tree.get_children("/consumers/group/ids").unwrap().0;
    assert_eq!(ids, vec![consumer(&e, "consumer-2").consumer_id.clone()]);
    e.assert_clean();
}

#[test]
fn the_survivor_resumes_the_taken_over_partitions_from_the_committed_offsets_with_duplicates_after_the_last_commit(
) {
    let mut e = scenario(3);
    assert!(e.run_until(19 * SEC, split));
    // consumer-1 is down from 20 s; its last commit is in ZooKeeper.
    assert!(e.run_until(25 * SEC, |e| e.sim.world.now_us() > 23 * SEC));
    assert_eq!(consumer(&e, "consumer-2").owned_partitions(), vec![2]);
    let committed: Vec<i64> = (0..2)
        .map(|p| {
            let (d, _) = leader_tree(&e).get_data(&format!("{OFFSETS}/{p}")).unwrap();
            d.parse().unwrap()
        })
        .collect();
    let before = consumer(&e, "consumer-2").consumed.len();
    let seen_by_1 = consumer(&e, "consumer-1").consumed.clone();
    assert!(e.run_until(15 * SEC, |e| {
        consumer(e, "consumer-2")
            .consumed
            .iter()
            .skip(before)
            .any(|r| r.partition != 2)
    }));
    e.run_for(2 * SEC);
    let c2 = consumer(&e, "consumer-2");
    for p in 0..2 {
        let first = c2.consumed[before..]
            .iter()
            .find(|r| r.partition == p)
            .expect("consumes the taken-over partition");
        assert_eq!(first.offset, committed[p as usize], "partition {p}");
    }
    // What consumer-1 consumed past its last commit comes again: at-least-once.
    let again: Vec<_> = seen_by_1
        .iter()
        .filter(|r| r.partition < 2 && r.offset >= committed[r.partition as usize])
        .collect();
    for r in &again {
        assert!(
            c2.consumed[before..]
                .iter()
                .any(|x| x.partition == r.partition && x.offset == r.offset && x.value == r.value),
            "{r:?} is delivered again"
        );
    }
    let dups = zk_consumer_duplicates(&e.sim.world);
    assert!(dups >= again.len() as u64, "{dups} duplicates");
    let counters = counters(&e.sim.world);
    assert!(counters.contains(&("duplicates delivered", dups)));
    e.assert_clean();
}

#[test]
fn a_consumer_restarts_from_the_offset_committed_in_zookeeper() {
    let opts = BuildOptions::seed(4);
    let mut e = Ens::from_sim(with_zk_consumers(&opts, 1, scenario_config()));
    let owns_all = |e: &Ens| {
        let c = consumer(e, "consumer-1");
        c.is_settled() && c.owned_partitions() == vec![0, 1, 2]
    };
    assert!(e.run_until(15 * SEC, owns_all));
    // Consume and commit for a while, then crash just after a commit went out.
    e.run_for(12 * SEC);
    let node = zk_consumer_node(&e.sim.world, "consumer-1");
    e.input(Input::Crash(node));
    let committed: Vec<i64> = (0..3)
        .map(|p| {
            let (d, _) = leader_tree(&e).get_data(&format!("{OFFSETS}/{p}")).unwrap();
            d.parse().unwrap()
        })
        .collect();
    assert!(committed.iter().any(|&o| o > 0), "{committed:?}");
    let first_id = consumer(&e, "consumer-1").consumer_id.clone();
    let before = consumer(&e, "consumer-1").consumed.len();
    // Back after its old session has expired.
    e.run_for(8 * SEC);
    e.input(Input::Restart(node));
    assert!(e.run_until(10 * SEC, |e| owns_all(e)
        && consumer(e, "consumer-1").consumed.len() > before));
    e.run_for(3 * SEC);
    let c = consumer(&e, "consumer-1");
    assert_ne!(c.consumer_id, first_id, "a restarted consumer has a new id");
    for p in 0..3 {
        if let Some(first) = c.consumed[before..].iter().find(|r| r.partition == p) {
            assert_eq!(first.offset, committed[p as usize], "partition {p}");
        }
    }
    e.assert_clean();
}

#[test]
fn a_contested_claim_meets_node_exists_backs_off_and_retries() {
    let opts = BuildOptions::seed(5);
    let mut e = Ens::from_sim(with_zk_consumers(&opts, 1, scenario_config()));
    // Someone else owns partition 2 before the consumer starts (at 4 s).
    assert!(e.run_until(4 * SEC, |e| e.leader().is_some()
        && e.sim.world.now_us() > 3 * SEC + SEC / 2));
    let sid = e.leader().unwrap();
    let mut c = e.connect(sid);
    e.await_session(&c);
    let mut xid = 0;
    for path in [
        "/consumers",
        "/consumers/group",
        "/consumers/group/owners",
        OWNERS,
    ] {
        xid += 1;
        e.create(&mut c, xid, path, CreateMode::Persistent);
    }
    xid += 1;
    e.create(&mut c, xid, &format!("{OWNERS}/2"), CreateMode::Ephemeral);
    e.await_reply(&c, xid);
    // The claim of 2 fails: what the try claimed (0 and 1) is released, then it backs off.
    let conflicted = |e: &Ens| consumer(e, "consumer-1").stats.failed_tries >= 1;
    assert!(e.run_until(10 * SEC, conflicted));
    let cons = consumer(&e, "consumer-1");
    assert!(cons.stats.claim_conflicts >= 1);
    assert!(cons.owned.is_empty(), "owns nothing after a failed try");
    e.run_for(SEC / 2);
    let tree = leader_tree(&e);
    assert!(tree.node(&format!("{OWNERS}/0")).is_none(), "0 released");
    assert!(tree.node(&format!("{OWNERS}/1")).is_none(), "1 released");
    // The other owner lets go; a later try succeeds.
    xid += 1;
    let op = ClientOp::Write(WriteOp::delete(&format!("{OWNERS}/2"), -1));
    e.request(&mut c, xid, op);
    let ok = e.run_until(10 * SEC, |e| {
        let c = consumer(e, "consumer-1");
        c.is_settled() && c.owned_partitions() == vec![0, 1, 2]
    });
    assert!(ok, "a retry after rebalance.backoff.ms claims everything");
    let cons = consumer(&e, "consumer-1");
    assert_eq!(cons.stats.gave_up, 0);
    assert_eq!(
        cons.stats.rebalances, 1,
        "retries within one synced rebalance"
    );
    e.assert_clean();
}

#[test]
fn the_same_seed_gives_the_same_zk_consumer_trace() {
    let source = ScenarioSource::resolve("kafka-zk-consumer").unwrap();
    let cfg = RunConfig {
        seed: 11,
        steps: 5_000,
        chaos: true,
    };
    let a = run_trace(&source, cfg).unwrap();
    let b = run_trace(&source, cfg).unwrap();
    assert_eq!(a.digest, b.digest);
    assert_eq!(a.text(), b.text());
    let c = run_trace(&source, RunConfig { seed: 12, ..cfg }).unwrap();
    assert_ne!(a.digest, c.digest);
}

#[test]
fn the_owner_checker_fires_when_a_settled_consumers_owner_znode_is_taken_away() {
    let mut e = scenario(6);
    assert!(e.run_until(15 * SEC, split));
    e.assert_clean();
    // An outsider deletes consumer-2's owner znode: consumer-2 still fetches partition 2.
    let sid = e.leader().unwrap();
    let mut c = e.connect(sid);
    e.await_session(&c);
    e.request(
        &mut c,
        1,
        ClientOp::Write(WriteOp::delete(&format!("{OWNERS}/2"), -1)),
    );
    e.await_reply(&c, 1);
    e.step();
    let v = e
        .violations
        .iter()
        .find(|v| v.checker == "kafka.zk-consumer-owner")
        .expect("the checker fired");
    assert!(
        v.message.contains("consumer-2 fetches events-2") && v.message.contains("does not exist"),
        "{}",
        v.message
    );
}
