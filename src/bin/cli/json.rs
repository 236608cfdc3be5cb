//! One JSON object per step record, for `run --format json`.
//!
//! Built from the record's pieces with `serde_json` rather than by deriving `Serialize` on the
//! kernel types: messages and timers are shown as the protocol's kind and summary (the words a
//! person reads), node ids as their labels, and the line stays stable when protocol structs
//! gain fields.

use serde_json::{json, Map, Value};
use zooscope::cluster::{Msg, Record};
use zooscope::sim::record::TimerRecord;
use zooscope::sim::{EventRecord, Input, Message, NodeId, SendFate, Violation};

/// The JSON object of one step.
pub fn record_json(rec: &Record, label: &dyn Fn(NodeId) -> String) -> Value {
    let mut obj = Map::new();
    obj.insert("step".into(), json!(rec.step));
    obj.insert("time_us".into(), json!(rec.time_us));
    obj.insert("event".into(), json!(event_kind(&rec.event)));
    obj.insert("actor".into(), json!(rec.actor().map(label)));
    obj.insert("headline".into(), json!(rec.headline(label)));
    match &rec.event {
        EventRecord::Start { .. } => {}
        EventRecord::Deliver { id, src, dst, msg } => {
            insert_message(&mut obj, *id, *src, *dst, msg, label);
        }
        EventRecord::Lost {
            id,
            src,
            dst,
            msg,
            reason,
        } => {
            insert_message(&mut obj, *id, *src, *dst, msg, label);
            obj.insert("loss_reason".into(), json!(reason.describe()));
        }
        EventRecord::Timer { timer, .. } => {
            obj.insert("timer".into(), json!(format!("{timer:?}")));
        }
        EventRecord::Input(input) => {
            obj.insert("input_kind".into(), json!(input_kind(input)));
            obj.insert("input".into(), json!(input.describe(label)));
        }
    }
    obj.insert("sends".into(), sends_json(rec, label));
    obj.insert("timers".into(), timers_json(rec));
    obj.insert("notes".into(), json!(rec.notes));
    obj.insert("kernel_notes".into(), json!(rec.kernel_notes));
    obj.insert("violations".into(), violations_json(&rec.violations));
    Value::Object(obj)
}

/// A JSON list of violations.
pub fn violations_json(violations: &[Violation]) -> Value {
    Value::Array(
        violations
            .iter()
            .map(|v| serde_json::to_value(v).unwrap_or(Value::Null))
            .collect(),
    )
}

fn insert_message(
    obj: &mut Map<String, Value>,
    id: u64,
    src: NodeId,
    dst: NodeId,
    msg: &Msg,
    label: &dyn Fn(NodeId) -> String,
) {
    obj.insert("msg_id".into(), json!(id));
    obj.insert("src".into(), json!(label(src)));
    obj.insert("dst".into(), json!(label(dst)));
    obj.insert("msg_kind".into(), json!(msg.kind()));
    obj.insert("msg".into(), json!(msg.summary()));
}

fn sends_json(rec: &Record, label: &dyn Fn(NodeId) -> String) -> Value {
    let sends = rec.sends.iter().map(|s| {
        let mut o = json!({
            "id": s.id,
            "src": label(s.src),
            "dst": label(s.dst),
            "msg_kind": s.msg.kind(),
            "msg": s.msg.summary(),
        });
        let fate = match &s.fate {
            SendFate::Queued { at_us, copy } => json!({
                "fate": "queued",
                "at_us": at_us,
                "copy_id": copy.map(|(id, _)| id),
                "copy_at_us": copy.map(|(_, at)| at),
            }),
            SendFate::Held => json!({ "fate": "held" }),
            SendFate::Lost(r) => json!({ "fate": "lost", "loss_reason": r.describe() }),
        };
        if let (Value::Object(o), Value::Object(f)) = (&mut o, fate) {
            o.extend(f);
        }
        o
    });
    Value::Array(sends.collect())
}

fn timers_json(rec: &Record) -> Value {
    let timers = rec.timers.iter().map(|t| match t {
        TimerRecord::Set { timer, at_us } => {
            json!({ "op": "set", "timer": format!("{timer:?}"), "at_us": at_us })
        }
        TimerRecord::Cancel { timer } => json!({ "op": "cancel", "timer": format!("{timer:?}") }),
    });
    Value::Array(timers.collect())
}

fn event_kind<M, T>(event: &EventRecord<M, T>) -> &'static str {
    match event {
        EventRecord::Start { .. } => "start",
        EventRecord::Deliver { .. } => "deliver",
        EventRecord::Lost { .. } => "lost",
        EventRecord::Timer { .. } => "timer",
        EventRecord::Input(_) => "input",
    }
}

fn input_kind<M>(input: &Input<M>) -> &'static str {
    match input {
        Input::Crash(_) => "crash",
        Input::Restart(_) => "restart",
        Input::Partition(_) => "partition",
        Input::Start(_) => "start",
        Input::Heal => "heal",
        Input::HealNode(_) => "heal-node",
        Input::CutLink(..) => "cut-link",
        Input::HealLink(..) => "heal-link",
        Input::Drop(_) => "drop",
        Input::Hold(_) => "hold",
        Input::Release(_) => "release",
        Input::HoldLink(..) => "hold-link",
        Input::ReleaseLink(..) => "release-link",
        Input::SetLink(..) => "set-link",
        Input::SetDefaultLink(_) => "set-default-link",
        Input::Deliver(..) => "deliver",
    }
}
