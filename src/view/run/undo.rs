//! Undo and redo of inputs. An input given in the past forks the run and discards every later
//! input; undo brings the run back as it was just before (the discarded inputs, the cursor and
//! the recorded future), and redo gives the input again. Both stacks are plain lists of
//! inputs: a restore rebuilds the run from its spec and replays them, exactly as a URL does,
//! so the restored run is the same run step for step. A new input clears redo: the branch it
//! discarded stays recoverable (by undo) until the next change.

use crate::cluster::Msg;
use crate::sim::Input;
use crate::view::url::UrlState;

use super::Run;

/// Most undo steps kept.
const MAX_UNDO: usize = 64;

/// A point the run can go back to.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Mark {
    inputs: Vec<(u64, Input<Msg>)>,
    cursor: u64,
    len: u64,
}

/// The undo and redo stacks.
#[derive(Default)]
pub(super) struct Undo {
    back: Vec<Mark>,
    forward: Vec<Mark>,
}

impl Run {
    fn mark(&self) -> Mark {
        Mark {
            inputs: self.tl.inputs().to_vec(),
            cursor: self.tl.cursor(),
            len: self.len(),
        }
    }

    /// Remembers the run as it is before a new input.
    pub(super) fn remember(&mut self) {
        let m = self.mark();
        let u = &mut self.undo;
        u.forward.clear();
        u.back.push(m);
        if u.back.len() > MAX_UNDO {
            u.back.remove(0);
        }
    }

    /// How many inputs given later than the cursor an input given now would discard.
    pub fn later_inputs(&self) -> usize {
        let c = self.tl.cursor();
        self.tl.inputs().iter().filter(|(s, _)| *s > c).count()
    }

    /// Whether there is an input to undo.
    pub fn can_undo(&self) -> bool {
        !self.undo.back.is_empty()
    }

    /// Whether there is an undone input to give again.
    pub fn can_redo(&self) -> bool {
        !self.undo.forward.is_empty()
    }

    /// Takes back the last input: the run is as it was just before it was given.
    pub fn undo(&mut self) -> bool {
        let Some(m) = self.undo.back.pop() else {
            return false;
        };
        let now = self.mark();
        self.undo.forward.push(now);
        self.restore(m);
        true
    }

    /// Gives the last undone input again.
    pub fn redo(&mut self) -> bool {
        let Some(m) = self.undo.forward.pop() else {
            return false;
        };
        let now = self.mark();
        self.undo.back.push(now);
        self.restore(m);
        true
    }

    fn restore(&mut self, m: Mark) {
        let st = UrlState {
            scenario: self.spec.scenario.clone(),
            seed: self.spec.seed,
            servers: self.spec.servers,
            inputs: m.inputs,
            step: m.len,
            ..UrlState::default()
        };
        let (mut fresh, _) = Run::from_url(&st);
        fresh.seek(m.cursor);
        fresh.undo = std::mem::take(&mut self.undo);
        fresh.version = self.version + 1;
        *self = fresh;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{NodeId, TraceDigest};
    use crate::view::run::RunSpec;

    fn zk() -> Run {
        Run::new(RunSpec {
            scenario: "default".into(),
            seed: 3,
            servers: None,
        })
        .unwrap()
    }

    /// The digest of the recorded trace up to the end.
    fn digest(run: &Run) -> String {
        let world = &run.timeline().current().world;
        let label = |id: NodeId| world.label(id);
        let mut d = TraceDigest::default();
        for rec in run.timeline().records() {
            d.add_line(&rec.trace_line(&label));
        }
        d.hex()
    }

    #[test]
    fn undo_restores_the_discarded_inputs_and_the_same_digest() {
        let mut run = zk();
        run.seek(60);
        run.inject(Input::Crash(NodeId(2)));
        run.seek(90);
        run.inject(Input::Restart(NodeId(2)));
        run.seek(150);
        let (inputs, len) = (run.timeline().inputs().to_vec(), run.len());
        let before = digest(&run);
        let markers = run.history().markers().to_vec();
        run.seek(40);
        assert_eq!(run.later_inputs(), 2);
        run.inject(Input::Crash(NodeId(0)));
        assert_eq!(run.timeline().inputs().len(), 1);
        assert!(run.can_undo() && !run.can_redo());

        assert!(run.undo());
        assert_eq!(run.cursor(), 40);
        assert_eq!(run.len(), len);
        assert_eq!(run.timeline().inputs(), &inputs[..]);
        run.seek(150);
        assert_eq!(digest(&run), before);
        assert_eq!(run.history().markers(), &markers[..]);

        assert!(run.redo());
        assert_eq!(run.cursor(), 41);
        assert_eq!(run.timeline().inputs().len(), 1);
        assert!(run.can_undo() && !run.can_redo());
    }

    #[test]
    fn a_new_input_after_undo_clears_redo_but_keeps_undo() {
        let mut run = zk();
        run.seek(30);
        run.inject(Input::Crash(NodeId(1)));
        run.seek(50);
        run.inject(Input::Heal);
        assert!(run.undo());
        assert!(run.can_redo());
        run.inject(Input::Restart(NodeId(1)));
        assert!(!run.can_redo());
        assert!(run.undo());
        assert!(run.undo());
        assert!(run.timeline().inputs().is_empty());
        assert!(!run.undo());
    }

    #[test]
    fn the_version_moves_on_across_a_restore() {
        let mut run = zk();
        run.seek(10);
        run.inject(Input::Crash(NodeId(0)));
        let v = run.version();
        assert!(run.undo());
        assert!(run.version() > v);
    }
}
