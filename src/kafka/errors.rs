//! Kafka protocol error codes, as `Errors.java` (2.8.2) names and numbers them.
//!
//! Models: the subset of `org.apache.kafka.common.protocol.Errors` that the simulated brokers,
//! controller, producers and consumer groups can return, with the wire code, the constant name
//! (used verbatim in traces and the UI) and whether the client treats it as retriable.
//!
//! Simplifies: Kafka attaches an exception class to every code and derives "retriable" from
//! its superclass (`RetriableException`, directly or through `InvalidMetadataException`);
//! here `retriable()` is a table read off those classes at 2.8.2. Codes the simulator never
//! produces (SASL, ACLs, delegation tokens, transactions beyond fencing, ...) are left out;
//! `from_code` returns `None` for them.

use std::fmt;

/// One Kafka error code. The variant names are the Java constant names in `UpperCamelCase`;
/// [`KafkaError::name`] gives the exact `UPPER_SNAKE` spelling.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum KafkaError {
    /// -1, `UnknownServerException`.
    UnknownServerError,
    /// 0, success.
    None,
    /// 1, fetch offset outside `[logStartOffset, LEO]`.
    OffsetOutOfRange,
    /// 2, CRC failure.
    CorruptMessage,
    /// 3, the broker does not host the partition (or its metadata is stale).
    UnknownTopicOrPartition,
    /// 5, the partition has no leader right now.
    LeaderNotAvailable,
    /// 6, request sent to a broker that is not the leader (was `NOT_LEADER_FOR_PARTITION`).
    NotLeaderOrFollower,
    /// 7, `acks=all` not satisfied within the request timeout.
    RequestTimedOut,
    /// 9, replica not available.
    ReplicaNotAvailable,
    /// 10, a record batch larger than `message.max.bytes`.
    MessageTooLarge,
    /// 11, request from an old controller (or a stale leader epoch in `LeaderAndIsr`).
    StaleControllerEpoch,
    /// 13, disconnected before the response.
    NetworkException,
    /// 14, the coordinator is still loading `__consumer_offsets`.
    CoordinatorLoadInProgress,
    /// 15, no coordinator (or the group is `Dead`).
    CoordinatorNotAvailable,
    /// 16, the coordinator moved.
    NotCoordinator,
    /// 18, a record batch larger than the segment size.
    RecordListTooLarge,
    /// 19, `acks=all` and ISR smaller than `min.insync.replicas`; nothing written.
    NotEnoughReplicas,
    /// 20, written, but the ISR shrank below `min.insync.replicas` before the ack.
    NotEnoughReplicasAfterAppend,
    /// 21, `acks` not in {-1, 0, 1}.
    InvalidRequiredAcks,
    /// 22, stale generation in Heartbeat / SyncGroup / OffsetCommit.
    IllegalGeneration,
    /// 23, no protocol in common with the group.
    InconsistentGroupProtocol,
    /// 25, member unknown to the coordinator (expired or removed).
    UnknownMemberId,
    /// 26, session timeout outside the group min/max.
    InvalidSessionTimeout,
    /// 27, a rebalance is in progress: rejoin.
    RebalanceInProgress,
    /// 36, topic already exists.
    TopicAlreadyExists,
    /// 37, partition count below 1.
    InvalidPartitions,
    /// 38, replication factor below 1 or above the number of brokers.
    InvalidReplicationFactor,
    /// 39, an explicit replica assignment is malformed.
    InvalidReplicaAssignment,
    /// 41, admin request to a broker that is not the controller.
    NotController,
    /// 45, idempotent producer sequence gap.
    OutOfOrderSequenceNumber,
    /// 46, duplicate batch (older brokers).
    DuplicateSequenceNumber,
    /// 47, stale producer epoch.
    InvalidProducerEpoch,
    /// 56, log directory offline.
    KafkaStorageError,
    /// 59, the broker has no state for this producer id (brokers before 2.5).
    UnknownProducerId,
    /// 74, the request's leader epoch is older than the leader's.
    FencedLeaderEpoch,
    /// 75, the request's leader epoch is newer than the broker knows.
    UnknownLeaderEpoch,
    /// 77, control request for an older broker incarnation.
    StaleBrokerEpoch,
    /// 78, the new leader's HW has not caught up yet.
    OffsetNotAvailable,
    /// 79, first JoinGroup: rejoin with the member id given.
    MemberIdRequired,
    /// 80, preferred replica election impossible.
    PreferredLeaderNotAvailable,
    /// 81, group full.
    GroupMaxSizeReached,
    /// 82, another member holds this `group.instance.id`.
    FencedInstanceId,
    /// 83, no eligible leader for an election.
    EligibleLeadersNotAvailable,
    /// 84, the election is not needed (leader already preferred).
    ElectionNotNeeded,
    /// 90, a newer transactional producer exists.
    ProducerFenced,
    /// 95, `AlterIsr` with a stale zkVersion.
    InvalidUpdateVersion,
}

use KafkaError as E;

