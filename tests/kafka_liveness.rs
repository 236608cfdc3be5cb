//! Kafka liveness under faults: after the chaos plan's last fault heals (20 s), a real Kafka
//! cluster recovers — every partition gets a leader again, the producer gets acknowledgements
//! again and consumers make progress. These tests run the sweep's chaos plans on a range of
//! seeds and measure that recovery within a bounded time.

use zooscope::cluster::kafka::{producers, running_brokers, zk_consumers};
use zooscope::cluster::{build, BuildOptions, ClusterSim};
use zooscope::kafka::broker::ReplicaRole;
use zooscope::sim::{TimeUs, SEC};

/// When the chaos plan heals every fault (`cluster::scenario::add_chaos`).
const HEAL_US: TimeUs = 20 * SEC;
/// How long after healing the cluster gets to recover before progress is required.
const GRACE_US: TimeUs = 25 * SEC;
/// The window after the grace period in which progress must be seen.
const WINDOW_US: TimeUs = 10 * SEC;

/// What one chaos run did after healing.
#[derive(Debug, Default)]
struct Recovery {
    /// Partitions of `events` without a running leader at the end of the window.
    leaderless: Vec<i32>,
    /// Acknowledgements the producer got in the window.
    acks_in_window: usize,
    /// Records it still had to send at the start of the window.
    unsent_at_window: bool,
    /// Records consumers received in the window (`None` without consumers).
    consumed_in_window: Option<u64>,
    /// Records acknowledged but not yet consumed at the end of the window.
    backlog: Option<u64>,
}

impl Recovery {
    fn live(&self) -> bool {
        self.leaderless.is_empty()
            && (self.acks_in_window > 0 || !self.unsent_at_window)
            && self
                .consumed_in_window
                .zip(self.backlog)
                .is_none_or(|(c, backlog)| c > 0 || backlog == 0)
    }
}

fn run_to(sim: &mut ClusterSim, t: TimeUs) {
    while sim.world.next_event_us().is_some_and(|n| n <= t) {
        sim.step();
    }
}

fn acked(sim: &ClusterSim) -> usize {
    producers(&sim.world).map(|(_, p)| p.acked.len()).sum()
}

fn consumed(sim: &ClusterSim) -> Option<u64> {
    let mut any = false;
    let n = zk_consumers(&sim.world)
        .map(|(_, c)| {
            any = true;
            c.consumed_total
        })
        .sum();
    any.then_some(n)
}

fn leaderless(sim: &ClusterSim) -> Vec<i32> {
    (0..3)
        .filter(|p| {
            !running_brokers(&sim.world).any(|(_, b)| {
                b.replicas
                    .get(&("events".to_string(), *p))
                    .is_some_and(|r| r.role == ReplicaRole::Leader)
            })
        })
        .collect()
}

fn recovery(scenario: &str, seed: u64) -> Recovery {
    let opts = BuildOptions {
        chaos: true,
        ..BuildOptions::seed(seed)
    };
    let mut sim = build(scenario, &opts).expect("scenario builds");
    let start = HEAL_US + GRACE_US;
    run_to(&mut sim, start);
    let (a0, c0) = (acked(&sim), consumed(&sim));
    let unsent_at_window = producers(&sim.world).any(|(_, p)| {
        p.sent_count() < p.max_records as u64 || p.acked.len() < p.sent_count() as usize
    });
    run_to(&mut sim, start + WINDOW_US);
    let (a1, c1) = (acked(&sim), consumed(&sim));
    Recovery {
        leaderless: leaderless(&sim),
        acks_in_window: a1 - a0,
        unsent_at_window,
        consumed_in_window: c1.zip(c0).map(|(c1, c0)| c1.saturating_sub(c0)),
        backlog: c1.map(|c| (a1 as u64).saturating_sub(c)),
    }
}

fn stuck_seeds(scenario: &str, seeds: std::ops::Range<u64>) -> Vec<(u64, Recovery)> {
    seeds
        .map(|seed| (seed, recovery(scenario, seed)))
        .filter(|(_, r)| !r.live())
        .collect()
}

#[test]
fn after_the_chaos_heals_every_partition_has_a_leader_and_the_producer_is_acknowledged_again() {
    let stuck = stuck_seeds("kafka-faults", 0..20);
    assert!(
        stuck.is_empty(),
        "no progress {} s after the last fault healed: {stuck:?}",
        GRACE_US / SEC
    );
}

#[test]
fn after_the_chaos_heals_classic_consumers_read_what_the_producer_wrote() {
    let stuck = stuck_seeds("kafka-zk-consumer", 0..10);
    assert!(
        stuck.is_empty(),
        "no progress {} s after the last fault healed: {stuck:?}",
        GRACE_US / SEC
    );
}

/// Prints each seed's recovery (`cargo test --release --test kafka_liveness -- --ignored
/// --nocapture`).
#[test]
#[ignore]
fn diagnostic_recovery_per_seed() {
    for scenario in ["kafka-zk-consumer", "kafka-default", "kafka-faults"] {
        let mut stuck = Vec::new();
        for seed in 0..30 {
            let r = recovery(scenario, seed);
            if !r.live() {
                println!("{scenario} seed {seed}: {r:?}");
                stuck.push(seed);
            }
        }
        println!("{scenario}: {} of 30 stuck: {stuck:?}", stuck.len());
    }
}
