//! Kafka on ZooKeeper, end to end: brokers register and elect a controller through the
//! ZooKeeper client library, the controller elects partition leaders and writes their state
//! znodes, leaders move when brokers die, and the producer's acks=all is refused below
//! min.insync.replicas.

mod zk_support;

use zk_support::Ens;
use zooscope::cluster::kafka::scenarios::{broker_node, kafka_cluster};
use zooscope::cluster::kafka::{controller, running_brokers};
use zooscope::cluster::runner::{run_trace, RunConfig, ScenarioSource};
use zooscope::cluster::{build, BuildOptions};
use zooscope::kafka::broker::ReplicaRole;
use zooscope::kafka::config::Acks;
use zooscope::kafka::errors::KafkaError;
use zooscope::kafka::znodes::{decode_controller_epoch, PartitionState};
use zooscope::sim::{Input, SEC};
use zooscope::zk::msg::ClientOp;
use zooscope::zk::WriteOp;

fn kafka(name: &str, seed: u64) -> Ens {
    Ens::from_sim(build(name, &BuildOptions::seed(seed)).expect("scenario builds"))
}

/// The broker leading `events-<p>`, with its leader epoch.
fn leader_of(e: &Ens, p: i32) -> Option<(i32, i32)> {
    running_brokers(&e.sim.world).find_map(|(_, b)| {
        b.replicas
            .get(&("events".to_string(), p))
            .filter(|r| r.role == ReplicaRole::Leader)
            .map(|r| (b.id, r.leader_epoch))
    })
}

fn all_led(e: &Ens) -> bool {
    (0..3).all(|p| leader_of(e, p).is_some())
}

fn controller_epoch(e: &Ens) -> Option<(i32, i32)> {
    controller(&e.sim.world).and_then(|(_, b)| b.controller_epoch().map(|ep| (b.id, ep)))
}

#[test]
fn the_default_kafka_scenario_elects_a_controller_and_partition_leaders_with_their_znodes_in_zookeeper(
) {
    let mut e = kafka("kafka-default", 1);
    assert!(e.run_until(30 * SEC, all_led), "partitions got leaders");
    e.run_for(2 * SEC);
    let (ctl, epoch) = controller_epoch(&e).expect("a controller");
    assert_eq!(epoch, 1);
    let tree = e.server(1).tree();
    for id in 1..=3 {
        let stat = tree
            .stat(&format!("/brokers/ids/{id}"))
            .expect("registered");
        assert_ne!(stat.ephemeral_owner, 0, "registration is ephemeral");
    }
    let (data, _) = tree.get_data("/controller").expect("/controller");
    assert!(data.contains(&format!("\"brokerid\":{ctl}")), "{data}");
    let (data, _) = tree.get_data("/controller_epoch").expect("epoch");
    assert_eq!(decode_controller_epoch(data.as_bytes()), Ok(1));
    assert!(tree.stat("/brokers/topics/events").is_some());
    for p in 0..3 {
        let (data, _) = tree
            .get_data(&format!("/brokers/topics/events/partitions/{p}/state"))
            .expect("state znode");
        let s = PartitionState::decode(data.as_bytes()).expect("state JSON");
        assert_eq!(Some((s.leader, s.leader_epoch)), leader_of(&e, p));
        assert_eq!(s.isr.len(), 3, "all replicas in sync: {s:?}");
        assert_eq!(s.controller_epoch, 1);
    }
    // The broker epoch is the registration's czxid.
    for (_, b) in running_brokers(&e.sim.world) {
        let stat = tree.stat(&format!("/brokers/ids/{}", b.id)).unwrap();
        assert_eq!(b.broker_epoch, stat.czxid);
    }
    e.run_for(10 * SEC);
    let p = e
        .sim
        .world
        .node_ids()
        .find_map(|id| e.sim.world.node(id).kafka_producer().cloned())
        .expect("producer");
    assert!(
        p.acked.len() >= 10,
        "records acknowledged: {}",
        p.acked.len()
    );
    assert!(e.violations.is_empty(), "{:?}", e.violations);
}

