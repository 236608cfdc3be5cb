//! Playback: how display time advances with wall time, and when the simulation steps.
//!
//! Display time runs at `speed` simulated seconds per wall second (from 1/10 000 up to
//! 1000×), and every event whose time it passes is stepped, so dots glide between sender and
//! receiver whatever the number of steps. A frame takes at most [`MAX_STEPS_PER_FRAME`] steps
//! (and stops early when the UI says its time is spent): at high speed the picture falls
//! behind rather than freezing the page.
//!
//! With "skip quiet time" on ([`Pace::skip`]), whenever nothing but heartbeats is on the wire
//! the planner *jumps*: it steps through quiet steps (timers and pings that change nothing,
//! see [`super::quiet`]) without drawing them, and stops on the next notable step, shown at
//! its own time. The history marks such a step with how long was skipped. A jump that lands
//! on a step which sent nothing is followed by a short dwell, so it can be read. With skipping off,
//! time is purely proportional. Either way the steps taken are the same ones: only what is
//! drawn changes. With reduced motion there is no gliding: one event per tick.
//!
//! The planner talks to the simulation through [`Driver`], so it is tested without one.

use crate::sim::TimeUs;

/// Most steps in one animation frame (the UI also stops early when out of time).
pub const MAX_STEPS_PER_FRAME: u32 = 2_000;
/// Wall time between steps with reduced motion, at the default speed.
pub const REDUCED_MOTION_STEP_MS: f64 = 700.0;
/// Wall time shown in proportional time after a jump before the next one.
pub const JUMP_DWELL_MS: f64 = 100.0;
/// Most simulated time one jump skips when nothing notable comes (an idle cluster).
pub const MAX_JUMP_US: TimeUs = 60_000_000;

/// What the planner needs from the simulation.
pub trait Driver {
    /// Simulated time of the last step.
    fn now_us(&self) -> TimeUs;
    /// Due time of the next event, if anything is left to happen.
    fn next_event_us(&self) -> Option<TimeUs>;
    /// Whether a message worth watching (not a heartbeat) is moving on the wire.
    fn busy(&self) -> bool;
    /// Takes one step; `false` if nothing was left.
    fn step(&mut self) -> bool;
    /// Whether the step just taken was quiet.
    fn was_quiet(&self) -> bool;
    /// Whether this frame's time budget is spent.
    fn out_of_time(&self) -> bool {
        false
    }
}

/// How playback treats quiet time, kept across frames.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Pace {
    /// Skip quiet time.
    pub skip: bool,
    /// Wall time left before the next jump may start.
    pub dwell_ms: f64,
}

impl Default for Pace {
    fn default() -> Self {
        Pace {
            skip: true,
            dwell_ms: 0.0,
        }
    }
}

/// What one frame did.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Advanced {
    /// The new display time.
    pub display_us: TimeUs,
    /// Steps taken.
    pub steps: u32,
    /// Nothing is left to happen.
    pub ended: bool,
    /// Quiet time was skipped.
    pub jumped: bool,
}

fn out(display_us: TimeUs, steps: u32, ended: bool, jumped: bool) -> Advanced {
    Advanced {
        display_us,
        steps,
        ended,
        jumped,
    }
}

/// Advances display time by `wall_ms` at `speed` (simulated s per wall s), stepping every
/// event it passes, and jumping over quiet time if `pace.skip`.
pub fn advance(
    d: &mut dyn Driver,
    pace: &mut Pace,
    display_us: TimeUs,
    wall_ms: f64,
    speed: f64,
) -> Advanced {
    let display_us = display_us.max(d.now_us());
    pace.dwell_ms = (pace.dwell_ms - wall_ms.max(0.0)).max(0.0);
    if pace.skip && pace.dwell_ms <= 0.0 && !d.busy() && d.next_event_us().is_some() {
        return jump(d, pace);
    }
    let budget = (wall_ms.max(0.0) * 1000.0 * speed).round() as TimeUs;
    let target = display_us.saturating_add(budget);
    let mut steps = 0;
    loop {
        let Some(next) = d.next_event_us() else {
            return out(target, steps, true, false);
        };
        if next > target {
            return out(target, steps, false, false);
        }
        if steps >= MAX_STEPS_PER_FRAME || d.out_of_time() {
            // Fall behind rather than freeze: show what we have at the last event.
            return out(d.now_us(), steps, false, false);
        }
        if !d.step() {
            return out(target, steps, true, false);
        }
        steps += 1;
    }
}

/// Steps through quiet steps up to the next notable one (or the frame's limits).
fn jump(d: &mut dyn Driver, pace: &mut Pace) -> Advanced {
    let from = d.now_us();
    let mut steps = 0;
    loop {
        if !d.step() {
            return out(d.now_us(), steps, true, steps > 0);
        }
        steps += 1;
        if !d.was_quiet() || d.now_us().saturating_sub(from) >= MAX_JUMP_US {
            // Let the step jumped to be seen when it started nothing to watch.
            pace.dwell_ms = if d.busy() { 0.0 } else { JUMP_DWELL_MS };
            return out(d.now_us(), steps, false, true);
        }
        if steps >= MAX_STEPS_PER_FRAME || d.out_of_time() {
            // Go on jumping next frame.
            return out(d.now_us(), steps, false, true);
        }
    }
}

