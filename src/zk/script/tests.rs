//! Tests of script parsing and of the runner, against the test stand-in server.

use super::fake_server::{self, TestSim};
use super::*;
use crate::sim::MS;

fn run_fake(text: &str, live: bool) -> Result<Vec<String>, String> {
    run_script_with(
        text,
        |seed, n, clients| -> TestSim { fake_server::scripted(seed, n, clients, live) },
        fake_server::client_of,
    )
}

fn parse_err(text: &str) -> String {
    Script::parse(text).expect_err("should not parse")
}

#[test]
fn parses_every_op_with_defaults() {
    let s = Script::parse(
        r#"{"servers": 3, "seed": 9, "ops": [
        {"client": "c1", "op": "connect", "servers": [1, 2, 3], "timeout_ms": 4000},
        {"client": "c1", "op": "connect", "server": 2},
        {"client": "c2", "op": "create", "path": "/a", "data": "v0", "ephemeral": true, "sequential": true},
        {"client": "c1", "op": "get", "path": "/a", "watch": true},
        {"client": "c1", "op": "set", "path": "/a", "data": "v1"},
        {"client": "c1", "op": "delete", "path": "/a", "version": 0},
        {"client": "c1", "op": "exists", "path": "/a"},
        {"client": "c1", "op": "children", "path": "/", "watch": true},
        {"client": "c1", "op": "sync"},
        {"client": "c1", "op": "close"},
        {"op": "stop", "server": 2}, {"op": "start", "server": 2},
        {"op": "wait", "ms": 500}]}"#,
    )
    .unwrap();
    assert_eq!((s.servers, s.seed), (3, 9));
    assert_eq!(s.client_names(), vec!["c1", "c2"]);
    let call = |i: usize| match &s.ops[i] {
        ScriptOp::Client { call, .. } => call.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        call(1),
        ClientCall::Connect {
            servers: vec![2],
            timeout_ms: DEFAULT_TIMEOUT_MS
        }
    );
    assert_eq!(
        call(2),
        ClientCall::Create {
            path: "/a".into(),
            data: "v0".into(),
            mode: CreateMode::EphemeralSequential,
            stat: false,
            acl: crate::zk::data::acl::open_acl_unsafe(),
            ttl: -1,
        }
    );
    assert_eq!(
        call(4),
        ClientCall::Set {
            path: "/a".into(),
            data: "v1".into(),
            version: -1
        }
    );
    assert_eq!(
        call(6),
        ClientCall::Exists {
            path: "/a".into(),
            watch: false
        }
    );
    assert_eq!(call(8), ClientCall::Sync { path: "/".into() });
    assert_eq!(s.ops[10], ScriptOp::Stop { server: 2 });
    assert_eq!(s.ops[12], ScriptOp::Wait { ms: 500 });
}

