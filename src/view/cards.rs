//! What each node's card says: its role (the lower-case word the page exposes as
//! `data-role`), epoch and last zxid, its vote while an election runs, whether it is part of
//! the quorum behind the current leader, and for clients their session and what they do.
//!
//! Pure functions of the protocols' summaries (`ServerSummary`, `ClientSummary`), so they
//! are tested without running a protocol.

use crate::cluster::{ClusterWorld, Node};
use crate::sim::{NodeId, TimeUs};
use crate::zk::msg::ServerState;
use crate::zk::server::summary::{client_summary, ClientSummary, ServerSummary};
use crate::zk::{fmt_zxid, Sid};

use super::layout::Layout;
use super::names::{fmt_session, Names, NodeKind};

/// The role word of a node: what `data-role` says and what CSS colours.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    Looking,
    Following,
    Leading,
    Observing,
    /// Crashed (any kind of node).
    Down,
    /// A ZooKeeper client.
    Client,
    /// A heartbeat member.
    Member,
}

impl Role {
    /// The lower-case word: `looking`, `following`, `leading`, `observing`, `down`,
    /// `client`, `member`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Looking => "looking",
            Role::Following => "following",
            Role::Leading => "leading",
            Role::Observing => "observing",
            Role::Down => "down",
            Role::Client => "client",
            Role::Member => "member",
        }
    }

    /// The word people read on the card (ZooKeeper's own upper case for server states).
    pub fn title(self) -> &'static str {
        match self {
            Role::Looking => "LOOKING",
            Role::Following => "FOLLOWING",
            Role::Leading => "LEADING",
            Role::Observing => "OBSERVING",
            Role::Down => "DOWN",
            Role::Client => "client",
            Role::Member => "member",
        }
    }

    /// The role of a server in `state`.
    pub fn of_state(state: ServerState) -> Role {
        match state {
            ServerState::Looking => Role::Looking,
            ServerState::Following => Role::Following,
            ServerState::Leading => Role::Leading,
            ServerState::Observing => Role::Observing,
        }
    }
}

/// A server's vote while it is LOOKING.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VoteView {
    /// Label of the proposed leader.
    pub leader: String,
    /// Its last zxid, `0x…`.
    pub zxid: String,
    /// Its epoch.
    pub peer_epoch: u64,
    /// The election round.
    pub election_epoch: u64,
}

/// Everything a node's card shows.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeCard {
    pub id: NodeId,
    pub label: String,
    pub kind: NodeKind,
    pub role: Role,
    pub up: bool,
    /// Centre and radius in the drawing.
    pub x: f64,
    pub y: f64,
    pub r: f64,
    /// Servers: current epoch.
    pub epoch: Option<u32>,
    /// Servers: last logged zxid, `0x…`.
    pub last_zxid: Option<String>,
    /// Servers: last committed zxid, `0x…`.
    pub committed_zxid: Option<String>,
    /// Servers: Zab phase, e.g. `BROADCAST`.
    pub phase: Option<&'static str>,
    /// Servers: the leader it follows (label).
    pub leader: Option<String>,
    /// Servers while LOOKING: the current vote.
    pub vote: Option<VoteView>,
    /// Servers: whether it is the leader or a synced follower of the current leader.
    pub in_quorum: bool,
    /// Servers: labels of the clients connected to it.
    pub clients: Vec<String>,
    /// Clients: the server they talk to.
    pub server: Option<NodeId>,
    /// Clients: `CONNECTED`, `CONNECTING`, `CLOSED`.
    pub client_state: Option<&'static str>,
    /// Clients: session id `0x…` (none while not yet created).
    pub session: Option<String>,
    /// Clients: what they are (`lock contender`…) and what they are doing.
    pub what: Option<String>,
    pub status: Option<String>,
    /// One line under the label, e.g. `epoch 2 · 0x200000004`.
    pub detail: String,
    /// A sentence for screen readers and tooltips.
    pub description: String,
}

/// The summaries of one world's servers and clients, read once per frame.
#[derive(Clone, Debug, Default)]
pub struct Summaries {
    pub servers: Vec<(NodeId, ServerSummary)>,
    pub clients: Vec<(NodeId, ClientSummary)>,
}

impl Summaries {
    /// Reads every ZooKeeper server's and client's summary.
    pub fn read(world: &ClusterWorld) -> Summaries {
        let mut s = Summaries::default();
        for id in world.node_ids() {
            match world.node(id) {
                Node::ZkServer(server) => s.servers.push((id, server.summary())),
                Node::ZkClient(client) => s.clients.push((id, client_summary(client))),
                Node::Heartbeat(_) => {}
            }
        }
        s
    }

