//! Every checker is shown to fire (issue 13): each test plants the matching bug switch (a
//! "What if…" scenario) or builds the violating state directly, checks that the checker
//! reports it with its readable explanation, and that a sweep reports the failing seed with
//! the command that replays it. The seeds are those `zooscope-cli mutants` finds first.

use std::path::PathBuf;

use zooscope::cluster::checkers::ClusterChecker;
use zooscope::cluster::runner::{self, repro_command, ScenarioSource, SweepConfig};
use zooscope::cluster::zk::checks::Agreement;
use zooscope::cluster::{BuildOptions, ClusterSim};
use zooscope::sim::NodeId;

/// Where the first report of `checker` came from.
struct Report {
    step: u64,
    message: String,
}

fn source(arg: &str) -> ScenarioSource {
    ScenarioSource::resolve(arg).expect("a valid scenario")
}

fn build(src: &ScenarioSource, seed: u64) -> ClusterSim {
    src.build(&BuildOptions {
        seed,
        chaos: true,
        servers: None,
    })
    .expect("builds")
}

/// Runs `src` with the seed's fault plan (as a sweep does) until `checker` reports,
/// during the run or at its end.
fn first_report(src: &ScenarioSource, seed: u64, checker: &str) -> Report {
    let mut sim = build(src, seed);
    let mut steps = 0;
    while steps < src.default_steps().max(20_000) {
        let Some(rec) = sim.step() else { break };
        steps += 1;
        if let Some(v) = rec.violations.iter().find(|v| v.checker == checker) {
            return Report {
                step: v.step,
                message: v.message.clone(),
            };
        }
    }
    match sim.finish().into_iter().find(|v| v.checker == checker) {
        Some(v) => Report {
            step: steps,
            message: v.message,
        },
        None => panic!("{checker} never fired on {} seed {seed}", src.arg()),
    }
}

/// A one-seed sweep of `src` from `seed`, `steps` long, reports the seed as failing, counts
/// violations for `checker` and prints the command that replays it.
fn sweep_reports(src: &ScenarioSource, seed: u64, steps: u64, checker: &str) {
    let report = runner::sweep(
        src,
        SweepConfig {
            from: seed,
            seeds: 1,
            steps: Some(steps),
            threads: Some(1),
        },
        &|_| {},
    )
    .expect("sweeps");
    assert_eq!(report.failures.len(), 1, "{report:?}");
    let f = &report.failures[0];
    assert_eq!(f.seed, seed);
    assert_eq!(f.command, repro_command(src.arg(), seed, steps));
    assert!(
        f.command
            .starts_with(&format!("zooscope-cli run --scenario {}", src.arg())),
        "{}",
        f.command
    );
    let count = report
        .checkers
        .iter()
        .find(|(i, _)| i.name == checker)
        .map_or(0, |(_, n)| *n);
    assert!(count > 0, "{checker} not counted in {report:?}");
}

/// A What-if scenario's planted bug is caught by `checker` with `needle` in its words, and a
/// sweep reports the seed.
fn caught(scenario: &str, seed: u64, checker: &str, needle: &str) {
    let src = source(scenario);
    let r = first_report(&src, seed, checker);
    assert!(r.message.contains(needle), "{checker}: {}", r.message);
    sweep_reports(&src, seed, r.step + 1, checker);
}

/// A scenario file in the target directory.
fn scenario_file(name: &str, text: &str) -> String {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("checkers_fire");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    path.to_string_lossy().into_owned()
}

