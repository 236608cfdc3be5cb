//! `/latest_producer_id_block` (`ProducerIdBlockZNode`, `ProducerIdManager`, 2.8.2): the last
//! block of producer ids a broker reserved, both ends inclusive, as decimal strings.

use super::json::ObjWriter;
use super::{err, field_i32, field_str, parse_object, ZnodeError};

/// `ProducerIdBlockZNode.path`.
pub const LATEST_PRODUCER_ID_BLOCK: &str = "/latest_producer_id_block";

/// `ProducerIdManager.PidBlockSize`.
pub const PRODUCER_ID_BLOCK_SIZE: i64 = 1_000;

/// `ProducerIdBlock`: ids `block_start..=block_end` reserved by `broker`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProducerIdBlock {
    pub broker: i32,
    pub block_start: i64,
    pub block_end: i64,
}

impl ProducerIdBlock {
    /// The block after `previous` (or the first one, `0..=999`), reserved by `broker`.
    pub fn next(broker: i32, previous: Option<&ProducerIdBlock>) -> Self {
        let block_start = previous.map_or(0, |p| p.block_end.saturating_add(1));
        Self {
            broker,
            block_start,
            block_end: block_start.saturating_add(PRODUCER_ID_BLOCK_SIZE - 1),
        }
    }

    /// `generateProducerIdBlockJson`:
    /// `{"version":1,"broker":1,"block_start":"0","block_end":"999"}`.
    pub fn encode(&self) -> Vec<u8> {
        ObjWriter::new()
            .int("version", 1)
            .int("broker", self.broker.into())
            .str("block_start", &self.block_start.to_string())
            .str("block_end", &self.block_end.to_string())
            .finish()
            .into_bytes()
    }

    /// `parseProducerIdBlockData`.
    pub fn decode(bytes: &[u8]) -> Result<Self, ZnodeError> {
        const Z: &str = "producer id block";
        let obj = parse_object(Z, bytes)?;
        let num = |key: &str| -> Result<i64, ZnodeError> {
            field_str(Z, &obj, key)?
                .parse()
                .map_err(|_| err(Z, format!("\"{key}\" is not a decimal long")))
        };
        Ok(Self {
            broker: field_i32(Z, &obj, "broker")?,
            block_start: num("block_start")?,
            block_end: num("block_end")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn producer_id_blocks_are_written_as_kafka_writes_them_and_follow_each_other() {
        let first = ProducerIdBlock::next(1, None);
        assert_eq!(
            String::from_utf8(first.encode()).unwrap(),
            r#"{"version":1,"broker":1,"block_start":"0","block_end":"999"}"#
        );
        let second = ProducerIdBlock::next(2, Some(&first));
        assert_eq!((second.block_start, second.block_end), (1000, 1999));
        assert_eq!(ProducerIdBlock::decode(&second.encode()), Ok(second));
        assert!(ProducerIdBlock::decode(b"{\"broker\":1}").is_err());
        assert!(ProducerIdBlock::decode(b"").is_err());
    }
}
