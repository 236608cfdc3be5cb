//! Playback: how display time advances with wall time, and when the simulation steps.
//!
//! Display time runs at `speed` simulated seconds per wall second, and every event whose time
//! it passes is stepped, so dots glide between sender and receiver whatever the number of
//! steps. When nothing is moving on the wire and the next event is far away in wall time
//! (pings every second, election timeouts), display time jumps straight to it so idle gaps do
//! not stall the show. With reduced motion there is no gliding: one event per tick, each
//! shown where it is.
//!
//! The planner talks to the simulation through [`Driver`], so it is tested without one.

use crate::sim::TimeUs;

/// A gap longer than this in wall time, with nothing moving, is skipped.
pub const IDLE_SKIP_WALL_MS: f64 = 250.0;
/// Most steps in one animation frame (the UI also stops early when out of time).
pub const MAX_STEPS_PER_FRAME: u32 = 2_000;
/// Wall time between steps with reduced motion, at the default speed.
pub const REDUCED_MOTION_STEP_MS: f64 = 700.0;

/// What the planner needs from the simulation.
pub trait Driver {
    /// Simulated time of the last step.
    fn now_us(&self) -> TimeUs;
    /// Due time of the next event, if anything is left to happen.
    fn next_event_us(&self) -> Option<TimeUs>;
    /// Whether any message is moving on the wire (not held).
    fn moving(&self) -> bool;
    /// Takes one step; `false` if nothing was left.
    fn step(&mut self) -> bool;
    /// Whether this frame's time budget is spent.
    fn out_of_time(&self) -> bool {
        false
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
}

/// Advances display time by `wall_ms` at `speed` (simulated s per wall s), stepping every
/// event it passes, and skipping idle gaps.
pub fn advance(d: &mut dyn Driver, display_us: TimeUs, wall_ms: f64, speed: f64) -> Advanced {
    let display_us = display_us.max(d.now_us());
    let budget = (wall_ms.max(0.0) * 1000.0 * speed).round() as TimeUs;
    let target = display_us.saturating_add(budget);
    let mut steps = 0;
    loop {
        let Some(next) = d.next_event_us() else {
            return Advanced {
                display_us: target,
                steps,
                ended: true,
            };
        };
        if next <= target {
            if steps >= MAX_STEPS_PER_FRAME || d.out_of_time() {
                // Fall behind rather than freeze: show what we have at the last event.
                return Advanced {
                    display_us: d.now_us(),
                    steps,
                    ended: false,
                };
            }
            if !d.step() {
                return Advanced {
                    display_us: target,
                    steps,
                    ended: true,
                };
            }
            steps += 1;
            continue;
        }
        let gap_wall_ms = (next - target) as f64 / 1000.0 / speed.max(1e-9);
        if steps == 0 && !d.moving() && gap_wall_ms > IDLE_SKIP_WALL_MS {
            // Nothing to watch until then: jump to the next event and show it.
            let ended = !d.step();
            return Advanced {
                display_us: d.now_us(),
                steps: u32::from(!ended),
                ended,
            };
        }
        return Advanced {
            display_us: target,
            steps,
            ended: false,
        };
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

    /// Events at fixed times; `moving` while a message is "in flight" between pairs.
    struct Fake {
        events: Vec<TimeUs>,
        next: usize,
        now: TimeUs,
        moving_until: TimeUs,
    }

    impl Driver for Fake {
        fn now_us(&self) -> TimeUs {
            self.now
        }
        fn next_event_us(&self) -> Option<TimeUs> {
            self.events.get(self.next).copied()
        }
        fn moving(&self) -> bool {
            self.now < self.moving_until
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
    }

    fn fake(events: &[TimeUs], moving_until: TimeUs) -> Fake {
        Fake {
            events: events.to_vec(),
            next: 0,
            now: 0,
            moving_until,
        }
    }

    #[test]
    fn display_time_runs_at_speed_and_steps_the_events_it_passes() {
        let mut f = fake(&[1_000, 3_000, 50_000], 60_000);
        // 100 ms of wall time at 1/50 speed = 2 ms of simulated time.
        let a = advance(&mut f, 0, 100.0, 0.02);
        assert_eq!(
            a,
            Advanced {
                display_us: 2_000,
                steps: 1,
                ended: false
            }
        );
        let a = advance(&mut f, a.display_us, 100.0, 0.02);
        assert_eq!(
            a,
            Advanced {
                display_us: 4_000,
                steps: 1,
                ended: false
            }
        );
    }

    #[test]
    fn idle_gaps_are_skipped_when_nothing_moves() {
        // Nothing in flight after 1 ms; the next event is a second away.
        let mut f = fake(&[1_000, 1_001_000], 1_000);
        let a = advance(&mut f, 0, 100.0, 0.02);
        assert_eq!(a.steps, 1);
        let a = advance(&mut f, a.display_us, 16.0, 0.02);
        assert_eq!(
            a,
            Advanced {
                display_us: 1_001_000,
                steps: 1,
                ended: false
            }
        );
    }

    #[test]
    fn gaps_are_not_skipped_while_messages_fly() {
        let mut f = fake(&[1_000, 1_001_000], 2_000_000);
        assert!(f.step());
        let a = advance(&mut f, 1_000, 16.0, 0.02);
        assert_eq!(a.steps, 0);
        assert_eq!(a.display_us, 1_320);
    }

    #[test]
    fn the_end_is_reported() {
        let mut f = fake(&[5], 0);
        let a = advance(&mut f, 0, 1_000.0, 1.0);
        assert!(a.ended);
        assert_eq!(a.steps, 1);
    }

    #[test]
    fn a_frame_takes_a_bounded_number_of_steps() {
        let events: Vec<TimeUs> = (1..=10_000).collect();
        let mut f = fake(&events, TimeUs::MAX);
        let a = advance(&mut f, 0, 1_000.0, 1.0);
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
