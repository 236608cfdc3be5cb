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

#[test]
fn range_gives_the_first_threads_the_extra_partitions() {
    use super::assign::range_for;
    assert_eq!(range_for(3, 2, 0), 0..2);
    assert_eq!(range_for(3, 2, 1), 2..3);
    assert_eq!(range_for(3, 1, 0), 0..3);
    assert_eq!(
        range_for(2, 3, 2),
        2..2,
        "more threads than partitions: none"
    );
    assert_eq!(range_for(7, 3, 0), 0..3);
    assert_eq!(range_for(7, 3, 1), 3..5);
    assert_eq!(range_for(7, 3, 2), 5..7);
    assert_eq!(range_for(3, 0, 0), 0..0);
    assert_eq!(range_for(3, 2, 5), 0..0);
}

#[test]
fn range_matches_the_new_consumers_range_assignor() {
    use crate::kafka::group::{range_assign, Subscription};
    let threads: Vec<String> = (0..4).map(|i| format!("g_c{i}-0")).collect();
    let subs = threads
        .iter()
        .map(|t| (t.clone(), Subscription::new(&["t"])))
        .collect();
    for n in 0..10 {
        let per_topic = [("t".to_string(), n)].into_iter().collect();
        let a = range_assign(&per_topic, &subs);
        for (i, t) in threads.iter().enumerate() {
            let want: Vec<i32> = a[t].iter().map(|tp| tp.partition).collect();
            let got: Vec<i32> = super::assign::range_for(n, threads.len(), i).collect();
            assert_eq!(got, want, "{n} partitions, thread {i}");
        }
    }
}

#[test]
fn the_stream_count_is_read_from_a_registration_as_the_full_decoder_reads_it() {
    use super::assign::streams_for;
    use crate::kafka::znodes::{decode_consumer_subscription, encode_consumer_registration};
    let sub = [("events".to_string(), 2), ("other".to_string(), 1)]
        .into_iter()
        .collect();
    let data = String::from_utf8(encode_consumer_registration(&sub, "static", 7)).unwrap();
    let full = decode_consumer_subscription(data.as_bytes()).unwrap();
    assert_eq!(streams_for(&data, "events"), full["events"]);
    assert_eq!(streams_for(&data, "other"), 1);
    assert_eq!(streams_for(&data, "vents"), 0);
    let spaced = r#"{ "pattern" : "static", "subscription" : { "a" : 3 , "events" : 4 } }"#;
    assert_eq!(streams_for(spaced, "events"), 4);
    for junk in [
        "",
        "{",
        r#"{"subscription":"#,
        r#"{"subscription":{"events":}}"#,
        "\u{fffd}",
    ] {
        assert_eq!(streams_for(junk, "events"), 0, "{junk:?}");
    }
}
