//! Parsing a `kafka-script` file: every field checked, every error names the op and field.

use crate::sim::VecMap;

use serde_json::{Map, Value};

use crate::kafka::config::{BrokerConfig, ProducerConfig};

use super::{MAX_BROKERS, MAX_PARTITIONS, MAX_WAIT_MS, MAX_ZK};

/// A parsed script.
#[derive(Clone, Debug, PartialEq)]
pub struct Script {
    /// ZooKeeper servers (`zk1..zkN`, sids 1..N).
    pub zk: usize,
    /// Brokers (`broker-<id>` with `broker.id` `first_broker_id ..`, N of them).
    pub brokers: usize,
    /// The first broker's `broker.id` (1 unless the script says; 0 reproduces Kafka's own
    /// tests, which number brokers from 0).
    pub first_broker_id: i32,
    /// The run's seed.
    pub seed: u64,
    /// Every broker's configuration (Kafka's defaults overridden by `"broker_config"`).
    pub broker_config: BrokerConfig,
    /// The ops, in order.
    pub ops: Vec<ScriptOp>,
}

/// `create_topic`'s fields.
#[derive(Clone, Debug, PartialEq)]
pub struct CreateTopic {
    pub topic: String,
    /// `None`: the broker's `num.partitions`.
    pub partitions: Option<i32>,
    /// `None`: the broker's `default.replication.factor`.
    pub replication_factor: Option<i32>,
    /// `assignReplicasToBrokers(fixedStartIndex)`: makes the assignment reproducible.
    pub start_index: Option<i32>,
    /// An explicit assignment (partition → replicas), as `--replica-assignment`.
    pub assignment: Option<VecMap<i32, Vec<i32>>>,
    /// Topic config overrides (`/config/topics/<t>`).
    pub configs: VecMap<String, String>,
}

impl CreateTopic {
    /// Whether it goes through the admin tooling's ZooKeeper writes rather than the
    /// `CreateTopics` request (which carries none of these).
    pub fn needs_admin_path(&self) -> bool {
        self.start_index.is_some() || self.assignment.is_some() || !self.configs.is_empty()
    }
}

/// One op of a script.
#[derive(Clone, Debug, PartialEq)]
pub enum ScriptOp {
    CreateTopic(CreateTopic),
    Produce {
        client: String,
        topic: String,
        key: Option<String>,
        value: String,
        partition: Option<i32>,
        config: Box<ProducerConfig>,
    },
    Consume {
        client: String,
        group: Option<String>,
        topic: String,
        partition: Option<i32>,
        max: usize,
    },
    Commit {
        client: String,
        group: Option<String>,
    },
    Seek {
        client: String,
        topic: String,
        partition: i32,
        offset: i64,
    },
    Describe {
        topic: String,
    },
    AlterConfig {
        entity_type: String,
        name: String,
        configs: VecMap<String, Option<String>>,
    },
    ZkGet {
        path: String,
    },
    StopBroker {
        broker: i32,
    },
    StartBroker {
        broker: i32,
    },
    CrashBroker {
        broker: i32,
    },
    StopZk {
        server: u64,
    },
    StartZk {
        server: u64,
    },
    Wait {
        ms: u64,
    },
}

impl ScriptOp {
    /// The op's name in scripts.
    pub fn name(&self) -> &'static str {
        match self {
            ScriptOp::CreateTopic(_) => "create_topic",
            ScriptOp::Produce { .. } => "produce",
            ScriptOp::Consume { .. } => "consume",
            ScriptOp::Commit { .. } => "commit",
            ScriptOp::Seek { .. } => "seek",
            ScriptOp::Describe { .. } => "describe",
            ScriptOp::AlterConfig { .. } => "alter_config",
            ScriptOp::ZkGet { .. } => "zk_get",
            ScriptOp::StopBroker { .. } => "stop_broker",
            ScriptOp::StartBroker { .. } => "start_broker",
            ScriptOp::CrashBroker { .. } => "crash_broker",
            ScriptOp::StopZk { .. } => "stop_zk",
            ScriptOp::StartZk { .. } => "start_zk",
            ScriptOp::Wait { .. } => "wait",
        }
    }
}

