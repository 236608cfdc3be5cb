//! What each node's card says: its role (the lower-case word the page exposes as
//! `data-role`), epoch and last zxid, its vote while an election runs, whether it is part of
//! the quorum behind the current leader, and for clients their session and what they do.
//!
//! Pure functions of the protocols' summaries (`ServerSummary`, `ClientSummary`), so they
//! are tested without running a protocol.

use crate::cluster::zk::{clients, servers};
use crate::cluster::ClusterWorld;
use crate::sim::NodeId;
use crate::view::cards::{NodeCard, Role};
use crate::view::names::Names;
use crate::view::protocols::CardExtra;
use crate::zk::msg::ServerState;
use crate::zk::server::summary::{client_summary, ClientSummary, ServerSummary};
use crate::zk::{fmt_zxid, Sid};

use super::names::{fmt_session, ZkNames};
use super::{ZK_CLIENT, ZK_SERVER};

/// A server LOOKING for a leader.
pub const LOOKING: Role = Role::new("looking", "LOOKING");
/// A follower.
pub const FOLLOWING: Role = Role::new("following", "FOLLOWING");
/// The leader.
pub const LEADING: Role = Role::leader("leading", "LEADING");
/// An observer.
pub const OBSERVING: Role = Role::new("observing", "OBSERVING");
/// A ZooKeeper client.
pub const CLIENT: Role = Role::presence("client", "client");

