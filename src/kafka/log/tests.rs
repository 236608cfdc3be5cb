use super::*;

fn data(value: &str) -> RecordData {
    RecordData::new(None, value, 0)
}

fn log() -> PartitionLog {
    PartitionLog::new(LogLimits::default())
}

fn offsets(records: &[Record]) -> Vec<i64> {
    records.iter().map(|r| r.offset).collect()
}

#[test]
fn leader_appends_assign_consecutive_offsets_and_record_the_epoch() {
    let mut l = log();
    let a = l.append_as_leader(&[data("a"), data("b")], 0).unwrap();
    assert_eq!((a.first_offset, a.last_offset), (0, 1));
    let b = l.append_as_leader(&[data("c")], 2).unwrap();
    assert_eq!((b.first_offset, b.last_offset), (2, 2));
    assert_eq!(l.log_end_offset(), 3);
    assert_eq!(l.record_at(2).unwrap().leader_epoch, 2);
    let epochs: Vec<_> = l
        .epoch_cache()
        .entries()
        .iter()
        .map(|e| (e.epoch, e.start_offset))
        .collect();
    assert_eq!(epochs, vec![(0, 0), (2, 2)]);
    assert_eq!(l.end_offset_for_epoch(0), Some((0, 2)));
    assert_eq!(l.end_offset_for_epoch(2), Some((2, 3)));
    assert_eq!(l.end_offset_for_epoch(5), None);
}

#[test]
fn an_empty_append_changes_nothing() {
    let mut l = log();
    let info = l.append_as_leader(&[], 0).unwrap();
    assert_eq!((info.first_offset, info.last_offset), (0, -1));
    assert_eq!(l.log_end_offset(), 0);
    assert!(l.epoch_cache().entries().is_empty());
}

#[test]
fn a_batch_over_max_message_bytes_is_message_too_large() {
    let mut l = PartitionLog::new(LogLimits {
        max_message_bytes: 100,
        ..LogLimits::default()
    });
    let mut big = data("x");
    big.size_bytes = 40; // 40 + 61 bytes of batch header > 100
    let e = l.append_as_leader(&[big], 0).unwrap_err();
    assert_eq!(
        e,
        LogError::MessageTooLarge {
            size: 101,
            max: 100
        }
    );
    assert_eq!(e.kafka_error(), KafkaError::MessageTooLarge);
    assert_eq!(l.log_end_offset(), 0);
}

#[test]
fn a_batch_over_the_segment_size_is_record_list_too_large() {
    let mut l = PartitionLog::new(LogLimits {
        segment_bytes: 70,
        ..LogLimits::default()
    });
    let e = l.append_as_leader(&[data("0123456789")], 0).unwrap_err();
    assert_eq!(e.kafka_error(), KafkaError::RecordListTooLarge);
}

#[test]
fn the_record_cap_is_reported_not_a_panic() {
    let mut l = PartitionLog::new(LogLimits {
        max_records: 2,
        ..LogLimits::default()
    });
    l.append_as_leader(&[data("a"), data("b")], 0).unwrap();
    assert_eq!(
        l.append_as_leader(&[data("c")], 0),
        Err(LogError::CapacityReached { max_records: 2 })
    );
    l.update_high_watermark(2);
    assert_eq!(l.maybe_increment_log_start_offset(1), Ok(true));
    assert!(l.append_as_leader(&[data("c")], 0).is_ok());
}

#[test]
fn follower_appends_keep_the_leaders_offsets_and_epochs() {
    let mut leader = log();
    leader.append_as_leader(&[data("a"), data("b")], 1).unwrap();
    leader.append_as_leader(&[data("c")], 3).unwrap();
    let mut follower = log();
    let fetched = leader
        .read(0, leader.log_end_offset(), u64::MAX)
        .unwrap()
        .to_vec();
    let info = follower.append_as_follower(&fetched).unwrap();
    assert_eq!((info.first_offset, info.last_offset), (0, 2));
    assert_eq!(follower.records(), leader.records());
    assert_eq!(follower.epoch_cache(), leader.epoch_cache());
}

#[test]
fn follower_appends_below_the_leo_or_out_of_order_are_refused() {
    let mut leader = log();
    leader.append_as_leader(&[data("a"), data("b")], 0).unwrap();
    let recs = leader.records().to_vec();
    let mut follower = log();
    follower.append_as_follower(&recs).unwrap();
    assert_eq!(
        follower.append_as_follower(&recs[1..]),
        Err(LogError::UnexpectedAppendOffset {
            first_offset: 1,
            next_offset: 2
        })
    );
    let swapped = vec![recs[1].clone(), recs[0].clone()];
    assert_eq!(
        log().append_as_follower(&swapped),
        Err(LogError::OffsetsOutOfOrder)
    );
}