const OPS: &[&str] = &[
    "create_topic",
    "produce",
    "consume",
    "commit",
    "seek",
    "describe",
    "alter_config",
    "zk_get",
    "stop_broker",
    "start_broker",
    "crash_broker",
    "stop_zk",
    "start_zk",
    "wait",
];

impl Script {
    /// Parses a script's text.
    pub fn parse(text: &str) -> Result<Script, String> {
        let v: Value =
            serde_json::from_str(text).map_err(|e| format!("script is not valid JSON: {e}"))?;
        let obj = v
            .as_object()
            .ok_or("a script is a JSON object with \"ops\"")?;
        check_keys(
            obj,
            &[
                "zk",
                "brokers",
                "first_broker_id",
                "seed",
                "broker_config",
                "ops",
            ],
            "the script",
        )?;
        let zk = count(obj, "zk", 3, MAX_ZK)?;
        let brokers = count(obj, "brokers", 3, MAX_BROKERS)?;
        let first_broker_id = match obj.get("first_broker_id") {
            None => 1,
            Some(v) => match v.as_u64() {
                Some(n) if n <= 1_000 => n as i32,
                _ => return Err("\"first_broker_id\" must be an integer from 0 to 1000".into()),
            },
        };
        let seed = match obj.get("seed") {
            None => 1,
            Some(v) => v
                .as_u64()
                .ok_or("\"seed\" must be a non-negative integer")?,
        };
        let mut broker_config = BrokerConfig::default();
        if let Some(v) = obj.get("broker_config") {
            let cfg = v
                .as_object()
                .ok_or("\"broker_config\" must be an object of Kafka broker settings")?;
            for (k, v) in cfg {
                let text = setting_text(v).map_err(|e| format!("broker_config: {k}: {e}"))?;
                broker_config
                    .set(k, &text)
                    .map_err(|e| format!("broker_config: {e}"))?;
            }
        }
        let ops = obj
            .get("ops")
            .ok_or("the script has no \"ops\"")?
            .as_array()
            .ok_or("\"ops\" must be an array")?;
        let ctx = Limits {
            zk,
            first_broker: first_broker_id as i64,
            last_broker: first_broker_id as i64 + brokers as i64 - 1,
        };
        let ops = ops
            .iter()
            .enumerate()
            .map(|(i, op)| parse_op(op, &ctx).map_err(|e| format!("op {i}: {e}")))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Script {
            zk,
            brokers,
            first_broker_id,
            seed,
            broker_config,
            ops,
        })
    }
}

struct Limits {
    zk: usize,
    first_broker: i64,
    last_broker: i64,
}

fn count(obj: &Map<String, Value>, key: &str, default: usize, max: usize) -> Result<usize, String> {
    match obj.get(key) {
        None => Ok(default),
        Some(v) => match v.as_u64() {
            Some(n) if (1..=max as u64).contains(&n) => Ok(n as usize),
            _ => Err(format!("\"{key}\" must be an integer from 1 to {max}")),
        },
    }
}

/// A setting's value as the text Kafka's config parser reads (`"2"`, `2`, `true`).
fn setting_text(v: &Value) -> Result<String, String> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        _ => Err("a setting is a string, number or boolean".into()),
    }
}

fn check_keys(obj: &Map<String, Value>, allowed: &[&str], what: &str) -> Result<(), String> {
    for k in obj.keys() {
        if !allowed.contains(&k.as_str()) {
            return Err(format!(
                "unknown field \"{k}\" in {what} (allowed: {})",
                allowed.join(", ")
            ));
        }
    }
    Ok(())
}

fn get_str(obj: &Map<String, Value>, key: &str) -> Result<String, String> {
    match obj.get(key) {
        Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
        Some(_) => Err(format!("\"{key}\" must be a non-empty string")),
        None => Err(format!("missing \"{key}\"")),
    }
}

fn opt_str(obj: &Map<String, Value>, key: &str) -> Result<Option<String>, String> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(_) => get_str(obj, key).map(Some),
    }
}

fn opt_int(obj: &Map<String, Value>, key: &str, lo: i64, hi: i64) -> Result<Option<i64>, String> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => match v.as_i64() {
            Some(n) if (lo..=hi).contains(&n) => Ok(Some(n)),
            _ => Err(format!("\"{key}\" must be an integer from {lo} to {hi}")),
        },
    }
}