/// (variant, code, name, retriable). Retriable = the exception class extends
/// `RetriableException` or `InvalidMetadataException` at 2.8.2.
const TABLE: &[(KafkaError, i16, &str, bool)] = &[
    (E::UnknownServerError, -1, "UNKNOWN_SERVER_ERROR", false),
    (E::None, 0, "NONE", false),
    (E::OffsetOutOfRange, 1, "OFFSET_OUT_OF_RANGE", false),
    (E::CorruptMessage, 2, "CORRUPT_MESSAGE", true),
    (
        E::UnknownTopicOrPartition,
        3,
        "UNKNOWN_TOPIC_OR_PARTITION",
        true,
    ),
    (E::LeaderNotAvailable, 5, "LEADER_NOT_AVAILABLE", true),
    (E::NotLeaderOrFollower, 6, "NOT_LEADER_OR_FOLLOWER", true),
    (E::RequestTimedOut, 7, "REQUEST_TIMED_OUT", true),
    (E::ReplicaNotAvailable, 9, "REPLICA_NOT_AVAILABLE", true),
    (E::MessageTooLarge, 10, "MESSAGE_TOO_LARGE", false),
    (E::StaleControllerEpoch, 11, "STALE_CONTROLLER_EPOCH", false),
    (E::NetworkException, 13, "NETWORK_EXCEPTION", true),
    (
        E::CoordinatorLoadInProgress,
        14,
        "COORDINATOR_LOAD_IN_PROGRESS",
        true,
    ),
    (
        E::CoordinatorNotAvailable,
        15,
        "COORDINATOR_NOT_AVAILABLE",
        true,
    ),
    (E::NotCoordinator, 16, "NOT_COORDINATOR", true),
    (E::RecordListTooLarge, 18, "RECORD_LIST_TOO_LARGE", false),
    (E::NotEnoughReplicas, 19, "NOT_ENOUGH_REPLICAS", true),
    (
        E::NotEnoughReplicasAfterAppend,
        20,
        "NOT_ENOUGH_REPLICAS_AFTER_APPEND",
        true,
    ),
    (E::InvalidRequiredAcks, 21, "INVALID_REQUIRED_ACKS", false),
    (E::IllegalGeneration, 22, "ILLEGAL_GENERATION", false),
    (
        E::InconsistentGroupProtocol,
        23,
        "INCONSISTENT_GROUP_PROTOCOL",
        false,
    ),
    (E::UnknownMemberId, 25, "UNKNOWN_MEMBER_ID", false),
    (
        E::InvalidSessionTimeout,
        26,
        "INVALID_SESSION_TIMEOUT",
        false,
    ),
    (E::RebalanceInProgress, 27, "REBALANCE_IN_PROGRESS", false),
    (E::TopicAlreadyExists, 36, "TOPIC_ALREADY_EXISTS", false),
    (E::InvalidPartitions, 37, "INVALID_PARTITIONS", false),
    (
        E::InvalidReplicationFactor,
        38,
        "INVALID_REPLICATION_FACTOR",
        false,
    ),
    (
        E::InvalidReplicaAssignment,
        39,
        "INVALID_REPLICA_ASSIGNMENT",
        false,
    ),
    (E::NotController, 41, "NOT_CONTROLLER", true),
    (
        E::OutOfOrderSequenceNumber,
        45,
        "OUT_OF_ORDER_SEQUENCE_NUMBER",
        false,
    ),
    (
        E::DuplicateSequenceNumber,
        46,
        "DUPLICATE_SEQUENCE_NUMBER",
        false,
    ),
    (E::InvalidProducerEpoch, 47, "INVALID_PRODUCER_EPOCH", false),
    (E::KafkaStorageError, 56, "KAFKA_STORAGE_ERROR", true),
    (E::UnknownProducerId, 59, "UNKNOWN_PRODUCER_ID", false),
    (E::FencedLeaderEpoch, 74, "FENCED_LEADER_EPOCH", true),
    (E::UnknownLeaderEpoch, 75, "UNKNOWN_LEADER_EPOCH", true),
    (E::StaleBrokerEpoch, 77, "STALE_BROKER_EPOCH", false),
    (E::OffsetNotAvailable, 78, "OFFSET_NOT_AVAILABLE", true),
    (E::MemberIdRequired, 79, "MEMBER_ID_REQUIRED", false),
    (
        E::PreferredLeaderNotAvailable,
        80,
        "PREFERRED_LEADER_NOT_AVAILABLE",
        true,
    ),
    (E::GroupMaxSizeReached, 81, "GROUP_MAX_SIZE_REACHED", false),
    (E::FencedInstanceId, 82, "FENCED_INSTANCE_ID", false),
    (
        E::EligibleLeadersNotAvailable,
        83,
        "ELIGIBLE_LEADERS_NOT_AVAILABLE",
        true,
    ),
    (E::ElectionNotNeeded, 84, "ELECTION_NOT_NEEDED", true),
    (E::ProducerFenced, 90, "PRODUCER_FENCED", false),
    (E::InvalidUpdateVersion, 95, "INVALID_UPDATE_VERSION", false),
];

