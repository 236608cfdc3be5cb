//! Helpers for tests on cluster scenarios: building, fingerprints of a state, digests of a
//! timeline, replays from scratch, and random fault plans for property tests.

use proptest::prelude::*;
use zooscope::cluster::{build, BuildOptions, ClusterSim, ClusterTimeline, Msg};
use zooscope::heartbeat;
use zooscope::sim::{Input, LinkConfig, NodeId, TimelineLimits, TraceDigest};

/// Builds a catalogue scenario.
pub fn sim(name: &str, seed: u64, chaos: bool) -> ClusterSim {
    let opts = BuildOptions {
        seed,
        chaos,
        servers: None,
    };
    build(name, &opts).expect("catalogue scenario builds")
}

/// A timeline with small checkpoint intervals, so seeks cross several checkpoints.
pub fn timeline(name: &str, seed: u64, chaos: bool) -> ClusterTimeline {
    let limits = TimelineLimits {
        checkpoint_interval: 64,
        max_checkpoints: 4_096,
        max_records: 1_000_000,
    };
    ClusterTimeline::new(sim(name, seed, chaos), limits)
}

/// Everything observable about a state that must match between two ways of reaching it:
/// clock, step count, node labels and up-states, armed timers, the wire, the next event,
/// health and the checkers' counts. (Not `Debug` of the actors: that may change shape.)
pub fn fingerprint(sim: &ClusterSim) -> String {
    let w = &sim.world;
    let mut s = format!(
        "now={} steps={} next={:?} healthy={:?} counts={:?}\n",
        w.now_us(),
        w.steps(),
        w.next_event_us(),
        w.healthy_since_us(),
        sim.violation_counts
    );
    for id in w.node_ids() {
        let timers: Vec<_> = w.timers_of(id).collect();
        s += &format!("{} up={} timers={timers:?}\n", w.label(id), w.is_up(id));
    }
    for f in w.in_flight() {
        s += &format!(
            "#{} {}->{} {} sent={} due={} held={}\n",
            f.id,
            f.src,
            f.dst,
            zooscope::sim::Message::summary(&f.msg),
            f.sent_us,
            f.deliver_us,
            f.held
        );
    }
    s += &format!(
        "cut={:?} held={:?}",
        w.net().cut_links().collect::<Vec<_>>(),
        w.net().held_links().collect::<Vec<_>>()
    );
    s
}

/// The trace lines of the timeline's kept records, labelled with its current world.
pub fn timeline_lines(t: &ClusterTimeline) -> Vec<String> {
    let w = &t.current().world;
    t.records()
        .map(|r| r.trace_line(&|id| w.label(id)))
        .collect()
}

/// The digest of a list of trace lines.
pub fn digest(lines: &[String]) -> String {
    let mut d = TraceDigest::default();
    for l in lines {
        d.add_line(l);
    }
    d.hex()
}

/// Steps a fresh simulation to `steps`, giving each input when the step count reaches the
/// step it was given at (as the timeline does). Returns the trace lines and the final state.
pub fn replay(
    mut sim: ClusterSim,
    inputs: &[(u64, Input<Msg>)],
    steps: u64,
) -> (Vec<String>, ClusterSim) {
    let mut lines = Vec::new();
    let mut next = 0;
    loop {
        while next < inputs.len() && inputs[next].0 == sim.world.steps() {
            sim.world.inject(inputs[next].1.clone());
            next += 1;
        }
        if sim.world.steps() >= steps {
            break;
        }
        let Some(rec) = sim.step() else { break };
        lines.push(rec.trace_line(&|id| sim.world.label(id)));
    }
    (lines, sim)
}

/// A fault or user action with raw parameters, turned into an [`Input`] against the world
/// it is given to (so message ids can name messages really on the wire).
#[derive(Clone, Debug)]
pub enum Action {
    Crash(u32),
    Restart(u32),
    Partition(Vec<Vec<u32>>),
    Heal,
    Cut(u32, u32),
    HealLink(u32, u32),
    /// Drop the n-th message on the wire (modulo), or a made-up id if none.
    Drop(usize),
    Hold(usize),
    Release(usize),
    HoldLink(u32, u32),
    ReleaseLink(u32, u32),
    SetLink(u32, u32, LinkConfig),
    SetDefaultLink(LinkConfig),
    Deliver(u32, u64),
}

impl Action {
    /// The input this action means in `sim`'s current state.
    pub fn input(&self, sim: &ClusterSim) -> Input<Msg> {
        let n = NodeId;
        let nth = |i: usize| {
            let ids: Vec<u64> = sim.world.in_flight().map(|f| f.id).collect();
            if ids.is_empty() {
                i as u64
            } else {
                ids[i % ids.len()]
            }
        };
        match self {
            Action::Crash(a) => Input::Crash(n(*a)),
            Action::Restart(a) => Input::Restart(n(*a)),
            Action::Partition(gs) => Input::Partition(
                gs.iter()
                    .map(|g| g.iter().map(|a| n(*a)).collect())
                    .collect(),
            ),
            Action::Heal => Input::Heal,
            Action::Cut(a, b) => Input::CutLink(n(*a), n(*b)),
            Action::HealLink(a, b) => Input::HealLink(n(*a), n(*b)),
            Action::Drop(i) => Input::Drop(nth(*i)),
            Action::Hold(i) => Input::Hold(nth(*i)),
            Action::Release(i) => Input::Release(nth(*i)),
            Action::HoldLink(a, b) => Input::HoldLink(n(*a), n(*b)),
            Action::ReleaseLink(a, b) => Input::ReleaseLink(n(*a), n(*b)),
            Action::SetLink(a, b, c) => Input::SetLink(n(*a), n(*b), c.clone()),
            Action::SetDefaultLink(c) => Input::SetDefaultLink(c.clone()),
            Action::Deliver(a, round) => Input::Deliver(
                n(*a),
                Msg::Heartbeat(heartbeat::Msg::Ping { round: *round }),
            ),
        }
    }
}

