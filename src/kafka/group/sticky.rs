//! `StickyAssignor` (`sticky`, eager, 2.8.2 `AbstractStickyAssignor`): balance first, then
//! keep as many previous assignments as possible.
//!
//! Previous ownership comes from each member's user data (its last assignment and the
//! generation it had). Only claims from the highest generation count; a partition claimed by
//! two members of that generation counts as unowned (`partitionsWithMultiplePreviousOwners`).
//!
//! * All subscriptions identical: `constrainedAssign` as in 2.8 (no cap on how many members
//!   reach `maxQuota`; the cap came with KAFKA-12984 in 3.0). Kafka walks members in `HashMap`
//!   order; here in member-id order, which only matters for ties.
//! * Different subscriptions (`generalAssign`), simplified: members keep the partitions they
//!   owned and are still subscribed to, unowned partitions go one by one (sorted) to the
//!   eligible member with the fewest, then single partitions move from the most loaded member
//!   to an eligible member with at least two fewer until no such move exists. Kafka's
//!   balance-score search with its sticky tie-breaks may pick other partitions to move, but
//!   reaches the same balance condition.

use std::collections::VecDeque;

use crate::sim::{VecMap, VecSet};

use super::{GroupAssignment, TopicPartition};

/// One member's input to the sticky assignor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StickySubscription {
    /// Subscribed topics.
    pub topics: VecSet<String>,
    /// The partitions it owned in `generation` (its user data).
    pub owned: Vec<TopicPartition>,
    /// The generation of that assignment (-1: none).
    pub generation: i32,
}

impl StickySubscription {
    /// A member subscribed to `topics` that owned `owned` in `generation`.
    pub fn new(topics: &[&str], owned: Vec<TopicPartition>, generation: i32) -> Self {
        Self {
            topics: topics.iter().map(|t| t.to_string()).collect(),
            owned,
            generation,
        }
    }
}

fn all_partitions(
    partitions_per_topic: &VecMap<String, i32>,
    topics: &VecSet<&String>,
) -> Vec<TopicPartition> {
    let mut out = Vec::new();
    for t in topics {
        if let Some(&n) = partitions_per_topic.get(*t) {
            out.extend((0..n.max(0)).map(|p| TopicPartition::new(t, p)));
        }
    }
    out
}

/// Each member's valid previous partitions (highest generation only, doubly claimed removed).
fn previous_owners(
    partitions_per_topic: &VecMap<String, i32>,
    members: &VecMap<String, StickySubscription>,
) -> VecMap<String, Vec<TopicPartition>> {
    let max_gen = members.values().map(|m| m.generation).max().unwrap_or(-1);
    let exists = |tp: &TopicPartition| {
        partitions_per_topic
            .get(&tp.topic)
            .is_some_and(|&n| tp.partition >= 0 && tp.partition < n)
    };
    let claims: Vec<&TopicPartition> = members
        .values()
        .filter(|m| m.generation == max_gen)
        .flat_map(|m| &m.owned)
        .collect();
    let claimed_once = |tp: &TopicPartition| claims.iter().filter(|c| **c == tp).count() == 1;
    members
        .iter()
        .map(|(id, m)| {
            let owned = if m.generation == max_gen && max_gen >= 0 {
                m.owned
                    .iter()
                    .filter(|tp| exists(tp) && m.topics.contains(&tp.topic))
                    .filter(|tp| claimed_once(tp))
                    .cloned()
                    .collect()
            } else {
                Vec::new()
            };
            (id.clone(), owned)
        })
        .collect()
}

/// `StickyAssignor.assign`.
pub fn sticky_assign(
    partitions_per_topic: &VecMap<String, i32>,
    members: &VecMap<String, StickySubscription>,
) -> GroupAssignment {
    if members.is_empty() {
        return GroupAssignment::new();
    }
    let owned = previous_owners(partitions_per_topic, members);
    let first = members.values().next().map(|m| &m.topics);
    if members.values().all(|m| Some(&m.topics) == first) {
        let topics: VecSet<&String> = first.into_iter().flatten().collect();
        constrained_assign(&all_partitions(partitions_per_topic, &topics), &owned)
    } else {
        general_assign(partitions_per_topic, members, &owned)
    }
}

