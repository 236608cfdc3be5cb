//! One server's watch tables (`WatchManager` × 2 in `DataTree`): which sessions connected to
//! *this* server wait for which event on which path (sheet A.6). Watches are not replicated;
//! every server fires the [`WatchTrigger`]s of each txn it applies against its own tables.
//!
//! Rules kept from the real server:
//! * One-shot: firing removes the watch.
//! * One entry per session and path, so a session gets **one** notification per path and
//!   event however many reads armed it, and a delete notifies a session holding both a data
//!   and a child watch on the node once (`DataTree.deleteNode` leaves the data-watch
//!   recipients out of the child-watch firing).
//! * Which reads register a watch is the caller's decision, following the real server:
//!   `exists` registers a data watch even when the node is absent (it fires `NodeCreated`);
//!   `getData` and `getChildren` register nothing when they fail with `NoNode`.
//! * Reconnect: [`WatchManager::set_watches`] is `DataTree.setWatches`.
//!
//! Simplified compared to ZooKeeper 3.5.9/3.8: a watcher is identified by its session (the
//! real table keys by connection; the server should call [`WatchManager::remove_session`]
//! when a connection closes or moves). No `removeWatches`, no 3.6 persistent watches.

use crate::sim::vecmap::{VecMap, VecSet};
use crate::zk::data::tree::DataTree;
use crate::zk::data::txn::{WatchTarget, WatchTrigger};
use crate::zk::types::{EventType, SessionId, Zxid};

/// The watches held on one path, for display.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PathWatches {
    /// Sessions with a data watch (from `getData` or `exists`).
    pub data: Vec<SessionId>,
    /// Sessions with a child watch (from `getChildren`).
    pub child: Vec<SessionId>,
}

/// The data and child watch tables of one server.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WatchManager {
    data: VecMap<String, VecSet<SessionId>>,
    child: VecMap<String, VecSet<SessionId>>,
}

impl WatchManager {
    /// Empty tables.
    pub fn new() -> WatchManager {
        WatchManager::default()
    }

    /// Registers a data watch (`getData` on an existing node, or `exists` on any path).
    pub fn add_data_watch(&mut self, path: &str, session: SessionId) {
        self.data
            .entry(path.to_string())
            .or_default()
            .insert(session);
    }

    /// Registers a child watch (`getChildren` on an existing node).
    pub fn add_child_watch(&mut self, path: &str, session: SessionId) {
        self.child
            .entry(path.to_string())
            .or_default()
            .insert(session);
    }

    /// Fires the watches of `target` on `path` and removes them; returns the sessions to
    /// notify with `event`, each once, sorted. `event` names the notification the caller
    /// sends; which tables fire is decided by `target` alone.
    pub fn trigger(
        &mut self,
        _event: EventType,
        path: &str,
        target: WatchTarget,
    ) -> Vec<SessionId> {
        let mut fired = VecSet::new();
        if matches!(target, WatchTarget::Data | WatchTarget::DataAndChildren) {
            fired.extend(self.data.remove(path).unwrap_or_default());
        }
        if matches!(target, WatchTarget::Children | WatchTarget::DataAndChildren) {
            fired.extend(self.child.remove(path).unwrap_or_default());
        }
        fired.into_iter().collect()
    }

    /// [`WatchManager::trigger`] for one trigger of an [`crate::zk::ApplyOutcome`].
    pub fn fire(&mut self, trigger: &WatchTrigger) -> Vec<SessionId> {
        self.trigger(trigger.event, &trigger.path, trigger.target)
    }

    /// Drops every watch the session holds (its connection closed or the session ended).
    pub fn remove_session(&mut self, session: SessionId) {
        for table in [&mut self.data, &mut self.child] {
            table.retain(|_, sessions| {
                sessions.remove(&session);
                !sessions.is_empty()
            });
        }
    }

    /// `SetWatches` on reconnect (`DataTree.setWatches`, sheet A.6 guarantee 4): re-arms the
    /// client's watches on this server, except those that would have fired after
    /// `relative_zxid` (the last zxid the client saw), which fire at once instead. Returns the
    /// events to send `session`, in this order: data watches (`NodeDeleted` if the node is
    /// gone, `NodeDataChanged` if its `mzxid` is newer), exist watches (`NodeCreated` if the
    /// node now exists), child watches (`NodeDeleted` if gone, `NodeChildrenChanged` if its
    /// `pzxid` is newer). Like the real server it does not merge events across the lists.
    pub fn set_watches(
        &mut self,
        tree: &DataTree,
        session: SessionId,
        relative_zxid: Zxid,
        data: &[String],
        exist: &[String],
        child: &[String],
    ) -> Vec<(EventType, String)> {
        let mut events = Vec::new();
        for path in data {
            match tree.node(path) {
                None => events.push((EventType::NodeDeleted, path.clone())),
                Some(n) if n.stat.mzxid > relative_zxid => {
                    events.push((EventType::NodeDataChanged, path.clone()))
                }
                Some(_) => self.add_data_watch(path, session),
            }
        }
        for path in exist {
            match tree.node(path) {
                Some(_) => events.push((EventType::NodeCreated, path.clone())),
                None => self.add_data_watch(path, session),
            }
        }
        for path in child {
            match tree.node(path) {
                None => events.push((EventType::NodeDeleted, path.clone())),
                Some(n) if n.stat.pzxid > relative_zxid => {
                    events.push((EventType::NodeChildrenChanged, path.clone()))
                }
                Some(_) => self.add_child_watch(path, session),
            }
        }
        events
    }

    /// The sessions watching `path`, sorted.
    pub fn watches_on(&self, path: &str) -> PathWatches {
        let list = |t: &VecMap<String, VecSet<SessionId>>| {
            t.get(path)
                .map(|s| s.iter().copied().collect())
                .unwrap_or_default()
        };
        PathWatches {
            data: list(&self.data),
            child: list(&self.child),
        }
    }

    /// Every path with a data watch, in path order, with its sessions.
    pub fn data_watches(&self) -> impl Iterator<Item = (&str, &VecSet<SessionId>)> {
        self.data.iter().map(|(p, s)| (p.as_str(), s))
    }

    /// Every path with a child watch, in path order, with its sessions.
    pub fn child_watches(&self) -> impl Iterator<Item = (&str, &VecSet<SessionId>)> {
        self.child.iter().map(|(p, s)| (p.as_str(), s))
    }

    /// The paths on which `session` holds a data watch and a child watch.
    pub fn watches_of(&self, session: SessionId) -> (Vec<String>, Vec<String>) {
        let paths = |t: &VecMap<String, VecSet<SessionId>>| {
            t.iter()
                .filter(|(_, s)| s.contains(&session))
                .map(|(p, _)| p.clone())
                .collect()
        };
        (paths(&self.data), paths(&self.child))
    }

    /// Total number of (path, session) watch entries in both tables.
    pub fn len(&self) -> usize {
        self.data
            .values()
            .chain(self.child.values())
            .map(VecSet::len)
            .sum()
    }

    /// True when no watch is registered.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty() && self.child.is_empty()
    }
}
