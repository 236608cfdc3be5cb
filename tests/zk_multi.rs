//! ZooKeeper `multi` against the fact sheet (`shared/protocols.md` A.3, A.5, A.6) and the
//! 3.8 sources (`PrepRequestProcessor` `OpCode.multi`, `DataTree.processTxn` `OpCode.multi`,
//! `FinalRequestProcessor` `OpCode.multi`, `ZooKeeper.multiInternal`): first on one data tree
//! driven the way the leader drives it (prepare, then apply under the next zxid), then end to
//! end through a simulated ensemble.

mod zk_support;

use zk_support::Ens;
use zooscope::sim::MS;
use zooscope::zk::client::{multi_outcome, MultiError};
use zooscope::zk::msg::{ClientOp, ReplyBody};
use zooscope::zk::{
    zxid, ApplyOutcome, CreateMode, DataTree, ErrorCode, EventType, OpResult, SessionId, Stat, Txn,
    TxnHeader, WatchManager, WriteOp, Zxid,
};

const S1: SessionId = 0x0100_0000_0000_0001;
const S2: SessionId = 0x0200_0000_0000_0001;

/// One replica in epoch 1 with sessions S1 and S2 open.
struct Zk {
    tree: DataTree,
    zxid: Zxid,
}

impl Zk {
    fn new() -> Zk {
        let mut zk = Zk {
            tree: DataTree::new(),
            zxid: zxid(1, 0),
        };
        zk.txn(S1, Txn::CreateSession { timeout_ms: 30_000 });
        zk.txn(S2, Txn::CreateSession { timeout_ms: 30_000 });
        zk
    }

    fn txn(&mut self, session: SessionId, txn: Txn) -> ApplyOutcome {
        self.zxid += 1;
        let hdr = TxnHeader {
            session_id: session,
            cxid: 0,
            zxid: self.zxid,
            time_ms: 1_000 * (self.zxid & 0xffff_ffff),
        };
        self.tree.apply(&hdr, &txn)
    }

    fn write(&mut self, op: WriteOp) -> ApplyOutcome {
        let txn = self.tree.prepare(S1, &op);
        self.txn(S1, txn)
    }

    fn multi(&mut self, ops: Vec<WriteOp>) -> ApplyOutcome {
        self.write(WriteOp::Multi(ops))
    }

    fn stat(&self, path: &str) -> Stat {
        self.tree.stat(path).expect("node exists")
    }
}

fn create(path: &str) -> WriteOp {
    WriteOp::create(path, "", CreateMode::Persistent)
}

fn results(out: &ApplyOutcome) -> &[OpResult] {
    match &out.result {
        OpResult::Multi(r) => r,
        other => panic!("not a multi result: {other:?}"),
    }
}

/// A tree with `/v` (the version node, version 0), `/a` and `/b`.
fn with_nodes() -> Zk {
    let mut zk = Zk::new();
    for p in ["/v", "/a", "/b"] {
        zk.write(create(p));
    }
    zk
}

fn triggers(out: &ApplyOutcome) -> Vec<(EventType, &str)> {
    out.triggers
        .iter()
        .map(|t| (t.event, t.path.as_str()))
        .collect()
}

// ---- success ------------------------------------------------------------------------

#[test]
fn a_successful_multi_applies_every_op_under_one_zxid_with_per_op_results() {
    let mut zk = with_nodes();
    let out = zk.multi(vec![
        WriteOp::check("/v", 0),
        WriteOp::create("/a/x", "x", CreateMode::Persistent),
        WriteOp::set_data("/b", "b1", 0),
        WriteOp::delete("/a/x", 0),
    ]);
    let z = zk.zxid;
    let r = results(&out);
    assert_eq!(r.len(), 4);
    assert_eq!(r[0], OpResult::Check);
    assert!(matches!(&r[1], OpResult::Create { path, .. } if path == "/a/x"));
    let OpResult::SetData { stat } = r[2] else {
        panic!("{:?}", r[2])
    };
    assert_eq!((stat.version, stat.mzxid), (1, z), "setData's stat");
    assert_eq!(r[3], OpResult::Delete);
    assert_eq!(out.result.err(), ErrorCode::Ok);
    assert_eq!(
        zk.tree.last_processed_zxid(),
        z,
        "one zxid for the whole multi"
    );
    assert_eq!(zk.stat("/b").mzxid, z);
    assert!(zk.tree.node("/a/x").is_none(), "created then deleted");
}

