//! The producer as Kafka 2.8 builds it, end to end: batching, acks and min.insync.replicas,
//! the idempotent producer and its duplicate detection, size limits, the data checkers and
//! the teaching counter of lost acknowledged writes.

mod zk_support;

use zk_support::Ens;
use zooscope::cluster::kafka::counters;
use zooscope::cluster::kafka::scenarios::broker_node;
use zooscope::cluster::kafka::scenarios::producer::{
    kafka_cluster_with, producer_node, ClusterSetup,
};
use zooscope::cluster::kafka::{producers, running_brokers};
use zooscope::cluster::runner::{run_trace, RunConfig, ScenarioSource};
use zooscope::cluster::{build, BuildOptions, Msg, Node};
use zooscope::kafka::broker::ReplicaRole;
use zooscope::kafka::bugs::{KafkaBug, KafkaBugs};
use zooscope::kafka::config::Acks;
use zooscope::kafka::errors::KafkaError;
use zooscope::kafka::msg::{Msg as KafkaMsg, Operator};
use zooscope::kafka::producer::Producer;
use zooscope::kafka::KafkaNode;
use zooscope::sim::{Input, MS, SEC};

fn scenario(name: &str, seed: u64) -> Ens {
    Ens::from_sim(build(name, &BuildOptions::seed(seed)).expect("scenario builds"))
}

fn producer(e: &Ens) -> Producer {
    producers(&e.sim.world)
        .map(|(_, p)| p.clone())
        .next()
        .expect("a producer")
}

fn all_led(e: &Ens) -> bool {
    (0..3).all(|p| leader_log(e, p).is_some())
}

/// The records (value, producer id, sequence) of the leader of `events-<p>`.
fn leader_log(e: &Ens, p: i32) -> Option<Vec<(String, i64, i32)>> {
    running_brokers(&e.sim.world).find_map(|(_, b)| {
        b.replicas
            .get(&("events".to_string(), p))
            .filter(|r| r.role == ReplicaRole::Leader)
            .map(|r| {
                r.log
                    .records()
                    .iter()
                    .map(|x| (x.data.value.clone(), x.data.producer_id, x.data.sequence))
                    .collect()
            })
    })
}

fn checkers_fired(e: &Ens) -> Vec<&'static str> {
    let mut names: Vec<&'static str> = e.violations.iter().map(|v| v.checker).collect();
    names.dedup();
    names
}

fn send(e: &mut Ens, key: Option<&str>, value: &str, partition: Option<i32>) {
    let p = producer_node(&e.sim.world);
    let op = Operator::Send {
        key: key.map(str::to_string),
        value: value.to_string(),
        partition,
    };
    e.input(Input::Deliver(p, Msg::Kafka(KafkaMsg::Operator(op))));
}

fn setup(acks: Acks, min_isr: i32) -> ClusterSetup {
    let mut s = ClusterSetup::default();
    s.broker.min_insync_replicas = min_isr;
    s.producer.acks = acks;
    s.interval_ms = 100;
    s.max_records = 300;
    s
}

