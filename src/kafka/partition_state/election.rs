//! The controller's leader election choices (`PartitionLeaderElectionAlgorithms` and
//! `Election.scala`, 2.8.2). Candidates are always examined in assignment order, so the
//! preferred replica wins ties.

use crate::sim::VecSet;

use super::NO_LEADER;

/// Leader, leader epoch, ISR and znode version of a partition (`LeaderAndIsr`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeaderAndIsr {
    /// Leader broker id or [`NO_LEADER`].
    pub leader: i32,
    /// Leader epoch.
    pub leader_epoch: i32,
    /// In-sync replicas.
    pub isr: Vec<i32>,
    /// Version of the `state` znode.
    pub zk_version: i32,
}

impl LeaderAndIsr {
    /// `newLeaderAndIsr`: a new leader and ISR with the leader epoch bumped.
    pub fn new_leader_and_isr(&self, leader: i32, isr: Vec<i32>) -> Self {
        Self {
            leader,
            leader_epoch: self.leader_epoch + 1,
            isr,
            zk_version: self.zk_version,
        }
    }
}

/// `offlinePartitionLeaderElection`: first replica in assignment order that is live and in
/// the ISR; if none and unclean election is enabled, the first live replica.
pub fn offline_partition_leader_election(
    assignment: &[i32],
    isr: &[i32],
    live: &VecSet<i32>,
    unclean_leader_election_enable: bool,
) -> Option<i32> {
    let clean = assignment
        .iter()
        .copied()
        .find(|id| live.contains(id) && isr.contains(id));
    clean.or_else(|| {
        unclean_leader_election_enable
            .then(|| assignment.iter().copied().find(|id| live.contains(id)))
            .flatten()
    })
}

/// `reassignPartitionLeaderElection`: first target replica that is live and in the ISR.
pub fn reassign_partition_leader_election(
    target_replicas: &[i32],
    isr: &[i32],
    live: &VecSet<i32>,
) -> Option<i32> {
    target_replicas
        .iter()
        .copied()
        .find(|id| live.contains(id) && isr.contains(id))
}

/// `preferredReplicaPartitionLeaderElection`: the first replica, only if live and in ISR.
pub fn preferred_replica_partition_leader_election(
    assignment: &[i32],
    isr: &[i32],
    live: &VecSet<i32>,
) -> Option<i32> {
    assignment
        .first()
        .copied()
        .filter(|id| live.contains(id) && isr.contains(id))
}

/// `controlledShutdownPartitionLeaderElection`: first replica live (shutting-down brokers
/// count as live here), in the ISR and not shutting down.
pub fn controlled_shutdown_partition_leader_election(
    assignment: &[i32],
    isr: &[i32],
    live_or_shutting_down: &VecSet<i32>,
    shutting_down: &VecSet<i32>,
) -> Option<i32> {
    assignment.iter().copied().find(|id| {
        live_or_shutting_down.contains(id) && isr.contains(id) && !shutting_down.contains(id)
    })
}

/// An election's outcome for the `state` znode, and whether it was unclean.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Elected {
    /// The new leader and ISR (leader epoch already bumped).
    pub leader_and_isr: LeaderAndIsr,
    /// True when the leader came from outside the ISR (data may be lost).
    pub unclean: bool,
}

/// `Election.leaderForOffline`: new ISR = old ISR restricted to live replicas if the leader
/// was in it, else just the (unclean) leader.
pub fn elect_offline(
    assignment: &[i32],
    current: &LeaderAndIsr,
    live: &VecSet<i32>,
    unclean_leader_election_enable: bool,
) -> Option<Elected> {
    let leader = offline_partition_leader_election(
        assignment,
        &current.isr,
        live,
        unclean_leader_election_enable,
    )?;
    let clean = current.isr.contains(&leader);
    let isr = if clean {
        current
            .isr
            .iter()
            .copied()
            .filter(|id| live.contains(id))
            .collect()
    } else {
        vec![leader]
    };
    Some(Elected {
        leader_and_isr: current.new_leader_and_isr(leader, isr),
        unclean: !clean,
    })
}

/// `Election.leaderForReassign`: ISR unchanged.
pub fn elect_reassign(
    target_replicas: &[i32],
    current: &LeaderAndIsr,
    live: &VecSet<i32>,
) -> Option<LeaderAndIsr> {
    let leader = reassign_partition_leader_election(target_replicas, &current.isr, live)?;
    Some(current.new_leader_and_isr(leader, current.isr.clone()))
}

/// `Election.leaderForPreferredReplica`: ISR unchanged. `None` is
/// `PREFERRED_LEADER_NOT_AVAILABLE`.
pub fn elect_preferred(
    assignment: &[i32],
    current: &LeaderAndIsr,
    live: &VecSet<i32>,
) -> Option<LeaderAndIsr> {
    let leader = preferred_replica_partition_leader_election(assignment, &current.isr, live)?;
    Some(current.new_leader_and_isr(leader, current.isr.clone()))
}

/// `Election.leaderForControlledShutdown`: new ISR = ISR minus the shutting-down brokers.
pub fn elect_controlled_shutdown(
    assignment: &[i32],
    current: &LeaderAndIsr,
    live_or_shutting_down: &VecSet<i32>,
    shutting_down: &VecSet<i32>,
) -> Option<LeaderAndIsr> {
    let leader = controlled_shutdown_partition_leader_election(
        assignment,
        &current.isr,
        live_or_shutting_down,
        shutting_down,
    )?;
    let isr = current
        .isr
        .iter()
        .copied()
        .filter(|id| !shutting_down.contains(id))
        .collect();
    Some(current.new_leader_and_isr(leader, isr))
}

/// `NewPartition -> OnlinePartition` (`initializeLeaderAndIsrForPartitions`): leader = first
/// live replica, ISR = live replicas in assignment order, epoch 0, znode version 0. `None`
/// if no replica is live (the partition stays `NewPartition`).
pub fn initial_leader_and_isr(assignment: &[i32], live: &VecSet<i32>) -> Option<LeaderAndIsr> {
    let isr: Vec<i32> = assignment
        .iter()
        .copied()
        .filter(|id| live.contains(id))
        .collect();
    let leader = *isr.first()?;
    Some(LeaderAndIsr {
        leader,
        leader_epoch: 0,
        isr,
        zk_version: 0,
    })
}

/// `removeReplicasFromIsr` for one partition when `replica` goes offline: the leader becomes
/// [`NO_LEADER`] if it was that replica; the replica leaves the ISR unless it is the last
/// member (kept so a clean election can wait for it); the epoch is bumped. `None` if the
/// replica was not in the ISR (nothing to write).
pub fn remove_replica_from_isr(current: &LeaderAndIsr, replica: i32) -> Option<LeaderAndIsr> {
    if !current.isr.contains(&replica) {
        return None;
    }
    let leader = if current.leader == replica {
        NO_LEADER
    } else {
        current.leader
    };
    let isr = if current.isr.len() == 1 {
        current.isr.clone()
    } else {
        current
            .isr
            .iter()
            .copied()
            .filter(|&id| id != replica)
            .collect()
    };
    Some(current.new_leader_and_isr(leader, isr))
}