impl KafkaError {
    /// Every error this module knows, in code order.
    pub fn all() -> impl Iterator<Item = KafkaError> {
        TABLE.iter().map(|row| row.0)
    }

    fn row(self) -> &'static (KafkaError, i16, &'static str, bool) {
        // The table lists every variant exactly once (pinned by a test).
        TABLE.iter().find(|row| row.0 == self).unwrap_or(&TABLE[0])
    }

    /// The wire code (`Errors.code()`).
    pub fn code(self) -> i16 {
        self.row().1
    }

    /// The exact Java constant name, e.g. `NOT_LEADER_OR_FOLLOWER`.
    pub fn name(self) -> &'static str {
        self.row().2
    }

    /// Whether the client retries it (its exception is a `RetriableException`).
    pub fn retriable(self) -> bool {
        self.row().3
    }

    /// The error for a wire code, if this module models it.
    pub fn from_code(code: i16) -> Option<KafkaError> {
        TABLE.iter().find(|row| row.1 == code).map(|row| row.0)
    }

    /// The error for an exact Java constant name, if this module models it.
    pub fn from_name(name: &str) -> Option<KafkaError> {
        TABLE.iter().find(|row| row.2 == name).map(|row| row.0)
    }

    /// True for [`KafkaError::None`].
    pub fn is_none(self) -> bool {
        self == E::None
    }
}

impl fmt::Display for KafkaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::VecSet;

    #[test]
    fn codes_match_errors_java_2_8_2() {
        // Numbers copied from clients/src/main/java/org/apache/kafka/common/protocol/Errors.java.
        let expected: &[(&str, i16)] = &[
            ("NONE", 0),
            ("OFFSET_OUT_OF_RANGE", 1),
            ("UNKNOWN_TOPIC_OR_PARTITION", 3),
            ("NOT_LEADER_OR_FOLLOWER", 6),
            ("REQUEST_TIMED_OUT", 7),
            ("MESSAGE_TOO_LARGE", 10),
            ("STALE_CONTROLLER_EPOCH", 11),
            ("NOT_COORDINATOR", 16),
            ("RECORD_LIST_TOO_LARGE", 18),
            ("NOT_ENOUGH_REPLICAS", 19),
            ("NOT_ENOUGH_REPLICAS_AFTER_APPEND", 20),
            ("ILLEGAL_GENERATION", 22),
            ("UNKNOWN_MEMBER_ID", 25),
            ("REBALANCE_IN_PROGRESS", 27),
            ("TOPIC_ALREADY_EXISTS", 36),
            ("INVALID_PARTITIONS", 37),
            ("INVALID_REPLICATION_FACTOR", 38),
            ("OUT_OF_ORDER_SEQUENCE_NUMBER", 45),
            ("DUPLICATE_SEQUENCE_NUMBER", 46),
            ("INVALID_PRODUCER_EPOCH", 47),
            ("UNKNOWN_PRODUCER_ID", 59),
            ("COORDINATOR_NOT_AVAILABLE", 15),
            ("FENCED_LEADER_EPOCH", 74),
            ("UNKNOWN_LEADER_EPOCH", 75),
            ("STALE_BROKER_EPOCH", 77),
            ("INVALID_UPDATE_VERSION", 95),
        ];
        for &(name, code) in expected {
            let err = KafkaError::from_name(name).expect(name);
            assert_eq!(err.code(), code, "{name}");
            assert_eq!(KafkaError::from_code(code), Some(err));
        }
    }

    #[test]
    fn every_variant_has_one_row_and_codes_are_unique() {
        let codes: VecSet<i16> = KafkaError::all().map(KafkaError::code).collect();
        let names: VecSet<&str> = KafkaError::all().map(KafkaError::name).collect();
        assert_eq!(codes.len(), TABLE.len());
        assert_eq!(names.len(), TABLE.len());
        for err in KafkaError::all() {
            assert_eq!(KafkaError::from_code(err.code()), Some(err));
        }
    }

    #[test]
    fn retriable_follows_the_exception_class_hierarchy() {
        assert!(E::NotLeaderOrFollower.retriable());
        assert!(E::NotEnoughReplicas.retriable());
        assert!(E::NotEnoughReplicasAfterAppend.retriable());
        assert!(E::RequestTimedOut.retriable());
        assert!(E::FencedLeaderEpoch.retriable());
        assert!(!E::MessageTooLarge.retriable());
        assert!(!E::OutOfOrderSequenceNumber.retriable());
        assert!(!E::RebalanceInProgress.retriable());
        assert!(!E::None.retriable());
    }

    #[test]
    fn unknown_codes_are_none_not_a_panic() {
        assert_eq!(KafkaError::from_code(4242), Option::None);
        assert_eq!(KafkaError::from_name("NOT_A_CODE"), Option::None);
        assert_eq!(E::NotCoordinator.to_string(), "NOT_COORDINATOR");
    }
}
