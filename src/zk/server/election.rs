//! Fast Leader Election (FLE), sheet B.3, as `FastLeaderElection.lookForLeader` runs it.
//!
//! Kept: notifications (vote, electionEpoch, state), the (peerEpoch, zxid, sid) total order,
//! the logical clock and its adoption, `recvset`/`outofelection`, the termination predicate,
//! `checkLeader`, the finalize wait (a notification that does not beat our vote is consumed
//! and restarts the wait; one that beats it ends the wait), the notification-timeout back-off,
//! replying to lagging peers on arrival (as the receiver thread does, even during the
//! finalize wait), `Vote.equals` (whole votes within a round, leader and epoch for
//! `outofelection`), and established servers answering with their current vote.
//! Observers (`getInitId` = `Long.MIN_VALUE`): an observer sends its notifications to the
//! voters only, never votes for itself (no own entry in `recvset`), adopts the voters' votes
//! and decides OBSERVING when a quorum of voters agree; voters answer an observer's
//! notification at once and never count it (`WorkerReceiver`, `validVoter`).
//! Simplified: no weighted quorums, no dynamic reconfig; notifications travel
//! as messages rather than over the election-port TCP mesh.

use crate::sim::vecmap::VecMap;
use crate::sim::{Ctx, MS};

use crate::zk::config::{Sid, ZkConfig};
use crate::zk::msg::{Msg, Notification, ServerState, Timer, Vote};
use crate::zk::types::fmt_zxid;

/// Outcome of processing one notification or timer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Keep looking.
    Undecided,
    /// Leave the election: lead (if `leader` is me) or follow `leader`.
    Decided { leader: Sid },
}

/// FLE state of one server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Election {
    /// `logicalclock`: the election round. Volatile (starts at 0 after a restart).
    pub logical_clock: u64,
    /// Our current proposal.
    pub vote: Vote,
    /// Votes of this round, by sender.
    pub recvset: VecMap<Sid, Vote>,
    /// Votes of servers that are FOLLOWING/LEADING, with their election epoch and state.
    pub outofelection: VecMap<Sid, (Vote, u64, ServerState)>,
    /// Current notification timeout (doubles when nothing arrives).
    pub not_timeout_ms: u64,
    /// A quorum agreed; waiting `finalizeWait` for anything better.
    pub finalizing: bool,
    /// Whether this server votes (false for an observer).
    pub voter: bool,
}

impl Election {
    /// A fresh election state for a server that has not run FLE since it started.
    pub fn new(me: Sid) -> Self {
        Self {
            logical_clock: 0,
            vote: Vote {
                leader: me,
                zxid: 0,
                peer_epoch: 0,
            },
            recvset: VecMap::new(),
            outofelection: VecMap::new(),
            not_timeout_ms: 0,
            finalizing: false,
            voter: true,
        }
    }

    /// Starts a round: `logicalclock += 1`, vote for ourselves, tell everyone.
    pub fn start(&mut self, ctx: &mut Ctx<Msg, Timer>, cfg: &ZkConfig, me: Sid, own: Vote) {
        self.logical_clock += 1;
        self.vote = own;
        self.recvset.clear();
        self.outofelection.clear();
        self.voter = cfg.is_voter(me);
        if self.voter {
            self.recvset.insert(me, own);
        }
        self.finalizing = false;
        self.not_timeout_ms = cfg.min_notification_interval_ms;
        if self.voter {
            ctx.note(format!(
                "zk{me} is LOOKING: election round {} begins; it votes for itself (zxid {}, epoch {})",
                self.logical_clock,
                fmt_zxid(own.zxid),
                own.peer_epoch
            ));
        } else {
            ctx.note(format!(
                "zk{me} is LOOKING as an observer (round {}): it asks the voters for their votes and has none of its own",
                self.logical_clock
            ));
        }
        self.broadcast(ctx, cfg, me, ServerState::Looking);
        ctx.set_timer(Timer::ElectionPoll, self.not_timeout_ms * MS);
        if cfg.is_quorum(self.recvset.keys()) {
            self.begin_finalize(ctx, cfg);
        }
    }

    /// Sends our current vote to every other voting member.
    pub fn broadcast(
        &self,
        ctx: &mut Ctx<Msg, Timer>,
        cfg: &ZkConfig,
        me: Sid,
        state: ServerState,
    ) {
        for &(sid, node) in &cfg.servers {
            if sid != me {
                ctx.send(node, self.notification(state));
            }
        }
    }

    /// Our vote as a notification.
    pub fn notification(&self, state: ServerState) -> Msg {
        Msg::Notification(Notification {
            vote: self.vote,
            election_epoch: self.logical_clock,
            state,
        })
    }

    /// Nothing arrived within the notification timeout: resend and back off.
    pub fn on_poll_timeout(&mut self, ctx: &mut Ctx<Msg, Timer>, cfg: &ZkConfig, me: Sid) {
        self.broadcast(ctx, cfg, me, ServerState::Looking);
        self.not_timeout_ms = (self.not_timeout_ms * 2).min(cfg.max_notification_interval_ms);
        ctx.note(format!(
            "zk{me} heard nothing for a while: it re-sends its vote and now waits {} ms",
            self.not_timeout_ms
        ));
        ctx.set_timer(Timer::ElectionPoll, self.not_timeout_ms * MS);
    }

    /// The finalize wait passed with nothing better: decide.
    pub fn on_finalize_timeout(&mut self) -> Decision {
        if self.finalizing {
            self.finalizing = false;
            Decision::Decided {
                leader: self.vote.leader,
            }
        } else {
            Decision::Undecided
        }
    }

