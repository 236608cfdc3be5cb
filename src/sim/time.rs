//! Simulated time: integer microseconds since the start of the run.
//!
//! Real systems use wall clocks and monotonic timers; the simulator has one global clock that
//! only the event queue advances, so a run never depends on how fast the host is.

/// Simulated time or duration in microseconds.
pub type TimeUs = u64;

/// Microseconds in one millisecond.
pub const MS: TimeUs = 1_000;
/// Microseconds in one second.
pub const SEC: TimeUs = 1_000_000;

/// Formats a time as seconds with millisecond precision, e.g. `12.345s`.
pub fn fmt_time(t: TimeUs) -> String {
    format!("{}.{:03}s", t / SEC, (t % SEC) / MS)
}

/// Formats a time with full microsecond precision, e.g. `12.345678s` (used in traces).
pub fn fmt_time_us(t: TimeUs) -> String {
    format!("{}.{:06}s", t / SEC, t % SEC)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_seconds_and_millis() {
        assert_eq!(fmt_time(12_345_678), "12.345s");
        assert_eq!(fmt_time_us(12_345_678), "12.345678s");
        assert_eq!(fmt_time(0), "0.000s");
    }
}
