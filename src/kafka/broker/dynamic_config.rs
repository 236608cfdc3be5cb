//! Dynamic configs on a broker (`DynamicConfigManager`, `ZkNodeChangeNotificationListener`,
//! `TopicConfigHandler`, `BrokerConfigHandler`, `DynamicBrokerConfig`, 2.8.2).
//!
//! On every new session the broker reads every `/config/topics/<t>`, `/config/brokers/<default>`
//! and `/config/brokers/<id>`, and lists `/config/changes` with a child watch. Each
//! notification `config_change_<seq>` newer than the last one processed is read
//! (`{"version":2,"entity_path":"topics/<t>"}`) and the entity's znode re-read and applied.
//! The effective broker config is `server.properties` overridden by the cluster default, then
//! by the per-broker entry (dynamic keys only); topic configs override the broker's for
//! that topic. `min.insync.replicas` therefore takes effect on the next produce.
//!
//! Simplified: old notifications are not purged (Kafka deletes those older than 15 min);
//! only the keys [`TopicConfig`] models are applied, others are ignored.

use crate::sim::{VecMap, VecSet};

use super::{Broker, KCtx, ZkReq};
use crate::kafka::config::{BrokerConfig, TopicConfig};
use crate::kafka::msg::ConfigEntity;
use crate::kafka::znodes::{decode_config_change, decode_entity_config, paths};
use crate::zk::msg::{ClientOp, ReplyBody};
use crate::zk::ErrorCode;

/// Broker keys a dynamic config may change (a subset of `DynamicBrokerConfig`'s
/// reconfigurable log defaults).
pub const DYNAMIC_BROKER_KEYS: &[&str] = &[
    "min.insync.replicas",
    "unclean.leader.election.enable",
    "message.max.bytes",
    "log.segment.bytes",
];

/// What this broker knows of the dynamic configs.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DynamicConfig {
    /// `server.properties` (what a restart goes back to).
    pub static_config: BrokerConfig,
    /// `/config/brokers/<default>`.
    pub cluster_default: VecMap<String, String>,
    /// `/config/brokers/<id>`.
    pub per_broker: VecMap<String, String>,
    /// `/config/topics/<t>` overrides.
    pub topics: VecMap<String, TopicConfig>,
    /// Sequence number of the last change notification processed (-1 before any).
    pub last_change: i64,
}

impl DynamicConfig {
    /// No dynamic config yet over `static_config`.
    pub fn new(static_config: BrokerConfig) -> Self {
        Self {
            static_config,
            last_change: -1,
            ..Self::default()
        }
    }
}

/// A config-listener ZooKeeper request.
#[derive(Clone, Debug, PartialEq)]
pub enum ConfigReq {
    /// `getChildren(/config/topics)` at start-up.
    Topics,
    /// `getChildren(/config/changes, watch)`.
    Changes,
    /// One notification.
    Change(i64),
    /// An entity's znode.
    Entity(ConfigEntity),
}

/// The sequence number of `config_change_<seq>`.
fn change_seq(child: &str) -> Option<i64> {
    child.strip_prefix("config_change_")?.parse().ok()
}

impl Broker {
    /// Effective `min.insync.replicas` of `topic`.
    pub fn min_insync_replicas_for(&self, topic: &str) -> i32 {
        self.dynamic
            .topics
            .get(topic)
            .map_or(self.config.min_insync_replicas, |t| {
                t.min_insync_replicas(&self.config)
            })
    }

    /// Starts the config listener on a new session.
    pub(super) fn start_config_listener(&mut self, ctx: &mut KCtx) {
        let op = ClientOp::GetChildren {
            path: "/config/topics".into(),
            watch: false,
            stat: false,
        };
        self.zk_call(ctx, ZkReq::Config(ConfigReq::Topics), op);
        for e in [ConfigEntity::BrokerDefault, ConfigEntity::Broker(self.id)] {
            self.read_config_entity(ctx, e);
        }
        self.list_config_changes(ctx);
    }

    fn list_config_changes(&mut self, ctx: &mut KCtx) {
        let op = ClientOp::GetChildren {
            path: paths::CONFIG_CHANGES.into(),
            watch: true,
            stat: false,
        };
        self.zk_call(ctx, ZkReq::Config(ConfigReq::Changes), op);
    }

