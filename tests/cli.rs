//! The `zooscope-cli` binary as a user runs it: output formats, digests, exit codes, and
//! messages for bad input.

use std::path::PathBuf;
use std::process::{Command, Output};

fn cli(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_zooscope-cli"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("utf-8 output")
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).expect("utf-8 errors")
}

fn digest_line(out: &Output) -> String {
    let text = stdout(out);
    let last = text.lines().last().expect("some output").to_string();
    assert!(last.starts_with("digest: "), "last line: {last}");
    assert_eq!(last.len(), "digest: ".len() + 64);
    last
}

/// Bad input: exit status 2, one line on stderr, and no panic.
fn assert_usage_error(out: &Output, needle: &str) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(2), "stderr: {err}");
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(err.contains(needle), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(out.stdout.is_empty());
}

fn scratch(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("zooscope-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write scratch file");
    path
}

#[test]
fn scenarios_prints_one_name_kind_title_line_per_entry() {
    let out = cli(&["scenarios"]);
    assert!(out.status.success());
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), zooscope::cluster::catalogue().len());
    for line in &lines {
        let fields: Vec<&str> = line.split('\t').collect();
        assert_eq!(fields.len(), 3, "{line:?}");
        assert!(["lesson", "scenario"].contains(&fields[1]), "{line:?}");
        assert!(!fields[0].is_empty() && !fields[2].is_empty());
    }
    assert!(lines.iter().any(|l| l.starts_with("default\t")));
}

#[test]
fn run_twice_with_a_seed_prints_the_same_digest_and_another_seed_another() {
    let run = |seed: &str| {
        cli(&[
            "run",
            "--scenario",
            "default",
            "--seed",
            seed,
            "--steps",
            "20000",
        ])
    };
    let a = run("7");
    let b = run("7");
    let c = run("8");
    // The default scenario without chaos runs clean on these seeds: exit 0, no violation.
    for out in [&a, &b, &c] {
        assert_eq!(out.status.code(), Some(0), "{}", stderr(out));
    }
    assert_eq!(digest_line(&a), digest_line(&b));
    assert_ne!(digest_line(&a), digest_line(&c));
    assert_eq!(stdout(&a), stdout(&b));
    assert!(stdout(&a)
        .lines()
        .next()
        .expect("a line")
        .starts_with("#1 0.000000s "));
}

#[test]
fn run_with_in_flight_names_the_most_messages_on_the_wire_before_the_same_digest() {
    let args = ["run", "--scenario", "default", "--steps", "3000"];
    let plain = cli(&args);
    let with = cli(&[&args[..], &["--in-flight"]].concat());
    assert_eq!(with.status.code(), Some(0), "{}", stderr(&with));
    assert_eq!(digest_line(&plain), digest_line(&with));
    let text = stdout(&with);
    let lines: Vec<&str> = text.lines().collect();
    let peak = lines[lines.len() - 2];
    assert!(peak.starts_with("most in flight: "), "{peak}");
    let n: usize = peak["most in flight: ".len()..]
        .split(' ')
        .next()
        .and_then(|w| w.parse().ok())
        .expect("a count");
    assert!(n > 0, "{peak}");
    assert!(peak.contains(" messages after step "), "{peak}");
    assert!(!stdout(&plain).contains("most in flight"));
}

#[test]
fn run_as_json_prints_one_object_per_line_with_the_same_digest() {
    let args = [
        "run",
        "--scenario",
        "heartbeat",
        "--seed",
        "3",
        "--steps",
        "3000",
        "--chaos",
    ];
    let text = cli(&args);
    let json = cli(&[&args[..], &["--format", "json"]].concat());
    let mut steps = 0;
    let mut last = None;
    for line in stdout(&json).lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("each line is JSON");
        if v.get("step").is_some() {
            steps += 1;
            assert_eq!(v["step"], steps);
            assert!(v["time_us"].is_u64());
            let event = v["event"].as_str().expect("an event kind");
            assert!(["start", "deliver", "lost", "timer", "input"].contains(&event));
            assert!(v["sends"].is_array() && v["notes"].is_array() && v["violations"].is_array());
            if event == "deliver" {
                assert!(v["src"].is_string() && v["dst"].is_string() && v["msg_kind"].is_string());
            }
        }
        last = Some(v);
    }
    assert_eq!(steps, 3000);
    let last = last.expect("output");
    let digest = last["digest"]
        .as_str()
        .expect("the last object has the digest");
    assert_eq!(format!("digest: {digest}"), digest_line(&text));
    assert_eq!(text.status.code(), json.status.code());
}

