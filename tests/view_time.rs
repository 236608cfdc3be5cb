//! Time that fits a person (issue 12), checked natively: skipping quiet time changes only
//! what is drawn (the steps, their trace and digest are the same), a crashed leader is
//! replaced within seconds of wall time at the default speed, and "run to …" stops on the
//! step its target names.

use zooscope::cluster::Record;
use zooscope::sim::{Input, NodeId};
use zooscope::view::run::{Run, RunSpec};
use zooscope::view::state::{speed_of, SPEED_DEFAULT};
use zooscope::view::targets;

fn default_run(seed: u64, servers: Option<usize>) -> Run {
    Run::new(RunSpec {
        scenario: "default".into(),
        seed,
        servers,
    })
    .expect("the default scenario builds")
}

/// The run's trace lines up to its cursor.
fn trace(run: &Run) -> Vec<String> {
    let tl = run.timeline();
    let world = &tl.current().world;
    let label = |id: NodeId| world.label(id);
    (1..=run.cursor())
        .map(|n| {
            let rec: &Record = tl.record(n).expect("recorded");
            rec.trace_line(&label)
        })
        .collect()
}

fn digest(lines: &[String]) -> u64 {
    // FNV-1a: enough to tell two traces apart in a test.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in lines.iter().flat_map(|l| l.bytes().chain([b'\n'])) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x100_0000_01b3);
    }
    h
}

/// Plays `frames` frames of 16 ms at the default speed, crashing the leader at frame 300.
fn played(skip: bool, frames: usize) -> Run {
    let mut run = default_run(4, None);
    run.set_skip_quiet(skip);
    for i in 0..frames {
        if i == 300 {
            if let Some(l) = run.frame().scene.leader {
                run.inject(Input::Crash(l));
            }
        }
        run.advance(16.0, speed_of(SPEED_DEFAULT), &|| false);
    }
    run
}

#[test]
fn skipping_quiet_time_changes_neither_the_trace_nor_the_digest() {
    let skipped = played(true, 3_000);
    let n = skipped.cursor();
    assert!(n > 500, "only {n} steps were taken");
    let plain_lines = {
        // The same steps taken one by one, with the crash at the same step.
        let crash_at = skipped.timeline().inputs()[0].0;
        let mut run = default_run(4, None);
        run.seek(crash_at);
        let leader = skipped.timeline().inputs()[0].1.clone();
        run.inject(leader);
        run.seek(n);
        trace(&run)
    };
    let skipped_lines = trace(&skipped);
    assert_eq!(skipped_lines.len(), plain_lines.len());
    assert_eq!(skipped_lines, plain_lines);
    assert_eq!(digest(&skipped_lines), digest(&plain_lines));

    // Proportional playback takes a prefix of the same steps.
    let proportional = played(false, 3_000);
    let p = trace(&proportional);
    assert!(p.len() < skipped_lines.len());
    if proportional.timeline().inputs().is_empty() {
        return;
    }
    let same_crash = proportional.timeline().inputs()[0].0 == skipped.timeline().inputs()[0].0;
    if same_crash {
        assert_eq!(p[..], skipped_lines[..p.len()]);
    }
}

#[test]
fn a_crashed_leader_is_replaced_within_seconds_of_wall_time_at_the_default_speed() {
    for servers in [None, Some(5), Some(7)] {
        let mut run = default_run(3, servers);
        run.set_skip_quiet(true);
        let speed = speed_of(SPEED_DEFAULT);
        // Until there is a leader with a quorum.
        let mut wall = 0.0;
        while !run.history().transitions().iter().any(|t| t.is_election()) {
            run.advance(16.0, speed, &|| false);
            wall += 16.0;
            assert!(wall < 120_000.0, "no first leader");
        }
        for _ in 0..1_000 {
            run.advance(16.0, speed, &|| false);
        }
        let old = run.frame().scene.leader.expect("a leader");
        run.inject(Input::Crash(old));
        let elections_before = run.history().markers().len();
        let mut wall = 0.0;
        let mut drawn_with_dots = 0;
        loop {
            run.advance(16.0, speed, &|| false);
            wall += 16.0;
            if !run.frame().scene.dots.is_empty() {
                drawn_with_dots += 1;
            }
            let f = run.frame();
            let new = f.scene.leader.filter(|l| *l != old);
            let elected = run.history().markers()[elections_before..]
                .iter()
                .any(|m| m.kind == zooscope::view::history::MarkerKind::Election);
            if new.is_some() && elected {
                break;
            }
            assert!(
                wall < 10_000.0,
                "no new leader after {wall} ms of wall time"
            );
        }
        println!(
            "{} servers: new leader {wall} ms of wall time after the crash ({drawn_with_dots} frames with messages drawn)",
            servers.unwrap_or(3)
        );
        assert!(drawn_with_dots > 30, "messages were not animated");
        let gaps = run.history().gaps();
        assert!(
            gaps.iter()
                .any(|g| g.text.starts_with("⏩ ") && g.span_us > 1_000_000),
            "{gaps:?}"
        );
    }
}

#[test]
fn run_to_the_next_election_stops_where_the_new_leader_is_established() {
    let mut run = default_run(3, None);
    let first = run.run_to(&targets::ELECTION, targets::MAX_SEARCH_STEPS);
    assert!(first.hit, "{first:?}");
    let old = first.node.expect("the new leader");
    assert_eq!(run.frame().scene.leader, Some(old));
    run.seek(first.step + 300);
    run.inject(Input::Crash(old));
    let effect = run.run_to(&targets::FAULT_EFFECT, targets::MAX_SEARCH_STEPS);
    assert!(effect.hit, "{effect:?}");
    assert!(effect.text.contains("LOOKING"), "{}", effect.text);
    let next = run.run_to(&targets::ELECTION, targets::MAX_SEARCH_STEPS);
    assert!(next.hit, "{next:?}");
    let new = next.node.unwrap();
    assert_ne!(new, old);
    assert_eq!(run.cursor(), next.step);
    assert_eq!(run.frame().scene.leader, Some(new));
    assert!(next.text.contains("LEADING"), "{}", next.text);
    // The step before it had no new leader yet.
    run.back();
    assert_ne!(run.frame().scene.leader, Some(new));
    run.step();

    let commit = run.run_to(
        &targets::by_slug("commit").unwrap(),
        targets::MAX_SEARCH_STEPS,
    );
    assert!(commit.hit, "{commit:?}");
    // No violation in a healthy run: the search is bounded and says so.
    let v = run.run_to(&targets::VIOLATION, 2_000);
    assert!(!v.hit);
    assert!(v.text.contains("not found in 2000 steps"), "{}", v.text);
}
