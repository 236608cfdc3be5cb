//! Topic znodes: the assignment in `/brokers/topics/<t>` and each partition's `state`.

use crate::sim::VecMap;

use super::json::{Json, ObjWriter};
use super::{err, field_i32, int_list, parse_object, ZnodeError};

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
    pub partitions: VecMap<i32, ReplicaAssignment>,
}

impl TopicAssignment {
    /// A new topic's assignment (no reassignment in flight).
    pub fn new(topic_id: Option<String>, replicas: &VecMap<i32, Vec<i32>>) -> Self {
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
        // Partition keys in numeric order (a map of decimal strings would put "10" first).
        let pick = |f: fn(&ReplicaAssignment) -> &[i32], all: bool| -> String {
            let mut w = ObjWriter::new();
            for (p, a) in &self.partitions {
                if all || !f(a).is_empty() {
                    w.ints(&p.to_string(), f(a));
                }
            }
            w.finish()
        };
        let mut w = ObjWriter::new();
        w.int("version", 3)
            .raw("partitions", &pick(|a| a.replicas.as_slice(), true))
            .raw(
                "adding_replicas",
                &pick(|a| a.adding_replicas.as_slice(), false),
            )
            .raw(
                "removing_replicas",
                &pick(|a| a.removing_replicas.as_slice(), false),
            );
        if let Some(id) = &self.topic_id {
            w.str("topic_id", id);
        }
        w.finish().into_bytes()
    }

    /// `TopicZNode.decode`: missing maps mean empty lists.
    pub fn decode(bytes: &[u8]) -> Result<Self, ZnodeError> {
        const Z: &str = "topic assignment";
        let obj = parse_object(Z, bytes)?;
        let topic_id = obj
            .get("topic_id")
            .and_then(Json::as_str)
            .map(str::to_string);
        let side = |key: &str, p: &str| -> Result<Vec<i32>, ZnodeError> {
            match obj.get(key).and_then(|m| m.get(p)) {
                Some(list) => int_list(Z, list),
                None => Ok(Vec::new()),
            }
        };
        let mut partitions = VecMap::new();
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

impl PartitionState {
    /// `TopicPartitionStateZNode.encode`, in the key order real clusters show:
    /// `{"controller_epoch":..,"leader":..,"version":1,"leader_epoch":..,"isr":[..]}`.
    pub fn encode(&self) -> Vec<u8> {
        ObjWriter::new()
            .int("controller_epoch", self.controller_epoch.into())
            .int("leader", self.leader.into())
            .int("version", 1)
            .int("leader_epoch", self.leader_epoch.into())
            .ints("isr", &self.isr)
            .finish()
            .into_bytes()
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
