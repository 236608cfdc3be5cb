//! The event log: one row per step up to the current one, newest first, with the step
//! number, simulated time, the node whose handler ran, the traffic category and the
//! narration. Filters keep the rows of one node and/or one category. Rows are built for a
//! window only (the newest [`MAX_ROWS`] matches, scanning at most [`MAX_SCAN`] records), so
//! a long run costs the same as a short one.

use crate::cluster::{Msg, Record, Timer};
use crate::sim::time::fmt_time;
use crate::sim::{EventRecord, Input, NodeId};
use crate::zk::{self, msg::Category};

use super::dots::category_of;
use super::history::History;
use super::names::Names;

/// Most rows built.
pub const MAX_ROWS: usize = 150;
/// Most records looked at when a filter matches rarely.
pub const MAX_SCAN: usize = 20_000;

/// Which rows to keep.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EventFilter {
    pub node: Option<NodeId>,
    pub category: Option<Category>,
}

/// One step in the log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventRow {
    pub step: u64,
    pub time: String,
    /// Label of the node the step is about.
    pub node: Option<String>,
    pub category: Option<Category>,
    /// `deliver`, `lost`, `timer`, `start`, `input`.
    pub event: &'static str,
    pub text: String,
    /// The current step.
    pub current: bool,
    pub violation: bool,
}

/// The category of a step: its message's, a timer's protocol role, or `control` for inputs.
pub fn record_category(rec: &Record) -> Option<Category> {
    match &rec.event {
        EventRecord::Deliver { msg, .. } | EventRecord::Lost { msg, .. } => Some(category_of(msg)),
        EventRecord::Input(_) => Some(Category::Control),
        EventRecord::Start { .. } => None,
        EventRecord::Timer { timer, .. } => match timer {
            Timer::Heartbeat(_) => Some(Category::Ping),
            Timer::Zk(t) => match t {
                zk::Timer::ElectionPoll | zk::Timer::FinalizeWait => Some(Category::Election),
                zk::Timer::LeaderInitLimit => Some(Category::Discovery),
                zk::Timer::LeaderTick
                | zk::Timer::LearnerReadTimeout
                | zk::Timer::LearnerHandlerReadTimeout(_) => Some(Category::Ping),
                zk::Timer::LearnerConnect => Some(Category::Discovery),
                zk::Timer::SessionExpiry => Some(Category::Control),
                zk::Timer::Client(_) => Some(Category::ClientRequest),
            },
        },
    }
}

/// The node a step is about: the handler's node, else the sender of a lost message.
pub fn record_node(rec: &Record) -> Option<NodeId> {
    match &rec.event {
        EventRecord::Lost { dst, .. } => Some(*dst),
        _ => rec.actor(),
    }
}

/// Whether the step involves `node` at all (handler, sender, or named by an input).
fn involves(rec: &Record, node: NodeId) -> bool {
    match &rec.event {
        EventRecord::Deliver { src, dst, .. } | EventRecord::Lost { src, dst, .. } => {
            *src == node || *dst == node
        }
        EventRecord::Input(Input::Partition(groups)) => groups.iter().any(|g| g.contains(&node)),
        EventRecord::Input(Input::CutLink(a, b) | Input::HealLink(a, b)) => {
            *a == node || *b == node
        }
        _ => rec.actor() == Some(node),
    }
}

/// Whether a step passes the filter.
pub fn matches(rec: &Record, f: &EventFilter) -> bool {
    f.node.is_none_or(|n| involves(rec, n))
        && f.category.is_none_or(|c| record_category(rec) == Some(c))
}

fn event_word(rec: &Record) -> &'static str {
    match &rec.event {
        EventRecord::Start { .. } => "start",
        EventRecord::Deliver { msg, .. } => match msg {
            Msg::Zk(zk::Msg::Control(_)) => "input",
            _ => "deliver",
        },
        EventRecord::Lost { .. } => "lost",
        EventRecord::Timer { .. } => "timer",
        EventRecord::Input(_) => "input",
    }
}

/// Rows for the steps up to `cursor`, newest first. `record(n)` gives the record of step `n`
/// (1-based) if it is kept.
pub fn event_rows<'a>(
    record: &dyn Fn(u64) -> Option<&'a Record>,
    floor: u64,
    cursor: u64,
    filter: &EventFilter,
    names: &Names,
    history: &History,
) -> Vec<EventRow> {
    let mut rows = Vec::new();
    let mut n = cursor;
    let mut scanned = 0;
    while n > floor && rows.len() < MAX_ROWS && scanned < MAX_SCAN {
        scanned += 1;
        if let Some(rec) = record(n) {
            if matches(rec, filter) {
                rows.push(EventRow {
                    step: rec.step,
                    time: fmt_time(rec.time_us),
                    node: record_node(rec).map(|id| names.label(id).to_string()),
                    category: record_category(rec),
                    event: event_word(rec),
                    text: history.narrate(rec, names),
                    current: rec.step == cursor,
                    violation: !rec.violations.is_empty(),
                });
            }
        }
        n -= 1;
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::{build, BuildOptions, ClusterTimeline};
    use crate::sim::TimelineLimits;

    fn run(steps: u64) -> ClusterTimeline {
        let sim = build(
            "heartbeat",
            &BuildOptions {
                servers: Some(3),
                ..BuildOptions::seed(3)
            },
        )
        .unwrap();
        let mut tl = ClusterTimeline::new(sim, TimelineLimits::default());
        tl.seek(steps);
        tl
    }

    #[test]
    fn rows_are_newest_first_and_stop_at_the_cursor() {
        let tl = run(40);
        let names = Names::from_world(&tl.current().world);
        let rec = |n| tl.record(n);
        let rows = event_rows(
            &rec,
            tl.floor(),
            30,
            &EventFilter::default(),
            &names,
            &History::default(),
        );
        assert_eq!(rows.len(), 30);
        assert_eq!(rows[0].step, 30);
        assert!(rows[0].current);
        assert_eq!(rows[29].step, 1);
        assert!(rows.iter().all(|r| !r.text.is_empty()));
        assert_eq!(rows[29].event, "start");
    }

    #[test]
    fn filters_keep_one_node_or_one_category() {
        let tl = run(200);
        let names = Names::from_world(&tl.current().world);
        let rec = |n| tl.record(n);
        let m2 = names.find("m2").unwrap();
        let f = EventFilter {
            node: Some(m2),
            category: None,
        };
        let rows = event_rows(&rec, 0, 200, &f, &names, &History::default());
        assert!(!rows.is_empty() && rows.len() < 200);
        // The heartbeat protocol's own notes name peers by node id (`n1`).
        assert!(
            rows.iter()
                .all(|r| r.text.contains("m2") || r.text.contains("n1")),
            "{rows:#?}"
        );
        let f = EventFilter {
            node: None,
            category: Some(Category::Election),
        };
        assert!(event_rows(&rec, 0, 200, &f, &names, &History::default()).is_empty());
    }
}