/// With reduced motion: whether `since_ms` of wall time since the last step is enough for
/// the next one at `speed`.
pub fn reduced_motion_due(since_ms: f64, speed: f64) -> bool {
    let interval = (REDUCED_MOTION_STEP_MS * 0.01 / speed.max(1e-9)).clamp(16.0, 3_000.0);
    since_ms >= interval
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Events at fixed times; event `i` is quiet if `quiet[i]`; "busy" while a message is
    /// in flight, before `busy_until`.
    struct Fake {
        events: Vec<TimeUs>,
        quiet: Vec<bool>,
        next: usize,
        now: TimeUs,
        busy_until: TimeUs,
    }

    impl Driver for Fake {
        fn now_us(&self) -> TimeUs {
            self.now
        }
        fn next_event_us(&self) -> Option<TimeUs> {
            self.events.get(self.next).copied()
        }
        fn busy(&self) -> bool {
            self.now < self.busy_until
        }
        fn step(&mut self) -> bool {
            match self.events.get(self.next) {
                Some(t) => {
                    self.now = *t;
                    self.next += 1;
                    true
                }
                None => false,
            }
        }
        fn was_quiet(&self) -> bool {
            self.next > 0 && self.quiet.get(self.next - 1).copied().unwrap_or(false)
        }
    }

    fn fake(events: &[TimeUs], busy_until: TimeUs) -> Fake {
        Fake {
            events: events.to_vec(),
            quiet: vec![false; events.len()],
            next: 0,
            now: 0,
            busy_until,
        }
    }

    fn proportional() -> Pace {
        Pace {
            skip: false,
            dwell_ms: 0.0,
        }
    }

    #[test]
    fn display_time_runs_at_speed_and_steps_the_events_it_passes() {
        let mut f = fake(&[1_000, 3_000, 50_000], 60_000);
        let mut p = proportional();
        // 100 ms of wall time at 1/50 speed = 2 ms of simulated time.
        let a = advance(&mut f, &mut p, 0, 100.0, 0.02);
        assert_eq!(a, out(2_000, 1, false, false));
        let a = advance(&mut f, &mut p, a.display_us, 100.0, 0.02);
        assert_eq!(a, out(4_000, 1, false, false));
    }

    #[test]
    fn with_skipping_off_quiet_time_passes_at_speed() {
        let mut f = fake(&[1_000, 1_001_000], 1_000);
        let mut p = proportional();
        let a = advance(&mut f, &mut p, 0, 100.0, 0.02);
        let a = advance(&mut f, &mut p, a.display_us, 16.0, 0.02);
        assert_eq!(a, out(2_320, 0, false, false));
    }

    #[test]
    fn quiet_steps_are_jumped_over_to_the_next_notable_one() {
        // Pings at 1 s and 2 s (quiet), a timeout at 9.8 s, nothing on the wire.
        let mut f = fake(&[1_000_000, 2_000_000, 9_800_000, 9_801_000], 0);
        f.quiet = vec![true, true, false, false];
        let mut p = Pace::default();
        let a = advance(&mut f, &mut p, 0, 16.0, 0.01);
        assert_eq!(a, out(9_800_000, 3, false, true));
        // Then a dwell in proportional time: 16 ms at 1/100 is 160 µs.
        assert_eq!(p.dwell_ms, JUMP_DWELL_MS);
        let a = advance(&mut f, &mut p, a.display_us, 16.0, 0.01);
        assert_eq!(a, out(9_800_160, 0, false, false));
    }

    #[test]
    fn no_jump_while_messages_worth_watching_fly() {
        let mut f = fake(&[1_000, 1_001_000], 2_000_000);
        assert!(f.step());
        let a = advance(&mut f, &mut Pace::default(), 1_000, 16.0, 0.02);
        assert_eq!(a.steps, 0);
        assert_eq!(a.display_us, 1_320);
    }

    #[test]
    fn an_idle_run_jumps_a_bounded_time_at_once() {
        let events: Vec<TimeUs> = (1..=200).map(|s| s * 1_000_000).collect();
        let mut f = fake(&events, 0);
        f.quiet = vec![true; events.len()];
        let a = advance(&mut f, &mut Pace::default(), 0, 16.0, 0.01);
        assert!(a.jumped);
        assert_eq!(a.display_us, MAX_JUMP_US);
    }

    #[test]
    fn the_end_is_reported() {
        let mut f = fake(&[5], 0);
        let a = advance(&mut f, &mut proportional(), 0, 1_000.0, 1.0);
        assert!(a.ended);
        assert_eq!(a.steps, 1);
    }

    #[test]
    fn a_frame_takes_a_bounded_number_of_steps() {
        let events: Vec<TimeUs> = (1..=10_000).collect();
        let mut f = fake(&events, TimeUs::MAX);
        let a = advance(&mut f, &mut Pace::default(), 0, 1_000.0, 1000.0);
        assert_eq!(a.steps, MAX_STEPS_PER_FRAME);
        assert_eq!(a.display_us, MAX_STEPS_PER_FRAME as TimeUs);
    }

    #[test]
    fn reduced_motion_steps_on_a_slow_beat() {
        assert!(!reduced_motion_due(100.0, 0.01));
        assert!(reduced_motion_due(700.0, 0.01));
        assert!(reduced_motion_due(16.0, 1.0));
    }
}
