//! The shared runner behind `zooscope-cli run` and `sweep`: resolving a scenario argument,
//! scenario files, sweeps over seeds on several threads, and reproduction commands.

use std::path::PathBuf;
use std::sync::Mutex;

use zooscope::cluster::runner::{
    repro_command, run_trace, sweep, RunConfig, ScenarioSource, SweepConfig, SweepProgress,
};
use zooscope::cluster::{build, BuildOptions};

/// A scratch file unique to this test process.
fn scratch(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("zooscope-kernel-runner-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write scratch file");
    path
}

const BLACK_HOLE: &str = r#"{"base": "heartbeat", "servers": 3,
    "link": {"latency_min_us": 1000, "latency_max_us": 2000, "loss_ppm": 1000000,
             "duplicate_ppm": 0, "fifo": true}}"#;

fn no_progress(_: SweepProgress) {}

#[test]
fn a_scenario_argument_is_a_catalogue_name_or_an_existing_file() {
    let named = ScenarioSource::resolve("heartbeat").expect("catalogue name");
    assert_eq!(named.arg(), "heartbeat");
    assert_eq!(named.default_steps(), 5_000);

    let path = scratch("ok.json", BLACK_HOLE);
    let arg = path.to_str().expect("utf-8 path");
    let file = ScenarioSource::resolve(arg).expect("scenario file");
    assert_eq!(file.arg(), arg);
    assert_eq!(
        file.default_steps(),
        named.default_steps(),
        "the base's length"
    );
}