/// The role of a server in `state`.
pub fn role_of(state: ServerState) -> Role {
    match state {
        ServerState::Looking => LOOKING,
        ServerState::Following => FOLLOWING,
        ServerState::Leading => LEADING,
        ServerState::Observing => OBSERVING,
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

/// What a ZooKeeper node's card shows beyond the common card.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ZkCard {
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
    /// Clients: `CONNECTED`, `CONNECTING`, `CLOSED`.
    pub client_state: Option<&'static str>,
    /// Clients: session id `0x…` (none while not yet created).
    pub session: Option<String>,
    /// Clients: what they are (`lock contender`…) and what they are doing.
    pub what: Option<String>,
    pub status: Option<String>,
}

/// The ZooKeeper part of a card, if it has one.
pub fn zk_card(card: &NodeCard) -> Option<&ZkCard> {
    match &card.extra {
        CardExtra::Zk(z) => Some(z),
        _ => None,
    }
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
        Summaries {
            servers: servers(world).map(|(id, s)| (id, s.summary())).collect(),
            clients: clients(world)
                .map(|(id, c)| (id, client_summary(c)))
                .collect(),
        }
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

/// The card of ZooKeeper node `id` (a server or a client).
pub fn card(world: &ClusterWorld, id: NodeId, names: &Names, summaries: &Summaries) -> NodeCard {
    let shown_up = world.is_up(id) || !world.has_started(id);
    if let Some(s) = summaries.server(id) {
        let leader = current_leader(summaries, &|n| world.is_up(n));
        let leader_sid = leader.and_then(|l| summaries.server(l)).map(|s| s.sid);
        let mut card = server_card(id, s, names, leader_sid, shown_up);
        if !world.has_started(id) {
            card.role = NOT_STARTED;
            card.description = format!("{} has not started yet.", card.label);
            card.note = None;
        } else if shown_up && s.state == ServerState::Looking {
            let voters = summaries.servers.iter().filter(|x| !x.1.observer).count();
            explain_votes(&mut card, s, names, voters);
        }
        return card;
    }
    match summaries.client(id) {
        Some(c) => client_card(id, c, names, shown_up),
        None => NodeCard::bare(id, names, ZK_CLIENT, CLIENT),
    }
}

/// A server the scenario starts later: drawn as such, not as LOOKING.
pub const NOT_STARTED: Role = Role::new("not-started", "NOT STARTED");

/// A LOOKING server's election in words: the votes it has received (sender and
/// (epoch, zxid, sid)), how many back its own vote and how many a quorum of the `n` voters
/// needs. An observer has no vote of its own: only what it heard and the quorum are told.
fn explain_votes(card: &mut NodeCard, s: &ServerSummary, names: &Names, n: usize) {
    let need = n / 2 + 1;
    let backing = s
        .votes_received
        .iter()
        .filter(|(_, v)| *v == s.vote)
        .count();
    let votes: Vec<String> = s
        .votes_received
        .iter()
        .map(|(from, v)| {
            format!(
                "{} ({}, {}, {})",
                names.sid_label(*from),
                v.peer_epoch,
                fmt_zxid(v.zxid),
                v.leader
            )
        })
        .collect();
    let received = if votes.is_empty() {
        "none yet".to_string()
    } else {
        votes.join(", ")
    };
    if s.observer || s.vote.leader == 0 {
        card.description.push_str(&format!(
            " Votes received (epoch, zxid, id): {received}; a quorum of the {n} voters is {need}."
        ));
        return;
    }
    card.description.push_str(&format!(
        " Votes received (epoch, zxid, id): {received}. {backing} of {n} back {}; a quorum needs {need}. A vote beats another by higher epoch, then higher zxid, then higher id.",
        names.sid_label(s.vote.leader)
    ));
    if let Some(note) = &mut card.note {
        note.push_str(&format!(" · {backing}/{need}"));
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
    let role = if up { role_of(s.state) } else { Role::DOWN };
    let mut card = NodeCard::bare(id, names, ZK_SERVER, role);
    if s.observer {
        // Drawn hollow and never ringed: it has no vote and is in no quorum.
        card.badges.push("observer");
    }
    let mut z = ZkCard {
        epoch: Some(s.current_epoch),
        last_zxid: Some(fmt_zxid(s.last_logged_zxid)),
        committed_zxid: Some(fmt_zxid(s.last_committed_zxid)),
        phase: up.then(|| s.phase.name()),
        ..ZkCard::default()
    };
    card.up = up;
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
        card.extra = CardExtra::Zk(Box::new(z));
        return card;
    }
    z.clients = s
        .clients
        .iter()
        .map(|(c, _)| names.label(*c).to_string())
        .collect();
    z.leader = s.leader.map(|l| names.sid_label(l));
    z.in_quorum = match s.state {
        ServerState::Leading => leader_sid == Some(s.sid),
        ServerState::Following => s.serving && s.leader.is_some() && s.leader == leader_sid,
        _ => false,
    };
    if z.in_quorum {
        card.badges.push("quorum");
        if s.state == ServerState::Leading {
            card.badges.push("leader");
        }
    }
    let clients = match z.clients.len() {
        0 => String::new(),
        1 => format!(" 1 client ({}) is connected.", z.clients[0]),
        n => format!(" {n} clients ({}) are connected.", z.clients.join(", ")),
    };
    match s.state {
        ServerState::Looking if s.observer => {
            card.description = format!(
                "{label} is an observer LOOKING for the leader (election round {}): it has no vote of its own and waits for a quorum of voters to agree.",
                s.election_epoch
            );
            card.note = Some(if s.vote.leader == 0 {
                "no vote".to_string()
            } else {
                format!("hears {}", names.sid_label(s.vote.leader))
            });
        }
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
            card.note = Some(format!("votes {}", vote.leader));
            z.vote = Some(vote);
        }
        ServerState::Leading => {
            let synced = s
                .learners
                .iter()
                .filter(|l| l.synced && !l.observer)
                .count();
            let observers = s.learners.iter().filter(|l| l.synced && l.observer).count();
            let observed = match observers {
                0 => String::new(),
                1 => " and 1 observer".to_string(),
                n => format!(" and {n} observers"),
            };
            card.description = format!(
                "{label} is the LEADER for epoch {} ({}), with {synced} synced follower{}{observed}; last zxid {}, committed up to {}.{clients}",
                s.current_epoch,
                s.phase.name(),
                if synced == 1 { "" } else { "s" },
                fmt_zxid(s.last_logged_zxid),
                fmt_zxid(s.last_committed_zxid),
            );
        }
        ServerState::Following | ServerState::Observing => {
            let how = if s.observer {
                "OBSERVING (no vote; it learns committed txns by INFORM)"
            } else {
                s.state.name()
            };
            card.description = format!(
                "{label} is {how} {} in epoch {} ({}); last zxid {}, committed up to {}.{clients}",
                z.leader.as_deref().unwrap_or("no one yet"),
                s.current_epoch,
                s.phase.name(),
                fmt_zxid(s.last_logged_zxid),
                fmt_zxid(s.last_committed_zxid),
            );
        }
    }
    card.extra = CardExtra::Zk(Box::new(z));
    card
}

/// The card of a ZooKeeper client.
pub fn client_card(id: NodeId, c: &ClientSummary, names: &Names, up: bool) -> NodeCard {
    let label = names.label(id).to_string();
    let mut card = NodeCard::bare(id, names, ZK_CLIENT, if up { CLIENT } else { Role::DOWN });
    card.up = up;
    card.attached_to = if up { c.server } else { None };
    let z = ZkCard {
        client_state: Some(c.state),
        session: (c.session_id != 0).then(|| fmt_session(c.session_id)),
        what: (!c.role.is_empty()).then(|| c.role.clone()),
        status: (!c.status.is_empty()).then(|| c.status.clone()),
        ..ZkCard::default()
    };
    if c.state != "CONNECTED" {
        card.badges.push("disconnected");
    }
    card.detail = z
        .status
        .as_deref()
        .or(z.what.as_deref())
        .map(|s| crate::view::narrate::preview(s, 24))
        .unwrap_or_default();
    let server = card.attached_to.map(|s| names.label(s).to_string());
    card.description = if !up {
        format!("{label} is down.")
    } else {
        let mut d = format!("{label}, a {}, is {}", c.role, c.state);
        if let Some(s) = &server {
            d.push_str(&format!(" to {s}"));
        }
        if let Some(sess) = &z.session {
            d.push_str(&format!(" with session {sess}"));
        }
        d.push('.');
        if let Some(st) = &z.status {
            d.push_str(&format!(" Status: {st}."));
        }
        d
    };
    card.extra = CardExtra::Zk(Box::new(z));
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
            observer: false,
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
        let mut kinds = vec![ZK_SERVER; 5];
        kinds.push(ZK_CLIENT);
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
        assert_eq!(card.note.as_deref(), Some("votes zk5"));
        let z = zk_card(&card).unwrap();
        let vote = z.vote.clone().expect("a vote");
        assert_eq!(vote.leader, "zk5");
        assert_eq!(vote.zxid, "0x100000004");
        assert_eq!(z.last_zxid.as_deref(), Some("0x100000004"));
        assert_eq!(card.detail, "epoch 1 · 0x100000004");
        assert!(card
            .description
            .contains("votes for zk5 (epoch 1, zxid 0x100000004)"));
        assert!(!z.in_quorum);
    }

    #[test]
    fn the_leader_and_its_synced_followers_form_the_quorum() {
        let mut leader = summary(5, ServerState::Leading);
        leader.phase = ZabPhase::Broadcast;
        leader.learners = vec![LearnerSummary {
            observer: false,
            sid: 1,
            sync_mode: Some("DIFF"),
            synced: true,
            last_ack_zxid: 0,
        }];
        let card = server_card(NodeId(4), &leader, &names(), Some(5), true);
        assert_eq!(card.role, LEADING);
        assert!(card.has_badge("quorum") && card.has_badge("leader"));
        assert!(zk_card(&card).unwrap().vote.is_none());
        assert!(
            card.description.contains("LEADER for epoch 1"),
            "{}",
            card.description
        );

        let mut follower = summary(1, ServerState::Following);
        follower.leader = Some(5);
        follower.serving = true;
        let card = server_card(NodeId(0), &follower, &names(), Some(5), true);
        assert!(card.has_badge("quorum") && !card.has_badge("leader"));
        assert_eq!(zk_card(&card).unwrap().leader.as_deref(), Some("zk5"));

        // A follower of a stale leader is not in the quorum.
        follower.leader = Some(2);
        assert!(!server_card(NodeId(0), &follower, &names(), Some(5), true).has_badge("quorum"));
        // Nor is one still syncing.
        follower.leader = Some(5);
        follower.serving = false;
        assert!(!server_card(NodeId(0), &follower, &names(), Some(5), true).has_badge("quorum"));
    }

    #[test]
    fn an_observer_is_marked_observing_and_never_in_the_quorum() {
        let mut obs = summary(4, ServerState::Observing);
        obs.observer = true;
        obs.leader = Some(5);
        obs.serving = true;
        let card = server_card(NodeId(3), &obs, &names(), Some(5), true);
        assert_eq!(card.role.as_str(), "observing");
        assert!(card.has_badge("observer") && !card.has_badge("quorum"));
        assert!(
            card.description.contains("OBSERVING"),
            "{}",
            card.description
        );

        obs.state = ServerState::Looking;
        obs.vote.leader = 0;
        let card = server_card(NodeId(3), &obs, &names(), None, true);
        assert_eq!(card.note.as_deref(), Some("no vote"));
        assert!(card.has_badge("observer"));

        let mut leader = summary(5, ServerState::Leading);
        leader.learners = vec![LearnerSummary {
            observer: true,
            sid: 4,
            sync_mode: Some("SNAP"),
            synced: true,
            last_ack_zxid: 0,
        }];
        let card = server_card(NodeId(4), &leader, &names(), Some(5), true);
        assert!(
            card.description
                .contains("with 0 synced followers and 1 observer"),
            "{}",
            card.description
        );
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
        assert!(!card.has_badge("quorum"));
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
        assert_eq!(
            zk_card(&card).unwrap().session.as_deref(),
            Some("0x100000000")
        );
        assert_eq!(card.attached_to, Some(NodeId(1)));
        assert_eq!(card.detail, "holds the lock");
        assert_eq!(
            card.description,
            "c1, a lock contender, is CONNECTED to zk2 with session 0x100000000. Status: holds the lock."
        );
    }
}
