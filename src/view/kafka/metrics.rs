//! The Metrics panel: the figures Kafka and ZooKeeper operators watch, as the world has
//! them at the current step, each with its change at this step, a sparkline over the recent
//! steps and the step that last changed it (see [`super::history`] for how they are kept).
//!
//! Definitions (Kafka 2.8.2):
//! * `ActiveControllerCount`: 1 on the broker that is the active controller, summed over the
//!   running brokers (healthy: exactly 1);
//! * `OfflinePartitionsCount`: the active controller's partitions in the `OfflinePartition`
//!   state (`ControllerContext.offlinePartitionCount`);
//! * `UnderReplicatedPartitions`: partitions a running broker leads with fewer in-sync
//!   replicas than assigned (`Partition.isUnderReplicated`), summed over brokers;
//! * `UnderMinIsrPartitionCount`: led partitions whose ISR is below the topic's
//!   `min.insync.replicas` (`Partition.isUnderMinIsr`);
//! * the meters (`…PerSec`, `LeaderElectionRateAndTimeMs`) as JMX shows their `Count`:
//!   each broker's count since that broker last started, summed over the running brokers;
//! * `records-lag-max`: the consumers' largest `records-lag` (high watermark − position).
//!
//! Why the meters are summed that way: in Kafka each is a Yammer meter in one broker's
//! memory (`ReplicaManager`'s ISR meters, `BrokerTopicStats`, the controller's
//! `ControllerStats`), so a broker that restarts starts again from zero and one that is down
//! reports nothing. An operator adding up the brokers' `Count`s on a dashboard sees exactly
//! this sum — it drops when a broker dies or restarts — and reads the rate from its changes,
//! as the delta and sparkline here do. A total since the run started would be a number no
//! Kafka tool shows.

use crate::cluster::kafka::{consumers, controller, running_brokers};
use crate::cluster::ClusterWorld;
use crate::kafka::broker::controller::PartitionPhase;
use crate::kafka::broker::ReplicaRole;

use super::history::{changed_at, samples, value_at, KafkaHistory};

/// A metric: its name as operators know it, where it comes from, and what it means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MetricDef {
    pub name: &'static str,
    pub source: &'static str,
    pub help: &'static str,
}

const fn m(name: &'static str, source: &'static str, help: &'static str) -> MetricDef {
    MetricDef { name, source, help }
}

/// Every metric, in panel order.
pub const METRICS: &[MetricDef] = &[
    m(
        "ActiveControllerCount",
        "brokers",
        "Brokers that are the active controller: 1 when healthy.",
    ),
    m(
        "OfflinePartitionsCount",
        "controller",
        "Partitions without a live leader: nobody can produce to or consume from them.",
    ),
    m(
        "UnderReplicatedPartitions",
        "brokers",
        "Led partitions with fewer in-sync replicas than assigned.",
    ),
    m(
        "UnderMinIsrPartitionCount",
        "brokers",
        "Led partitions whose ISR is below min.insync.replicas: acks=all produce fails.",
    ),
    m(
        "IsrShrinksPerSec",
        "running brokers, each since its start",
        "Times a leader removed a lagging follower from the ISR.",
    ),
    m(
        "IsrExpandsPerSec",
        "running brokers, each since its start",
        "Times a leader added a caught-up follower back to the ISR.",
    ),
    m(
        "LeaderElectionRateAndTimeMs",
        "running brokers, each since its start",
        "Broker changes the controller handled (it elects leaders for the partitions they led).",
    ),
    m(
        "UncleanLeaderElectionsPerSec",
        "running brokers, each since its start",
        "Leaders elected from outside the ISR: acknowledged writes may be lost.",
    ),
    m(
        "FailedProduceRequestsPerSec",
        "running brokers, each since its start",
        "Partition appends a broker refused (e.g. NOT_ENOUGH_REPLICAS).",
    ),
    m(
        "records-lag-max",
        "consumers",
        "The largest gap between a partition's high watermark and a consumer's position.",
    ),
    m(
        "zk_server_state",
        "ZooKeeper",
        "Each ZooKeeper server's state; the series is the leader's id.",
    ),
    m(
        "zk_znode_count",
        "ZooKeeper leader",
        "Znodes in the data tree.",
    ),
    m(
        "zk_watch_count",
        "all servers",
        "Watches set by clients (brokers, the controller) on any server.",
    ),
    m(
        "zk_ephemerals_count",
        "ZooKeeper leader",
        "Ephemeral znodes (broker registrations, /controller).",
    ),
    m(
        "zk_outstanding_requests",
        "ZooKeeper leader",
        "Writes proposed and not yet committed.",
    ),
];