#[test]
fn acks_all_is_refused_with_not_enough_replicas_before_anything_is_written() {
    let mut s = setup(Acks::All, 3);
    s.max_records = 0;
    s.producer.retries = 0;
    let mut e = Ens::from_sim(kafka_cluster_with(&BuildOptions::seed(5), &s));
    assert!(e.run_until(30 * SEC, all_led));
    e.run_for(2 * SEC);
    send(&mut e, Some("k"), "before", Some(0));
    e.run_for(SEC);
    assert!(producer(&e).acked.iter().any(|a| a.value == "before"));
    let follower = (1..=3)
        .find(|&b| {
            running_brokers(&e.sim.world).any(|(_, x)| {
                x.id == b
                    && x.replicas
                        .get(&("events".to_string(), 0))
                        .is_some_and(|r| r.role == ReplicaRole::Follower)
            })
        })
        .expect("a follower of events-0");
    e.input(Input::Crash(broker_node(&e.sim.world, follower)));
    // The ISR shrinks once the follower's session expires and the controller removes it.
    let shrunk = e.run_until(30 * SEC, |e| {
        running_brokers(&e.sim.world).any(|(_, b)| {
            b.replicas
                .get(&("events".to_string(), 0))
                .is_some_and(|r| r.role == ReplicaRole::Leader && r.isr.len() == 2)
        })
    });
    assert!(shrunk, "the ISR of events-0 shrank to 2");
    send(&mut e, Some("k"), "refused", Some(0));
    e.run_for(SEC);
    let p = producer(&e);
    assert!(p
        .failed
        .iter()
        .any(|(v, err)| v == "refused" && *err == KafkaError::NotEnoughReplicas));
    let log = leader_log(&e, 0).unwrap();
    assert!(
        log.iter().all(|(v, _, _)| v != "refused"),
        "nothing written"
    );
    assert!(e.violations.is_empty(), "{:?}", e.violations);
}

#[test]
fn an_idempotent_retry_after_lost_responses_is_answered_from_the_original_offsets() {
    let mut e = scenario("kafka-idempotent-producer", 1);
    let mut duplicate_seen = false;
    let end = 25 * SEC;
    while e.sim.world.now_us() < end {
        let Some(rec) = e.sim.step() else { break };
        duplicate_seen |= rec.notes.iter().any(|n| n.contains("is a duplicate"));
        e.violations.extend(rec.violations);
    }
    let p = producer(&e);
    assert!(
        p.errors
            .iter()
            .any(|(_, err)| *err == KafkaError::NetworkException),
        "requests timed out while responses were lost"
    );
    assert!(duplicate_seen, "a leader recognised a retried batch");
    assert!(p.acked.iter().all(|a| a.producer_id >= 0));
    // Every acknowledged record is in its partition's log exactly once.
    for a in &p.acked {
        let log = leader_log(&e, a.partition).unwrap();
        let copies = log
            .iter()
            .filter(|(_, pid, seq)| *pid == a.producer_id && *seq == a.sequence)
            .count();
        assert_eq!(copies, 1, "{} appears {copies} times", a.value);
    }
    assert!(e.violations.is_empty(), "{:?}", e.violations);
}

#[test]
fn the_producer_refuses_a_record_above_max_request_size_and_the_broker_one_above_message_max_bytes()
{
    let mut e = scenario("kafka-large-message", 2);
    e.run_for(20 * SEC);
    let p = producer(&e);
    let failed = |prefix: &str| {
        p.failed
            .iter()
            .find(|(v, _)| v.starts_with(prefix))
            .map(|(_, err)| *err)
    };
    assert_eq!(failed("big2500-"), Some(KafkaError::MessageTooLarge));
    assert_eq!(failed("big1500-"), Some(KafkaError::MessageTooLarge));
    // The client-side refusal never reached a broker; the broker's did.
    assert_eq!(
        p.errors
            .iter()
            .filter(|(v, _)| v.starts_with("big2500-"))
            .count(),
        0
    );
    assert!(p.errors.iter().any(|(v, _)| v.starts_with("big1500-")));
    // The 800-byte record is larger than replica.fetch.max.bytes (300) and still replicated.
    let acked = p
        .acked
        .iter()
        .find(|a| a.value.starts_with("big800-"))
        .expect("the 800-byte record was acknowledged");
    let copies = running_brokers(&e.sim.world)
        .filter(|(_, b)| {
            b.replicas
                .get(&("events".to_string(), acked.partition))
                .and_then(|r| r.log.record_at(acked.offset))
                .is_some_and(|r| r.data.value == acked.value)
        })
        .count();
    assert_eq!(copies, 3);
    assert!(e.violations.is_empty(), "{:?}", e.violations);
}

