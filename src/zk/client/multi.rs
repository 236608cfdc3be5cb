//! `multi` for the owners of a [`ZkClient`](super::ZkClient): the call, and its answer read
//! the way the Java client reads a `MultiResponse` (`ZooKeeper.multiInternal`, sheet A.5).
//!
//! A multi's completion is `Ok(ReplyBody::Write(OpResult::Multi(results)))` whenever the
//! server answered, failed or not: the real server's `ReplyHeader` says `Ok` for a multi and
//! puts the failure in the per-op results. [`multi_outcome`] turns that into what the Java
//! API reports: the results, or the first failing op's code together with every op's result
//! (`KeeperException.getResults()`): `Ok` for the ops before it (rolled back all the same),
//! its own code, `RuntimeInconsistency` for the ops after it.
//!
//! Simplified: only `check`, `create`, `setData` and `delete` ops (no 3.6 read-only multi).
//! The Java client also refuses malformed paths before sending; here the server answers.

use crate::zk::data::txn::{OpResult, WriteOp};
use crate::zk::msg::{ClientOp, ReplyBody};
use crate::zk::types::ErrorCode;

/// A `multi` that did not apply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MultiError {
    /// The first failing op's code, or the call's (`ConnectionLoss`, `SessionExpired`).
    pub err: ErrorCode,
    /// One result per op when the server answered; empty when the call failed as a whole
    /// (the Java client's `getResults()` is then `null`).
    pub results: Vec<OpResult>,
}

impl ClientOp {
    /// `multi(ops)`: all the ops or none, under one zxid.
    pub fn multi(ops: Vec<WriteOp>) -> ClientOp {
        ClientOp::Write(WriteOp::Multi(ops))
    }
}

/// Reads the completion of a `multi` call: the per-op results on success, else the error
/// and (if the server answered) the per-op results.
pub fn multi_outcome(result: &Result<ReplyBody, ErrorCode>) -> Result<Vec<OpResult>, MultiError> {
    match result {
        Ok(ReplyBody::Write(OpResult::Multi(results))) => {
            match results.iter().map(OpResult::err).find(|e| !e.is_ok()) {
                None => Ok(results.clone()),
                Some(err) => Err(MultiError {
                    err,
                    results: results.clone(),
                }),
            }
        }
        Ok(_) => Err(MultiError {
            err: ErrorCode::MarshallingError,
            results: Vec::new(),
        }),
        Err(err) => Err(MultiError {
            err: *err,
            results: Vec::new(),
        }),
    }
}

/// The answer to an empty `multi`: the Java client returns an empty list without sending
/// anything (`ZooKeeper.multiInternal`, 3.8), so no zxid is used.
pub(super) fn empty_multi(op: &ClientOp) -> Option<ReplyBody> {
    match op {
        ClientOp::Write(WriteOp::Multi(ops)) if ops.is_empty() => {
            Some(ReplyBody::Write(OpResult::Multi(Vec::new())))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::zk::types::Stat;

    #[test]
    fn a_failed_multi_reports_the_first_failing_ops_code_and_every_result() {
        use ErrorCode::*;
        let results = vec![
            OpResult::Error(Ok),
            OpResult::Error(BadVersion),
            OpResult::Error(RuntimeInconsistency),
        ];
        let answer = std::result::Result::Ok(ReplyBody::Write(OpResult::Multi(results.clone())));
        assert_eq!(
            multi_outcome(&answer),
            Err(MultiError {
                err: BadVersion,
                results
            })
        );
        let lost = Err(ConnectionLoss);
        assert_eq!(multi_outcome(&lost).unwrap_err().results, vec![]);
        let ok = vec![
            OpResult::Check,
            OpResult::SetData {
                stat: Stat::default(),
            },
        ];
        let answer = std::result::Result::Ok(ReplyBody::Write(OpResult::Multi(ok.clone())));
        assert_eq!(multi_outcome(&answer), std::result::Result::Ok(ok));
    }

    #[test]
    fn the_client_hands_over_a_failed_multis_results_and_answers_an_empty_multi_itself() {
        use crate::zk::client::tests::{completed, reply, Harness, S1, SESSION};
        use crate::zk::msg::ClientPacket;
        let mut h = Harness::new(4000);
        let conn = h.establish(SESSION, 4000);
        let ev = h.call(1, ClientOp::multi(Vec::new()));
        let empty = ReplyBody::Write(OpResult::Multi(Vec::new()));
        assert_eq!(ev, vec![completed(1, std::result::Result::Ok(empty), 0)]);
        assert!(h.sent().is_empty(), "nothing sent for an empty multi");
        let ops = vec![WriteOp::check("/e", 3), WriteOp::set_data("/a", "x", -1)];
        h.call(2, ClientOp::multi(ops));
        assert!(matches!(
            &h.sent()[..],
            [(_, _, _, ClientPacket::Request { op: ClientOp::Write(WriteOp::Multi(o)), .. })] if o.len() == 2
        ));
        let results = vec![
            OpResult::Error(ErrorCode::BadVersion),
            OpResult::Error(ErrorCode::RuntimeInconsistency),
        ];
        let body = ReplyBody::Write(OpResult::Multi(results.clone()));
        let ev = h.deliver(S1, conn, 2, reply(1, 0x1_0000_0005, ErrorCode::Ok, body));
        let [crate::zk::client::ClientEvent::Completed { tag: 2, result, .. }] = &ev[..] else {
            panic!("{ev:?}")
        };
        assert_eq!(
            multi_outcome(result),
            Err(MultiError {
                err: ErrorCode::BadVersion,
                results
            })
        );
    }
}