/// Number of metrics.
pub const COUNT: usize = 15;
/// Index of `IsrShrinksPerSec`.
pub const ISR_SHRINKS: usize = 4;
/// Index of `IsrExpandsPerSec`.
pub const ISR_EXPANDS: usize = 5;
/// Index of `LeaderElectionRateAndTimeMs`.
pub const LEADER_ELECTIONS: usize = 6;
/// Index of `UncleanLeaderElectionsPerSec`.
pub const UNCLEAN: usize = 7;
/// Index of `FailedProduceRequestsPerSec`.
pub const FAILED_PRODUCE: usize = 8;
/// The meters each broker keeps from its start (see [`super::history`]).
pub const METERS: [usize; 5] = [
    ISR_SHRINKS,
    ISR_EXPANDS,
    LEADER_ELECTIONS,
    UNCLEAN,
    FAILED_PRODUCE,
];
/// Index of `zk_server_state`.
const ZK_STATE: usize = 10;

/// Steps a sparkline covers, and its number of points.
pub const SPARK_STEPS: u64 = 2000;
pub const SPARK_POINTS: u64 = 32;

/// Every metric read from the world (the [`METERS`] are 0 here: the history counts them).
pub fn world_values(world: &ClusterWorld, zk: &dyn Fn(&ClusterWorld) -> [i64; 5]) -> [i64; COUNT] {
    let mut v = [0i64; COUNT];
    for (_, b) in running_brokers(world) {
        v[0] += i64::from(b.is_controller());
        for r in b.replicas.values() {
            if r.role != ReplicaRole::Leader {
                continue;
            }
            let isr = r.isr.len();
            v[2] += i64::from(isr < r.replicas.len());
            v[3] += i64::from((isr as i32) < r.log_config.min_insync_replicas(&b.config));
        }
    }
    if let Some(c) = controller(world).and_then(|(_, b)| b.controller.as_ref()) {
        v[1] = c
            .partitions
            .values()
            .filter(|p| p.phase == PartitionPhase::Offline)
            .count() as i64;
    }
    v[9] = consumers(world)
        .filter(|(id, _)| world.is_up(*id))
        .flat_map(|(_, c)| c.assigned.iter().map(|a| a.lag()))
        .max()
        .unwrap_or(0);
    let z = zk(world);
    v[ZK_STATE..].copy_from_slice(&z);
    v
}

/// One metric at the current step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MetricRow {
    pub def: MetricDef,
    pub value: String,
    /// Change at this step.
    pub delta: i64,
    /// Sparkline points (`x,y` pairs in a 64×16 box).
    pub spark: String,
    /// The step that last changed it.
    pub changed: Option<u64>,
}

/// The panel's content.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct MetricsTable {
    pub rows: Vec<MetricRow>,
}

/// The metrics at `cursor`; `zk_states` is ZooKeeper's `zk_server_state` in words.
pub fn metrics_table(history: &KafkaHistory, cursor: u64, zk_states: String) -> MetricsTable {
    let rows = METRICS
        .iter()
        .enumerate()
        .map(|(i, def)| {
            let s = history.metric(i).to_vec();
            let now = value_at(&s, cursor).unwrap_or(0);
            let before = value_at(&s, cursor.saturating_sub(1)).unwrap_or(0);
            MetricRow {
                def: *def,
                value: if i == ZK_STATE {
                    zk_states.clone()
                } else {
                    now.to_string()
                },
                delta: if cursor == 0 { 0 } else { now - before },
                spark: sparkline(&samples(&s, cursor, SPARK_STEPS, SPARK_POINTS)),
                changed: changed_at(&s, cursor),
            }
        })
        .collect();
    MetricsTable { rows }
}

