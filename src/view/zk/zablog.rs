//! The Zab log table: one column per server, one row per zxid, each cell saying whether that
//! server has the transaction only logged (proposed, not yet committed) or committed. It shows
//! the broadcast path at a glance: a PROPOSAL fans out, ACKs come back, the leader commits
//! once a quorum has logged it, and followers commit on COMMIT. Under each server's name:
//! its state, epochs and how it was last synced (DIFF, TRUNC or SNAP). Observers have
//! columns too, marked as such (they log and commit what the leader INFORMs them of, never
//! ACK); the ACK count and the quorum it needs are over the voting members only.
//!
//! Built from the servers' summaries, which carry their most recent log entries only.

use crate::sim::NodeId;
use crate::zk::{fmt_zxid, Zxid};

use crate::view::cards::Role;
use crate::view::history::History;
use crate::view::names::Names;

use super::cards::{role_of, Summaries};

/// Most rows shown (newest first).
pub const MAX_ROWS: usize = 60;

/// What one server has of one transaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cell {
    /// Not in its log.
    Absent,
    /// Logged (and ACKed) but not committed.
    Logged,
    /// Committed and applied.
    Committed,
}

impl Cell {
    /// `absent`, `logged`, `committed`.
    pub fn as_str(self) -> &'static str {
        match self {
            Cell::Absent => "absent",
            Cell::Logged => "logged",
            Cell::Committed => "committed",
        }
    }
}

/// A server's column head.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ZabColumn {
    pub id: NodeId,
    pub label: String,
    pub role: Role,
    /// A non-voting observer.
    pub observer: bool,
    pub accepted_epoch: u32,
    pub current_epoch: u32,
    pub last_logged: String,
    pub last_committed: String,
    /// Learners: how they were last synced, e.g. `DIFF at 0x100000003`.
    pub last_sync: Option<String>,
}

/// One transaction across the servers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ZabRow {
    pub zxid: Zxid,
    pub zxid_text: String,
    /// e.g. `create /a`.
    pub summary: String,
    /// One cell per column.
    pub cells: Vec<Cell>,
    /// At the leader: how many servers have ACKed it, out of the quorum needed.
    pub acks: Option<(usize, usize)>,
    /// The step that first committed it, if known.
    pub commit_step: Option<u64>,
}

/// The whole table.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ZabTable {
    pub columns: Vec<ZabColumn>,
    pub rows: Vec<ZabRow>,
}

