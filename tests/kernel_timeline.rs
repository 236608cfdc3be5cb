//! Time travel: seek, step back, forks on input, replay from scratch, and the timeline's bounds.

mod kernel_support;

use kernel_support::cluster::{
    digest, fingerprint, replay, sim, timeline, timeline_lines, ClusterTimelineExt,
};
use proptest::prelude::*;
use zooscope::cluster::ClusterTimeline;
use zooscope::sim::{Input, LinkConfig, NodeId, TimelineLimits};

/// The state and trace a straight run reaches after `n` steps.
fn straight(name: &str, seed: u64, chaos: bool, n: u64) -> (Vec<String>, String) {
    let (lines, sim) = replay(sim(name, seed, chaos), &[], n);
    (lines, fingerprint(&sim))
}

/// The first line where two traces differ (or where one ends), for short failure messages.
fn first_difference(a: &[String], b: &[String]) -> Option<(usize, String, String)> {
    let n = a.len().max(b.len());
    (0..n)
        .map(|i| {
            (
                i,
                a.get(i).cloned().unwrap_or_default(),
                b.get(i).cloned().unwrap_or_default(),
            )
        })
        .find(|(_, x, y)| x != y)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 24,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// Seeking (from wherever the cursor was) lands on the very state a straight run reaches:
    /// same records up to n, same observable state, and the same next steps.
    #[test]
    fn seeking_to_any_step_equals_a_straight_run_to_that_step(
        seed in 0u64..1_000,
        first in 0u64..2_500,
        n in 0u64..2_500,
    ) {
        let mut t = timeline("heartbeat", seed, true);
        t.seek(first);
        t.seek(n);
        prop_assert_eq!(t.cursor(), n);
        let (lines, state) = straight("heartbeat", seed, true, n + 20);
        let (_, state_at_n) = straight("heartbeat", seed, true, n);
        prop_assert_eq!(fingerprint(t.current()), state_at_n);
        let n = n as usize;
        let kept = timeline_lines(&t);
        prop_assert_eq!(first_difference(&kept[..n], &lines[..n]), None);
        // Re-executing from the sought state gives the straight run's next records.
        prop_assert_eq!(first_difference(&t.next_lines(20), &lines[n..]), None);
        t.seek(n as u64 + 20);
        prop_assert_eq!(first_difference(&timeline_lines(&t)[..n + 20], &lines), None);
        prop_assert_eq!(fingerprint(t.current()), state);
    }
}

#[test]
fn stepping_back_then_forward_gives_the_same_records() {
    let mut t = timeline("heartbeat", 3, true);
    t.seek(1_000);
    for back in [1u64, 1, 1, 63, 64, 65, 129, 500] {
        let at = t.cursor();
        let stored: Vec<String> = (at - back + 1..=at).map(|n| t.line(n)).collect();
        let state = fingerprint(t.current());
        for _ in 0..back {
            assert!(t.step_back());
        }
        assert_eq!(t.cursor(), at - back);
        // Re-executing from the restored state produces the records that were stored.
        assert_eq!(t.next_lines(back), stored);
        for _ in 0..back {
            assert!(t.step());
        }
        assert_eq!(fingerprint(t.current()), state);
    }
}

#[test]
fn stepping_back_stops_at_the_floor() {
    let mut t = timeline("default", 1, false);
    t.seek(3);
    assert!(t.step_back() && t.step_back() && t.step_back());
    assert_eq!(t.cursor(), 0);
    assert!(!t.step_back());
}

#[test]
fn an_input_in_the_past_truncates_the_future_and_forks_a_different_one() {
    let mut t = timeline("heartbeat", 5, false);
    t.seek(2_000);
    let old_future = timeline_lines(&t)[800..].to_vec();
    t.seek(800);
    assert_eq!(t.len(), 2_000, "seeking back keeps the recorded future");
    t.inject(Input::Crash(NodeId(2)));
    assert_eq!(t.len(), 800, "an input in the past truncates the future");
    assert!(t.record(801).is_none());
    t.seek(2_000);
    let new_future = timeline_lines(&t)[800..].to_vec();
    assert_eq!(new_future.len(), old_future.len());
    assert!(
        new_future[0].contains("input: crash m3"),
        "{}",
        new_future[0]
    );
    assert_ne!(new_future, old_future);
    assert_eq!(t.inputs(), &[(800, Input::Crash(NodeId(2)))]);
}

