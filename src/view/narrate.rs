//! Narration: one plain-language sentence per step, for the "what's happening now" line, the
//! `aria-live` region and the event log.
//!
//! The protocol's own notes (`record.notes`) come first: the protocol knows best why it did
//! something. Without notes the record is described from its event and the messages the
//! handler sent, in words its protocol's view folder chooses ("zk2 logs proposal
//! 0x200000003 (create /a) and ACKs it"); events no one knows fall back to the kernel's
//! `headline`.

use crate::cluster::{Msg, Record};
use crate::sim::{EventRecord, Input, Message, NodeId};

use super::names::Names;
use super::protocols;

/// The sentence for one step (without state transitions; see [`super::history`]).
pub fn describe(rec: &Record, names: &Names) -> String {
    if !rec.notes.is_empty() {
        let text = join_sentences(rec.notes.iter().map(String::as_str));
        // A client library's note ("connected: session 0x…") does not say whose it is.
        return match rec.actor().map(|a| names.label(a)) {
            Some(who) if !text.contains(who) => format!("{who}: {text}"),
            _ => text,
        };
    }
    let mut s =
        describe_event(rec, names).unwrap_or_else(|| rec.headline(&|id| names.label_string(id)));
    if !rec.kernel_notes.is_empty() {
        s = format!("{} ({})", trim_stop(&s), rec.kernel_notes.join("; "));
    }
    finish(s)
}

/// Joins sentences, each ending with a full stop.
pub fn join_sentences<'a>(parts: impl Iterator<Item = &'a str>) -> String {
    let v: Vec<String> = parts
        .filter(|p| !p.trim().is_empty())
        .map(|p| finish(p.to_string()))
        .collect();
    v.join(" ")
}

fn finish(s: String) -> String {
    let s = s.trim_end();
    match s.chars().last() {
        Some('.' | '!' | '?') | None => s.to_string(),
        Some(_) => format!("{s}."),
    }
}

fn trim_stop(s: &str) -> &str {
    s.trim_end().trim_end_matches('.')
}

fn describe_event(rec: &Record, names: &Names) -> Option<String> {
    let l = |id: NodeId| names.label(id);
    match &rec.event {
        EventRecord::Start { node } => Some(with_follow_up(
            rec,
            *node,
            format!("{} starts", l(*node)),
            names,
        )),
        EventRecord::Deliver { src, dst, msg, .. } => {
            Some(protocols::delivered(rec, *src, *dst, msg, names))
        }
        EventRecord::Lost {
            src,
            dst,
            msg,
            reason,
            ..
        } => Some(format!(
            "{}'s {} to {} is lost ({})",
            l(*src),
            msg.kind(),
            l(*dst),
            reason.describe()
        )),
        EventRecord::Timer { node, timer } => Some(with_follow_up(
            rec,
            *node,
            format!(
                "{}'s {} timer fires",
                l(*node),
                protocols::timer_words(timer)
            ),
            names,
        )),
        EventRecord::Input(input) => Some(input_applied(input, names)),
    }
}

/// `base`, and what the node's protocol says followed from it ("… and votes for zk3").
fn with_follow_up(rec: &Record, node: NodeId, base: String, names: &Names) -> String {
    match protocols::follow_up(rec, node, names) {
        Some(v) => format!("{base} and {v}"),
        None => base,
    }
}

fn input_applied(input: &Input<Msg>, names: &Names) -> String {
    let l = |id: &NodeId| names.label(*id).to_string();
    if let Some(s) = protocols::input_sentence(input, names) {
        return s;
    }
    match input {
        Input::Crash(n) => format!("{} crashes", l(n)),
        Input::Restart(n) => format!("{} restarts from what it had on disk", l(n)),
        Input::Start(n) => format!("{} starts", l(n)),
        Input::HealNode(n) => format!("Every cut link of {} works again", l(n)),
        Input::Partition(groups) => format!(
            "The network splits into {}",
            groups
                .iter()
                .map(|g| format!("{{{}}}", g.iter().map(l).collect::<Vec<_>>().join(", ")))
                .collect::<Vec<_>>()
                .join(" and ")
        ),
        Input::Heal => "The network heals: every cut link works again".into(),
        Input::CutLink(a, b) => format!("The link between {} and {} is cut", l(a), l(b)),
        Input::HealLink(a, b) => format!("The link between {} and {} works again", l(a), l(b)),
        Input::Drop(id) => format!("Message #{id} is dropped by hand"),
        Input::Hold(id) => format!("Message #{id} is held on the wire"),
        Input::Release(id) => format!("Message #{id} is released"),
        Input::Deliver(n, msg) if protocols::input_words(*n, msg, names).is_some() => {
            protocols::input_words(*n, msg, names).unwrap_or_default()
        }
        other => {
            let d = other.describe(&|id| names.label_string(id));
            let mut c = d.chars();
            match c.next() {
                Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
                None => d,
            }
        }
    }
}

/// The first `max` characters of `s`, with an ellipsis when cut.
pub fn preview(s: &str, max: usize) -> String {
    let mut out: String = s.chars().take(max).collect();
    if s.chars().nth(max).is_some() {
        out.push('…');
    }
    out.replace('\n', "⏎")
}
