//! Topic znodes: the assignment in `/brokers/topics/<t>` and each partition's `state`.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Map, Value};

use super::{err, field_i32, int_list, parse_object, to_bytes, ZnodeError};

/// One partition's replicas in `/brokers/topics/<t>` (`ReplicaAssignment`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReplicaAssignment {
    /// Ordered replicas; the first is the preferred leader.
    pub replicas: Vec<i32>,
    /// Replicas being added by a reassignment.
    pub adding_replicas: Vec<i32>,
    /// Replicas being removed by a reassignment.
    pub removing_replicas: Vec<i32>,
}

/// `/brokers/topics/<t>` contents (`TopicZNode`, version 3 in 2.8).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TopicAssignment {
    /// `topic_id` (written with IBP >= 2.8-IV0), as Kafka's base64 text.
    pub topic_id: Option<String>,
    /// Partition id -> assignment.
    pub partitions: BTreeMap<i32, ReplicaAssignment>,
}

impl TopicAssignment {
    /// A new topic's assignment (no reassignment in flight).
    pub fn new(topic_id: Option<String>, replicas: &BTreeMap<i32, Vec<i32>>) -> Self {
        let partitions = replicas
            .iter()
            .map(|(&p, r)| {
                let assignment = ReplicaAssignment {
                    replicas: r.clone(),
                    ..ReplicaAssignment::default()
                };
                (p, assignment)
            })
            .collect();
        Self {
            topic_id,
            partitions,
        }
    }

    /// `TopicZNode.encode`: version 3; adding/removing maps only list partitions with a
    /// non-empty list. Partition keys are written in numeric order.
    pub fn encode(&self) -> Vec<u8> {
        // Keys are decimal strings; a BTreeMap<String, _> would put "10" before "2", so the
        // object is built by hand in numeric order.
        let pick = |f: fn(&ReplicaAssignment) -> &[i32], all: bool| -> Value {
            let mut map = Map::new();
            for (p, a) in &self.partitions {
                if all || !f(a).is_empty() {
                    map.insert(p.to_string(), Value::from(f(a).to_vec()));
                }
            }
            Value::Object(map)
        };
        let mut out = String::from("{\"version\":3");
        for (key, value) in [
            ("partitions", pick(|a| a.replicas.as_slice(), true)),
            (
                "adding_replicas",
                pick(|a| a.adding_replicas.as_slice(), false),
            ),
            (
                "removing_replicas",
                pick(|a| a.removing_replicas.as_slice(), false),
            ),
        ] {
            out.push_str(&format!(",\"{key}\":{}", numeric_object(&value)));
        }
        if let Some(id) = &self.topic_id {
            out.push_str(&format!(",\"topic_id\":{}", Value::from(id.as_str())));
        }
        out.push('}');
        out.into_bytes()
    }

    /// `TopicZNode.decode`: missing maps mean empty lists.
    pub fn decode(bytes: &[u8]) -> Result<Self, ZnodeError> {
        const Z: &str = "topic assignment";
        let obj = parse_object(Z, bytes)?;
        let topic_id = obj
            .get("topic_id")
            .and_then(Value::as_str)
            .map(str::to_string);
        let side = |key: &str, p: &str| -> Result<Vec<i32>, ZnodeError> {
            match obj.get(key).and_then(|m| m.get(p)) {
                Some(list) => int_list(Z, list),
                None => Ok(Vec::new()),
            }
        };
        let mut partitions = BTreeMap::new();
        if let Some(parts) = obj.get("partitions") {
            let parts = parts
                .as_object()
                .ok_or_else(|| err(Z, "\"partitions\" is not an object"))?;
            for (p, replicas) in parts {
                let id: i32 = p
                    .parse()
                    .map_err(|_| err(Z, format!("partition id {p:?}")))?;
                let assignment = ReplicaAssignment {
                    replicas: int_list(Z, replicas)?,
                    adding_replicas: side("adding_replicas", p)?,
                    removing_replicas: side("removing_replicas", p)?,
                };
                partitions.insert(id, assignment);
            }
        }
        Ok(Self {
            topic_id,
            partitions,
        })
    }
}

/// Writes a JSON object whose keys are partition ids in numeric order.
fn numeric_object(value: &Value) -> String {
    let Some(map) = value.as_object() else {
        return value.to_string();
    };
    let mut entries: Vec<(i64, &String, &Value)> = map
        .iter()
        .map(|(k, v)| (k.parse().unwrap_or(i64::MAX), k, v))
        .collect();
    entries.sort_by_key(|(n, k, _)| (*n, k.to_string()));
    let body: Vec<String> = entries
        .iter()
        .map(|(_, k, v)| format!("{}:{}", Value::from(k.as_str()), v))
        .collect();
    format!("{{{}}}", body.join(","))
}

/// `.../partitions/<p>/state` contents (`LeaderIsrAndControllerEpoch`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartitionState {
    /// Leader broker id, -1 for none.
    pub leader: i32,
    /// Leader epoch.
    pub leader_epoch: i32,
    /// In-sync replicas.
    pub isr: Vec<i32>,
    /// Epoch of the controller that wrote it.
    pub controller_epoch: i32,
}

#[derive(Serialize)]
struct StateJson<'a> {
    controller_epoch: i32,
    leader: i32,
    version: i32,
    leader_epoch: i32,
    isr: &'a [i32],
}

impl PartitionState {
    /// `TopicPartitionStateZNode.encode`, in the key order real clusters show:
    /// `{"controller_epoch":..,"leader":..,"version":1,"leader_epoch":..,"isr":[..]}`.
    pub fn encode(&self) -> Vec<u8> {
        to_bytes(&StateJson {
            controller_epoch: self.controller_epoch,
            leader: self.leader,
            version: 1,
            leader_epoch: self.leader_epoch,
            isr: &self.isr,
        })
    }

    /// `TopicPartitionStateZNode.decode` (the zkVersion comes from the znode's `Stat`).
    pub fn decode(bytes: &[u8]) -> Result<Self, ZnodeError> {
        const Z: &str = "partition state";
        let obj = parse_object(Z, bytes)?;
        Ok(Self {
            leader: field_i32(Z, &obj, "leader")?,
            leader_epoch: field_i32(Z, &obj, "leader_epoch")?,
            isr: int_list(Z, obj.get("isr").ok_or_else(|| err(Z, "missing \"isr\""))?)?,
            controller_epoch: field_i32(Z, &obj, "controller_epoch")?,
        })
    }
}
