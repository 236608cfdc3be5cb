//! A Kafka 2.8 broker on ZooKeeper: registration, controller election, the controller
//! ([`controller`]) and the partitions it hosts ([`replica`]); admin work in ZooKeeper
//! ([`admin`]), dynamic configs ([`dynamic_config`]), the clean stop ([`shutdown`]) and the
//! pre-2.7 ISR propagation ([`isr_zk`]).
//!
//! Modelled after `KafkaServer.startup`, `KafkaZkClient.registerBroker` /
//! `registerControllerAndIncrementControllerEpoch` and `KafkaController.elect` (sheet C.3,
//! C.4). The broker talks to ZooKeeper only through an embedded [`ZkClient`], so its
//! requests, watches and session show in the trace and the tree:
//!
//! 1. On a new session: create the top-level paths (`NodeExists` ignored), then the ephemeral
//!    `/brokers/ids/<id>` with `create2`; its `czxid` is the broker epoch.
//! 2. `exists(/controller, watch)`: if present, read who is controller; else elect: read
//!    `/controller_epoch` (create it with `0` if missing), then one `multi` creating the
//!    ephemeral `/controller` and setting `/controller_epoch` to `E+1` at version `V`.
//!    `NodeExists`/`BadVersion` → re-read `/controller` and `/controller_epoch`
//!    (`checkControllerAndEpoch`): it won only if both name it.
//! 3. `/controller` deleted → re-elect; created or changed → resign if it is someone else.
//! 4. Session expired → resign, open a new session and register again (new broker epoch).
//!
//! Simplified: no `/cluster/id`, `meta.properties`, `/feature` or generated broker ids; a
//! registration refused with `NodeExists` (the previous incarnation's session has not yet
//! expired) is retried every 2 s instead of failing the broker's start-up. Broker hosts are
//! resolved to simulator nodes through an address book given at build time (DNS).

pub mod admin;
pub mod controller;
pub mod coordinator;
pub mod dynamic_config;
pub mod isr_zk;
pub mod produce;
pub mod producer_ids;
pub mod replica;
pub mod shutdown;

use crate::sim::VecMap;
use std::collections::VecDeque;

use crate::kafka::config::BrokerConfig;
use crate::kafka::errors::KafkaError;
use crate::kafka::msg::{LiveBroker, Msg, Operator, PartitionInfo, Tick, Timer, Wire};
use crate::kafka::znodes::{self, paths, BrokerRegistration, Endpoint};
use crate::sim::{Ctx, NodeId, MS};
use crate::zk::client::{multi_outcome, ClientEvent, ZkClient};
use crate::zk::msg::{ClientOp, ReplyBody};
use crate::zk::{CreateMode, ErrorCode, EventType, KeeperState, OpResult, SessionId, WriteOp};

pub use controller::Controller;
pub use replica::{Replica, ReplicaRole};

/// The context a Kafka actor handles events with.
pub type KCtx<'a> = Ctx<'a, Wire, Tick>;

/// The context the embedded ZooKeeper client runs in. Calls go through `ctx.scoped` into the
/// ZooKeeper protocol's own types, so the client's handlers are compiled once for every
/// protocol that embeds one (they are generic over the context's types).
type ZkCtx<'a> = Ctx<'a, crate::zk::Msg, crate::zk::Timer>;

/// Port every broker advertises.
pub const BROKER_PORT: i32 = 9092;
/// Bound on client events handled in one step.
const MAX_EVENTS: usize = 1_000;
/// Persistent paths a broker makes sure exist on a new session (the part of
/// `ZkData.PersistentZkPaths` the simulator uses, parents first).
const STARTUP_PATHS: &[&str] = &[
    "/brokers",
    paths::BROKER_IDS,
    paths::TOPICS,
    "/config",
    paths::CONFIG_CHANGES,
    "/config/topics",
    "/config/brokers",
    paths::ISR_CHANGE_NOTIFICATION,
];

