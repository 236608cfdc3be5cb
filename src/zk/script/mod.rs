//! `zk-script`: run a list of client operations and faults against a simulated ensemble and
//! print what each returned, one JSON object per line (format in `docs/zk-script.md`).
//!
//! ```json
//! {"servers": 3, "seed": 1, "ops": [
//!   {"client": "c1", "op": "connect", "servers": [1, 2, 3], "timeout_ms": 4000},
//!   {"client": "c1", "op": "create", "path": "/a", "data": "v0"},
//!   {"client": "c1", "op": "get", "path": "/a", "watch": true},
//!   {"op": "stop", "server": 2}, {"op": "wait", "ms": 500}
//! ]}
//! ```
//!
//! Each op runs to completion before the next: a client op until its outcome appears in the
//! scripted client's log, or [`OP_TIMEOUT_US`] of simulated time (`OperationTimeout`); `stop`
//! and `start` are a crash and a restart of a server; `wait` advances simulated time. Watch
//! events and connection state changes are printed when the client receives them.
//!
//! This module parses and runs scripts against any simulation whose nodes include scripted
//! `ClientNode`s; it does not build the ensemble (that is composition, in `cluster`).
//! Nothing in a script can panic: bad JSON, unknown ops or fields, missing fields and servers
//! out of range are errors that say what is wrong and where.

use serde_json::{Map, Value};

use crate::sim::{NodeId, TimeUs, SEC};

use crate::zk::client::CallOp;
use crate::zk::data::acl::{open_acl_unsafe, parse_perms, Acl};
use crate::zk::data::txn::WriteOp;
use crate::zk::msg::ClientOp;
use crate::zk::types::CreateMode;

/// Simulated time a client op may take before it is reported as `OperationTimeout`.
pub const OP_TIMEOUT_US: TimeUs = 30 * SEC;
/// Most servers a script may ask for.
pub const MAX_SERVERS: usize = 9;
/// Longest `wait` (one simulated hour).
pub const MAX_WAIT_MS: u64 = 3_600_000;
/// Session timeout a `connect` asks for when the op does not say (zkCli's default).
pub const DEFAULT_TIMEOUT_MS: i32 = 30_000;
/// Longest time the nodes of a fresh world may take to start.
pub const BOOT_LIMIT_US: TimeUs = SEC;
/// Bound on the steps one op may take, whatever the simulated time.
const MAX_STEPS_PER_OP: u64 = 5_000_000;

/// Server settings a script may change (its `"config"` object).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServerFlags {
    /// `zookeeper.extendedTypesEnabled` (`"extended_types"`, default false).
    pub extended_types: bool,
    /// `znode.container.checkIntervalMs` (`"container_check_interval_ms"`, default 60000).
    pub container_check_interval_ms: Option<u64>,
}

impl ServerFlags {
    /// Applies the flags to an ensemble's configuration.
    pub fn apply(&self, cfg: &mut crate::zk::config::ZkConfig) {
        cfg.extended_types_enabled = self.extended_types;
        if let Some(ms) = self.container_check_interval_ms {
            cfg.container_check_interval_ms = ms;
        }
    }
}

/// What a script's ensemble is built from.
#[derive(Clone, Copy, Debug)]
pub struct ScriptSetup<'a> {
    /// The run's seed.
    pub seed: u64,
    /// Ensemble size.
    pub servers: usize,
    /// Scripted client names.
    pub clients: &'a [&'a str],
    /// Server settings.
    pub flags: &'a ServerFlags,
}

/// A parsed script.
#[derive(Clone, Debug, PartialEq)]
pub struct Script {
    /// Ensemble size (servers `zk1..zkN`, sids 1..N).
    pub servers: usize,
    /// The run's seed.
    pub seed: u64,
    /// Server settings (`"config"`).
    pub flags: ServerFlags,
    /// The ops, in order.
    pub ops: Vec<ScriptOp>,
}

/// One op of a script.
#[derive(Clone, Debug, PartialEq)]
pub enum ScriptOp {
    /// A call by a client (created on first use).
    Client { client: String, call: ClientCall },
    /// Crash server `sid`.
    Stop { server: u64 },
    /// Restart server `sid`.
    Start { server: u64 },
    /// Let simulated time pass.
    Wait { ms: u64 },
    /// Ask the servers to expire the client's session now (what the UI's "expire" does; only
    /// the leader acts on it).
    Expire { client: String },
}