fn get_int(obj: &Map<String, Value>, key: &str, lo: i64, hi: i64) -> Result<i64, String> {
    opt_int(obj, key, lo, hi)?.ok_or(format!("missing \"{key}\""))
}

fn parse_op(v: &Value, lim: &Limits) -> Result<ScriptOp, String> {
    let obj = v.as_object().ok_or("an op is a JSON object with \"op\"")?;
    let op = get_str(obj, "op")?;
    let fields: &[&str] = match op.as_str() {
        "create_topic" => &[
            "topic",
            "partitions",
            "replication_factor",
            "start_index",
            "assignment",
            "configs",
        ],
        "produce" => &[
            "client",
            "topic",
            "key",
            "value",
            "partition",
            "acks",
            "config",
        ],
        "consume" => &["client", "group", "topic", "partition", "max"],
        "commit" => &["client", "group"],
        "seek" => &["client", "topic", "partition", "offset"],
        "describe" => &["topic"],
        "alter_config" => &["entity_type", "name", "configs"],
        "zk_get" => &["path"],
        "stop_broker" | "start_broker" | "crash_broker" => &["broker"],
        "stop_zk" | "start_zk" => &["server"],
        "wait" => &["ms"],
        _ => return Err(format!("unknown op \"{op}\" (known: {})", OPS.join(", "))),
    };
    let mut allowed = vec!["op"];
    allowed.extend_from_slice(fields);
    check_keys(obj, &allowed, &format!("op \"{op}\""))?;
    let broker = || get_int(obj, "broker", lim.first_broker, lim.last_broker).map(|b| b as i32);
    let server = || get_int(obj, "server", 1, lim.zk as i64).map(|s| s as u64);
    let parsed = match op.as_str() {
        "create_topic" => ScriptOp::CreateTopic(parse_create_topic(obj)?),
        "produce" => parse_produce(obj)?,
        "consume" => ScriptOp::Consume {
            client: get_str(obj, "client")?,
            group: opt_str(obj, "group")?,
            topic: get_str(obj, "topic")?,
            partition: opt_int(obj, "partition", 0, MAX_PARTITIONS as i64 - 1)?.map(|p| p as i32),
            max: opt_int(obj, "max", 1, 100_000)?.unwrap_or(500) as usize,
        },
        "commit" => ScriptOp::Commit {
            client: get_str(obj, "client")?,
            group: opt_str(obj, "group")?,
        },
        "seek" => ScriptOp::Seek {
            client: get_str(obj, "client")?,
            topic: get_str(obj, "topic")?,
            partition: get_int(obj, "partition", 0, MAX_PARTITIONS as i64 - 1)? as i32,
            offset: get_int(obj, "offset", 0, i64::MAX)?,
        },
        "describe" => ScriptOp::Describe {
            topic: get_str(obj, "topic")?,
        },
        "alter_config" => ScriptOp::AlterConfig {
            entity_type: get_str(obj, "entity_type")?,
            name: get_str(obj, "name")?,
            configs: parse_alter_configs(obj.get("configs"))?,
        },
        "zk_get" => {
            let path = get_str(obj, "path")?;
            if !path.starts_with('/') {
                return Err("\"path\" must start with /".into());
            }
            ScriptOp::ZkGet { path }
        }
        "stop_broker" => ScriptOp::StopBroker { broker: broker()? },
        "start_broker" => ScriptOp::StartBroker { broker: broker()? },
        "crash_broker" => ScriptOp::CrashBroker { broker: broker()? },
        "stop_zk" => ScriptOp::StopZk { server: server()? },
        "start_zk" => ScriptOp::StartZk { server: server()? },
        _ => ScriptOp::Wait {
            ms: get_int(obj, "ms", 0, MAX_WAIT_MS as i64)? as u64,
        },
    };
    Ok(parsed)
}