/// Why the broker made a ZooKeeper call (the tag's meaning when it completes).
#[derive(Clone, Debug, PartialEq)]
pub enum ZkReq {
    /// A top-level path (`NodeExists` is fine).
    CreatePath,
    /// `/brokers/ids/<id>`.
    Register,
    /// `exists(/controller, watch)`.
    WatchController,
    /// `getData(/controller)`: who is controller.
    ControllerData,
    /// `getData(/controller_epoch)` before electing.
    ReadEpoch,
    /// `create(/controller_epoch, 0)`.
    CreateEpoch,
    /// The election `multi`.
    Elect { new_epoch: i32 },
    /// `checkControllerAndEpoch`: `getData(/controller)`.
    ConfirmController { new_epoch: i32 },
    /// `checkControllerAndEpoch`: `getData(/controller_epoch)`.
    ConfirmEpoch { new_epoch: i32 },
    /// A controller request, for the controller of this epoch.
    Ctl {
        epoch: i32,
        req: controller::CtlReq,
        /// The call, sent again after a `ConnectionLoss` (`retryRequestsUntilConnected`).
        op: Box<ClientOp>,
    },
    /// `/brokers/topics/<t>` written for a `CreateTopics` request.
    CreateTopic { client: NodeId, topic: String },
    /// A step of the controlled shutdown.
    Shutdown(shutdown::ShutdownReq),
    /// Admin work (`AlterConfig`, `AddPartitions`).
    Admin(admin::AdminReq),
    /// The dynamic config listener.
    Config(dynamic_config::ConfigReq),
    /// ZK-ISR mode: the leader's own ISR write or notification.
    IsrZk(isr_zk::IsrZkReq),
    /// `getData(/config/topics/<t>)` when a log is created.
    TopicLogConfig { topic: String },
    /// `getData(/latest_producer_id_block)`.
    ProducerIdBlockRead,
    /// The conditional write of a new producer id block.
    ProducerIdBlockWrite {
        block: crate::kafka::znodes::ProducerIdBlock,
    },
}

/// What the broker knows from `UpdateMetadata` (`MetadataCache`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MetadataCache {
    pub controller_id: i32,
    pub brokers: Vec<LiveBroker>,
    pub partitions: VecMap<(String, i32), PartitionInfo>,
}

/// A broker node.
#[derive(Clone, Debug, PartialEq)]
pub struct Broker {
    /// `broker.id`.
    pub id: i32,
    /// Label, e.g. `broker-1`.
    pub name: String,
    /// Its configuration.
    pub config: BrokerConfig,
    /// The ZooKeeper session handle.
    pub zk: ZkClient,
    /// Host name → node (the network's name resolution).
    pub address_book: Vec<(String, NodeId)>,
    /// Broker epoch (czxid of its registration), -1 until registered.
    pub broker_epoch: i64,
    /// Broker id of the controller as last read from `/controller`, -1 if none.
    pub active_controller: i32,
    /// The controller, while this broker is it.
    pub controller: Option<Controller>,
    /// Partition replicas hosted here (logs survive crashes).
    pub replicas: VecMap<(String, i32), Replica>,
    /// Metadata cache.
    pub metadata: MetadataCache,
    /// Highest controller epoch seen in a controller request.
    pub highest_controller_epoch: i32,
    /// Controller epochs this broker has held (observers and tests read it).
    pub controller_epochs_held: Vec<i32>,
    next_tag: u64,
    pending: VecMap<u64, ZkReq>,
    deferred: VecDeque<ClientEvent>,
    session: SessionId,
    /// A controlled shutdown in progress.
    pub shutdown: Option<shutdown::ShutdownState>,
    /// Dynamic configs (`/config/...`) as this broker last read them.
    pub dynamic: dynamic_config::DynamicConfig,
    /// ZK-ISR mode: ISR changes waiting to be announced.
    pub isr_zk: isr_zk::IsrPropagation,
    /// Unclean leader elections this broker made as controller (`UncleanLeaderElectionsPerSec`).
    pub unclean_elections: u64,
    pub(crate) parked: Vec<produce::DelayedProduce>,
    /// Producer ids for idempotent producers (volatile).
    pub producer_ids: producer_ids::ProducerIdManager,
    /// The group coordinator (volatile; reloaded from `__consumer_offsets`).
    pub coordinator: coordinator::GroupCoordinator,
}

