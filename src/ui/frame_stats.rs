//! Frame-time bookkeeping: how long each animation frame spent advancing the simulation and
//! rendering, over the last [`WINDOW`] frames, published as `window.__zooscopeFrameStats`.

use std::collections::VecDeque;

use super::dom;

/// Frames remembered.
pub const WINDOW: usize = 120;

/// Recent frame durations.
#[derive(Debug, Default)]
pub struct FrameStats {
    durations_ms: VecDeque<f64>,
    steps: VecDeque<u32>,
    frames: usize,
}

impl FrameStats {
    /// Records one frame and republishes the figures every few frames.
    pub fn record(&mut self, ms: f64, steps: u32) {
        if self.durations_ms.len() == WINDOW {
            self.durations_ms.pop_front();
            self.steps.pop_front();
        }
        self.durations_ms.push_back(ms);
        self.steps.push_back(steps);
        self.frames += 1;
        if self.frames % 10 == 0 || self.frames < 10 {
            self.publish();
        }
    }

    fn publish(&self) {
        // Insertion sort of at most WINDOW values: tiny code, no sort instantiation.
        let mut d: Vec<f64> = Vec::with_capacity(self.durations_ms.len());
        for &v in &self.durations_ms {
            let at = d.partition_point(|x| *x <= v);
            d.insert(at, v);
        }
        let pick = |q: f64| {
            d.get(((d.len() as f64 - 1.0) * q).round() as usize)
                .copied()
                .unwrap_or(0.0)
        };
        let steps =
            self.steps.iter().map(|s| f64::from(*s)).sum::<f64>() / self.steps.len().max(1) as f64;
        dom::publish_frame_stats(self.frames, pick(0.5), pick(0.95), pick(1.0), steps);
    }
}
