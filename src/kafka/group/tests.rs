use super::*;

fn tps(list: &[(&str, i32)]) -> Vec<TopicPartition> {
    list.iter()
        .map(|&(t, p)| TopicPartition::new(t, p))
        .collect()
}

fn parts(list: &[(&str, i32)]) -> VecMap<String, i32> {
    list.iter().map(|&(t, n)| (t.to_string(), n)).collect()
}

fn subs(list: &[(&str, Subscription)]) -> VecMap<String, Subscription> {
    list.iter()
        .map(|(m, s)| (m.to_string(), s.clone()))
        .collect()
}

#[test]
fn java_string_hash_matches_known_values() {
    assert_eq!(java_string_hash(""), 0);
    assert_eq!(java_string_hash("a"), 97);
    assert_eq!(java_string_hash("my-group"), -1_906_497_762);
    // The well-known Java string whose hashCode is Integer.MIN_VALUE.
    assert_eq!(java_string_hash("polygenelubricants"), i32::MIN);
    // Characters outside the BMP hash as two UTF-16 code units.
    assert_eq!(java_string_hash("\u{1F600}"), 1_772_899);
}

#[test]
fn partition_for_matches_the_sheet_examples() {
    // protocols.md C.13 (computed from the formula): my-group -> 12, test-group -> 12,
    // console-consumer-12345 -> 6 with 50 partitions.
    assert_eq!(partition_for("my-group", 50), Some(12));
    assert_eq!(partition_for("test-group", 50), Some(12));
    assert_eq!(partition_for("console-consumer-12345", 50), Some(6));
    assert_eq!(
        partition_for("polygenelubricants", 50),
        Some(0),
        "Utils.abs(MinValue) = 0"
    );
    assert_eq!(partition_for("g", 0), None);
}

#[test]
fn range_gives_the_first_members_the_extra_partitions() {
    // RangeAssignorTest.testTwoConsumersTwoTopicsSixPartitions (2.8.2).
    let s = subs(&[
        ("consumer1", Subscription::new(&["topic1", "topic2"])),
        ("consumer2", Subscription::new(&["topic1", "topic2"])),
    ]);
    let a = range_assign(&parts(&[("topic1", 3), ("topic2", 3)]), &s);
    assert_eq!(
        a["consumer1"],
        tps(&[("topic1", 0), ("topic1", 1), ("topic2", 0), ("topic2", 1)])
    );
    assert_eq!(a["consumer2"], tps(&[("topic1", 2), ("topic2", 2)]));
}

#[test]
fn range_handles_mixed_subscriptions() {
    // RangeAssignorTest.testMultipleConsumersMixedTopics.
    let s = subs(&[
        ("consumer1", Subscription::new(&["topic1"])),
        ("consumer2", Subscription::new(&["topic1", "topic2"])),
        ("consumer3", Subscription::new(&["topic1"])),
    ]);
    let a = range_assign(&parts(&[("topic1", 3), ("topic2", 2)]), &s);
    assert_eq!(a["consumer1"], tps(&[("topic1", 0)]));
    assert_eq!(
        a["consumer2"],
        tps(&[("topic1", 1), ("topic2", 0), ("topic2", 1)])
    );
    assert_eq!(a["consumer3"], tps(&[("topic1", 2)]));
}

#[test]
fn range_orders_static_members_by_instance_id() {
    // RangeAssignorTest.testTwoStaticConsumersTwoTopicsSixPartitions: consumer-b has
    // instance1, consumer-a instance2, so consumer-b comes first.
    let s = subs(&[
        (
            "consumer-b",
            Subscription::with_instance_id(&["topic1", "topic2"], "instance1"),
        ),
        (
            "consumer-a",
            Subscription::with_instance_id(&["topic1", "topic2"], "instance2"),
        ),
    ]);
    let a = range_assign(&parts(&[("topic1", 3), ("topic2", 3)]), &s);
    assert_eq!(
        a["consumer-b"],
        tps(&[("topic1", 0), ("topic1", 1), ("topic2", 0), ("topic2", 1)])
    );
    assert_eq!(a["consumer-a"], tps(&[("topic1", 2), ("topic2", 2)]));
}

#[test]
fn static_members_sort_before_dynamic_ones() {
    let s = subs(&[
        ("a-dynamic", Subscription::new(&["t"])),
        ("z-static", Subscription::with_instance_id(&["t"], "i")),
    ]);
    let a = range_assign(&parts(&[("t", 3)]), &s);
    assert_eq!(a["z-static"], tps(&[("t", 0), ("t", 1)]));
    assert_eq!(a["a-dynamic"], tps(&[("t", 2)]));
}

#[test]
fn round_robin_deals_sorted_partitions_over_sorted_members() {
    // RoundRobinAssignorTest.testTwoDynamicConsumersTwoTopicsSixPartitions (2.8.2).
    let s = subs(&[
        ("consumer1", Subscription::new(&["topic1", "topic2"])),
        ("consumer2", Subscription::new(&["topic1", "topic2"])),
    ]);
    let a = round_robin_assign(&parts(&[("topic1", 3), ("topic2", 3)]), &s);
    assert_eq!(
        a["consumer1"],
        tps(&[("topic1", 0), ("topic1", 2), ("topic2", 1)])
    );
    assert_eq!(
        a["consumer2"],
        tps(&[("topic1", 1), ("topic2", 0), ("topic2", 2)])
    );
}

#[test]
fn round_robin_skips_members_not_subscribed_to_the_topic() {
    // RoundRobinAssignorTest.testMultipleConsumersMixedTopics.
    let s = subs(&[
        ("consumer1", Subscription::new(&["topic1"])),
        ("consumer2", Subscription::new(&["topic1", "topic2"])),
        ("consumer3", Subscription::new(&["topic1"])),
    ]);
    let a = round_robin_assign(&parts(&[("topic1", 3), ("topic2", 2)]), &s);
    assert_eq!(a["consumer1"], tps(&[("topic1", 0)]));
    assert_eq!(
        a["consumer2"],
        tps(&[("topic1", 1), ("topic2", 0), ("topic2", 1)])
    );
    assert_eq!(a["consumer3"], tps(&[("topic1", 2)]));
}

#[test]
fn unknown_topics_and_empty_groups_assign_nothing() {
    let s = subs(&[("c", Subscription::new(&["missing"]))]);
    assert_eq!(range_assign(&parts(&[]), &s)["c"], vec![]);
    assert_eq!(
        round_robin_assign(&parts(&[("missing", 0)]), &s)["c"],
        vec![]
    );
    assert!(round_robin_assign(&parts(&[("t", 2)]), &VecMap::new()).is_empty());
}
