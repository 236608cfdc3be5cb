use crate::sim::VecSet;

use super::*;
use crate::kafka::log::{LogLimits, RecordData};

const LAG_MS: i64 = 30_000;

fn set(ids: &[i32]) -> VecSet<i32> {
    ids.iter().copied().collect()
}

fn fetched(id: i32, leo: i64, caught_up_ms: i64) -> RemoteReplica {
    let mut r = RemoteReplica::new(id);
    r.log_end_offset = leo;
    r.last_caught_up_time_ms = caught_up_ms;
    r
}

fn leader_log(records: usize) -> PartitionLog {
    let mut log = PartitionLog::new(LogLimits::default());
    let batch: Vec<RecordData> = (0..records)
        .map(|i| RecordData::new(None, &i.to_string(), 0))
        .collect();
    log.append_as_leader(&batch, 0).unwrap();
    log
}

#[test]
fn a_fetch_at_the_leaders_leo_marks_the_follower_caught_up_now() {
    let mut r = RemoteReplica::new(2);
    r.update_fetch_state(10, 0, 1_000, 10);
    assert_eq!((r.log_end_offset, r.last_caught_up_time_ms), (10, 1_000));
}

#[test]
fn a_fetch_reaching_the_previous_leo_counts_as_caught_up_at_the_previous_fetch() {
    // Replica.updateFetchState: small produce requests keep the follower one step behind,
    // yet it stays in sync.
    let mut r = RemoteReplica::new(2);
    r.update_fetch_state(10, 0, 1_000, 10);
    r.update_fetch_state(10, 0, 2_000, 12); // leader grew to 12 meanwhile
    assert_eq!(r.last_caught_up_time_ms, 1_000);
    r.update_fetch_state(12, 0, 3_000, 15); // reached the LEO of the previous fetch
    assert_eq!(r.last_caught_up_time_ms, 2_000);
    r.update_fetch_state(13, 0, 4_000, 20); // behind the previous LEO (15): no credit
    assert_eq!(r.last_caught_up_time_ms, 2_000);
}

#[test]
fn make_leader_counts_isr_members_caught_up_and_forgets_remote_leos() {
    let mut remotes = vec![fetched(2, 7, 0), fetched(3, 7, 0)];
    reset_remote_replicas_on_make_leader(&mut remotes, &[1, 2], 7, 5_000, true);
    assert_eq!(remotes[0].last_caught_up_time_ms, 5_000);
    assert_eq!(remotes[1].last_caught_up_time_ms, NEVER_CAUGHT_UP_MS);
    assert!(remotes.iter().all(|r| r.log_end_offset == UNKNOWN_OFFSET));
    // A leader re-elected in place keeps the LEOs it knew.
    let mut same = vec![fetched(2, 7, 0)];
    reset_remote_replicas_on_make_leader(&mut same, &[1, 2], 7, 5_000, false);
    assert_eq!(same[0].log_end_offset, 7);
}

#[test]
fn hw_is_the_smallest_leo_over_the_isr_and_caught_up_replicas() {
    let now = 100_000;
    // Replica 2 in ISR at 5, replica 3 out of ISR but caught up recently at 4,
    // replica 4 out of ISR and long behind at 1 (ignored).
    let remotes = vec![
        fetched(2, 5, 0),
        fetched(3, 4, now - 1_000),
        fetched(4, 1, 0),
    ];
    assert_eq!(leader_hw_candidate(8, &remotes, &[1, 2], now, LAG_MS), 4);
    assert_eq!(
        leader_hw_candidate(8, &remotes[..1], &[1, 2], now, LAG_MS),
        5
    );
    assert_eq!(leader_hw_candidate(8, &[], &[1], now, LAG_MS), 8);
}

#[test]
fn hw_counts_the_maximal_isr_while_an_expansion_is_pending() {
    // KIP-497: a replica being added counts before the controller confirms it.
    let remotes = vec![fetched(2, 3, 0)];
    assert_eq!(leader_hw_candidate(8, &remotes, &[1], 100_000, LAG_MS), 8);
    assert_eq!(
        leader_hw_candidate(8, &remotes, &[1, 2], 100_000, LAG_MS),
        3
    );
}

#[test]
fn the_leader_hw_never_moves_backwards() {
    let mut log = leader_log(6);
    let now = 1_000;
    assert!(maybe_increment_leader_hw(
        &mut log,
        &[fetched(2, 6, now)],
        &[1, 2],
        now,
        LAG_MS
    ));
    assert_eq!(log.high_watermark(), 6);
    // A new leader sees unknown remote LEOs (-1): the HW does not drop.
    let unknown = vec![RemoteReplica::new(2)];
    assert!(!maybe_increment_leader_hw(
        &mut log,
        &unknown,
        &[1, 2],
        now,
        LAG_MS
    ));
    assert_eq!(log.high_watermark(), 6);
}

#[test]
fn a_follower_is_out_of_sync_only_if_behind_and_not_caught_up_within_the_lag() {
    let now = 100_000;
    assert!(is_follower_out_of_sync(
        &fetched(2, 5, now - 30_001),
        8,
        now,
        LAG_MS
    ));
    assert!(!is_follower_out_of_sync(
        &fetched(2, 5, now - 30_000),
        8,
        now,
        LAG_MS
    ));
    // At the leader's LEO it is in sync however long ago it last fetched.
    assert!(!is_follower_out_of_sync(&fetched(2, 8, 0), 8, now, LAG_MS));
}

#[test]
fn shrink_candidates_are_lagging_isr_followers_unless_a_change_is_in_flight() {
    let now = 100_000;
    let remotes = vec![fetched(3, 2, 0), fetched(2, 8, 0), fetched(4, 1, 0)];
    assert_eq!(
        out_of_sync_replicas(&[1, 2, 3], 1, false, &remotes, 8, now, LAG_MS),
        vec![3]
    );
    assert!(out_of_sync_replicas(&[1, 2, 3], 1, true, &remotes, 8, now, LAG_MS).is_empty());
}

