//! Config, notification, cluster-id and classic-consumer znodes.

use crate::sim::VecMap;

use super::json::{self, Json, ObjWriter};
use super::{decode_decimal, err, field_i32, field_str, parse_object, ZnodeError};

/// `/config/<type>/<name>`: `{"version":1,"config":{..}}` (`ConfigEntityZNode.encode`).
pub fn encode_entity_config(config: &VecMap<String, String>) -> Vec<u8> {
    let config = json::str_object(config.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    ObjWriter::new()
        .int("version", 1)
        .raw("config", &config)
        .finish()
        .into_bytes()
}

/// `ConfigEntityZNode.decode`: like Kafka, a payload without a `config` object is empty.
pub fn decode_entity_config(bytes: &[u8]) -> Result<VecMap<String, String>, ZnodeError> {
    const Z: &str = "entity config";
    let obj = parse_object(Z, bytes)?;
    let mut out = VecMap::new();
    if let Some(config) = obj.get("config").and_then(Json::as_object) {
        for (k, v) in config {
            let v = v
                .as_str()
                .ok_or_else(|| err(Z, format!("value of {k:?} is not a string")))?;
            out.insert(k.clone(), v.to_string());
        }
    }
    Ok(out)
}

/// `/config/changes/config_change_<seq>`: `{"version":2,"entity_path":"topics/<t>"}`.
pub fn encode_config_change(entity_path: &str) -> Vec<u8> {
    ObjWriter::new()
        .int("version", 2)
        .str("entity_path", entity_path)
        .finish()
        .into_bytes()
}

/// The `entity_path` of a version-2 config change notification.
pub fn decode_config_change(bytes: &[u8]) -> Result<String, ZnodeError> {
    let obj = parse_object("config change", bytes)?;
    field_str("config change", &obj, "entity_path").map(str::to_string)
}

/// `/isr_change_notification/isr_change_<seq>`:
/// `{"version":1,"partitions":[{"topic":..,"partition":..}]}` (ZK-ISR mode only).
pub fn encode_isr_change(partitions: &[(String, i32)]) -> Vec<u8> {
    let mut list = String::from("[");
    for (i, (topic, partition)) in partitions.iter().enumerate() {
        if i > 0 {
            list.push(',');
        }
        let tp = ObjWriter::new()
            .str("topic", topic)
            .int("partition", (*partition).into())
            .finish();
        list.push_str(&tp);
    }
    list.push(']');
    ObjWriter::new()
        .int("version", 1)
        .raw("partitions", &list)
        .finish()
        .into_bytes()
}

/// `IsrChangeNotificationSequenceZNode.decode`.
pub fn decode_isr_change(bytes: &[u8]) -> Result<Vec<(String, i32)>, ZnodeError> {
    const Z: &str = "isr change notification";
    let obj = parse_object(Z, bytes)?;
    let list = obj
        .get("partitions")
        .and_then(Json::as_array)
        .ok_or_else(|| err(Z, "missing \"partitions\""))?;
    list.iter()
        .map(|tp| {
            if tp.as_object().is_none() {
                return Err(err(Z, "partition entry is not an object"));
            }
            Ok((
                field_str(Z, tp, "topic")?.to_string(),
                field_i32(Z, tp, "partition")?,
            ))
        })
        .collect()
}

/// `/cluster/id`: `{"version":"1","id":"<id>"}` (the version is a string here).
pub fn encode_cluster_id(id: &str) -> Vec<u8> {
    ObjWriter::new()
        .str("version", "1")
        .str("id", id)
        .finish()
        .into_bytes()
}

/// `ClusterIdZNode.fromJson`.
pub fn decode_cluster_id(bytes: &[u8]) -> Result<String, ZnodeError> {
    let obj = parse_object("cluster id", bytes)?;
    field_str("cluster id", &obj, "id").map(str::to_string)
}

/// Classic consumer registration (1.1.1 `registerConsumerInZK`):
/// `{"version":1,"subscription":{"<topic>":<streams>},"pattern":"static","timestamp":"<ms>"}`.
pub fn encode_consumer_registration(
    subscription: &VecMap<String, i32>,
    pattern: &str,
    timestamp_ms: i64,
) -> Vec<u8> {
    let mut sub = ObjWriter::new();
    for (topic, n) in subscription {
        sub.int(topic, (*n).into());
    }
    ObjWriter::new()
        .int("version", 1)
        .raw("subscription", &sub.finish())
        .str("pattern", pattern)
        .str("timestamp", &timestamp_ms.to_string())
        .finish()
        .into_bytes()
}

/// The subscription (topic -> stream count) of a classic consumer registration.
pub fn decode_consumer_subscription(bytes: &[u8]) -> Result<VecMap<String, i32>, ZnodeError> {
    const Z: &str = "consumer registration";
    let obj = parse_object(Z, bytes)?;
    let sub = obj
        .get("subscription")
        .and_then(Json::as_object)
        .ok_or_else(|| err(Z, "missing \"subscription\""))?;
    sub.iter()
        .map(|(topic, n)| {
            let n = n
                .as_i64()
                .and_then(|n| i32::try_from(n).ok())
                .ok_or_else(|| err(Z, format!("stream count of {topic:?}")))?;
            Ok((topic.clone(), n))
        })
        .collect()
}

/// `/consumers/<g>/offsets/<t>/<p>`: the next offset as decimal text.
pub fn encode_consumer_offset(offset: i64) -> Vec<u8> {
    offset.to_string().into_bytes()
}

/// `ConsumerOffset.decode`.
pub fn decode_consumer_offset(bytes: &[u8]) -> Result<i64, ZnodeError> {
    decode_decimal("consumer offset", bytes)
}