/// A client call as the script names it.
#[derive(Clone, Debug, PartialEq)]
pub enum ClientCall {
    Connect {
        servers: Vec<u64>,
        timeout_ms: i32,
    },
    Create {
        path: String,
        data: String,
        mode: CreateMode,
        /// `create2`: the answer carries the new node's stat.
        stat: bool,
        /// The node's ACL (`OPEN_ACL_UNSAFE` unless the op says).
        acl: Vec<Acl>,
        /// TTL in ms for the TTL modes, else -1.
        ttl: i64,
    },
    Get {
        path: String,
        watch: bool,
    },
    Set {
        path: String,
        data: String,
        version: i32,
    },
    Delete {
        path: String,
        version: i32,
    },
    Exists {
        path: String,
        watch: bool,
    },
    Children {
        path: String,
        watch: bool,
        /// `getChildren2`: the answer carries the parent's stat.
        stat: bool,
    },
    Sync {
        path: String,
    },
    /// `multi(ops)`: `check`, `create`, `set` and `delete` ops, all or none.
    Multi {
        ops: Vec<WriteOp>,
    },
    /// `setACL(path, acl, aversion)`.
    SetAcl {
        path: String,
        acl: Vec<Acl>,
        version: i32,
    },
    /// `getACL(path)`.
    GetAcl {
        path: String,
    },
    /// `addAuthInfo(scheme, auth)`.
    AddAuth {
        scheme: String,
        auth: String,
    },
    Close,
}

impl ClientCall {
    /// The op's name in scripts.
    pub fn name(&self) -> &'static str {
        match self {
            ClientCall::Connect { .. } => "connect",
            ClientCall::Create { .. } => "create",
            ClientCall::Get { .. } => "get",
            ClientCall::Set { .. } => "set",
            ClientCall::Delete { .. } => "delete",
            ClientCall::Exists { .. } => "exists",
            ClientCall::Children { .. } => "children",
            ClientCall::Sync { .. } => "sync",
            ClientCall::Multi { .. } => "multi",
            ClientCall::SetAcl { .. } => "set_acl",
            ClientCall::GetAcl { .. } => "get_acl",
            ClientCall::AddAuth { .. } => "add_auth",
            ClientCall::Close => "close",
        }
    }

    /// The call for the client node, with servers resolved to nodes by `node_of`.
    fn to_call_op(&self, node_of: impl Fn(u64) -> NodeId) -> CallOp {
        let op = match self.clone() {
            ClientCall::Connect {
                servers,
                timeout_ms,
            } => {
                return CallOp::Connect {
                    servers: servers.into_iter().map(node_of).collect(),
                    timeout_ms,
                }
            }
            ClientCall::Close => return CallOp::Close,
            ClientCall::Create {
                path,
                data,
                mode,
                stat,
                acl,
                ttl,
            } => ClientOp::Write(WriteOp::Create {
                path,
                data,
                mode,
                stat,
                acl,
                ttl,
            }),
            ClientCall::Get { path, watch } => ClientOp::GetData { path, watch },
            ClientCall::Set {
                path,
                data,
                version,
            } => ClientOp::Write(WriteOp::SetData {
                path,
                data,
                version,
            }),
            ClientCall::Delete { path, version } => {
                ClientOp::Write(WriteOp::Delete { path, version })
            }
            ClientCall::Exists { path, watch } => ClientOp::Exists { path, watch },
            ClientCall::Children { path, watch, stat } => {
                ClientOp::GetChildren { path, watch, stat }
            }
            ClientCall::Multi { ops } => ClientOp::Write(WriteOp::Multi(ops)),
            ClientCall::Sync { path } => ClientOp::Sync { path },
            ClientCall::SetAcl { path, acl, version } => {
                ClientOp::Write(WriteOp::SetAcl { path, acl, version })
            }
            ClientCall::GetAcl { path } => ClientOp::GetAcl { path },
            ClientCall::AddAuth { scheme, auth } => ClientOp::Auth { scheme, auth },
        };
        CallOp::Op(op)
    }
}

