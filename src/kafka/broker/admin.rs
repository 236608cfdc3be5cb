//! Admin work a broker does in ZooKeeper on a client's or an operator's behalf
//! (`ZkAdminManager`, `AdminZkClient`, 2.8.2):
//!
//! * `CreateTopics`: assign replicas over the live brokers of the metadata cache and create
//!   `/brokers/topics/<t>`; the controller's watch does the rest.
//! * [`Operator::AlterConfig`](crate::kafka::msg::Operator::AlterConfig) as `kafka-configs.sh --zookeeper` (`changeConfigs`): for a
//!   topic, check `/brokers/topics/<t>` exists; read the entity's config, merge the pairs (an
//!   empty value deletes the key), write `/config/<type>/<name>` (`setData` or `create`),
//!   then the sequential `/config/changes/config_change_<seq>` = `{"version":2,
//!   "entity_path":..}` every broker's config listener reacts to.
//! * [`Operator::AddPartitions`](crate::kafka::msg::Operator::AddPartitions) as `kafka-topics.sh --alter --partitions`
//!   (`AdminZkClient.addPartitions`): the new partitions are assigned with
//!   `new_partitions_assignment` over the brokers sorted by id and the grown assignment is
//!   written to `/brokers/topics/<t>`; the controller's partition-modifications watch creates
//!   them.
//!
//! Simplified: the tools' validation errors become notes in the trace; broker entities are
//! written as the `AlterConfigs` API does (ZooKeeper tooling refuses non-quota broker keys
//! while the broker runs), limited to the dynamic keys listed in
//! [`super::dynamic_config::DYNAMIC_BROKER_KEYS`]; the brokers for new partitions come from
//! the metadata cache rather than `/brokers/ids`.

use crate::sim::{VecMap, VecSet};

use super::dynamic_config::DYNAMIC_BROKER_KEYS;
use super::{Broker, KCtx, ZkReq};
use crate::kafka::assignment::{assign_replicas_to_brokers, new_partitions_assignment};
use crate::kafka::config::{BrokerConfig, TopicConfig};
use crate::kafka::errors::KafkaError;
use crate::kafka::msg::{ConfigEntity, Msg};
use crate::kafka::znodes::{
    decode_entity_config, encode_config_change, encode_entity_config, paths, TopicAssignment,
};
use crate::sim::NodeId;
use crate::zk::msg::{ClientOp, ReplyBody};
use crate::zk::{CreateMode, ErrorCode, WriteOp};

/// An admin ZooKeeper request of this broker.
#[derive(Clone, Debug, PartialEq)]
pub enum AdminReq {
    /// `exists(/brokers/topics/<t>)` before altering a topic's config.
    TopicExists(ConfigEntity, Vec<(String, String)>),
    /// The entity's current config.
    ReadEntity(ConfigEntity, Vec<(String, String)>),
    /// The entity znode written.
    WriteEntity(ConfigEntity),
    /// The change notification created.
    Notify,
    /// `/brokers/topics/<t>` read before adding partitions.
    ReadTopic(String, i32),
    /// The grown assignment written.
    WriteTopic(String),
}

fn entity_znode(entity: &ConfigEntity) -> String {
    format!("/config/{}", entity.entity_path())
}

fn text(bytes: Vec<u8>) -> String {
    String::from_utf8_lossy(&bytes).into_owned()
}

impl Broker {
    /// `CreateTopics` (`ZkAdminManager.createTopics`).
    pub(super) fn on_create_topics(
        &mut self,
        ctx: &mut KCtx,
        src: NodeId,
        topic: String,
        num_partitions: i32,
        replication_factor: i32,
    ) {
        if self.metadata.partitions.keys().any(|(t, _)| *t == topic) {
            let error = KafkaError::TopicAlreadyExists;
            ctx.send(src, Msg::CreateTopicsResponse { topic, error });
            return;
        }
        let brokers: Vec<i32> = self.metadata.brokers.iter().map(|b| b.id).collect();
        let assignment = assign_replicas_to_brokers(
            &brokers,
            num_partitions,
            replication_factor,
            None,
            -1,
            ctx.rng(),
        );
        match assignment {
            Ok(a) => {
                let data = text(TopicAssignment::new(None, &a).encode());
                let op = WriteOp::create(&paths::topic(&topic), &data, CreateMode::Persistent);
                let req = ZkReq::CreateTopic { client: src, topic };
                self.zk_call(ctx, req, ClientOp::Write(op));
            }
            Err(e) => {
                let error = e.error;
                ctx.send(src, Msg::CreateTopicsResponse { topic, error });
            }
        }
    }

    /// [`Operator::AlterConfig`](crate::kafka::msg::Operator::AlterConfig).
    pub(super) fn alter_config(
        &mut self,
        ctx: &mut KCtx,
        entity: ConfigEntity,
        configs: Vec<(String, String)>,
    ) {
        // Validate as `LogConfig.validate` / `DynamicBrokerConfig` would.
        for (k, v) in configs.iter().filter(|(_, v)| !v.is_empty()) {
            let checked = match &entity {
                ConfigEntity::Topic(_) => TopicConfig::default().set(k, v),
                _ if !DYNAMIC_BROKER_KEYS.contains(&k.as_str()) => {
                    ctx.note(format!(
                        "alter-config refused: {k} is not a dynamic broker config here"
                    ));
                    return;
                }
                _ => BrokerConfig::default().set(k, v),
            };
            if let Err(e) = checked {
                ctx.note(format!("alter-config refused: {e}"));
                return;
            }
        }
        match &entity {
            ConfigEntity::Topic(t) => {
                let op = ClientOp::Exists {
                    path: paths::topic(t),
                    watch: false,
                };
                let req = ZkReq::Admin(AdminReq::TopicExists(entity.clone(), configs));
                self.zk_call(ctx, req, op);
            }
            _ => self.read_entity(ctx, entity, configs),
        }
    }

