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
//! [`ClientNode`]s; it does not build the ensemble (that is composition, in `cluster`).
//! Nothing in a script can panic: bad JSON, unknown ops or fields, missing fields and servers
//! out of range are errors that say what is wrong and where.

use serde_json::{Map, Value};

use crate::sim::{Actor, Checker, Input, NodeId, Sim, TimeUs, World, MS, SEC};

use super::client::{Call, CallOp};
use super::client_node::{ClientNode, LogEntry};
use super::msg::{ClientOp, Control, Msg, ReplyBody};
use super::txn::{OpResult, WriteOp};
use super::types::CreateMode;

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

/// A parsed script.
#[derive(Clone, Debug, PartialEq)]
pub struct Script {
    /// Ensemble size (servers `zk1..zkN`, sids 1..N).
    pub servers: usize,
    /// The run's seed.
    pub seed: u64,
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
    },
    Sync {
        path: String,
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
            ClientCall::Create { path, data, mode } => {
                ClientOp::Write(WriteOp::Create { path, data, mode })
            }
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
            ClientCall::Children { path, watch } => ClientOp::GetChildren { path, watch },
            ClientCall::Sync { path } => ClientOp::Sync { path },
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
        check_keys(obj, &["servers", "seed", "ops"], "script")?;
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
        Ok(Script { servers, seed, ops })
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
        | "close" | "expire" => {
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
         sync, close, expire, stop, start, wait)"
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
            keys(&["path", "data", "ephemeral", "sequential"])?;
            let mode =
                CreateMode::from_flags(get_bool(obj, "ephemeral")?, get_bool(obj, "sequential")?);
            ClientCall::Create {
                path: path()?,
                data: get_str(obj, "data", Some(""))?,
                mode,
            }
        }
        "get" | "exists" | "children" => {
            keys(&["path", "watch"])?;
            let (path, watch) = (path()?, get_bool(obj, "watch")?);
            match op {
                "get" => ClientCall::Get { path, watch },
                "exists" => ClientCall::Exists { path, watch },
                _ => ClientCall::Children { path, watch },
            }
        }
        "set" => {
            keys(&["path", "data", "version"])?;
            ClientCall::Set {
                path: path()?,
                data: get_str(obj, "data", Some(""))?,
                version: get_i32(obj, "version", Some(-1))?,
            }
        }
        "delete" => {
            keys(&["path", "version"])?;
            ClientCall::Delete {
                path: path()?,
                version: get_i32(obj, "version", Some(-1))?,
            }
        }
        "sync" => {
            keys(&["path"])?;
            ClientCall::Sync {
                path: get_str(obj, "path", Some("/"))?,
            }
        }
        "close" => {
            keys(&[])?;
            ClientCall::Close
        }
        other => return Err(unknown_op(other)),
    })
}