/// `constrainedAssign` (2.8.2).
fn constrained_assign(
    partitions: &[TopicPartition],
    owned: &VecMap<String, Vec<TopicPartition>>,
) -> GroupAssignment {
    // `partitions` is sorted (by topic, then partition), so the unassigned list stays sorted.
    let mut unassigned: Vec<TopicPartition> = partitions.to_vec();
    let n = owned.len();
    let min_quota = partitions.len() / n;
    let max_quota = partitions.len().div_ceil(n);
    let mut assignment: GroupAssignment = owned.keys().map(|c| (c.clone(), vec![])).collect();
    let mut unfilled: Vec<String> = Vec::new();
    let mut max_capacity: VecDeque<String> = VecDeque::new();
    let mut min_capacity: VecDeque<String> = VecDeque::new();
    for (consumer, previous) in owned {
        let list = assignment.entry(consumer.clone()).or_default();
        for (i, tp) in previous.iter().enumerate() {
            if i < max_quota {
                list.push(tp.clone());
                unassigned.retain(|x| x != tp);
            }
        }
        if previous.len() < min_quota {
            unfilled.push(consumer.clone());
        } else {
            if list.len() == min_quota {
                min_capacity.push_back(consumer.clone());
            }
            if list.len() == max_quota {
                max_capacity.push_back(consumer.clone());
            }
        }
    }
    crate::sim::sort::sort(&mut unfilled);
    let mut queue: VecDeque<TopicPartition> = unassigned.into_iter().collect();
    while !unfilled.is_empty() && !queue.is_empty() {
        let mut i = 0;
        while i < unfilled.len() {
            let Some(tp) = queue.pop_front() else { break };
            let list = assignment.entry(unfilled[i].clone()).or_default();
            list.push(tp);
            if list.len() == min_quota {
                min_capacity.push_back(unfilled.remove(i));
            } else {
                i += 1;
            }
        }
    }
    for consumer in &unfilled {
        let mut remaining = min_quota.saturating_sub(assignment[consumer].len());
        while remaining > 0 {
            // Kafka throws IllegalStateException here; by construction it cannot happen.
            let Some(over) = max_capacity.pop_front() else {
                break;
            };
            let moved = assignment
                .get_mut(&over)
                .filter(|l| !l.is_empty())
                .map(|l| l.remove(0));
            if let Some(tp) = moved {
                assignment.entry(consumer.clone()).or_default().push(tp);
            }
            remaining -= 1;
        }
        min_capacity.push_back(consumer.clone());
    }
    for tp in queue {
        let Some(under) = min_capacity.pop_front() else {
            break;
        };
        assignment.entry(under).or_default().push(tp);
    }
    assignment
}

