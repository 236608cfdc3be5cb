//! The Log panel's model: one partition's replicas side by side, newest offset on top, so
//! each replica's uncommitted tail sits above its high-watermark line. Records a truncation
//! removed (remembered on the replica, see `Replica::truncated`) stay in their offset's row,
//! struck through; acknowledged writes no leader holds any more are listed with a link to
//! the truncation that removed them, or to the election of the leader that never had them.
//!
//! Simplified: only the last [`ROWS`] offsets are shown.

use crate::cluster::kafka::brokers;
use crate::cluster::kafka::checks::data::{is_acked_record, lost_writes};
use crate::cluster::ClusterWorld;
use crate::kafka::broker::ReplicaRole;
use crate::kafka::log::Record;
use crate::sim::{NodeId, TimeUs};

use super::partitions::{partition_table, PartitionRow};
use crate::view::narrate::preview;

/// Offsets shown.
pub const ROWS: i64 = 30;

/// A record in a cell.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogEntry {
    /// `k3=v3`, shortened.
    pub text: String,
    /// The leader epoch it was written in.
    pub epoch: i32,
}

/// One replica at one offset.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LogSlot {
    pub rec: Option<LogEntry>,
    /// Below this replica's high watermark.
    pub committed: bool,
    /// The last committed offset: the high-watermark line is drawn above it.
    pub hw_line: bool,
    /// Records truncation removed from this offset.
    pub gone: Vec<LogEntry>,
}

/// One offset across the replicas.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogRow {
    pub offset: i64,
    pub slots: Vec<LogSlot>,
}

/// One replica's header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogColumn {
    pub broker: i32,
    pub node: Option<NodeId>,
    pub up: bool,
    /// `leader`, `follower`, `down` or `—`.
    pub role: &'static str,
    pub leo: i64,
    pub hw: i64,
}

/// An acknowledged write that is gone, and where it went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LostWrite {
    /// `v12@40`: value and offset.
    pub text: String,
    /// (time, broker) of the truncation that removed it, if one did.
    pub truncated: Option<(TimeUs, i32)>,
}

/// The panel.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LogTable {
    /// Every partition's name, for the picker.
    pub options: Vec<String>,
    /// The partition shown (empty: none).
    pub partition: String,
    pub columns: Vec<LogColumn>,
    /// Newest offset first.
    pub rows: Vec<LogRow>,
    pub lost: Vec<LostWrite>,
}

fn entry(r: &Record) -> LogEntry {
    let d = &r.data;
    let text = match &d.key {
        Some(k) => preview(&format!("{k}={}", d.value), 14),
        None => preview(&d.value, 14),
    };
    LogEntry {
        text,
        epoch: r.leader_epoch,
    }
}

/// The table for partition `name` (`events-0`; the first partition if unknown).
pub fn log_table(world: &ClusterWorld, name: &str) -> LogTable {
    let table = partition_table(world);
    let options: Vec<String> = table.rows.iter().map(|r| r.name.clone()).collect();
    let Some(row) = table
        .rows
        .iter()
        .find(|r| r.name == name)
        .or(table.rows.first())
    else {
        return LogTable::default();
    };
    let mut out = columns_and_rows(world, row);
    out.options = options;
    out.partition = row.name.clone();
    out.lost = lost(world, row);
    out
}