/// Builds the table. `is_up` tells crashed servers (their log survives on disk).
pub fn zab_table(
    summaries: &Summaries,
    names: &Names,
    history: &History,
    is_up: &dyn Fn(NodeId) -> bool,
) -> ZabTable {
    let observers: Vec<u64> = summaries
        .servers
        .iter()
        .filter(|(_, s)| s.observer)
        .map(|(_, s)| s.sid)
        .collect();
    let voters = summaries.servers.len() - observers.len();
    let quorum = voters / 2 + 1;
    let columns = summaries
        .servers
        .iter()
        .map(|(id, s)| ZabColumn {
            id: *id,
            label: names.label(*id).to_string(),
            role: if is_up(*id) {
                role_of(s.state)
            } else {
                Role::DOWN
            },
            observer: s.observer,
            accepted_epoch: s.accepted_epoch,
            current_epoch: s.current_epoch,
            last_logged: fmt_zxid(s.last_logged_zxid),
            last_committed: fmt_zxid(s.last_committed_zxid),
            last_sync: s
                .last_sync
                .map(|(mode, z)| format!("{mode} at {}", fmt_zxid(z))),
        })
        .collect();
    // Sorted by zxid, oldest first; a vector rather than a map (see `names`).
    let mut rows: Vec<ZabRow> = Vec::new();
    let n = summaries.servers.len();
    for (col, (id, s)) in summaries.servers.iter().enumerate() {
        let leading = is_up(*id) && s.state == crate::zk::msg::ServerState::Leading;
        for e in &s.log {
            let at = rows.partition_point(|r| r.zxid < e.zxid);
            if rows.get(at).is_none_or(|r| r.zxid != e.zxid) {
                rows.insert(
                    at,
                    ZabRow {
                        zxid: e.zxid,
                        zxid_text: fmt_zxid(e.zxid),
                        summary: e.summary.clone(),
                        cells: vec![Cell::Absent; n],
                        acks: None,
                        commit_step: history.protocols.zk.commit_step(e.zxid),
                    },
                );
            }
            let row = &mut rows[at];
            row.cells[col] = if e.committed {
                Cell::Committed
            } else {
                Cell::Logged
            };
            // The ACK count matters while the leader waits for a quorum; once committed
            // the leader forgets who ACKed, and the row keeps "quorum of quorum". Only voters'
            // ACKs count.
            if leading {
                let voted = e.acks.iter().filter(|a| !observers.contains(a)).count();
                let a = if e.committed { quorum } else { voted };
                row.acks = Some((a, quorum));
            }
        }
    }
    ZabTable {
        columns,
        rows: rows.into_iter().rev().take(MAX_ROWS).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view::zk::cards::tests::{names, summary};
    use crate::zk::msg::ServerState;
    use crate::zk::server::summary::LogEntrySummary;

    fn entry(zxid: Zxid, committed: bool, acks: Vec<u64>) -> LogEntrySummary {
        LogEntrySummary {
            zxid,
            summary: format!("create /n{zxid:x}"),
            committed,
            acks,
        }
    }

    #[test]
    fn cells_show_logged_and_committed_with_the_leaders_ack_count() {
        let mut leader = summary(1, ServerState::Leading);
        leader.log = vec![
            entry(0x1_0000_0001, true, vec![1, 2]),
            entry(0x1_0000_0002, false, vec![1]),
        ];
        let mut follower = summary(2, ServerState::Following);
        follower.log = vec![
            entry(0x1_0000_0001, true, vec![]),
            entry(0x1_0000_0002, false, vec![]),
        ];
        follower.last_sync = Some(("DIFF", 0x1_0000_0000));
        let lagging = summary(3, ServerState::Following);
        let s = Summaries {
            servers: vec![
                (NodeId(0), leader),
                (NodeId(1), follower),
                (NodeId(2), lagging),
            ],
            clients: vec![],
        };
        let t = zab_table(&s, &names(), &History::default(), &|id| id != NodeId(2));
        assert_eq!(t.columns.len(), 3);
        assert_eq!(
            t.columns[1].last_sync.as_deref(),
            Some("DIFF at 0x100000000")
        );
        assert_eq!(t.columns[2].role, Role::DOWN);
        assert_eq!(t.rows.len(), 2);
        let newest = &t.rows[0];
        assert_eq!(newest.zxid_text, "0x100000002");
        assert_eq!(newest.cells, [Cell::Logged, Cell::Logged, Cell::Absent]);
        assert_eq!(newest.acks, Some((1, 2)));
        assert_eq!(
            t.rows[1].cells,
            [Cell::Committed, Cell::Committed, Cell::Absent]
        );
        assert_eq!(t.rows[1].acks, Some((2, 2)));
    }

    #[test]
    fn observers_have_marked_columns_and_the_ack_quorum_counts_only_voters() {
        let mut leader = summary(3, ServerState::Leading);
        leader.log = vec![entry(0x1_0000_0001, false, vec![3, 4])];
        let mut servers: Vec<(NodeId, _)> = (1..=2)
            .map(|sid| (NodeId(sid as u32 - 1), summary(sid, ServerState::Following)))
            .collect();
        servers.push((NodeId(2), leader));
        for sid in 4..=5 {
            let mut o = summary(sid, ServerState::Observing);
            o.observer = true;
            servers.push((NodeId(sid as u32 - 1), o));
        }
        let s = Summaries {
            servers,
            clients: vec![],
        };
        let t = zab_table(&s, &names(), &History::default(), &|_| true);
        assert_eq!(t.columns.len(), 5);
        assert!(t.columns[3].observer && t.columns[4].observer && !t.columns[0].observer);
        assert_eq!(t.columns[3].role.as_str(), "observing");
        assert_eq!(
            t.rows[0].acks,
            Some((1, 2)),
            "3 voters: a quorum is 2, zk4 does not count"
        );
    }
}