/// Node ids, including some that do not exist in a five-member world.
fn node() -> impl Strategy<Value = u32> {
    0u32..7
}

fn link_config() -> impl Strategy<Value = LinkConfig> {
    (
        0u64..20_000,
        0u64..60_000,
        prop_oneof![Just(0u32), 0u32..300_000, Just(1_000_000)],
        prop_oneof![Just(0u32), 0u32..300_000],
        any::<bool>(),
    )
        .prop_map(|(lo, hi, loss_ppm, duplicate_ppm, fifo)| LinkConfig {
            latency_min_us: lo,
            // Sometimes below the minimum, which must be harmless.
            latency_max_us: hi,
            loss_ppm,
            duplicate_ppm,
            fifo,
        })
}

/// Any action.
pub fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        node().prop_map(Action::Crash),
        node().prop_map(Action::Restart),
        proptest::collection::vec(proptest::collection::vec(node(), 0..4), 0..4)
            .prop_map(Action::Partition),
        Just(Action::Heal),
        (node(), node()).prop_map(|(a, b)| Action::Cut(a, b)),
        (node(), node()).prop_map(|(a, b)| Action::HealLink(a, b)),
        any::<usize>().prop_map(Action::Drop),
        any::<usize>().prop_map(Action::Hold),
        any::<usize>().prop_map(Action::Release),
        (node(), node()).prop_map(|(a, b)| Action::HoldLink(a, b)),
        (node(), node()).prop_map(|(a, b)| Action::ReleaseLink(a, b)),
        (node(), node(), link_config()).prop_map(|(a, b, c)| Action::SetLink(a, b, c)),
        link_config().prop_map(Action::SetDefaultLink),
        (node(), any::<u64>()).prop_map(|(a, r)| Action::Deliver(a, r)),
    ]
}

/// A fault plan: actions at step numbers below `max_step`, sorted by step.
pub fn plan(max_step: u64) -> impl Strategy<Value = Vec<(u64, Action)>> {
    proptest::collection::vec((0..max_step, action()), 0..40).prop_map(|mut v| {
        v.sort_by_key(|(s, _)| *s);
        v
    })
}

/// Runs `plan` on a timeline (giving each action when the cursor reaches its step), up to
/// `steps` steps. Returns the timeline.
pub fn run_plan(mut t: ClusterTimeline, plan: &[(u64, Action)], steps: u64) -> ClusterTimeline {
    let mut next = 0;
    while t.cursor() < steps {
        while next < plan.len() && plan[next].0 <= t.cursor() {
            let input = plan[next].1.input(t.current());
            t.inject(input);
            next += 1;
        }
        if !t.step() {
            break;
        }
    }
    t
}

/// Reading a timeline's records as text.
pub trait ClusterTimelineExt {
    /// The trace line of kept record `n`, or an empty string.
    fn line(&self, n: u64) -> String;
    /// The trace lines of the next `k` steps from the cursor, computed on a copy of the
    /// current state (the timeline itself does not move).
    fn next_lines(&self, k: u64) -> Vec<String>;
}

impl ClusterTimelineExt for ClusterTimeline {
    fn line(&self, n: u64) -> String {
        let w = &self.current().world;
        self.record(n)
            .map(|r| r.trace_line(&|id| w.label(id)))
            .unwrap_or_default()
    }

    fn next_lines(&self, k: u64) -> Vec<String> {
        let mut copy = self.current().clone();
        let mut out = Vec::new();
        for _ in 0..k {
            let Some(rec) = copy.step() else { break };
            out.push(rec.trace_line(&|id| copy.world.label(id)));
        }
        out
    }
}

/// Checks that the network's per-link count of messages on the wire matches the messages
/// really on it (the count the per-link bound is enforced against). Returns the first
/// mismatch.
pub fn wire_accounting_error(sim: &ClusterSim) -> Option<String> {
    let w = &sim.world;
    let mut per_link = std::collections::BTreeMap::new();
    for f in w.in_flight() {
        *per_link.entry((f.src, f.dst)).or_insert(0u32) += 1;
    }
    for a in w.node_ids() {
        for b in w.node_ids() {
            let real = per_link.get(&(a, b)).copied().unwrap_or(0);
            let counted = w.net().in_flight_on((a, b));
            if real != counted {
                return Some(format!("{a}->{b}: {real} on the wire, {counted} counted"));
            }
        }
    }
    None
}
