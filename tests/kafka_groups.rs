//! Consumer groups end to end: the coordinator found from the group id's hash, a group of two
//! splitting the partitions, rebalances when a member leaves or dies, committed offsets that
//! survive a coordinator failover, and the commit checker catching `CommitUnprocessed`.

mod zk_support;

use zk_support::Ens;
use zooscope::cluster::kafka::scenarios::groups::{
    consumer_node, scenario_consumer_config, with_group, GROUP_ID,
};
use zooscope::cluster::kafka::scenarios::{broker_node, kafka_cluster};
use zooscope::cluster::kafka::{consumers, duplicates_delivered, running_brokers};
use zooscope::cluster::runner::{run_trace, RunConfig, ScenarioSource};
use zooscope::cluster::{build, BuildOptions, Msg};
use zooscope::kafka::bugs::{KafkaBug, KafkaBugs};
use zooscope::kafka::config::Acks;
use zooscope::kafka::consumer::{Consumer, MemberState};
use zooscope::kafka::group::{java_string_hash, partition_for, TopicPartition};
use zooscope::kafka::msg::Operator;
use zooscope::kafka::Msg as KMsg;
use zooscope::sim::{Input, SEC};

fn scenario(name: &str, seed: u64) -> Ens {
    Ens::from_sim(build(name, &BuildOptions::seed(seed)).expect("scenario builds"))
}

fn consumer<'a>(e: &'a Ens, name: &str) -> &'a Consumer {
    consumers(&e.sim.world)
        .find(|(_, c)| c.name == name)
        .map(|(_, c)| c)
        .expect("consumer")
}

fn stable_in(e: &Ens, name: &str, generation: i32) -> bool {
    let c = consumer(e, name);
    c.state == MemberState::Stable && c.generation == generation
}

fn both_stable(e: &Ens) -> bool {
    let (a, b) = (consumer(e, "consumer-1"), consumer(e, "consumer-2"));
    a.state == MemberState::Stable
        && b.state == MemberState::Stable
        && a.generation == b.generation
        && a.assigned.len() + b.assigned.len() == 3
}

#[test]
fn the_coordinator_partition_comes_from_the_group_ids_java_hash() {
    // "my-group".hashCode() = -1906497762; Utils.abs = 1906497762; % 50 = 12 (sheet C.13).
    assert_eq!(java_string_hash("my-group"), -1_906_497_762);
    assert_eq!(partition_for("my-group", 50), Some(12));
    // The scenarios' brokers use 3 offsets partitions: 1906497762 % 3 = 0.
    assert_eq!(partition_for(GROUP_ID, 3), Some(0));
    let mut e = scenario("kafka-default", 1);
    assert!(e.run_until(30 * SEC, both_stable), "the group formed");
    let coordinator = consumer(&e, "consumer-1").coordinator.expect("found").id;
    let leader = running_brokers(&e.sim.world)
        .find(|(_, b)| b.coordinator.groups.contains_key(GROUP_ID))
        .map(|(_, b)| b.id);
    assert_eq!(leader, Some(coordinator));
    let (_, b) = running_brokers(&e.sim.world)
        .find(|(_, b)| b.id == coordinator)
        .unwrap();
    assert_eq!(b.coordinator.groups.get(GROUP_ID).unwrap().partition, 0);
}

#[test]
fn a_group_of_two_splits_the_partitions_and_consumes_what_the_producer_wrote() {
    let mut e = scenario("kafka-default", 2);
    assert!(e.run_until(30 * SEC, both_stable), "the group formed");
    let (a, b) = (consumer(&e, "consumer-1"), consumer(&e, "consumer-2"));
    let mut all: Vec<TopicPartition> = a.assignment();
    all.extend(b.assignment());
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 3, "every partition once: {all:?}");
    assert_eq!(a.generation, 1, "one join phase (initial delayed join)");
    e.run_for(15 * SEC);
    let processed =
        consumer(&e, "consumer-1").consumed.len() + consumer(&e, "consumer-2").consumed.len();
    assert!(processed >= 10, "records processed: {processed}");
    assert!(
        consumers(&e.sim.world).all(|(_, c)| c.assigned.iter().all(|a| a.committed >= 0)),
        "auto-commit committed every partition"
    );
    assert_eq!(duplicates_delivered(&e.sim.world), 0);
    assert!(e.violations.is_empty(), "{:?}", e.violations);
}

