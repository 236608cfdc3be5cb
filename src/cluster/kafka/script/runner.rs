//! The script runner: builds the cluster, boots it, runs each op to completion and prints one
//! JSON line per op (plus a line per invariant violation). Stepping, the environment's
//! mailbox of broker answers, ZooKeeper calls through `zk-admin`, faults, `wait` and
//! `describe` live here; the client ops are in `ops.rs`.

use std::collections::BTreeMap;

use crate::sim::VecMap;

use crate::kafka::broker::{host_of, Broker, ReplicaRole};
use crate::kafka::msg::{Msg as KMsg, Operator, PartitionInfo};
use crate::kafka::partitioner::Partitioner;
use crate::kafka::Wire;
use crate::sim::{Input, NodeId, SimRng, TimeUs, World, MS, SEC};
use crate::zk::client::node::LogEntry;
use crate::zk::client::{Call, CallOp};
use crate::zk::msg::{ClientOp, Control, ReplyBody};
use crate::zk::{self, ErrorCode, ZkConfig};

use crate::cluster::checkers::{checkers_for, Protocol};
use crate::cluster::scenario::base_link;
use crate::cluster::{ClusterSim, Msg, Node};

use super::group::{consumer_node, group_clients, GroupClient, NOT_YET_US};
use super::parse::{Script, ScriptOp};
use super::{BOOT_LIMIT_US, OP_TIMEOUT_US, ZK_ADMIN};

/// Bound on the steps one op may take, whatever the simulated time.
const MAX_STEPS_PER_OP: u64 = 5_000_000;
/// Session timeout of the `zk-admin` client (ms).
const ADMIN_SESSION_TIMEOUT_MS: i32 = 30_000;
/// How long `stop_broker` waits for the broker to stop (controlled shutdown: 3 attempts
/// 5 s apart, each waiting up to `request.timeout.ms`).
const STOP_LIMIT_US: TimeUs = 60 * SEC;

