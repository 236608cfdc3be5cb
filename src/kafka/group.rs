//! Group coordinator helpers: which `__consumer_offsets` partition owns a group, and the
//! eager `range` and `roundrobin` assignors the group leader runs.
//!
//! Models `GroupMetadataManager.partitionFor` (`Utils.abs(groupId.hashCode) %
//! offsets.topic.num.partitions`, with Java's `String.hashCode` over UTF-16 code units and
//! `Utils.abs` mapping `Int.MinValue` to 0), and `RangeAssignor` / `RoundRobinAssignor` with
//! `AbstractPartitionAssignor.MemberInfo` ordering (members with a `group.instance.id` first,
//! by that id, then the others by `member.id`) (2.8.2).
//!
//! Simplifies: which partitions each member gets is exact. `RangeAssignor` walks topics in
//! Java `HashMap` order, which only decides the order of a member's list; here a member's
//! list is sorted by topic name, then partition. The eager `sticky` assignor is in
//! [`sticky`]; the cooperative-sticky assignor is not modelled. Topics missing from `partitions_per_topic` (or with no partitions) are
//! skipped, as `AbstractPartitionAssignor.assign` does.

use crate::sim::{VecMap, VecSet};
use std::cmp::Ordering;

pub mod sticky;

/// `String.hashCode`: `h = 31 * h + c` over UTF-16 code units, wrapping.
pub fn java_string_hash(s: &str) -> i32 {
    s.encode_utf16().fold(0i32, |h, unit| {
        h.wrapping_mul(31).wrapping_add(i32::from(unit))
    })
}

/// `Utils.abs`: like `Math.abs` but `Int.MinValue` gives 0 (not itself).
pub fn java_utils_abs(n: i32) -> i32 {
    if n == i32::MIN {
        0
    } else {
        n.abs()
    }
}

/// `partitionFor(groupId)`: the `__consumer_offsets` partition whose leader coordinates the
/// group. `None` if `offsets_topic_num_partitions` is not positive.
pub fn partition_for(group_id: &str, offsets_topic_num_partitions: i32) -> Option<i32> {
    (offsets_topic_num_partitions > 0)
        .then(|| java_utils_abs(java_string_hash(group_id)) % offsets_topic_num_partitions)
}

/// A topic partition (`TopicPartition`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TopicPartition {
    /// Topic name.
    pub topic: String,
    /// Partition index.
    pub partition: i32,
}

impl TopicPartition {
    /// `topic`-`partition`.
    pub fn new(topic: &str, partition: i32) -> Self {
        Self {
            topic: topic.to_string(),
            partition,
        }
    }
}

/// One member's `Subscription` as the assignors see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subscription {
    /// Subscribed topics.
    pub topics: VecSet<String>,
    /// `group.instance.id` of a static member.
    pub group_instance_id: Option<String>,
}

impl Subscription {
    /// A dynamic member subscribed to `topics`.
    pub fn new(topics: &[&str]) -> Self {
        Self {
            topics: topics.iter().map(|t| t.to_string()).collect(),
            group_instance_id: None,
        }
    }

    /// A static member (`group.instance.id`) subscribed to `topics`.
    pub fn with_instance_id(topics: &[&str], group_instance_id: &str) -> Self {
        Self {
            group_instance_id: Some(group_instance_id.to_string()),
            ..Self::new(topics)
        }
    }
}

/// Member id -> its assigned partitions.
pub type GroupAssignment = VecMap<String, Vec<TopicPartition>>;

/// `MemberInfo.compareTo`: static members first by instance id, then dynamic by member id.
fn member_order(a: (&String, &Subscription), b: (&String, &Subscription)) -> Ordering {
    match (&a.1.group_instance_id, &b.1.group_instance_id) {
        (Some(x), Some(y)) => x.cmp(y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => a.0.cmp(b.0),
    }
}

fn sorted_members<'a>(
    subscriptions: &'a VecMap<String, Subscription>,
    topic: Option<&str>,
) -> Vec<&'a String> {
    let mut members: Vec<(&String, &Subscription)> = subscriptions
        .iter()
        .filter(|(_, s)| topic.is_none_or(|t| s.topics.contains(t)))
        .collect();
    // A stable sort on top of the VecMap order keeps equal instance ids deterministic.
    crate::sim::sort::sort_by(&mut members, |a, b| member_order(*a, *b));
    members.into_iter().map(|(id, _)| id).collect()
}

fn empty_assignment(subscriptions: &VecMap<String, Subscription>) -> GroupAssignment {
    subscriptions
        .keys()
        .map(|id| (id.clone(), Vec::new()))
        .collect()
}

/// `RangeAssignor.assign`: per topic, the sorted subscribed members get contiguous ranges;
/// the first `partitions % members` members get one extra.
pub fn range_assign(
    partitions_per_topic: &VecMap<String, i32>,
    subscriptions: &VecMap<String, Subscription>,
) -> GroupAssignment {
    let mut assignment = empty_assignment(subscriptions);
    let topics: VecSet<&String> = subscriptions.values().flat_map(|s| &s.topics).collect();
    for topic in topics {
        let Some(&num_partitions) = partitions_per_topic.get(topic).filter(|&&n| n > 0) else {
            continue;
        };
        let consumers = sorted_members(subscriptions, Some(topic));
        let n = consumers.len() as i32;
        let per_consumer = num_partitions / n;
        let with_extra = num_partitions % n;
        for (i, member) in consumers.into_iter().enumerate() {
            let i = i as i32;
            let start = per_consumer * i + i.min(with_extra);
            let length = per_consumer + i32::from(i < with_extra);
            if let Some(list) = assignment.get_mut(member) {
                list.extend((start..start + length).map(|p| TopicPartition::new(topic, p)));
            }
        }
    }
    for list in assignment.values_mut() {
        crate::sim::sort::sort(list);
    }
    assignment
}

/// `RoundRobinAssignor.assign`: all subscribed partitions sorted by topic then partition,
/// dealt over a circular list of the sorted members, skipping members not subscribed to the
/// partition's topic.
pub fn round_robin_assign(
    partitions_per_topic: &VecMap<String, i32>,
    subscriptions: &VecMap<String, Subscription>,
) -> GroupAssignment {
    let mut assignment = empty_assignment(subscriptions);
    let members = sorted_members(subscriptions, None);
    if members.is_empty() {
        return assignment;
    }
    let topics: VecSet<&String> = subscriptions.values().flat_map(|s| &s.topics).collect();
    let mut next = 0usize;
    for topic in topics {
        let Some(&num_partitions) = partitions_per_topic.get(topic).filter(|&&n| n > 0) else {
            continue;
        };
        for p in 0..num_partitions {
            // Some member is subscribed to `topic` (it came from a subscription), so this ends.
            while !subscriptions[members[next]].topics.contains(topic) {
                next = (next + 1) % members.len();
            }
            if let Some(list) = assignment.get_mut(members[next]) {
                list.push(TopicPartition::new(topic, p));
            }
            next = (next + 1) % members.len();
        }
    }
    assignment
}

#[cfg(test)]
mod tests;
