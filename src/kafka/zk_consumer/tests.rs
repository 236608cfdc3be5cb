use super::*;

#[test]
fn the_defaults_are_those_of_the_1_1_consumer_config() {
    let c = ZkConsumerConfig::default();
    assert_eq!(c.zookeeper_session_timeout_ms, 6_000);
    assert_eq!(c.rebalance_backoff_ms, 2_000);
    assert_eq!(c.rebalance_max_retries, 4);
    assert_eq!(c.auto_commit_interval_ms, 60_000);
    assert_eq!(c.auto_offset_reset, OffsetReset::Largest);
    assert_eq!(c.fetch_message_max_bytes, 1024 * 1024);
    assert_eq!(c.fetch_wait_max_ms, 100);
    assert_eq!(c.socket_timeout_ms, 30_000);
}

#[test]
fn auto_offset_reset_maps_to_the_list_offsets_timestamps() {
    assert_eq!(OffsetReset::Largest.timestamp(), -1);
    assert_eq!(OffsetReset::Smallest.timestamp(), -2);
    assert_eq!(OffsetReset::Smallest.name(), "smallest");
}

#[test]
fn lag_is_zero_until_both_the_position_and_the_high_watermark_are_known() {
    let mut o = OwnedPartition {
        partition: 0,
        position: -1,
        leader: 1,
        high_watermark: 10,
        in_flight: None,
    };
    assert_eq!(o.lag(), 0);
    o.position = 4;
    assert_eq!(o.lag(), 6);
    o.position = 12;
    assert_eq!(o.lag(), 0);
}

#[test]
fn a_new_consumer_has_no_id_until_it_starts_and_owns_nothing() {
    let c = ZkConsumer::new("c1", "events", vec![], ZkConsumerConfig::default(), vec![]);
    assert_eq!(c.thread_id(), "-0");
    assert!(!c.is_settled());
    assert!(c.owned_partitions().is_empty());
    assert_eq!(ConsumerTimer::Backoff.name(), "ZkConsumerBackoff");
}

#[test]
fn broker_ids_are_parsed_and_sorted_and_junk_is_skipped() {
    let ids = parse_ids(&["3".into(), "x".into(), "1".into()]);
    assert_eq!(ids, vec![1, 3]);
}
