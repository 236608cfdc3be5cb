//! Golden tests of `zk-script` against the simulated ensemble: each
//! `tests/golden/zk-script/<name>.json` is run and its output compared with
//! `<name>.out.jsonl`. The expected files were checked line by line against the fact sheet
//! (`shared/protocols.md` A.3–A.7): error codes and their order, versions, stored vs reported
//! `cversion`, sequential names, ephemerals, which watch fires what and how often.
//!
//! `UPDATE_GOLDEN=1 cargo test --test zk_script` rewrites the expected files; review the diff
//! against the sheet before committing it.

use std::fs;
use std::path::{Path, PathBuf};

use zooscope::cluster::zk::scenarios::ensemble as zk_ensemble;
use zooscope::cluster::Node;
use zooscope::zk::script::run_script_with;
use zooscope::zk::ClientNode;

fn client_of(n: &Node) -> Option<&ClientNode> {
    n.zk_client()
}

fn run(text: &str) -> Result<Vec<String>, String> {
    run_script_with(text, zk_ensemble, client_of)
}

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/zk-script")
}

fn check_golden(name: &str) {
    let dir = golden_dir();
    let input = dir.join(format!("{name}.json"));
    let expected_path = dir.join(format!("{name}.out.jsonl"));
    let text = fs::read_to_string(&input).unwrap_or_else(|e| panic!("{}: {e}", input.display()));
    let lines = run(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
    let got = lines.join("\n") + "\n";
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        fs::write(&expected_path, &got).expect("write golden");
        return;
    }
    let expected = fs::read_to_string(&expected_path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}\nrun with UPDATE_GOLDEN=1 to create it",
            expected_path.display()
        )
    });
    if got != expected {
        let diff: Vec<String> = expected
            .lines()
            .zip(got.lines())
            .enumerate()
            .filter(|(_, (a, b))| a != b)
            .take(5)
            .map(|(i, (a, b))| format!("line {}:\n  expected {a}\n  got      {b}", i + 1))
            .collect();
        panic!(
            "{name}: output differs from {} ({} vs {} lines)\n{}\n\
             (UPDATE_GOLDEN=1 rewrites it; check the change against the sheet first)",
            expected_path.display(),
            expected.lines().count(),
            got.lines().count(),
            diff.join("\n")
        );
    }
}

#[test]
fn zk_script_basic_operations_give_zookeepers_answers_and_errors() {
    check_golden("basics");
}

#[test]
fn zk_script_sequential_names_follow_the_parents_stored_cversion() {
    check_golden("sequential");
}

#[test]
fn zk_script_watches_fire_once_per_session_with_the_right_event() {
    check_golden("watches");
}

#[test]
fn zk_script_ephemerals_disappear_when_their_session_closes() {
    check_golden("ephemerals");
}

#[test]
fn zk_script_a_reconnecting_client_gets_missed_watch_events_through_set_watches() {
    check_golden("reconnect");
}

#[test]
fn zk_script_a_session_and_its_ephemerals_survive_a_leader_failover() {
    check_golden("failover");
}

#[test]
fn zk_script_an_expired_session_is_told_so_on_reconnect_and_its_ephemerals_are_gone() {
    check_golden("expiry");
}

#[test]
fn zk_script_is_deterministic() {
    let text = fs::read_to_string(golden_dir().join("watches.json")).unwrap();
    assert_eq!(run(&text), run(&text));
}

#[test]
fn zk_script_reports_bad_input_without_panicking() {
    let err = run(r#"{"servers": 3, "ops": [{"op": "stop", "server": 4}]}"#).unwrap_err();
    assert_eq!(
        err,
        "op 0: server 4 is out of range: this ensemble has servers 1 to 3"
    );
    assert!(run("not json")
        .unwrap_err()
        .starts_with("script is not valid JSON"));
}

#[test]
fn zk_script_multi_applies_all_or_nothing_with_per_op_results() {
    check_golden("multi");
}

#[test]
fn zk_script_create2_and_get_children2_add_the_stat_only_when_asked() {
    check_golden("stats");
}
