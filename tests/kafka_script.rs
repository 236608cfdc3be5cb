//! Golden tests of `kafka-script` against the simulated Kafka cluster: each
//! `tests/kafka_golden/<name>.json` is run and its output compared with `<name>.out.jsonl`.
//!
//! What the expected files were checked against:
//!
//! * `assignment`: brokers 0..4 (`first_broker_id: 0`) and `start_index` 0 give exactly
//!   `AdminRackAwareTest.testReplicaAssignment`'s expected map (Kafka 2.8.2,
//!   `core/src/test/scala/unit/kafka/admin/AdminRackAwareTest.scala`), which is also the
//!   worked example of `AdminUtils`' comment (sheet C.7); replication factors 0 and 6 give its
//!   `InvalidReplicationFactorException`s with `AdminUtils`' messages; explicit assignments
//!   hit `AdminZkClient.validateTopicCreate`'s three checks with its messages, and
//!   `ZkAdminManager`'s "both set" check.
//! * `partitioner`: the keys of `UtilsTest.testMurmur2` (2.8.2) land on
//!   `toPositive(murmur2(key)) % n` for n = 3, 6, 12 — the sheet's C.11 table (21 → 0,0,0;
//!   foobar → 0,0,6; a-little-bit-long-string → 2,2,8; a-little-bit-longer-string → 2,5,11;
//!   lkjh… → 2,5,5; abc → 0,3,3); an explicit partition wins; null keys are sticky.
//! * `errors`: Kafka's error names for topic creation, produce and metadata failures,
//!   `NOT_ENOUGH_REPLICAS` with one in-sync replica and `min.insync.replicas=2` (C.10), the
//!   controller leaving the last ISR member in place (C.6), a group consumer that cannot
//!   join while the offsets topic has too few brokers, and `alter_config`'s checks
//!   (`kafka-configs.sh`: a missing topic, a bad value, a static broker key, an entity type).
//! * `groups`: a group consumer (JoinGroup/SyncGroup/Fetch/OffsetCommit through the
//!   coordinator) commits, its coordinator crashes and the commit lands on the new one; a
//!   second member takes a partition and resumes from its committed offset, re-reading what
//!   the first processed without committing (at least once); `seek` rewinds a member.
//! * `new_leader_hw`: the example of `docs/kafka-script.md`: after the leader of an
//!   acknowledged record crashes, the new leader's high watermark reaches it once the other ISR
//!   member has fetched, and a consumer reads it.
//! * `failover`: a leader crash moves leadership to the next ISR replica with leader epoch + 1
//!   (C.6, C.8), produce retries until then, the returning broker catches up and rejoins the
//!   ISR, and a consumer reads every acknowledged record.
//!
//! `UPDATE_GOLDEN=1 cargo test --test kafka_script` rewrites the expected files; review the
//! diff against the sheet and the Kafka sources before committing it.

use std::fs;
use std::path::{Path, PathBuf};

use zooscope::cluster::kafka::script::run_script;

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/kafka_golden")
}

fn check_golden(name: &str) {
    let dir = golden_dir();
    let input = dir.join(format!("{name}.json"));
    let expected_path = dir.join(format!("{name}.out.jsonl"));
    let text = fs::read_to_string(&input).unwrap_or_else(|e| panic!("{}: {e}", input.display()));
    let lines = run_script(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
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

/// The `assignment` field of output line `i`.
fn assignment_of(lines: &[String], i: usize) -> serde_json::Value {
    let v: serde_json::Value = serde_json::from_str(&lines[i]).unwrap();
    v["assignment"].clone()
}

/// The `partition` of every `produce` line, in order.
fn produced_partitions(lines: &[String]) -> Vec<i64> {
    lines
        .iter()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v["op"] == "produce")
        .map(|v| v["partition"].as_i64().unwrap())
        .collect()
}

fn golden_output(name: &str) -> Vec<String> {
    let text = fs::read_to_string(golden_dir().join(format!("{name}.json"))).unwrap();
    run_script(&text).unwrap()
}

#[test]
fn kafka_script_replica_assignments_match_kafkas_admin_rack_aware_test() {
    check_golden("assignment");
    // AdminRackAwareTest.testReplicaAssignment (2.8.2), brokers 0..4, fixedStartIndex 0.
    let expected = serde_json::json!({
        "0": [0, 1, 2], "1": [1, 2, 3], "2": [2, 3, 4], "3": [3, 4, 0], "4": [4, 0, 1],
        "5": [0, 2, 3], "6": [1, 3, 4], "7": [2, 4, 0], "8": [3, 0, 1], "9": [4, 1, 2]
    });
    let lines = golden_output("assignment");
    assert_eq!(assignment_of(&lines, 0), expected);
    assert!(lines[1].contains("\"error\":\"INVALID_REPLICATION_FACTOR\""));
    assert!(lines[2].contains("Replication factor: 6 larger than available brokers: 5."));
}

#[test]
fn kafka_script_keyed_records_land_on_kafkas_murmur2_partitions() {
    check_golden("partitioner");
    // UtilsTest.testMurmur2's keys, each sent to topics of 3, 6 and 12 partitions:
    // toPositive(murmur2(key)) % n (sheet C.11), then an explicit partition 7.
    let expected = [
        0, 0, 0, // "21"
        0, 0, 6, // "foobar"
        2, 2, 8, // "a-little-bit-long-string"
        2, 5, 11, // "a-little-bit-longer-string"
        2, 5, 5, // "lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8"
        0, 3, 3, // "abc"
        7,
    ];
    let got = produced_partitions(&golden_output("partitioner"));
    assert_eq!(got[..expected.len()], expected);
}

#[test]
fn kafka_script_reports_kafkas_error_names() {
    check_golden("errors");
    let lines = golden_output("errors");
    let last: Vec<&String> = lines.iter().rev().take(5).collect();
    assert!(last[4].contains("\"error\":\"UNKNOWN_TOPIC_OR_PARTITION\""));
    assert!(last[3].contains("\"error\":\"INVALID_CONFIG\""));
    assert!(lines.iter().all(|l| !l.contains("not modelled")));
}

fn records_of(line: &str) -> Vec<(i64, i64, String)> {
    let v: serde_json::Value = serde_json::from_str(line).unwrap();
    v["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let s = r["value"].as_str().unwrap().to_string();
            (
                r["partition"].as_i64().unwrap(),
                r["offset"].as_i64().unwrap(),
                s,
            )
        })
        .collect()
}