impl Broker {
    /// A broker with `broker.id` `id` that will connect to `zk_servers`.
    pub fn new(
        id: i32,
        zk_servers: Vec<NodeId>,
        config: BrokerConfig,
        address_book: Vec<(String, NodeId)>,
    ) -> Self {
        let timeout = i32::try_from(config.zookeeper_session_timeout_ms).unwrap_or(18_000);
        Self {
            id,
            name: host_of(id),
            dynamic: dynamic_config::DynamicConfig::new(config.clone()),
            config,
            zk: ZkClient::new(zk_servers, timeout),
            address_book,
            broker_epoch: -1,
            active_controller: -1,
            controller: None,
            replicas: VecMap::new(),
            metadata: MetadataCache {
                controller_id: -1,
                ..MetadataCache::default()
            },
            highest_controller_epoch: 0,
            controller_epochs_held: Vec::new(),
            next_tag: 1,
            pending: VecMap::new(),
            deferred: VecDeque::new(),
            session: 0,
            parked: Vec::new(),
            shutdown: None,
            isr_zk: isr_zk::IsrPropagation::default(),
            unclean_elections: 0,
            producer_ids: producer_ids::ProducerIdManager::default(),
            coordinator: coordinator::GroupCoordinator::default(),
        }
    }

    /// Whether this broker is the active controller.
    pub fn is_controller(&self) -> bool {
        self.controller.is_some()
    }

    /// The controller epoch, if it is the controller.
    pub fn controller_epoch(&self) -> Option<i32> {
        self.controller.as_ref().map(|c| c.epoch)
    }

    /// Partitions it leads and follows.
    pub fn leads_follows(&self) -> (usize, usize) {
        let leads = self
            .replicas
            .values()
            .filter(|r| r.role == ReplicaRole::Leader)
            .count();
        let follows = self
            .replicas
            .values()
            .filter(|r| r.role == ReplicaRole::Follower)
            .count();
        (leads, follows)
    }

    /// The node a broker id's host resolves to.
    pub fn resolve(&self, id: i32) -> Option<NodeId> {
        let host = host_of(id);
        self.address_book
            .iter()
            .find(|(h, _)| *h == host)
            .map(|(_, n)| *n)
    }

    // ----- actor -----

    /// Starts: connects to ZooKeeper, arms the replica manager's tasks.
    pub fn on_start(&mut self, ctx: &mut KCtx) {
        ctx.scoped(|c: &mut ZkCtx| self.zk.connect(c));
        ctx.set_timer(
            Timer::FetchTick,
            self.config.replica_fetch_wait_max_ms.max(1) as u64 * MS,
        );
        ctx.set_timer(
            Timer::IsrExpiration,
            (self.config.replica_lag_time_max_ms / 2).max(1) as u64 * MS,
        );
        self.arm_isr_propagation(ctx);
    }

    /// A ZooKeeper packet or a Kafka request.
    pub fn on_message(&mut self, ctx: &mut KCtx, src: NodeId, msg: Wire) {
        match msg {
            Wire::Zk(m) => {
                let events = ctx.scoped(|c: &mut ZkCtx| self.zk.on_message(c, src, m));
                self.handle(ctx, events);
            }
            Wire::Kafka(m) => self.on_kafka(ctx, src, m),
        }
        self.drain(ctx);
        self.coordinator_after_event(ctx);
    }

