//! Quiet time: which steps show nothing worth waiting for, and how a span of simulated time
//! reads in words.
//!
//! A step is *quiet* when it is a timer firing or a heartbeat arriving (or being lost) that
//! sends nothing but heartbeats, changes no node's role and finds no violation: a leader's
//! tick, a ping and its answer, a session check that expired nothing. Everything else is
//! *notable*. Playback with "skip quiet time" on steps through quiet steps without drawing
//! them (see [`super::playback`]); the history marks every notable step that followed a long
//! quiet stretch with a gap ("⏩ 9.8 s later: zk1's read timeout fires"), so what was skipped
//! is always said. Only what is drawn changes: the steps themselves are the same.

use crate::cluster::{Msg, Record};
use crate::sim::{EventRecord, TimeUs};

use super::categories::PING;
use super::protocols;

/// Quiet stretches at least this long before a notable step are marked as gaps.
pub const GAP_MIN_US: TimeUs = 50_000;
/// Gaps at least this long are drawn as breaks on the timeline.
pub const BREAK_MIN_US: TimeUs = 1_000_000;

fn ping(m: &Msg) -> bool {
    protocols::category_of(m) == PING
}

/// Whether a step is quiet. `role_changed`: whether it changed some node's role.
pub fn is_quiet(rec: &Record, role_changed: bool) -> bool {
    if role_changed || !rec.violations.is_empty() {
        return false;
    }
    let event = match &rec.event {
        EventRecord::Timer { .. } => true,
        EventRecord::Deliver { msg, .. } | EventRecord::Lost { msg, .. } => ping(msg),
        _ => false,
    };
    event && rec.sends.iter().all(|s| ping(&s.msg))
}

/// Whether a message on the wire is worth watching (not a heartbeat).
pub fn is_busy_msg(m: &Msg) -> bool {
    !ping(m)
}

/// A span of simulated time in words: `850 µs`, `4 ms`, `2.5 ms`, `9.8 s`, `12 min`,
/// `2.5 h` (at most one decimal, none from 10 up). Integer arithmetic only.
pub fn fmt_span(us: TimeUs) -> String {
    const UNITS: [(TimeUs, &str); 4] = [
        (1_000, "ms"),
        (1_000_000, "s"),
        (60_000_000, "min"),
        (3_600_000_000, "h"),
    ];
    let (unit, name) = UNITS
        .iter()
        .rev()
        .find(|(u, _)| us >= *u)
        .copied()
        .unwrap_or((1, "µs"));
    let t = (us * 10 + unit / 2) / unit;
    let t = if t >= 100 { (t + 5) / 10 * 10 } else { t };
    match t % 10 {
        0 => format!("{} {name}", t / 10),
        r => format!("{}.{r} {name}", t / 10),
    }
}

/// The gap sentence: `⏩ 9.8 s later: zk1's read timeout fires`.
pub fn gap_sentence(span_us: TimeUs, what: &str) -> String {
    let what = what.trim_end_matches('.');
    format!("⏩ {} later: {what}", fmt_span(span_us))
}

/// Closest two labelled breaks may sit on the timeline, in thousandths of its length.
pub const BREAK_LABEL_GAP: u64 = 120;

/// Which breaks, at these positions along the timeline (thousandths, in order), get their
/// time written beside the mark: a break closer than [`BREAK_LABEL_GAP`] to the last
/// labelled one keeps only its mark (its time is in its tooltip), so labels never crowd.
pub fn labelled_breaks(at: &[u64]) -> Vec<bool> {
    let mut last: Option<u64> = None;
    at.iter()
        .map(|&p| {
            let room = last.is_none_or(|l| p >= l + BREAK_LABEL_GAP);
            if room {
                last = Some(p);
            }
            room
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn breaks_close_together_keep_only_the_first_label() {
        assert_eq!(
            labelled_breaks(&[0, 50, 119, 120, 500, 610, 630, 1000]),
            [true, false, false, true, true, false, true, true]
        );
        assert!(labelled_breaks(&[]).is_empty());
    }

    #[test]
    fn spans_read_in_the_unit_a_person_would_use() {
        assert_eq!(fmt_span(850), "850 µs");
        assert_eq!(fmt_span(4_000), "4 ms");
        assert_eq!(fmt_span(2_500), "2.5 ms");
        assert_eq!(fmt_span(250_000), "250 ms");
        assert_eq!(fmt_span(9_800_000), "9.8 s");
        assert_eq!(fmt_span(10_000_000), "10 s");
        assert_eq!(fmt_span(16_700_000), "17 s");
        assert_eq!(fmt_span(723_000_000), "12 min");
        assert_eq!(fmt_span(90_000_000), "1.5 min");
        assert_eq!(fmt_span(1_000_000_000), "17 min");
        assert_eq!(fmt_span(9_000_000_000), "2.5 h");
        assert_eq!(
            gap_sentence(9_800_000, "zk1's read timeout fires."),
            "⏩ 9.8 s later: zk1's read timeout fires"
        );
    }
}