    fn begin_finalize(&mut self, ctx: &mut Ctx<Msg, Timer>, cfg: &ZkConfig) {
        if !self.finalizing {
            self.finalizing = true;
            ctx.set_timer(Timer::FinalizeWait, cfg.finalize_wait_ms * MS);
        }
    }

    /// Processes a notification from `src` while LOOKING. `own` is our initial vote
    /// (ourselves, last logged zxid, current epoch).
    pub fn on_notification(
        &mut self,
        ctx: &mut Ctx<Msg, Timer>,
        cfg: &ZkConfig,
        me: Sid,
        own: Vote,
        src: Sid,
        n: Notification,
    ) -> Decision {
        // `validVoter(n.sid) && validVoter(n.leader)`.
        if !cfg.is_voter(src) || !cfg.is_voter(n.vote.leader) {
            return Decision::Undecided;
        }
        // Anything that arrives restarts the poll wait at the current timeout.
        ctx.set_timer(Timer::ElectionPoll, self.not_timeout_ms * MS);
        if n.state == ServerState::Looking && n.election_epoch < self.logical_clock {
            // The receiving thread (`WorkerReceiver`) tells a lagging peer where we are as
            // soon as its notification arrives, even during the finalize wait.
            if let Some(node) = cfg.node_of(src) {
                ctx.send(node, self.notification(ServerState::Looking));
            }
        }
        if self.finalizing {
            if n.vote.beats(&self.vote) {
                // "Put it back" and continue the main loop with it.
                self.finalizing = false;
                ctx.cancel_timer(Timer::FinalizeWait);
            } else {
                // Consumed during the finalize wait: the wait starts over.
                ctx.set_timer(Timer::FinalizeWait, cfg.finalize_wait_ms * MS);
                return Decision::Undecided;
            }
        }
        match n.state {
            ServerState::Looking => self.on_looking_peer(ctx, cfg, me, own, src, n),
            ServerState::Following | ServerState::Leading => {
                self.on_established_peer(cfg, me, src, n)
            }
            ServerState::Observing => Decision::Undecided,
        }
    }

    fn on_looking_peer(
        &mut self,
        ctx: &mut Ctx<Msg, Timer>,
        cfg: &ZkConfig,
        me: Sid,
        own: Vote,
        src: Sid,
        n: Notification,
    ) -> Decision {
        if n.election_epoch > self.logical_clock {
            self.logical_clock = n.election_epoch;
            self.recvset.clear();
            self.vote = if n.vote.beats(&own) { n.vote } else { own };
            if self.voter {
                self.recvset.insert(me, self.vote);
            }
            ctx.note(format!(
                "zk{me} joins election round {} from zk{src} and votes for zk{} (zxid {}, epoch {})",
                self.logical_clock,
                self.vote.leader,
                fmt_zxid(self.vote.zxid),
                self.vote.peer_epoch
            ));
            self.broadcast(ctx, cfg, me, ServerState::Looking);
        } else if n.election_epoch < self.logical_clock {
            // A lagging peer: already answered on arrival.
            return Decision::Undecided;
        } else if n.vote.beats(&self.vote) {
            let why = n.vote.why_beats(&self.vote);
            self.vote = n.vote;
            if self.voter {
                self.recvset.insert(me, self.vote);
            }
            ctx.note(format!(
                "zk{me} changes its vote to zk{} (zxid {}, epoch {}), which beats its own: {why}",
                self.vote.leader,
                fmt_zxid(self.vote.zxid),
                self.vote.peer_epoch
            ));
            self.broadcast(ctx, cfg, me, ServerState::Looking);
        }
        self.recvset.insert(src, n.vote);
        let agreeing = self.recvset.values().filter(|v| **v == self.vote).count();
        if agreeing >= cfg.quorum_size() && !self.finalizing {
            ctx.note(format!(
                "zk{me} sees a quorum ({agreeing} of {}) agreeing on zk{}: it waits {} ms for anything better",
                cfg.servers.len(),
                self.vote.leader,
                cfg.finalize_wait_ms
            ));
            self.begin_finalize(ctx, cfg);
        }
        Decision::Undecided
    }

    fn on_established_peer(
        &mut self,
        cfg: &ZkConfig,
        me: Sid,
        src: Sid,
        n: Notification,
    ) -> Decision {
        // `Vote.equals`: votes of this round sit in `recvset` as LOOKING votes, so the whole
        // vote must match; `outofelection` votes compare only leader and epoch.
        let same = |a: &Vote, b: &Vote| a.leader == b.leader && a.peer_epoch == b.peer_epoch;
        if n.election_epoch == self.logical_clock {
            self.recvset.insert(src, n.vote);
            let agree = self.recvset.values().filter(|v| **v == n.vote).count();
            if agree >= cfg.quorum_size() && self.check_leader(me, n.vote.leader, n.election_epoch)
            {
                self.vote = n.vote;
                return Decision::Decided {
                    leader: n.vote.leader,
                };
            }
        }
        self.outofelection
            .insert(src, (n.vote, n.election_epoch, n.state));
        let agree = self
            .outofelection
            .values()
            .filter(|(v, _, _)| same(v, &n.vote))
            .count();
        if agree >= cfg.quorum_size() && self.check_leader(me, n.vote.leader, n.election_epoch) {
            self.logical_clock = n.election_epoch;
            self.vote = n.vote;
            return Decision::Decided {
                leader: n.vote.leader,
            };
        }
        Decision::Undecided
    }

    /// `checkLeader`: the proposed leader must have told us itself that it is LEADING (or,
    /// if it is us, the round must be ours).
    fn check_leader(&self, me: Sid, leader: Sid, election_epoch: u64) -> bool {
        if leader == me {
            self.logical_clock == election_epoch
        } else {
            matches!(
                self.outofelection.get(&leader),
                Some((_, _, ServerState::Leading))
            )
        }
    }
}