#[test]
fn when_a_member_leaves_the_survivor_gets_every_partition_in_a_new_generation() {
    let mut e = scenario("kafka-default", 3);
    assert!(e.run_until(30 * SEC, both_stable));
    let generation = consumer(&e, "consumer-1").generation;
    let c2 = consumer_node(&e.sim.world, "consumer-2");
    e.input(Input::Deliver(
        c2,
        Msg::Kafka(KMsg::Operator(Operator::Leave)),
    ));
    let ok = e.run_until(20 * SEC, |e| {
        stable_in(e, "consumer-1", generation + 1) && consumer(e, "consumer-1").assigned.len() == 3
    });
    assert!(
        ok,
        "consumer-1 took over: {:?}",
        consumer(&e, "consumer-1").state
    );
    assert_eq!(consumer(&e, "consumer-2").state, MemberState::Closed);
    assert!(e.violations.is_empty(), "{:?}", e.violations);
}

#[test]
fn a_crashed_member_is_removed_after_its_session_timeout_and_the_survivor_takes_over() {
    let mut e = scenario("kafka-consumer-rebalance", 4);
    assert!(e.run_until(24 * SEC, both_stable));
    let generation = consumer(&e, "consumer-1").generation;
    e.run_until(26 * SEC, |e| e.sim.world.now_us() >= 25 * SEC + SEC);
    // Nothing happens before the 6 s session timeout.
    assert!(stable_in(&e, "consumer-1", generation));
    let ok = e.run_until(20 * SEC, |e| {
        stable_in(e, "consumer-1", generation + 1) && consumer(e, "consumer-1").assigned.len() == 3
    });
    assert!(
        ok,
        "the survivor owns everything in generation {}",
        generation + 1
    );
    e.run_for(10 * SEC);
    // Records consumer-2 processed after its last commit are delivered again (at-least-once).
    let dups = duplicates_delivered(&e.sim.world);
    assert!(
        (1..=10).contains(&dups),
        "what consumer-2 processed after its last commit is delivered again: {dups}"
    );
    assert!(e.violations.is_empty(), "{:?}", e.violations);
}

#[test]
fn committed_offsets_survive_a_coordinator_failover() {
    let mut e = scenario("kafka-default", 5);
    assert!(e.run_until(30 * SEC, both_stable));
    e.run_for(8 * SEC);
    let (coordinator, offsets) = running_brokers(&e.sim.world)
        .find_map(|(_, b)| {
            b.coordinator
                .groups
                .get(GROUP_ID)
                .map(|g| (b.id, g.offsets.clone()))
        })
        .expect("a coordinator with the group");
    assert_eq!(offsets.len(), 3, "every partition committed: {offsets:?}");
    e.input(Input::Crash(broker_node(&e.sim.world, coordinator)));
    let ok = e.run_until(30 * SEC, |e| {
        running_brokers(&e.sim.world).any(|(_, b)| {
            b.id != coordinator
                && b.coordinator.groups.get(GROUP_ID).is_some_and(|g| {
                    offsets
                        .iter()
                        .all(|(tp, o)| g.offsets.get(tp).is_some_and(|n| n >= o))
                })
        })
    });
    assert!(ok, "another broker loaded the group's offsets from its log");
    // The members find the new coordinator and keep consuming.
    let before =
        consumer(&e, "consumer-1").consumed.len() + consumer(&e, "consumer-2").consumed.len();
    e.run_for(20 * SEC);
    let after =
        consumer(&e, "consumer-1").consumed.len() + consumer(&e, "consumer-2").consumed.len();
    assert!(after > before, "consumption goes on: {before} -> {after}");
    // Members that run (kafka-default also has a spare consumer it never starts).
    let found: Vec<_> = consumers(&e.sim.world)
        .filter(|(id, _)| e.sim.world.has_started(*id))
        .map(|(_, c)| (c.coordinator.map(|b| b.id), c.state, c.errors.clone()))
        .collect();
    assert!(
        found.iter().all(|f| f.0.is_some_and(|b| b != coordinator)),
        "{found:?}"
    );
}

#[test]
fn committing_unprocessed_offsets_is_caught_by_the_commit_checker_with_its_explanation() {
    let mut config = scenario_consumer_config();
    config.bugs = KafkaBugs::NONE.with(KafkaBug::CommitUnprocessed);
    config.max_poll_records = 1;
    let sim = with_group(
        kafka_cluster(&BuildOptions::seed(6), Acks::All, 2),
        2,
        config,
    );
    let mut e = Ens::from_sim(sim);
    let caught = e.run_until(60 * SEC, |e| {
        e.violations
            .iter()
            .any(|v| v.checker == "kafka.commit-after-processing")
    });
    assert!(caught, "the planted bug is caught");
    let v = e
        .violations
        .iter()
        .find(|v| v.checker == "kafka.commit-after-processing")
        .unwrap();
    assert!(v.message.contains("committed offset"), "{}", v.message);
    assert!(v.message.contains("never processed"), "{}", v.message);
}

