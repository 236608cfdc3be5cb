use crate::sim::VecMap;

use super::*;

fn text(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap()
}

#[test]
fn paths_are_spelled_as_zk_data() {
    assert_eq!(paths::broker_id(1), "/brokers/ids/1");
    assert_eq!(paths::topic("t"), "/brokers/topics/t");
    assert_eq!(paths::topic_partitions("t"), "/brokers/topics/t/partitions");
    assert_eq!(
        paths::topic_partition("t", 3),
        "/brokers/topics/t/partitions/3"
    );
    assert_eq!(
        paths::partition_state("t", 0),
        "/brokers/topics/t/partitions/0/state"
    );
    assert_eq!(paths::config_topic("t"), "/config/topics/t");
    assert_eq!(
        paths::CONFIG_CHANGE_PREFIX,
        "/config/changes/config_change_"
    );
    assert_eq!(paths::delete_topic("t"), "/admin/delete_topics/t");
    assert_eq!(
        paths::ISR_CHANGE_PREFIX,
        "/isr_change_notification/isr_change_"
    );
    assert_eq!(paths::consumer_id("g", "c1"), "/consumers/g/ids/c1");
    assert_eq!(
        paths::consumer_owner("g", "t", 2),
        "/consumers/g/owners/t/2"
    );
    assert_eq!(
        paths::consumer_offset("g", "t", 2),
        "/consumers/g/offsets/t/2"
    );
    assert_eq!(paths::PERSISTENT_PATHS.len(), 14);
}

#[test]
fn broker_registration_is_version_5_with_the_scala_2_13_key_order() {
    let reg = BrokerRegistration::new(
        vec![Endpoint::plaintext("b1", 9092)],
        1_600_000_000_000,
        None,
    );
    assert_eq!(
        text(reg.encode()),
        r#"{"features":{},"listener_security_protocol_map":{"PLAINTEXT":"PLAINTEXT"},"endpoints":["PLAINTEXT://b1:9092"],"jmx_port":-1,"port":9092,"host":"b1","version":5,"timestamp":"1600000000000"}"#
    );
    assert_eq!(BrokerRegistration::decode(&reg.encode()), Ok(reg));
}