#[test]
fn run_of_seed_1_prints_the_golden_trace() {
    let out = cli(&[
        "run",
        "--scenario",
        "default",
        "--seed",
        "1",
        "--steps",
        "200",
    ]);
    let golden = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/default-seed-1.txt");
    let expected = std::fs::read_to_string(golden).expect("golden file");
    assert!(
        stdout(&out) == expected,
        "CLI output differs from tests/golden/default-seed-1.txt (see tests/kernel_golden.rs)"
    );
}

#[test]
fn run_of_a_scenario_file_path_runs_the_file() {
    let path = scratch(
        "crash.json",
        r#"{"base": "heartbeat", "faults": [{"at_ms": 300, "action": "crash", "node": "m2"}]}"#,
    );
    let out = cli(&[
        "run",
        "--scenario",
        path.to_str().expect("utf-8"),
        "--steps",
        "500",
    ]);
    assert!(stdout(&out).contains("input: crash m2"));
    digest_line(&out);
}

#[test]
fn a_malformed_scenario_file_exits_2_with_a_one_line_message() {
    let path = scratch(
        "bad.json",
        r#"{"base": "heartbeat", "faults": [{"at_ms": "soon"}]"#,
    );
    let out = cli(&["run", "--scenario", path.to_str().expect("utf-8")]);
    assert_usage_error(&out, "scenario file is not valid");
    let out = cli(&[
        "sweep",
        "--scenario",
        path.to_str().expect("utf-8"),
        "--seeds",
        "3",
    ]);
    assert_usage_error(&out, "scenario file is not valid");
}

#[test]
fn unknown_scenarios_missing_files_and_bad_numbers_exit_2_with_a_one_line_message() {
    assert_usage_error(
        &cli(&["run", "--scenario", "nope"]),
        "unknown scenario `nope`",
    );
    assert_usage_error(
        &cli(&["run", "--scenario", "/no/such/file.json"]),
        "no such scenario file",
    );
    assert_usage_error(
        &cli(&["run", "--scenario", "default", "--seed", "x"]),
        "invalid value 'x' for '--seed",
    );
    assert_usage_error(
        &cli(&["run", "--scenario", "default", "--steps", "-5"]),
        "invalid value '-5' for '--steps",
    );
    assert_usage_error(
        &cli(&["run", "--scenario", "default", "--format", "xml"]),
        "invalid value 'xml'",
    );
    assert_usage_error(&cli(&["run"]), "--scenario");
    assert_usage_error(
        &cli(&["sweep", "--scenario", "default", "--seeds", "0"]),
        "--seeds must be at least 1",
    );
    assert_usage_error(
        &cli(&[
            "sweep",
            "--scenario",
            "default",
            "--seeds",
            "2",
            "--from",
            "18446744073709551615",
        ]),
        "overflow",
    );
    assert_usage_error(&cli(&["frobnicate"]), "frobnicate");
}