    /// The summary of the server on `id`.
    pub fn server(&self, id: NodeId) -> Option<&ServerSummary> {
        self.servers.iter().find(|(n, _)| *n == id).map(|(_, s)| s)
    }

    /// The summary of the client on `id`.
    pub fn client(&self, id: NodeId) -> Option<&ClientSummary> {
        self.clients.iter().find(|(n, _)| *n == id).map(|(_, s)| s)
    }
}

/// The current leader: among running servers in LEADING state, the one with the highest
/// epoch (an old leader cut off from the others may still think it leads).
pub fn current_leader(summaries: &Summaries, is_up: &dyn Fn(NodeId) -> bool) -> Option<NodeId> {
    summaries
        .servers
        .iter()
        .filter(|(id, s)| is_up(*id) && s.state == ServerState::Leading)
        .max_by_key(|(id, s)| (s.current_epoch, std::cmp::Reverse(id.0)))
        .map(|(id, _)| *id)
}

/// Cards for every node of the world.
pub fn cards(
    world: &ClusterWorld,
    names: &Names,
    layout: &Layout,
    summaries: &Summaries,
) -> Vec<NodeCard> {
    let is_up = |id: NodeId| world.is_up(id);
    // A node that has not started yet is drawn in its initial state, not as crashed.
    let shown_up = |id: NodeId| world.is_up(id) || !world.has_started(id);
    let leader = current_leader(summaries, &is_up);
    let leader_sid = leader.and_then(|l| summaries.server(l)).map(|s| s.sid);
    names
        .ids()
        .map(|id| {
            let mut card = match world.node(id) {
                Node::ZkServer(_) => match summaries.server(id) {
                    Some(s) => server_card(id, s, names, leader_sid, shown_up(id)),
                    None => bare_card(id, names, Role::Looking),
                },
                Node::ZkClient(_) => match summaries.client(id) {
                    Some(c) => client_card(id, c, names, shown_up(id)),
                    None => bare_card(id, names, Role::Client),
                },
                Node::Heartbeat(m) => member_card(id, names, shown_up(id), m, world.now_us()),
            };
            let slot = layout.slot(id);
            card.x = slot.map_or(0.0, |s| s.at.x);
            card.y = slot.map_or(0.0, |s| s.at.y);
            card.r = slot.map_or(0.0, |s| s.r);
            card
        })
        .collect()
}

fn bare_card(id: NodeId, names: &Names, role: Role) -> NodeCard {
    NodeCard {
        id,
        label: names.label(id).to_string(),
        kind: names.kind(id),
        role,
        up: true,
        x: 0.0,
        y: 0.0,
        r: 0.0,
        epoch: None,
        last_zxid: None,
        committed_zxid: None,
        phase: None,
        leader: None,
        vote: None,
        in_quorum: false,
        clients: Vec::new(),
        server: None,
        client_state: None,
        session: None,
        what: None,
        status: None,
        detail: String::new(),
        description: String::new(),
    }
}

