//! `alter_config` of `kafka-script`: `kafka-configs.sh --zookeeper --alter` run through a
//! broker ([`Operator::AlterConfig`]): the tool's checks first (a bad value is
//! `INVALID_CONFIG`, a missing topic `UNKNOWN_TOPIC_OR_PARTITION`), then the broker writes
//! `/config/<type>/<name>` and `/config/changes/config_change_<seq>`, and the op waits until
//! every running broker has processed the notification.

use crate::kafka::broker::dynamic_config::DYNAMIC_BROKER_KEYS;
use crate::kafka::config::{BrokerConfig, TopicConfig};
use crate::kafka::msg::{ConfigEntity, Operator};
use crate::kafka::znodes::paths;
use crate::zk::msg::{ClientOp, ReplyBody};

use super::runner::{Line, Runner};
use super::OP_TIMEOUT_US;

impl Runner<'_> {
    pub(super) fn alter_config(
        &mut self,
        head: Line,
        entity_type: &str,
        name: &str,
        configs: &crate::sim::VecMap<String, Option<String>>,
    ) -> Line {
        let head = head.val("entity_type", entity_type).val("name", name);
        let entity = match entity_type {
            "topics" => ConfigEntity::Topic(name.to_string()),
            "brokers" if name == "<default>" => ConfigEntity::BrokerDefault,
            "brokers" => match name.parse::<i32>() {
                Ok(id) if id >= 0 => ConfigEntity::Broker(id),
                _ => {
                    let m = format!("The entity name for brokers must be a valid integer broker id, but it is: {name}");
                    return head.error("INVALID_REQUEST", &m);
                }
            },
            other => {
                let m = format!(
                    "Invalid entity type {other}, the entity type must be topics or brokers"
                );
                return head.error("INVALID_REQUEST", &m);
            }
        };
        // The tool's validation (`LogConfig.validate`, `DynamicBrokerConfig`).
        for (k, v) in configs
            .iter()
            .filter_map(|(k, v)| v.as_ref().map(|v| (k, v)))
        {
            let checked = match &entity {
                ConfigEntity::Topic(_) => TopicConfig::default().set(k, v),
                _ if !DYNAMIC_BROKER_KEYS.contains(&k.as_str()) => {
                    let m = format!("Cannot update these configs dynamically: Set({k})");
                    return head.error("INVALID_CONFIG", &m);
                }
                _ => BrokerConfig::default().set(k, v),
            };
            if let Err(e) = checked {
                return head.error("INVALID_CONFIG", &e.to_string());
            }
        }
        if let ConfigEntity::Topic(t) = &entity {
            let exists = self.zk_call(ClientOp::Exists {
                path: paths::topic(t),
                watch: false,
            });
            if !matches!(exists, Ok(ReplyBody::Exists(Some(_)))) {
                let m = format!("Topic {t} does not exist");
                return head.error("UNKNOWN_TOPIC_OR_PARTITION", &m);
            }
        }
        let running: Vec<_> = self
            .brokers()
            .filter(|(n, b)| self.sim.world.is_up(*n) && b.broker_epoch >= 0)
            .map(|(n, b)| (n, b.dynamic.last_change))
            .collect();
        let Some(&(via, _)) = running.first() else {
            return head.error("BROKER_NOT_AVAILABLE", "no running broker");
        };
        let before = running.iter().map(|(_, c)| *c).max().unwrap_or(-1);
        let pairs = configs
            .iter()
            .map(|(k, v)| (k.clone(), v.clone().unwrap_or_default()))
            .collect();
        self.deliver(
            via,
            Operator::AlterConfig {
                entity,
                configs: pairs,
            },
        );
        let deadline = self.now_us() + OP_TIMEOUT_US;
        let applied = self.run_until(deadline, |r| {
            r.brokers()
                .filter(|(n, b)| r.sim.world.is_up(*n) && b.broker_epoch >= 0)
                .all(|(_, b)| b.dynamic.last_change > before)
        });
        if !applied {
            return head.error(
                "REQUEST_TIMED_OUT",
                "the change notification was not processed by every running broker within 60 s",
            );
        }
        head.val("ok", true)
    }
}
