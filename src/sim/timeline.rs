//! Time travel: every step's record, checkpoints every K steps, seek, step back and forks.
//!
//! `seek(n)` restores the nearest checkpoint at or before `n` and replays. Inputs are stored
//! with the step count at which they were given; an input given while the cursor is in the
//! past truncates the recorded future and forks a new one. Memory is bounded: past
//! `max_records` the oldest records are dropped (the earliest reachable step moves up), and
//! past `max_checkpoints` every other checkpoint is dropped and the interval doubles.
//!
//! Invariant: a checkpoint holds the state right *after* its step and *before* the inputs
//! given at that step; the live state at the cursor always has the cursor's inputs queued.

use std::collections::VecDeque;

use super::actor::Actor;
use super::check::{Checker, Sim};
use super::record::StepRecord;
use super::world::Input;

/// Tunables of a timeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimelineLimits {
    /// Steps between checkpoints (grows when thinning).
    pub checkpoint_interval: u64,
    /// Most checkpoints kept.
    pub max_checkpoints: usize,
    /// Most records kept.
    pub max_records: usize,
}

impl Default for TimelineLimits {
    fn default() -> Self {
        Self {
            checkpoint_interval: 200,
            max_checkpoints: 128,
            max_records: 200_000,
        }
    }
}

/// A run with its history.
pub struct Timeline<A: Actor, C: Checker<A>> {
    live: Sim<A, C>,
    records: VecDeque<StepRecord<A::Msg, A::Timer>>,
    /// Steps before the first kept record.
    floor: u64,
    checkpoints: Vec<(u64, Sim<A, C>)>,
    inputs: Vec<(u64, Input<A::Msg>)>,
    cursor: u64,
    limits: TimelineLimits,
    notices: Vec<String>,
}

impl<A: Actor, C: Checker<A>> Timeline<A, C> {
    /// A timeline starting at step 0 of `sim`.
    pub fn new(sim: Sim<A, C>, limits: TimelineLimits) -> Self {
        let start = sim.world.steps();
        Self {
            checkpoints: vec![(start, sim.clone())],
            live: sim,
            records: VecDeque::new(),
            floor: start,
            inputs: Vec::new(),
            cursor: start,
            limits: TimelineLimits {
                checkpoint_interval: limits.checkpoint_interval.max(1),
                max_checkpoints: limits.max_checkpoints.max(2),
                max_records: limits.max_records.max(2),
            },
            notices: Vec::new(),
        }
    }

    /// The state at the cursor.
    pub fn current(&self) -> &Sim<A, C> {
        &self.live
    }

    /// Steps taken to reach the cursor.
    pub fn cursor(&self) -> u64 {
        self.cursor
    }

    /// Steps recorded (the end of the known future).
    pub fn len(&self) -> u64 {
        self.floor + self.records.len() as u64
    }

    /// Whether nothing has been recorded.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The earliest step the timeline can still seek to.
    pub fn floor(&self) -> u64 {
        self.floor
    }

    /// The record of step `n` (1-based), if kept.
    pub fn record(&self, n: u64) -> Option<&StepRecord<A::Msg, A::Timer>> {
        if n <= self.floor {
            return None;
        }
        self.records.get((n - self.floor - 1) as usize)
    }

    /// Records in order (oldest kept first).
    pub fn records(&self) -> impl DoubleEndedIterator<Item = &StepRecord<A::Msg, A::Timer>> {
        self.records.iter()
    }

    /// The inputs given so far, with the step count at which each was given.
    pub fn inputs(&self) -> &[(u64, Input<A::Msg>)] {
        &self.inputs
    }

    /// Kernel notices about bounds (records dropped, checkpoints thinned).
    pub fn notices(&self) -> &[String] {
        &self.notices
    }

    /// Number of checkpoints held.
    pub fn checkpoint_count(&self) -> usize {
        self.checkpoints.len()
    }

