//! The "What if…" scenarios: ZooKeeper with one planted protocol mistake (a bug switch,
//! [`crate::zk::bugs`]) each, so the Invariants panel shows which checker catches it and
//! says in words what went wrong. `zooscope-cli mutants` sweeps each of them with random
//! faults. A scenario is named `whatif-<bug>`; the builders are the only place (besides
//! tests) that turns a switch on.

use crate::sim::{Input, NodeId, MS, SEC};
use crate::zk::recipes::{ConfigWriter, Recipe, SeqQueue};
use crate::zk::{self, Bug, Bugs};

use crate::cluster::scenario::{BuildOptions, Scenario, ScenarioInfo, ScenarioKind};
use crate::cluster::{ClusterSim, Node};

use super::scenarios::{
    busy_clients, demo_clients, ensemble_with, old_leader_returns, with_recipes,
    RECIPE_SESSION_TIMEOUT_MS, ZK_PANELS,
};
use super::server_count;

/// Title prefix of every "What if…" scenario (the picker groups them by it).
pub const WHAT_IF: &str = "What if…";

const fn entry(
    name: &'static str,
    title: &'static str,
    description: &'static str,
    steps: u64,
) -> ScenarioInfo {
    ScenarioInfo {
        name,
        kind: ScenarioKind::Scenario,
        title,
        description,
        default_steps: steps,
        panels: ZK_PANELS,
    }
}

/// The "What if…" scenarios, one per bug switch, in [`Bug::ALL`] order.
pub const SCENARIOS: &[Scenario] = &[
    Scenario {
        info: entry(
            "whatif-commit-without-quorum",
            "What if… the leader committed without a quorum?",
            "Cut off at 6 s, the leader commits alone; epoch 2 loses the write.",
            8_000,
        ),
        build: |opts| Ok(planted(old_leader_returns(opts), Bug::CommitWithoutQuorum)),
    },
    Scenario {
        info: entry(
            "whatif-diff-without-truncate",
            "What if… a follower applied a DIFF without truncating?",
            "The cut-off leader logs writes; back at 19 s it ignores TRUNC.",
            8_000,
        ),
        build: |opts| Ok(planted(truncate_story(opts), Bug::DiffWithoutTruncate)),
    },
    Scenario {
        info: entry(
            "whatif-ignore-follower-epoch",
            "What if… the leader ignored its followers' epochs?",
            "zk-faults with leaders that pick a new epoch from their own acceptedEpoch alone.",
            30_000,
        ),
        build: |opts| Ok(faults(opts, Bug::IgnoreFollowerEpoch)),
    },
    Scenario {
        info: entry(
            "whatif-skip-sync",
            "What if… a new leader skipped synchronization?",
            "zk-faults with leaders that send learners an empty DIFF instead of what they lack.",
            30_000,
        ),
        build: |opts| Ok(faults(opts, Bug::SkipSync)),
    },
    Scenario {
        info: entry(
            "whatif-sessions-never-expire",
            "What if… sessions never expired?",
            "member1 crashes at 8 s, but the leader never expires a session: its ephemeral lives on.",
            8_000,
        ),
        build: |opts| Ok(sessions_never_expire(opts)),
    },
    Scenario {
        info: entry(
            "whatif-watch-fires-twice",
            "What if… a server fired every watch twice?",
            "zk-faults with servers that send each watch notification twice.",
            30_000,
        ),
        build: |opts| Ok(faults(opts, Bug::WatchFiresTwice)),
    },
    Scenario {
        info: entry(
            "whatif-watch-forgotten",
            "What if… a server forgot child watches?",
            "zk-faults with servers that disarm a child watch without notifying the client.",
            30_000,
        ),
        build: |opts| Ok(faults(opts, Bug::WatchForgotten)),
    },
    Scenario {
        info: entry(
            "whatif-reads-before-uptodate",
            "What if… a follower served reads before UPTODATE?",
            "zk-faults with followers that serve clients from NEWLEADER on.",
            30_000,
        ),
        build: |opts| Ok(faults(opts, Bug::ReadsBeforeUptodate)),
    },
    Scenario {
        info: entry(
            "whatif-accepted-epoch-not-saved",
            "What if… a follower never saved its acceptedEpoch?",
            "zk-faults with followers that never write acceptedEpoch to disk.",
            30_000,
        ),
        build: |opts| Ok(faults(opts, Bug::AcceptedEpochNotSaved)),
    },
];

