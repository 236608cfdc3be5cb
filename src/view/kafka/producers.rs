//! The Producers panel: per producer its delivery settings (`acks`, idempotence with its
//! producer id and epoch, `retries`, `max.in.flight.requests.per.connection`), the batches
//! on the wire (partition, base sequence, records, attempts), the errors its batches got and
//! the last one, and what became of its writes: acknowledged, given up on, and acknowledged
//! but lost — no longer at their offset in the current leader's log (the same test as the
//! "acknowledged writes lost" counter and `kafka.acked-never-lost`).

use crate::cluster::kafka::checks::data::producer_lost_writes;
use crate::cluster::kafka::producers;
use crate::cluster::ClusterWorld;
use crate::kafka::config::Acks;
use crate::view::names::Names;

/// Lost writes listed per producer (the count covers all).
pub const LOST_SHOWN: usize = 8;

/// A batch on the wire.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchRow {
    pub broker: i32,
    pub partition: i32,
    /// -1 without idempotence.
    pub base_sequence: i32,
    pub records: usize,
    pub attempts: u32,
}

/// An acknowledged record that is gone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LostRow {
    pub value: String,
    pub partition: i32,
    pub offset: i64,
}

/// A producer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProducerRow {
    pub name: String,
    pub topic: String,
    /// `all`, `1`, `0`.
    pub acks: &'static str,
    /// `off`, or `on (pid 4000, epoch 0)`.
    pub idempotence: String,
    pub retries: i32,
    pub max_in_flight: i32,
    pub up: bool,
    pub sent: u64,
    pub acked: usize,
    pub failed: usize,
    pub lost: usize,
    pub errors: usize,
    /// `NOT_ENOUGH_REPLICAS on v17`.
    pub last_error: String,
    pub in_flight: Vec<BatchRow>,
    /// Records waiting in the accumulator.
    pub queued: usize,
    pub lost_writes: Vec<LostRow>,
}

/// The panel's content.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ProducersTable {
    pub producers: Vec<ProducerRow>,
}

/// The producers now.
pub fn producers_table(world: &ClusterWorld, names: &Names) -> ProducersTable {
    let producers = producers(world)
        .map(|(id, p)| {
            let lost = producer_lost_writes(world, p);
            ProducerRow {
                name: names.label(id).to_string(),
                topic: p.topic.clone(),
                acks: match p.config.acks {
                    Acks::All => "all",
                    Acks::One => "1",
                    Acks::Zero => "0",
                },
                idempotence: match &p.idempotence {
                    Some(i) if i.has_producer_id() => format!(
                        "on (producer id {}, epoch {})",
                        i.producer_id, i.producer_epoch
                    ),
                    Some(_) => "on (no producer id yet)".into(),
                    None => "off".into(),
                },
                retries: p.config.retries,
                max_in_flight: p.config.max_in_flight_requests_per_connection,
                up: world.is_up(id) || !world.has_started(id),
                sent: p.sent_count(),
                acked: p.acked.len(),
                failed: p.failed.len(),
                lost: lost.len(),
                errors: p.errors.len(),
                last_error: p
                    .errors
                    .last()
                    .map(|(v, e)| format!("{} on {v}", e.name()))
                    .unwrap_or_default(),
                in_flight: p
                    .in_flight()
                    .iter()
                    .flat_map(|r| {
                        r.batches.iter().map(|b| BatchRow {
                            broker: r.broker,
                            partition: b.partition,
                            base_sequence: b.base_sequence,
                            records: b.records.len(),
                            attempts: b.attempts,
                        })
                    })
                    .collect(),
                queued: p.accumulator.queued_records(),
                lost_writes: lost
                    .iter()
                    .take(LOST_SHOWN)
                    .map(|a| LostRow {
                        value: a.value.clone(),
                        partition: a.partition,
                        offset: a.offset,
                    })
                    .collect(),
            }
        })
        .collect();
    ProducersTable { producers }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::{build, BuildOptions};

    fn at(name: &str, steps: u64) -> ProducersTable {
        let mut sim = build(name, &BuildOptions::seed(1)).unwrap();
        for _ in 0..steps {
            if sim.step().is_none() {
                break;
            }
        }
        producers_table(&sim.world, &Names::from_world(&sim.world))
    }

    #[test]
    fn an_acks_all_producer_shows_its_settings_and_acknowledged_writes() {
        let t = at("kafka-acks-all", 6000);
        let p = &t.producers[0];
        assert_eq!(p.acks, "all");
        assert!(p.acked > 0 && p.lost == 0, "{p:?}");
        assert!(p.sent as usize >= p.acked);
    }

    #[test]
    fn an_acks_1_producer_shows_acknowledged_writes_lost_after_the_leader_dies() {
        let t = at("kafka-acks-1", 40_000);
        let p = &t.producers[0];
        assert_eq!(p.acks, "1");
        assert!(p.lost > 0, "{p:?}");
        assert_eq!(p.lost_writes.len(), p.lost.min(LOST_SHOWN));
    }
}
