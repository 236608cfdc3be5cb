//! Kafka's ZooKeeper layout: znode paths and the bytes stored in them.
//!
//! Models `ZkData.scala` (2.8.2) for the znodes a ZooKeeper-mode cluster writes: broker
//! registration (`/brokers/ids/<id>`, JSON version 5), `/controller`, `/controller_epoch`,
//! topic assignment (`/brokers/topics/<t>`, version 3 with `adding_replicas`,
//! `removing_replicas` and the optional `topic_id`), partition state
//! (`.../partitions/<p>/state`), topic configs and config-change notifications,
//! `/admin/delete_topics`, `/isr_change_notification`, `/cluster/id`, and the classic
//! (1.1.1) consumer's `/consumers/<g>/{ids,owners,offsets}`. Timestamps are simulated
//! milliseconds passed in by the caller. Decoding never panics: malformed bytes give a
//! [`ZnodeError`].
//!
//! Simplifies: Kafka builds these JSON objects from Scala maps, so the key order is whatever
//! the map iterates in. Encoders here use one fixed order per znode: Kafka's own for maps of up
//! to four keys (insertion order) and for the partition state (the order seen in real
//! clusters); for broker registration the order a Scala 2.13 build produces, worked out from
//! the `mutable.HashMap` layout; for the topic znode the order `TopicZNode.encode` lists the
//! keys (the real one depends on the Scala version). Decoders accept any order. Topic
//! configs are written with sorted keys (Kafka's `Properties` order is a hash order too).
//! Broker `features` are always written empty; only one listener per broker is modelled in
//! tests but any number can be encoded. Versions older than the 2.8 ones are decoded only as
//! far as the fields used here go.

use json::Json;

/// A malformed znode payload, or one missing a field Kafka requires.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ZnodeError {
    /// Which znode kind was being decoded, e.g. `"partition state"`.
    pub znode: &'static str,
    /// What was wrong, in words.
    pub message: String,
}

fn err(znode: &'static str, message: impl Into<String>) -> ZnodeError {
    ZnodeError {
        znode,
        message: message.into(),
    }
}

fn parse_object(znode: &'static str, bytes: &[u8]) -> Result<Json, ZnodeError> {
    match json::parse(bytes) {
        Some(obj @ Json::Obj(_)) => Ok(obj),
        Some(_) => Err(err(znode, "not a JSON object")),
        None => Err(err(znode, "malformed JSON")),
    }
}

fn field_i64(znode: &'static str, obj: &Json, key: &str) -> Result<i64, ZnodeError> {
    obj.get(key)
        .and_then(Json::as_i64)
        .ok_or_else(|| err(znode, format!("missing or non-integer \"{key}\"")))
}

fn field_i32(znode: &'static str, obj: &Json, key: &str) -> Result<i32, ZnodeError> {
    let v = field_i64(znode, obj, key)?;
    i32::try_from(v).map_err(|_| err(znode, format!("\"{key}\" out of int range")))
}

fn field_str<'a>(znode: &'static str, obj: &'a Json, key: &str) -> Result<&'a str, ZnodeError> {
    obj.get(key)
        .and_then(Json::as_str)
        .ok_or_else(|| err(znode, format!("missing or non-string \"{key}\"")))
}

fn int_list(znode: &'static str, value: &Json) -> Result<Vec<i32>, ZnodeError> {
    let items = value
        .as_array()
        .ok_or_else(|| err(znode, "expected a list of broker ids"))?;
    items
        .iter()
        .map(|v| {
            v.as_i64()
                .and_then(|n| i32::try_from(n).ok())
                .ok_or_else(|| err(znode, "non-integer broker id"))
        })
        .collect()
}

mod json;
pub mod paths;

mod admin;
mod broker;
mod topic;

pub use admin::*;
pub use broker::*;
pub use topic::*;
mod producer_id;
pub use producer_id::*;

fn decode_decimal<T: std::str::FromStr>(
    znode: &'static str,
    bytes: &[u8],
) -> Result<T, ZnodeError> {
    std::str::from_utf8(bytes)
        .ok()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| err(znode, "not a decimal number"))
}

#[cfg(test)]
mod tests;
