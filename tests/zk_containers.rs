//! Container and TTL nodes (sheet A.2, A.5; 3.8 `PrepRequestProcessor`, `ContainerManager`,
//! `EphemeralType`): how they are created, refused and reaped by the leader.

mod zk_golden;

use zooscope::zk::data::extended::{EphemeralType, MAX_TTL_MS};
use zooscope::zk::data::prep::Requester;
use zooscope::zk::data::tree::DataTree;
use zooscope::zk::data::txn::{Txn, TxnHeader, WriteOp};
use zooscope::zk::{CreateMode, ErrorCode};

const S1: i64 = 0x0100_0000_0000_0000;

struct Zk {
    tree: DataTree,
    zxid: i64,
    extended: bool,
}

impl Zk {
    fn new(extended: bool) -> Zk {
        let mut zk = Zk {
            tree: DataTree::new(),
            zxid: 0,
            extended,
        };
        zk.txn(0, Txn::CreateSession { timeout_ms: 10_000 }, 0);
        zk
    }

    fn txn(&mut self, session: i64, txn: Txn, time_ms: i64) -> Txn {
        self.zxid += 1;
        let hdr = TxnHeader {
            session_id: if session == 0 { S1 } else { session },
            cxid: 0,
            zxid: self.zxid,
            time_ms,
        };
        self.tree.apply(&hdr, &txn);
        txn
    }

    fn write(&mut self, op: WriteOp, time_ms: i64) -> Txn {
        let who = Requester {
            auth: &[],
            extended_types: self.extended,
        };
        let txn = self.tree.prepare_as(S1, who, &op);
        self.txn(S1, txn, time_ms)
    }

    fn err(&mut self, op: WriteOp) -> ErrorCode {
        self.write(op, 0).err()
    }
}

fn create(path: &str, mode: CreateMode, ttl: i64) -> WriteOp {
    let acl = zooscope::zk::data::acl::open_acl_unsafe();
    WriteOp::create_with(path, "", acl, mode, ttl)
}

#[test]
fn a_container_create_is_sent_as_create_container_and_makes_a_create_container_txn() {
    let op = create("/c", CreateMode::Container, -1);
    assert_eq!(op.name(), "createContainer");
    let mut zk = Zk::new(false);
    let txn = zk.write(op, 5);
    assert_eq!((txn.name(), txn.op_code()), ("createContainer", 19));
    let node = zk.tree.node("/c").unwrap();
    assert_eq!(node.ephemeral_type(), EphemeralType::Container);
    assert_eq!(
        node.stat.ephemeral_owner,
        i64::MIN,
        "stored as Long.MIN_VALUE"
    );
    assert_eq!(
        zk.tree.stat("/c").unwrap().ephemeral_owner,
        0,
        "clients see 0"
    );
}

#[test]
fn a_container_is_a_candidate_only_once_it_had_a_child_and_is_empty_again() {
    let mut zk = Zk::new(false);
    zk.write(create("/c", CreateMode::Container, -1), 0);
    zk.write(create("/never", CreateMode::Container, -1), 0);
    assert!(zk.tree.container_candidates(1_000_000).is_empty());
    zk.write(WriteOp::create("/c/x", "", CreateMode::Persistent), 0);
    assert!(
        zk.tree.container_candidates(1_000_000).is_empty(),
        "has a child"
    );
    zk.write(WriteOp::delete("/c/x", -1), 0);
    assert_eq!(
        zk.tree.container_candidates(1_000_000),
        vec!["/c".to_string()]
    );
}

#[test]
fn delete_container_answers_not_empty_and_bad_version_as_the_real_server_does() {
    let mut zk = Zk::new(false);
    zk.write(create("/c", CreateMode::Container, -1), 0);
    zk.write(WriteOp::create("/c/x", "", CreateMode::Persistent), 0);
    zk.write(WriteOp::create("/e", "", CreateMode::Ephemeral), 0);
    let dc = |p: &str| WriteOp::DeleteContainer { path: p.into() };
    assert_eq!(zk.err(dc("/c")), ErrorCode::NotEmpty);
    assert_eq!(
        zk.err(dc("/e")),
        ErrorCode::BadVersion,
        "an ordinary ephemeral"
    );
    assert_eq!(zk.err(dc("/gone")), ErrorCode::NoNode);
    zk.write(WriteOp::delete("/c/x", -1), 0);
    let txn = zk.write(dc("/c"), 0);
    assert_eq!((txn.name(), txn.op_code()), ("deleteContainer", 20));
    assert!(zk.tree.node("/c").is_none());
}