    /// A timer.
    pub fn on_timer(&mut self, ctx: &mut KCtx, t: Tick) {
        match t {
            Tick::Zk(crate::zk::Timer::Client(t)) => {
                let events = ctx.scoped(|c: &mut ZkCtx| self.zk.on_timer(c, t));
                self.handle(ctx, events);
            }
            Tick::Zk(_) => {}
            Tick::Kafka(Timer::Reconnect) => {
                if !self.zk.state().is_alive() {
                    ctx.scoped(|c: &mut ZkCtx| self.zk.connect(c));
                } else if self.broker_epoch < 0 {
                    self.register(ctx);
                }
            }
            Tick::Kafka(Timer::FetchTick) => {
                self.on_fetch_tick(ctx);
                ctx.set_timer(
                    Timer::FetchTick,
                    self.config.replica_fetch_wait_max_ms.max(1) as u64 * MS,
                );
            }
            Tick::Kafka(Timer::IsrExpiration) => {
                self.maybe_shrink_isr(ctx);
                ctx.set_timer(
                    Timer::IsrExpiration,
                    (self.config.replica_lag_time_max_ms / 2).max(1) as u64 * MS,
                );
            }
            Tick::Kafka(Timer::ProduceTimeout) => self.expire_produces(ctx),
            Tick::Kafka(
                t @ (Timer::ControlledShutdownRetry | Timer::ControlledShutdownTimeout),
            ) => self.on_shutdown_timer(ctx, t),
            Tick::Kafka(Timer::AutoLeaderRebalance) => self.ctl_on_auto_rebalance(ctx),
            Tick::Kafka(Timer::ControllerRequestTimeout) => self.ctl_on_request_timeout(ctx),
            Tick::Kafka(Timer::IsrChangePropagation) => self.on_isr_propagation_tick(ctx),
            Tick::Kafka(Timer::Coordinator) => self.on_coordinator_timer(ctx),
            Tick::Kafka(_) => {}
        }
        self.drain(ctx);
        self.coordinator_after_event(ctx);
    }

    /// Crash: the session handle, controller role and replica roles are lost; logs stay.
    pub fn on_crash(&mut self) {
        self.zk.on_crash();
        self.broker_epoch = -1;
        self.active_controller = -1;
        self.controller = None;
        self.pending.clear();
        self.deferred.clear();
        self.session = 0;
        self.parked.clear();
        self.producer_ids = producer_ids::ProducerIdManager::default();
        self.coordinator = coordinator::GroupCoordinator::default();
        self.metadata = MetadataCache {
            controller_id: -1,
            ..MetadataCache::default()
        };
        self.highest_controller_epoch = 0;
        for r in self.replicas.values_mut() {
            r.on_crash();
        }
        self.shutdown = None;
        self.config = self.dynamic.static_config.clone();
        self.dynamic = dynamic_config::DynamicConfig::new(self.config.clone());
        self.isr_zk = isr_zk::IsrPropagation::default();
    }

