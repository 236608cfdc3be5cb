//! Replica assignment at topic creation and partition addition.
//!
//! Models `AdminUtils.assignReplicasToBrokers` (2.8.2) for clusters without `broker.rack`,
//! step for step: the validation order and messages, `fixedStartIndex` (which fixes **both**
//! the start index and the initial `nextReplicaShift`), `startPartitionId`, the shift bump every
//! `n` partitions and `replicaIndex`. Also `AdminZkClient.createNewPartitionsAssignment`'s
//! choice of start index when partitions are added to an existing topic.
//!
//! Simplifies: the rack-aware variant is not modelled (a simulated cluster has no racks). The
//! broker list is taken as given; the caller should pass it sorted by id, as
//! `AdminZkClient.getBrokerMetadatas` does (the CreateTopics API path does not sort, which
//! makes real assignments depend on metadata-cache order). Kafka's `rand.nextInt(n)` draws
//! come from the caller's seeded [`SimRng`] instead, in the same order (start index, then
//! shift). Explicit replica assignments (`--replica-assignment`) are not validated here.

use crate::sim::VecMap;

use crate::kafka::errors::KafkaError;
use crate::sim::SimRng;

/// A broker id (`broker.id`).
pub type BrokerId = i32;

/// Partition id → ordered replica list (first = preferred leader).
pub type Assignment = VecMap<i32, Vec<BrokerId>>;

/// Why an assignment was refused, with Kafka's own message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssignmentError {
    /// `INVALID_PARTITIONS`, `INVALID_REPLICATION_FACTOR`, or `UNKNOWN_SERVER_ERROR` for an
    /// `AdminOperationException` (corrupt existing assignment).
    pub error: KafkaError,
    /// The exception message Kafka uses.
    pub message: String,
}

impl AssignmentError {
    fn new(error: KafkaError, message: String) -> Self {
        Self { error, message }
    }
}

/// `AdminUtils.replicaIndex`: where the `replica_index`-th follower goes, relative to the
/// first replica. The `1 +` keeps followers off the leader's broker.
pub fn replica_index(
    first_replica_index: usize,
    second_replica_shift: usize,
    replica_index: usize,
    n_brokers: usize,
) -> usize {
    let shift = 1 + (second_replica_shift + replica_index) % (n_brokers - 1);
    (first_replica_index + shift) % n_brokers
}

/// `AdminUtils.assignReplicasToBrokers` (rack-unaware path).
///
/// `fixed_start_index`: `Some(i)` is Kafka's `fixedStartIndex >= 0` (used as start index and
/// initial shift); `None` draws both from `rng`. `start_partition_id`: the id of the first
/// partition produced (negative means 0, as Kafka's default `-1`).
pub fn assign_replicas_to_brokers(
    brokers: &[BrokerId],
    n_partitions: i32,
    replication_factor: i32,
    fixed_start_index: Option<usize>,
    start_partition_id: i32,
    rng: &mut SimRng,
) -> Result<Assignment, AssignmentError> {
    if n_partitions <= 0 {
        return Err(AssignmentError::new(
            KafkaError::InvalidPartitions,
            "Number of partitions must be larger than 0.".to_string(),
        ));
    }
    if replication_factor <= 0 {
        return Err(AssignmentError::new(
            KafkaError::InvalidReplicationFactor,
            "Replication factor must be larger than 0.".to_string(),
        ));
    }
    if replication_factor as usize > brokers.len() {
        return Err(AssignmentError::new(
            KafkaError::InvalidReplicationFactor,
            format!(
                "Replication factor: {replication_factor} larger than available brokers: {}.",
                brokers.len()
            ),
        ));
    }
    let n = brokers.len();
    let start_index = match fixed_start_index {
        Some(i) => i,
        None => rng.below(n as u64) as usize,
    };
    let mut next_replica_shift = match fixed_start_index {
        Some(i) => i,
        None => rng.below(n as u64) as usize,
    };
    let first_partition_id = start_partition_id.max(0);
    let mut ret = Assignment::new();
    for current_partition_id in first_partition_id..first_partition_id + n_partitions {
        let pid = current_partition_id as usize;
        if pid > 0 && pid % n == 0 {
            next_replica_shift += 1;
        }
        let first_replica_index = (pid + start_index) % n;
        let mut replicas = vec![brokers[first_replica_index]];
        for j in 0..(replication_factor as usize - 1) {
            replicas.push(brokers[replica_index(first_replica_index, next_replica_shift, j, n)]);
        }
        ret.insert(current_partition_id, replicas);
    }
    Ok(ret)
}