impl Script {
    /// Parses a script's text.
    pub fn parse(text: &str) -> Result<Script, String> {
        let v: Value =
            serde_json::from_str(text).map_err(|e| format!("script is not valid JSON: {e}"))?;
        let obj = v
            .as_object()
            .ok_or("script must be a JSON object with \"servers\", \"seed\" and \"ops\"")?;
        check_keys(obj, &["servers", "seed", "config", "ops"], "script")?;
        let flags = match obj.get("config") {
            None => ServerFlags::default(),
            Some(v) => parse_flags(v)?,
        };
        let servers = match obj.get("servers") {
            None => 3,
            Some(v) => v
                .as_u64()
                .filter(|n| (1..=MAX_SERVERS as u64).contains(n))
                .ok_or(format!(
                    "\"servers\" must be a number from 1 to {MAX_SERVERS}"
                ))? as usize,
        };
        let seed = match obj.get("seed") {
            None => 1,
            Some(v) => v
                .as_u64()
                .ok_or("\"seed\" must be a non-negative integer")?,
        };
        let ops = obj
            .get("ops")
            .ok_or("script has no \"ops\" list")?
            .as_array()
            .ok_or("\"ops\" must be a list")?;
        let ops = ops
            .iter()
            .enumerate()
            .map(|(i, op)| parse_op(op, servers).map_err(|e| format!("op {i}: {e}")))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Script {
            servers,
            seed,
            flags,
            ops,
        })
    }

    /// The clients the script uses, in order of first use.
    pub fn client_names(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for op in &self.ops {
            if let ScriptOp::Client { client, .. } | ScriptOp::Expire { client } = op {
                if !names.contains(client) {
                    names.push(client.clone());
                }
            }
        }
        names
    }
}

fn check_keys(obj: &Map<String, Value>, allowed: &[&str], what: &str) -> Result<(), String> {
    match obj.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) => Err(format!(
            "unknown field \"{k}\" in {what} (expected one of: {})",
            allowed.join(", ")
        )),
        None => Ok(()),
    }
}

fn get_str(obj: &Map<String, Value>, key: &str, default: Option<&str>) -> Result<String, String> {
    match (obj.get(key), default) {
        (Some(Value::String(s)), _) => Ok(s.clone()),
        (Some(_), _) => Err(format!("\"{key}\" must be a string")),
        (None, Some(d)) => Ok(d.to_string()),
        (None, None) => Err(format!("missing \"{key}\"")),
    }
}

fn get_bool(obj: &Map<String, Value>, key: &str) -> Result<bool, String> {
    match obj.get(key) {
        None => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(_) => Err(format!("\"{key}\" must be true or false")),
    }
}

fn get_i32(obj: &Map<String, Value>, key: &str, default: Option<i32>) -> Result<i32, String> {
    match (obj.get(key), default) {
        (Some(v), _) => v
            .as_i64()
            .and_then(|n| i32::try_from(n).ok())
            .ok_or(format!("\"{key}\" must be a 32-bit integer")),
        (None, Some(d)) => Ok(d),
        (None, None) => Err(format!("missing \"{key}\"")),
    }
}

fn get_server(v: &Value, servers: usize) -> Result<u64, String> {
    v.as_u64()
        .filter(|n| (1..=servers as u64).contains(n))
        .ok_or(format!(
            "server {v} is out of range: this ensemble has servers 1 to {servers}"
        ))
}

fn parse_op(v: &Value, servers: usize) -> Result<ScriptOp, String> {
    let obj = v.as_object().ok_or("an op must be a JSON object")?;
    let op = get_str(obj, "op", None)?;
    match op.as_str() {
        "stop" | "start" => {
            check_keys(obj, &["op", "server"], "op")?;
            let server = get_server(obj.get("server").ok_or("missing \"server\"")?, servers)?;
            Ok(if op == "stop" {
                ScriptOp::Stop { server }
            } else {
                ScriptOp::Start { server }
            })
        }
        "wait" => {
            check_keys(obj, &["op", "ms"], "op")?;
            let ms = obj
                .get("ms")
                .ok_or("missing \"ms\"")?
                .as_u64()
                .filter(|ms| *ms <= MAX_WAIT_MS)
                .ok_or(format!("\"ms\" must be an integer from 0 to {MAX_WAIT_MS}"))?;
            Ok(ScriptOp::Wait { ms })
        }
        "connect" | "create" | "get" | "set" | "delete" | "exists" | "children" | "sync"
        | "multi" | "set_acl" | "get_acl" | "add_auth" | "close" | "expire" => {
            let client = get_str(obj, "client", None)?;
            if client.is_empty() || client.len() > 32 {
                return Err("\"client\" must be a name of 1 to 32 characters".into());
            }
            if client.starts_with("zk") {
                return Err(format!(
                    "client name \"{client}\" looks like a server's (zk1…): pick another"
                ));
            }
            if op == "expire" {
                check_keys(obj, &["op", "client"], "\"expire\"")?;
                return Ok(ScriptOp::Expire { client });
            }
            let call = parse_call(&op, obj, servers)?;
            Ok(ScriptOp::Client { client, call })
        }
        other => Err(unknown_op(other)),
    }
}

fn unknown_op(op: &str) -> String {
    format!(
        "unknown op \"{op}\" (known: connect, create, get, set, delete, exists, children, \
         sync, multi, set_acl, get_acl, add_auth, close, expire, stop, start, wait)"
    )
}

