//! The invariants panel: every checker with its kind, what it promises in words, and whether
//! it has been violated so far, followed by each violation with the step to jump to.

use crate::cluster::ClusterSim;
use crate::sim::time::fmt_time;
use crate::sim::CheckKind;

use super::history::History;

/// One checker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvariantRow {
    pub name: &'static str,
    /// `always`, `sometimes`, `eventually after healing`.
    pub kind: &'static str,
    pub description: &'static str,
    /// Violations found up to the current step.
    pub violations: u64,
}

/// One violation, up to the current step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ViolationRow {
    pub step: u64,
    pub time: String,
    pub checker: &'static str,
    pub message: String,
}

/// The panel's content.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct InvariantTable {
    pub checkers: Vec<InvariantRow>,
    pub violations: Vec<ViolationRow>,
}

/// Words for a check kind.
pub fn kind_words(k: CheckKind) -> &'static str {
    match k {
        CheckKind::Always => "always",
        CheckKind::Sometimes => "sometimes",
        CheckKind::EventuallyAfterHeal => "eventually after healing",
    }
}

/// Builds the panel for the state `sim` at step `cursor`.
pub fn invariant_table(sim: &ClusterSim, history: &History, cursor: u64) -> InvariantTable {
    let checkers = sim
        .checker_infos()
        .into_iter()
        .enumerate()
        .map(|(i, info)| InvariantRow {
            name: info.name,
            kind: kind_words(info.kind),
            description: info.description,
            violations: sim.violation_counts.get(i).copied().unwrap_or(0),
        })
        .collect();
    let violations = history
        .violations()
        .iter()
        .filter(|v| v.step <= cursor)
        .map(|v| ViolationRow {
            step: v.step,
            time: fmt_time(v.time_us),
            checker: v.checker,
            message: v.message.clone(),
        })
        .collect();
    InvariantTable {
        checkers,
        violations,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_every_checker_of_the_scenario() {
        let sim = crate::cluster::build("default", &crate::cluster::BuildOptions::seed(1)).unwrap();
        let t = invariant_table(&sim, &History::default(), 0);
        assert_eq!(t.checkers.len(), sim.checkers.len());
        assert!(t
            .checkers
            .iter()
            .all(|c| c.violations == 0 && !c.description.is_empty()));
        assert!(t.violations.is_empty());
    }
}