/// An ordered JSON object written field by field (serde_json's map would sort the keys).
pub(super) struct Line(Vec<(&'static str, String)>);

impl Line {
    pub(super) fn new() -> Self {
        Line(Vec::new())
    }

    pub(super) fn raw(mut self, k: &'static str, json: String) -> Self {
        self.0.push((k, json));
        self
    }

    pub(super) fn val(self, k: &'static str, v: impl serde::Serialize) -> Self {
        let json = serde_json::to_string(&v).unwrap_or_else(|_| "null".into());
        self.raw(k, json)
    }

    /// `"ok": false` with an error name and, if not empty, a message.
    pub(super) fn error(self, name: &str, message: &str) -> Self {
        let line = self.val("ok", false).val("error", name);
        if message.is_empty() {
            line
        } else {
            line.val("message", message)
        }
    }

    pub(super) fn finish(self) -> String {
        let fields: Vec<String> = self
            .0
            .into_iter()
            .map(|(k, v)| format!("\"{k}\":{v}"))
            .collect();
        format!("{{{}}}", fields.join(","))
    }
}

/// A script client's state: its partitioner (sticky partitions for null keys) and its
/// consumer positions.
#[derive(Clone, Debug, Default)]
pub(super) struct ClientState {
    pub(super) partitioner: Partitioner,
    pub(super) positions: VecMap<(String, i32), i64>,
}

/// Parses and runs a script on a fresh cluster; returns the output lines.
pub fn run_script(text: &str) -> Result<Vec<String>, String> {
    let script = Script::parse(text)?;
    let mut sim = build_cluster(&script);
    run(&script, &mut sim)
}

/// The cluster a script runs on: ZooKeeper servers `zk1..zkN` (sids 1..N, booting 3 ms apart),
/// brokers `broker-1..broker-M` (`broker.id` 1..M, from 1 s on, 200 ms apart, each starting
/// its ZooKeeper connection at a different server) with the script's broker settings, and the
/// scripted ZooKeeper client `zk-admin`; one group consumer per client that `consume`s with a
/// `group` (labelled with the client's name, started by its first op); the ZooKeeper and
/// Kafka checkers.
pub fn build_cluster(script: &Script) -> ClusterSim {
    let mut world = World::new(script.seed, base_link());
    let zk_nodes: Vec<NodeId> = (0..script.zk as u32).map(NodeId).collect();
    let cfg = ZkConfig::new(
        zk_nodes
            .iter()
            .enumerate()
            .map(|(i, id)| (i as u64 + 1, *id))
            .collect(),
    );
    for i in 0..script.zk {
        let server = zk::Server::new(i as u64 + 1, cfg.clone());
        world.add_node_at(Node::from(server), (i as TimeUs) * 3 * MS);
    }
    let first_node = script.zk as u32;
    let ids = broker_ids(script);
    let address_book: Vec<(String, NodeId)> = ids
        .clone()
        .enumerate()
        .map(|(i, id)| (host_of(id), NodeId(first_node + i as u32)))
        .collect();
    for (i, id) in ids.enumerate() {
        let mut servers = zk_nodes.clone();
        servers.rotate_left(i % zk_nodes.len());
        let b = Broker::new(
            id,
            servers,
            script.broker_config.clone(),
            address_book.clone(),
        );
        world.add_node_at(Node::from(b), SEC + (i as TimeUs) * 200 * MS);
    }
    world.add_node_at(Node::from(zk::ClientNode::scripted(ZK_ADMIN)), 0);
    let brokers: Vec<NodeId> = address_book.iter().map(|(_, n)| *n).collect();
    for (client, group, topic) in group_clients(script) {
        world.add_node_at(consumer_node(&client, &group, &topic, &brokers), NOT_YET_US);
    }
    ClusterSim::new(world, checkers_for(&[Protocol::Zk, Protocol::Kafka]))
}

/// The script's broker ids, in order.
fn broker_ids(script: &Script) -> std::ops::Range<i32> {
    script.first_broker_id..script.first_broker_id + script.brokers as i32
}

/// Runs a parsed script on `sim` (built by [`build_cluster`] for the same script).
pub fn run(script: &Script, sim: &mut ClusterSim) -> Result<Vec<String>, String> {
    let find = |label: &str| {
        sim.world
            .node_ids()
            .find(|id| sim.world.label(*id) == label)
            .ok_or(format!("the cluster has no node labelled {label}"))
    };
    let zk_nodes = (1..=script.zk)
        .map(|sid| find(&format!("zk{sid}")))
        .collect::<Result<Vec<_>, _>>()?;
    let broker_nodes = broker_ids(script)
        .map(|id| find(&host_of(id)))
        .collect::<Result<Vec<_>, _>>()?;
    let admin = find(ZK_ADMIN)?;
    let mut groups = BTreeMap::new();
    for (client, group, topic) in group_clients(script) {
        let node = crate::cluster::kafka::consumers(&sim.world)
            .find(|(_, c)| c.name == client)
            .map(|(n, _)| n)
            .ok_or(format!("the cluster has no consumer {client}"))?;
        let cursor = 0;
        groups.insert(
            client,
            GroupClient {
                group,
                topic,
                node,
                cursor,
            },
        );
    }
    let mut runner = Runner {
        sim,
        zk_nodes,
        broker_nodes,
        first_broker_id: script.first_broker_id,
        admin,
        admin_cursor: 0,
        next_tag: 1,
        next_correlation: 1,
        inbox: Vec::new(),
        clients: BTreeMap::new(),
        groups,
        rng: SimRng::new(script.seed ^ 0x6b61_666b_6173_6372),
        broker_config: script.broker_config.clone(),
        out: Vec::new(),
    };
    runner.boot();
    for (i, op) in script.ops.iter().enumerate() {
        runner.run_op(i, op);
    }
    Ok(runner.out)
}

pub(super) struct Runner<'s> {
    pub(super) sim: &'s mut ClusterSim,
    zk_nodes: Vec<NodeId>,
    /// Node of broker id `first_broker_id + i`.
    pub(super) broker_nodes: Vec<NodeId>,
    first_broker_id: i32,
    admin: NodeId,
    admin_cursor: usize,
    next_tag: u64,
    pub(super) next_correlation: i32,
    /// Kafka answers the brokers sent to the environment, not yet taken.
    inbox: Vec<(NodeId, KMsg)>,
    pub(super) clients: BTreeMap<String, ClientState>,
    /// The group consumers, by client name.
    pub(super) groups: BTreeMap<String, GroupClient>,
    /// The script's own random choices (sticky partitions, random assignment starts).
    pub(super) rng: SimRng,
    pub(super) broker_config: crate::kafka::config::BrokerConfig,
    pub(super) out: Vec<String>,
}

impl Runner<'_> {
    pub(super) fn now_us(&self) -> TimeUs {
        self.sim.world.now_us()
    }

    /// Starts every node, connects `zk-admin`, then waits until every broker is registered
    /// and every broker's metadata lists them all (or [`BOOT_LIMIT_US`] has passed).
    fn boot(&mut self) {
        let all_up = |w: &World<Node>| {
            w.node_ids()
                .all(|id| w.is_up(id) || w.node(id).kafka_consumer().is_some())
        };
        self.run_until(BOOT_LIMIT_US, |r| all_up(&r.sim.world));
        let connect = CallOp::Connect {
            servers: self.zk_nodes.clone(),
            timeout_ms: ADMIN_SESSION_TIMEOUT_MS,
        };
        let connected = matches!(self.zk_call_op(connect), Some(LogEntry::Connected { .. }));
        let n = self.broker_nodes.len();
        let ready = self.run_until(BOOT_LIMIT_US, |r| {
            r.brokers().all(|(_, b)| {
                b.broker_epoch >= 0
                    && b.metadata.brokers.len() == n
                    && b.metadata.controller_id >= 0
            })
        });
        if !connected || !ready {
            let line = Line::new().val("boot", false).val(
                "message",
                "the cluster did not finish booting (registrations, controller, metadata) within 60 s",
            );
            self.out.push(line.finish());
        }
    }

    fn run_op(&mut self, i: usize, op: &ScriptOp) {
        let head = Line::new().val("i", i).val("op", op.name());
        let line = match op {
            ScriptOp::CreateTopic(ct) => self.create_topic(head, ct),
            ScriptOp::Produce {
                client,
                topic,
                key,
                value,
                partition,
                config,
            } => self.produce(
                head.val("client", client),
                client,
                topic,
                key.as_deref(),
                value,
                *partition,
                config,
            ),
            ScriptOp::Consume {
                client,
                group,
                topic,
                partition,
                max,
            } => {
                let head = head.val("client", client);
                match group {
                    Some(g) => self.consume_in_group(head, client, g, topic, *max),
                    None => self.consume(head, client, topic, *partition, *max),
                }
            }
            ScriptOp::Commit { client, group } => {
                self.commit(head.val("client", client), client, group.as_deref())
            }
            ScriptOp::AlterConfig {
                entity_type,
                name,
                configs,
            } => self.alter_config(head, entity_type, name, configs),
            ScriptOp::Seek {
                client,
                topic,
                partition,
                offset,
            } if self.groups.contains_key(client) => self.seek_in_group(
                head.val("client", client)
                    .val("topic", topic)
                    .val("partition", partition)
                    .val("offset", offset),
                client,
                *partition,
                *offset,
            ),
            ScriptOp::Seek {
                client,
                topic,
                partition,
                offset,
            } => {
                let state = self.clients.entry(client.clone()).or_default();
                state.positions.insert((topic.clone(), *partition), *offset);
                head.val("client", client)
                    .val("topic", topic)
                    .val("partition", partition)
                    .val("offset", offset)
                    .val("ok", true)
            }
            ScriptOp::Describe { topic } => self.describe(head.val("topic", topic), topic),
            ScriptOp::ZkGet { path } => self.zk_get(head.val("path", path), path),
            ScriptOp::CrashBroker { broker } => self.crash_broker(head, *broker),
            ScriptOp::StartBroker { broker } => self.start_broker(head, *broker),
            ScriptOp::StopBroker { broker } => self.stop_broker(head, *broker),
            ScriptOp::StopZk { server } | ScriptOp::StartZk { server } => {
                let stop = matches!(op, ScriptOp::StopZk { .. });
                let node = self.zk_nodes[(*server - 1) as usize];
                let head = head.val("server", server);
                if self.sim.world.is_up(node) != stop {
                    let err = if stop {
                        "ALREADY_STOPPED"
                    } else {
                        "ALREADY_RUNNING"
                    };
                    head.error(err, "")
                } else {
                    let input = if stop {
                        Input::Crash(node)
                    } else {
                        Input::Restart(node)
                    };
                    self.sim.world.inject(input);
                    self.step();
                    head.val("ok", true)
                }
            }
            ScriptOp::Wait { ms } => {
                self.sleep(ms * MS);
                head.val("ms", ms).val("ok", true)
            }
        };
        self.out.push(line.finish());
    }

    fn crash_broker(&mut self, head: Line, broker: i32) -> Line {
        let Some(node) = self.broker_node(broker) else {
            return head.error("BROKER_NOT_AVAILABLE", "no such broker");
        };
        let head = head.val("broker", broker);
        if !self.sim.world.is_up(node) {
            return head.error("ALREADY_STOPPED", "");
        }
        self.sim.world.inject(Input::Crash(node));
        self.step();
        head.val("ok", true)
    }

    fn start_broker(&mut self, head: Line, broker: i32) -> Line {
        let Some(node) = self.broker_node(broker) else {
            return head.error("BROKER_NOT_AVAILABLE", "no such broker");
        };
        let head = head.val("broker", broker);
        if self.sim.world.is_up(node) {
            return head.error("ALREADY_RUNNING", "");
        }
        self.sim.world.inject(Input::Restart(node));
        self.step();
        // A restarted broker registers again (a new broker epoch); until the previous
        // session expires its old ephemeral is in the way (NodeExists, retried).
        let deadline = self.now_us() + OP_TIMEOUT_US;
        self.run_until(deadline, |r| {
            r.broker(node).is_some_and(|b| b.broker_epoch >= 0)
        });
        let epoch = self.broker(node).map_or(-1, |b| b.broker_epoch);
        let line = head.val("ok", true).val("broker_epoch", epoch);
        if epoch < 0 {
            line.val("message", "not registered again within 60 s")
        } else {
            line
        }
    }

    /// `kafka-server-stop.sh`: the operator's `Shutdown` command, then wait until the broker
    /// has stopped (down, or unregistered with its ZooKeeper session closed), at most
    /// [`STOP_LIMIT_US`].
    fn stop_broker(&mut self, head: Line, broker: i32) -> Line {
        let Some(node) = self.broker_node(broker) else {
            return head.error("BROKER_NOT_AVAILABLE", "no such broker");
        };
        let head = head.val("broker", broker);
        if !self.sim.world.is_up(node) {
            return head.error("ALREADY_STOPPED", "");
        }
        self.deliver(node, Operator::Shutdown);
        let stopped = |r: &Runner| {
            !r.sim.world.is_up(node)
                || r.broker(node)
                    .is_some_and(|b| b.broker_epoch < 0 && !b.zk.state().is_alive())
        };
        let deadline = self.now_us() + STOP_LIMIT_US;
        if self.run_until(deadline, stopped) {
            return head.val("ok", true);
        }
        head.error(
            "REQUEST_TIMED_OUT",
            &format!("broker {broker} did not stop within 60 s"),
        )
    }

    /// `describe`: each partition's leader, leader epoch, replicas and ISR — the newest
    /// (highest leader epoch, then zkVersion) view among the running brokers' metadata
    /// caches and the leaders' own partition state — and every replica's LEO and HW as its
    /// broker holds them (down brokers included: their logs are on disk).
    fn describe(&mut self, head: Line, topic: &str) -> Line {
        let mut views: VecMap<i32, PartitionInfo> = VecMap::new();
        let mut offer = |p: PartitionInfo| {
            let newer = views
                .get(&p.partition)
                .is_none_or(|v| (p.leader_epoch, p.zk_version) > (v.leader_epoch, v.zk_version));
            if newer {
                views.insert(p.partition, p);
            }
        };
        for (node, b) in self.brokers() {
            if !self.sim.world.is_up(node) {
                continue;
            }
            for ((t, _), p) in &b.metadata.partitions {
                if t == topic {
                    offer(p.clone());
                }
            }
            for ((t, p), r) in &b.replicas {
                if t == topic && r.role == ReplicaRole::Leader {
                    offer(PartitionInfo {
                        topic: t.clone(),
                        partition: *p,
                        controller_epoch: b.highest_controller_epoch,
                        leader: b.id,
                        leader_epoch: r.leader_epoch,
                        isr: r.isr.clone(),
                        zk_version: r.zk_version,
                        replicas: r.replicas.clone(),
                    });
                }
            }
        }
        if views.is_empty() {
            return head.error("UNKNOWN_TOPIC_OR_PARTITION", "");
        }
        let parts: Vec<String> = views
            .values()
            .map(|p| {
                let logs: Vec<String> = p
                    .replicas
                    .iter()
                    .map(|&id| self.replica_log(topic, p.partition, id))
                    .collect();
                Line::new()
                    .val("partition", p.partition)
                    .val("leader", p.leader)
                    .val("leader_epoch", p.leader_epoch)
                    .val("replicas", &p.replicas)
                    .val("isr", &p.isr)
                    .raw("logs", format!("[{}]", logs.join(",")))
                    .finish()
            })
            .collect();
        head.val("ok", true)
            .raw("partitions", format!("[{}]", parts.join(",")))
    }

    /// `{"broker", "up", "leo", "hw"}` of one replica (`leo`/`hw` null if it has no log).
    fn replica_log(&self, topic: &str, partition: i32, id: i32) -> String {
        let node = self.broker_node(id);
        let b = node.and_then(|n| self.broker(n));
        let r = b.and_then(|b| b.replicas.get(&(topic.to_string(), partition)));
        Line::new()
            .val("broker", id)
            .val("up", node.is_some_and(|n| self.sim.world.is_up(n)))
            .val("leo", r.map(|r| r.log.log_end_offset()))
            .val("hw", r.map(|r| r.log.high_watermark()))
            .finish()
    }

    fn zk_get(&mut self, head: Line, path: &str) -> Line {
        let op = ClientOp::GetData {
            path: path.to_string(),
            watch: false,
        };
        match self.zk_call(op) {
            Ok(ReplyBody::Data { data, stat }) => {
                head.val("ok", true).val("data", data).val("stat", stat)
            }
            Ok(_) => head.error("SystemError", "unexpected reply"),
            Err(e) => head.error(e.name(), ""),
        }
    }

    // ----- the world -----

    /// Every broker with its node.
    pub(super) fn brokers(&self) -> impl Iterator<Item = (NodeId, &Broker)> {
        crate::cluster::kafka::brokers(&self.sim.world)
    }

    /// The node of broker `id`, if the script has it.
    fn broker_node(&self, id: i32) -> Option<NodeId> {
        let i = usize::try_from(id - self.first_broker_id).ok()?;
        self.broker_nodes.get(i).copied()
    }

    pub(super) fn broker(&self, node: NodeId) -> Option<&Broker> {
        self.sim.world.node(node).kafka_broker()
    }

    /// One step; violations become lines, Kafka answers to the environment go to the inbox.
    /// Returns the step's narration, or `None` if nothing was left to do.
    fn step_record(&mut self) -> Option<Vec<String>> {
        let rec = self.sim.step()?;
        for v in &rec.violations {
            let line = Line::new()
                .val("violation", v.checker)
                .val("message", &v.message)
                .val("time_us", v.time_us);
            self.out.push(line.finish());
        }
        for s in &rec.sends {
            if s.dst == NodeId::ENV {
                if let Some(m) = s.msg.kafka() {
                    self.inbox.push((s.src, m.clone()));
                }
            }
        }
        Some(rec.notes)
    }

    pub(super) fn step(&mut self) -> bool {
        self.step_record().is_some()
    }

    /// Steps until `done` holds (true) or the next event would pass `until` (false).
    pub(super) fn run_until(&mut self, until: TimeUs, mut done: impl FnMut(&Self) -> bool) -> bool {
        for _ in 0..MAX_STEPS_PER_OP {
            if done(self) {
                return true;
            }
            match self.sim.world.next_event_us() {
                Some(t) if t <= until => {}
                _ => return false,
            }
            if !self.step() {
                return false;
            }
        }
        done(self)
    }

    /// Lets `us` of simulated time pass.
    pub(super) fn sleep(&mut self, us: TimeUs) {
        let until = self.now_us().saturating_add(us);
        self.run_until(until, |_| false);
    }

    /// A client's back-off before a retry: like [`Self::sleep`], but time always moves on
    /// (to the next event if none falls within `us`: the simulated clock only advances with
    /// events). False if the world has nothing left to do, so a retry loop must stop.
    pub(super) fn back_off(&mut self, us: TimeUs) -> bool {
        let before = self.now_us();
        self.sleep(us);
        self.now_us() > before || self.step()
    }

    /// Delivers `msg` from the environment to `node` and waits (up to `timeout_us`) for the
    /// answer `pick` accepts. `None`: the node is down or did not answer in time.
    pub(super) fn request(
        &mut self,
        node: NodeId,
        msg: KMsg,
        timeout_us: TimeUs,
        pick: impl Fn(&KMsg) -> bool,
    ) -> Option<KMsg> {
        if !self.sim.world.is_up(node) {
            return None;
        }
        self.inbox.clear();
        self.sim
            .world
            .inject(Input::Deliver(node, Msg::from(Wire::Kafka(msg))));
        let until = self.now_us().saturating_add(timeout_us);
        let found = |r: &Self| r.inbox.iter().any(|(src, m)| *src == node && pick(m));
        if !self.run_until(until, found) {
            return None;
        }
        let i = self
            .inbox
            .iter()
            .position(|(src, m)| *src == node && pick(m))?;
        Some(self.inbox.remove(i).1)
    }

    // ----- ZooKeeper through zk-admin -----

    /// Runs `op` on the `zk-admin` session; `Err(OperationTimeout)` if no outcome came.
    pub(super) fn zk_call(&mut self, op: ClientOp) -> Result<ReplyBody, ErrorCode> {
        match self.zk_call_op(CallOp::Op(op)) {
            Some(LogEntry::Done { result, .. }) => result,
            _ => Err(ErrorCode::OperationTimeout),
        }
    }

    fn zk_call_op(&mut self, op: CallOp) -> Option<LogEntry> {
        let tag = self.next_tag;
        self.next_tag += 1;
        let msg = Msg::from(zk::Msg::Control(Control::ClientCall(Call { tag, op })));
        self.sim.world.inject(Input::Deliver(self.admin, msg));
        let until = self.now_us().saturating_add(OP_TIMEOUT_US);
        let mut found = None;
        for _ in 0..MAX_STEPS_PER_OP {
            if let Some(e) = self.admin_outcome(tag) {
                found = Some(e);
                break;
            }
            match self.sim.world.next_event_us() {
                Some(t) if t <= until => {}
                _ => break,
            }
            if !self.step() {
                break;
            }
        }
        found
    }

    /// The outcome of call `tag` in `zk-admin`'s log, if it has come; moves the cursor past
    /// what was looked at (watch events and state changes are not printed).
    fn admin_outcome(&mut self, tag: u64) -> Option<LogEntry> {
        let node = self.sim.world.node(self.admin);
        let log = node.zk_client().and_then(|c| c.scripted_log())?;
        let mut hit = None;
        let mut cursor = self.admin_cursor;
        for (idx, e) in log.entries_since(self.admin_cursor) {
            cursor = idx + 1;
            if e.tag() == Some(tag) {
                hit = Some(e.clone());
                break;
            }
        }
        self.admin_cursor = cursor;
        hit
    }
}