#[test]
fn expansion_needs_the_hw_and_the_leader_epoch_start_offset() {
    let follower = fetched(3, 6, 0);
    assert!(needs_expand_isr(&follower, &[1, 2], false, 6, Some(4)));
    assert!(
        !needs_expand_isr(&follower, &[1, 2], false, 7, Some(4)),
        "below the HW"
    );
    assert!(
        !needs_expand_isr(&follower, &[1, 2], false, 5, Some(7)),
        "below the epoch start"
    );
    assert!(
        !needs_expand_isr(&follower, &[1, 2], false, 5, None),
        "not leader"
    );
    assert!(
        !needs_expand_isr(&follower, &[1, 2, 3], false, 5, Some(4)),
        "already in ISR"
    );
    assert!(
        !needs_expand_isr(&follower, &[1, 2], true, 5, Some(4)),
        "change in flight"
    );
}

#[test]
fn offline_election_takes_the_first_live_isr_replica_in_assignment_order() {
    let assignment = [3, 1, 2];
    assert_eq!(
        offline_partition_leader_election(&assignment, &[2, 1], &set(&[1, 2]), false),
        Some(1)
    );
    assert_eq!(
        offline_partition_leader_election(&assignment, &[3], &set(&[1, 2]), false),
        None
    );
    assert_eq!(
        offline_partition_leader_election(&assignment, &[3], &set(&[1, 2]), true),
        Some(1)
    );
    assert_eq!(
        offline_partition_leader_election(&assignment, &[3], &set(&[]), true),
        None
    );
}

#[test]
fn clean_offline_election_keeps_the_live_isr_and_unclean_resets_it() {
    let current = LeaderAndIsr {
        leader: 3,
        leader_epoch: 4,
        isr: vec![3, 1],
        zk_version: 7,
    };
    let clean = elect_offline(&[3, 1, 2], &current, &set(&[1, 2]), false).unwrap();
    assert!(!clean.unclean);
    assert_eq!(
        clean.leader_and_isr,
        LeaderAndIsr {
            leader: 1,
            leader_epoch: 5,
            isr: vec![1],
            zk_version: 7
        }
    );
    let only_3 = LeaderAndIsr {
        isr: vec![3],
        ..current.clone()
    };
    assert_eq!(
        elect_offline(&[3, 1, 2], &only_3, &set(&[1, 2]), false),
        None
    );
    let unclean = elect_offline(&[3, 1, 2], &only_3, &set(&[2, 1]), true).unwrap();
    assert!(unclean.unclean);
    assert_eq!(unclean.leader_and_isr.leader, 1);
    assert_eq!(unclean.leader_and_isr.isr, vec![1]);
}

#[test]
fn preferred_election_needs_the_first_replica_live_and_in_isr() {
    let current = LeaderAndIsr {
        leader: 2,
        leader_epoch: 1,
        isr: vec![2, 1],
        zk_version: 0,
    };
    let elected = elect_preferred(&[1, 2], &current, &set(&[1, 2])).unwrap();
    assert_eq!(
        (elected.leader, elected.leader_epoch, elected.isr.clone()),
        (1, 2, vec![2, 1])
    );
    assert_eq!(elect_preferred(&[3, 2], &current, &set(&[2, 3])), None);
    assert_eq!(elect_preferred(&[1, 2], &current, &set(&[2])), None);
}

#[test]
fn reassignment_and_controlled_shutdown_elections_follow_their_rules() {
    let current = LeaderAndIsr {
        leader: 1,
        leader_epoch: 0,
        isr: vec![1, 2, 3],
        zk_version: 0,
    };
    let moved = elect_reassign(&[4, 3, 2], &current, &set(&[2, 3, 4])).unwrap();
    assert_eq!((moved.leader, moved.isr.clone()), (3, vec![1, 2, 3]));
    let shutdown =
        elect_controlled_shutdown(&[1, 2, 3], &current, &set(&[1, 2, 3]), &set(&[1])).unwrap();
    assert_eq!(
        (shutdown.leader, shutdown.leader_epoch, shutdown.isr.clone()),
        (2, 1, vec![2, 3])
    );
    let all_down = elect_controlled_shutdown(&[1, 2], &current, &set(&[1, 2]), &set(&[1, 2]));
    assert_eq!(all_down, None);
}

#[test]
fn a_new_partition_starts_with_the_first_live_replica_and_epoch_zero() {
    let initial = initial_leader_and_isr(&[3, 1, 2], &set(&[1, 2])).unwrap();
    assert_eq!(
        initial,
        LeaderAndIsr {
            leader: 1,
            leader_epoch: 0,
            isr: vec![1, 2],
            zk_version: 0
        }
    );
    assert_eq!(initial_leader_and_isr(&[3], &set(&[1])), None);
}

#[test]
fn an_offline_replica_leaves_the_isr_unless_it_is_the_last_member() {
    let current = LeaderAndIsr {
        leader: 1,
        leader_epoch: 2,
        isr: vec![1, 2],
        zk_version: 3,
    };
    let without_leader = remove_replica_from_isr(&current, 1).unwrap();
    assert_eq!(
        (without_leader.leader, without_leader.leader_epoch),
        (NO_LEADER, 3)
    );
    assert_eq!(without_leader.isr, vec![2]);
    let last = remove_replica_from_isr(&without_leader, 2).unwrap();
    assert_eq!((last.leader, last.isr.clone()), (NO_LEADER, vec![2]));
    assert_eq!(remove_replica_from_isr(&current, 9), None);
}
