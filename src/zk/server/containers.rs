//! The leader's `ContainerManager` (sheet A.2; `ContainerManager.java`, 3.8): from the moment
//! the leader starts serving it checks every `znode.container.checkIntervalMs` for containers
//! that had a child and are empty again and for TTL nodes that are childless and unmodified for
//! their TTL, and asks for each one's deletion with a `deleteContainer` request (session 0),
//! waiting `60000 / znode.container.maxPerMinute` ms after each. The request goes through
//! `PrepRequestProcessor` and Zab like any write, so a node that gained a child meanwhile gets
//! an error txn instead.
//!
//! Simplified: the real manager is a `java.util.Timer` that runs whether or not there is work;
//! here its timer is armed (on the same schedule: start + k × interval) only while the tree
//! holds a container or TTL node, checked on each leader tick, so that ensembles without such
//! nodes keep their traces. A TTL node that would have expired at a check point passed in the
//! same tick as it was created is caught one interval later. Candidates are taken in path order
//! (the real sets are hash sets).

use crate::sim::MS;

use crate::zk::data::txn::WriteOp;
use crate::zk::msg::{ForwardedOp, Timer};
use crate::zk::server::{Server, ZkCtx};

/// The container manager's schedule and its pending deletions.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContainerManager {
    /// Leader wall-clock ms when it started serving (the timer's origin).
    pub started_ms: u64,
    /// The next check point, ms.
    pub next_check_ms: u64,
    /// Candidates of the current check still to ask for, in order.
    pub queue: Vec<String>,
    /// `Timer::ContainerCheck` is set.
    pub armed: bool,
}

impl ContainerManager {
    /// A manager whose first check is one interval after `now_ms`.
    pub fn start(now_ms: u64, interval_ms: u64) -> ContainerManager {
        ContainerManager {
            started_ms: now_ms,
            next_check_ms: now_ms + interval_ms.max(1),
            queue: Vec::new(),
            armed: false,
        }
    }
}

impl Server {
    /// Called on every leader tick: arms the check timer if there is something to look at.
    pub(crate) fn containers_on_tick(&mut self, ctx: &mut ZkCtx) {
        let interval = self.config.container_check_interval_ms.max(1);
        let now_ms = ctx.now_us() / MS;
        let has_nodes = self.tree.has_extended_nodes();
        let Some(l) = self.lead() else { return };
        if !l.started || l.containers.armed || (!has_nodes && l.containers.queue.is_empty()) {
            return;
        }
        let m = &mut l.containers;
        while m.next_check_ms <= now_ms {
            m.next_check_ms += interval;
        }
        m.armed = true;
        ctx.set_timer(Timer::ContainerCheck, (m.next_check_ms - now_ms) * MS);
    }

    /// `Timer::ContainerCheck`: at a check point take the candidates; then ask for the next
    /// queued deletion and wait `60000 / maxPerMinute` ms, or sleep until the next check point.
    pub(crate) fn containers_on_timer(&mut self, ctx: &mut ZkCtx) {
        let interval = self.config.container_check_interval_ms.max(1);
        let min_gap = (60_000 / self.config.container_max_per_minute.max(1)).max(1);
        let now_ms = ctx.now_us() / MS;
        let candidates = self.tree.container_candidates(now_ms as i64);
        let has_nodes = self.tree.has_extended_nodes();
        let Some(l) = self.lead() else { return };
        let m = &mut l.containers;
        m.armed = false;
        if !l.started {
            return;
        }
        if now_ms >= m.next_check_ms && m.queue.is_empty() {
            m.queue = candidates;
            while m.next_check_ms <= now_ms {
                m.next_check_ms += interval;
            }
        }
        let next = if m.queue.is_empty() {
            None
        } else {
            Some(m.queue.remove(0))
        };
        let wait_ms = match (&next, m.queue.is_empty()) {
            (Some(_), false) => Some(min_gap),
            _ if has_nodes => Some(m.next_check_ms.saturating_sub(now_ms).max(1)),
            _ => None,
        };
        if let Some(w) = wait_ms {
            m.armed = true;
            ctx.set_timer(Timer::ContainerCheck, w * MS);
        }
        if let Some(path) = next {
            ctx.note(format!(
                "zk{}'s container manager asks to delete {path}",
                self.sid
            ));
            let op = ForwardedOp::Write(WriteOp::DeleteContainer { path }, Vec::new());
            self.leader_submit(ctx, 0, 0, op, None);
        }
    }
}
