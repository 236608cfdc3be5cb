//! The sessions table: every session in the replicated session table, its owner, timeout,
//! the server its client is connected to, when the leader will expire it, and the ephemeral
//! znodes it owns (which vanish with it). Clients whose session is not (or no longer) in the
//! table are listed too, so an expiry is visible from both sides.
//!
//! Expiring a session by hand is an input delivered to the leader, so the table says which
//! node that is (and why it is impossible when there is no leader).

use crate::cluster::{ClusterWorld, Msg};
use crate::sim::{Input, NodeId, TimeUs};
use crate::view::names::Names;
use crate::zk::SessionId;

use super::cards::{current_leader, Summaries};
use super::names::{fmt_session, ZkNames};
use super::znodes::source_server;

/// One session (or one client without a session).
#[derive(Clone, Debug, PartialEq)]
pub struct SessionRow {
    /// 0 for a client that has no session yet.
    pub session: SessionId,
    pub session_text: String,
    pub owner: Option<NodeId>,
    pub owner_label: String,
    /// Client state: `CONNECTED`, `CONNECTING`, `CLOSED`; `?` when the owner is unknown.
    pub client_state: &'static str,
    /// Label of the server the client talks to.
    pub server: Option<String>,
    pub timeout_ms: Option<i32>,
    /// Milliseconds until the leader expires it, if the leader tracks it.
    pub expires_in_ms: Option<i64>,
    pub ephemerals: Vec<String>,
    /// Whether the replicated table has it.
    pub live: bool,
    /// The input that expires it now (delivered to the leader), if it can be expired.
    pub expire: Option<Input<Msg>>,
}

/// The table, with where an expiry would be sent.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct SessionTable {
    pub rows: Vec<SessionRow>,
    /// The leader: the node an expiry is delivered to.
    pub expire_via: Option<NodeId>,
}

/// Builds the table from the leader's (or the most up-to-date server's) database.
pub fn session_table(world: &ClusterWorld, names: &Names, summaries: &Summaries) -> SessionTable {
    let is_up = |id: NodeId| world.is_up(id);
    let leader = current_leader(summaries, &is_up);
    let now = world.now_us();
    let expiries: Vec<(SessionId, TimeUs)> = leader
        .and_then(|l| summaries.server(l))
        .map(|s| s.session_expiries.clone())
        .unwrap_or_default();
    let mut rows = Vec::new();
    let source = source_server(world, summaries, None).and_then(|id| world.node(id).zk_server());
    if let Some(srv) = source {
        let tree = srv.tree();
        for (&session, &timeout) in tree.sessions() {
            let owner = names.client_of_session(session);
            let client = owner.and_then(|o| summaries.client(o));
            rows.push(SessionRow {
                session,
                session_text: fmt_session(session),
                owner,
                owner_label: owner.map_or("?".into(), |o| names.label(o).to_string()),
                client_state: client.map_or("?", |c| c.state),
                server: client
                    .and_then(|c| c.server)
                    .map(|s| names.label(s).to_string()),
                timeout_ms: Some(timeout),
                expires_in_ms: expiries
                    .iter()
                    .find(|(s, _)| *s == session)
                    .map(|(_, at)| (*at as i64 - now as i64) / 1000),
                ephemerals: tree.ephemerals_of(session).iter().cloned().collect(),
                live: true,
                expire: leader.map(|l| super::url::expire(session, l)),
            });
        }
    }
    for (id, c) in &summaries.clients {
        if rows
            .iter()
            .any(|r| r.owner == Some(*id) && r.session == c.session_id)
        {
            continue;
        }
        rows.push(SessionRow {
            session: c.session_id,
            session_text: if c.session_id == 0 {
                "none yet".into()
            } else {
                fmt_session(c.session_id)
            },
            owner: Some(*id),
            owner_label: names.label(*id).to_string(),
            client_state: if world.is_up(*id) || !world.has_started(*id) {
                c.state
            } else {
                "DOWN"
            },
            server: c.server.map(|s| names.label(s).to_string()),
            timeout_ms: (c.timeout_ms > 0).then_some(c.timeout_ms),
            expires_in_ms: None,
            ephemerals: Vec::new(),
            live: false,
            expire: None,
        });
    }
    SessionTable {
        rows,
        expire_via: leader,
    }
}

#[cfg(test)]
mod tests {
    // The table needs servers with a data tree: it is exercised end to end in
    // `tests/view_zk.rs` once the server lands; here only the shape is checked.
    use super::*;

    #[test]
    fn an_empty_world_has_no_sessions_and_no_leader() {
        let sim =
            crate::cluster::build("heartbeat", &crate::cluster::BuildOptions::seed(1)).unwrap();
        let names = Names::from_world(&sim.world);
        let t = session_table(&sim.world, &names, &Summaries::read(&sim.world));
        assert_eq!(t, SessionTable::default());
    }
}
