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
            "The old-leader story (sheet B.7) with a leader that commits as soon as it logs a write. Cut off at 6 s, it commits and answers a write nobody else has; the others elect epoch 2 without it, and zk.committed-never-lost catches the lost write.",
            8_000,
        ),
        build: |opts| Ok(planted(old_leader_returns(opts), Bug::CommitWithoutQuorum)),
    },
    Scenario {
        info: entry(
            "whatif-diff-without-truncate",
            "What if… a follower applied a DIFF without truncating?",
            "The leader is cut off at 6 s with the only clients that talk to it (a config writer and a lock contender), logs writes it can never commit and crashes; the others elect epoch 2 without writes. When it returns at 19 s the new leader sends TRUNC, but this follower reloads its log without cutting it: the stray write is applied and its data tree parts from the others'.",
            8_000,
        ),
        build: |opts| Ok(planted(truncate_story(opts), Bug::DiffWithoutTruncate)),
    },
    Scenario {
        info: entry(
            "whatif-ignore-follower-epoch",
            "What if… the leader ignored its followers' epochs?",
            "Five servers under random faults, with leaders that pick their new epoch from their own acceptedEpoch alone instead of the highest one their quorum reports.",
            30_000,
        ),
        build: |opts| Ok(faults(opts, Bug::IgnoreFollowerEpoch)),
    },
    Scenario {
        info: entry(
            "whatif-skip-sync",
            "What if… a new leader skipped synchronization?",
            "Five servers under random faults, with leaders that tell every learner it is up to date instead of sending it the transactions it lacks.",
            30_000,
        ),
        build: |opts| Ok(faults(opts, Bug::SkipSync)),
    },
    Scenario {
        info: entry(
            "whatif-sessions-never-expire",
            "What if… sessions never expired?",
            "Three servers and the demo clients; member1 crashes at 8 s, but the leader's session tracker never expires anything, so its session and its ephemeral member node live on.",
            8_000,
        ),
        build: |opts| Ok(sessions_never_expire(opts)),
    },
    Scenario {
        info: entry(
            "whatif-watch-fires-twice",
            "What if… a server fired every watch twice?",
            "Five servers under random faults, with servers that send each watch notification twice.",
            30_000,
        ),
        build: |opts| Ok(faults(opts, Bug::WatchFiresTwice)),
    },
    Scenario {
        info: entry(
            "whatif-watch-forgotten",
            "What if… a server forgot child watches?",
            "Five servers under random faults, with servers that disarm a child watch when its node changes but never notify the client.",
            30_000,
        ),
        build: |opts| Ok(faults(opts, Bug::WatchForgotten)),
    },
    Scenario {
        info: entry(
            "whatif-reads-before-uptodate",
            "What if… a follower served reads before UPTODATE?",
            "Five servers under random faults, with followers that start serving clients at NEWLEADER, before the leader says they are up to date.",
            30_000,
        ),
        build: |opts| Ok(faults(opts, Bug::ReadsBeforeUptodate)),
    },
    Scenario {
        info: entry(
            "whatif-accepted-epoch-not-saved",
            "What if… a follower never saved its acceptedEpoch?",
            "Five servers under random faults, with followers that agree to a new epoch without writing acceptedEpoch to disk.",
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
