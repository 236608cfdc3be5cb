//! The auto preferred-leader rebalance (`checkAndTriggerAutoLeaderRebalance`, 2.8.2).
//!
//! Every `leader.imbalance.check.interval.seconds` (first 5 s after start-up) partitions are
//! grouped by their preferred replica (first in the assignment). For a broker whose share of
//! partitions led by someone else exceeds `leader.imbalance.per.broker.percentage`, the
//! preferred election runs for those partitions where the preferred replica is alive and in
//! the ISR (`canPreferredReplicaBeLeader`): leader = preferred replica, ISR unchanged, leader
//! epoch + 1. The ratio test is done in integers (`n * 100 > pct * total`).

use crate::sim::VecMap;

use super::StateWrite;
use crate::kafka::broker::{Broker, KCtx};
use crate::kafka::msg::Timer;
use crate::kafka::partition_state::{elect_preferred, LeaderAndIsr};
use crate::sim::SEC;

impl Broker {
    /// `AutoPreferredReplicaLeaderElection`.
    pub(in crate::kafka::broker) fn ctl_on_auto_rebalance(&mut self, ctx: &mut KCtx) {
        let Some(c) = self.controller.as_ref().filter(|c| c.started) else {
            return;
        };
        if !self.config.auto_leader_rebalance_enable {
            return;
        }
        let live = c.live_set();
        let pct = i64::from(self.config.leader_imbalance_per_broker_percentage.max(0));
        // Preferred broker → (partitions it prefers, those led by someone else).
        let mut by_preferred: VecMap<i32, (i64, Vec<(String, i32)>)> = VecMap::new();
        for (k, cp) in &c.partitions {
            let Some(&preferred) = cp.replicas.first() else {
                continue;
            };
            let entry = by_preferred.entry(preferred).or_default();
            entry.0 += 1;
            if cp
                .leader_and_isr
                .as_ref()
                .is_some_and(|l| l.leader != preferred)
            {
                entry.1.push(k.clone());
            }
        }
        let mut elections: Vec<((String, i32), LeaderAndIsr, Vec<i32>)> = Vec::new();
        for (broker, (total, off)) in by_preferred {
            if (off.len() as i64) * 100 <= pct * total {
                continue;
            }
            ctx.note(format!(
                "leader imbalance for broker {broker}: {} of its {total} preferred partitions led elsewhere",
                off.len()
            ));
            for k in off {
                let Some(cp) = c.partitions.get(&k) else {
                    continue;
                };
                let Some(cur) = &cp.leader_and_isr else {
                    continue;
                };
                if let Some(next) = elect_preferred(&cp.replicas, cur, &live) {
                    let recipients = cp
                        .replicas
                        .iter()
                        .copied()
                        .filter(|r| live.contains(r))
                        .collect();
                    elections.push((k, next, recipients));
                }
            }
        }
        for (k, next, recipients) in elections {
            ctx.note(format!(
                "preferred leader election: {}-{} back to broker {}",
                k.0, k.1, next.leader
            ));
            self.write_state(ctx, &k, next, false, StateWrite::to(&k, recipients));
        }
        let every = self.config.leader_imbalance_check_interval_seconds.max(1) as u64;
        ctx.set_timer(Timer::AutoLeaderRebalance, every * SEC);
    }
}
