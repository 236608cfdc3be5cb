//! Producer ids for idempotent producers: `InitProducerId` with a null `TransactionalId`
//! (`TransactionCoordinator.handleInitProducerId`) answered from the broker's block of ids
//! reserved in ZooKeeper (`ProducerIdManager`, 2.8.2; sheet C.2, C.11).
//!
//! To reserve a block the broker reads `/latest_producer_id_block` with its version, takes the
//! next 1000 ids after the block written there (or `0..=999` if the znode is empty) and
//! writes its own block with a **conditional setData on that version**; a `BadVersion` (another
//! broker reserved one meanwhile) means read and try again. Ids are then handed out one by
//! one, epoch 0, until the block is used up.
//!
//! Simplified: Kafka reserves the first block when the transaction coordinator starts and
//! blocks the request thread while it writes; here the first `InitProducerId` triggers the
//! reservation and waits for it. Kafka creates the znode at start-up (an empty persistent
//! path); here a missing znode is created with the first block.

use super::{Broker, KCtx, ZkReq};
use crate::kafka::errors::KafkaError;
use crate::kafka::msg::Msg;
use crate::kafka::znodes::{ProducerIdBlock, LATEST_PRODUCER_ID_BLOCK};
use crate::sim::NodeId;
use crate::zk::msg::{ClientOp, ReplyBody};
use crate::zk::{CreateMode, ErrorCode, WriteOp};

/// The broker's producer id block (`ProducerIdManager`; volatile).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ProducerIdManager {
    /// The block this broker reserved, if any.
    pub block: Option<ProducerIdBlock>,
    /// The next id to hand out.
    pub next_producer_id: i64,
    /// `InitProducerId` requests waiting for a block: client and correlation id.
    waiting: Vec<(NodeId, i32)>,
    reserving: bool,
}

impl ProducerIdManager {
    /// The next id, if the block has one left.
    fn generate(&mut self) -> Option<i64> {
        let block = self.block?;
        if self.next_producer_id > block.block_end {
            return None;
        }
        self.next_producer_id += 1;
        Some(self.next_producer_id - 1)
    }
}

impl Broker {
    /// `InitProducerId` without a transactional id.
    pub(super) fn on_init_producer_id(&mut self, ctx: &mut KCtx, src: NodeId, correlation_id: i32) {
        if let Some(id) = self.producer_ids.generate() {
            Self::answer_init(ctx, src, correlation_id, KafkaError::None, id);
            return;
        }
        self.producer_ids.waiting.push((src, correlation_id));
        if !self.producer_ids.reserving {
            self.producer_ids.reserving = true;
            self.read_producer_id_block(ctx);
        }
    }

    fn answer_init(
        ctx: &mut KCtx,
        client: NodeId,
        correlation_id: i32,
        error: KafkaError,
        id: i64,
    ) {
        let msg = Msg::InitProducerIdResponse {
            correlation_id,
            error,
            producer_id: if error.is_none() { id } else { -1 },
            producer_epoch: if error.is_none() { 0 } else { -1 },
        };
        ctx.send(client, msg);
    }

    fn read_producer_id_block(&mut self, ctx: &mut KCtx) {
        let op = ClientOp::GetData {
            path: LATEST_PRODUCER_ID_BLOCK.into(),
            watch: false,
        };
        self.zk_call(ctx, ZkReq::ProducerIdBlockRead, op);
    }

    /// `getNewProducerIdBlock`, first half: the current block and its version.
    pub(super) fn on_producer_id_block_read(
        &mut self,
        ctx: &mut KCtx,
        result: Result<ReplyBody, ErrorCode>,
    ) {
        let me = self.id;
        match result {
            Ok(ReplyBody::Data { data, stat }) => {
                let current = if data.is_empty() {
                    None
                } else {
                    match ProducerIdBlock::decode(data.as_bytes()) {
                        Ok(b) => Some(b),
                        Err(_) => return self.fail_waiting_inits(ctx),
                    }
                };
                let block = ProducerIdBlock::next(me, current.as_ref());
                let json = String::from_utf8_lossy(&block.encode()).into_owned();
                let op = WriteOp::set_data(LATEST_PRODUCER_ID_BLOCK, &json, stat.version);
                self.zk_call(
                    ctx,
                    ZkReq::ProducerIdBlockWrite { block },
                    ClientOp::Write(op),
                );
            }
            Err(ErrorCode::NoNode) => {
                let block = ProducerIdBlock::next(me, None);
                let json = String::from_utf8_lossy(&block.encode()).into_owned();
                let op = WriteOp::create(LATEST_PRODUCER_ID_BLOCK, &json, CreateMode::Persistent);
                self.zk_call(
                    ctx,
                    ZkReq::ProducerIdBlockWrite { block },
                    ClientOp::Write(op),
                );
            }
            _ => self.fail_waiting_inits(ctx),
        }
    }

    /// `getNewProducerIdBlock`, second half: the conditional write.
    pub(super) fn on_producer_id_block_written(
        &mut self,
        ctx: &mut KCtx,
        block: ProducerIdBlock,
        result: Result<ReplyBody, ErrorCode>,
    ) {
        match result {
            Ok(_) => {
                ctx.note(format!(
                    "reserved producer ids {}..={} in {LATEST_PRODUCER_ID_BLOCK}",
                    block.block_start, block.block_end
                ));
                self.producer_ids.block = Some(block);
                self.producer_ids.next_producer_id = block.block_start;
                self.producer_ids.reserving = false;
                let waiting = std::mem::take(&mut self.producer_ids.waiting);
                for (client, corr) in waiting {
                    self.on_init_producer_id(ctx, client, corr);
                }
            }
            Err(ErrorCode::BadVersion) | Err(ErrorCode::NodeExists) => {
                ctx.note("another broker reserved a producer id block first: reads it again");
                self.read_producer_id_block(ctx);
            }
            Err(_) => self.fail_waiting_inits(ctx),
        }
    }

    /// No block could be reserved (ZooKeeper unreachable): the waiting producers retry.
    fn fail_waiting_inits(&mut self, ctx: &mut KCtx) {
        self.producer_ids.reserving = false;
        let waiting = std::mem::take(&mut self.producer_ids.waiting);
        for (client, corr) in waiting {
            Self::answer_init(ctx, client, corr, KafkaError::CoordinatorNotAvailable, -1);
        }
    }
}
