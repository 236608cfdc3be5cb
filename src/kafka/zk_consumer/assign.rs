//! The classic consumer's pure helpers: the old range assignment and reading a member's
//! stream count from its registration.

/// The old `RangeAssignor` for one topic (`PartitionAssignor.scala`): with the thread ids
/// sorted as strings and the partitions `0..num_partitions`, thread `index` of `threads` gets
/// `num_partitions / threads` consecutive partitions starting at `per * index +
/// min(index, extra)`, one more if `index < num_partitions % threads`. The same arithmetic as
/// [`crate::kafka::group::range_assign`], without its maps (one topic, one thread list).
pub fn range_for(num_partitions: i32, threads: usize, index: usize) -> std::ops::Range<i32> {
    let (Ok(n), Ok(i)) = (i32::try_from(threads), i32::try_from(index)) else {
        return 0..0;
    };
    if n <= 0 || i >= n || num_partitions <= 0 {
        return 0..0;
    }
    let per = num_partitions / n;
    let extra = num_partitions % n;
    let start = per * i + i.min(extra);
    start..start + per + i32::from(i < extra)
}

/// The stream count for `topic` in a registration's `"subscription"` object (what
/// `TopicCount.constructTopicCount` reads); 0 when absent or malformed. A small scan of the
/// JSON instead of [`crate::kafka::znodes::decode_consumer_subscription`], whose map type
/// would otherwise be compiled into the page just for this.
pub fn streams_for(data: &str, topic: &str) -> i32 {
    let Some(at) = data.find("\"subscription\"") else {
        return 0;
    };
    let rest = data[at + "\"subscription\"".len()..].trim_start();
    let Some(rest) = rest.strip_prefix(':').map(str::trim_start) else {
        return 0;
    };
    let Some(body) = rest.strip_prefix('{') else {
        return 0;
    };
    let body = body.split('}').next().unwrap_or("");
    let key = format!("\"{topic}\"");
    let Some(k) = body.find(&key) else {
        return 0;
    };
    let Some(value) = body[k + key.len()..].trim_start().strip_prefix(':') else {
        return 0;
    };
    let value = value.trim_start();
    let end = value
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(value.len());
    value[..end].parse().unwrap_or(0)
}