/// `AdminZkClient.createNewPartitionsAssignment` without a manual assignment: grows a topic
/// to `num_partitions`, assigning only the new partitions. Replication factor = that of
/// partition 0; fixed start index = position (in `brokers`) of the first broker whose id is
/// at least partition 0's preferred replica (0 if none); first new id = current count.
pub fn new_partitions_assignment(
    topic: &str,
    existing: &Assignment,
    brokers: &[BrokerId],
    num_partitions: i32,
) -> Result<Assignment, AssignmentError> {
    let Some(partition0) = existing.get(&0).filter(|replicas| !replicas.is_empty()) else {
        return Err(AssignmentError::new(
            KafkaError::UnknownServerError,
            format!(
                "Unexpected existing replica assignment for topic '{topic}', partition id 0 is missing. Assignment: {existing:?}"
            ),
        ));
    };
    let partitions_to_add = num_partitions - existing.len() as i32;
    if partitions_to_add <= 0 {
        return Err(AssignmentError::new(
            KafkaError::InvalidPartitions,
            format!(
                "The number of partitions for a topic can only be increased. Topic {topic} currently has {} partitions, {num_partitions} would not be an increase.",
                existing.len()
            ),
        ));
    }
    let start_index = brokers
        .iter()
        .position(|&id| id >= partition0[0])
        .unwrap_or(0);
    // A fixed start index never touches the generator.
    let mut unused = SimRng::new(0);
    assign_replicas_to_brokers(
        brokers,
        partitions_to_add,
        partition0.len() as i32,
        Some(start_index),
        existing.len() as i32,
        &mut unused,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assignment(rows: &[(i32, &[BrokerId])]) -> Assignment {
        rows.iter().map(|&(p, r)| (p, r.to_vec())).collect()
    }

    #[test]
    fn five_brokers_ten_partitions_match_admin_rack_aware_test() {
        // core/src/test/scala/unit/kafka/admin/AdminRackAwareTest.scala, testReplicaAssignment
        // (2.8.2): brokers 0..4 without racks, 10 partitions, RF 3, fixedStartIndex 0.
        let expected = assignment(&[
            (0, &[0, 1, 2]),
            (1, &[1, 2, 3]),
            (2, &[2, 3, 4]),
            (3, &[3, 4, 0]),
            (4, &[4, 0, 1]),
            (5, &[0, 2, 3]),
            (6, &[1, 3, 4]),
            (7, &[2, 4, 0]),
            (8, &[3, 0, 1]),
            (9, &[4, 1, 2]),
        ]);
        let mut rng = SimRng::new(0);
        let actual = assign_replicas_to_brokers(&[0, 1, 2, 3, 4], 10, 3, Some(0), -1, &mut rng);
        assert_eq!(actual, Ok(expected));
    }

    #[test]
    fn bad_replication_factors_are_refused_with_kafkas_messages() {
        // Same test: RF 0 and RF 6 over five brokers throw InvalidReplicationFactorException.
        let mut rng = SimRng::new(0);
        let brokers = [0, 1, 2, 3, 4];
        let zero = assign_replicas_to_brokers(&brokers, 10, 0, None, -1, &mut rng).unwrap_err();
        assert_eq!(zero.error, KafkaError::InvalidReplicationFactor);
        assert_eq!(zero.message, "Replication factor must be larger than 0.");
        let six = assign_replicas_to_brokers(&brokers, 10, 6, None, -1, &mut rng).unwrap_err();
        assert_eq!(six.error, KafkaError::InvalidReplicationFactor);
        assert_eq!(
            six.message,
            "Replication factor: 6 larger than available brokers: 5."
        );
        let none = assign_replicas_to_brokers(&brokers, 0, 3, None, -1, &mut rng).unwrap_err();
        assert_eq!(none.error, KafkaError::InvalidPartitions);
        let empty = assign_replicas_to_brokers(&[], 1, 1, None, -1, &mut rng).unwrap_err();
        assert_eq!(empty.error, KafkaError::InvalidReplicationFactor);
    }

    #[test]
    fn start_partition_id_numbers_partitions_and_drives_the_shift() {
        // 3 brokers, start at partition 3: the shift is bumped at once (3 % 3 == 0).
        let mut rng = SimRng::new(0);
        let a = assign_replicas_to_brokers(&[10, 20, 30], 2, 2, Some(0), 3, &mut rng).unwrap();
        assert_eq!(a, assignment(&[(3, &[10, 30]), (4, &[20, 10])]));
    }

    #[test]
    fn random_start_and_shift_come_from_the_seed() {
        let brokers = [1, 2, 3, 4, 5, 6];
        let a = assign_replicas_to_brokers(&brokers, 12, 3, None, -1, &mut SimRng::new(9));
        let b = assign_replicas_to_brokers(&brokers, 12, 3, None, -1, &mut SimRng::new(9));
        assert_eq!(a, b);
        for replicas in a.unwrap().values() {
            let mut distinct = replicas.clone();
            distinct.sort();
            distinct.dedup();
            assert_eq!(distinct.len(), 3, "no broker twice in {replicas:?}");
        }
    }

    #[test]
    fn leaders_are_spread_round_robin_over_the_brokers() {
        let mut rng = SimRng::new(5);
        let a = assign_replicas_to_brokers(&[0, 1, 2, 3], 8, 2, None, -1, &mut rng).unwrap();
        let mut leaders = [0; 4];
        for replicas in a.values() {
            leaders[replicas[0] as usize] += 1;
        }
        assert_eq!(leaders, [2, 2, 2, 2]);
    }

    #[test]
    fn added_partitions_match_add_partitions_test_all_servers() {
        // core/src/test/scala/unit/kafka/admin/AddPartitionsTest.scala,
        // testReplicaPlacementAllServers (2.8.2): brokers 0..3, topic3 p0 = [2,3,0,1], grown
        // to 7. The test checks leaders and replica sets; the order here follows the algorithm.
        let existing = assignment(&[(0, &[2, 3, 0, 1])]);
        let added = new_partitions_assignment("topic3", &existing, &[0, 1, 2, 3], 7).unwrap();
        let expected_leaders_and_sets: &[(i32, BrokerId, [BrokerId; 4])] = &[
            (1, 3, [0, 1, 2, 3]),
            (2, 0, [0, 1, 2, 3]),
            (3, 1, [0, 1, 2, 3]),
            (4, 2, [0, 1, 2, 3]),
            (5, 3, [0, 1, 2, 3]),
            (6, 0, [0, 1, 2, 3]),
        ];
        for &(p, leader, set) in expected_leaders_and_sets {
            let replicas = &added[&p];
            assert_eq!(replicas[0], leader, "partition {p}");
            let mut sorted = replicas.clone();
            sorted.sort();
            assert_eq!(sorted, set.to_vec());
        }
        assert_eq!(added[&1], vec![3, 2, 0, 1]);
    }

    #[test]
    fn added_partitions_match_add_partitions_test_partial_servers() {
        // AddPartitionsTest.testReplicaPlacementPartialServers: topic2 p0 = [1,2], grown to 3:
        // p1 led by 2 on {0,2}, p2 led by 3 on {1,3}.
        let existing = assignment(&[(0, &[1, 2])]);
        let added = new_partitions_assignment("topic2", &existing, &[0, 1, 2, 3], 3).unwrap();
        assert_eq!(added, assignment(&[(1, &[2, 0]), (2, &[3, 1])]));
    }

    #[test]
    fn adding_no_partitions_is_invalid_partitions() {
        let existing = assignment(&[(0, &[1, 2]), (1, &[2, 1])]);
        let err = new_partitions_assignment("t", &existing, &[1, 2], 2).unwrap_err();
        assert_eq!(err.error, KafkaError::InvalidPartitions);
        assert_eq!(
            err.message,
            "The number of partitions for a topic can only be increased. Topic t currently has 2 partitions, 2 would not be an increase."
        );
        let missing = new_partitions_assignment("t", &Assignment::new(), &[1], 2).unwrap_err();
        assert_eq!(missing.error, KafkaError::UnknownServerError);
    }
}
