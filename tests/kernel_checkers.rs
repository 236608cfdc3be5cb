//! Checkers as observers: a violation lands in the step's record, its trace line and the
//! counts, is reported once while it persists, survives time travel, and `Sometimes`
//! properties are judged at the end of a run.

mod kernel_support;

use kernel_support::cluster::{sim, ClusterTimelineExt};
use zooscope::cluster::runner::{run_trace, RunConfig, ScenarioSource};
use zooscope::cluster::{ClusterSim, ClusterTimeline, Node, Record};
use zooscope::sim::{
    CheckKind, Checker, CheckerInfo, Input, LinkConfig, NodeId, Sim, TimelineLimits, World, MS,
};

const M1: NodeId = NodeId(0);
const M2: NodeId = NodeId(1);

fn black_hole() -> LinkConfig {
    LinkConfig {
        loss_ppm: 1_000_000,
        ..LinkConfig::default()
    }
}

fn index_of(infos: &[CheckerInfo], name: &str) -> usize {
    infos
        .iter()
        .position(|i| i.name == name)
        .unwrap_or_else(|| panic!("no checker {name}"))
}

#[test]
fn a_one_way_black_hole_makes_views_converge_fire_in_the_record_and_the_counts() {
    let mut s = sim("heartbeat", 1, false);
    let converge = index_of(&s.checker_infos(), "heartbeat.views-converge");
    for _ in 0..200 {
        s.step();
    }
    // m1 never hears from m2 again, yet nothing is down, cut or held: the network looks
    // healthy, so after the grace period the property must hold, and it does not.
    s.world.inject(Input::SetLink(M2, M1, black_hole()));
    let mut found = Vec::new();
    for _ in 0..20_000 {
        let rec = s.step().expect("heartbeats never stop");
        if !rec.violations.is_empty() {
            found.push(rec);
        }
    }
    assert_eq!(found.len(), 1, "a persisting violation is reported once");
    let rec = &found[0];
    let v = &rec.violations[0];
    assert_eq!(v.checker, "heartbeat.views-converge");
    assert_eq!(v.kind, CheckKind::EventuallyAfterHeal);
    assert_eq!((v.step, v.time_us), (rec.step, rec.time_us));
    assert!(
        v.message.contains("m1 still does not see m2"),
        "{}",
        v.message
    );
    let line = rec.trace_line(&|id| s.world.label(id));
    assert!(line.contains("| VIOLATION heartbeat.views-converge: m1 still does not see m2"));
    assert_eq!(s.violation_counts[converge], 1);
    assert_eq!(s.violation_counts.iter().sum::<u64>(), 1);
}

#[test]
fn a_violation_that_clears_and_comes_back_is_reported_again() {
    let mut s = sim("heartbeat", 2, false);
    let converge = index_of(&s.checker_infos(), "heartbeat.views-converge");
    let run = |s: &mut ClusterSim, steps: u64| {
        for _ in 0..steps {
            s.step();
        }
    };
    run(&mut s, 200);
    s.world.inject(Input::SetLink(M2, M1, black_hole()));
    run(&mut s, 10_000);
    assert_eq!(s.violation_counts[converge], 1);
    s.world
        .inject(Input::SetLink(M2, M1, LinkConfig::default()));
    run(&mut s, 10_000);
    assert_eq!(s.violation_counts[converge], 1, "healed: nothing new");
    s.world.inject(Input::SetLink(M2, M1, black_hole()));
    run(&mut s, 10_000);
    assert_eq!(s.violation_counts[converge], 2);
}

/// A test-only property: nothing stays held on the wire for more than half a second.
#[derive(Clone, Debug)]
struct NothingHeldLong;

impl Checker<Node> for NothingHeldLong {
    fn info(&self) -> CheckerInfo {
        CheckerInfo {
            name: "test.nothing-held-long",
            kind: CheckKind::Always,
            description: "no message is held on the wire for more than 500 ms",
        }
    }

    fn after_step(&mut self, world: &World<Node>, _rec: &Record) -> Option<String> {
        let now = world.now_us();
        world
            .in_flight()
            .find(|f| f.held && now.saturating_sub(f.sent_us) > 500 * MS)
            .map(|f| format!("message #{} has been held for over 500 ms", f.id))
    }
}

#[test]
fn holding_messages_makes_a_custom_checker_fire_and_time_travel_replays_it() {
    let world = sim("heartbeat", 3, false).world;
    let s = Sim::new(world, vec![NothingHeldLong]);
    let mut t = zooscope::sim::Timeline::new(s, TimelineLimits::default());
    t.seek(100);
    t.inject(Input::HoldLink(M1, M2));
    t.seek(3_000);
    let (n, rec) = (1..=3_000u64)
        .filter_map(|n| t.record(n).map(|r| (n, r.clone())))
        .find(|(_, r)| !r.violations.is_empty())
        .expect("the checker fired");
    assert_eq!(rec.violations[0].checker, "test.nothing-held-long");
    assert!(t.current().violation_counts[0] >= 1);
    // Seek back before the violation and replay: the very same record comes out.
    t.seek(n - 1);
    let w = &t.current().world;
    let mut copy = t.current().clone();
    let replayed = copy.step().expect("a step");
    assert_eq!(
        replayed.trace_line(&|id| w.label(id)),
        rec.trace_line(&|id| w.label(id))
    );
    assert_eq!(replayed.violations, rec.violations);
}

#[test]
fn a_sometimes_property_that_never_held_is_reported_at_the_end() {
    let text = r#"{"base": "heartbeat", "link": {"latency_min_us": 1000, "latency_max_us": 2000,
        "loss_ppm": 1000000, "duplicate_ppm": 0, "fifo": true}}"#;
    let source = ScenarioSource::File {
        path: "black-hole.json".into(),
        text: text.into(),
    };
    // 40 steps are a bit less than a second of ticks: before views-converge's grace period.
    let cfg = RunConfig {
        seed: 1,
        steps: 40,
        chaos: false,
    };
    let out = run_trace(&source, cfg).expect("runs");
    assert!(
        out.summary.violations.is_empty(),
        "{:?}",
        out.summary.violations
    );
    let end = &out.summary.end_violations;
    assert_eq!(end.len(), 1, "{end:?}");
    assert_eq!(end[0].checker, "heartbeat.full-view-reached");
    assert_eq!(end[0].kind, CheckKind::Sometimes);
    assert!(out
        .text()
        .contains("end: VIOLATION heartbeat.full-view-reached: no member ever saw"));
    let (info, n) = out
        .summary
        .checker_counts
        .iter()
        .find(|(i, _)| i.name == "heartbeat.full-view-reached")
        .expect("counted");
    assert_eq!((info.kind, *n), (CheckKind::Sometimes, 1));
}

#[test]
fn a_timeline_keeps_violation_marks_on_its_records() {
    let mut t = ClusterTimeline::new(sim("heartbeat", 4, false), TimelineLimits::default());
    t.seek(200);
    t.inject(Input::SetLink(M2, M1, black_hole()));
    t.seek(6_000);
    let marked: Vec<u64> = t
        .records()
        .filter(|r| !r.violations.is_empty())
        .map(|r| r.step)
        .collect();
    assert_eq!(marked.len(), 1);
    assert!(t
        .line(marked[0])
        .contains("VIOLATION heartbeat.views-converge"));
}