#[test]
fn records_sent_within_linger_ms_travel_in_one_batch() {
    let mut s = setup(Acks::All, 2);
    s.max_records = 0;
    s.producer.linger_ms = 50;
    let mut e = Ens::from_sim(kafka_cluster_with(&BuildOptions::seed(3), &s));
    assert!(e.run_until(30 * SEC, all_led));
    e.run_for(2 * SEC);
    for i in 0..4 {
        send(&mut e, Some("same"), &format!("r{i}"), None);
    }
    let mut batches = Vec::new();
    let end = e.sim.world.now_us() + 2 * SEC;
    while e.sim.world.now_us() < end {
        let Some(rec) = e.sim.step() else { break };
        for s in &rec.sends {
            if let Msg::Kafka(KafkaMsg::Produce { batches: b, .. }) = &s.msg {
                batches.extend(b.iter().map(|b| b.records.len()));
            }
        }
    }
    assert_eq!(batches, vec![4], "one Produce with one batch of 4 records");
    let p = producer(&e);
    let offsets: Vec<i64> = p.acked.iter().map(|a| a.offset).collect();
    assert_eq!(offsets.len(), 4);
    assert!(offsets.windows(2).all(|w| w[1] == w[0] + 1), "{offsets:?}");
}

#[test]
fn without_linger_each_record_goes_out_at_once() {
    let mut s = setup(Acks::All, 2);
    s.max_records = 0;
    let mut e = Ens::from_sim(kafka_cluster_with(&BuildOptions::seed(3), &s));
    assert!(e.run_until(30 * SEC, all_led));
    e.run_for(2 * SEC);
    send(&mut e, Some("same"), "first", None);
    let sent_at = e.sim.world.now_us();
    let went = e.run_until(SEC, |e| {
        producer(e).in_flight_requests().len() == 1 || !producer(e).acked.is_empty()
    });
    assert!(went && e.sim.world.now_us() < sent_at + 10 * MS);
}

#[test]
fn acks_1_loses_acknowledged_writes_on_some_seeds_and_counts_them_without_failing() {
    let mut total = 0;
    for seed in 1..=4 {
        let mut e = scenario("kafka-acks-1", seed);
        e.run_for(40 * SEC);
        let lost = counters(&e.sim.world)
            .into_iter()
            .find(|(n, _)| *n == "acknowledged writes lost")
            .map(|(_, n)| n)
            .expect("the counter is there");
        total += lost;
        assert!(e.violations.is_empty(), "seed {seed}: {:?}", e.violations);
    }
    assert!(total > 0, "acks=1 lost acknowledged writes on some seed");
}

#[test]
fn acks_all_loses_nothing_acknowledged_when_a_leader_crashes() {
    for seed in 1..=2 {
        let mut e = scenario("kafka-acks-all", seed);
        e.run_for(40 * SEC);
        let lost = counters(&e.sim.world)[0].1;
        assert_eq!(lost, 0, "seed {seed}");
        assert!(producer(&e).acked.len() > 100);
        assert!(e.violations.is_empty(), "seed {seed}: {:?}", e.violations);
    }
}

#[test]
fn the_high_watermark_checker_fires_when_the_leader_advances_it_before_the_isr() {
    let mut s = setup(Acks::All, 2);
    s.broker.bugs = KafkaBugs::NONE.with(KafkaBug::HwBeforeIsr);
    let mut e = Ens::from_sim(kafka_cluster_with(&BuildOptions::seed(1), &s));
    e.run_for(15 * SEC);
    assert!(
        checkers_fired(&e).contains(&"kafka.high-watermark"),
        "{:?}",
        e.violations
    );
}

