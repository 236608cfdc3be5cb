//! Invariant checkers: observers that read the world after every step.
//!
//! Checkers live outside the actors (as in TigerBeetle's state checker or Stateright's
//! properties): a protocol bug cannot hide its own evidence. Each checker has a name, a kind
//! and explains a violation in words a student can read. A [`Sim`] is a world plus its
//! checkers; both are cloned together into checkpoints, so checker memory travels in time too.

use serde::Serialize;

use super::actor::Actor;
use super::record::{CheckKind, StepRecord, Violation};
use super::time::TimeUs;
use super::world::World;

/// Name, kind and one-sentence description of a checker.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct CheckerInfo {
    pub name: &'static str,
    pub kind: CheckKind,
    pub description: &'static str,
}

/// A named property of a world of actors `A`.
pub trait Checker<A: Actor>: Clone {
    /// Name, kind and description.
    fn info(&self) -> CheckerInfo;
    /// Looks at the world after a step; returns an explanation if the property is violated.
    fn after_step(
        &mut self,
        world: &World<A>,
        rec: &StepRecord<A::Msg, A::Timer>,
    ) -> Option<String>;
    /// Looks at the world at the end of a run (for `Sometimes` properties).
    fn at_end(&mut self, _world: &World<A>) -> Option<String> {
        None
    }
}

/// True when the world has been healthy (everything up, no cuts or holds) for `grace_us`:
/// the moment an `EventuallyAfterHeal` property must hold.
pub fn healed_for<A: Actor>(world: &World<A>, grace_us: TimeUs) -> bool {
    world
        .healthy_since_us()
        .is_some_and(|since| world.now_us() >= since + grace_us)
}

/// A world with its checkers.
#[derive(Clone, Debug)]
pub struct Sim<A: Actor, C: Checker<A>> {
    pub world: World<A>,
    pub checkers: Vec<C>,
    /// Violations found so far, per checker (same order as `checkers`).
    pub violation_counts: Vec<u64>,
    last_message: Vec<Option<String>>,
}

impl<A: Actor, C: Checker<A>> Sim<A, C> {
    /// Wraps a world and its checkers.
    pub fn new(world: World<A>, checkers: Vec<C>) -> Self {
        let n = checkers.len();
        Self {
            world,
            checkers,
            violation_counts: vec![0; n],
            last_message: vec![None; n],
        }
    }

    /// Steps the world once and runs every checker on the result. A checker that keeps
    /// reporting the very same explanation is reported once, not at every step.
    pub fn step(&mut self) -> Option<StepRecord<A::Msg, A::Timer>> {
        let mut rec = self.world.step()?;
        for (i, c) in self.checkers.iter_mut().enumerate() {
            let found = c.after_step(&self.world, &rec);
            if let Some(msg) = &found {
                if self.last_message[i].as_ref() != Some(msg) {
                    self.violation_counts[i] += 1;
                    let info = c.info();
                    rec.violations.push(Violation {
                        checker: info.name,
                        kind: info.kind,
                        step: rec.step,
                        time_us: rec.time_us,
                        message: msg.clone(),
                    });
                }
            }
            self.last_message[i] = found;
        }
        Some(rec)
    }

    /// Runs the end-of-run checks and returns their violations.
    pub fn finish(&mut self) -> Vec<Violation> {
        let mut out = Vec::new();
        for (i, c) in self.checkers.iter_mut().enumerate() {
            if let Some(message) = c.at_end(&self.world) {
                self.violation_counts[i] += 1;
                let info = c.info();
                out.push(Violation {
                    checker: info.name,
                    kind: info.kind,
                    step: self.world.steps(),
                    time_us: self.world.now_us(),
                    message,
                });
            }
        }
        out
    }

    /// Descriptions of all checkers.
    pub fn checker_infos(&self) -> Vec<CheckerInfo> {
        self.checkers.iter().map(|c| c.info()).collect()
    }
}
