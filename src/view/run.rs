//! A run as the page drives it: the timeline, the remembered history, the display time and
//! what the run was built from. The Yew provider holds one of these and calls it; everything
//! here is plain Rust, so the URL round trip and fork handling are tested natively.
//!
//! Rules kept here rather than in the UI:
//! * Every step the page takes at the frontier is observed by the [`History`]; seeking
//!   forward past the recorded end steps one by one for that reason.
//! * An input is given at the cursor and applied as the next step at once (a click shows its
//!   effect immediately). Given in the past, it forks the run: the history is cut there.
//! * Inputs can be undone and redone (see `undo`): the branch a fork discarded is
//!   recoverable until the next change.
//! * After a step, a step back or a seek, display time is the time of the current step, so
//!   the same step always draws the same picture.

use crate::cluster::{build, catalogue, BuildOptions, ClusterTimeline, Msg};
use crate::sim::{Input, TimeUs, TimelineLimits};

use super::history::History;
use super::names::Names;
use super::playback::{self, Advanced, Driver, Pace};
use super::quiet;
use super::scene::{self, Frame};
use super::state::Panel;
use super::targets::{self, Found, Probe, Target};
use super::url::{self, UrlState};

mod undo;

/// What a run is built from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunSpec {
    pub scenario: String,
    pub seed: u64,
    /// Ensemble size, or the scenario's own.
    pub servers: Option<usize>,
}

impl Default for RunSpec {
    fn default() -> Self {
        RunSpec {
            scenario: url::HOME_SCENARIO.into(),
            seed: url::DEFAULT_SEED,
            servers: None,
        }
    }
}

/// A run being watched.
pub struct Run {
    spec: RunSpec,
    tl: ClusterTimeline,
    history: History,
    display_us: TimeUs,
    /// Changes whenever the cursor, the recorded future or the inputs change.
    version: u64,
    /// How playback treats quiet time.
    pace: Pace,
    undo: undo::Undo,
    /// Whether the drawing is the tall one, for a narrow screen.
    tall: bool,
}

/// Names of the scenarios in the catalogue.
pub fn scenario_names() -> Vec<&'static str> {
    catalogue().iter().map(|s| s.name).collect()
}

impl Run {
    /// Builds a run at step 0.
    pub fn new(spec: RunSpec) -> Result<Run, String> {
        let sim = build(
            &spec.scenario,
            &BuildOptions {
                servers: spec.servers,
                ..BuildOptions::seed(spec.seed)
            },
        )
        .map_err(|e| e.to_string())?;
        let tl = ClusterTimeline::new(sim, TimelineLimits::default());
        let history = History::new(&tl.current().world);
        let display_us = tl.current().world.now_us();
        Ok(Run {
            spec,
            tl,
            history,
            display_us,
            version: 0,
            pace: Pace::default(),
            undo: undo::Undo::default(),
            tall: false,
        })
    }

    /// Rebuilds the run a URL describes: builds it, replays its inputs at their steps and
    /// moves to its cursor. Never fails: problems are returned in words and the run falls
    /// back to the default scenario if the named one cannot be built.
    pub fn from_url(state: &UrlState) -> (Run, Vec<String>) {
        let mut problems = Vec::new();
        let spec = RunSpec {
            scenario: state.scenario.clone(),
            seed: state.seed,
            servers: state.servers,
        };
        let mut run = match Run::new(spec) {
            Ok(r) => r,
            Err(e) => {
                problems.push(format!(
                    "The scenario could not be built ({e}); showing the default."
                ));
                Run::new(RunSpec::default()).expect("the default scenario builds")
            }
        };
        let mut inputs = state.inputs.clone();
        problems.extend(url::check_nodes(&mut inputs, run.tl.current().world.len()));
        for (at, input) in inputs {
            run.seek(at);
            if run.tl.cursor() < at {
                problems.push(format!(
                    "The run ended at step {} before the input given at step {at}; the rest was not replayed.",
                    run.tl.cursor()
                ));
                break;
            }
            run.inject(input);
        }
        run.seek(state.step);
        // Replaying a URL is not something to undo.
        run.undo = undo::Undo::default();
        (run, problems)
    }

    /// The URL state of this run with `panel` open.
    pub fn url_state(&self, panel: Panel) -> UrlState {
        UrlState {
            scenario: self.spec.scenario.clone(),
            seed: self.spec.seed,
            servers: self.spec.servers,
            inputs: self.tl.inputs().to_vec(),
            step: self.tl.cursor(),
            panel,
        }
    }

    /// What the run was built from.
    pub fn spec(&self) -> &RunSpec {
        &self.spec
    }

    /// The timeline.
    pub fn timeline(&self) -> &ClusterTimeline {
        &self.tl
    }

    /// The remembered history.
    pub fn history(&self) -> &History {
        &self.history
    }

    /// Current step.
    pub fn cursor(&self) -> u64 {
        self.tl.cursor()
    }

