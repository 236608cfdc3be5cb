//! The script runner: delivers each op to the simulation, steps it until the op's outcome
//! shows up in the client's log (or the op times out), and prints outcomes, watch events,
//! state changes and invariant violations as JSON lines. Split from `script.rs` (parsing).

use crate::sim::{Actor, Checker, Input, NodeId, Sim, TimeUs, World, MS};
use crate::zk::client::node::{ClientNode, LogEntry};
use crate::zk::client::Call;
use crate::zk::data::acl::{perms_string, Acl};
use crate::zk::data::txn::OpResult;
use crate::zk::msg::{Control, Msg, ReplyBody};
use crate::zk::types::Stat;

use super::{
    ClientCall, Script, ScriptOp, ScriptSetup, BOOT_LIMIT_US, MAX_STEPS_PER_OP, OP_TIMEOUT_US,
};

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
    run_script_configured(text, |s| build(s.seed, s.servers, s.clients), client_of)
}

/// [`run_script_with`] for a builder that also applies the script's server settings
/// (`"config"`); `run_script_with`'s builder ignores them.
pub fn run_script_configured<A, C>(
    text: &str,
    build: impl FnOnce(&ScriptSetup) -> Sim<A, C>,
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
    let setup = ScriptSetup {
        seed: script.seed,
        servers: script.servers,
        clients: &refs,
        flags: &script.flags,
    };
    let mut sim = build(&setup);
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
                Ok(ReplyBody::Write(OpResult::Multi(results))) => multi_fields(head, results),
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
        ReplyBody::Write(r) => result_fields(line, r),
        ReplyBody::Data { data, stat } => line.val("data", data).val("stat", stat),
        ReplyBody::Exists(stat) => line.val("stat", stat),
        ReplyBody::Children { children, stat } => opt_stat(line.val("children", children), stat),
        ReplyBody::Sync { path } => line.val("path", path),
        ReplyBody::Acl { acl, stat } => line.val("acl", acl_json(acl)).val("stat", stat),
    }
}

/// An ACL as scripts write it: `[{"scheme", "id", "perms": "cdrwa"}]`.
fn acl_json(acl: &[Acl]) -> Vec<serde_json::Value> {
    acl.iter()
        .map(|a| {
            serde_json::json!({
                "scheme": a.id.scheme,
                "id": a.id.id,
                "perms": perms_string(a.perms),
            })
        })
        .collect()
}

/// The fields of a write's result; a `stat` only when the answer carries one.
fn result_fields(line: Line, r: &OpResult) -> Line {
    match r {
        OpResult::Create { path, stat } => opt_stat(line.val("path", path), stat),
        OpResult::SetData { stat } | OpResult::SetAcl { stat } => line.val("stat", stat),
        OpResult::Error(err) => line.val("error", err.name()),
        _ => line,
    }
}

fn opt_stat(line: Line, stat: &Option<Stat>) -> Line {
    match stat {
        Some(stat) => line.val("stat", stat),
        None => line,
    }
}

/// A multi's line: `ok` and the first failing op's `error` as the Java client reports
/// them, then `results`, one object per op named by `OpResult.getType()` (`check`,
/// `create`/`create2`, `setData`, `delete`, or `error` with the op's code).
fn multi_fields(head: Line, results: &[OpResult]) -> Line {
    let head = match results.iter().map(OpResult::err).find(|e| !e.is_ok()) {
        None => head.val("ok", true),
        Some(err) => head.val("ok", false).val("error", err.name()),
    };
    let items: Vec<String> = results
        .iter()
        .map(|r| {
            let kind = match r {
                OpResult::Create { stat: Some(_), .. } => "create2",
                OpResult::Create { .. } => "create",
                OpResult::SetData { .. } => "setData",
                OpResult::Delete => "delete",
                OpResult::Check => "check",
                OpResult::Error(_) => "error",
                _ => "unknown",
            };
            result_fields(Line::new().val("op", kind), r).finish()
        })
        .collect();
    head.raw("results", format!("[{}]", items.join(",")))
}
