//! Znode paths, spelled as `ZkData.scala` (2.8.2) builds them.

/// `/brokers/ids`: parent of the ephemeral broker registrations.
pub const BROKER_IDS: &str = "/brokers/ids";
/// `/brokers/topics`: parent of the topic assignment znodes.
pub const TOPICS: &str = "/brokers/topics";
/// `/brokers/seqid`: its data version generates broker ids.
pub const BROKER_SEQID: &str = "/brokers/seqid";
/// `/controller`: the ephemeral controller registration.
pub const CONTROLLER: &str = "/controller";
/// `/controller_epoch`: the controller epoch as decimal text.
pub const CONTROLLER_EPOCH: &str = "/controller_epoch";
/// `/config/changes`: parent of the config change notifications.
pub const CONFIG_CHANGES: &str = "/config/changes";
/// Prefix of a sequential config change notification.
pub const CONFIG_CHANGE_PREFIX: &str = "/config/changes/config_change_";
/// `/admin/delete_topics`: parent of the topic deletion markers.
pub const DELETE_TOPICS: &str = "/admin/delete_topics";
/// `/isr_change_notification`: parent of the ISR change notifications (ZK-ISR mode).
pub const ISR_CHANGE_NOTIFICATION: &str = "/isr_change_notification";
/// Prefix of a sequential ISR change notification.
pub const ISR_CHANGE_PREFIX: &str = "/isr_change_notification/isr_change_";
/// `/cluster/id`.
pub const CLUSTER_ID: &str = "/cluster/id";
/// `/consumers`: root of the classic consumer's znodes.
pub const CONSUMERS: &str = "/consumers";

/// `ZkData.PersistentZkPaths`: created by every broker at startup if missing, in order.
pub const PERSISTENT_PATHS: &[&str] = &[
    "/consumers",
    "/brokers/ids",
    "/brokers/topics",
    "/config/changes",
    "/admin/delete_topics",
    "/brokers/seqid",
    "/isr_change_notification",
    "/latest_producer_id_block",
    "/log_dir_event_notification",
    "/config/topics",
    "/config/clients",
    "/config/users",
    "/config/brokers",
    "/config/ips",
];

/// `/brokers/ids/<id>`.
pub fn broker_id(id: i32) -> String {
    format!("{BROKER_IDS}/{id}")
}
/// `/brokers/topics/<topic>`.
pub fn topic(topic: &str) -> String {
    format!("{TOPICS}/{topic}")
}
/// `/brokers/topics/<topic>/partitions`.
pub fn topic_partitions(topic: &str) -> String {
    format!("{TOPICS}/{topic}/partitions")
}
/// `/brokers/topics/<topic>/partitions/<p>`.
pub fn topic_partition(topic: &str, partition: i32) -> String {
    format!("{TOPICS}/{topic}/partitions/{partition}")
}
/// `/brokers/topics/<topic>/partitions/<p>/state`.
pub fn partition_state(topic: &str, partition: i32) -> String {
    format!("{TOPICS}/{topic}/partitions/{partition}/state")
}
/// `/config/<entityType>/<name>`, e.g. `config_entity("topics", "t")`.
pub fn config_entity(entity_type: &str, name: &str) -> String {
    format!("/config/{entity_type}/{name}")
}
/// `/config/topics/<topic>`.
pub fn config_topic(topic: &str) -> String {
    config_entity("topics", topic)
}
/// `/admin/delete_topics/<topic>`.
pub fn delete_topic(topic: &str) -> String {
    format!("{DELETE_TOPICS}/{topic}")
}
/// `/consumers/<group>/ids`.
pub fn consumer_ids(group: &str) -> String {
    format!("{CONSUMERS}/{group}/ids")
}
/// `/consumers/<group>/ids/<consumerId>`.
pub fn consumer_id(group: &str, consumer_id: &str) -> String {
    format!("{CONSUMERS}/{group}/ids/{consumer_id}")
}
/// `/consumers/<group>/owners/<topic>`.
pub fn consumer_owners(group: &str, topic: &str) -> String {
    format!("{CONSUMERS}/{group}/owners/{topic}")
}
/// `/consumers/<group>/owners/<topic>/<partition>`.
pub fn consumer_owner(group: &str, topic: &str, partition: i32) -> String {
    format!("{CONSUMERS}/{group}/owners/{topic}/{partition}")
}
/// `/consumers/<group>/offsets/<topic>/<partition>` (`ConsumerOffset.path`).
pub fn consumer_offset(group: &str, topic: &str, partition: i32) -> String {
    format!("{CONSUMERS}/{group}/offsets/{topic}/{partition}")
}