#[test]
fn the_no_duplicates_checker_fires_when_the_leader_skips_the_duplicate_check() {
    let mut s = setup(Acks::All, 2);
    s.broker.bugs = KafkaBugs::NONE.with(KafkaBug::NoDuplicateCheck);
    s.producer.enable_idempotence = true;
    s.producer.request_timeout_ms = 3_000;
    let mut e = Ens::from_sim(kafka_cluster_with(&BuildOptions::seed(1), &s));
    assert!(e.run_until(30 * SEC, all_led));
    e.run_for(3 * SEC);
    let p = producer_node(&e.sim.world);
    let brokers: Vec<_> = (1..=3).map(|b| broker_node(&e.sim.world, b)).collect();
    let lossy = zooscope::sim::LinkConfig {
        loss_ppm: 1_000_000,
        ..zooscope::sim::LinkConfig::default()
    };
    for &b in &brokers {
        e.input(Input::SetLink(b, p, lossy.clone()));
    }
    e.run_for(500 * MS);
    for &b in &brokers {
        e.input(Input::SetLink(b, p, zooscope::sim::LinkConfig::default()));
    }
    e.run_for(10 * SEC);
    let v = e
        .violations
        .iter()
        .find(|v| v.checker == "kafka.no-duplicates")
        .expect("kafka.no-duplicates fired");
    assert!(v.message.contains("committed twice"), "{}", v.message);
}

fn producer_mut(e: &mut Ens) -> &mut Producer {
    let id = producer_node(&e.sim.world);
    match e.sim.world.node_mut(id) {
        Node::Kafka(KafkaNode::Producer(p)) => p,
        _ => panic!("not a producer"),
    }
}

#[test]
fn the_order_checker_fires_on_acknowledgements_out_of_send_order() {
    let mut s = setup(Acks::All, 2);
    s.producer.enable_idempotence = true;
    let mut e = Ens::from_sim(kafka_cluster_with(&BuildOptions::seed(2), &s));
    e.run_for(12 * SEC);
    assert!(e.violations.is_empty(), "{:?}", e.violations);
    let p = producer_mut(&mut e);
    let part = p.acked[0].partition;
    let mine: Vec<usize> = (0..p.acked.len())
        .filter(|&i| p.acked[i].partition == part)
        .take(2)
        .collect();
    let (a, b) = (mine[0], mine[1]);
    let tmp = p.acked[a].send_index;
    p.acked[a].send_index = p.acked[b].send_index;
    p.acked[b].send_index = tmp;
    // One more acknowledgement makes the checker look again.
    e.run_for(SEC);
    let v = e
        .violations
        .iter()
        .find(|v| v.checker == "kafka.per-partition-order")
        .expect("kafka.per-partition-order fired");
    assert!(v.message.contains("sent"), "{}", v.message);
}

#[test]
fn the_acked_never_lost_checker_fires_when_an_acknowledged_record_leaves_the_leaders_log() {
    let mut e = Ens::from_sim(kafka_cluster_with(
        &BuildOptions::seed(3),
        &setup(Acks::All, 2),
    ));
    e.run_for(12 * SEC);
    assert!(e.violations.is_empty(), "{:?}", e.violations);
    let a = producer(&e).acked[0].clone();
    let leader = running_brokers(&e.sim.world)
        .find(|(_, b)| {
            b.replicas
                .get(&("events".to_string(), a.partition))
                .is_some_and(|r| r.role == ReplicaRole::Leader)
        })
        .map(|(n, _)| n)
        .unwrap();
    if let Node::Kafka(KafkaNode::Broker(b)) = e.sim.world.node_mut(leader) {
        let r = b
            .replicas
            .get_mut(&("events".to_string(), a.partition))
            .unwrap();
        r.log.truncate_to(a.offset).unwrap();
    }
    e.run_for(SEC);
    let v = e
        .violations
        .iter()
        .find(|v| v.checker == "kafka.acked-never-lost")
        .expect("kafka.acked-never-lost fired");
    assert!(v.message.contains(&a.value), "{}", v.message);
}