fn parse_create_topic(obj: &Map<String, Value>) -> Result<CreateTopic, String> {
    let topic = get_str(obj, "topic")?;
    // Kafka's own checks of these numbers (INVALID_PARTITIONS, INVALID_REPLICATION_FACTOR)
    // are answers, not script errors: only absurd sizes are refused here.
    let partitions = opt_int(obj, "partitions", -1, MAX_PARTITIONS as i64)?.map(|n| n as i32);
    let replication_factor =
        opt_int(obj, "replication_factor", -1, i16::MAX as i64)?.map(|n| n as i32);
    let start_index = opt_int(obj, "start_index", 0, 1_000)?.map(|n| n as i32);
    let assignment = match obj.get("assignment") {
        None | Some(Value::Null) => None,
        Some(v) => Some(parse_assignment(v)?),
    };
    let mut configs = VecMap::new();
    if let Some(v) = obj.get("configs") {
        let map = v
            .as_object()
            .ok_or("\"configs\" must be an object of topic settings")?;
        for (k, v) in map {
            configs.insert(
                k.clone(),
                setting_text(v).map_err(|e| format!("configs: {k}: {e}"))?,
            );
        }
    }
    Ok(CreateTopic {
        topic,
        partitions,
        replication_factor,
        start_index,
        assignment,
        configs,
    })
}

/// `{"0": [1, 2], "1": [2, 3]}` or `[[1, 2], [2, 3]]` (partition = index).
fn parse_assignment(v: &Value) -> Result<VecMap<i32, Vec<i32>>, String> {
    let replicas = |v: &Value| -> Result<Vec<i32>, String> {
        v.as_array()
            .ok_or("an assignment's replicas are an array of broker ids")?
            .iter()
            .map(|b| {
                b.as_i64()
                    .and_then(|b| i32::try_from(b).ok())
                    .ok_or_else(|| "a broker id is an integer".to_string())
            })
            .collect()
    };
    let rows: Vec<(i32, Vec<i32>)> = match v {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(p, r)| Ok((p as i32, replicas(r)?)))
            .collect::<Result<_, String>>()?,
        Value::Object(map) => map
            .iter()
            .map(|(p, r)| {
                let p = p
                    .parse::<i32>()
                    .map_err(|_| format!("assignment: \"{p}\" is not a partition number"))?;
                Ok((p, replicas(r)?))
            })
            .collect::<Result<_, String>>()?,
        _ => return Err("\"assignment\" is an object {\"0\": [1, 2]} or an array [[1, 2]]".into()),
    };
    if rows.is_empty() || rows.len() > MAX_PARTITIONS as usize {
        return Err(format!(
            "\"assignment\" must have 1 to {MAX_PARTITIONS} partitions"
        ));
    }
    Ok(rows.into_iter().collect())
}

fn parse_produce(obj: &Map<String, Value>) -> Result<ScriptOp, String> {
    let key = match obj.get("key") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err("\"key\" must be a string or null".into()),
    };
    let value = match obj.get("value") {
        Some(Value::String(s)) => s.clone(),
        Some(_) => return Err("\"value\" must be a string".into()),
        None => return Err("missing \"value\"".into()),
    };
    let mut config = ProducerConfig::default();
    if let Some(v) = obj.get("config") {
        let map = v
            .as_object()
            .ok_or("\"config\" must be an object of producer settings")?;
        for (k, v) in map {
            let text = setting_text(v).map_err(|e| format!("config: {k}: {e}"))?;
            config.set(k, &text).map_err(|e| format!("config: {e}"))?;
        }
    }
    if let Some(v) = obj.get("acks") {
        let text = setting_text(v).map_err(|e| format!("acks: {e}"))?;
        config.set("acks", &text).map_err(|e| e.to_string())?;
    }
    let config = config.finish().map_err(|e| e.to_string())?;
    Ok(ScriptOp::Produce {
        client: get_str(obj, "client")?,
        topic: get_str(obj, "topic")?,
        key,
        value,
        partition: opt_int(obj, "partition", 0, MAX_PARTITIONS as i64 - 1)?.map(|p| p as i32),
        config: Box::new(config),
    })
}

fn parse_alter_configs(v: Option<&Value>) -> Result<VecMap<String, Option<String>>, String> {
    let map = v
        .ok_or("missing \"configs\"")?
        .as_object()
        .ok_or("\"configs\" must be an object (null deletes a setting)")?;
    map.iter()
        .map(|(k, v)| match v {
            Value::Null => Ok((k.clone(), None)),
            v => Ok((
                k.clone(),
                Some(setting_text(v).map_err(|e| format!("configs: {k}: {e}"))?),
            )),
        })
        .collect()
}
