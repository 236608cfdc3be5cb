//! Invariant checkers for every protocol, behind one enum so a `Sim` can hold them.

use crate::sim::{healed_for, CheckKind, Checker, CheckerInfo, NodeId, World, MS};

use super::{Node, Record};

/// Every checker the cluster knows.
#[derive(Clone, Debug)]
pub enum AnyChecker {
    /// After healing, every running member sees every other running member alive.
    HeartbeatViewsConverge,
    /// Nobody keeps seeing a crashed member alive for longer than the timeout.
    HeartbeatDeadDetected,
    /// At some point some member sees all its peers alive.
    HeartbeatFullViewReached { reached: bool },
}

impl AnyChecker {
    /// The checkers of the heartbeat demo protocol.
    pub fn heartbeat_set() -> Vec<AnyChecker> {
        vec![
            AnyChecker::HeartbeatViewsConverge,
            AnyChecker::HeartbeatDeadDetected,
            AnyChecker::HeartbeatFullViewReached { reached: false },
        ]
    }
}

fn members(world: &World<Node>) -> impl Iterator<Item = (NodeId, &crate::heartbeat::Member)> {
    world.node_ids().filter_map(move |id| match world.node(id) {
        Node::Heartbeat(m) => Some((id, m)),
        _ => None,
    })
}

impl Checker<Node> for AnyChecker {
    fn info(&self) -> CheckerInfo {
        match self {
            AnyChecker::HeartbeatViewsConverge => CheckerInfo {
                name: "heartbeat.views-converge",
                kind: CheckKind::EventuallyAfterHeal,
                description: "once the network is healed and every member is up, each member sees all the others alive",
            },
            AnyChecker::HeartbeatDeadDetected => CheckerInfo {
                name: "heartbeat.dead-detected",
                kind: CheckKind::Always,
                description: "a crashed member is not seen alive by anyone for longer than the timeout plus the worst latency",
            },
            AnyChecker::HeartbeatFullViewReached { .. } => CheckerInfo {
                name: "heartbeat.full-view-reached",
                kind: CheckKind::Sometimes,
                description: "at some point some member sees all of its peers alive",
            },
        }
    }

    fn after_step(&mut self, world: &World<Node>, _rec: &Record) -> Option<String> {
        let now = world.now_us();
        match self {
            AnyChecker::HeartbeatViewsConverge => {
                if !healed_for(world, 2_000 * MS) {
                    return None;
                }
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
            AnyChecker::HeartbeatDeadDetected => {
                for (id, m) in members(world).filter(|(id, _)| world.is_up(*id)) {
                    for p in m.alive_view(now) {
                        if world.is_up(p) {
                            continue;
                        }
                        let slack = m.timeout_us + 50 * MS;
                        let heard = now.saturating_sub(m.timeout_us);
                        if now.saturating_sub(heard) > slack {
                            return Some(format!(
                                "{} still sees {} alive although it is down",
                                world.label(id),
                                world.label(p)
                            ));
                        }
                    }
                }
                None
            }
            AnyChecker::HeartbeatFullViewReached { reached } => {
                if !*reached {
                    *reached = members(world).any(|(_, m)| m.alive_view(now).len() == m.peers.len());
                }
                None
            }
        }
    }

    fn at_end(&mut self, _world: &World<Node>) -> Option<String> {
        match self {
            AnyChecker::HeartbeatFullViewReached { reached: false } => {
                Some("no member ever saw all of its peers alive".into())
            }
            _ => None,
        }
    }
}