    /// Steps recorded.
    pub fn len(&self) -> u64 {
        self.tl.len().max(self.tl.cursor())
    }

    /// Whether nothing has been recorded yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Changes with every cursor move, fork or input.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// Display time: where dots are drawn.
    pub fn display_us(&self) -> TimeUs {
        self.display_us
    }

    /// Simulated time of the current step.
    pub fn now_us(&self) -> TimeUs {
        self.tl.current().world.now_us()
    }

    /// The picture at the cursor (dots at the step's own time).
    pub fn frame(&self) -> Frame {
        scene::frame(
            &self.tl,
            &self.history,
            Panel::of_scenario(&self.spec.scenario),
            self.tall,
        )
    }

    /// Whether the drawing is the tall one (for a narrow screen).
    pub fn tall(&self) -> bool {
        self.tall
    }

    /// Switches between the wide and the tall drawing; a change counts as a new version,
    /// so the picture is redrawn.
    pub fn set_tall(&mut self, tall: bool) {
        if self.tall != tall {
            self.tall = tall;
            self.version += 1;
        }
    }

    /// One step forward. `false` when nothing is left to happen.
    pub fn step(&mut self) -> bool {
        let ok = self.step_quietly();
        self.display_us = self.now_us();
        ok
    }

    fn step_quietly(&mut self) -> bool {
        if !self.tl.step() {
            return false;
        }
        self.version += 1;
        let c = self.tl.cursor();
        if c > self.history.observed() {
            let world = &self.tl.current().world;
            let names = Names::from_world(world);
            if let Some(rec) = self.tl.record(c) {
                self.history.observe(rec, world, &names);
            }
        }
        true
    }

    /// One step back. `false` at the start.
    pub fn back(&mut self) -> bool {
        let ok = self.tl.step_back();
        if ok {
            self.version += 1;
        }
        self.display_us = self.now_us();
        ok
    }

    /// Moves to step `n` (recorded steps are replayed from a checkpoint; new ones are taken
    /// and observed one by one).
    pub fn seek(&mut self, n: u64) {
        let known = self.tl.len();
        if n != self.tl.cursor() {
            self.version += 1;
        }
        self.tl.seek(n.min(known));
        while self.tl.cursor() < n {
            if !self.step_quietly() {
                break;
            }
        }
        self.display_us = self.now_us();
    }

    /// Gives an input now and applies it as the next step. In the past, this forks the run.
    pub fn inject(&mut self, input: Input<Msg>) {
        self.remember();
        if self.tl.cursor() < self.tl.len() {
            self.history.truncate(self.tl.cursor());
        }
        self.tl.inject(input);
        self.version += 1;
        self.step();
    }

    /// Whether a message worth watching (not a heartbeat) is moving on the wire.
    pub fn busy(&self) -> bool {
        self.tl
            .current()
            .world
            .in_flight()
            .any(|f| !f.held && quiet::is_busy_msg(&f.msg))
    }

    /// Whether the current step is quiet (see [`quiet::is_quiet`]).
    pub fn step_was_quiet(&self) -> bool {
        let c = self.tl.cursor();
        self.tl
            .record(c)
            .is_some_and(|rec| quiet::is_quiet(rec, !self.history.transitions_at(c).is_empty()))
    }

    /// Turns skipping quiet time on or off.
    pub fn set_skip_quiet(&mut self, on: bool) {
        if self.pace.skip != on {
            self.pace = Pace {
                skip: on,
                dwell_ms: 0.0,
            };
        }
    }

    /// Playback: advances display time by `wall_ms` at `speed`, stepping the events it
    /// passes (see [`playback::advance`]). `out_of_time` stops a frame early.
    pub fn advance(
        &mut self,
        wall_ms: f64,
        speed: f64,
        out_of_time: &dyn Fn() -> bool,
    ) -> Advanced {
        let display = self.display_us;
        let mut pace = self.pace;
        let mut d = RunDriver {
            run: self,
            out_of_time,
        };
        let a = playback::advance(&mut d, &mut pace, display, wall_ms, speed);
        self.pace = pace;
        self.display_us = a.display_us;
        a
    }

    /// Steps forward until `target` is hit (at most `max_steps` steps) and stays there; says
    /// what happened in words. Recorded steps ahead are replayed, new ones taken.
    pub fn run_to(&mut self, target: &Target, max_steps: u64) -> Found {
        let fault_step = targets::last_fault(&self.history, self.cursor());
        let start = self.cursor();
        let hopeless = target.slug == targets::FAULT_EFFECT.slug && fault_step.is_none();
        for _ in 0..if hopeless { 0 } else { max_steps } {
            if !self.step_quietly() {
                break;
            }
            let c = self.tl.cursor();
            let Some(rec) = self.tl.record(c) else { break };
            let probe = Probe {
                rec,
                history: &self.history,
                world: &self.tl.current().world,
                fault_step,
            };
            if let Some(node) = (target.hit)(&probe) {
                let names = Names::from_world(&self.tl.current().world);
                let text = format!(
                    "Ran to the {} ({} steps, {} later): {}",
                    target.label,
                    c - start,
                    quiet::fmt_span(rec.time_us.saturating_sub(self.display_us)),
                    self.history.narrate(rec, &names)
                );
                self.display_us = self.now_us();
                return Found {
                    target: target.slug,
                    step: c,
                    hit: true,
                    node,
                    text,
                };
            }
        }
        self.display_us = self.now_us();
        let why = if hopeless {
            "no fault has been given yet".to_string()
        } else {
            format!("not found in {} steps", self.cursor() - start)
        };
        Found {
            target: target.slug,
            step: self.cursor(),
            hit: false,
            node: None,
            text: format!(
                "The {}: {why}; stopped at step {}.",
                target.label,
                self.cursor()
            ),
        }
    }

