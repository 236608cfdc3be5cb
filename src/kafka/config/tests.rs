use super::*;

#[test]
fn broker_defaults_are_kafka_2_8s() {
    let b = BrokerConfig::default();
    assert_eq!(b.zookeeper_session_timeout_ms, 18_000);
    assert_eq!(b.replica_lag_time_max_ms, 30_000);
    assert_eq!(b.min_insync_replicas, 1);
    assert!(!b.unclean_leader_election_enable);
    assert_eq!(b.message_max_bytes, 1024 * 1024 + 12);
    assert_eq!(b.replica_fetch_max_bytes, 1024 * 1024);
    assert_eq!(b.offsets_topic_num_partitions, 50);
}

#[test]
fn broker_keys_parse_and_bad_values_are_error_values() {
    let b = BrokerConfig::from_pairs(&[
        ("min.insync.replicas", "2"),
        ("unclean.leader.election.enable", "TRUE"),
        ("replica.lag.time.max.ms", " 10000 "),
    ])
    .unwrap();
    assert_eq!(b.min_insync_replicas, 2);
    assert!(b.unclean_leader_election_enable);
    assert_eq!(b.replica_lag_time_max_ms, 10_000);
    let zero = BrokerConfig::from_pairs(&[("min.insync.replicas", "0")]).unwrap_err();
    assert_eq!(zero.message, "Value must be at least 1");
    assert!(BrokerConfig::from_pairs(&[("unclean.leader.election.enable", "yes")]).is_err());
    assert!(BrokerConfig::from_pairs(&[("num.partitions", "many")]).is_err());
    let typo = BrokerConfig::from_pairs(&[("min.isr", "2")]).unwrap_err();
    assert_eq!(
        typo.to_string(),
        "Invalid value 2 for configuration min.isr: Unknown configuration"
    );
}

#[test]
fn topic_overrides_fall_back_to_the_broker() {
    let broker = BrokerConfig::from_pairs(&[("min.insync.replicas", "2")]).unwrap();
    let none = TopicConfig::default();
    assert_eq!(none.min_insync_replicas(&broker), 2);
    assert!(!none.unclean_leader_election_enable(&broker));
    assert_eq!(none.max_message_bytes(&broker), 1_048_588);
    let topic = TopicConfig::from_pairs(&[
        ("min.insync.replicas", "3"),
        ("unclean.leader.election.enable", "true"),
        ("max.message.bytes", "1000"),
    ])
    .unwrap();
    assert_eq!(topic.min_insync_replicas(&broker), 3);
    assert!(topic.unclean_leader_election_enable(&broker));
    assert_eq!(topic.max_message_bytes(&broker), 1000);
    assert!(
        TopicConfig::from_pairs(&[("message.max.bytes", "1")]).is_err(),
        "broker name"
    );
}

#[test]
fn producer_defaults_are_acks_1_without_idempotence() {
    let p = ProducerConfig::default();
    assert_eq!(p.acks, Acks::One);
    assert!(!p.enable_idempotence);
    assert_eq!(p.retries, i32::MAX);
    assert_eq!(
        (p.linger_ms, p.batch_size, p.max_request_size),
        (0, 16_384, 1_048_576)
    );
    assert_eq!((p.delivery_timeout_ms, p.retry_backoff_ms), (120_000, 100));
    let all = ProducerConfig::from_pairs(&[("acks", "-1")]).unwrap();
    assert_eq!(all.acks.wire(), -1);
    assert!(ProducerConfig::from_pairs(&[("acks", "2")]).is_err());
}

#[test]
fn idempotence_forces_acks_all_unless_acks_was_set_otherwise() {
    let p = ProducerConfig::from_pairs(&[("enable.idempotence", "true")]).unwrap();
    assert_eq!(p.acks, Acks::All);
    let explicit = ProducerConfig::from_pairs(&[("enable.idempotence", "true"), ("acks", "1")]);
    assert!(explicit
        .unwrap_err()
        .message
        .starts_with("Must set acks to all"));
    let no_retries =
        ProducerConfig::from_pairs(&[("enable.idempotence", "true"), ("retries", "0")]);
    assert!(no_retries.is_err());
    let in_flight = ProducerConfig::from_pairs(&[
        ("enable.idempotence", "true"),
        ("max.in.flight.requests.per.connection", "6"),
    ]);
    assert!(in_flight.is_err());
    let plain = ProducerConfig::from_pairs(&[("max.in.flight.requests.per.connection", "6")]);
    assert_eq!(plain.unwrap().max_in_flight_requests_per_connection, 6);
}

#[test]
fn consumer_defaults_and_parsing() {
    let c = ConsumerConfig::default();
    assert_eq!(
        (c.session_timeout_ms, c.heartbeat_interval_ms),
        (10_000, 3_000)
    );
    assert!(c.enable_auto_commit);
    assert_eq!(c.auto_commit_interval_ms, 5_000);
    assert_eq!(c.auto_offset_reset, AutoOffsetReset::Latest);
    assert_eq!(c.partition_assignment_strategy, vec![AssignorName::Range]);
    let c = ConsumerConfig::from_pairs(&[
        ("auto.offset.reset", "earliest"),
        (
            "partition.assignment.strategy",
            "org.apache.kafka.clients.consumer.RoundRobinAssignor, range",
        ),
    ])
    .unwrap();
    assert_eq!(c.auto_offset_reset, AutoOffsetReset::Earliest);
    assert_eq!(
        c.partition_assignment_strategy,
        vec![AssignorName::RoundRobin, AssignorName::Range]
    );
    assert_eq!(
        c.partition_assignment_strategy[0].protocol_name(),
        "roundrobin"
    );
    assert!(ConsumerConfig::from_pairs(&[("auto.offset.reset", "smallest")]).is_err());
    let sticky = ConsumerConfig::from_pairs(&[("partition.assignment.strategy", "sticky")]);
    assert_eq!(
        sticky.unwrap().partition_assignment_strategy,
        vec![AssignorName::Sticky]
    );
    let coop = [("partition.assignment.strategy", "cooperative-sticky")];
    assert!(ConsumerConfig::from_pairs(&coop).is_err());
}