#[test]
fn replaying_the_inputs_from_scratch_gives_the_live_digest() {
    let mut t = timeline("heartbeat", 11, true);
    let lossy = LinkConfig {
        loss_ppm: 300_000,
        ..LinkConfig::default()
    };
    // A session: play, act, go back, act again (fork), jump around, act at the end.
    t.seek(500);
    t.inject(Input::Partition(vec![
        vec![NodeId(0), NodeId(1)],
        vec![NodeId(2)],
    ]));
    t.seek(1_500);
    t.inject(Input::SetLink(NodeId(3), NodeId(4), lossy));
    t.seek(1_200);
    t.inject(Input::Heal);
    t.inject(Input::Crash(NodeId(4)));
    t.seek(2_500);
    t.seek(1_700);
    t.inject(Input::Restart(NodeId(4)));
    t.seek(3_000);
    let live = timeline_lines(&t);
    assert_eq!(live.len(), 3_000);
    let inputs = t.inputs().to_vec();
    assert_eq!(inputs.len(), 4, "{inputs:?}");
    let (scratch, end) = replay(sim("heartbeat", 11, true), &inputs, 3_000);
    assert_eq!(digest(&scratch), digest(&live));
    assert_eq!(fingerprint(&end), fingerprint(t.current()));
}

#[test]
fn the_record_bound_moves_the_floor_and_a_seek_below_it_clamps() {
    let limits = TimelineLimits {
        checkpoint_interval: 100,
        max_checkpoints: 1_000,
        max_records: 1_000,
    };
    let mut t = ClusterTimeline::new(sim("default", 2, false), limits);
    t.seek(5_000);
    assert_eq!(t.cursor(), 5_000);
    assert!(t.floor() > 0, "old records were dropped");
    assert!(t.len() - t.floor() <= 1_000);
    assert!(t.record(t.floor()).is_none());
    assert!(t.record(t.floor() + 1).is_some());
    assert!(t
        .notices()
        .iter()
        .any(|n| n.contains("records before step")));
    let floor = t.floor();
    t.seek(0);
    assert_eq!(t.cursor(), floor, "a seek below the floor clamps to it");
    assert!(!t.step_back());
    // The state at the floor is still the true one.
    let (_, state) = {
        let (lines, s) = replay(sim("default", 2, false), &[], floor);
        (lines, fingerprint(&s))
    };
    assert_eq!(fingerprint(t.current()), state);
}

#[test]
fn checkpoint_thinning_keeps_the_count_within_the_bound() {
    let limits = TimelineLimits {
        checkpoint_interval: 10,
        max_checkpoints: 8,
        max_records: 1_000_000,
    };
    let mut t = ClusterTimeline::new(sim("heartbeat", 4, true), limits);
    for target in (0..=6_000).step_by(250) {
        t.seek(target);
        assert!(
            t.checkpoint_count() <= 8,
            "{} checkpoints",
            t.checkpoint_count()
        );
    }
    assert!(t
        .notices()
        .iter()
        .any(|n| n.contains("checkpoints thinned")));
    // Seeking still works after thinning.
    t.seek(1_234);
    let (_, state) = {
        let (lines, s) = replay(sim("heartbeat", 4, true), &[], 1_234);
        (lines, fingerprint(&s))
    };
    assert_eq!(fingerprint(t.current()), state);
}

#[test]
fn seeking_past_the_end_steps_on_and_records_the_new_steps() {
    let mut t = timeline("default", 9, false);
    t.seek(100);
    assert_eq!((t.cursor(), t.len()), (100, 100));
    t.seek(250);
    assert_eq!((t.cursor(), t.len()), (250, 250));
    let (lines, _) = replay(sim("default", 9, false), &[], 250);
    assert_eq!(timeline_lines(&t), lines);
}

/// Every scenario's actors must survive being cloned into checkpoints: state shared between
/// clones (an `Rc<RefCell<…>>` in an actor) would make a seek land on a corrupted state.
#[test]
fn every_catalogue_scenario_seeks_back_to_the_state_of_a_straight_run() {
    for info in zooscope::cluster::catalogue() {
        for chaos in [false, true] {
            let mut t = timeline(info.name, 6, chaos);
            t.seek(1_500);
            t.seek(700);
            let (lines, at) = replay(sim(info.name, 6, chaos), &[], 720);
            let (_, at_700) = replay(sim(info.name, 6, chaos), &[], 700);
            let what = format!("{} chaos={chaos}", info.name);
            assert_eq!(fingerprint(t.current()), fingerprint(&at_700), "{what}");
            assert_eq!(t.next_lines(20), lines[700..].to_vec(), "{what}");
            t.seek(720);
            assert_eq!(fingerprint(t.current()), fingerprint(&at), "{what}");
        }
    }
}
