//! The heartbeat demo protocol in a cluster world: its checkers and its scenario.

use crate::heartbeat::Member;
use crate::sim::vecmap::VecMap;
use crate::sim::{
    healed_for, CheckKind, CheckerInfo, EventRecord, Input, NodeId, TimeUs, World, MS,
};

use super::checkers::{checkers_for, AnyChecker, ClusterChecker, Protocol};
use super::scenario::{add_chaos, base_link, BuildOptions, Scenario, ScenarioInfo, ScenarioKind};
use super::{ClusterSim, Node, Record};

/// The heartbeat scenarios.
pub const SCENARIOS: &[Scenario] = &[Scenario {
    info: ScenarioInfo {
        name: "heartbeat",
        kind: ScenarioKind::Scenario,
        title: "Heartbeat membership among five members",
        description: "The kernel's demo protocol: pings, pongs and failure detection.",
        default_steps: 5_000,
        panels: &["events", "sequence", "invariants"],
    },
    build: |opts| Ok(group(opts, opts.servers.unwrap_or(5))),
}];

/// A heartbeat group of `n` members (the kernel's demo protocol).
pub fn group(opts: &BuildOptions, n: usize) -> ClusterSim {
    let n = n.clamp(1, 9);
    let mut world = World::new(opts.seed, base_link());
    let ids: Vec<NodeId> = (0..n as u32).map(NodeId).collect();
    for (i, id) in ids.iter().enumerate() {
        let peers = ids.iter().copied().filter(|p| p != id).collect();
        let mut member = Member::new(format!("m{}", i + 1), peers);
        member.peer_names = ids.iter().map(|p| (*p, format!("m{}", p.0 + 1))).collect();
        // Stagger the starts a little so the first pings do not all coincide.
        world.add_node_at(Node::from(member), (i as TimeUs) * 7 * MS);
    }
    if opts.chaos {
        add_chaos(&mut world, opts.seed, ids, n.saturating_sub(1));
    }
    ClusterSim::new(world, checkers_for(&[Protocol::Heartbeat]))
}

/// Every heartbeat checker, fresh.
pub fn checkers() -> Vec<AnyChecker> {
    vec![
        AnyChecker::new(ViewsConverge),
        AnyChecker::new(DeadDetected::default()),
        AnyChecker::new(FullViewReached::default()),
    ]
}

fn members(world: &World<Node>) -> impl Iterator<Item = (NodeId, &Member)> {
    world
        .node_ids()
        .filter_map(move |id| world.node(id).heartbeat().map(|m| (id, m)))
}

/// `heartbeat.views-converge`.
#[derive(Clone, Debug)]
pub struct ViewsConverge;

impl ClusterChecker for ViewsConverge {
    fn info(&self) -> CheckerInfo {
        CheckerInfo {
            name: "heartbeat.views-converge",
            kind: CheckKind::EventuallyAfterHeal,
            description: "once the network is healed and every member is up, each member sees all the others alive",
        }
    }

    fn after_step(&mut self, world: &World<Node>, _rec: &Record) -> Option<String> {
        if !healed_for(world, 2_000 * MS) {
            return None;
        }
        let now = world.now_us();
        for (id, m) in members(world) {
            let view = m.alive_view(now);
            if let Some(p) = m.peers.iter().find(|p| !view.contains(p)) {
                return Some(format!(
                    "{} still does not see {} alive two seconds after the network healed",
                    world.label(id),
                    world.label(*p)
                ));
            }
        }
        None
    }
}

/// `heartbeat.dead-detected`: remembers when each member went down.
#[derive(Clone, Debug, Default)]
pub struct DeadDetected {
    down_since: VecMap<NodeId, TimeUs>,
}

impl ClusterChecker for DeadDetected {
    fn info(&self) -> CheckerInfo {
        CheckerInfo {
            name: "heartbeat.dead-detected",
            kind: CheckKind::Always,
            description: "a crashed member is not seen alive by anyone for longer than the timeout plus the worst latency",
        }
    }

    fn after_step(&mut self, world: &World<Node>, rec: &Record) -> Option<String> {
        let now = world.now_us();
        match &rec.event {
            EventRecord::Input(Input::Crash(n)) => {
                self.down_since.entry(*n).or_insert(now);
            }
            EventRecord::Input(Input::Restart(n)) => {
                self.down_since.remove(n);
            }
            _ => {}
        }
        for (id, m) in members(world).filter(|(id, _)| world.is_up(*id)) {
            for p in m.alive_view(now) {
                let Some(since) = self.down_since.get(&p) else {
                    continue;
                };
                // Heard within the timeout although down for longer than the timeout plus
                // the worst latency: a message from the dead arrived late.
                if now.saturating_sub(*since) > m.timeout_us + 50 * MS {
                    return Some(format!(
                        "{} still sees {} alive although it has been down for {} ms",
                        world.label(id),
                        world.label(p),
                        (now - since) / MS
                    ));
                }
            }
        }
        None
    }
}

/// `heartbeat.full-view-reached`.
#[derive(Clone, Debug, Default)]
pub struct FullViewReached {
    reached: bool,
}

impl ClusterChecker for FullViewReached {
    fn info(&self) -> CheckerInfo {
        CheckerInfo {
            name: "heartbeat.full-view-reached",
            kind: CheckKind::Sometimes,
            description: "at some point some member sees all of its peers alive",
        }
    }

    fn after_step(&mut self, world: &World<Node>, _rec: &Record) -> Option<String> {
        if !self.reached {
            let now = world.now_us();
            self.reached = members(world).any(|(_, m)| m.alive_view(now).len() == m.peers.len());
        }
        None
    }

    fn at_end(&mut self, _world: &World<Node>) -> Option<String> {
        (!self.reached).then(|| "no member ever saw all of its peers alive".into())
    }
}
