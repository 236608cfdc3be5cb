//! Bug switches: named protocol mistakes a scenario can plant in every server, to show that
//! the checkers catch them (issue 13, "checkers you can trust").
//!
//! Each switch is a real-world-plausible error and a small guarded branch in the server
//! code; all are off in [`Bugs::NONE`], which is what [`crate::zk::ZkConfig::new`] uses. They
//! are reachable only through [`Bugs::with`], called by the "What if…" scenario builders
//! and by tests: no input, script or scenario file can turn one on.

use std::fmt;

/// One planted protocol mistake.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Bug {
    /// The leader commits a proposal as soon as it has logged it, without waiting for a
    /// quorum of ACKs (a quorum-size off-by-n, or "our own ACK is enough").
    CommitWithoutQuorum,
    /// A follower told to TRUNC reloads its log without cutting it (treats it like a DIFF),
    /// so a txn the old leader logged but never committed is applied on it.
    DiffWithoutTruncate,
    /// The new leader picks its epoch from its own acceptedEpoch only, ignoring the epochs
    /// its followers report in FOLLOWERINFO.
    IgnoreFollowerEpoch,
    /// A new leader tells every learner it is up to date (an empty DIFF) instead of sending
    /// the txns it lacks.
    SkipSync,
    /// The leader's session tracker never expires a session.
    SessionsNeverExpire,
    /// A server sends every watch notification twice.
    WatchFiresTwice,
    /// A server drops a fired watch without notifying its client.
    WatchForgotten,
    /// A follower accepts clients and answers reads as soon as it gets NEWLEADER, before
    /// the leader's UPTODATE.
    ReadsBeforeUptodate,
    /// A follower agrees to a new epoch (answers LEADERINFO) without writing its
    /// acceptedEpoch to disk, so a later currentEpoch runs ahead of it.
    AcceptedEpochNotSaved,
}

impl Bug {
    /// Every bug switch, in the order `zooscope-cli mutants` lists them.
    pub const ALL: [Bug; 9] = [
        Bug::CommitWithoutQuorum,
        Bug::DiffWithoutTruncate,
        Bug::IgnoreFollowerEpoch,
        Bug::SkipSync,
        Bug::SessionsNeverExpire,
        Bug::WatchFiresTwice,
        Bug::WatchForgotten,
        Bug::ReadsBeforeUptodate,
        Bug::AcceptedEpochNotSaved,
    ];

    /// Kebab-case name, used in scenario names (`whatif-<name>`).
    pub fn name(self) -> &'static str {
        match self {
            Bug::CommitWithoutQuorum => "commit-without-quorum",
            Bug::DiffWithoutTruncate => "diff-without-truncate",
            Bug::IgnoreFollowerEpoch => "ignore-follower-epoch",
            Bug::SkipSync => "skip-sync",
            Bug::SessionsNeverExpire => "sessions-never-expire",
            Bug::WatchFiresTwice => "watch-fires-twice",
            Bug::WatchForgotten => "watch-forgotten",
            Bug::ReadsBeforeUptodate => "reads-before-uptodate",
            Bug::AcceptedEpochNotSaved => "accepted-epoch-not-saved",
        }
    }

    /// Looks a bug up by [`Bug::name`].
    pub fn from_name(name: &str) -> Option<Bug> {
        Bug::ALL.into_iter().find(|b| b.name() == name)
    }
}

impl fmt::Display for Bug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Which bug switches are on. All off by default.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Bugs {
    pub(crate) commit_without_quorum: bool,
    pub(crate) diff_without_truncate: bool,
    pub(crate) ignore_follower_epoch: bool,
    pub(crate) skip_sync: bool,
    pub(crate) sessions_never_expire: bool,
    pub(crate) watch_fires_twice: bool,
    pub(crate) watch_forgotten: bool,
    pub(crate) reads_before_uptodate: bool,
    pub(crate) accepted_epoch_not_saved: bool,
}

impl Bugs {
    /// No bug: the faithful protocol.
    pub const NONE: Bugs = Bugs {
        commit_without_quorum: false,
        diff_without_truncate: false,
        ignore_follower_epoch: false,
        skip_sync: false,
        sessions_never_expire: false,
        watch_fires_twice: false,
        watch_forgotten: false,
        reads_before_uptodate: false,
        accepted_epoch_not_saved: false,
    };

    /// These switches plus `bug`.
    pub fn with(mut self, bug: Bug) -> Bugs {
        *self.switch(bug) = true;
        self
    }

    /// Whether `bug` is on.
    pub fn has(mut self, bug: Bug) -> bool {
        *self.switch(bug)
    }

    /// Whether any switch is on.
    pub fn any(self) -> bool {
        Bug::ALL.into_iter().any(|b| self.has(b))
    }

    fn switch(&mut self, bug: Bug) -> &mut bool {
        match bug {
            Bug::CommitWithoutQuorum => &mut self.commit_without_quorum,
            Bug::DiffWithoutTruncate => &mut self.diff_without_truncate,
            Bug::IgnoreFollowerEpoch => &mut self.ignore_follower_epoch,
            Bug::SkipSync => &mut self.skip_sync,
            Bug::SessionsNeverExpire => &mut self.sessions_never_expire,
            Bug::WatchFiresTwice => &mut self.watch_fires_twice,
            Bug::WatchForgotten => &mut self.watch_forgotten,
            Bug::ReadsBeforeUptodate => &mut self.reads_before_uptodate,
            Bug::AcceptedEpochNotSaved => &mut self.accepted_epoch_not_saved,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_switch_is_off_by_default_and_each_turns_on_alone() {
        assert!(!Bugs::default().any());
        assert_eq!(Bugs::default(), Bugs::NONE);
        for b in Bug::ALL {
            let on = Bugs::NONE.with(b);
            assert!(on.has(b));
            assert_eq!(Bug::ALL.iter().filter(|o| on.has(**o)).count(), 1);
            assert_eq!(Bug::from_name(b.name()), Some(b));
        }
    }
}
