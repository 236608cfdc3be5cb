//! Kafka bug switches: named protocol mistakes a "What if…" scenario or a test can plant, to
//! show that the Kafka checkers catch them (issue 13). The Kafka twin of [`crate::zk::bugs`].
//!
//! Every switch is off in [`KafkaBugs::NONE`] (what every config's `Default` uses) and is
//! reachable only through [`KafkaBugs::with`], called by What-if builders and tests: no
//! input, script or scenario file can turn one on. Each is a small guarded branch in the
//! actor code it names.

use std::fmt;

/// One planted Kafka mistake.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum KafkaBug {
    /// The controller writes partition state without `check(/controller_epoch, version)` in
    /// its `multi`, so a controller that lost its epoch (a zombie) still writes.
    NoControllerFencing,
    /// The leader advances the high watermark to its own LEO without waiting for the ISR
    /// followers to fetch the records.
    HwBeforeIsr,
    /// The controller elects an out-of-sync replica when no ISR member is alive even though
    /// `unclean.leader.election.enable` is false.
    UncleanWithoutConfig,
    /// A consumer commits the offset of what it fetched before it has processed it.
    CommitUnprocessed,
    /// The leader skips the idempotent producer's sequence check and appends a retried batch
    /// again.
    NoDuplicateCheck,
}

impl KafkaBug {
    /// Every Kafka bug switch, in the order `zooscope-cli mutants` lists them.
    pub const ALL: [KafkaBug; 5] = [
        KafkaBug::NoControllerFencing,
        KafkaBug::HwBeforeIsr,
        KafkaBug::UncleanWithoutConfig,
        KafkaBug::CommitUnprocessed,
        KafkaBug::NoDuplicateCheck,
    ];

    /// Kebab-case name, used in scenario names (`whatif-<name>`).
    pub fn name(self) -> &'static str {
        match self {
            KafkaBug::NoControllerFencing => "no-controller-fencing",
            KafkaBug::HwBeforeIsr => "hw-before-isr",
            KafkaBug::UncleanWithoutConfig => "unclean-without-config",
            KafkaBug::CommitUnprocessed => "commit-unprocessed",
            KafkaBug::NoDuplicateCheck => "no-duplicate-check",
        }
    }

    /// Looks a bug up by [`KafkaBug::name`].
    pub fn from_name(name: &str) -> Option<KafkaBug> {
        KafkaBug::ALL.into_iter().find(|b| b.name() == name)
    }

    fn bit(self) -> u16 {
        1 << (self as u16)
    }
}

impl fmt::Display for KafkaBug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Which Kafka bug switches are on. All off by default.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KafkaBugs(u16);

impl KafkaBugs {
    /// No bug: the faithful protocol.
    pub const NONE: KafkaBugs = KafkaBugs(0);

    /// These switches plus `bug`.
    pub fn with(self, bug: KafkaBug) -> KafkaBugs {
        KafkaBugs(self.0 | bug.bit())
    }

    /// Whether `bug` is on.
    pub fn has(self, bug: KafkaBug) -> bool {
        self.0 & bug.bit() != 0
    }

    /// Whether any switch is on.
    pub fn any(self) -> bool {
        self.0 != 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kafka_switch_is_off_by_default_and_each_turns_on_alone() {
        assert!(!KafkaBugs::default().any());
        for b in KafkaBug::ALL {
            let on = KafkaBugs::NONE.with(b);
            assert!(on.has(b));
            assert_eq!(KafkaBug::ALL.iter().filter(|o| on.has(**o)).count(), 1);
            assert_eq!(KafkaBug::from_name(b.name()), Some(b));
        }
    }
}
