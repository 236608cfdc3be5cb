//! Elections explained (issue 14), checked natively on a real ZooKeeper run: a LOOKING
//! server's card lists the votes it has received with (epoch, zxid, id) and the tally toward
//! a quorum; a vote change is narrated with the rule that decided it; servers the scenario
//! has not started yet are drawn as not started.

use zooscope::view::run::{Run, RunSpec};
use zooscope::view::Frame;

fn run(servers: usize, seed: u64) -> Run {
    Run::new(RunSpec {
        scenario: "default".into(),
        seed,
        servers: Some(servers),
    })
    .expect("the default scenario builds")
}

fn find(run: &mut Run, max: u64, done: impl Fn(&Frame) -> bool) -> Option<Frame> {
    for _ in 0..max {
        let f = run.frame();
        if done(&f) {
            return Some(f);
        }
        if !run.step() {
            return None;
        }
    }
    None
}

#[test]
fn a_looking_server_lists_its_votes_and_the_tally_toward_a_quorum() {
    let mut r = run(5, 1);
    let f = find(&mut r, 400, |f| {
        f.scene.nodes.iter().any(|c| {
            c.role.as_str() == "looking"
                && c.description.contains("Votes received")
                && c.description.contains("), zk")
        })
    })
    .expect("a LOOKING server with votes");
    let c = f
        .scene
        .nodes
        .iter()
        .find(|c| c.role.as_str() == "looking" && c.description.contains("), zk"))
        .unwrap();
    assert!(
        c.description
            .contains("Votes received (epoch, zxid, id): zk"),
        "{}",
        c.description
    );
    assert!(
        c.description.contains("a quorum needs 3"),
        "{}",
        c.description
    );
    assert!(c
        .description
        .contains("higher epoch, then higher zxid, then higher id"));
    let note = c.note.as_deref().unwrap();
    assert!(
        note.starts_with("votes zk") && note.ends_with("/3"),
        "{note}"
    );
}

#[test]
fn a_vote_change_is_narrated_with_the_rule_that_decided_it() {
    let mut r = run(3, 1);
    let f = find(&mut r, 400, |f| {
        f.scene.narration.contains("changes its vote")
    })
    .expect("a vote change");
    assert!(
        f.scene
            .narration
            .contains("which beats its own: same epoch, same zxid, higher id"),
        "{}",
        f.scene.narration
    );
}

#[test]
fn servers_not_started_yet_are_drawn_as_not_started() {
    for seed in 1..20 {
        let r = run(5, seed);
        let f = r.frame();
        if let Some(c) = f
            .scene
            .nodes
            .iter()
            .find(|c| c.role.as_str() == "not-started")
        {
            assert_eq!(c.role.title(), "NOT STARTED");
            assert!(
                c.description.ends_with("has not started yet."),
                "{}",
                c.description
            );
            return;
        }
    }
    // Every server started at step 0 in these seeds: then none may be called not started.
}

#[test]
fn the_ack_that_completes_a_quorum_is_its_own_moment() {
    let mut r = run(3, 1);
    let f = find(&mut r, 3000, |f| {
        f.scene.narration.contains("'s ACK makes 2 of 3: 0x")
    })
    .expect("a quorum-completing ACK");
    assert!(
        f.scene.narration.contains(" is committed"),
        "{}",
        f.scene.narration
    );
}
