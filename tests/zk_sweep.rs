//! A small swarm test inside `cargo test`: a few seeds of `zk-faults` (five servers, writing
//! clients, random crashes, partitions, loss and duplication, healed at 20 s) with every
//! checker after every step. The test command also runs 500 seeds through the release CLI.

use zooscope::cluster::runner::{sweep, ScenarioSource, SweepConfig};

#[test]
fn zookeeper_survives_random_faults_and_recovers_after_healing() {
    let source = ScenarioSource::resolve("zk-faults").expect("shipped scenario");
    let report = sweep(
        &source,
        SweepConfig {
            from: 1000,
            seeds: 12,
            steps: Some(20_000),
            threads: None,
        },
        &|_| {},
    )
    .expect("sweep runs");
    let names: Vec<&str> = report.checkers.iter().map(|(i, _)| i.name).collect();
    assert!(names.contains(&"zk.agreement") && names.contains(&"zk.recovers-after-heal"));
    let failures: Vec<String> = report
        .failures
        .iter()
        .map(|f| format!("{}: {}\n  {}", f.first.checker, f.first.message, f.command))
        .collect();
    assert!(
        failures.is_empty(),
        "failing seeds:\n{}",
        failures.join("\n")
    );
}