/// An ordered JSON object written field by field (serde_json's map would sort the keys).
struct Line(Vec<(&'static str, String)>);

impl Line {
    fn new() -> Self {
        Line(Vec::new())
    }

    fn raw(mut self, k: &'static str, json: String) -> Self {
        self.0.push((k, json));
        self
    }

    fn val(self, k: &'static str, v: impl serde::Serialize) -> Self {
        let json = serde_json::to_string(&v).unwrap_or_else(|_| "null".into());
        self.raw(k, json)
    }

    fn finish(self) -> String {
        let fields: Vec<String> = self
            .0
            .into_iter()
            .map(|(k, v)| format!("\"{k}\":{v}"))
            .collect();
        format!("{{{}}}", fields.join(","))
    }
}

/// Runs `text` on the simulation `build(seed, servers, clients)` returns, whose server
/// nodes are labelled `zk1..zkN` and whose client nodes are scripted clients labelled by
/// name; `client_of` finds the [`ClientNode`] inside a node.
pub fn run_script_with<A, C>(
    text: &str,
    build: impl FnOnce(u64, usize, &[&str]) -> Sim<A, C>,
    client_of: fn(&A) -> Option<&ClientNode>,
) -> Result<Vec<String>, String>
where
    A: Actor,
    A::Msg: From<Msg>,
    C: Checker<A>,
{
    let script = Script::parse(text)?;
    let names = script.client_names();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let mut sim = build(script.seed, script.servers, &refs);
    run(&script, &mut sim, client_of)
}

/// Runs a parsed script on `sim`.
pub fn run<A, C>(
    script: &Script,
    sim: &mut Sim<A, C>,
    client_of: fn(&A) -> Option<&ClientNode>,
) -> Result<Vec<String>, String>
where
    A: Actor,
    A::Msg: From<Msg>,
    C: Checker<A>,
{
    let find = |label: &str| {
        sim.world
            .node_ids()
            .find(|id| sim.world.label(*id) == label)
            .ok_or(format!("the ensemble has no node labelled {label}"))
    };
    let servers = (1..=script.servers)
        .map(|sid| find(&format!("zk{sid}")))
        .collect::<Result<Vec<_>, _>>()?;
    let mut clients = Vec::new();
    for name in script.client_names() {
        let id = find(&name)?;
        if client_of(sim.world.node(id))
            .and_then(ClientNode::scripted_log)
            .is_none()
        {
            return Err(format!("node {name} is not a scripted client"));
        }
        clients.push(Watcher {
            name,
            id,
            cursor: 0,
        });
    }
    let mut runner = Runner {
        sim,
        client_of,
        clients,
        servers,
        out: Vec::new(),
    };
    runner.boot();
    for (i, op) in script.ops.iter().enumerate() {
        runner.run_op(i, op);
    }
    Ok(runner.out)
}

/// A client whose log the runner follows.
struct Watcher {
    name: String,
    id: NodeId,
    /// Log entries already looked at.
    cursor: usize,
}

struct Runner<'s, A: Actor, C: Checker<A>> {
    sim: &'s mut Sim<A, C>,
    client_of: fn(&A) -> Option<&ClientNode>,
    clients: Vec<Watcher>,
    /// Node of server sid `i + 1`.
    servers: Vec<NodeId>,
    out: Vec<String>,
}

impl<A, C> Runner<'_, A, C>
where
    A: Actor,
    A::Msg: From<Msg>,
    C: Checker<A>,
{
    /// Nodes are down until their start event: runs the world until every node is up (or
    /// [`BOOT_LIMIT_US`] has passed).
    fn boot(&mut self) {
        let all_up = |w: &World<A>| w.node_ids().all(|id| w.is_up(id));
        while !all_up(&self.sim.world)
            && self
                .sim
                .world
                .next_event_us()
                .is_some_and(|t| t <= BOOT_LIMIT_US)
        {
            self.step();
        }
    }

    fn run_op(&mut self, i: usize, op: &ScriptOp) {
        match op {
            ScriptOp::Client { client, call } => self.run_call(i, client, call),
            ScriptOp::Stop { server } | ScriptOp::Start { server } => {
                let stop = matches!(op, ScriptOp::Stop { .. });
                let node = self.servers[(*server - 1) as usize];
                let name = if stop { "stop" } else { "start" };
                let line = Line::new()
                    .val("i", i)
                    .val("op", name)
                    .val("server", server);
                let up = self.sim.world.is_up(node);
                let line = if up != stop {
                    let err = if stop {
                        "AlreadyStopped"
                    } else {
                        "AlreadyRunning"
                    };
                    line.val("ok", false).val("error", err)
                } else {
                    let input = if stop {
                        Input::Crash(node)
                    } else {
                        Input::Restart(node)
                    };
                    self.sim.world.inject(input);
                    self.step();
                    line.val("ok", true)
                };
                self.out.push(line.finish());
            }
            ScriptOp::Expire { client } => self.expire(i, client),
            ScriptOp::Wait { ms } => {
                let until = self.sim.world.now_us().saturating_add(ms * MS);
                self.run_until(until, |_| false);
                let line = Line::new().val("i", i).val("op", "wait").val("ms", ms);
                self.out.push(line.val("ok", true).finish());
            }
        }
    }

    fn expire(&mut self, i: usize, client: &str) {
        let line = Line::new()
            .val("i", i)
            .val("client", client)
            .val("op", "expire");
        let session = self
            .clients
            .iter()
            .find(|w| w.name == client)
            .and_then(|w| (self.client_of)(self.sim.world.node(w.id)))
            .map_or(0, |c| c.zk.session_id());
        if session == 0 {
            let line = line.val("ok", false).val("error", "NoSession");
            self.out.push(line.finish());
            return;
        }
        for node in self.servers.clone() {
            if self.sim.world.is_up(node) {
                let msg = Msg::Control(Control::ExpireSession(session));
                self.sim.world.inject(Input::Deliver(node, msg.into()));
                self.step();
            }
        }
        self.out.push(line.val("ok", true).finish());
    }

    fn run_call(&mut self, i: usize, client: &str, call: &ClientCall) {
        let Some(w) = self.clients.iter().position(|w| w.name == client) else {
            return;
        };
        let node = self.clients[w].id;
        let servers = self.servers.clone();
        let op = call.to_call_op(|sid| servers[(sid - 1) as usize]);
        let tag = i as u64;
        let until = self.sim.world.now_us().saturating_add(OP_TIMEOUT_US);
        let msg = Msg::Control(Control::ClientCall(Call { tag, op }));
        self.sim.world.inject(Input::Deliver(node, msg.into()));
        let outcome = self.run_until(until, |e| e.tag() == Some(tag));
        let head = Line::new()
            .val("i", i)
            .val("client", client)
            .val("op", call.name());
        let line = match outcome {
            Some(e) => self.outcome_line(head, &e),
            None => head.val("ok", false).val("error", "OperationTimeout"),
        };
        self.out.push(line.finish());
        // What the same step logged after the outcome.
        self.collect(&|_| false);
    }

    /// Steps until `done` accepts a log entry (returned) or simulated time would pass
    /// `until`, printing watch events and state changes on the way.
    fn run_until(&mut self, until: TimeUs, done: impl Fn(&LogEntry) -> bool) -> Option<LogEntry> {
        for _ in 0..MAX_STEPS_PER_OP {
            match self.sim.world.next_event_us() {
                Some(t) if t <= until => {}
                _ => return None,
            }
            if let Some(found) = self.step_and_collect(&done) {
                return Some(found);
            }
        }
        None
    }

    fn step(&mut self) {
        if self.sim_step() {
            self.collect(&|_| false);
        }
    }

    fn step_and_collect(&mut self, done: &dyn Fn(&LogEntry) -> bool) -> Option<LogEntry> {
        if !self.sim_step() {
            return None;
        }
        self.collect(done)
    }

    /// One step of the world; an invariant violation becomes a line of its own.
    fn sim_step(&mut self) -> bool {
        let Some(rec) = self.sim.step() else {
            return false;
        };
        for v in &rec.violations {
            let line = Line::new()
                .val("violation", v.checker)
                .val("message", &v.message)
                .val("time_us", v.time_us);
            self.out.push(line.finish());
        }
        true
    }

    /// Prints new watch events and state changes of every client, in log order, up to the
    /// first entry `done` accepts (returned; what follows it stays for the next call).
    fn collect(&mut self, done: &dyn Fn(&LogEntry) -> bool) -> Option<LogEntry> {
        for w in &mut self.clients {
            let node = self.sim.world.node(w.id);
            let Some(log) = (self.client_of)(node).and_then(ClientNode::scripted_log) else {
                continue;
            };
            for (idx, e) in log.entries_since(w.cursor) {
                w.cursor = idx + 1;
                if done(e) {
                    return Some(e.clone());
                }
                let line = match e {
                    LogEntry::Watch { event, path, .. } => Line::new()
                        .val("event", event.name())
                        .val("client", &w.name)
                        .val("path", path),
                    LogEntry::State { state, .. } => Line::new()
                        .val("state", state.name())
                        .val("client", &w.name),
                    // Outcomes of ops that already timed out.
                    _ => continue,
                };
                self.out.push(line.finish());
            }
        }
        None
    }

    fn outcome_line(&self, head: Line, e: &LogEntry) -> Line {
        match e {
            LogEntry::Connected {
                session_id,
                timeout_ms,
                server,
                ..
            } => {
                let sid = self.servers.iter().position(|s| s == server).map(|i| i + 1);
                head.val("ok", true)
                    .val("server", sid)
                    .val("session_id", session_id)
                    .val("timeout_ms", timeout_ms)
            }
            LogEntry::Done { result, .. } => match result {
                Err(err) => head.val("ok", false).val("error", err.name()),
                Ok(body) => body_fields(head.val("ok", true), body),
            },
            _ => head.val("ok", false).val("error", "SystemError"),
        }
    }
}

/// The fields an op's successful reply adds to its line.
fn body_fields(line: Line, body: &ReplyBody) -> Line {
    match body {
        ReplyBody::Empty => line,
        ReplyBody::Write(r) => match r {
            OpResult::Create { path, stat } => line.val("path", path).val("stat", stat),
            OpResult::SetData { stat } => line.val("stat", stat),
            _ => line,
        },
        ReplyBody::Data { data, stat } => line.val("data", data).val("stat", stat),
        ReplyBody::Exists(stat) => line.val("stat", stat),
        ReplyBody::Children { children, stat } => line.val("children", children).val("stat", stat),
        ReplyBody::Sync { path } => line.val("path", path),
    }
}

#[cfg(test)]
#[path = "fake_server.rs"]
pub(crate) mod fake_server;

#[cfg(test)]
#[path = "script_tests.rs"]
mod tests;