    fn read_entity(
        &mut self,
        ctx: &mut KCtx,
        entity: ConfigEntity,
        configs: Vec<(String, String)>,
    ) {
        let op = ClientOp::GetData {
            path: entity_znode(&entity),
            watch: false,
        };
        self.zk_call(ctx, ZkReq::Admin(AdminReq::ReadEntity(entity, configs)), op);
    }

    /// [`Operator::AddPartitions`](crate::kafka::msg::Operator::AddPartitions).
    pub(super) fn add_partitions(&mut self, ctx: &mut KCtx, topic: String, count: i32) {
        let op = ClientOp::GetData {
            path: paths::topic(&topic),
            watch: false,
        };
        self.zk_call(ctx, ZkReq::Admin(AdminReq::ReadTopic(topic, count)), op);
    }

    pub(super) fn on_admin_completed(
        &mut self,
        ctx: &mut KCtx,
        req: AdminReq,
        result: Result<ReplyBody, ErrorCode>,
    ) {
        match req {
            AdminReq::TopicExists(entity, configs) => match result {
                Ok(ReplyBody::Exists(Some(_))) => self.read_entity(ctx, entity, configs),
                _ => ctx.note(format!(
                    "alter-config refused: topic {} does not exist (UNKNOWN_TOPIC_OR_PARTITION)",
                    entity.entity_path()
                )),
            },
            AdminReq::ReadEntity(entity, configs) => {
                let (mut current, exists) = match &result {
                    Ok(ReplyBody::Data { data, .. }) => (
                        decode_entity_config(data.as_bytes()).unwrap_or_default(),
                        true,
                    ),
                    Err(ErrorCode::NoNode) => (VecMap::new(), false),
                    _ => {
                        ctx.note("alter-config failed: could not read the entity's config");
                        return;
                    }
                };
                for (k, v) in configs {
                    if v.is_empty() {
                        current.remove(&k);
                    } else {
                        current.insert(k, v);
                    }
                }
                let data = text(encode_entity_config(&current));
                let path = entity_znode(&entity);
                let op = if exists {
                    WriteOp::set_data(&path, &data, -1)
                } else {
                    WriteOp::create(&path, &data, CreateMode::Persistent)
                };
                let req = ZkReq::Admin(AdminReq::WriteEntity(entity));
                self.zk_call(ctx, req, ClientOp::Write(op));
            }
            AdminReq::WriteEntity(entity) => {
                if let Err(e) = result {
                    ctx.note(format!("alter-config failed ({})", e.name()));
                    return;
                }
                let data = text(encode_config_change(&entity.entity_path()));
                let op = WriteOp::create(
                    paths::CONFIG_CHANGE_PREFIX,
                    &data,
                    CreateMode::PersistentSequential,
                );
                self.zk_call(ctx, ZkReq::Admin(AdminReq::Notify), ClientOp::Write(op));
            }
            AdminReq::Notify => {}
            AdminReq::ReadTopic(topic, count) => self.on_topic_read(ctx, topic, count, result),
            AdminReq::WriteTopic(topic) => {
                if let Err(e) = result {
                    ctx.note(format!("add-partitions for {topic} failed ({})", e.name()));
                }
            }
        }
    }

    fn on_topic_read(
        &mut self,
        ctx: &mut KCtx,
        topic: String,
        count: i32,
        result: Result<ReplyBody, ErrorCode>,
    ) {
        let Ok(ReplyBody::Data { data, .. }) = &result else {
            ctx.note(format!(
                "add-partitions refused: topic {topic} does not exist"
            ));
            return;
        };
        let Ok(current) = TopicAssignment::decode(data.as_bytes()) else {
            return;
        };
        let existing: VecMap<i32, Vec<i32>> = current
            .partitions
            .iter()
            .map(|(&p, a)| (p, a.replicas.clone()))
            .collect();
        // Live broker ids are unique (the controller keys them by id), so a sorted set is the sorted list.
        let brokers: Vec<i32> = (self
            .metadata
            .brokers
            .iter()
            .map(|b| b.id)
            .collect::<VecSet<i32>>())
        .into_iter()
        .collect();
        match new_partitions_assignment(&topic, &existing, &brokers, count) {
            Ok(added) => {
                let mut all = existing;
                all.extend(added);
                let data = text(TopicAssignment::new(current.topic_id.clone(), &all).encode());
                let op = WriteOp::set_data(&paths::topic(&topic), &data, -1);
                let req = ZkReq::Admin(AdminReq::WriteTopic(topic));
                self.zk_call(ctx, req, ClientOp::Write(op));
            }
            Err(e) => ctx.note(format!("add-partitions refused: {}", e.message)),
        }
    }
}
