//! Narration of ZooKeeper steps: votes, the broadcast path (PROPOSAL, ACK, COMMIT, and INFORM
//! to observers), an observer's OBSERVERINFO and vote-less notifications, replies
//! to clients and the person's controls. Called by the generic narration for ZooKeeper
//! messages and timers.

use crate::cluster::{Msg, Record};
use crate::sim::{Message, NodeId};
use crate::view::names::Names;
use crate::zk::client::CallOp;
use crate::zk::data::txn::OpResult;
use crate::zk::msg::{ClientPacket, Control, Notification, QuorumPacket, ReplyBody, ServerState};
use crate::zk::{self, fmt_zxid, ErrorCode, Zxid};

use super::names::ZkNames;
use crate::view::narrate::preview;

/// "votes for zk5 (epoch 1, zxid 0x100000004)" when `node` sent its vote to several peers.
pub fn vote_broadcast(rec: &Record, node: NodeId, names: &Names) -> Option<String> {
    let votes: Vec<&Notification> = rec
        .sends
        .iter()
        .filter(|s| s.src == node)
        .filter_map(|s| match s.msg.zk() {
            Some(zk::Msg::Notification(n)) if n.state == ServerState::Looking => Some(n),
            _ => None,
        })
        .collect();
    let n = votes.first()?;
    if votes.len() < 2 {
        return None;
    }
    if n.vote.leader == 0 {
        // An observer's notification proposes nobody (`Long.MIN_VALUE`).
        return Some("asks the voters who leads (an observer has no vote)".into());
    }
    Some(format!("votes for {}", vote_words(n, names)))
}

fn vote_words(n: &Notification, names: &Names) -> String {
    format!(
        "{} (epoch {}, zxid {})",
        names.sid_label(n.vote.leader),
        n.vote.peer_epoch,
        fmt_zxid(n.vote.zxid)
    )
}

fn sends_kind(rec: &Record, kind: &str) -> bool {
    rec.sends.iter().any(|s| s.msg.kind() == kind)
}

fn sends_commit(rec: &Record, zxid: Zxid) -> bool {
    rec.sends.iter().any(|s| match s.msg.zk() {
        Some(zk::Msg::Quorum {
            pkt: QuorumPacket::Commit { zxid: z },
            ..
        }) => *z == zxid,
        Some(zk::Msg::Quorum {
            pkt: QuorumPacket::Inform { hdr, .. },
            ..
        }) => hdr.zxid == zxid,
        _ => false,
    })
}

/// What people call a ZooKeeper timer (the trace's stable name, less its noise).
pub fn timer_words(t: &zk::Timer) -> String {
    match t {
        // The connection id is random noise to a reader.
        zk::Timer::LearnerHandlerReadTimeout(_) => "LearnerHandler read".to_string(),
        other => crate::sim::TimerKey::name(other),
    }
}

