//! Frame-time bookkeeping: how long each animation frame spent advancing the simulation and
//! rendering, over the last [`WINDOW`] frames, published as `window.__zooscopeFrameStats`.

use super::dom;

/// Frames remembered.
pub const WINDOW: usize = 120;

/// Recent frame durations, in a ring.
#[derive(Debug)]
pub struct FrameStats {
    durations_ms: [f64; WINDOW],
    steps: [u32; WINDOW],
    frames: usize,
}

impl Default for FrameStats {
    fn default() -> Self {
        FrameStats {
            durations_ms: [0.0; WINDOW],
            steps: [0; WINDOW],
            frames: 0,
        }
    }
}

impl FrameStats {
    /// Records one frame and republishes the figures every few frames.
    pub fn record(&mut self, ms: f64, steps: u32) {
        let i = self.frames % WINDOW;
        self.durations_ms[i] = ms;
        self.steps[i] = steps;
        self.frames += 1;
        if self.frames % 10 == 0 || self.frames < 10 {
            self.publish();
        }
    }

    fn publish(&self) {
        let n = self.frames.min(WINDOW);
        // Insertion sort of at most WINDOW values: tiny code, no sort instantiation.
        let mut d: Vec<f64> = Vec::with_capacity(n);
        for &v in &self.durations_ms[..n] {
            let at = d.partition_point(|x| *x <= v);
            d.insert(at, v);
        }
        let pick = |q: f64| {
            d.get(((n as f64 - 1.0) * q).round() as usize)
                .copied()
                .unwrap_or(0.0)
        };
        let steps = self.steps[..n].iter().map(|s| f64::from(*s)).sum::<f64>() / n.max(1) as f64;
        dom::publish_frame_stats(self.frames, pick(0.5), pick(0.95), pick(1.0), steps);
    }
}