    fn on_kafka(&mut self, ctx: &mut KCtx, src: NodeId, m: Msg) {
        match m {
            Msg::LeaderAndIsr {
                controller_epoch,
                broker_epoch,
                partitions,
                correlation_id,
                ..
            } => {
                self.on_leader_and_isr(ctx, controller_epoch, broker_epoch, partitions);
                let error = if controller_epoch < self.highest_controller_epoch {
                    KafkaError::StaleControllerEpoch
                } else {
                    KafkaError::None
                };
                let reply = Msg::ControlResponse {
                    api: "LeaderAndIsr",
                    correlation_id,
                    error,
                };
                ctx.send(src, reply);
            }
            Msg::ControlResponse { correlation_id, .. } => {
                self.ctl_on_control_response(src, correlation_id)
            }
            Msg::UpdateMetadata {
                controller_id,
                controller_epoch,
                partitions,
                live_brokers,
                correlation_id,
                ..
            } => {
                let error = if controller_epoch < self.highest_controller_epoch {
                    KafkaError::StaleControllerEpoch
                } else {
                    KafkaError::None
                };
                let reply = Msg::ControlResponse {
                    api: "UpdateMetadata",
                    correlation_id,
                    error,
                };
                ctx.send(src, reply);
                if controller_epoch < self.highest_controller_epoch {
                    ctx.note("UpdateMetadata from a stale controller epoch: ignored");
                    return;
                }
                self.highest_controller_epoch = controller_epoch;
                self.metadata.controller_id = controller_id;
                self.metadata.brokers = live_brokers;
                for p in partitions {
                    self.metadata
                        .partitions
                        .insert((p.topic.clone(), p.partition), p);
                }
            }
            Msg::Fetch { .. } => self.on_fetch(ctx, src, m),
            Msg::FetchResponse { .. } => self.on_fetch_response(ctx, m),
            Msg::AlterIsr { .. } => self.ctl_on_alter_isr(ctx, src, m),
            Msg::AlterIsrResponse {
                topic,
                partition,
                error,
                state,
            } => self.on_alter_isr_response(ctx, topic, partition, error, state),
            Msg::CreateTopics {
                topic,
                num_partitions,
                replication_factor,
            } => self.on_create_topics(ctx, src, topic, num_partitions, replication_factor),
            Msg::Metadata { topics } => {
                let partitions = self
                    .metadata
                    .partitions
                    .values()
                    .filter(|p| topics.is_empty() || topics.contains(&p.topic))
                    .cloned()
                    .collect();
                let reply = Msg::MetadataResponse {
                    brokers: self.metadata.brokers.clone(),
                    controller_id: self.metadata.controller_id,
                    partitions,
                };
                ctx.send(src, reply);
            }
            Msg::Produce { .. } => self.on_produce(ctx, src, m),
            Msg::ListOffsets { .. } => self.on_list_offsets(ctx, src, m),
            Msg::Operator(op) => self.on_operator(ctx, op),
            Msg::StopReplica {
                controller_epoch,
                broker_epoch,
                delete_partitions,
                partitions,
                ..
            } => self.on_stop_replica(
                ctx,
                controller_epoch,
                broker_epoch,
                delete_partitions,
                partitions,
            ),
            Msg::ControlledShutdown {
                broker_id,
                broker_epoch,
            } => self.ctl_on_controlled_shutdown(ctx, src, broker_id, broker_epoch),
            Msg::ControlledShutdownResponse { error, remaining } => {
                self.on_controlled_shutdown_response(ctx, error, remaining)
            }
            Msg::CreateTopicsResponse { .. }
            | Msg::ListOffsetsResponse { .. }
            | Msg::MetadataResponse { .. }
            | Msg::ProduceResponse { .. } => {}
            Msg::InitProducerId { correlation_id } => {
                self.on_init_producer_id(ctx, src, correlation_id)
            }
            Msg::InitProducerIdResponse { .. } => {}
            m => self.coordinator_on_request(ctx, src, m),
        }
    }

    /// An operator's command.
    fn on_operator(&mut self, ctx: &mut KCtx, op: Operator) {
        match op {
            Operator::Shutdown => self.on_shutdown(ctx),
            Operator::AlterConfig { entity, configs } => self.alter_config(ctx, entity, configs),
            Operator::AddPartitions { topic, count } => self.add_partitions(ctx, topic, count),
            Operator::Send { .. } | Operator::Burst { .. } => {
                ctx.note("a broker does not send records: ignored")
            }
            Operator::SetAcks(_) => ctx.note("acks is a producer setting: ignored"),
            Operator::Leave | Operator::Commit | Operator::Seek { .. } => {}
        }
    }

    // ----- ZooKeeper -----

    /// Makes a ZooKeeper call; its completion comes back tagged with `req`.
    pub(crate) fn zk_call(&mut self, ctx: &mut KCtx, req: ZkReq, op: ClientOp) {
        let tag = self.next_tag;
        self.next_tag += 1;
        self.pending.insert(tag, req);
        let events = ctx.scoped(|c: &mut ZkCtx| self.zk.call(c, tag, op));
        self.deferred.extend(events);
    }

