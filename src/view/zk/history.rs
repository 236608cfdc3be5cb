//! What the view remembers of a ZooKeeper run beyond the current step: at which step each
//! zxid was first committed, and how a server's role change reads in words.

use crate::cluster::{ClusterWorld, Msg, Record};
use crate::sim::{Input, NodeId};
use crate::view::cards::Role;
use crate::view::history::{RoleState, Transition};
use crate::view::names::Names;
use crate::zk::msg::{ClientPacket, Control, QuorumPacket, ReplyBody};
use crate::zk::{self, fmt_zxid, ErrorCode, Zxid};

use super::cards::{role_of, CLIENT, FOLLOWING, LEADING, LOOKING, OBSERVING};
use super::names::ZkNames;

/// Commit steps of a run.
#[derive(Clone, Debug, Default)]
pub struct ZkHistory {
    /// (zxid, step that first committed it), sorted by zxid.
    commits: Vec<(Zxid, u64)>,
}

impl ZkHistory {
    /// Takes note of the zxids a new step committed.
    pub fn observe(&mut self, rec: &Record) {
        for zxid in committed_zxids(rec) {
            let at = self.commits.partition_point(|(z, _)| *z < zxid);
            if self.commits.get(at).is_none_or(|(z, _)| *z != zxid) {
                self.commits.insert(at, (zxid, rec.step));
            }
        }
    }

    /// Forgets everything after `step`.
    pub fn truncate(&mut self, step: u64) {
        self.commits.retain(|(_, s)| *s <= step);
    }

    /// The step at which `zxid` was first committed, if seen.
    pub fn commit_step(&self, zxid: Zxid) -> Option<u64> {
        let at = self.commits.partition_point(|(z, _)| *z < zxid);
        self.commits
            .get(at)
            .filter(|(z, _)| *z == zxid)
            .map(|(_, s)| *s)
    }

    /// `0x200000004 (step 812)` style text for a zxid and the step that committed it.
    pub fn zxid_with_step(&self, zxid: Zxid) -> String {
        match self.commit_step(zxid) {
            Some(s) => format!("{} (step {s})", fmt_zxid(zxid)),
            None => fmt_zxid(zxid),
        }
    }
}

/// The zxids a step shows as committed: COMMITs it sent, and write replies it sent (a lone
/// server commits without sending COMMIT).
fn committed_zxids(rec: &Record) -> impl Iterator<Item = Zxid> + '_ {
    rec.sends.iter().filter_map(|s| match s.msg.zk()? {
        zk::Msg::Quorum {
            pkt: QuorumPacket::Commit { zxid },
            ..
        } => Some(*zxid),
        zk::Msg::Client {
            pkt:
                ClientPacket::Reply {
                    zxid,
                    err: ErrorCode::Ok,
                    body: ReplyBody::Write(_),
                    ..
                },
            ..
        } => Some(*zxid),
        _ => None,
    })
}

/// The role state of ZooKeeper node `id`: a running server's state, epoch and leader.
pub fn role_state(world: &ClusterWorld, id: NodeId) -> RoleState {
    let up = world.is_up(id);
    match world.node(id).zk_server() {
        Some(s) if up => {
            let s = s.summary();
            RoleState {
                role: role_of(s.state),
                epoch: s.current_epoch,
                leader: s.leader,
            }
        }
        Some(_) => RoleState::plain(Role::DOWN),
        None => RoleState::plain(if up { CLIENT } else { Role::DOWN }),
    }
}

/// "zk1 is now LEADING", "zk2 is now FOLLOWING zk1 in epoch 2".
pub fn transition_sentence(t: &Transition, names: &Names) -> String {
    let n = names.label(t.node);
    let (from, to) = (&t.from, &t.to);
    let epoch = if to.epoch > 0 {
        format!(" in epoch {}", to.epoch)
    } else {
        String::new()
    };
    let leader = |fallback: &str| {
        to.leader
            .map_or(fallback.to_string(), |l| names.sid_label(l))
    };
    if from.role == to.role {
        return if to.role == LEADING {
            format!("{n} now leads epoch {}", to.epoch)
        } else if to.role == FOLLOWING && from.leader != to.leader {
            format!("{n} now follows {}{epoch}", leader("no one"))
        } else {
            format!("{n} moves to epoch {}", to.epoch)
        };
    }
    match to.role {
        r if r == LEADING => format!("{n} wins the election and is now LEADING{epoch}"),
        r if r == FOLLOWING => format!("{n} is now FOLLOWING {}{epoch}", leader("the new leader")),
        r if r == OBSERVING => format!("{n} is now OBSERVING"),
        r if r == LOOKING => format!("{n} is LOOKING for a leader"),
        r if r == Role::DOWN => format!("{n} is down"),
        _ => format!("{n} is up"),
    }
}

/// Whether an input is a fault or a repair: asking a client to do something is neither.
pub fn is_fault(input: &Input<Msg>) -> bool {
    match input {
        Input::Deliver(_, m) => !matches!(m.zk(), Some(zk::Msg::Control(Control::ClientCall(_)))),
        _ => true,
    }
}

/// "Run to the next commit": a step that committed a zxid (the leader sending COMMIT, or a
/// lone server answering a write).
pub const COMMIT: crate::view::targets::Target = crate::view::targets::Target {
    slug: "commit",
    label: "next commit",
    key: Some("c"),
    hit: |p| committed_zxids(p.rec).next().map(|_| p.rec.actor()),
};