#[test]
fn bad_scenario_arguments_are_explained_in_one_line() {
    let err = |arg: &str| ScenarioSource::resolve(arg).expect_err(arg).0;
    assert!(err("no-such-scenario").contains("unknown scenario `no-such-scenario`"));
    assert!(err("missing/file.json").contains("no such scenario file"));
    let dir = std::env::temp_dir();
    assert!(err(dir.to_str().expect("utf-8")).contains("is not a scenario file"));
    let bad = scratch("bad.json", r#"{"base": "heartbeat", "oops": 1}"#);
    assert!(err(bad.to_str().expect("utf-8")).contains("unknown field `oops`"));
    let truncated = scratch("truncated.json", r#"{"base": "heart"#);
    assert!(err(truncated.to_str().expect("utf-8")).contains("not valid"));
    // A file that parses but names a node that does not exist fails when built.
    let ghost = scratch(
        "ghost.json",
        r#"{"base": "heartbeat", "faults": [{"at_ms": 5, "action": "crash", "node": "m9"}]}"#,
    );
    let source = ScenarioSource::resolve(ghost.to_str().expect("utf-8")).expect("parses");
    let cfg = RunConfig {
        seed: 1,
        steps: 10,
        chaos: false,
    };
    let e = run_trace(&source, cfg).expect_err("m9 does not exist").0;
    assert!(e.contains("no node named `m9`"), "{e}");
    assert!(!e.contains('\n'));
}

#[test]
fn a_scenario_file_runs_its_base_with_its_faults() {
    let path = scratch(
        "crash.json",
        r#"{"base": "heartbeat", "faults": [{"at_ms": 300, "action": "crash", "node": "m2"}]}"#,
    );
    let source = ScenarioSource::resolve(path.to_str().expect("utf-8")).expect("parses");
    let cfg = RunConfig {
        seed: 4,
        steps: 400,
        chaos: false,
    };
    let out = run_trace(&source, cfg).expect("runs");
    assert!(out
        .lines
        .iter()
        .any(|l| l.contains("0.300000s input: crash m2")));
    let base = run_trace(&ScenarioSource::resolve("heartbeat").expect("name"), cfg).expect("runs");
    assert_ne!(out.digest, base.digest);
}

#[test]
fn a_run_takes_the_steps_asked_for_and_its_text_ends_with_the_digest() {
    let source = ScenarioSource::resolve("heartbeat").expect("name");
    let cfg = RunConfig {
        seed: 1,
        steps: 123,
        chaos: false,
    };
    let out = run_trace(&source, cfg).expect("runs");
    assert_eq!(out.summary.steps, 123);
    assert_eq!(out.lines.len(), 123);
    assert!(out.text().ends_with(&format!("digest: {}\n", out.digest)));
}

#[test]
fn a_sweep_reports_every_checker_even_without_violations() {
    let source = ScenarioSource::resolve("heartbeat").expect("name");
    let cfg = SweepConfig {
        from: 10,
        seeds: 6,
        steps: Some(400),
        threads: Some(2),
    };
    let report = sweep(&source, cfg, &no_progress).expect("sweeps");
    let names: Vec<_> = report.checkers.iter().map(|(i, _)| i.name).collect();
    let expected: Vec<_> = build("heartbeat", &BuildOptions::seed(1))
        .expect("builds")
        .checker_infos()
        .iter()
        .map(|i| i.name)
        .collect();
    assert_eq!(names, expected);
    assert!(report.checkers.iter().all(|(_, n)| *n == 0));
    assert!(!report.failed());
    assert_eq!((report.from, report.seeds, report.steps), (10, 6, 400));
}

#[test]
fn a_failing_sweep_names_each_failing_seed_with_the_command_that_replays_it() {
    let path = scratch("black-hole.json", BLACK_HOLE);
    let arg = path.to_str().expect("utf-8");
    let source = ScenarioSource::resolve(arg).expect("parses");
    let cfg = SweepConfig {
        from: 0,
        seeds: 5,
        steps: Some(300),
        threads: None,
    };
    let calls = Mutex::new(Vec::new());
    let report = sweep(&source, cfg, &|p| calls.lock().expect("lock").push(p)).expect("sweeps");
    assert!(report.failed());
    // Chaos may swap the black hole for a merely lossy network on some seeds; most still fail.
    let seeds: Vec<u64> = report.failures.iter().map(|f| f.seed).collect();
    assert!(seeds.len() >= 3, "{seeds:?}");
    assert!(
        seeds.windows(2).all(|w| w[0] < w[1]),
        "in seed order: {seeds:?}"
    );
    let full_view = report
        .checkers
        .iter()
        .find(|(i, _)| i.name == "heartbeat.full-view-reached")
        .expect("listed");
    assert!(full_view.1 >= 3);

    let f = &report.failures[0];
    assert_eq!(f.command, repro_command(arg, f.seed, 300));
    assert_eq!(
        f.command,
        format!(
            "zooscope-cli run --scenario {arg} --seed {} --steps 300 --chaos",
            f.seed
        )
    );
    // The command really reproduces it.
    let cfg = RunConfig {
        seed: f.seed,
        steps: 300,
        chaos: true,
    };
    let replay = run_trace(&source, cfg).expect("runs");
    assert_eq!(replay.summary.first_violation(), Some(&f.first));

    let calls = calls.into_inner().expect("lock");
    assert_eq!(calls.len(), 5, "progress after every seed");
    assert_eq!(
        calls.last(),
        Some(&SweepProgress {
            done: 5,
            total: 5,
            failing: seeds.len() as u64
        })
    );
}

#[test]
fn a_sweep_gives_the_same_report_on_one_thread_or_many() {
    let source = ScenarioSource::resolve("heartbeat").expect("name");
    let cfg = |threads| SweepConfig {
        from: 100,
        seeds: 8,
        steps: Some(2_500),
        threads: Some(threads),
    };
    let one = sweep(&source, cfg(1), &no_progress).expect("sweeps");
    let many = sweep(&source, cfg(3), &no_progress).expect("sweeps");
    assert_eq!(one, many);
}

#[test]
fn a_sweep_of_a_bad_source_or_overflowing_seeds_is_an_error_not_a_panic() {
    let source = ScenarioSource::resolve("heartbeat").expect("name");
    let cfg = SweepConfig {
        from: u64::MAX - 1,
        seeds: 5,
        steps: Some(10),
        threads: None,
    };
    assert!(sweep(&source, cfg, &no_progress).is_err());
    let ghost = ScenarioSource::File {
        path: "ghost.json".into(),
        text: r#"{"base": "nothing"}"#.into(),
    };
    let cfg = SweepConfig {
        from: 0,
        seeds: 3,
        steps: Some(10),
        threads: None,
    };
    let e = sweep(&ghost, cfg, &no_progress).expect_err("unknown base");
    assert!(e.0.contains("unknown scenario `nothing`"), "{e}");
}

#[test]
fn a_reproduction_command_quotes_paths_a_shell_would_split() {
    assert_eq!(
        repro_command("zk-faults", 7, 100),
        "zooscope-cli run --scenario zk-faults --seed 7 --steps 100 --chaos"
    );
    assert_eq!(
        repro_command("my runs/it's.json", 7, 100),
        r"zooscope-cli run --scenario 'my runs/it'\''s.json' --seed 7 --steps 100 --chaos"
    );
}
