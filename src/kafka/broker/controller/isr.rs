//! ISR changes reaching the controller: `AlterIsr` (`processAlterIsr`, IBP ≥ 2.7-IV2) and the
//! older `/isr_change_notification/isr_change_<seq>` znodes (`processIsrChangeNotification`,
//! ZK-ISR mode): the controller re-reads the named partitions' `state`, sends
//! `UpdateMetadata`, and deletes the notifications (fenced).

use super::context::decode_state;
use super::{CtlReq, StateWrite};
use crate::kafka::broker::{Broker, KCtx};
use crate::kafka::errors::KafkaError;
use crate::kafka::msg::Msg;
use crate::kafka::partition_state::LeaderAndIsr;
use crate::kafka::znodes::{decode_isr_change, paths};
use crate::sim::NodeId;
use crate::zk::msg::ReplyBody;
use crate::zk::{ErrorCode, WriteOp};

impl Broker {
    /// `processAlterIsr`.
    pub(in crate::kafka::broker) fn ctl_on_alter_isr(
        &mut self,
        ctx: &mut KCtx,
        src: NodeId,
        m: Msg,
    ) {
        let Msg::AlterIsr {
            broker_id,
            broker_epoch,
            topic,
            partition,
            leader_epoch,
            new_isr,
            current_isr_version,
        } = m
        else {
            return;
        };
        let reply = |error| Msg::AlterIsrResponse {
            topic: topic.clone(),
            partition,
            error,
            state: None,
        };
        let Some(c) = self.controller.as_ref().filter(|c| c.started) else {
            ctx.send(src, reply(KafkaError::NotController));
            return;
        };
        if c.live.get(&broker_id).map(|x| x.0) != Some(broker_epoch) {
            ctx.send(src, reply(KafkaError::StaleBrokerEpoch));
            return;
        }
        let k = (topic.clone(), partition);
        let Some(cur) = c
            .partitions
            .get(&k)
            .and_then(|cp| cp.leader_and_isr.clone())
        else {
            ctx.send(src, reply(KafkaError::UnknownTopicOrPartition));
            return;
        };
        if leader_epoch < cur.leader_epoch {
            ctx.send(src, reply(KafkaError::FencedLeaderEpoch));
            return;
        }
        if cur.isr == new_isr && cur.leader_epoch == leader_epoch {
            let state = Some((cur.leader, cur.leader_epoch, cur.isr, cur.zk_version));
            let r = Msg::AlterIsrResponse {
                topic,
                partition,
                error: KafkaError::None,
                state,
            };
            ctx.send(src, r);
            return;
        }
        if current_isr_version != cur.zk_version {
            ctx.send(src, reply(KafkaError::InvalidUpdateVersion));
            return;
        }
        let next = LeaderAndIsr {
            leader: cur.leader,
            leader_epoch,
            isr: new_isr,
            zk_version: cur.zk_version,
        };
        let mut w = StateWrite::to(&k, Vec::new());
        w.alter_isr_from = Some(src);
        self.write_state(ctx, &k, next, false, w);
    }

    pub(super) fn on_isr_changes(&mut self, ctx: &mut KCtx, result: Result<ReplyBody, ErrorCode>) {
        let Ok(ReplyBody::Children { children, .. }) = result else {
            return;
        };
        for child in children {
            let path = format!("{}/{child}", paths::ISR_CHANGE_NOTIFICATION);
            self.ctl_get(ctx, CtlReq::IsrChangeData(child), path, false);
        }
    }

    pub(super) fn on_isr_change_data(
        &mut self,
        ctx: &mut KCtx,
        child: String,
        result: Result<ReplyBody, ErrorCode>,
    ) {
        let Ok(ReplyBody::Data { data, .. }) = &result else {
            return;
        };
        let partitions = decode_isr_change(data.as_bytes()).unwrap_or_default();
        ctx.note(format!(
            "ISR change notification {child}: re-reads {} partition states",
            partitions.len()
        ));
        for (t, p) in partitions {
            let path = paths::partition_state(&t, p);
            self.ctl_get(ctx, CtlReq::StateRefresh(t, p), path, false);
        }
        let path = format!("{}/{child}", paths::ISR_CHANGE_NOTIFICATION);
        self.ctl_write(ctx, CtlReq::Path, WriteOp::delete(&path, -1));
    }

    pub(super) fn on_state_refresh(
        &mut self,
        ctx: &mut KCtx,
        topic: String,
        partition: i32,
        result: Result<ReplyBody, ErrorCode>,
    ) {
        let Some(lai) = decode_state(&result) else {
            return;
        };
        let k = (topic, partition);
        let Some(cp) = self.ctl().and_then(|c| c.partitions.get_mut(&k)) else {
            return;
        };
        cp.leader_and_isr = Some(lai);
        self.send_update_metadata_all(ctx);
    }
}