/// The card of a ZooKeeper server. `leader_sid` is the current leader's id, if any.
pub fn server_card(
    id: NodeId,
    s: &ServerSummary,
    names: &Names,
    leader_sid: Option<Sid>,
    up: bool,
) -> NodeCard {
    let label = names.label(id).to_string();
    let mut card = bare_card(
        id,
        names,
        if up {
            Role::of_state(s.state)
        } else {
            Role::Down
        },
    );
    card.up = up;
    card.epoch = Some(s.current_epoch);
    card.last_zxid = Some(fmt_zxid(s.last_logged_zxid));
    card.committed_zxid = Some(fmt_zxid(s.last_committed_zxid));
    card.phase = up.then(|| s.phase.name());
    card.detail = format!(
        "epoch {} · {}",
        s.current_epoch,
        fmt_zxid(s.last_logged_zxid)
    );
    if !up {
        card.description = format!(
            "{label} is down. On disk: epoch {}, last zxid {}.",
            s.current_epoch,
            fmt_zxid(s.last_logged_zxid)
        );
        return card;
    }
    card.clients = s
        .clients
        .iter()
        .map(|(c, _)| names.label(*c).to_string())
        .collect();
    card.leader = s.leader.map(|l| names.sid_label(l));
    card.in_quorum = match s.state {
        ServerState::Leading => leader_sid == Some(s.sid),
        ServerState::Following => s.serving && s.leader.is_some() && s.leader == leader_sid,
        _ => false,
    };
    let clients = match card.clients.len() {
        0 => String::new(),
        1 => format!(" 1 client ({}) is connected.", card.clients[0]),
        n => format!(" {n} clients ({}) are connected.", card.clients.join(", ")),
    };
    match s.state {
        ServerState::Looking => {
            let vote = VoteView {
                leader: names.sid_label(s.vote.leader),
                zxid: fmt_zxid(s.vote.zxid),
                peer_epoch: s.vote.peer_epoch,
                election_epoch: s.election_epoch,
            };
            card.description = format!(
                "{label} is LOOKING for a leader (election round {}) and votes for {} (epoch {}, zxid {}).",
                vote.election_epoch, vote.leader, vote.peer_epoch, vote.zxid
            );
            card.vote = Some(vote);
        }
        ServerState::Leading => {
            let synced = s.learners.iter().filter(|l| l.synced).count();
            card.description = format!(
                "{label} is the LEADER for epoch {} ({}), with {synced} synced follower{}; last zxid {}, committed up to {}.{clients}",
                s.current_epoch,
                s.phase.name(),
                if synced == 1 { "" } else { "s" },
                fmt_zxid(s.last_logged_zxid),
                fmt_zxid(s.last_committed_zxid),
            );
        }
        ServerState::Following | ServerState::Observing => {
            card.description = format!(
                "{label} is {} {} in epoch {} ({}); last zxid {}, committed up to {}.{clients}",
                s.state.name(),
                card.leader.as_deref().unwrap_or("no one yet"),
                s.current_epoch,
                s.phase.name(),
                fmt_zxid(s.last_logged_zxid),
                fmt_zxid(s.last_committed_zxid),
            );
        }
    }
    card
}

/// The card of a ZooKeeper client.
pub fn client_card(id: NodeId, c: &ClientSummary, names: &Names, up: bool) -> NodeCard {
    let label = names.label(id).to_string();
    let mut card = bare_card(id, names, if up { Role::Client } else { Role::Down });
    card.up = up;
    card.server = if up { c.server } else { None };
    card.client_state = Some(c.state);
    card.session = (c.session_id != 0).then(|| fmt_session(c.session_id));
    card.what = (!c.role.is_empty()).then(|| c.role.clone());
    card.status = (!c.status.is_empty()).then(|| c.status.clone());
    card.detail = match (&card.what, up) {
        (_, false) => "down".to_string(),
        (Some(w), true) => w.clone(),
        (None, true) => c.state.to_lowercase(),
    };
    let server = card.server.map(|s| names.label(s).to_string());
    card.description = if !up {
        format!("{label} is down.")
    } else {
        let mut d = format!("{label}, a {}, is {}", c.role, c.state);
        if let Some(s) = &server {
            d.push_str(&format!(" to {s}"));
        }
        if let Some(sess) = &card.session {
            d.push_str(&format!(" with session {sess}"));
        }
        d.push('.');
        if let Some(st) = &card.status {
            d.push_str(&format!(" It {st}."));
        }
        d
    };
    card
}