    fn drain(&mut self, ctx: &mut KCtx) {
        let events: Vec<ClientEvent> = self.deferred.drain(..).collect();
        if !events.is_empty() {
            self.handle(ctx, events);
        }
    }

    fn handle(&mut self, ctx: &mut KCtx, events: Vec<ClientEvent>) {
        let mut queue: VecDeque<ClientEvent> = events.into();
        let mut n = 0;
        while let Some(ev) = queue.pop_front() {
            n += 1;
            if n > MAX_EVENTS {
                ctx.note("too many ZooKeeper events in one step: the rest are dropped");
                break;
            }
            match ev {
                ClientEvent::State(state) => self.on_state(ctx, state),
                ClientEvent::Watch { event, path } => self.on_watch(ctx, event, &path),
                ClientEvent::Completed { tag, result, .. } => {
                    if let Some(req) = self.pending.remove(&tag) {
                        self.on_completed(ctx, req, result);
                    }
                }
            }
            queue.extend(self.deferred.drain(..));
        }
    }

    fn on_state(&mut self, ctx: &mut KCtx, state: KeeperState) {
        match state {
            KeeperState::SyncConnected if self.zk.session_id() != self.session => {
                self.session = self.zk.session_id();
                self.on_new_session(ctx);
            }
            KeeperState::SyncConnected => self.ctl_resend_after_reconnect(ctx),
            KeeperState::Expired => {
                ctx.note("its ZooKeeper session expired: resigns, re-registers with a new session");
                self.broker_epoch = -1;
                self.resign(ctx);
                self.active_controller = -1;
                ctx.scoped(|c: &mut ZkCtx| self.zk.connect(c));
            }
            _ => {}
        }
    }

    fn on_new_session(&mut self, ctx: &mut KCtx) {
        for path in STARTUP_PATHS {
            let op = WriteOp::create(path, "", CreateMode::Persistent);
            self.zk_call(ctx, ZkReq::CreatePath, ClientOp::Write(op));
        }
        self.register(ctx);
        self.watch_controller(ctx);
        self.start_config_listener(ctx);
    }

    fn register(&mut self, ctx: &mut KCtx) {
        let now_ms = (ctx.now_us() / MS) as i64;
        let reg = BrokerRegistration::new(
            vec![Endpoint::plaintext(&self.name, BROKER_PORT)],
            now_ms,
            None,
        );
        let data = String::from_utf8_lossy(&reg.encode()).into_owned();
        // Kafka registers with create2 (Create2Callback), so the reply carries the stat.
        let op = WriteOp::create2(&paths::broker_id(self.id), &data, CreateMode::Ephemeral);
        self.zk_call(ctx, ZkReq::Register, ClientOp::Write(op));
    }

    fn watch_controller(&mut self, ctx: &mut KCtx) {
        let op = ClientOp::Exists {
            path: paths::CONTROLLER.into(),
            watch: true,
        };
        self.zk_call(ctx, ZkReq::WatchController, op);
    }

    fn get_data(&mut self, ctx: &mut KCtx, req: ZkReq, path: &str, watch: bool) {
        let op = ClientOp::GetData {
            path: path.into(),
            watch,
        };
        self.zk_call(ctx, req, op);
    }

    fn on_watch(&mut self, ctx: &mut KCtx, event: EventType, path: &str) {
        if path == paths::CONTROLLER {
            if event == EventType::NodeDeleted {
                ctx.note("/controller is gone: re-elects");
                self.resign(ctx);
                self.active_controller = -1;
            }
            // Re-arm the watch and elect or learn the new controller.
            self.watch_controller(ctx);
            return;
        }
        if event == EventType::NodeChildrenChanged && self.config_on_watch(ctx, path) {
            return;
        }
        self.ctl_on_watch(ctx, event, path);
    }