#[test]
fn the_same_seed_gives_the_same_producer_digest() {
    for name in ["kafka-idempotent-producer", "kafka-acks-1"] {
        let source = ScenarioSource::resolve(name).unwrap();
        let cfg = RunConfig {
            seed: 7,
            steps: 8_000,
            chaos: false,
        };
        let a = run_trace(&source, cfg).unwrap();
        let b = run_trace(&source, cfg).unwrap();
        assert_eq!(a.digest, b.digest, "{name}");
    }
}

#[test]
fn without_idempotence_a_retry_after_lost_responses_writes_the_records_twice() {
    let mut s = setup(Acks::All, 2);
    s.producer.request_timeout_ms = 3_000;
    let mut e = Ens::from_sim(kafka_cluster_with(&BuildOptions::seed(1), &s));
    assert!(e.run_until(30 * SEC, all_led));
    e.run_for(3 * SEC);
    let p = producer_node(&e.sim.world);
    let lossy = zooscope::sim::LinkConfig {
        loss_ppm: 1_000_000,
        ..zooscope::sim::LinkConfig::default()
    };
    let brokers: Vec<_> = (1..=3).map(|b| broker_node(&e.sim.world, b)).collect();
    for &b in &brokers {
        e.input(Input::SetLink(b, p, lossy.clone()));
    }
    e.run_for(500 * MS);
    for &b in &brokers {
        e.input(Input::SetLink(b, p, zooscope::sim::LinkConfig::default()));
    }
    e.run_for(10 * SEC);
    let twice = (0..3).any(|part| {
        let log = leader_log(&e, part).unwrap();
        log.iter()
            .any(|(v, _, _)| log.iter().filter(|(w, _, _)| w == v).count() > 1)
    });
    assert!(twice, "a retried record was appended a second time");
    // Kafka promises nothing here: no checker fires.
    assert!(e.violations.is_empty(), "{:?}", e.violations);
}

/// Two records to one partition refused with NOT_ENOUGH_REPLICAS until the ISR is back;
/// returns their acknowledged offsets.
fn retried_pair(seed: u64, max_in_flight: i32) -> (i64, i64) {
    let mut s = setup(Acks::All, 3);
    s.max_records = 0;
    s.producer.max_in_flight_requests_per_connection = max_in_flight;
    let mut e = Ens::from_sim(kafka_cluster_with(&BuildOptions::seed(seed), &s));
    assert!(e.run_until(30 * SEC, all_led));
    e.run_for(2 * SEC);
    // events-0 is led by broker 1 (first replica); broker 2 follows it.
    let b2 = broker_node(&e.sim.world, 2);
    e.input(Input::Crash(b2));
    let shrunk = e.run_until(30 * SEC, |e| {
        running_brokers(&e.sim.world).any(|(_, b)| {
            b.replicas
                .get(&("events".to_string(), 0))
                .is_some_and(|r| r.role == ReplicaRole::Leader && r.isr.len() == 2)
        })
    });
    assert!(shrunk);
    send(&mut e, None, "A", Some(0));
    send(&mut e, None, "B", Some(0));
    e.run_for(2 * SEC);
    e.input(Input::Restart(b2));
    let both = e.run_until(60 * SEC, |e| {
        let p = producer(e);
        ["A", "B"]
            .iter()
            .all(|v| p.acked.iter().any(|a| a.value == *v))
    });
    assert!(both, "both records acknowledged once the ISR is back");
    let p = producer(&e);
    let at = |v: &str| p.acked.iter().find(|a| a.value == v).unwrap().offset;
    assert!(e.violations.is_empty(), "{:?}", e.violations);
    (at("A"), at("B"))
}

#[test]
fn without_idempotence_retries_with_several_requests_in_flight_can_reorder_a_partition() {
    let reordered = (1..=4).any(|seed| {
        let (a, b) = retried_pair(seed, 5);
        b < a
    });
    assert!(reordered, "B overtook A on some seed");
    // One request in flight keeps send() order.
    for seed in 1..=2 {
        let (a, b) = retried_pair(seed, 1);
        assert!(a < b, "seed {seed}: A at {a}, B at {b}");
    }
}
