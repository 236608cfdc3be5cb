//! The Kafka "What if…" scenarios (issue 13): each, on the page's default seed and without
//! random faults, makes the checker of its planted bug fire with its explanation in words;
//! the same story with the bug switched off stays clean.

use zooscope::cluster::kafka::scenarios::whatif::{scenario_of, SCENARIOS};
use zooscope::cluster::zk::running_servers;
use zooscope::cluster::{build, BuildOptions, ClusterSim};
use zooscope::kafka::bugs::{KafkaBug, KafkaBugs};
use zooscope::kafka::znodes::{paths, PartitionState};
use zooscope::sim::{NodeId, SEC};

/// The page's default seed.
const DEFAULT_SEED: u64 = 1;

fn scenario(name: &str) -> ClusterSim {
    build(name, &BuildOptions::seed(DEFAULT_SEED)).expect("builds")
}

/// Turns every broker's bug switches off (the faithful protocol, same story).
fn without_bugs(mut sim: ClusterSim) -> ClusterSim {
    let ids: Vec<NodeId> = sim.world.node_ids().collect();
    for id in ids {
        if let Some(b) = sim.world.node_mut(id).kafka_broker_mut() {
            b.config.bugs = KafkaBugs::NONE;
            b.dynamic.static_config.bugs = KafkaBugs::NONE;
        }
        if let Some(c) = sim.world.node_mut(id).kafka_consumer_mut() {
            c.config.bugs = KafkaBugs::NONE;
        }
    }
    sim
}

/// Runs the scenario's suggested length; every violation as `checker: message`.
fn violations(mut sim: ClusterSim, steps: u64) -> Vec<String> {
    let mut out = Vec::new();
    for _ in 0..steps {
        let Some(rec) = sim.step() else { break };
        out.extend(
            rec.violations
                .iter()
                .map(|v| format!("{}: {}", v.checker, v.message)),
        );
    }
    out.extend(
        sim.finish()
            .iter()
            .map(|v| format!("{}: {}", v.checker, v.message)),
    );
    out
}

fn steps_of(name: &str) -> u64 {
    SCENARIOS
        .iter()
        .find(|s| s.info.name == name)
        .map(|s| s.info.default_steps)
        .expect("a Kafka What-if scenario")
}

/// The scenario of `bug` fires `checker` with `words`; with the bug off it is clean.
fn caught_and_clean_without(bug: KafkaBug, checker: &str, words: &str) {
    let name = scenario_of(bug).expect("a What-if scenario");
    assert_eq!(name, format!("whatif-{}", bug.name()));
    let steps = steps_of(name);
    let seen = violations(scenario(name), steps);
    let hit = seen
        .iter()
        .find(|v| v.starts_with(&format!("{checker}: ")))
        .unwrap_or_else(|| panic!("{checker} never fired in {name}: {seen:?}"));
    assert!(hit.contains(words), "{hit}");
    let clean = violations(without_bugs(scenario(name)), steps);
    assert!(clean.is_empty(), "{name} without the bug: {clean:?}");
}

#[test]
fn a_stalled_controller_whose_writes_are_not_fenced_is_caught_by_kafka_controller_fencing() {
    caught_and_clean_without(
        KafkaBug::NoControllerFencing,
        "kafka.controller-fencing",
        "a deposed controller was not fenced",
    );
}

/// Every `events` partition's `state` znode after `secs` seconds (the freshest server's).
fn states_after(mut sim: ClusterSim, secs: u64) -> Vec<PartitionState> {
    while sim.world.now_us() < secs * SEC {
        if sim.step().is_none() {
            break;
        }
    }
    let tree = running_servers(&sim.world)
        .map(|(_, s)| s.tree())
        .max_by_key(|t| t.last_processed_zxid())
        .expect("a running server");
    (0..3)
        .filter_map(|p| tree.get_data(&paths::partition_state("events", p)).ok())
        .filter_map(|(data, _)| PartitionState::decode(data.as_bytes()).ok())
        .collect()
}

/// Whether some partition has a leader elected by controller epoch 1 (broker-1's, deposed
/// at 12.5 s).
fn elected_by_deposed_controller(states: &[PartitionState]) -> bool {
    states
        .iter()
        .any(|s| s.controller_epoch == 1 && s.leader_epoch > 0)
}

#[test]
fn with_fencing_on_the_stalled_controllers_late_elections_never_reach_zookeeper() {
    let name = "whatif-no-controller-fencing";
    let fenced = states_after(without_bugs(scenario(name)), 16);
    assert_eq!(fenced.len(), 3);
    assert!(!elected_by_deposed_controller(&fenced), "{fenced:?}");
    let unfenced = states_after(scenario(name), 16);
    assert!(elected_by_deposed_controller(&unfenced), "{unfenced:?}");
}

#[test]
fn a_leader_that_advances_its_high_watermark_before_the_isr_is_caught_by_kafka_high_watermark() {
    caught_and_clean_without(
        KafkaBug::HwBeforeIsr,
        "kafka.high-watermark",
        "passes the log end",
    );
}

#[test]
fn an_out_of_sync_leader_elected_with_unclean_election_off_is_caught_by_kafka_clean_election() {
    caught_and_clean_without(
        KafkaBug::UncleanWithoutConfig,
        "kafka.clean-election",
        "was not in the ISR",
    );
}

#[test]
fn a_leader_that_appends_a_retried_idempotent_batch_again_is_caught_by_kafka_no_duplicates() {
    caught_and_clean_without(
        KafkaBug::NoDuplicateCheck,
        "kafka.no-duplicates",
        "is committed twice",
    );
}

#[test]
fn a_consumer_that_commits_what_it_has_not_processed_is_caught_by_kafka_commit_after_processing() {
    caught_and_clean_without(
        KafkaBug::CommitUnprocessed,
        "kafka.commit-after-processing",
        "never processed",
    );
}

#[test]
fn every_kafka_bug_with_a_what_if_scenario_has_one_titled_what_if_in_the_catalogue() {
    for bug in KafkaBug::ALL {
        let name = scenario_of(bug).expect("every Kafka bug has a What-if scenario");
        let info = zooscope::cluster::scenario::info(name).expect("in the catalogue");
        assert!(info.title.starts_with("What if…"), "{}", info.title);
    }
}
