//! A one-line progress bar for sweeps, redrawn in place with `\r` on stderr.
//!
//! Drawn only when stderr is a terminal, so CI logs and redirected output stay free of
//! carriage returns; the final summary goes to stdout either way.

use std::io::{IsTerminal, Write};
use std::sync::Mutex;

use zooscope::cluster::runner::SweepProgress;

const WIDTH: u64 = 30;

/// A progress bar that draws itself only on a terminal.
pub struct ProgressBar {
    enabled: bool,
    last_drawn: Mutex<Option<u64>>,
}

impl ProgressBar {
    /// A bar on stderr, enabled when stderr is a terminal.
    pub fn stderr() -> Self {
        Self {
            enabled: std::io::stderr().is_terminal(),
            last_drawn: Mutex::new(None),
        }
    }

    /// Redraws the bar if its text changed enough to matter.
    pub fn update(&self, p: SweepProgress) {
        if !self.enabled {
            return;
        }
        let mut last = self.last_drawn.lock().unwrap_or_else(|e| e.into_inner());
        // Redraw at most once per filled cell or failure count change, and at the end.
        let key = p.done * WIDTH / p.total.max(1) + p.failing * (WIDTH + 1);
        if *last == Some(key) && p.done < p.total {
            return;
        }
        *last = Some(key);
        let _ = write!(std::io::stderr().lock(), "\r{}", line(p));
    }

    /// Ends the bar's line.
    pub fn finish(&self) {
        if self.enabled && self.last_drawn.lock().is_ok_and(|l| l.is_some()) {
            let _ = writeln!(std::io::stderr().lock());
        }
    }
}

/// `[#####.....] 120/500 seeds, 0 failing`
pub fn line(p: SweepProgress) -> String {
    let filled = (p.done * WIDTH / p.total.max(1)) as usize;
    format!(
        "[{}{}] {}/{} seeds, {} failing",
        "#".repeat(filled),
        ".".repeat(WIDTH as usize - filled),
        p.done,
        p.total,
        p.failing
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bar_fills_in_proportion_to_the_seeds_done() {
        let p = SweepProgress {
            done: 120,
            total: 500,
            failing: 0,
        };
        assert_eq!(
            line(p),
            "[#######.......................] 120/500 seeds, 0 failing"
        );
    }
}
