//! The checkers that look at the data: `zk.replicas-identical`, `zk.ephemerals-cleaned` and
//! `zk.watch-fires-once`.

use std::collections::BTreeMap;

use crate::cluster::checkers::ClusterChecker;
use crate::cluster::zk::{running_server, running_servers};
use crate::cluster::{Node, Record};
use crate::sim::{CheckKind, CheckerInfo, EventRecord, NodeId, World};
use crate::zk::msg::{ClientOp, ClientPacket};
use crate::zk::{self, fmt_zxid, EventType};

/// `zk.replicas-identical`.
#[derive(Clone, Debug)]
pub struct ReplicasIdentical;

impl ClusterChecker for ReplicasIdentical {
    fn info(&self) -> CheckerInfo {
        CheckerInfo {
            name: "zk.replicas-identical",
            kind: CheckKind::Always,
            description:
                "serving servers that applied up to the same zxid have identical data trees",
        }
    }

    fn after_step(&mut self, world: &World<Node>, rec: &Record) -> Option<String> {
        let (id, s) = running_server(world, rec.actor())?;
        if !s.is_serving() {
            return None;
        }
        for (other, t) in running_servers(world) {
            if other != id
                && t.is_serving()
                && t.last_applied_zxid() == s.last_applied_zxid()
                && t.tree() != s.tree()
            {
                return Some(format!(
                    "{} and {} have both applied up to {} but their data trees differ",
                    world.label(id),
                    world.label(other),
                    fmt_zxid(s.last_applied_zxid())
                ));
            }
        }
        None
    }
}

/// `zk.ephemerals-cleaned`.
#[derive(Clone, Debug)]
pub struct EphemeralsCleaned;

impl ClusterChecker for EphemeralsCleaned {
    fn info(&self) -> CheckerInfo {
        CheckerInfo {
            name: "zk.ephemerals-cleaned",
            kind: CheckKind::Always,
            description: "no ephemeral znode outlives the session that owns it",
        }
    }

    fn after_step(&mut self, world: &World<Node>, rec: &Record) -> Option<String> {
        let (id, s) = running_server(world, rec.actor())?;
        if !s.is_serving() {
            return None;
        }
        let tree = s.tree();
        for (path, node) in tree.nodes() {
            let owner = node.stat.ephemeral_owner;
            if owner != 0 && !tree.sessions().contains_key(&owner) {
                return Some(format!(
                    "{} still has ephemeral {path} of session 0x{owner:x}, which is closed",
                    world.label(id)
                ));
            }
        }
        None
    }
}

/// `zk.watch-fires-once`: armed watches per (client node, path): (data, child).
#[derive(Clone, Debug, Default)]
pub struct WatchFiresOnce {
    armed: BTreeMap<(NodeId, String), (bool, bool)>,
}

impl ClusterChecker for WatchFiresOnce {
    fn info(&self) -> CheckerInfo {
        CheckerInfo {
            name: "zk.watch-fires-once",
            kind: CheckKind::Always,
            description: "a watch fires at most once: each notification consumes an armed watch",
        }
    }

    fn after_step(&mut self, world: &World<Node>, rec: &Record) -> Option<String> {
        if let EventRecord::Deliver { src, msg, .. } = &rec.event {
            if let Some(zk::Msg::Client {
                pkt: ClientPacket::Request { op, .. },
                ..
            }) = msg.zk()
            {
                self.arm(*src, op);
            }
        }
        for send in &rec.sends {
            let Some(zk::Msg::Client {
                pkt: ClientPacket::WatcherEvent { event, path, .. },
                ..
            }) = send.msg.zk()
            else {
                continue;
            };
            let e = self.armed.entry((send.dst, path.clone())).or_default();
            let ok = match event {
                EventType::NodeChildrenChanged => std::mem::take(&mut e.1),
                EventType::NodeDeleted => std::mem::take(&mut e.0) | std::mem::take(&mut e.1),
                _ => std::mem::take(&mut e.0),
            };
            if !ok {
                return Some(format!(
                    "{} was sent {} for {path} without an armed watch: a watch fired twice",
                    world.label(send.dst),
                    event.name()
                ));
            }
        }
        None
    }
}

impl WatchFiresOnce {
    fn arm(&mut self, client: NodeId, op: &ClientOp) {
        let mut arm = |path: &str, data: bool, child: bool| {
            let e = self.armed.entry((client, path.to_string())).or_default();
            e.0 |= data;
            e.1 |= child;
        };
        match op {
            ClientOp::GetData { path, watch: true } | ClientOp::Exists { path, watch: true } => {
                arm(path, true, false)
            }
            ClientOp::GetChildren {
                path, watch: true, ..
            } => arm(path, false, true),
            ClientOp::SetWatches {
                data, exist, child, ..
            } => {
                for p in data.iter().chain(exist) {
                    arm(p, true, false);
                }
                for p in child {
                    arm(p, false, true);
                }
            }
            _ => {}
        }
    }
}