    fn on_completed(&mut self, ctx: &mut KCtx, req: ZkReq, result: Result<ReplyBody, ErrorCode>) {
        match req {
            ZkReq::CreatePath => {}
            ZkReq::Register => match result {
                Ok(ReplyBody::Write(OpResult::Create {
                    stat: Some(stat), ..
                })) => {
                    self.broker_epoch = stat.czxid;
                    ctx.note(format!(
                        "registered /brokers/ids/{} (broker epoch = czxid {})",
                        self.id, stat.czxid
                    ));
                }
                Ok(_) => {}
                Err(ErrorCode::NodeExists) => {
                    ctx.note("already registered by an older session: retries in 2 s");
                    ctx.set_timer(Timer::Reconnect, 2_000 * MS);
                }
                Err(e) => {
                    ctx.note(format!(
                        "registration failed ({}): retries in 2 s",
                        e.name()
                    ));
                    ctx.set_timer(Timer::Reconnect, 2_000 * MS);
                }
            },
            ZkReq::WatchController => match result {
                Ok(ReplyBody::Exists(Some(_))) => {
                    self.get_data(ctx, ZkReq::ControllerData, paths::CONTROLLER, false)
                }
                Err(ErrorCode::NoNode) | Ok(ReplyBody::Exists(None)) => self.elect(ctx),
                _ => {}
            },
            ZkReq::ControllerData => {
                if let Ok(ReplyBody::Data { data, .. }) = result {
                    let id = znodes::decode_controller(data.as_bytes()).unwrap_or(-1);
                    self.active_controller = id;
                    if id != self.id && self.controller.is_some() {
                        ctx.note(format!("broker {id} is controller now: resigns"));
                        self.resign(ctx);
                    }
                } else if result == Err(ErrorCode::NoNode) {
                    self.elect(ctx);
                }
            }
            ZkReq::ReadEpoch => match result {
                Ok(ReplyBody::Data { data, stat }) => {
                    let epoch = znodes::decode_controller_epoch(data.as_bytes()).unwrap_or(0);
                    self.try_elect(ctx, epoch, stat.version);
                }
                Err(ErrorCode::NoNode) => {
                    let data =
                        String::from_utf8_lossy(&znodes::encode_controller_epoch(0)).into_owned();
                    let op =
                        WriteOp::create(paths::CONTROLLER_EPOCH, &data, CreateMode::Persistent);
                    self.zk_call(ctx, ZkReq::CreateEpoch, ClientOp::Write(op));
                }
                _ => {}
            },
            ZkReq::CreateEpoch => match result {
                Ok(_) => self.try_elect(ctx, 0, 0),
                Err(ErrorCode::NodeExists) => {
                    self.get_data(ctx, ZkReq::ReadEpoch, paths::CONTROLLER_EPOCH, false)
                }
                Err(_) => {}
            },
            ZkReq::Elect { new_epoch } => match multi_outcome(&result) {
                Ok(results) => {
                    let version = match results.get(1) {
                        Some(OpResult::SetData { stat }) => stat.version,
                        _ => 0,
                    };
                    self.become_controller(ctx, new_epoch, version);
                }
                Err(e) if matches!(e.err, ErrorCode::NodeExists | ErrorCode::BadVersion) => {
                    let req = ZkReq::ConfirmController { new_epoch };
                    self.get_data(ctx, req, paths::CONTROLLER, false);
                }
                Err(e) => {
                    ctx.note(format!("controller election failed ({})", e.err.name()));
                    self.watch_controller(ctx);
                }
            },
            ZkReq::ConfirmController { new_epoch } => match result {
                Ok(ReplyBody::Data { data, .. }) => {
                    let id = znodes::decode_controller(data.as_bytes()).unwrap_or(-1);
                    self.active_controller = id;
                    if id == self.id {
                        let req = ZkReq::ConfirmEpoch { new_epoch };
                        self.get_data(ctx, req, paths::CONTROLLER_EPOCH, false);
                    } else {
                        ctx.note(format!("lost the election: broker {id} is controller"));
                    }
                }
                _ => self.watch_controller(ctx),
            },
            ZkReq::ConfirmEpoch { new_epoch } => {
                if let Ok(ReplyBody::Data { data, stat }) = result {
                    if znodes::decode_controller_epoch(data.as_bytes()) == Ok(new_epoch) {
                        self.become_controller(ctx, new_epoch, stat.version);
                        return;
                    }
                }
                ctx.note("controller moved: aborts the controller start-up");
            }
            ZkReq::Ctl { epoch, req, op } => {
                if self.controller_epoch() != Some(epoch) {
                    return;
                }
                if result == Err(ErrorCode::ConnectionLoss) {
                    self.ctl_retry_when_connected(ctx, req, *op);
                    return;
                }
                self.ctl_on_completed(ctx, req, result);
            }
            ZkReq::CreateTopic { client, topic } => {
                let error = match result {
                    Ok(_) => crate::kafka::errors::KafkaError::None,
                    Err(ErrorCode::NodeExists) => {
                        crate::kafka::errors::KafkaError::TopicAlreadyExists
                    }
                    Err(_) => crate::kafka::errors::KafkaError::UnknownServerError,
                };
                ctx.send(client, Msg::CreateTopicsResponse { topic, error });
            }
            ZkReq::Shutdown(r) => self.on_shutdown_completed(ctx, r, result),
            ZkReq::Admin(r) => self.on_admin_completed(ctx, r, result),
            ZkReq::Config(r) => self.on_config_completed(ctx, r, result),
            ZkReq::IsrZk(r) => self.on_isr_zk_completed(ctx, r, result),
            ZkReq::TopicLogConfig { topic } => self.on_topic_log_config(&topic, result),
            ZkReq::ProducerIdBlockRead => self.on_producer_id_block_read(ctx, result),
            ZkReq::ProducerIdBlockWrite { block } => {
                self.on_producer_id_block_written(ctx, block, result)
            }
        }
    }

