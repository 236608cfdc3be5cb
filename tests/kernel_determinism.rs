//! Determinism: a run is a pure function of (scenario, seed, inputs), whatever path reaches it
//! (a straight run, the CLI runner, a timeline with seeks and forks, a replay from scratch),
//! and no fault plan can panic the kernel.

mod kernel_support;

use kernel_support::cluster::{
    digest, fingerprint, plan, replay, run_plan, sim, timeline, timeline_lines,
    wire_accounting_error,
};
use proptest::prelude::*;
use zooscope::cluster::catalogue;
use zooscope::cluster::runner::{run_trace, RunConfig, ScenarioSource};

fn run_digest(scenario: &str, seed: u64, steps: u64, chaos: bool) -> String {
    let source = ScenarioSource::resolve(scenario).expect("catalogue scenario");
    let out = run_trace(&source, RunConfig { seed, steps, chaos }).expect("runs");
    assert_eq!(out.lines.len() as u64, steps, "{scenario} fell quiet early");
    out.digest
}

#[test]
fn the_same_seed_gives_the_same_digest_and_another_seed_a_different_one() {
    let a = run_digest("default", 7, 20_000, false);
    assert_eq!(a, run_digest("default", 7, 20_000, false));
    assert_ne!(a, run_digest("default", 8, 20_000, false));
    assert_eq!(a.len(), 64);
}

#[test]
fn heartbeat_with_chaos_gives_the_same_digest_per_seed_and_another_per_other_seed() {
    let a = run_digest("heartbeat", 21, 8_000, true);
    assert_eq!(a, run_digest("heartbeat", 21, 8_000, true));
    assert_ne!(a, run_digest("heartbeat", 22, 8_000, true));
    assert_ne!(
        a,
        run_digest("heartbeat", 21, 8_000, false),
        "chaos changes the run"
    );
}

#[test]
fn every_catalogue_scenario_is_deterministic_with_and_without_chaos() {
    for info in catalogue() {
        let steps = info.default_steps.min(1_500);
        for chaos in [false, true] {
            let source = ScenarioSource::resolve(info.name).expect("catalogue entry resolves");
            let cfg = RunConfig {
                seed: 5,
                steps,
                chaos,
            };
            let a = run_trace(&source, cfg).expect("catalogue entry runs");
            let b = run_trace(&source, cfg).expect("catalogue entry runs");
            assert_eq!(a.digest, b.digest, "{} chaos={chaos}", info.name);
            assert_eq!(a.lines, b.lines);
        }
    }
}

#[test]
fn the_runner_digest_equals_the_digest_of_a_timeline_of_the_same_run() {
    let source = ScenarioSource::resolve("heartbeat").expect("catalogue scenario");
    let cfg = RunConfig {
        seed: 3,
        steps: 2_000,
        chaos: true,
    };
    let out = run_trace(&source, cfg).expect("runs");
    let mut t = timeline("heartbeat", 3, true);
    t.seek(1_500);
    t.seek(200);
    t.seek(2_000);
    assert_eq!(digest(&timeline_lines(&t)), out.digest);
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 24,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// Random fault plans (crashes, restarts, partitions, cuts, holds, drops, releases, link
    /// changes, injected messages, also naming nodes and messages that do not exist): no
    /// panic, the same plan twice gives the same digest, a replay from scratch gives it too,
    /// seeking anywhere in the run lands on the replayed state, and the network's count of
    /// messages on each link matches the messages really there.
    #[test]
    fn random_fault_plans_never_panic_and_always_replay_to_the_same_run(
        seed in 0u64..10_000,
        chaos in any::<bool>(),
        plan in plan(1_200),
        seeks in proptest::collection::vec(0u64..1_500, 1..4),
    ) {
        let steps = 1_500;
        let mut first = run_plan(timeline("heartbeat", seed, chaos), &plan, steps);
        let second = run_plan(timeline("heartbeat", seed, chaos), &plan, steps);
        let live = timeline_lines(&first);
        prop_assert_eq!(digest(&live), digest(&timeline_lines(&second)));
        prop_assert_eq!(first.inputs(), second.inputs());

        let inputs = first.inputs().to_vec();
        let (scratch, end) = replay(sim("heartbeat", seed, chaos), &inputs, steps);
        prop_assert_eq!(digest(&scratch), digest(&live));
        prop_assert_eq!(fingerprint(&end), fingerprint(first.current()));
        prop_assert_eq!(wire_accounting_error(&end), None);

        for k in seeks {
            first.seek(k);
            let (_, at_k) = replay(sim("heartbeat", seed, chaos), &inputs, k);
            prop_assert_eq!(fingerprint(first.current()), fingerprint(&at_k));
        }
    }
}