#[test]
fn a_ttl_create_is_unimplemented_unless_extended_types_are_enabled_whatever_else_is_wrong() {
    let mut zk = Zk::new(false);
    assert_eq!(
        zk.err(create("/t", CreateMode::PersistentWithTtl, 100)),
        ErrorCode::Unimplemented
    );
    assert_eq!(
        zk.err(create("/no/t", CreateMode::PersistentSequentialWithTtl, 0)),
        ErrorCode::Unimplemented
    );
}

#[test]
fn ttl_values_outside_one_to_two_to_the_forty_are_bad_arguments() {
    let mut zk = Zk::new(true);
    for ttl in [0, -1, MAX_TTL_MS + 1] {
        assert_eq!(
            zk.err(create("/t", CreateMode::PersistentWithTtl, ttl)),
            ErrorCode::BadArguments
        );
    }
    assert_eq!(
        zk.err(create("/p", CreateMode::Persistent, 10)),
        ErrorCode::BadArguments,
        "a TTL on a mode without one"
    );
    let txn = zk.write(create("/t", CreateMode::PersistentWithTtl, MAX_TTL_MS), 0);
    assert_eq!((txn.name(), txn.op_code()), ("createTTL", 21));
    assert_eq!(
        zk.tree.node("/t").unwrap().ephemeral_type(),
        EphemeralType::Ttl(MAX_TTL_MS)
    );
}

#[test]
fn a_ttl_node_expires_only_when_childless_and_unmodified_for_longer_than_its_ttl() {
    let mut zk = Zk::new(true);
    zk.write(create("/t", CreateMode::PersistentWithTtl, 1000), 100);
    assert!(
        zk.tree.container_candidates(1100).is_empty(),
        "not more than ttl yet"
    );
    zk.write(WriteOp::set_data("/t", "x", -1), 1000);
    assert!(
        zk.tree.container_candidates(1500).is_empty(),
        "setData moved mtime"
    );
    zk.write(WriteOp::create("/t/kid", "", CreateMode::Persistent), 1600);
    assert!(zk.tree.container_candidates(5000).is_empty(), "has a child");
    zk.write(WriteOp::delete("/t/kid", -1), 5000);
    assert_eq!(zk.tree.container_candidates(5000), vec!["/t".to_string()]);
}

#[test]
fn the_leaders_container_manager_deletes_an_emptied_container_on_every_replica() {
    let text = r#"{"servers": 3, "seed": 9, "config": {"container_check_interval_ms": 2000}, "ops": [
      {"client": "c1", "op": "connect", "timeout_ms": 10000},
      {"client": "c1", "op": "create", "path": "/c", "container": true},
      {"client": "c1", "op": "create", "path": "/c/x"},
      {"client": "c1", "op": "delete", "path": "/c/x"},
      {"client": "c1", "op": "exists", "path": "/c"},
      {"op": "wait", "ms": 2500},
      {"client": "c1", "op": "exists", "path": "/c"}
    ]}"#;
    let (lines, sim) = zk_golden::run_keeping_sim(text);
    let line = |i: usize| {
        let tag = format!("\"i\":{i},");
        lines
            .iter()
            .find(|l| l.contains(&tag))
            .cloned()
            .unwrap_or_default()
    };
    assert!(
        line(4).contains("\"stat\":{"),
        "empty but not yet checked: {lines:?}"
    );
    assert!(
        line(6).contains("\"stat\":null"),
        "deleted at the next check: {lines:?}"
    );
    for id in sim.world.node_ids() {
        if let Some(s) = sim.world.node(id).zk_server() {
            assert!(s.tree().node("/c").is_none(), "zk{} still has /c", s.sid);
        }
    }
}

#[test]
fn zk_script_containers_are_reaped_after_their_last_child_goes() {
    zk_golden::check_golden("containers");
}

#[test]
fn zk_script_ttl_creates_are_unimplemented_by_default() {
    zk_golden::check_golden("ttl-disabled");
}

#[test]
fn zk_script_ttl_nodes_expire_when_childless_and_unmodified() {
    zk_golden::check_golden("ttl-enabled");
}