#[test]
fn crashing_the_controller_broker_elects_a_new_controller_with_a_higher_epoch() {
    let mut e = kafka("kafka-controller-failover", 2);
    assert!(e.run_until(14 * SEC, all_led));
    let (first, epoch) = controller_epoch(&e).expect("controller");
    assert_eq!(first, 1, "the first broker to start is the controller");
    let ok = e.run_until(20 * SEC, |e| {
        controller_epoch(e).is_some_and(|(id, ep)| id != first && ep > epoch)
    });
    assert!(ok, "a new controller took over: {:?}", controller_epoch(&e));
    // Its partitions have leaders on the surviving brokers.
    assert!(e.run_until(5 * SEC, |e| (0..3)
        .all(|p| leader_of(e, p).is_some_and(|(b, _)| b != first))));
    assert!(e.violations.is_empty(), "{:?}", e.violations);
}

#[test]
fn a_stale_controllers_write_is_fenced_by_bad_version_on_the_controller_epoch() {
    let mut e = kafka("kafka-default", 3);
    assert!(e.run_until(30 * SEC, all_led));
    e.run_for(2 * SEC);
    let (ctl, _) = controller_epoch(&e).expect("controller");
    // Another writer moves /controller_epoch on, as a newer controller would.
    let mut c = e.connect(1);
    e.await_session(&c);
    let op = ClientOp::Write(WriteOp::set_data("/controller_epoch", "7", -1));
    e.request(&mut c, 1, op);
    e.run_for(SEC);
    // A broker that is not the controller dies: the controller must write partition states.
    let victim = (1..=3).find(|&b| b != ctl).unwrap();
    let node = broker_node(&e.sim.world, victim);
    e.input(Input::Crash(node));
    let mut fenced = false;
    let end = e.sim.world.now_us() + 20 * SEC;
    while e.sim.world.now_us() < end && !fenced {
        if let Some(rec) = e.sim.step() {
            fenced = rec.notes.iter().any(|n| n.contains("fenced"));
        }
    }
    assert!(
        fenced,
        "the controller's multi failed its /controller_epoch check"
    );
    assert!(
        controller(&e.sim.world).is_none(),
        "the fenced controller resigned"
    );
}

#[test]
fn crashing_a_partition_leader_moves_leadership_to_another_isr_member() {
    let mut e = kafka("kafka-leader-failover", 4);
    assert!(e.run_until(14 * SEC, all_led));
    let before: Vec<(i32, i32)> = (0..3).map(|p| leader_of(&e, p).unwrap()).collect();
    assert!(
        before.iter().any(|(b, _)| *b == 3),
        "broker-3 leads something"
    );
    let ok = e.run_until(25 * SEC, |e| {
        (0..3).all(|p| leader_of(e, p).is_some_and(|(b, _)| b != 3))
            && e.sim.world.now_us() > 15 * SEC
    });
    assert!(ok, "leaders moved off broker-3");
    for p in 0..3 {
        let (b, epoch) = leader_of(&e, p).unwrap();
        if before[p as usize].0 == 3 {
            assert!(epoch > before[p as usize].1, "a new leader epoch");
            assert_ne!(b, 3);
        }
    }
    assert!(e.violations.is_empty(), "{:?}", e.violations);
}

#[test]
fn acks_all_is_refused_with_not_enough_replicas_below_min_insync_replicas() {
    let sim = kafka_cluster(&BuildOptions::seed(5), Acks::All, 3);
    let mut e = Ens::from_sim(sim);
    assert!(e.run_until(14 * SEC, all_led));
    e.run_for(2 * SEC);
    let node = broker_node(&e.sim.world, 3);
    e.input(Input::Crash(node));
    let refused = |e: &Ens| {
        e.sim.world.node_ids().any(|id| {
            e.sim.world.node(id).kafka_producer().is_some_and(|p| {
                p.errors
                    .iter()
                    .any(|(_, err)| *err == KafkaError::NotEnoughReplicas)
            })
        })
    };
    assert!(e.run_until(30 * SEC, refused), "NOT_ENOUGH_REPLICAS seen");
}

#[test]
fn the_same_seed_gives_the_same_kafka_digest() {
    let source = ScenarioSource::resolve("kafka-leader-failover").unwrap();
    let cfg = RunConfig {
        seed: 9,
        steps: 6_000,
        chaos: false,
    };
    let a = run_trace(&source, cfg).unwrap();
    let b = run_trace(&source, cfg).unwrap();
    assert_eq!(a.digest, b.digest);
    let c = run_trace(&source, RunConfig { seed: 10, ..cfg }).unwrap();
    assert_ne!(a.digest, c.digest);
}
