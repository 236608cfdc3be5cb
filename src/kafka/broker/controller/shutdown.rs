//! `ControlledShutdown` on the controller (`KafkaController.doControlledShutdown`, 2.8.2).
//!
//! The broker is marked shutting down (no longer "live" for elections). Of the partitions it
//! hosts with more than one replica: those it leads get the controlled-shutdown election
//! (first replica in assignment order that is alive, in the ISR and not shutting down; ISR
//! minus the shutting-down brokers; `LeaderAndIsr` to the live or shutting-down replicas, so
//! the stopping broker becomes a follower); those it follows get `StopReplica
//! (deletePartitions=false)` and the `OfflineReplica` transition (out of the ISR,
//! `LeaderAndIsr` to the other replicas). The answer lists the partitions it still leads,
//! sent once the `state` writes are done (Kafka writes synchronously inside the event).
//!
//! As in 2.8, `StopReplica` carries the leader epoch from before the ISR removal, which the
//! broker's epoch check then ignores (`FENCED_LEADER_EPOCH`): the broker stops its fetchers
//! only when it exits. A follower may even rejoin the ISR through the leader's `AlterIsr`
//! until its registration vanishes (fixed only by KIP-841 in 3.3).

use super::{PendingShutdown, StateWrite};
use crate::kafka::broker::{Broker, KCtx};
use crate::kafka::errors::KafkaError;
use crate::kafka::msg::Msg;
use crate::kafka::partition_state::{elect_controlled_shutdown, remove_replica_from_isr};
use crate::sim::NodeId;

impl Broker {
    /// `processControlledShutdown`.
    pub(in crate::kafka::broker) fn ctl_on_controlled_shutdown(
        &mut self,
        ctx: &mut KCtx,
        src: NodeId,
        broker_id: i32,
        broker_epoch: i64,
    ) {
        let reply = |error| Msg::ControlledShutdownResponse {
            error,
            remaining: Vec::new(),
        };
        let Some(c) = self.ctl().filter(|c| c.started) else {
            ctx.send(src, reply(KafkaError::NotController));
            return;
        };
        let Some(&(cached_epoch, _)) = c.live.get(&broker_id) else {
            // BrokerNotAvailableException.
            ctx.send(src, reply(KafkaError::UnknownServerError));
            return;
        };
        if broker_epoch < cached_epoch {
            ctx.send(src, reply(KafkaError::StaleBrokerEpoch));
            return;
        }
        c.shutting_down.insert(broker_id);
        let live_or_sd = c.live_or_shutting_down();
        let sd = c.shutting_down.clone();
        let mut led = Vec::new();
        let mut followed = Vec::new();
        for (k, cp) in &c.partitions {
            let Some(lai) = &cp.leader_and_isr else {
                continue;
            };
            if cp.replicas.len() <= 1 || !cp.replicas.contains(&broker_id) {
                continue;
            }
            if lai.leader == broker_id {
                led.push((k.clone(), cp.replicas.clone(), lai.clone()));
            } else {
                followed.push((k.clone(), cp.replicas.clone(), lai.clone()));
            }
        }
        ctx.note(format!(
            "controlled shutdown of broker {broker_id}: moves {} leaderships, takes it out of {} ISRs",
            led.len(),
            followed.len()
        ));
        let mut writes = 0;
        for (k, replicas, cur) in led {
            let Some(next) = elect_controlled_shutdown(&replicas, &cur, &live_or_sd, &sd) else {
                continue;
            };
            let recipients = replicas
                .iter()
                .copied()
                .filter(|r| live_or_sd.contains(r))
                .collect();
            let mut w = StateWrite::to(&k, recipients);
            w.shutdown_of = Some(broker_id);
            self.write_state(ctx, &k, next, false, w);
            writes += 1;
        }
        let stops = followed
            .iter()
            .map(|(k, _, cur)| (k.0.clone(), k.1, cur.leader_epoch))
            .collect();
        self.send_stop_replica(ctx, broker_id, stops, false);
        for (k, replicas, cur) in followed {
            let Some(next) = remove_replica_from_isr(&cur, broker_id) else {
                continue;
            };
            let recipients = replicas.into_iter().filter(|&r| r != broker_id).collect();
            let mut w = StateWrite::to(&k, recipients);
            w.shutdown_of = Some(broker_id);
            self.write_state(ctx, &k, next, false, w);
            writes += 1;
        }
        if writes == 0 {
            self.answer_controlled_shutdown(ctx, broker_id, src);
        } else if let Some(c) = self.ctl() {
            c.shutdowns.push(PendingShutdown {
                broker: broker_id,
                reply_to: src,
                writes_left: writes,
            });
        }
    }

    /// The answer: the partitions `broker` still leads (`partitionLeadersOnBroker`).
    pub(super) fn answer_controlled_shutdown(&mut self, ctx: &mut KCtx, broker: i32, to: NodeId) {
        let Some(c) = self.controller.as_ref() else {
            return;
        };
        let remaining: Vec<(String, i32)> = c
            .partitions
            .iter()
            .filter(|(_, cp)| {
                cp.leader_and_isr
                    .as_ref()
                    .is_some_and(|l| l.leader == broker)
            })
            .map(|(k, _)| k.clone())
            .collect();
        let msg = Msg::ControlledShutdownResponse {
            error: KafkaError::None,
            remaining,
        };
        ctx.send(to, msg);
    }
}