#[test]
fn update_high_watermark_clamps_to_the_log_bounds() {
    let mut l = log();
    l.append_as_leader(&[data("a"), data("b"), data("c")], 0)
        .unwrap();
    assert_eq!(l.update_high_watermark(10), 3);
    assert_eq!(l.update_high_watermark(1), 1);
    assert_eq!(l.update_high_watermark(-4), 0);
}

#[test]
fn maybe_increment_high_watermark_only_moves_forward_and_never_past_the_leo() {
    let mut l = log();
    l.append_as_leader(&[data("a"), data("b")], 0).unwrap();
    assert_eq!(l.maybe_increment_high_watermark(2), Ok(Some(0)));
    assert_eq!(l.maybe_increment_high_watermark(1), Ok(None));
    assert_eq!(l.high_watermark(), 2);
    assert!(matches!(
        l.maybe_increment_high_watermark(3),
        Err(LogError::HighWatermarkBeyondLogEnd { .. })
    ));
}

#[test]
fn truncation_returns_the_removed_suffix_and_lowers_hw_and_epochs() {
    let mut l = log();
    l.append_as_leader(&[data("a"), data("b")], 0).unwrap();
    l.append_as_leader(&[data("c"), data("d")], 1).unwrap();
    l.update_high_watermark(4);
    let removed = l.truncate_to(2).unwrap();
    assert_eq!(offsets(&removed), vec![2, 3]);
    assert_eq!(removed[0].data.value, "c");
    assert_eq!(l.log_end_offset(), 2);
    assert_eq!(l.high_watermark(), 2);
    assert_eq!(l.latest_epoch(), Some(0));
    // The next leader append reuses offset 2 in a new epoch.
    l.append_as_leader(&[data("x")], 2).unwrap();
    assert_eq!(l.record_at(2).unwrap().data.value, "x");
}

#[test]
fn truncating_at_or_past_the_leo_keeps_records_but_drops_an_empty_epoch() {
    let mut l = log();
    l.append_as_leader(&[data("a")], 0).unwrap();
    // A leader that recorded (epoch 1, LEO) but appended nothing before losing leadership.
    l.assign_epoch_start_offset(1, 1);
    assert!(l.truncate_to(5).unwrap().is_empty());
    assert_eq!(l.log_end_offset(), 1);
    assert_eq!(l.latest_epoch(), Some(0));
    assert!(l.truncate_to(-1).is_err());
}

#[test]
fn truncating_below_the_log_start_restarts_the_log() {
    let mut l = log();
    l.append_as_leader(&[data("a"), data("b"), data("c")], 0)
        .unwrap();
    l.update_high_watermark(3);
    l.maybe_increment_log_start_offset(2).unwrap();
    let removed = l.truncate_to(1).unwrap();
    assert_eq!(offsets(&removed), vec![2]);
    assert_eq!(
        (l.log_start_offset(), l.log_end_offset(), l.high_watermark()),
        (1, 1, 1)
    );
    assert!(l.epoch_cache().entries().is_empty());
}

#[test]
fn the_log_start_never_passes_the_high_watermark() {
    let mut l = log();
    l.append_as_leader(&[data("a"), data("b"), data("c")], 4)
        .unwrap();
    l.update_high_watermark(1);
    assert_eq!(
        l.maybe_increment_log_start_offset(2),
        Err(LogError::OffsetOutOfRange { offset: 2 })
    );
    assert_eq!(l.maybe_increment_log_start_offset(1), Ok(true));
    assert_eq!(offsets(l.records()), vec![1, 2]);
    assert_eq!(l.epoch_cache().earliest_entry().unwrap().start_offset, 1);
    assert_eq!(l.maybe_increment_log_start_offset(0), Ok(false));
}

#[test]
fn reads_stop_at_the_bound_and_return_at_least_one_record() {
    let mut l = log();
    let mut batch: Vec<RecordData> = (0..5).map(|i| data(&i.to_string())).collect();
    batch[0].size_bytes = 500;
    l.append_as_leader(&batch, 0).unwrap();
    l.update_high_watermark(3);
    assert_eq!(
        offsets(l.read(0, l.high_watermark(), u64::MAX).unwrap()),
        vec![0, 1, 2]
    );
    assert_eq!(
        offsets(l.read(0, 5, 10).unwrap()),
        vec![0],
        "first record despite max_bytes"
    );
    assert_eq!(offsets(l.read(1, 5, 18).unwrap()), vec![1, 2]);
    assert!(l.read(5, 5, 100).unwrap().is_empty());
    assert_eq!(
        l.read(6, 6, 100).unwrap_err().kafka_error(),
        KafkaError::OffsetOutOfRange
    );
}