#[test]
fn the_reply_to_a_multi_carries_create_results_without_a_stat_and_header_ok() {
    // FinalRequestProcessor: `create` inside a multi → CreateResult(path); the stat only for
    // create2. The ReplyHeader says Ok for any multi, failed or not.
    let mut zk = with_nodes();
    let ops = vec![
        WriteOp::create("/a/x", "", CreateMode::Persistent),
        WriteOp::Create {
            path: "/a/y".into(),
            data: String::new(),
            mode: CreateMode::Persistent,
            stat: true,
            acl: zooscope::zk::data::acl::open_acl_unsafe(),
            ttl: -1,
        },
    ];
    let op = WriteOp::Multi(ops.clone());
    let out = zk.write(op.clone());
    let (err, body) = out.result.response_to(&op);
    assert_eq!(err, ErrorCode::Ok);
    let Some(OpResult::Multi(r)) = body else {
        panic!()
    };
    assert_eq!(
        r[0],
        OpResult::Create {
            path: "/a/x".into(),
            stat: None
        }
    );
    assert!(matches!(&r[1], OpResult::Create { stat: Some(s), .. } if s.czxid == zk.zxid));

    let failing = WriteOp::Multi(vec![WriteOp::check("/v", 7)]);
    let out = zk.write(failing.clone());
    let (err, body) = out.result.response_to(&failing);
    assert_eq!(
        err,
        ErrorCode::Ok,
        "the failure is in the results, not the header"
    );
    assert_eq!(
        body,
        Some(OpResult::Multi(vec![OpResult::Error(
            ErrorCode::BadVersion
        )]))
    );
}

// ---- failure at each position --------------------------------------------------------

/// Runs a failing multi and checks that nothing changed but the zxid (a failed multi is
/// still a txn), and returns its results.
fn failing(ops: Vec<WriteOp>) -> (Vec<OpResult>, ErrorCode) {
    let mut zk = with_nodes();
    let before = zk.tree.clone();
    let out = zk.multi(ops);
    assert!(out.triggers.is_empty(), "a failed multi fires no watch");
    for (p, n) in before.nodes() {
        assert_eq!(zk.tree.node(p), Some(n), "{p} changed");
    }
    assert_eq!(zk.tree.node_count(), before.node_count());
    assert_eq!(zk.tree.last_processed_zxid(), zk.zxid, "it used a zxid");
    (results(&out).to_vec(), out.result.err())
}

#[test]
fn a_multi_failing_at_its_first_op_reports_that_error_then_runtime_inconsistency() {
    use ErrorCode::*;
    let (r, err) = failing(vec![
        WriteOp::check("/v", 3),
        WriteOp::set_data("/a", "a1", -1),
        WriteOp::set_data("/b", "b1", -1),
    ]);
    assert_eq!(
        r,
        [
            OpResult::Error(BadVersion),
            OpResult::Error(RuntimeInconsistency),
            OpResult::Error(RuntimeInconsistency),
        ]
    );
    assert_eq!(err, BadVersion);
}

#[test]
fn a_multi_failing_in_the_middle_reports_ok_before_and_runtime_inconsistency_after() {
    use ErrorCode::*;
    let (r, err) = failing(vec![
        WriteOp::check("/v", 0),
        create("/a/x"),
        WriteOp::delete("/missing", -1),
        WriteOp::set_data("/b", "b1", -1),
    ]);
    assert_eq!(
        r,
        [
            OpResult::Error(Ok),
            OpResult::Error(Ok),
            OpResult::Error(NoNode),
            OpResult::Error(RuntimeInconsistency),
        ]
    );
    assert_eq!(err, NoNode);
}

#[test]
fn a_multi_failing_at_its_last_op_reports_ok_for_every_earlier_op() {
    use ErrorCode::*;
    let (r, err) = failing(vec![
        WriteOp::check("/v", 0),
        WriteOp::set_data("/a", "a1", 0),
        create("/b"),
    ]);
    assert_eq!(
        r,
        [
            OpResult::Error(Ok),
            OpResult::Error(Ok),
            OpResult::Error(NodeExists),
        ]
    );
    assert_eq!(err, NodeExists);
}

#[test]
fn each_op_is_checked_against_the_state_the_earlier_ops_leave() {
    use ErrorCode::*;
    // The check sees the version the setData before it made; the delete sees the child the
    // create before it made, and fails as NotEmpty.
    let (r, err) = failing(vec![
        WriteOp::set_data("/v", "1", 0),
        WriteOp::check("/v", 1),
        create("/a/child"),
        WriteOp::delete("/a", -1),
    ]);
    assert_eq!(
        r,
        [
            OpResult::Error(Ok),
            OpResult::Error(Ok),
            OpResult::Error(Ok),
            OpResult::Error(NotEmpty),
        ]
    );
    assert_eq!(err, NotEmpty);
}

#[test]
fn multi_outcome_reads_a_failed_multi_like_the_java_client() {
    let answer = Ok(ReplyBody::Write(OpResult::Multi(vec![
        OpResult::Error(ErrorCode::Ok),
        OpResult::Error(ErrorCode::BadVersion),
    ])));
    assert_eq!(
        multi_outcome(&answer),
        Err(MultiError {
            err: ErrorCode::BadVersion,
            results: vec![
                OpResult::Error(ErrorCode::Ok),
                OpResult::Error(ErrorCode::BadVersion)
            ],
        })
    );
}

// ---- watches, cversion, pzxid ---------------------------------------------------------

