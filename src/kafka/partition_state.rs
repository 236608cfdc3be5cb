//! Replication rules of a partition, as pure functions: the leader's view of each follower,
//! the high watermark rule, ISR shrink and expand, and the controller's leader elections.
//!
//! Models `Partition.scala` / `Replica.scala` (2.8.2): `Replica.updateFetchState` and its
//! `lastCaughtUpTimeMs` rule, `resetLastCaughtUpTime` and the LEO reset of `makeLeader`,
//! `maybeIncrementLeaderHW` (HW = the smallest LEO among the leader and every remote replica
//! that is in the *maximal* ISR or caught up within `replica.lag.time.max.ms`; never
//! backwards), `getOutOfSyncReplicas` / `isFollowerOutOfSync`, and the expand test
//! `isFollowerAtHighwatermark` (follower LEO >= HW and >= the leader epoch start offset).
//! Elections follow `PartitionLeaderElectionAlgorithms` and `Election.scala`: offline (clean,
//! then unclean if enabled), reassignment, preferred replica and controlled shutdown, plus
//! the initial election of a new partition and the controller's ISR removal for an offline
//! replica (`ReplicaStateMachine.removeReplicasFromIsr`).
//!
//! Simplifies: the caller passes time, LEOs and the ISR in; no locks, purgatory or
//! `AlterIsr` channel here (the caller tracks whether an ISR change is in flight and which
//! set is the maximal ISR). "Live" sets are given by the caller (registered brokers minus
//! shutting-down ones, log dir online).

use crate::sim::VecSet;

use crate::kafka::log::PartitionLog;

/// `LeaderAndIsr.NoLeader`.
pub const NO_LEADER: i32 = -1;
/// `Log.UnknownOffset`: a remote replica's LEO before its first fetch.
pub const UNKNOWN_OFFSET: i64 = -1;
/// "Never caught up". Kafka uses 0, the Unix epoch, decades before any wall-clock `now`; the
/// simulated clock starts at 0, so "never" must lie further back than any
/// `replica.lag.time.max.ms` or a replica that never fetched would count as caught up (and
/// hold the high watermark back) during the first lag period of a run.
pub const NEVER_CAUGHT_UP_MS: i64 = -(1 << 40);

/// The leader's record of one follower (`Replica`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RemoteReplica {
    /// The follower's broker id.
    pub broker_id: i32,
    /// Its LEO as last reported by a fetch ([`UNKNOWN_OFFSET`] before one).
    pub log_end_offset: i64,
    /// Its log start offset as last reported.
    pub log_start_offset: i64,
    /// The largest time at which its fetch offset was >= the leader's LEO.
    pub last_caught_up_time_ms: i64,
    last_fetch_leader_log_end_offset: i64,
    last_fetch_time_ms: i64,
}

impl RemoteReplica {
    /// A follower the leader has not heard from.
    pub fn new(broker_id: i32) -> Self {
        Self {
            broker_id,
            log_end_offset: UNKNOWN_OFFSET,
            log_start_offset: UNKNOWN_OFFSET,
            last_caught_up_time_ms: NEVER_CAUGHT_UP_MS,
            last_fetch_leader_log_end_offset: 0,
            last_fetch_time_ms: 0,
        }
    }

    /// `updateFetchState`: a fetch at `fetch_offset` arrived at `fetch_time_ms` while the
    /// leader's LEO was `leader_end_offset`. Caught up now if the fetch reached the leader's
    /// LEO; else caught up as of the previous fetch if it reached the LEO of that time.
    pub fn update_fetch_state(
        &mut self,
        fetch_offset: i64,
        follower_start_offset: i64,
        fetch_time_ms: i64,
        leader_end_offset: i64,
    ) {
        if fetch_offset >= leader_end_offset {
            self.last_caught_up_time_ms = self.last_caught_up_time_ms.max(fetch_time_ms);
        } else if fetch_offset >= self.last_fetch_leader_log_end_offset {
            self.last_caught_up_time_ms = self.last_caught_up_time_ms.max(self.last_fetch_time_ms);
        }
        self.log_start_offset = follower_start_offset;
        self.log_end_offset = fetch_offset;
        self.last_fetch_leader_log_end_offset = leader_end_offset;
        self.last_fetch_time_ms = fetch_time_ms;
    }

    /// `resetLastCaughtUpTime`.
    pub fn reset_last_caught_up_time(
        &mut self,
        leader_end_offset: i64,
        now_ms: i64,
        last_caught_up_time_ms: i64,
    ) {
        self.last_fetch_leader_log_end_offset = leader_end_offset;
        self.last_fetch_time_ms = now_ms;
        self.last_caught_up_time_ms = last_caught_up_time_ms;
    }
}

