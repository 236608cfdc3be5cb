use super::*;

fn err(text: &str) -> String {
    run_script(text).unwrap_err()
}

#[test]
fn malformed_scripts_are_explained_not_panicked_on() {
    assert!(err("not json").starts_with("script is not valid JSON"));
    assert_eq!(err("[]"), "a script is a JSON object with \"ops\"");
    assert_eq!(err("{}"), "the script has no \"ops\"");
    assert_eq!(
        err(r#"{"brokers": 0, "ops": []}"#),
        "\"brokers\" must be an integer from 1 to 9"
    );
    assert_eq!(
        err(r#"{"ops": [{"op": "crash_broker", "broker": 4}]}"#),
        "op 0: \"broker\" must be an integer from 1 to 3"
    );
    assert!(err(r#"{"ops": [{"op": "fly"}]}"#).starts_with("op 0: unknown op \"fly\""));
    assert!(err(r#"{"ops": [{"op": "wait", "ms": 1, "x": 2}]}"#)
        .starts_with("op 0: unknown field \"x\" in op \"wait\""));
    assert_eq!(
        err(r#"{"ops": [{"op": "produce", "client": "p", "topic": "t", "key": 5, "value": "v"}]}"#),
        "op 0: \"key\" must be a string or null"
    );
    assert!(
        err(r#"{"broker_config": {"min.insync.replicas": "x"}, "ops": []}"#)
            .starts_with("broker_config: Invalid value x for configuration min.insync.replicas")
    );
    assert!(err(
        r#"{"ops": [{"op": "produce", "client": "p", "topic": "t", "value": "v", "acks": 2}]}"#
    )
    .contains("acks"));
    assert_eq!(
        err(r#"{"ops": [{"op": "zk_get", "path": "brokers"}]}"#),
        "op 0: \"path\" must start with /"
    );
}

#[test]
fn a_script_parses_its_cluster_and_ops() {
    let s = Script::parse(
        r#"{"zk": 1, "brokers": 2, "seed": 7, "broker_config": {"min.insync.replicas": 2},
            "ops": [{"op": "create_topic", "topic": "t", "assignment": [[1, 2], [2, 1]]},
                    {"op": "wait", "ms": 5}]}"#,
    )
    .unwrap();
    assert_eq!((s.zk, s.brokers, s.seed), (1, 2, 7));
    assert_eq!(s.broker_config.min_insync_replicas, 2);
    let ScriptOp::CreateTopic(ct) = &s.ops[0] else {
        panic!("{:?}", s.ops[0]);
    };
    assert!(ct.needs_admin_path());
    assert_eq!(ct.assignment.as_ref().unwrap()[&1], vec![2, 1]);
    assert_eq!(s.ops[1], ScriptOp::Wait { ms: 5 });
}