/// A ZooKeeper message delivered from `src` to `dst`; `msg` is the world message.
pub fn delivered(rec: &Record, src: NodeId, dst: NodeId, msg: &Msg, names: &Names) -> String {
    let (s, d) = (names.label(src), names.label(dst));
    match msg.zk() {
        Some(zk::Msg::Notification(n)) => {
            let mut out = if n.state == ServerState::Looking && n.vote.leader == 0 {
                format!("{d} hears from observer {s}, which has no vote and asks who leads")
            } else if n.state == ServerState::Looking {
                format!("{d} receives {s}'s vote for {}", vote_words(n, names))
            } else {
                format!(
                    "{s}, already {}, tells {d} that its leader is {}",
                    n.state.name(),
                    names.sid_label(n.vote.leader)
                )
            };
            if let Some(v) = vote_broadcast(rec, dst, names) {
                out = format!("{out}; {d} now {v}");
            }
            out
        }
        Some(zk::Msg::Quorum { pkt, .. }) => match pkt {
            // The broadcast path: the protocol leaves these unnarrated, and they are the
            // heart of Zab.
            QuorumPacket::Proposal { hdr, txn } => {
                let mut out = format!(
                    "{d} logs proposal {} ({})",
                    fmt_zxid(hdr.zxid),
                    zk::msg::txn_summary(txn)
                );
                if sends_kind(rec, "ACK") {
                    out.push_str(" and ACKs it");
                }
                out
            }
            QuorumPacket::Ack { zxid } => {
                let mut out = format!("{d} gets {s}'s ACK for {}", fmt_zxid(*zxid));
                if sends_commit(rec, *zxid) {
                    out.push_str(&format!(
                        ": a quorum has logged it, so {d} commits it and sends COMMIT"
                    ));
                    if sends_kind(rec, "INFORM") {
                        out.push_str(" (and INFORM with the txn to its observers)");
                    }
                }
                out
            }
            QuorumPacket::Commit { zxid } => {
                format!("{d} commits {} (COMMIT from {s})", fmt_zxid(*zxid))
            }
            QuorumPacket::Inform { hdr, txn } => format!(
                "observer {d} logs and applies {} ({}): {s} INFORMs it of a txn a quorum of voters already committed",
                fmt_zxid(hdr.zxid),
                zk::msg::txn_summary(txn)
            ),
            QuorumPacket::ObserverInfo { accepted_epoch } => format!(
                "{d} gets {s}'s OBSERVERINFO (acceptedEpoch {accepted_epoch}): {s} joins as an observer, which syncs but never votes or ACKs"
            ),
            other => format!("{d} gets {s}'s {}", quorum_words(other, msg)),
        },
        Some(zk::Msg::Client {
            pkt:
                ClientPacket::Reply {
                    xid,
                    zxid,
                    err,
                    body,
                },
            ..
        }) if *xid != -2 => reply(d, *zxid, *err, body),
        Some(zk::Msg::Control(c)) => control(dst, c, names),
        // Everything else reads well enough as "who gets whose what".
        _ => format!("{d} gets {s}'s {}", msg.summary()),
    }
}

fn quorum_words(pkt: &QuorumPacket, msg: &Msg) -> String {
    match pkt {
        QuorumPacket::Ping { touches } if touches.is_empty() => "PING".into(),
        _ => msg.summary(),
    }
}

fn reply(d: &str, zxid: Zxid, err: ErrorCode, body: &ReplyBody) -> String {
    if !err.is_ok() {
        return format!("{d} gets an error: {}", err.name());
    }
    match body {
        ReplyBody::Write(res) => format!(
            "{d}'s {} committed at {}",
            result_words(res),
            fmt_zxid(zxid)
        ),
        ReplyBody::Data { data, .. } => format!("{d} reads \"{}\"", preview(data, 24)),
        _ => format!("{d} gets a reply (zxid {})", fmt_zxid(zxid)),
    }
}

fn result_words(res: &OpResult) -> String {
    match res {
        OpResult::Create { path, .. } => format!("create {path}"),
        OpResult::Multi(r) => format!("multi ({} ops)", r.len()),
        OpResult::Delete => "delete".into(),
        OpResult::SetData { .. } => "setData".into(),
        OpResult::Check => "check".into(),
        OpResult::SetAcl { .. } => "setACL".into(),
        OpResult::CreateSession => "createSession".into(),
        OpResult::CloseSession => "closeSession".into(),
        OpResult::Error(e) => format!("failed write ({})", e.name()),
    }
}

