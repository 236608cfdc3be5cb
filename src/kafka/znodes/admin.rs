//! Config, notification, cluster-id and classic-consumer znodes.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use super::{decode_decimal, err, field_i32, field_str, parse_object, to_bytes, ZnodeError};

/// `/config/<type>/<name>`: `{"version":1,"config":{..}}` (`ConfigEntityZNode.encode`).
pub fn encode_entity_config(config: &BTreeMap<String, String>) -> Vec<u8> {
    #[derive(Serialize)]
    struct ConfigJson<'a> {
        version: i32,
        config: &'a BTreeMap<String, String>,
    }
    to_bytes(&ConfigJson { version: 1, config })
}

/// `ConfigEntityZNode.decode`: like Kafka, a payload without a `config` object is empty.
pub fn decode_entity_config(bytes: &[u8]) -> Result<BTreeMap<String, String>, ZnodeError> {
    const Z: &str = "entity config";
    let obj = parse_object(Z, bytes)?;
    let mut out = BTreeMap::new();
    if let Some(config) = obj.get("config").and_then(Value::as_object) {
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
    #[derive(Serialize)]
    struct ChangeJson<'a> {
        version: i32,
        entity_path: &'a str,
    }
    to_bytes(&ChangeJson {
        version: 2,
        entity_path,
    })
}

/// The `entity_path` of a version-2 config change notification.
pub fn decode_config_change(bytes: &[u8]) -> Result<String, ZnodeError> {
    let obj = parse_object("config change", bytes)?;
    field_str("config change", &obj, "entity_path").map(str::to_string)
}

/// `/isr_change_notification/isr_change_<seq>`:
/// `{"version":1,"partitions":[{"topic":..,"partition":..}]}` (ZK-ISR mode only).
pub fn encode_isr_change(partitions: &[(String, i32)]) -> Vec<u8> {
    #[derive(Serialize)]
    struct Tp<'a> {
        topic: &'a str,
        partition: i32,
    }
    #[derive(Serialize)]
    struct IsrJson<'a> {
        version: i32,
        partitions: Vec<Tp<'a>>,
    }
    to_bytes(&IsrJson {
        version: 1,
        partitions: partitions
            .iter()
            .map(|(topic, partition)| Tp {
                topic,
                partition: *partition,
            })
            .collect(),
    })
}

/// `IsrChangeNotificationSequenceZNode.decode`.
pub fn decode_isr_change(bytes: &[u8]) -> Result<Vec<(String, i32)>, ZnodeError> {
    const Z: &str = "isr change notification";
    let obj = parse_object(Z, bytes)?;
    let list = obj
        .get("partitions")
        .and_then(Value::as_array)
        .ok_or_else(|| err(Z, "missing \"partitions\""))?;
    list.iter()
        .map(|tp| {
            let tp = tp
                .as_object()
                .ok_or_else(|| err(Z, "partition entry is not an object"))?;
            Ok((
                field_str(Z, tp, "topic")?.to_string(),
                field_i32(Z, tp, "partition")?,
            ))
        })
        .collect()
}

/// `/cluster/id`: `{"version":"1","id":"<id>"}` (the version is a string here).
pub fn encode_cluster_id(id: &str) -> Vec<u8> {
    #[derive(Serialize)]
    struct ClusterJson<'a> {
        version: &'a str,
        id: &'a str,
    }
    to_bytes(&ClusterJson { version: "1", id })
}

/// `ClusterIdZNode.fromJson`.
pub fn decode_cluster_id(bytes: &[u8]) -> Result<String, ZnodeError> {
    let obj = parse_object("cluster id", bytes)?;
    field_str("cluster id", &obj, "id").map(str::to_string)
}

/// Classic consumer registration (1.1.1 `registerConsumerInZK`):
/// `{"version":1,"subscription":{"<topic>":<streams>},"pattern":"static","timestamp":"<ms>"}`.
pub fn encode_consumer_registration(
    subscription: &BTreeMap<String, i32>,
    pattern: &str,
    timestamp_ms: i64,
) -> Vec<u8> {
    #[derive(Serialize)]
    struct ConsumerJson<'a> {
        version: i32,
        subscription: &'a BTreeMap<String, i32>,
        pattern: &'a str,
        timestamp: String,
    }
    to_bytes(&ConsumerJson {
        version: 1,
        subscription,
        pattern,
        timestamp: timestamp_ms.to_string(),
    })
}

/// The subscription (topic -> stream count) of a classic consumer registration.
pub fn decode_consumer_subscription(bytes: &[u8]) -> Result<BTreeMap<String, i32>, ZnodeError> {
    const Z: &str = "consumer registration";
    let obj = parse_object(Z, bytes)?;
    let sub = obj
        .get("subscription")
        .and_then(Value::as_object)
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