/// Every link loses every message, set every 100 ms from `from_ms` to `to_ms` (so that no
/// fault plan undoes it).
fn deaf_file(base: &str, from_ms: u64, to_ms: u64) -> String {
    let deaf = r#"{"latency_min_us": 1000, "latency_max_us": 3000, "loss_ppm": 1000000, "duplicate_ppm": 0, "fifo": true}"#;
    let faults: Vec<String> = (from_ms..=to_ms)
        .step_by(100)
        .map(|t| format!(r#"{{"at_ms": {t}, "action": "link", "config": {deaf}}}"#))
        .collect();
    format!(r#"{{"base": "{base}", "faults": [{}]}}"#, faults.join(","))
}

#[test]
fn a_leader_that_commits_without_a_quorum_loses_a_committed_write_and_zk_committed_never_lost_says_so(
) {
    caught(
        "whatif-commit-without-quorum",
        2,
        "zk.committed-never-lost",
        "a committed write was lost",
    );
}

#[test]
fn a_follower_that_ignores_trunc_parts_from_the_others_and_zk_replicas_identical_says_so() {
    caught(
        "whatif-diff-without-truncate",
        3,
        "zk.replicas-identical",
        "their data trees differ",
    );
}

#[test]
fn a_leader_that_ignores_its_followers_epochs_is_caught_by_zk_new_epoch_fresh() {
    caught(
        "whatif-ignore-follower-epoch",
        2,
        "zk.new-epoch-fresh",
        "the new epoch must be higher than all of them",
    );
}

#[test]
fn a_leader_that_skips_sync_leaves_ephemerals_of_closed_sessions_and_zk_ephemerals_cleaned_says_so()
{
    caught(
        "whatif-skip-sync",
        1,
        "zk.ephemerals-cleaned",
        "which is closed",
    );
}

#[test]
fn a_tracker_that_never_expires_keeps_a_crashed_clients_session_and_zk_sessions_expire_says_so() {
    caught(
        "whatif-sessions-never-expire",
        0,
        "zk.sessions-expire",
        "the leader never expired it",
    );
}

#[test]
fn a_tracker_that_never_expires_leaves_a_crashed_members_ephemeral_and_zk_ephemerals_cleaned_says_so(
) {
    caught(
        "whatif-sessions-never-expire",
        0,
        "zk.ephemerals-cleaned",
        "still has its ephemeral /members/",
    );
}

#[test]
fn a_server_that_fires_each_watch_twice_is_caught_by_zk_watch_fires_once() {
    caught(
        "whatif-watch-fires-twice",
        0,
        "zk.watch-fires-once",
        "a watch fired twice",
    );
}

#[test]
fn a_server_that_forgets_child_watches_is_caught_by_zk_watch_not_lost() {
    caught(
        "whatif-watch-forgotten",
        0,
        "zk.watch-not-lost",
        "without notifying it: a change went unannounced",
    );
}

#[test]
fn a_follower_serving_before_uptodate_is_caught_by_zk_serves_when_synced() {
    caught(
        "whatif-reads-before-uptodate",
        0,
        "zk.serves-when-synced",
        "before UPTODATE",
    );
}

#[test]
fn a_follower_that_never_saves_its_accepted_epoch_is_caught_by_zk_epochs() {
    caught(
        "whatif-accepted-epoch-not-saved",
        0,
        "zk.epochs",
        "below currentEpoch",
    );
}

#[test]
fn a_follower_that_never_saves_its_accepted_epoch_lets_two_leaders_share_an_epoch_and_zk_leadership_says_so(
) {
    caught(
        "whatif-accepted-epoch-not-saved",
        2,
        "zk.leadership",
        "two leaders were established for epoch",
    );
}

#[test]
fn an_ensemble_that_stays_deaf_after_healing_is_caught_by_zk_recovers_after_heal() {
    let file = scenario_file("zk-deaf.json", &deaf_file("zk-ensemble", 21_000, 30_000));
    let src = source(&file);
    let r = first_report(&src, 0, "zk.recovers-after-heal");
    assert!(
        r.message
            .contains("has not recovered 90 s after healing: no leader is established"),
        "{}",
        r.message
    );
    sweep_reports(&src, 0, r.step + 1, "zk.recovers-after-heal");
}

#[test]
fn an_ensemble_that_never_hears_itself_is_caught_by_zk_leader_elected_at_the_end() {
    let file = scenario_file("zk-always-deaf.json", &deaf_file("zk-ensemble", 0, 30_000));
    let src = source(&file);
    let r = first_report(&src, 0, "zk.leader-elected");
    assert_eq!(r.message, "no leader was ever established");
    sweep_reports(&src, 0, 2_000, "zk.leader-elected");
}

/// Two runs with different seeds, stitched: zk1's deliveries from one and zk2's from the
/// other, as if two servers of one ensemble had disagreed. (No bug switch makes servers
/// deliver different txns under one zxid: the other checkers catch each bug earlier.)
#[test]
fn two_servers_delivering_different_txns_under_one_zxid_are_caught_by_zk_agreement() {
    let src = source("zk-faults");
    let build_plain = |seed| {
        src.build(&BuildOptions::seed(seed))
            .expect("builds zk-faults")
    };
    let (mut a, mut b) = (build_plain(1), build_plain(2));
    let mut checker = Agreement::default();
    let mut found = None;
    for _ in 0..6_000 {
        let (Some(ra), Some(rb)) = (a.step(), b.step()) else {
            break;
        };
        for (sim, rec, node) in [(&a, &ra, NodeId(0)), (&b, &rb, NodeId(1))] {
            if rec.actor() == Some(node) {
                if let Some(m) = checker.after_step(&sim.world, rec) {
                    found.get_or_insert(m);
                }
            }
        }
        if found.is_some() {
            break;
        }
    }
    let message = found.expect("zk.agreement fired");
    assert!(
        message.contains("delivered a different transaction as zxid"),
        "{message}"
    );
}

#[test]
fn a_heartbeat_group_that_stays_deaf_after_healing_is_caught_by_views_converge() {
    let file = scenario_file("hb-deaf.json", &deaf_file("heartbeat", 21_000, 21_000));
    let src = source(&file);
    let r = first_report(&src, 0, "heartbeat.views-converge");
    assert!(
        r.message
            .contains("still does not see m2 alive two seconds after the network healed"),
        "{}",
        r.message
    );
    sweep_reports(&src, 0, r.step + 1, "heartbeat.views-converge");
}

#[test]
fn a_heartbeat_group_that_never_hears_itself_is_caught_by_full_view_reached_at_the_end() {
    let file = scenario_file("hb-always-deaf.json", &deaf_file("heartbeat", 0, 30_000));
    let src = source(&file);
    let r = first_report(&src, 0, "heartbeat.full-view-reached");
    assert_eq!(r.message, "no member ever saw all of its peers alive");
    sweep_reports(&src, 0, 3_000, "heartbeat.full-view-reached");
}

/// Runs `sim` for `steps` and returns every violation, during the run and at its end.
fn violations(mut sim: ClusterSim, steps: u64) -> Vec<String> {
    let mut found = Vec::new();
    for _ in 0..steps {
        let Some(rec) = sim.step() else { break };
        found.extend(
            rec.violations
                .iter()
                .map(|v| format!("{}: {}", v.checker, v.message)),
        );
    }
    found.extend(
        sim.finish()
            .into_iter()
            .map(|v| format!("{}: {}", v.checker, v.message)),
    );
    found
}

#[test]
fn the_scripted_failure_scenarios_run_clean_for_their_whole_length() {
    for name in [
        "zk-leader-crash",
        "zk-minority-leader",
        "zk-old-leader-returns",
    ] {
        let steps = source(name).default_steps();
        for seed in 1..=2 {
            let sim = zooscope::cluster::build(name, &BuildOptions::seed(seed)).expect("builds");
            let found = violations(sim, steps);
            assert!(found.is_empty(), "{name} seed {seed}: {found:?}");
        }
    }
}

#[test]
fn the_what_if_stories_run_clean_without_their_bug() {
    let opts = BuildOptions::seed(1);
    let found = violations(zooscope::cluster::zk::whatif::truncate_story(&opts), 8_000);
    assert!(found.is_empty(), "TRUNC story: {found:?}");
    let mut sim = zooscope::cluster::build("whatif-sessions-never-expire", &opts).expect("builds");
    zooscope::cluster::zk::whatif::plant(&mut sim, zooscope::zk::Bugs::NONE);
    let found = violations(sim, 8_000);
    assert!(found.is_empty(), "crashed member story: {found:?}");
}