    /// `KafkaController.elect`: read `/controller_epoch`, then the election `multi`.
    fn elect(&mut self, ctx: &mut KCtx) {
        if self.broker_epoch < 0 && !self.zk.state().is_alive() {
            return;
        }
        self.get_data(ctx, ZkReq::ReadEpoch, paths::CONTROLLER_EPOCH, false);
    }

    fn try_elect(&mut self, ctx: &mut KCtx, epoch: i32, version: i32) {
        let new_epoch = epoch + 1;
        let now_ms = (ctx.now_us() / MS) as i64;
        let me = String::from_utf8_lossy(&znodes::encode_controller(self.id, now_ms)).into_owned();
        let e = String::from_utf8_lossy(&znodes::encode_controller_epoch(new_epoch)).into_owned();
        let ops = vec![
            WriteOp::create(paths::CONTROLLER, &me, CreateMode::Ephemeral),
            WriteOp::set_data(paths::CONTROLLER_EPOCH, &e, version),
        ];
        self.zk_call(ctx, ZkReq::Elect { new_epoch }, ClientOp::multi(ops));
    }

    fn resign(&mut self, ctx: &mut KCtx) {
        if let Some(c) = self.controller.take() {
            ctx.note(format!("resigns as controller of epoch {}", c.epoch));
        }
    }

    fn become_controller(&mut self, ctx: &mut KCtx, epoch: i32, epoch_zk_version: i32) {
        ctx.note(format!(
            "is controller: epoch {epoch}, /controller_epoch zkVersion {epoch_zk_version}"
        ));
        self.active_controller = self.id;
        self.controller_epochs_held.push(epoch);
        self.controller = Some(Controller::new(epoch, epoch_zk_version));
        self.ctl_failover(ctx);
    }

    /// Sends a Kafka message to broker `id`, if its host resolves.
    pub(crate) fn send_to_broker(&self, ctx: &mut KCtx, id: i32, msg: Msg) {
        if let Some(node) = self.resolve(id) {
            ctx.send(node, msg);
        }
    }
}

/// A broker's advertised host name.
pub fn host_of(id: i32) -> String {
    format!("broker-{id}")
}