fn columns_and_rows(world: &ClusterWorld, row: &PartitionRow) -> LogTable {
    let key = (row.topic.clone(), row.partition);
    let reps: Vec<_> = row
        .replicas
        .iter()
        .map(|c| {
            let r = brokers(world)
                .find(|(_, b)| b.id == c.broker)
                .and_then(|(_, b)| b.replicas.get(&key));
            (c, r)
        })
        .collect();
    let columns = reps
        .iter()
        .map(|(c, r)| LogColumn {
            broker: c.broker,
            node: c.node,
            up: c.up,
            role: match r.map(|r| r.role) {
                _ if !c.up => "down",
                Some(ReplicaRole::Leader) => "leader",
                Some(ReplicaRole::Follower) => "follower",
                _ => "—",
            },
            leo: c.leo,
            hw: c.hw,
        })
        .collect();
    let top = reps
        .iter()
        .filter_map(|(_, r)| *r)
        .flat_map(|r| {
            let gone = r.truncated.iter().map(|(_, x)| x.offset + 1).max();
            [r.log.log_end_offset(), gone.unwrap_or(0)]
        })
        .max()
        .unwrap_or(0);
    let low = (top - ROWS).max(0);
    let rows = (low..top)
        .rev()
        .map(|offset| LogRow {
            offset,
            slots: reps
                .iter()
                .map(|(_, r)| {
                    let Some(r) = r else {
                        return LogSlot::default();
                    };
                    let hw = r.log.high_watermark();
                    LogSlot {
                        rec: r.log.record_at(offset).map(entry),
                        committed: offset < hw,
                        hw_line: offset == hw - 1,
                        gone: r
                            .truncated
                            .iter()
                            .filter(|(_, x)| x.offset == offset)
                            .map(|(_, x)| entry(x))
                            .collect(),
                    }
                })
                .collect(),
        })
        .collect();
    LogTable {
        columns,
        rows,
        ..LogTable::default()
    }
}

/// The acknowledged writes of this partition no leader holds, each with the truncation
/// that removed it, if any replica remembers one.
fn lost(world: &ClusterWorld, row: &PartitionRow) -> Vec<LostWrite> {
    let key = (row.topic.clone(), row.partition);
    lost_writes(world)
        .into_iter()
        .filter(|(t, a)| *t == row.topic && a.partition == row.partition)
        .map(|(_, a)| {
            let truncated = brokers(world).find_map(|(_, b)| {
                let r = b.replicas.get(&key)?;
                r.truncated
                    .iter()
                    .find(|(_, x)| is_acked_record(x, a))
                    .map(|(at, _)| (*at, b.id))
            });
            LostWrite {
                text: format!("{}@{}", a.value, a.offset),
                truncated,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::{build, BuildOptions};
    use crate::sim::SEC;

    #[test]
    fn acks_1_loss_shows_struck_records_and_lost_writes_after_the_old_leader_returns() {
        let mut sim = build("kafka-acks-1", &BuildOptions::seed(1)).unwrap();
        while sim.world.now_us() < 32 * SEC && sim.step().is_some() {}
        let t = log_table(&sim.world, "events-2");
        assert_eq!(t.partition, "events-2");
        assert_eq!(t.columns.len(), 3);
        assert!(t.options.len() >= 3);
        let gone: usize = t
            .rows
            .iter()
            .flat_map(|r| &r.slots)
            .map(|s| s.gone.len())
            .sum();
        assert!(gone > 0, "no struck-through records");
        assert!(!t.lost.is_empty());
        assert!(t
            .lost
            .iter()
            .all(|l| l.truncated.is_some_and(|(_, b)| b == 2)));
        // Newest first, and each replica's HW line sits under its uncommitted tail.
        assert!(t.rows.windows(2).all(|w| w[0].offset > w[1].offset));
        for (i, c) in t.columns.iter().enumerate() {
            for r in &t.rows {
                assert_eq!(r.slots[i].committed, r.offset < c.hw);
            }
        }
    }

    #[test]
    fn an_unknown_partition_falls_back_to_the_first() {
        let mut sim = build("kafka-default", &BuildOptions::seed(1)).unwrap();
        while sim.world.now_us() < 8 * SEC && sim.step().is_some() {}
        let t = log_table(&sim.world, "nope-9");
        assert_eq!(t.partition, "events-0");
        assert!(t
            .rows
            .iter()
            .any(|r| r.slots.iter().any(|s| s.rec.is_some())));
        assert!(log_table(
            &crate::cluster::build("default", &BuildOptions::seed(1))
                .unwrap()
                .world,
            "x"
        )
        .options
        .is_empty());
    }
}