/// The general path (different subscriptions), simplified as the module docs say.
fn general_assign(
    partitions_per_topic: &VecMap<String, i32>,
    members: &VecMap<String, StickySubscription>,
    owned: &VecMap<String, Vec<TopicPartition>>,
) -> GroupAssignment {
    let mut assignment: GroupAssignment = owned.clone();
    let taken: Vec<&TopicPartition> = owned.values().flatten().collect();
    let topics: VecSet<&String> = members.values().flat_map(|m| &m.topics).collect();
    let unassigned: Vec<TopicPartition> = all_partitions(partitions_per_topic, &topics)
        .into_iter()
        .filter(|tp| !taken.contains(&tp))
        .collect();
    let eligible = |id: &String, tp: &TopicPartition| members[id].topics.contains(&tp.topic);
    for tp in unassigned {
        let best = assignment
            .iter()
            .filter(|(id, _)| eligible(id, &tp))
            .min_by_key(|(_, l)| l.len())
            .map(|(id, _)| id.clone());
        if let Some(id) = best {
            assignment.entry(id).or_default().push(tp);
        }
    }
    let bound = 1 + members.len() * assignment.values().map(Vec::len).sum::<usize>();
    for _ in 0..bound {
        let mut order: Vec<(&String, usize)> =
            assignment.iter().map(|(k, v)| (k, v.len())).collect();
        crate::sim::sort::sort_by(&mut order, |a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let mut found = None;
        'search: for (from, n) in &order {
            for tp in &assignment[*from] {
                let to = assignment
                    .iter()
                    .filter(|(id, l)| id != from && eligible(id, tp) && l.len() + 2 <= *n)
                    .min_by_key(|(_, l)| l.len())
                    .map(|(id, _)| id.clone());
                if let Some(to) = to {
                    found = Some(((*from).clone(), tp.clone(), to));
                    break 'search;
                }
            }
        }
        let Some((from, tp, to)) = found else { break };
        if let Some(l) = assignment.get_mut(&from) {
            l.retain(|x| *x != tp);
        }
        assignment.entry(to).or_default().push(tp);
    }
    assignment
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tp(t: &str, p: i32) -> TopicPartition {
        TopicPartition::new(t, p)
    }

    fn parts(list: &[(&str, i32)]) -> VecMap<String, i32> {
        list.iter().map(|&(t, n)| (t.to_string(), n)).collect()
    }

    fn members(list: &[(&str, StickySubscription)]) -> VecMap<String, StickySubscription> {
        list.iter()
            .map(|(m, s)| (m.to_string(), s.clone()))
            .collect()
    }

    fn counts(a: &GroupAssignment) -> Vec<usize> {
        a.values().map(Vec::len).collect()
    }

    #[test]
    fn one_consumer_gets_every_partition_of_several_topics() {
        // AbstractStickyAssignorTest.testOneConsumerMultipleTopics.
        let m = members(&[(
            "c",
            StickySubscription::new(&["topic1", "topic2"], vec![], -1),
        )]);
        let a = sticky_assign(&parts(&[("topic1", 1), ("topic2", 2)]), &m);
        assert_eq!(
            a["c"],
            vec![tp("topic1", 0), tp("topic2", 0), tp("topic2", 1)]
        );
    }

    #[test]
    fn two_consumers_split_two_partitions_one_each() {
        // AbstractStickyAssignorTest.testTwoConsumersOneTopicTwoPartitions.
        let m = members(&[
            ("consumer1", StickySubscription::new(&["topic"], vec![], -1)),
            ("consumer2", StickySubscription::new(&["topic"], vec![], -1)),
        ]);
        let a = sticky_assign(&parts(&[("topic", 2)]), &m);
        assert_eq!(a["consumer1"], vec![tp("topic", 0)]);
        assert_eq!(a["consumer2"], vec![tp("topic", 1)]);
    }

    #[test]
    fn adding_then_removing_a_consumer_keeps_the_previous_owners_partitions() {
        // AbstractStickyAssignorTest.testAddRemoveConsumerOneTopic.
        let p = parts(&[("topic", 3)]);
        let m = members(&[("consumer1", StickySubscription::new(&["topic"], vec![], -1))]);
        let a = sticky_assign(&p, &m);
        assert_eq!(
            a["consumer1"],
            vec![tp("topic", 0), tp("topic", 1), tp("topic", 2)]
        );
        let m = members(&[
            (
                "consumer1",
                StickySubscription::new(&["topic"], a["consumer1"].clone(), 1),
            ),
            ("consumer2", StickySubscription::new(&["topic"], vec![], -1)),
        ]);
        let a = sticky_assign(&p, &m);
        assert_eq!(a["consumer1"], vec![tp("topic", 0), tp("topic", 1)]);
        assert_eq!(a["consumer2"], vec![tp("topic", 2)]);
        let m = members(&[(
            "consumer2",
            StickySubscription::new(&["topic"], a["consumer2"].clone(), 2),
        )]);
        let a = sticky_assign(&p, &m);
        let got: VecSet<_> = a["consumer2"].iter().cloned().collect();
        assert_eq!(got.len(), 3);
        assert_eq!(
            a["consumer2"][0],
            tp("topic", 2),
            "its own partition is kept first"
        );
    }

    #[test]
    fn claims_from_an_older_generation_or_by_two_members_do_not_count() {
        let p = parts(&[("t", 4)]);
        let m = members(&[
            (
                "a",
                StickySubscription::new(&["t"], vec![tp("t", 0), tp("t", 1)], 3),
            ),
            (
                "b",
                StickySubscription::new(&["t"], vec![tp("t", 1), tp("t", 2)], 3),
            ),
            ("c", StickySubscription::new(&["t"], vec![tp("t", 3)], 2)),
        ]);
        let a = sticky_assign(&p, &m);
        assert!(a["a"].contains(&tp("t", 0)), "a keeps its single claim");
        assert!(a["b"].contains(&tp("t", 2)), "b keeps its single claim");
        assert_eq!(counts(&a).iter().sum::<usize>(), 4);
        assert!(counts(&a).iter().all(|&n| n == 1 || n == 2));
    }

    #[test]
    fn an_unequal_subscription_is_balanced_where_members_can_take_partitions() {
        // AbstractStickyAssignorTest.testPoorRoundRobinAssignmentScenario: valid and balanced.
        let all = ["topic1", "topic2", "topic3", "topic4", "topic5"];
        let odd = ["topic1", "topic3", "topic5"];
        let p: VecMap<String, i32> = (1..=5)
            .map(|i| (format!("topic{i}"), (i % 2) + 1))
            .collect();
        let m = members(&[
            ("consumer1", StickySubscription::new(&all, vec![], -1)),
            ("consumer2", StickySubscription::new(&odd, vec![], -1)),
            ("consumer3", StickySubscription::new(&odd, vec![], -1)),
            ("consumer4", StickySubscription::new(&all, vec![], -1)),
        ]);
        let a = sticky_assign(&p, &m);
        let mut seen = VecSet::new();
        for (id, list) in &a {
            for tp in list {
                assert!(
                    m[id].topics.contains(&tp.topic),
                    "{id} is subscribed to {tp:?}"
                );
                assert!(seen.insert(tp.clone()), "{tp:?} assigned once");
            }
        }
        assert_eq!(seen.len(), 8);
        let (lo, hi) = (
            counts(&a).into_iter().min().unwrap(),
            counts(&a).into_iter().max().unwrap(),
        );
        assert!(hi - lo <= 1, "{a:?}");
    }

    #[test]
    fn more_members_than_partitions_leaves_some_members_empty() {
        let m = members(&[
            ("a", StickySubscription::new(&["t"], vec![], -1)),
            ("b", StickySubscription::new(&["t"], vec![], -1)),
            ("c", StickySubscription::new(&["t"], vec![], -1)),
        ]);
        let a = sticky_assign(&parts(&[("t", 2)]), &m);
        assert_eq!(counts(&a), vec![1, 1, 0]);
    }
}