fn parse_call(op: &str, obj: &Map<String, Value>, servers: usize) -> Result<ClientCall, String> {
    let keys = |extra: &[&str]| {
        let mut k = vec!["op", "client"];
        k.extend_from_slice(extra);
        check_keys(obj, &k, &format!("\"{op}\""))
    };
    let path = || get_str(obj, "path", None);
    Ok(match op {
        "connect" => {
            keys(&["servers", "server", "timeout_ms"])?;
            let list = match (obj.get("servers"), obj.get("server")) {
                (Some(_), Some(_)) => return Err("give \"servers\" or \"server\", not both".into()),
                (Some(Value::Array(a)), None) if !a.is_empty() => a
                    .iter()
                    .map(|s| get_server(s, servers))
                    .collect::<Result<Vec<_>, _>>()?,
                (Some(_), None) => return Err("\"servers\" must be a non-empty list".into()),
                (None, Some(s)) => vec![get_server(s, servers)?],
                (None, None) => (1..=servers as u64).collect(),
            };
            let timeout_ms = get_i32(obj, "timeout_ms", Some(DEFAULT_TIMEOUT_MS))?;
            if timeout_ms <= 0 {
                return Err("\"timeout_ms\" must be positive".into());
            }
            ClientCall::Connect {
                servers: list,
                timeout_ms,
            }
        }
        "create" => {
            keys(&CREATE_KEYS_STAT)?;
            let WriteOp::Create {
                path,
                data,
                mode,
                acl,
                ttl,
                ..
            } = parse_write(op, obj)?
            else {
                return Err(unknown_op(op));
            };
            let stat = get_bool(obj, "stat")?;
            ClientCall::Create {
                path,
                data,
                mode,
                stat,
                acl,
                ttl,
            }
        }
        "children" => {
            keys(&["path", "watch", "stat"])?;
            ClientCall::Children {
                path: path()?,
                watch: get_bool(obj, "watch")?,
                stat: get_bool(obj, "stat")?,
            }
        }
        "get" | "exists" => {
            keys(&["path", "watch"])?;
            let (path, watch) = (path()?, get_bool(obj, "watch")?);
            match op {
                "get" => ClientCall::Get { path, watch },
                _ => ClientCall::Exists { path, watch },
            }
        }
        "multi" => {
            keys(&["ops"])?;
            let list = obj
                .get("ops")
                .ok_or("missing \"ops\"")?
                .as_array()
                .ok_or("\"ops\" must be a list")?;
            let ops = list
                .iter()
                .enumerate()
                .map(|(i, v)| parse_multi_op(v).map_err(|e| format!("multi op {i}: {e}")))
                .collect::<Result<Vec<_>, _>>()?;
            ClientCall::Multi { ops }
        }
        "set" => {
            keys(&["path", "data", "version"])?;
            let WriteOp::SetData {
                path,
                data,
                version,
            } = parse_write(op, obj)?
            else {
                return Err(unknown_op(op));
            };
            ClientCall::Set {
                path,
                data,
                version,
            }
        }
        "delete" => {
            keys(&["path", "version"])?;
            let WriteOp::Delete { path, version } = parse_write(op, obj)? else {
                return Err(unknown_op(op));
            };
            ClientCall::Delete { path, version }
        }
        "sync" => {
            keys(&["path"])?;
            ClientCall::Sync {
                path: get_str(obj, "path", Some("/"))?,
            }
        }
        "set_acl" => {
            keys(&["path", "acl", "version"])?;
            ClientCall::SetAcl {
                path: path()?,
                acl: parse_acl(obj.get("acl").ok_or("missing \"acl\"")?)?,
                version: get_i32(obj, "version", Some(-1))?,
            }
        }
        "get_acl" => {
            keys(&["path"])?;
            ClientCall::GetAcl { path: path()? }
        }
        "add_auth" => {
            keys(&["scheme", "auth"])?;
            ClientCall::AddAuth {
                scheme: get_str(obj, "scheme", None)?,
                auth: get_str(obj, "auth", Some(""))?,
            }
        }
        "close" => {
            keys(&[])?;
            ClientCall::Close
        }
        other => return Err(unknown_op(other)),
    })
}