    fn read_config_entity(&mut self, ctx: &mut KCtx, entity: ConfigEntity) {
        let op = ClientOp::GetData {
            path: format!("/config/{}", entity.entity_path()),
            watch: false,
        };
        self.zk_call(ctx, ZkReq::Config(ConfigReq::Entity(entity)), op);
    }

    /// A watch on `/config/changes`; true if it was one.
    pub(super) fn config_on_watch(&mut self, ctx: &mut KCtx, path: &str) -> bool {
        if path != paths::CONFIG_CHANGES {
            return false;
        }
        self.list_config_changes(ctx);
        true
    }

    pub(super) fn on_config_completed(
        &mut self,
        ctx: &mut KCtx,
        req: ConfigReq,
        result: Result<ReplyBody, ErrorCode>,
    ) {
        match req {
            ConfigReq::Topics => {
                if let Ok(ReplyBody::Children { children, .. }) = result {
                    for t in children {
                        self.read_config_entity(ctx, ConfigEntity::Topic(t));
                    }
                }
            }
            ConfigReq::Changes => {
                let Ok(ReplyBody::Children { children, .. }) = result else {
                    return;
                };
                // Sequential znode names are unique, so the sorted set is the sorted list.
                let seqs: VecSet<i64> = children.iter().filter_map(|c| change_seq(c)).collect();
                let last = self.dynamic.last_change;
                for seq in seqs.into_iter().filter(|&s| s > last) {
                    self.dynamic.last_change = seq;
                    let op = ClientOp::GetData {
                        path: format!("{}{seq:010}", paths::CONFIG_CHANGE_PREFIX),
                        watch: false,
                    };
                    self.zk_call(ctx, ZkReq::Config(ConfigReq::Change(seq)), op);
                }
            }
            ConfigReq::Change(seq) => {
                let Ok(ReplyBody::Data { data, .. }) = &result else {
                    return;
                };
                let entity = decode_config_change(data.as_bytes())
                    .ok()
                    .and_then(|p| ConfigEntity::from_entity_path(&p));
                match entity {
                    Some(e) => {
                        ctx.note(format!("config change {seq}: re-reads {}", e.entity_path()));
                        self.read_config_entity(ctx, e);
                    }
                    None => ctx.note(format!("config change {seq}: not understood, skipped")),
                }
            }
            ConfigReq::Entity(entity) => {
                let pairs = match &result {
                    Ok(ReplyBody::Data { data, .. }) => {
                        decode_entity_config(data.as_bytes()).unwrap_or_default()
                    }
                    Err(ErrorCode::NoNode) => VecMap::new(),
                    _ => return,
                };
                self.apply_entity_config(ctx, entity, pairs);
            }
        }
    }

    fn apply_entity_config(
        &mut self,
        ctx: &mut KCtx,
        entity: ConfigEntity,
        pairs: VecMap<String, String>,
    ) {
        match entity {
            ConfigEntity::Topic(t) => {
                let mut tc = TopicConfig::default();
                for (k, v) in &pairs {
                    let _ = tc.set(k, v);
                }
                if self.dynamic.topics.get(&t) != Some(&tc) {
                    ctx.note(format!("topic {t} config now {pairs:?}"));
                }
                if tc == TopicConfig::default() {
                    self.dynamic.topics.remove(&t);
                } else {
                    self.dynamic.topics.insert(t, tc);
                }
            }
            ConfigEntity::BrokerDefault => {
                self.dynamic.cluster_default = pairs;
                self.recompute_config(ctx);
            }
            ConfigEntity::Broker(id) if id == self.id => {
                self.dynamic.per_broker = pairs;
                self.recompute_config(ctx);
            }
            ConfigEntity::Broker(_) => {}
        }
    }

    /// Effective config = static, then the cluster default, then this broker's entry.
    fn recompute_config(&mut self, ctx: &mut KCtx) {
        let mut c = self.dynamic.static_config.clone();
        let layers = [&self.dynamic.cluster_default, &self.dynamic.per_broker];
        for (k, v) in layers.into_iter().flatten() {
            if DYNAMIC_BROKER_KEYS.contains(&k.as_str()) {
                let _ = c.set(k, v);
            }
        }
        if c != self.config {
            ctx.note("dynamic broker config applied");
            self.config = c;
        }
    }
}