#[test]
fn connect_without_servers_means_all_of_them() {
    let s = Script::parse(r#"{"servers": 2, "ops": [{"client": "c", "op": "connect"}]}"#).unwrap();
    assert_eq!(s.seed, 1);
    assert!(
        matches!(&s.ops[0], ScriptOp::Client { call: ClientCall::Connect { servers, .. }, .. } if *servers == vec![1, 2])
    );
}

#[test]
fn bad_scripts_get_clear_errors() {
    assert!(parse_err("{").starts_with("script is not valid JSON"));
    assert!(parse_err("[]").contains("must be a JSON object"));
    assert!(parse_err(r#"{"servers": 3}"#).contains("no \"ops\""));
    assert!(parse_err(r#"{"servers": 0, "ops": []}"#).contains("from 1 to 9"));
    assert!(parse_err(r#"{"ops": [], "sed": 1}"#).contains("unknown field \"sed\""));
    let e = parse_err(r#"{"ops": [{"client": "c1", "op": "frobnicate"}]}"#);
    assert!(e.starts_with("op 0: unknown op \"frobnicate\""), "{e}");
    let e = parse_err(
        r#"{"servers": 3, "ops": [{"op": "wait", "ms": 1}, {"op": "stop", "server": 4}]}"#,
    );
    assert!(e.starts_with("op 1: server 4 is out of range"), "{e}");
    let e = parse_err(r#"{"ops": [{"client": "c1", "op": "connect", "servers": [1, 7]}]}"#);
    assert!(e.contains("server 7 is out of range"), "{e}");
    let e = parse_err(r#"{"ops": [{"client": "c1", "op": "get"}]}"#);
    assert_eq!(e, "op 0: missing \"path\"");
    let e = parse_err(r#"{"ops": [{"client": "c1", "op": "get", "path": "/a", "wach": true}]}"#);
    assert!(e.contains("unknown field \"wach\""), "{e}");
    let e = parse_err(r#"{"ops": [{"client": "c1", "op": "set", "path": "/a", "version": "x"}]}"#);
    assert!(e.contains("\"version\" must be a 32-bit integer"), "{e}");
    let e = parse_err(r#"{"ops": [{"op": "x"}]}"#);
    assert!(e.starts_with("op 0: unknown op \"x\""), "{e}");
    let e = parse_err(r#"{"ops": [{"op": "get", "path": "/a"}]}"#);
    assert_eq!(e, "op 0: missing \"client\"");
    let e = parse_err(r#"{"ops": [{"client": "zk1", "op": "close"}]}"#);
    assert!(e.contains("looks like a server"), "{e}");
    let e =
        parse_err(r#"{"ops": [{"client": "c", "op": "connect", "server": 1, "servers": [1]}]}"#);
    assert!(e.contains("not both"), "{e}");
    let e = parse_err(r#"{"ops": [{"op": "wait", "ms": -5}]}"#);
    assert!(e.contains("\"ms\" must be an integer"), "{e}");
}

#[test]
fn a_missing_node_label_is_an_error_not_a_panic() {
    let text = r#"{"servers": 2, "ops": [{"client": "c1", "op": "close"}]}"#;
    let err = run_script_with(
        text,
        |seed, _, clients| fake_server::scripted(seed, 1, clients, true),
        fake_server::client_of,
    )
    .unwrap_err();
    assert_eq!(err, "the ensemble has no node labelled zk2");
}

#[test]
fn ops_without_a_server_time_out_and_wait_stop_start_report() {
    let out = run_fake(
        r#"{"servers": 2, "ops": [
        {"client": "c1", "op": "get", "path": "/a"},
        {"client": "c1", "op": "connect", "servers": [1, 2], "timeout_ms": 4000},
        {"op": "stop", "server": 2}, {"op": "stop", "server": 2},
        {"op": "start", "server": 2}, {"op": "start", "server": 2},
        {"op": "wait", "ms": 250}]}"#,
        false,
    )
    .unwrap();
    assert_eq!(
        out,
        vec![
            r#"{"i":0,"client":"c1","op":"get","ok":false,"error":"ConnectionLoss"}"#,
            r#"{"i":1,"client":"c1","op":"connect","ok":false,"error":"OperationTimeout"}"#,
            r#"{"i":2,"op":"stop","server":2,"ok":true}"#,
            r#"{"i":3,"op":"stop","server":2,"ok":false,"error":"AlreadyStopped"}"#,
            r#"{"i":4,"op":"start","server":2,"ok":true}"#,
            r#"{"i":5,"op":"start","server":2,"ok":false,"error":"AlreadyRunning"}"#,
            r#"{"i":6,"op":"wait","ms":250,"ok":true}"#,
        ]
    );
}

#[test]
fn wait_advances_simulated_time() {
    let s = Script::parse(
        r#"{"servers": 1, "ops": [{"client": "c1", "op": "connect"}, {"op": "wait", "ms": 20000}]}"#,
    )
    .unwrap();
    let mut sim = fake_server::scripted(1, 1, &["c1"], true);
    run(&s, &mut sim, fake_server::client_of).unwrap();
    assert!(sim.world.now_us() >= 19_000 * MS, "{}", sim.world.now_us());
    assert!(sim.world.now_us() <= 20_000 * MS + 100 * MS);
}

#[test]
fn a_session_against_the_stand_in_server_reports_results_and_watch_events() {
    let out = run_fake(
        r#"{"servers": 1, "ops": [
        {"client": "c1", "op": "connect", "server": 1, "timeout_ms": 1000},
        {"client": "c1", "op": "create", "path": "/a", "data": "v0", "stat": true},
        {"client": "c2", "op": "connect", "server": 1, "timeout_ms": 50000},
        {"client": "c2", "op": "get", "path": "/a", "watch": true},
        {"client": "c1", "op": "set", "path": "/a", "data": "v1", "version": 0},
        {"client": "c1", "op": "set", "path": "/a", "data": "v2", "version": 0},
        {"client": "c2", "op": "exists", "path": "/b", "watch": true},
        {"client": "c1", "op": "create", "path": "/b/", "sequential": true, "ephemeral": true},
        {"client": "c1", "op": "create", "path": "/b"},
        {"client": "c1", "op": "children", "path": "/", "stat": true},
        {"client": "c1", "op": "sync", "path": "/"},
        {"client": "c1", "op": "close"},
        {"client": "c1", "op": "get", "path": "/a"}]}"#,
        true,
    )
    .unwrap();
    let stat = |rest: &str| rest.to_string();
    let expected = [
        r#"{"state":"SyncConnected","client":"c1"}"#.to_string(),
        r#"{"i":0,"client":"c1","op":"connect","ok":true,"server":1,"session_id":72057594037927937,"timeout_ms":4000}"#.into(),
        stat(r#"{"i":1,"client":"c1","op":"create","ok":true,"path":"/a","stat":{"czxid":4294967298,"mzxid":4294967298,"ctime":"#),
    ];
    assert_eq!(out[0], expected[0]);
    assert_eq!(out[1], expected[1]);
    assert!(out[2].starts_with(&expected[2]), "{}", out[2]);
    assert_eq!(out[3], r#"{"state":"SyncConnected","client":"c2"}"#);
    assert!(out[4].contains(r#""timeout_ms":40000"#), "{}", out[4]);
    assert!(
        out[5].starts_with(r#"{"i":3,"client":"c2","op":"get","ok":true,"data":"v0","stat":{"#),
        "{}",
        out[5]
    );
    // The event to c2 and the reply to c1 leave the server together; either may land first.
    let mut pair = [out[6].clone(), out[7].clone()];
    pair.sort();
    assert_eq!(
        pair[0],
        r#"{"event":"NodeDataChanged","client":"c2","path":"/a"}"#
    );
    assert!(
        pair[1].starts_with(r#"{"i":4,"client":"c1","op":"set","ok":true,"stat":{"#),
        "{}",
        pair[1]
    );
    assert!(pair[1].contains(r#""version":1,"#), "{}", pair[1]);
    assert_eq!(
        out[8],
        r#"{"i":5,"client":"c1","op":"set","ok":false,"error":"BadVersion"}"#
    );
    assert_eq!(
        out[9],
        r#"{"i":6,"client":"c2","op":"exists","ok":true,"stat":null}"#
    );
    assert_eq!(
        out[10],
        r#"{"i":7,"client":"c1","op":"create","ok":false,"error":"NoNode"}"#
    );
    assert_eq!(
        out[11],
        r#"{"event":"NodeCreated","client":"c2","path":"/b"}"#
    );
    // A plain `create` answers with the path only (`CreateResponse`).
    assert_eq!(
        out[12],
        r#"{"i":8,"client":"c1","op":"create","ok":true,"path":"/b"}"#
    );
    assert!(out[13].starts_with(r#"{"i":9,"client":"c1","op":"children","ok":true,"children":["a","b","zookeeper"],"stat":{"#), "{}", out[13]);
    assert_eq!(
        out[14],
        r#"{"i":10,"client":"c1","op":"sync","ok":true,"path":"/"}"#
    );
    assert_eq!(out[15], r#"{"i":11,"client":"c1","op":"close","ok":true}"#);
    assert_eq!(out[16], r#"{"state":"Closed","client":"c1"}"#);
    assert_eq!(
        out[17],
        r#"{"i":12,"client":"c1","op":"get","ok":false,"error":"SessionExpired"}"#
    );
    assert_eq!(out.len(), 18);
}

#[test]
fn stopping_the_only_server_loses_the_connection_and_the_op() {
    let out = run_fake(
        r#"{"servers": 2, "ops": [
        {"client": "c1", "op": "connect", "servers": [1, 2], "timeout_ms": 4000},
        {"op": "stop", "server": 1},
        {"client": "c1", "op": "get", "path": "/"}]}"#,
        true,
    )
    .unwrap();
    assert_eq!(out[2], r#"{"i":1,"op":"stop","server":1,"ok":true}"#);
    // readTimeout = 2/3 × 4000 ms passes without an answer.
    assert_eq!(
        out[3],
        r#"{"i":2,"client":"c1","op":"get","ok":false,"error":"ConnectionLoss"}"#
    );
    assert_eq!(out[4], r#"{"state":"Disconnected","client":"c1"}"#);
}

#[test]
fn runs_are_deterministic() {
    let text = r#"{"servers": 1, "seed": 42, "ops": [
        {"client": "c1", "op": "connect"},
        {"client": "c1", "op": "create", "path": "/s-", "sequential": true},
        {"op": "wait", "ms": 12345},
        {"client": "c1", "op": "get", "path": "/s-0000000000"}]}"#;
    assert_eq!(run_fake(text, true), run_fake(text, true));
}
