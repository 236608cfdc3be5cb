//! The heartbeat demo's checkers catch what they claim to.

use zooscope::cluster::{build, BuildOptions};
use zooscope::sim::{Input, NodeId, MS, SEC};

#[test]
fn pings_from_a_dead_member_released_late_violate_dead_detected() {
    let mut sim = build("heartbeat", &BuildOptions::seed(3)).expect("builds");
    let run_until = |sim: &mut zooscope::cluster::ClusterSim, t: u64| {
        let mut found = Vec::new();
        while sim.world.now_us() < t {
            match sim.step() {
                Some(rec) => found.extend(rec.violations),
                None => break,
            }
        }
        found
    };
    assert!(run_until(&mut sim, SEC).is_empty());
    // Hold what m2 sends m1, crash m2, and release its old pings a second later.
    let (m1, m2) = (NodeId(0), NodeId(1));
    sim.world.inject(Input::HoldLink(m2, m1));
    let _ = run_until(&mut sim, SEC + 300 * MS);
    sim.world.inject(Input::Crash(m2));
    let quiet = run_until(&mut sim, 2 * SEC + 300 * MS);
    assert!(quiet.is_empty(), "{quiet:?}");
    sim.world.inject(Input::ReleaseLink(m2, m1));
    let found = run_until(&mut sim, 2 * SEC + 400 * MS);
    assert!(
        found
            .iter()
            .any(|v| v.checker == "heartbeat.dead-detected" && v.message.contains("m2")),
        "{found:?}"
    );
}