    /// Reduced-motion playback: one step, shown at its own time.
    pub fn tick(&mut self) -> bool {
        self.step()
    }
}

struct RunDriver<'a> {
    run: &'a mut Run,
    out_of_time: &'a dyn Fn() -> bool,
}

impl Driver for RunDriver<'_> {
    fn now_us(&self) -> TimeUs {
        self.run.now_us()
    }
    fn next_event_us(&self) -> Option<TimeUs> {
        self.run.tl.current().world.next_event_us()
    }
    fn busy(&self) -> bool {
        self.run.busy()
    }
    fn step(&mut self) -> bool {
        self.run.step_quietly()
    }
    fn was_quiet(&self) -> bool {
        self.run.step_was_quiet()
    }
    fn out_of_time(&self) -> bool {
        (self.out_of_time)()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::NodeId;
    use crate::view::scene::Scene;

    fn heartbeat() -> RunSpec {
        RunSpec {
            scenario: "heartbeat".into(),
            seed: 9,
            servers: Some(4),
        }
    }

    #[test]
    fn a_url_rebuilds_the_same_picture() {
        let mut run = Run::new(heartbeat()).unwrap();
        run.seek(40);
        run.inject(Input::Crash(NodeId(2)));
        run.seek(80);
        run.inject(Input::Partition(vec![
            vec![NodeId(0)],
            vec![NodeId(1), NodeId(3)],
        ]));
        run.seek(120);
        let q = url::encode(&run.url_state(crate::view::state::EVENTS));
        assert!(q.contains("i=40:crash:2,80:part:0-1.3"), "{q}");
        let decoded = url::decode(&q, &scenario_names());
        assert!(decoded.problems.is_empty());
        let (again, problems) = Run::from_url(&decoded.state);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(again.cursor(), 120);
        assert_eq!(again.frame().scene, run.frame().scene);
        assert_eq!(again.history().markers(), run.history().markers());
    }

    #[test]
    fn stepping_back_restores_the_previous_picture() {
        let mut run = Run::new(heartbeat()).unwrap();
        run.seek(30);
        let before = run.frame().scene;
        assert!(run.step());
        assert_ne!(run.frame().scene, before);
        assert!(run.back());
        // Only the end of the scrubber moved: the step ahead is now recorded.
        let after = run.frame().scene;
        assert_eq!(after.len, before.len + 1);
        assert_eq!(
            Scene {
                len: before.len,
                ..after
            },
            before
        );
    }

    #[test]
    fn an_input_in_the_past_forks_and_forgets_the_old_future() {
        let mut run = Run::new(heartbeat()).unwrap();
        run.seek(50);
        run.inject(Input::Crash(NodeId(1)));
        run.seek(100);
        assert_eq!(run.history().markers().len(), 1);
        run.seek(20);
        run.inject(Input::Heal);
        assert_eq!(run.len(), 21);
        assert_eq!(run.history().markers().len(), 1);
        assert_eq!(run.history().markers()[0].step, 21);
        assert_eq!(run.timeline().inputs().len(), 1);
    }

    #[test]
    fn a_broken_url_falls_back_and_says_why() {
        let st = UrlState {
            inputs: vec![(5, Input::Crash(NodeId(40)))],
            ..UrlState::default()
        };
        let (run, problems) = Run::from_url(&st);
        assert_eq!(problems.len(), 1);
        assert!(run.timeline().inputs().is_empty());
        let st = UrlState {
            scenario: "no-such".into(),
            ..UrlState::default()
        };
        let (run, problems) = Run::from_url(&st);
        assert_eq!(problems.len(), 1);
        assert_eq!(run.spec().scenario, url::HOME_SCENARIO);
    }

    #[test]
    fn playback_moves_display_time_and_steps() {
        let mut run = Run::new(heartbeat()).unwrap();
        let mut steps = 0;
        for _ in 0..200 {
            let a = run.advance(16.0, 0.01, &|| false);
            steps += a.steps;
            assert!(run.display_us() >= run.now_us());
        }
        assert!(steps > 10, "{steps} steps in 200 frames");
        assert_eq!(run.cursor(), run.history().observed());
    }
}