#[test]
fn sweep_prints_a_line_per_checker_and_a_command_per_failing_seed() {
    let out = cli(&[
        "sweep",
        "--scenario",
        "default",
        "--seeds",
        "20",
        "--steps",
        "1500",
    ]);
    let text = stdout(&out);
    // No seed of these 20 may fail: the default scenario recovers from every fault plan
    // (a failing seed would print its replay command, checked below).
    let code = out.status.code();
    assert_eq!(code, Some(0), "{}\n{}", stderr(&out), stdout(&out));
    let checkers = zooscope::cluster::build("default", &zooscope::cluster::BuildOptions::seed(0))
        .expect("builds")
        .checker_infos();
    for info in &checkers {
        let prefix = format!("{}: ", info.name);
        let line = text
            .lines()
            .find(|l| l.starts_with(&prefix))
            .unwrap_or_else(|| panic!("no line for {}: {text}", info.name));
        assert!(line.ends_with(" violations"), "{line}");
    }
    let failing = text
        .lines()
        .filter(|l| {
            l.trim_start()
                .starts_with("zooscope-cli run --scenario default --seed ")
        })
        .count();
    assert_eq!(code == Some(1), failing > 0, "{text}");
    assert!(text.contains(&format!("{failing} of 20 seeds failing")));
}

#[test]
fn a_failing_sweep_exits_1_and_prints_the_command_that_replays_each_failure() {
    let path = scratch(
        "black-hole.json",
        r#"{"base": "heartbeat", "servers": 3, "link": {"latency_min_us": 1000,
            "latency_max_us": 2000, "loss_ppm": 1000000, "duplicate_ppm": 0, "fifo": true}}"#,
    );
    let arg = path.to_str().expect("utf-8");
    let out = cli(&["sweep", "--scenario", arg, "--seeds", "4", "--steps", "300"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    let command = text
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("zooscope-cli run "))
        .expect("a reproduction command");
    // Run exactly what was printed: it reports the violation too.
    let args: Vec<&str> = command.split(' ').skip(1).collect();
    let replay = cli(&args);
    assert_eq!(replay.status.code(), Some(1));
    assert!(stdout(&replay).contains("VIOLATION heartbeat."));
}

#[test]
fn run_stops_soon_after_the_reader_goes_away() {
    use std::io::Read;
    use std::process::Stdio;
    use std::time::{Duration, Instant};

    let mut child = Command::new(env!("CARGO_BIN_EXE_zooscope-cli"))
        .args(["run", "--scenario", "heartbeat", "--steps", "1000000000000"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let mut first = [0u8; 64];
    child
        .stdout
        .take()
        .expect("piped")
        .read_exact(&mut first)
        .expect("some output");
    // The pipe is closed now (like `| head`): the next flush fails and the run must end.
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("still running a minute after its reader went away");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "{status:?}");
    assert!(first.starts_with(b"#1 0.000000s"));
}

#[test]
fn mutants_sweeps_a_kafka_bug_and_names_the_kafka_checker_that_caught_it() {
    let out = cli(&[
        "mutants",
        "--bug",
        "no-duplicate-check",
        "--seeds",
        "10",
        "--chunk",
        "2",
    ]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}{}", stderr(&out));
    let row = text
        .lines()
        .find(|l| l.starts_with("no-duplicate-check "))
        .unwrap_or_else(|| panic!("a row for the Kafka bug: {text}"));
    assert!(row.contains("kafka.no-duplicates"), "{row}");
    assert!(text.contains("zooscope-cli run --scenario whatif-no-duplicate-check --seed 0"));
    assert_eq!(text.lines().last(), Some("caught: 1 of 1"));
}

#[test]
fn mutants_catches_a_consumer_that_commits_unprocessed_offsets() {
    let out = cli(&["mutants", "--bug", "commit-unprocessed"]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    let row = text
        .lines()
        .find(|l| l.starts_with("commit-unprocessed "))
        .unwrap_or_else(|| panic!("a row for the consumer bug: {text}"));
    assert!(row.contains("kafka.commit-after-processing"), "{row}");
    assert_eq!(text.lines().last(), Some("caught: 1 of 1"));
}

#[test]
fn mutants_refuses_an_unknown_bug_and_names_the_zookeeper_and_kafka_bugs() {
    let out = cli(&["mutants", "--bug", "no-such-bug"]);
    assert_usage_error(&out, "unknown bug `no-such-bug`");
    let err = stderr(&out);
    for name in [
        "commit-without-quorum",
        "no-controller-fencing",
        "hw-before-isr",
        "unclean-without-config",
        "no-duplicate-check",
    ] {
        assert!(err.contains(name), "{name}: {err}");
    }
}