/// One op inside a `multi`: `check`, `create`, `set` or `delete`, with the fields (and
/// defaults) of the op of the same name, and no `client`.
fn parse_multi_op(v: &Value) -> Result<WriteOp, String> {
    let obj = v.as_object().ok_or("an op must be a JSON object")?;
    let op = get_str(obj, "op", None)?;
    let fields: &[&str] = match op.as_str() {
        "check" | "delete" => &["op", "path", "version"],
        "create" => &CREATE_KEYS_STAT[..CREATE_KEYS_STAT.len() - 1],
        "set" => &["op", "path", "data", "version"],
        other => {
            return Err(format!(
                "unknown op \"{other}\" in a multi (known: check, create, set, delete)"
            ))
        }
    };
    check_keys(obj, fields, &format!("\"{op}\""))?;
    parse_write(&op, obj)
}

/// A script's `"config"`: `{"extended_types": true, "container_check_interval_ms": 1000}`.
fn parse_flags(v: &Value) -> Result<ServerFlags, String> {
    let obj = v.as_object().ok_or("\"config\" must be a JSON object")?;
    check_keys(
        obj,
        &["extended_types", "container_check_interval_ms"],
        "\"config\"",
    )?;
    let interval = match obj.get("container_check_interval_ms") {
        None => None,
        Some(v) => Some(
            v.as_u64()
                .filter(|ms| (1..=MAX_WAIT_MS).contains(ms))
                .ok_or(format!(
                    "\"container_check_interval_ms\" must be an integer from 1 to {MAX_WAIT_MS}"
                ))?,
        ),
    };
    Ok(ServerFlags {
        extended_types: get_bool(obj, "extended_types")?,
        container_check_interval_ms: interval,
    })
}

/// The fields a `create` op may have (`stat` last: not inside a multi).
const CREATE_KEYS_STAT: [&str; 9] = [
    "op",
    "path",
    "data",
    "ephemeral",
    "sequential",
    "container",
    "ttl_ms",
    "acl",
    "stat",
];

/// An ACL list: `[{"scheme": "digest", "id": "user:hash", "perms": "cdrwa"}]` (an empty list
/// is allowed: the server answers `InvalidACL`).
pub fn parse_acl(v: &Value) -> Result<Vec<Acl>, String> {
    let list = v.as_array().ok_or("\"acl\" must be a list")?;
    list.iter()
        .map(|e| {
            let o = e.as_object().ok_or(
                "an ACL entry must be a JSON object with \"scheme\", \"id\" and \"perms\"",
            )?;
            check_keys(o, &["scheme", "id", "perms"], "ACL entry")?;
            let perms = get_str(o, "perms", None)?;
            let perms = parse_perms(&perms).ok_or(format!(
                "\"perms\" \"{perms}\" may only use the letters c, d, r, w, a"
            ))?;
            Ok(Acl::new(
                perms,
                &get_str(o, "scheme", None)?,
                &get_str(o, "id", Some(""))?,
            ))
        })
        .collect()
}

/// The write a `create`, `set`, `delete` or `check` op names.
fn parse_write(op: &str, obj: &Map<String, Value>) -> Result<WriteOp, String> {
    let path = get_str(obj, "path", None)?;
    let version = || get_i32(obj, "version", Some(-1));
    let data = || get_str(obj, "data", Some(""));
    Ok(match op {
        "create" => {
            let (ephemeral, sequential) =
                (get_bool(obj, "ephemeral")?, get_bool(obj, "sequential")?);
            let container = get_bool(obj, "container")?;
            let ttl = match obj.get("ttl_ms") {
                None => None,
                Some(v) => Some(v.as_i64().ok_or("\"ttl_ms\" must be an integer")?),
            };
            let mode = match (container, ttl) {
                (true, Some(_)) => {
                    return Err("a node is a container or has a TTL, not both".into())
                }
                (true, _) if ephemeral || sequential => {
                    return Err("a container is neither ephemeral nor sequential".into())
                }
                (_, Some(_)) if ephemeral => return Err("an ephemeral node has no TTL".into()),
                (true, None) => CreateMode::Container,
                (false, Some(_)) if sequential => CreateMode::PersistentSequentialWithTtl,
                (false, Some(_)) => CreateMode::PersistentWithTtl,
                (false, None) => CreateMode::from_flags(ephemeral, sequential),
            };
            let acl = match obj.get("acl") {
                None => open_acl_unsafe(),
                Some(v) => parse_acl(v)?,
            };
            WriteOp::create_with(&path, &data()?, acl, mode, ttl.unwrap_or(-1))
        }
        "set" => WriteOp::set_data(&path, &data()?, version()?),
        "delete" => WriteOp::delete(&path, version()?),
        "check" => WriteOp::check(&path, version()?),
        other => return Err(unknown_op(other)),
    })
}

mod runner;

pub use runner::{run, run_script_configured, run_script_with};

#[cfg(test)]
pub(crate) mod fake_server;

#[cfg(test)]
mod tests;