#[test]
fn kafka_script_a_second_group_member_resumes_from_the_committed_offset() {
    check_golden("groups");
    let lines = golden_output("groups");
    let field = |i: usize, k: &str| {
        serde_json::from_str::<serde_json::Value>(&lines[i]).unwrap()[k].clone()
    };
    // c1 commits after its coordinator (broker 3, the leader of the group's
    // `__consumer_offsets` partition) crashes: the coordinator moved and the commit lands.
    assert_eq!(field(6, "coordinator"), 3);
    assert_eq!(field(8, "broker"), 3);
    assert_ne!(field(10, "coordinator"), 3);
    assert_eq!(field(11, "offsets"), serde_json::json!([[0, 3], [1, 1]]));
    // c1 processed v5 without committing; c2, given partition 1, resumes at offset 1.
    assert_eq!(records_of(&lines[13]), [(1, 1, "v5".to_string())]);
    assert_eq!(records_of(&lines[14]), [(1, 1, "v5".to_string())]);
    assert_eq!(field(14, "assigned"), serde_json::json!([1]));
    assert!(lines.iter().all(|l| !l.contains("\"violation\"")));
}

#[test]
fn kafka_script_a_leader_crash_loses_no_acknowledged_record() {
    check_golden("failover");
    let lines = golden_output("failover");
    let consumed: serde_json::Value = serde_json::from_str(&lines[15]).unwrap();
    let values: Vec<&str> = consumed["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["value"].as_str().unwrap())
        .collect();
    assert_eq!(values, ["o1", "o2", "o3", "o4"]);
    assert!(lines.iter().all(|l| !l.contains("\"violation\"")));
}

#[test]
fn kafka_script_a_new_leader_serves_an_acknowledged_record_once_the_isr_has_fetched_it() {
    // Regression: the simulated clock starts at 0 and Kafka's replica state uses 0 as "never
    // caught up", so a crashed replica outside the ISR (LEO unknown) used to count as caught
    // up and hold the new leader's high watermark at 0 for replica.lag.time.max.ms.
    check_golden("new_leader_hw");
    let lines = golden_output("new_leader_hw");
    let consumed: serde_json::Value = serde_json::from_str(&lines[5]).unwrap();
    assert_eq!(consumed["records"][0]["value"], "o1", "{}", lines[5]);
}

#[test]
fn kafka_script_is_deterministic() {
    let text = fs::read_to_string(golden_dir().join("failover.json")).unwrap();
    assert_eq!(run_script(&text), run_script(&text));
}

#[test]
fn kafka_script_reports_bad_input_without_panicking() {
    assert!(run_script("{")
        .unwrap_err()
        .starts_with("script is not valid JSON"));
    assert_eq!(
        run_script(r#"{"ops": [{"op": "stop_zk", "server": 4}]}"#).unwrap_err(),
        "op 0: \"server\" must be an integer from 1 to 3"
    );
    assert_eq!(
        run_script(r#"{"ops": [{"op": "produce", "client": "p", "topic": "t"}]}"#).unwrap_err(),
        "op 0: missing \"value\""
    );
}

#[test]
fn the_cli_rejects_a_malformed_kafka_script_with_status_2_and_one_line() {
    let dir = std::env::temp_dir().join(format!("kafka-script-{}", std::process::id()));
    fs::create_dir_all(&dir).unwrap();
    let file = dir.join("bad.json");
    fs::write(&file, r#"{"ops": [{"op": "crash_broker", "broker": 7}]}"#).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_zooscope-cli"))
        .arg("kafka-script")
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "zooscope-cli: op 0: \"broker\" must be an integer from 1 to 3\n"
    );
    assert!(out.stdout.is_empty());
    let _ = fs::remove_dir_all(&dir);
}