/// The person's control delivered to `dst`.
pub fn control(dst: NodeId, c: &Control, names: &Names) -> String {
    match c {
        Control::ExpireSession(s) => format!(
            "Session {} is expired by hand (on {})",
            names.session_label(*s),
            names.label(dst)
        ),
        Control::ClientCall(call) => {
            let what = match &call.op {
                CallOp::Connect { .. } => "open a session".to_string(),
                CallOp::Op(op) => op.name().to_string(),
                CallOp::Close => "close its session".to_string(),
            };
            format!("{} is asked to {what}", names.label(dst))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::Timer;
    use crate::sim::{EventRecord, Input, LossReason, SendFate, StepRecord};
    use crate::view::narrate::describe;
    use crate::view::zk::cards::tests::names;
    use crate::zk::data::txn::{Txn, TxnHeader};
    use crate::zk::msg::Vote;

    fn rec(event: EventRecord<Msg, Timer>) -> Record {
        StepRecord {
            step: 1,
            time_us: 0,
            event,
            sends: vec![],
            timers: vec![],
            notes: vec![],
            kernel_notes: vec![],
            violations: vec![],
        }
    }

    fn send(r: &mut Record, src: u32, dst: u32, msg: zk::Msg) {
        r.sends.push(crate::sim::record::SendRecord {
            id: 1,
            src: NodeId(src),
            dst: NodeId(dst),
            msg: Msg::Zk(msg),
            fate: SendFate::Queued {
                at_us: 5,
                copy: None,
            },
        });
    }

    fn quorum_msg(pkt: QuorumPacket) -> Msg {
        Msg::Zk(zk::Msg::Quorum {
            conn: 1,
            seq: 1,
            pkt,
        })
    }

    fn deliver(src: u32, dst: u32, msg: Msg) -> EventRecord<Msg, Timer> {
        EventRecord::Deliver {
            id: 9,
            src: NodeId(src),
            dst: NodeId(dst),
            msg,
        }
    }

    fn looking_vote(leader: u64) -> zk::Msg {
        zk::Msg::Notification(Notification {
            vote: Vote {
                leader,
                zxid: 0x1_0000_0004,
                peer_epoch: 1,
            },
            election_epoch: 2,
            state: ServerState::Looking,
        })
    }

    #[test]
    fn notes_come_first() {
        let mut r = rec(EventRecord::Start { node: NodeId(0) });
        r.notes = vec![
            "zk1 is now LEADING for epoch 2".into(),
            "it waits for followers".into(),
        ];
        assert_eq!(
            describe(&r, &names()),
            "zk1 is now LEADING for epoch 2. it waits for followers."
        );
    }

    #[test]
    fn a_note_that_does_not_say_whose_it_is_gets_the_actors_name() {
        let mut r = rec(EventRecord::Start { node: NodeId(5) });
        r.notes = vec!["connected: session 0x1".into()];
        assert_eq!(describe(&r, &names()), "c1: connected: session 0x1.");
    }

    #[test]
    fn a_vote_change_is_told_as_a_vote() {
        let mut r = rec(deliver(4, 2, Msg::Zk(looking_vote(5))));
        for dst in [0, 1, 3, 4] {
            send(&mut r, 2, dst, looking_vote(5));
        }
        assert_eq!(
            describe(&r, &names()),
            "zk3 receives zk5's vote for zk5 (epoch 1, zxid 0x100000004); zk3 now votes for zk5 (epoch 1, zxid 0x100000004)."
        );
        let mut start = rec(EventRecord::Start { node: NodeId(2) });
        for dst in [0, 1] {
            send(&mut start, 2, dst, looking_vote(3));
        }
        assert_eq!(
            describe(&start, &names()),
            "zk3 starts and votes for zk3 (epoch 1, zxid 0x100000004)."
        );
    }

    /// Txn 0x200000003: `create /a`.
    fn create_a() -> (TxnHeader, Txn) {
        let hdr = TxnHeader {
            session_id: 0x1_0000_0000,
            cxid: 1,
            zxid: 0x2_0000_0003,
            time_ms: 0,
        };
        let txn = Txn::Create {
            path: "/a".into(),
            data: "x".into(),
            ephemeral: false,
            parent_cversion: 1,
            acl: crate::zk::data::acl::open_acl_unsafe(),
            container: false,
            ttl: 0,
        };
        (hdr, txn)
    }

    #[test]
    fn inform_and_observerinfo_say_what_an_observer_does() {
        let (hdr, txn) = create_a();
        let r = rec(deliver(0, 3, quorum_msg(QuorumPacket::Inform { hdr, txn })));
        assert_eq!(
            describe(&r, &names()),
            "observer zk4 logs and applies 0x200000003 (create /a): zk1 INFORMs it of a txn a quorum of voters already committed."
        );
        let r = rec(deliver(
            3,
            0,
            quorum_msg(QuorumPacket::ObserverInfo { accepted_epoch: 1 }),
        ));
        assert!(describe(&r, &names()).starts_with(
            "zk1 gets zk4's OBSERVERINFO (acceptedEpoch 1): zk4 joins as an observer"
        ));
        let r = rec(deliver(3, 0, Msg::Zk(looking_vote(0))));
        assert!(
            describe(&r, &names()).starts_with("zk1 hears from observer zk4, which has no vote"),
            "{}",
            describe(&r, &names())
        );
    }

    #[test]
    fn the_broadcast_path_reads_as_logs_acks_and_commits() {
        let (hdr, txn) = create_a();
        let mut r = rec(deliver(
            0,
            1,
            quorum_msg(QuorumPacket::Proposal { hdr, txn }),
        ));
        send(
            &mut r,
            1,
            0,
            zk::Msg::Quorum {
                conn: 1,
                seq: 1,
                pkt: QuorumPacket::Ack {
                    zxid: 0x2_0000_0003,
                },
            },
        );
        assert_eq!(
            describe(&r, &names()),
            "zk2 logs proposal 0x200000003 (create /a) and ACKs it."
        );

        let mut r = rec(deliver(
            1,
            0,
            quorum_msg(QuorumPacket::Ack {
                zxid: 0x2_0000_0003,
            }),
        ));
        send(
            &mut r,
            0,
            1,
            zk::Msg::Quorum {
                conn: 1,
                seq: 2,
                pkt: QuorumPacket::Commit {
                    zxid: 0x2_0000_0003,
                },
            },
        );
        assert_eq!(
            describe(&r, &names()),
            "zk1 gets zk2's ACK for 0x200000003: a quorum has logged it, so zk1 commits it and sends COMMIT."
        );
    }

    #[test]
    fn a_write_reply_says_what_was_committed_where() {
        let reply = Msg::Zk(zk::Msg::Client {
            conn: 1,
            seq: 3,
            pkt: ClientPacket::Reply {
                xid: 4,
                zxid: 0x2_0000_0004,
                err: ErrorCode::Ok,
                body: ReplyBody::Write(OpResult::Create {
                    path: "/a".into(),
                    stat: Default::default(),
                }),
            },
        });
        assert_eq!(
            describe(&rec(deliver(0, 5, reply)), &names()),
            "c1's create /a committed at 0x200000004."
        );
    }

    #[test]
    fn losses_inputs_and_timers_have_words() {
        let lost = rec(EventRecord::Lost {
            id: 3,
            src: NodeId(0),
            dst: NodeId(1),
            msg: quorum_msg(QuorumPacket::UpToDate),
            reason: LossReason::LinkCut,
        });
        assert_eq!(
            describe(&lost, &names()),
            "zk1's UPTODATE to zk2 is lost (link cut)."
        );
        let part = rec(EventRecord::Input(Input::Partition(vec![
            vec![NodeId(0), NodeId(1)],
            vec![NodeId(2)],
        ])));
        assert_eq!(
            describe(&part, &names()),
            "The network splits into {zk1, zk2} and {zk3}."
        );
        let mut crash = rec(EventRecord::Input(Input::Crash(NodeId(0))));
        crash.kernel_notes.push("n0 is already down".into());
        assert_eq!(
            describe(&crash, &names()),
            "zk1 crashes (n0 is already down)."
        );
        let expire = rec(EventRecord::Input(Input::Deliver(
            NodeId(0),
            Msg::Zk(zk::Msg::Control(Control::ExpireSession(0x1_0000_0000))),
        )));
        let n = names().with_session(0x1_0000_0000, NodeId(5));
        assert_eq!(
            describe(&expire, &n),
            "Session c1 (0x100000000) is expired by hand (on zk1)."
        );
        let t = rec(EventRecord::Timer {
            node: NodeId(0),
            timer: Timer::Zk(zk::Timer::LearnerReadTimeout),
        });
        assert_eq!(
            describe(&t, &names()),
            "zk1's LearnerReadTimeout timer fires."
        );
    }

    #[test]
    fn previews_cut_long_text() {
        assert_eq!(preview("hello", 10), "hello");
        assert_eq!(preview("hello world", 5), "hello…");
        assert_eq!(preview("a\nb", 5), "a⏎b");
    }
}