fn member_card(
    id: NodeId,
    names: &Names,
    up: bool,
    m: &crate::heartbeat::Member,
    now_us: TimeUs,
) -> NodeCard {
    let label = names.label(id).to_string();
    let mut card = bare_card(id, names, if up { Role::Member } else { Role::Down });
    card.up = up;
    if up {
        let alive: Vec<&str> = m
            .alive_view(now_us)
            .into_iter()
            .map(|p| names.label(p))
            .collect();
        card.detail = format!("sees {} alive", alive.len());
        card.description = if alive.is_empty() {
            format!("{label} is up and has not heard from any peer recently.")
        } else {
            format!("{label} is up and sees {} alive.", alive.join(", "))
        };
    } else {
        card.detail = "down".into();
        card.description = format!("{label} is down.");
    }
    card
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::zk::msg::Vote;
    use crate::zk::server::summary::{LearnerSummary, ZabPhase};

    pub(crate) fn summary(sid: Sid, state: ServerState) -> ServerSummary {
        ServerSummary {
            sid,
            state,
            phase: ZabPhase::Election,
            accepted_epoch: 1,
            current_epoch: 1,
            last_logged_zxid: 0x1_0000_0004,
            last_committed_zxid: 0x1_0000_0003,
            vote: Vote {
                leader: 5,
                zxid: 0x1_0000_0004,
                peer_epoch: 1,
            },
            election_epoch: 3,
            votes_received: vec![],
            leader: None,
            serving: false,
            log: vec![],
            clients: vec![],
            session_expiries: vec![],
            learners: vec![],
            last_sync: None,
        }
    }

    pub(crate) fn names() -> Names {
        let mut labels: Vec<String> = (1..=5).map(|i| format!("zk{i}")).collect();
        labels.push("c1".into());
        let mut kinds = vec![NodeKind::Server; 5];
        kinds.push(NodeKind::Client);
        let mut n = Names::new(labels, kinds);
        for sid in 1..=5u64 {
            n = n.with_sid(sid, NodeId(sid as u32 - 1));
        }
        n
    }

    #[test]
    fn a_looking_server_shows_its_vote() {
        let card = server_card(
            NodeId(2),
            &summary(3, ServerState::Looking),
            &names(),
            None,
            true,
        );
        assert_eq!(card.role.as_str(), "looking");
        let vote = card.vote.expect("a vote");
        assert_eq!(vote.leader, "zk5");
        assert_eq!(vote.zxid, "0x100000004");
        assert_eq!(card.last_zxid.as_deref(), Some("0x100000004"));
        assert_eq!(card.detail, "epoch 1 · 0x100000004");
        assert!(card
            .description
            .contains("votes for zk5 (epoch 1, zxid 0x100000004)"));
        assert!(!card.in_quorum);
    }

    #[test]
    fn the_leader_and_its_synced_followers_form_the_quorum() {
        let mut leader = summary(5, ServerState::Leading);
        leader.phase = ZabPhase::Broadcast;
        leader.learners = vec![LearnerSummary {
            sid: 1,
            sync_mode: Some("DIFF"),
            synced: true,
            last_ack_zxid: 0,
        }];
        let card = server_card(NodeId(4), &leader, &names(), Some(5), true);
        assert_eq!(card.role, Role::Leading);
        assert!(card.in_quorum);
        assert!(card.vote.is_none());
        assert!(
            card.description.contains("LEADER for epoch 1"),
            "{}",
            card.description
        );

        let mut follower = summary(1, ServerState::Following);
        follower.leader = Some(5);
        follower.serving = true;
        let card = server_card(NodeId(0), &follower, &names(), Some(5), true);
        assert!(card.in_quorum);
        assert_eq!(card.leader.as_deref(), Some("zk5"));

        // A follower of a stale leader is not in the quorum.
        follower.leader = Some(2);
        assert!(!server_card(NodeId(0), &follower, &names(), Some(5), true).in_quorum);
        // Nor is one still syncing.
        follower.leader = Some(5);
        follower.serving = false;
        assert!(!server_card(NodeId(0), &follower, &names(), Some(5), true).in_quorum);
    }

    #[test]
    fn a_crashed_server_is_down_whatever_its_last_state() {
        let card = server_card(
            NodeId(4),
            &summary(5, ServerState::Leading),
            &names(),
            Some(5),
            false,
        );
        assert_eq!(card.role.as_str(), "down");
        assert!(!card.in_quorum);
        assert!(card.description.contains("down"));
    }

    #[test]
    fn the_leader_is_the_running_leading_server_with_the_highest_epoch() {
        let mut old = summary(1, ServerState::Leading);
        old.current_epoch = 1;
        let mut new = summary(2, ServerState::Leading);
        new.current_epoch = 2;
        let s = Summaries {
            servers: vec![(NodeId(0), old), (NodeId(1), new)],
            clients: vec![],
        };
        assert_eq!(current_leader(&s, &|_| true), Some(NodeId(1)));
        assert_eq!(current_leader(&s, &|id| id != NodeId(1)), Some(NodeId(0)));
    }

    #[test]
    fn a_client_card_names_its_server_and_session() {
        let c = ClientSummary {
            name: "c1".into(),
            state: "CONNECTED",
            server: Some(NodeId(1)),
            session_id: 0x1_0000_0000,
            timeout_ms: 6000,
            role: "lock contender".into(),
            status: "holds the lock".into(),
        };
        let card = client_card(NodeId(5), &c, &names(), true);
        assert_eq!(card.role.as_str(), "client");
        assert_eq!(card.session.as_deref(), Some("0x100000000"));
        assert_eq!(card.server, Some(NodeId(1)));
        assert_eq!(
            card.description,
            "c1, a lock contender, is CONNECTED to zk2 with session 0x100000000. It holds the lock."
        );
    }
}
