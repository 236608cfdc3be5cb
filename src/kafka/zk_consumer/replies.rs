//! Completions of a rebalance try's ZooKeeper calls: what each answer means for the try
//! (members, brokers, partitions, subscriptions, offsets, claims) and for the owner znodes
//! still to release.

use crate::kafka::broker::KCtx;
use crate::kafka::znodes::{decode_consumer_offset, TopicAssignment};
use crate::zk::msg::{ClientOp, ReplyBody};
use crate::zk::{ErrorCode, WriteOp};

use super::assign::streams_for;
use super::{insert_sorted, parse_ids, ZkConsumer, ZkReq};

impl ZkConsumer {
    /// Completions of the rebalance's calls.
    pub(super) fn on_rebalance_completed(
        &mut self,
        ctx: &mut KCtx,
        req: ZkReq,
        result: Result<ReplyBody, ErrorCode>,
    ) {
        let round = match &req {
            ZkReq::Release { round, .. }
            | ZkReq::ReleaseCheck { round, .. }
            | ZkReq::Members { round }
            | ZkReq::TopicWatch { round }
            | ZkReq::Topic { round }
            | ZkReq::Subscription { round, .. }
            | ZkReq::Offset { round, .. }
            | ZkReq::Claim { round, .. }
            | ZkReq::Unclaim { round, .. } => *round,
            ZkReq::Brokers { round: Some(round) } => *round,
            _ => return,
        };
        // Ownership bookkeeping holds whatever try the answer belongs to.
        match (&req, &result) {
            (ZkReq::Release { partition, .. }, Ok(_) | Err(ErrorCode::NoNode)) => {
                self.to_release.retain(|(p, _)| p != partition);
            }
            (ZkReq::Release { partition, .. }, Err(_)) => self.mark_unsure(*partition),
            (ZkReq::Unclaim { partition, .. }, Err(e)) if *e != ErrorCode::NoNode => {
                self.mark_unsure(*partition)
            }
            (ZkReq::Claim { partition, .. }, Err(e))
                if !matches!(e, ErrorCode::NodeExists | ErrorCode::NoNode) =>
            {
                self.mark_unsure(*partition)
            }
            _ => {}
        }
        if !self.current_round(round) {
            // A claim of an abandoned try that succeeded must still be released.
            if let (ZkReq::Claim { partition, .. }, Ok(_)) = (&req, &result) {
                self.mark_unsure(*partition);
            }
            return;
        }
        self.on_try_completed(ctx, req, result);
        self.finished(ctx, round);
    }

    pub(super) fn mark_unsure(&mut self, partition: i32) {
        match self.to_release.iter_mut().find(|(p, _)| *p == partition) {
            Some(e) => e.1 = false,
            None => self.to_release.push((partition, false)),
        }
    }

    fn on_try_completed(
        &mut self,
        ctx: &mut KCtx,
        req: ZkReq,
        result: Result<ReplyBody, ErrorCode>,
    ) {
        let me = self.thread_id();
        let topic = self.topic.clone();
        match req {
            ZkReq::Release { partition, .. } => {
                if let Err(e) = result {
                    if e != ErrorCode::NoNode {
                        self.fail(format!("releasing partition {partition}: {}", e.name()));
                    }
                }
            }
            ZkReq::ReleaseCheck { round, partition } => match result {
                Ok(ReplyBody::Data { data, .. }) if data == me => {
                    let path = self.owner_path(partition);
                    let op = ClientOp::Write(WriteOp::delete(&path, -1));
                    self.zk.call(ctx, ZkReq::Release { round, partition }, op);
                    self.issued(1);
                }
                Ok(_) | Err(ErrorCode::NoNode) => {
                    // Not ours (or gone): nothing to release.
                    self.to_release.retain(|(p, _)| *p != partition);
                }
                Err(e) => self.fail(format!("reading owner of {partition}: {}", e.name())),
            },
            ZkReq::Members { .. } => match result {
                Ok(ReplyBody::Children { children, .. }) => {
                    let mut members = Vec::with_capacity(children.len());
                    for c in children {
                        insert_sorted(&mut members, c);
                    }
                    if let Some(rb) = self.rebalance.as_mut() {
                        rb.members = members;
                    }
                }
                Ok(_) => {}
                Err(e) => self.fail(format!("reading the group's ids: {}", e.name())),
            },
            ZkReq::Brokers { .. } => match result {
                Ok(ReplyBody::Children { children, .. }) => {
                    let ids = parse_ids(&children);
                    self.brokers = ids.clone();
                    if let Some(rb) = self.rebalance.as_mut() {
                        rb.brokers = ids;
                    }
                }
                Ok(_) | Err(ErrorCode::NoNode) => {}
                Err(e) => self.fail(format!("reading /brokers/ids: {}", e.name())),
            },
            ZkReq::TopicWatch { .. } => {
                if let Err(e) = result {
                    if e != ErrorCode::NoNode {
                        self.fail(format!("watching the topic: {}", e.name()));
                    }
                }
            }
            ZkReq::Topic { .. } => match result {
                Ok(ReplyBody::Data { data, .. }) => {
                    let n = TopicAssignment::decode(data.as_bytes())
                        .map(|a| a.partitions.len() as i32)
                        .unwrap_or(0);
                    if let Some(rb) = self.rebalance.as_mut() {
                        rb.num_partitions = n;
                    }
                }
                // No topic yet: no partitions to assign.
                Ok(_) | Err(ErrorCode::NoNode) => {}
                Err(e) => self.fail(format!("reading the topic: {}", e.name())),
            },
            ZkReq::Subscription { member, .. } => match result {
                Ok(ReplyBody::Data { data, .. }) => {
                    let streams = streams_for(&data, &topic).clamp(0, 64);
                    if let Some(rb) = self.rebalance.as_mut() {
                        for n in 0..streams {
                            insert_sorted(&mut rb.thread_ids, format!("{member}-{n}"));
                        }
                    }
                }
                Ok(_) => {}
                Err(e) => self.fail(format!("reading member {member}: {}", e.name())),
            },
            ZkReq::Offset { partition, .. } => {
                let offset = match result {
                    Ok(ReplyBody::Data { data, .. }) => {
                        decode_consumer_offset(data.as_bytes()).unwrap_or(-1)
                    }
                    Err(ErrorCode::NoNode) => -1,
                    Ok(_) => -1,
                    Err(e) => {
                        self.fail(format!("reading offset of {partition}: {}", e.name()));
                        -1
                    }
                };
                if let Some(rb) = self.rebalance.as_mut() {
                    rb.offsets.push((partition, offset));
                }
            }
            ZkReq::Claim { partition, .. } => match result {
                Ok(_) => {
                    if let Some(rb) = self.rebalance.as_mut() {
                        rb.claimed.push(partition);
                    }
                }
                Err(ErrorCode::NodeExists) => {
                    self.stats.claim_conflicts += 1;
                    ctx.note(format!(
                        "waiting for the partition ownership to be deleted: partition {partition}"
                    ));
                    if let Some(rb) = self.rebalance.as_mut() {
                        rb.conflict = true;
                    }
                }
                Err(e) => self.fail(format!("claiming partition {partition}: {}", e.name())),
            },
            ZkReq::Unclaim { .. } => {}
            _ => {}
        }
    }
}