/// What `makeLeader` does to the remote replicas: ISR members count as caught up now, the
/// others as never; if this broker was not already the leader, their LEOs become unknown
/// (`updateFetchState(Unknown, Unknown, 0, Unknown)`).
pub fn reset_remote_replicas_on_make_leader(
    remotes: &mut [RemoteReplica],
    isr: &[i32],
    leader_epoch_start_offset: i64,
    now_ms: i64,
    is_new_leader: bool,
) {
    for replica in remotes.iter_mut() {
        let caught_up = if isr.contains(&replica.broker_id) {
            now_ms
        } else {
            NEVER_CAUGHT_UP_MS
        };
        replica.reset_last_caught_up_time(leader_epoch_start_offset, now_ms, caught_up);
    }
    if is_new_leader {
        for replica in remotes.iter_mut() {
            replica.update_fetch_state(
                UNKNOWN_OFFSET,
                UNKNOWN_OFFSET,
                NEVER_CAUGHT_UP_MS,
                UNKNOWN_OFFSET,
            );
        }
    }
}

/// The HW `maybeIncrementLeaderHW` proposes: the leader's LEO lowered to the LEO of every
/// remote replica that is in `maximal_isr` or caught up within `replica_lag_time_max_ms`.
pub fn leader_hw_candidate(
    leader_log_end_offset: i64,
    remotes: &[RemoteReplica],
    maximal_isr: &[i32],
    now_ms: i64,
    replica_lag_time_max_ms: i64,
) -> i64 {
    let mut hw = leader_log_end_offset;
    for replica in remotes {
        let counts = now_ms - replica.last_caught_up_time_ms <= replica_lag_time_max_ms
            || maximal_isr.contains(&replica.broker_id);
        if replica.log_end_offset < hw && counts {
            hw = replica.log_end_offset;
        }
    }
    hw
}

/// `maybeIncrementLeaderHW`: apply [`leader_hw_candidate`] to the leader's log, forward only.
/// Returns true if the HW moved.
pub fn maybe_increment_leader_hw(
    leader_log: &mut PartitionLog,
    remotes: &[RemoteReplica],
    maximal_isr: &[i32],
    now_ms: i64,
    replica_lag_time_max_ms: i64,
) -> bool {
    let candidate = leader_hw_candidate(
        leader_log.log_end_offset(),
        remotes,
        maximal_isr,
        now_ms,
        replica_lag_time_max_ms,
    );
    // The candidate never exceeds the leader's LEO, so the only refusal is "not larger".
    matches!(
        leader_log.maybe_increment_high_watermark(candidate),
        Ok(Some(_))
    )
}

/// `isFollowerOutOfSync`: its LEO differs from the leader's and it has not been caught up
/// for more than `max_lag_ms`.
pub fn is_follower_out_of_sync(
    replica: &RemoteReplica,
    leader_end_offset: i64,
    now_ms: i64,
    max_lag_ms: i64,
) -> bool {
    replica.log_end_offset != leader_end_offset
        && now_ms - replica.last_caught_up_time_ms > max_lag_ms
}

/// `getOutOfSyncReplicas`: ISR members (other than the leader) that are out of sync; empty
/// while an ISR change is in flight. Result in ascending broker id order.
pub fn out_of_sync_replicas(
    isr: &[i32],
    leader_id: i32,
    isr_change_in_flight: bool,
    remotes: &[RemoteReplica],
    leader_end_offset: i64,
    now_ms: i64,
    max_lag_ms: i64,
) -> Vec<i32> {
    if isr_change_in_flight {
        return Vec::new();
    }
    let out: VecSet<i32> = remotes
        .iter()
        .filter(|r| r.broker_id != leader_id && isr.contains(&r.broker_id))
        .filter(|r| is_follower_out_of_sync(r, leader_end_offset, now_ms, max_lag_ms))
        .map(|r| r.broker_id)
        .collect();
    out.into_iter().collect()
}

/// `needsExpandIsr`: no ISR change in flight, the follower is not in the ISR, and its LEO
/// has reached both the leader's HW and the start offset of the leader's current epoch.
pub fn needs_expand_isr(
    follower: &RemoteReplica,
    isr: &[i32],
    isr_change_in_flight: bool,
    leader_high_watermark: i64,
    leader_epoch_start_offset: Option<i64>,
) -> bool {
    !isr_change_in_flight
        && !isr.contains(&follower.broker_id)
        && follower.log_end_offset >= leader_high_watermark
        && leader_epoch_start_offset.is_some_and(|start| follower.log_end_offset >= start)
}

mod election;
pub use election::*;

#[cfg(test)]
mod tests;