    /// Advances one step (replaying the recorded future if the cursor is in the past).
    /// Returns `false` when nothing is left to happen.
    pub fn step(&mut self) -> bool {
        let Some(rec) = self.live.step() else {
            return false;
        };
        self.cursor += 1;
        if self.cursor > self.len() {
            self.records.push_back(rec);
            self.enforce_record_bound();
        }
        if self.cursor % self.limits.checkpoint_interval == 0
            && self
                .checkpoints
                .last()
                .is_none_or(|(s, _)| *s < self.cursor)
        {
            self.checkpoints.push((self.cursor, self.live.clone()));
            self.enforce_checkpoint_bound();
        }
        self.queue_inputs_at_cursor();
        true
    }

    /// Goes back one step. Returns `false` at the floor.
    pub fn step_back(&mut self) -> bool {
        if self.cursor <= self.floor {
            return false;
        }
        self.seek(self.cursor - 1);
        true
    }

    /// Moves the cursor to step `n` (clamped to the floor; stepping on past the end).
    pub fn seek(&mut self, n: u64) {
        let n = n.max(self.floor);
        if n < self.cursor || (n <= self.len() && self.nearest_checkpoint(n) > self.cursor) {
            let i = self
                .checkpoints
                .iter()
                .rposition(|(s, _)| *s <= n)
                .expect("a checkpoint at or before the floor");
            let (s, sim) = &self.checkpoints[i];
            self.cursor = *s;
            self.live = sim.clone();
            self.queue_inputs_at_cursor();
        }
        while self.cursor < n {
            if !self.step() {
                break;
            }
        }
    }

    /// Gives an input at the cursor. If the cursor is in the past, the recorded future is
    /// discarded first: the run forks here.
    pub fn inject(&mut self, input: Input<A::Msg>) {
        if self.cursor < self.len() {
            let keep = (self.cursor - self.floor) as usize;
            self.records.truncate(keep);
            let c = self.cursor;
            self.checkpoints.retain(|(s, _)| *s <= c);
            self.inputs.retain(|(s, _)| *s <= c);
        }
        self.inputs.push((self.cursor, input.clone()));
        self.live.world.inject(input);
    }

    fn nearest_checkpoint(&self, n: u64) -> u64 {
        self.checkpoints
            .iter()
            .rev()
            .map(|(s, _)| *s)
            .find(|s| *s <= n)
            .unwrap_or(self.floor)
    }

    fn queue_inputs_at_cursor(&mut self) {
        let c = self.cursor;
        for (_, input) in self.inputs.iter().filter(|(s, _)| *s == c) {
            self.live.world.inject(input.clone());
        }
    }

    fn enforce_record_bound(&mut self) {
        if self.records.len() <= self.limits.max_records {
            return;
        }
        // Move the floor up to a checkpoint about half-way through the kept records.
        let target = self.floor + (self.records.len() / 2) as u64;
        let new_floor = self.nearest_checkpoint(target);
        if new_floor <= self.floor {
            return;
        }
        let drop = (new_floor - self.floor) as usize;
        self.records.drain(..drop);
        self.checkpoints.retain(|(s, _)| *s >= new_floor);
        self.notices.push(format!(
            "bound reached: records before step {new_floor} dropped (max {} kept)",
            self.limits.max_records
        ));
        self.floor = new_floor;
    }

    fn enforce_checkpoint_bound(&mut self) {
        if self.checkpoints.len() <= self.limits.max_checkpoints {
            return;
        }
        let every = self.limits.checkpoint_interval * 2;
        let first = self.checkpoints[0].0;
        let last = self.checkpoints.last().map(|(s, _)| *s);
        self.checkpoints
            .retain(|(s, _)| *s == first || Some(*s) == last || s % every == 0);
        self.limits.checkpoint_interval = every;
        self.notices.push(format!(
            "bound reached: checkpoints thinned, now every {every} steps"
        ));
    }
}