#[test]
fn the_same_seed_gives_the_same_group_trace() {
    let source = ScenarioSource::resolve("kafka-consumer-rebalance").unwrap();
    let cfg = RunConfig {
        seed: 7,
        steps: 6_000,
        chaos: false,
    };
    let a = run_trace(&source, cfg).unwrap();
    let b = run_trace(&source, cfg).unwrap();
    assert_eq!(a.digest, b.digest);
    let c = run_trace(&source, RunConfig { seed: 8, ..cfg }).unwrap();
    assert_ne!(a.digest, c.digest);
}

/// Three ZooKeeper servers, three brokers, the producer and a group of two with `pairs` on
/// top of the scenarios' consumer settings.
fn group_with(seed: u64, pairs: &[(&str, &str)]) -> Ens {
    let mut config = scenario_consumer_config();
    for (k, v) in pairs {
        config.set(k, v).expect("valid setting");
    }
    let sim = with_group(
        kafka_cluster(&BuildOptions::seed(seed), Acks::All, 2),
        2,
        config,
    );
    Ens::from_sim(sim)
}

#[test]
fn auto_offset_reset_latest_starts_at_the_high_watermark_and_none_stops_the_partition() {
    let mut e = group_with(9, &[("auto.offset.reset", "latest")]);
    assert!(e.run_until(30 * SEC, both_stable));
    e.run_for(5 * SEC);
    // The producer started at 3 s, so the earliest records were never delivered.
    let first = consumers(&e.sim.world)
        .flat_map(|(_, c)| c.consumed.iter())
        .map(|r| r.offset)
        .min();
    assert!(
        first.is_some_and(|o| o > 0),
        "started past offset 0: {first:?}"
    );
    let mut e = group_with(9, &[("auto.offset.reset", "none")]);
    assert!(e.run_until(30 * SEC, both_stable));
    e.run_for(5 * SEC);
    assert!(consumers(&e.sim.world).all(|(_, c)| c.consumed.is_empty()));
    assert!(consumers(&e.sim.world).all(|(_, c)| c.assigned.iter().all(|a| a.no_offset)));
}

#[test]
fn seeking_back_delivers_records_again_and_lag_is_the_distance_to_the_high_watermark() {
    let mut e = scenario("kafka-default", 10);
    assert!(e.run_until(30 * SEC, both_stable));
    e.run_for(10 * SEC);
    let c1 = consumer(&e, "consumer-1");
    let p = c1.assigned[0].tp.partition;
    let before = c1.consumed.iter().filter(|r| r.partition == p).count();
    assert!(before > 0);
    for a in &c1.assigned {
        assert_eq!(a.lag(), (a.high_watermark - a.processed).max(0));
    }
    let node = consumer_node(&e.sim.world, "consumer-1");
    let seek = Operator::Seek {
        partition: p,
        offset: 0,
    };
    e.input(Input::Deliver(node, Msg::Kafka(KMsg::Operator(seek))));
    e.run_for(3 * SEC);
    let zero = consumer(&e, "consumer-1")
        .consumed
        .iter()
        .filter(|r| r.partition == p && r.offset == 0)
        .count();
    assert_eq!(zero, 2, "offset 0 of partition {p} processed twice");
    assert!(duplicates_delivered(&e.sim.world) >= before as u64);
}

#[test]
fn two_stable_members_of_one_generation_owning_the_same_partition_are_caught_by_kafka_one_owner_per_partition(
) {
    use zooscope::cluster::checkers::ClusterChecker;
    use zooscope::cluster::kafka::checks::groups::OneOwnerPerPartition;
    let mut e = scenario("kafka-consumer-rebalance", 1);
    assert!(e.run_until(20 * SEC, both_stable), "the group settles");
    let mut sim = e.sim;
    let mut chk = OneOwnerPerPartition;
    let rec = sim.step().expect("a step");
    assert_eq!(
        chk.after_step(&sim.world, &rec),
        None,
        "a settled group is clean"
    );
    // consumer-2 also believes it owns one of consumer-1's partitions, in the same generation.
    let stolen = consumer(&Ens::from_sim(sim.clone()), "consumer-1").assigned[0].clone();
    let id = consumers(&sim.world)
        .find(|(_, c)| c.name == "consumer-2")
        .map(|(id, _)| id)
        .expect("consumer-2");
    let c2 = sim
        .world
        .node_mut(id)
        .kafka_consumer_mut()
        .expect("a consumer");
    c2.assigned.push(stolen.clone());
    let msg = chk.after_step(&sim.world, &rec).expect("reported");
    assert!(
        msg.contains(&format!(
            "consumer-1 and consumer-2 both own events-{}",
            stolen.tp.partition
        )),
        "{msg}"
    );
}