/// Width and height of a sparkline's box.
pub const SPARK_W: i64 = 64;
pub const SPARK_H: i64 = 16;

/// The points of an SVG polyline for `values`, scaled into a [`SPARK_W`]×[`SPARK_H`] box
/// (0 at the bottom, the largest value at the top). Integers only.
pub fn sparkline(values: &[i64]) -> String {
    let n = values.len() as i64;
    if n == 0 {
        return String::new();
    }
    let lo = values.iter().copied().min().unwrap_or(0).min(0);
    let hi = values.iter().copied().max().unwrap_or(0);
    let mut out = String::new();
    for (i, v) in values.iter().enumerate() {
        let x = if n > 1 {
            i as i64 * SPARK_W / (n - 1)
        } else {
            0
        };
        let y = if hi == lo {
            SPARK_H - 1
        } else {
            SPARK_H - 1 - (v - lo) * (SPARK_H - 2) / (hi - lo)
        };
        if i > 0 {
            out.push(' ');
        }
        out.push_str(&x.to_string());
        out.push(',');
        out.push_str(&y.to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_definitions_match_the_count_and_the_counter_indexes() {
        assert_eq!(METRICS.len(), COUNT);
        assert_eq!(METRICS[ISR_SHRINKS].name, "IsrShrinksPerSec");
        assert_eq!(
            METRICS[LEADER_ELECTIONS].name,
            "LeaderElectionRateAndTimeMs"
        );
        assert_eq!(METRICS[FAILED_PRODUCE].name, "FailedProduceRequestsPerSec");
        assert_eq!(METRICS[ZK_STATE].name, "zk_server_state");
    }

    #[test]
    fn a_broker_crash_shows_one_controller_and_under_replicated_partitions() {
        let mut sim = crate::cluster::build(
            "kafka-leader-failover",
            &crate::cluster::BuildOptions::seed(1),
        )
        .unwrap();
        let mut h = KafkaHistory::default();
        let mut last = 0;
        let mut urp_seen = None;
        while let Some(rec) = sim.step() {
            h.observe(&rec, &sim.world, &|_| [0; 5]);
            last = rec.step;
            let t = metrics_table(&h, last, String::new());
            if t.rows[2].value != "0" && sim.world.now_us() > 15 * crate::sim::SEC {
                urp_seen = Some(t);
                break;
            }
        }
        let t = urp_seen.expect("under-replicated partitions after the crash");
        assert_eq!(t.rows[0].value, "1");
        assert_eq!(t.rows[2].changed, Some(last));
        assert!(t.rows[2].delta > 0);
        assert!(t.rows[2].spark.contains(','));
    }

    #[test]
    fn a_cut_off_follower_is_counted_as_an_isr_shrink_and_its_return_as_an_expand() {
        let mut sim =
            crate::cluster::build("kafka-isr-shrink", &crate::cluster::BuildOptions::seed(1))
                .unwrap();
        let mut h = KafkaHistory::default();
        let mut last = 0;
        while sim.world.now_us() < 45 * crate::sim::SEC {
            let Some(rec) = sim.step() else { break };
            h.observe(&rec, &sim.world, &|_| [0; 5]);
            last = rec.step;
        }
        let t = metrics_table(&h, last, String::new());
        assert_ne!(t.rows[ISR_SHRINKS].value, "0");
        assert_ne!(t.rows[ISR_EXPANDS].value, "0");
        assert!(t.rows[ISR_SHRINKS].changed.is_some());
    }

    #[test]
    fn a_sparkline_scales_integers_into_its_box() {
        assert_eq!(sparkline(&[0, 0]), "0,15 64,15");
        assert_eq!(sparkline(&[0, 2, 1]), "0,15 32,1 64,8");
        assert_eq!(sparkline(&[3, 3]), "0,1 64,1");
        assert_eq!(sparkline(&[]), "");
    }
}