/// The "What if…" scenario that plants `bug`.
pub fn scenario_of(bug: Bug) -> &'static str {
    match bug {
        Bug::CommitWithoutQuorum => "whatif-commit-without-quorum",
        Bug::DiffWithoutTruncate => "whatif-diff-without-truncate",
        Bug::IgnoreFollowerEpoch => "whatif-ignore-follower-epoch",
        Bug::SkipSync => "whatif-skip-sync",
        Bug::SessionsNeverExpire => "whatif-sessions-never-expire",
        Bug::WatchFiresTwice => "whatif-watch-fires-twice",
        Bug::WatchForgotten => "whatif-watch-forgotten",
        Bug::ReadsBeforeUptodate => "whatif-reads-before-uptodate",
        Bug::AcceptedEpochNotSaved => "whatif-accepted-epoch-not-saved",
    }
}

/// Turns `bug` on in every server of `sim` (before any has started).
pub fn planted(mut sim: ClusterSim, bug: Bug) -> ClusterSim {
    plant(&mut sim, Bugs::NONE.with(bug));
    sim
}

/// Sets the bug switches of every ZooKeeper server of `sim`.
pub fn plant(sim: &mut ClusterSim, bugs: Bugs) {
    let ids: Vec<NodeId> = sim.world.node_ids().collect();
    for id in ids {
        if let Some(s) = sim.world.node_mut(id).zk_mut().and_then(|z| z.server_mut()) {
            s.config.bugs = bugs;
        }
    }
}

/// zk-faults (five servers, busy clients, random faults) with `bug` planted.
fn faults(opts: &BuildOptions, bug: Bug) -> ClusterSim {
    let chaotic = BuildOptions {
        chaos: true,
        ..opts.clone()
    };
    planted(
        with_recipes(&chaotic, opts.servers.unwrap_or(5), busy_clients()),
        bug,
    )
}

/// Sheet B.7 arranged for a TRUNC: the writer knows only the leader, so nothing is written
/// in epoch 2 before the old leader returns with its stray txn.
pub fn truncate_story(opts: &BuildOptions) -> ClusterSim {
    let n = opts.servers.unwrap_or(3).max(3);
    let mut sim = ensemble_with(opts, n, &[]);
    let leader = NodeId(n as u32 - 1);
    let others: Vec<NodeId> = (0..n as u32 - 1).map(NodeId).collect();
    let writer = zk::ClientNode::recipe(
        "writer",
        vec![leader],
        RECIPE_SESSION_TIMEOUT_MS,
        Recipe::ConfigWriter(ConfigWriter::new("/config", 2_500)),
    );
    let lock = zk::ClientNode::recipe(
        "lock",
        vec![leader],
        RECIPE_SESSION_TIMEOUT_MS,
        Recipe::Queue(SeqQueue::lock("/lock", 1_500, 500)),
    );
    sim.world.add_node_at(Node::from(writer), 500 * MS);
    sim.world.add_node_at(Node::from(lock), 700 * MS);
    sim.world
        .schedule(6 * SEC, Input::Partition(vec![vec![leader], others]));
    sim.world.schedule(9 * SEC, Input::Crash(leader));
    sim.world.schedule(9 * SEC + MS, Input::Heal);
    // The others notice the crash after syncLimit (16 s) and elect epoch 2; back before
    // the clients' sessions expire there, so epoch 2 has no txn yet.
    sim.world.schedule(19 * SEC, Input::Restart(leader));
    sim
}

fn sessions_never_expire(opts: &BuildOptions) -> ClusterSim {
    let mut sim = with_recipes(opts, opts.servers.unwrap_or(3), demo_clients());
    let n = server_count(&sim.world) as u32;
    // The demo clients follow the servers: writer, reader, member1, …
    let member1 = NodeId(n + 2);
    sim.world.schedule(8 * SEC, Input::Crash(member1));
    planted(sim, Bug::SessionsNeverExpire)
}