#[test]
fn a_multi_fires_watches_in_op_order_and_each_watch_once() {
    let mut zk = with_nodes();
    zk.write(create("/a/old"));
    let mut w = WatchManager::new();
    w.add_data_watch("/b", S2);
    w.add_child_watch("/a", S2);
    w.add_data_watch("/a/new", S2); // exists on a missing node
    w.add_data_watch("/a/old", S2);
    let out = zk.multi(vec![
        WriteOp::check("/v", 0),
        WriteOp::set_data("/b", "b1", -1),
        create("/a/new"),
        WriteOp::delete("/a/old", -1),
    ]);
    assert_eq!(
        triggers(&out),
        [
            (EventType::NodeDataChanged, "/b"),
            (EventType::NodeCreated, "/a/new"),
            (EventType::NodeChildrenChanged, "/a"),
            (EventType::NodeDeleted, "/a/old"),
            (EventType::NodeChildrenChanged, "/a"),
        ]
    );
    let sent: Vec<(EventType, &str)> = out
        .triggers
        .iter()
        .filter(|t| !w.fire(t).is_empty())
        .map(|t| (t.event, t.path.as_str()))
        .collect();
    assert_eq!(
        sent,
        [
            (EventType::NodeDataChanged, "/b"),
            (EventType::NodeCreated, "/a/new"),
            (EventType::NodeChildrenChanged, "/a"),
            (EventType::NodeDeleted, "/a/old"),
        ],
        "the child watch on /a fires once"
    );
}

#[test]
fn a_multi_counts_every_child_create_and_delete_in_the_parents_cversion() {
    let mut zk = with_nodes();
    zk.write(create("/a/old"));
    let before = zk.stat("/a");
    assert_eq!(before.cversion, 1);
    let out = zk.multi(vec![
        create("/a/x"),
        create("/a/y"),
        WriteOp::delete("/a/x", -1),
        WriteOp::delete("/a/old", -1),
    ]);
    assert_eq!(out.result.err(), ErrorCode::Ok);
    let a = zk.stat("/a");
    assert_eq!(a.cversion, 1 + 4, "two creates and two deletes, +1 each");
    assert_eq!(a.num_children, 1);
    assert_eq!(a.pzxid, zk.zxid, "pzxid is the multi's zxid");
    assert_eq!(
        zk.tree.node("/a").unwrap().stat.cversion,
        3,
        "stored cversion counts creates only"
    );
    let seq = zk.multi(vec![WriteOp::create(
        "/a/s-",
        "",
        CreateMode::PersistentSequential,
    )]);
    assert!(
        matches!(&results(&seq)[0], OpResult::Create { path, .. } if path == "/a/s-0000000003")
    );
}

#[test]
fn a_failed_multi_does_not_advance_the_sequential_counter_or_pzxid() {
    let mut zk = with_nodes();
    let before = zk.stat("/a");
    zk.multi(vec![
        WriteOp::create("/a/s-", "", CreateMode::PersistentSequential),
        WriteOp::check("/v", 5),
    ]);
    assert_eq!(zk.stat("/a"), before);
    let out = zk.write(WriteOp::create(
        "/a/s-",
        "",
        CreateMode::PersistentSequential,
    ));
    assert!(matches!(out.result, OpResult::Create { ref path, .. } if path == "/a/s-0000000000"));
}

// ---- end to end ------------------------------------------------------------------------

#[test]
fn a_multi_at_a_follower_commits_once_and_every_server_applies_the_same_zxid() {
    let mut e = Ens::new(3, 3);
    let leader = e.settle();
    let follower = (1..=3).find(|s| *s != leader).unwrap();
    let mut c = e.connect(follower);
    e.await_session(&c);
    for (xid, p) in [(1, "/v"), (2, "/a"), (3, "/b")] {
        e.request(
            &mut c,
            xid,
            ClientOp::Write(WriteOp::create(p, "0", CreateMode::Persistent)),
        );
    }
    e.await_reply(&c, 3);
    let ops = vec![
        WriteOp::check("/v", 0),
        WriteOp::set_data("/a", "1", -1),
        WriteOp::set_data("/b", "1", -1),
    ];
    e.request(&mut c, 4, ClientOp::multi(ops.clone()));
    let (z, err, body) = e.await_reply(&c, 4);
    assert_eq!(err, ErrorCode::Ok);
    let done = multi_outcome(&Ok(body)).expect("applied");
    assert_eq!(done[0], OpResult::Check);

    let mut bad = ops;
    bad[0] = WriteOp::check("/v", 1);
    e.request(&mut c, 5, ClientOp::multi(bad));
    let (z2, err, body) = e.await_reply(&c, 5);
    assert_eq!(
        err,
        ErrorCode::Ok,
        "a multi's ReplyHeader is Ok even when it fails"
    );
    assert_eq!(z2, z + 1, "the failed multi used a zxid");
    let failed = multi_outcome(&Ok(body)).unwrap_err();
    assert_eq!(failed.err, ErrorCode::BadVersion);
    assert_eq!(failed.results.len(), 3);
    e.run_for(100 * MS);
    for sid in 1..=3 {
        let tree = e.server(sid).tree();
        for p in ["/a", "/b"] {
            let s = tree.stat(p).expect("exists");
            assert_eq!((s.mzxid, s.version), (z, 1), "{p} on server {sid}");
        }
        assert_eq!(tree.last_processed_zxid(), z2);
    }
    e.assert_clean();
}