#[test]
fn broker_rack_is_written_only_when_configured() {
    let reg = BrokerRegistration::new(vec![Endpoint::plaintext("b2", 9093)], 7, Some("r1".into()));
    let json = text(reg.encode());
    assert!(json.contains(r#""endpoints":["PLAINTEXT://b2:9093"],"rack":"r1","jmx_port":-1"#));
    assert_eq!(
        BrokerRegistration::decode(json.as_bytes()).unwrap().rack,
        Some("r1".into())
    );
}

#[test]
fn a_version_4_registration_from_an_older_broker_decodes() {
    // Shape of a 2.x (IBP < 2.7) registration as seen in real clusters.
    let v4 = br#"{"listener_security_protocol_map":{"PLAINTEXT":"PLAINTEXT"},"endpoints":["PLAINTEXT://zjj101:9092"],"jmx_port":-1,"host":"zjj101","timestamp":"1614570663881","port":9092,"version":4}"#;
    let reg = BrokerRegistration::decode(v4).unwrap();
    assert_eq!(reg.version, 4);
    assert_eq!(reg.endpoints, vec![Endpoint::plaintext("zjj101", 9092)]);
    assert_eq!(reg.timestamp_ms, 1_614_570_663_881);
}

#[test]
fn controller_znode_matches_controller_znode_encode() {
    let bytes = encode_controller(2, 1_600_000_000_000);
    assert_eq!(
        text(bytes.clone()),
        r#"{"version":1,"brokerid":2,"timestamp":"1600000000000"}"#
    );
    assert_eq!(decode_controller(&bytes), Ok(2));
    assert_eq!(text(encode_controller_epoch(3)), "3");
    assert_eq!(decode_controller_epoch(b"3"), Ok(3));
}

#[test]
fn topic_znode_is_version_3_with_numeric_partition_order() {
    let replicas: VecMap<i32, Vec<i32>> = (0..11)
        .map(|p| (p, vec![p % 3 + 1, (p + 1) % 3 + 1]))
        .collect();
    let mut topic = TopicAssignment::new(None, &replicas);
    let json = text(topic.encode());
    assert!(
        json.starts_with(r#"{"version":3,"partitions":{"0":[1,2],"1":[2,3],"2":[3,1],"3":[1,2]"#)
    );
    assert!(json.ends_with(r#""10":[2,3]},"adding_replicas":{},"removing_replicas":{}}"#));
    assert_eq!(TopicAssignment::decode(json.as_bytes()), Ok(topic.clone()));

    topic.topic_id = Some("AAAAAAAAAAAAAAAAAAAAAQ".into());
    if let Some(p0) = topic.partitions.get_mut(&0) {
        p0.adding_replicas = vec![4];
        p0.removing_replicas = vec![2];
    }
    let json = text(topic.encode());
    assert!(json.contains(r#""adding_replicas":{"0":[4]},"removing_replicas":{"0":[2]},"topic_id":"AAAAAAAAAAAAAAAAAAAAAQ"}"#));
    assert_eq!(TopicAssignment::decode(json.as_bytes()), Ok(topic));
}

#[test]
fn a_version_1_topic_znode_decodes_with_empty_reassignment_lists() {
    let v1 = br#"{"version":1,"partitions":{"1":[101,103],"0":[103,102]}}"#;
    let topic = TopicAssignment::decode(v1).unwrap();
    assert_eq!(topic.partitions[&0].replicas, vec![103, 102]);
    assert_eq!(topic.partitions[&1].replicas, vec![101, 103]);
    assert!(topic.partitions[&1].adding_replicas.is_empty());
    assert_eq!(topic.topic_id, None);
}

#[test]
fn partition_state_uses_the_key_order_real_clusters_show() {
    let state = PartitionState {
        leader: 102,
        leader_epoch: 8,
        isr: vec![102, 103],
        controller_epoch: 33,
    };
    let bytes = state.encode();
    assert_eq!(
        text(bytes.clone()),
        r#"{"controller_epoch":33,"leader":102,"version":1,"leader_epoch":8,"isr":[102,103]}"#
    );
    assert_eq!(PartitionState::decode(&bytes), Ok(state));
}

#[test]
fn configs_and_change_notifications_round_trip() {
    let config: VecMap<String, String> =
        [("retention.ms".to_string(), "86400000".to_string())].into();
    let bytes = encode_entity_config(&config);
    assert_eq!(
        text(bytes.clone()),
        r#"{"version":1,"config":{"retention.ms":"86400000"}}"#
    );
    assert_eq!(decode_entity_config(&bytes), Ok(config));
    assert_eq!(decode_entity_config(br#"{"version":1}"#), Ok(VecMap::new()));
    let change = encode_config_change("topics/t");
    assert_eq!(
        text(change.clone()),
        r#"{"version":2,"entity_path":"topics/t"}"#
    );
    assert_eq!(decode_config_change(&change), Ok("topics/t".into()));
}

#[test]
fn isr_change_cluster_id_and_classic_consumer_znodes_round_trip() {
    let isr = encode_isr_change(&[("t".into(), 0)]);
    assert_eq!(
        text(isr.clone()),
        r#"{"version":1,"partitions":[{"topic":"t","partition":0}]}"#
    );
    assert_eq!(decode_isr_change(&isr), Ok(vec![("t".into(), 0)]));
    let id = encode_cluster_id("IOejp_IKSbWbySJc0sRrKw");
    assert_eq!(
        text(id.clone()),
        r#"{"version":"1","id":"IOejp_IKSbWbySJc0sRrKw"}"#
    );
    assert_eq!(decode_cluster_id(&id), Ok("IOejp_IKSbWbySJc0sRrKw".into()));
    let sub: VecMap<String, i32> = [("t".to_string(), 2)].into();
    let reg = encode_consumer_registration(&sub, "static", 5);
    assert_eq!(
        text(reg.clone()),
        r#"{"version":1,"subscription":{"t":2},"pattern":"static","timestamp":"5"}"#
    );
    assert_eq!(decode_consumer_subscription(&reg), Ok(sub));
    assert_eq!(decode_consumer_offset(&encode_consumer_offset(42)), Ok(42));
}

#[test]
fn malformed_payloads_are_error_values_not_panics() {
    let junk: &[&[u8]] = &[b"", b"{", b"[]", b"null", b"\xff\xfe", br#"{"leader":"x"}"#];
    for bytes in junk {
        assert!(PartitionState::decode(bytes).is_err());
        assert!(BrokerRegistration::decode(bytes).is_err());
        assert!(decode_controller(bytes).is_err());
        assert!(decode_isr_change(bytes).is_err());
        assert!(decode_cluster_id(bytes).is_err());
    }
    assert!(TopicAssignment::decode(br#"{"partitions":{"x":[1]}}"#).is_err());
    assert!(TopicAssignment::decode(br#"{"partitions":{"0":[1.5]}}"#).is_err());
    assert!(PartitionState::decode(
        br#"{"leader":1,"leader_epoch":99999999999,"isr":[],"controller_epoch":1}"#
    )
    .is_err());
    assert!(decode_controller_epoch(b"three").is_err());
    assert!(decode_consumer_offset(b"").is_err());
    assert!(decode_entity_config(br#"{"config":{"a":1}}"#).is_err());
}
