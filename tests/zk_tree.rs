//! The ZooKeeper data tree, request preparation and watch tables against the fact sheet
//! (`shared/protocols.md` A.1–A.10): one test per rule, using the sheet's measured numbers.

use proptest::prelude::*;
use zooscope::zk::data::path::{self, validate_path, PathError};
use zooscope::zk::{
    counter_of, epoch_of, fmt_zxid, zxid, ApplyOutcome, CreateMode, DataTree, ErrorCode, EventType,
    KeeperState, OpResult, SessionId, Stat, Txn, TxnHeader, WatchManager, WatchTarget,
    WatchTrigger, WriteOp, Zxid,
};

const S1: SessionId = 0x0100_0000_0000_0001;
const S2: SessionId = 0x0200_0000_0000_0001;

/// A single replica driven the way the leader would: prepare, then apply under the next zxid.
struct Zk {
    tree: DataTree,
    zxid: Zxid,
}

impl Zk {
    /// A fresh tree in epoch 1 with sessions S1 and S2 open.
    fn new() -> Zk {
        let mut zk = Zk {
            tree: DataTree::new(),
            zxid: zxid(1, 0),
        };
        zk.txn(S1, Txn::CreateSession { timeout_ms: 30_000 });
        zk.txn(S2, Txn::CreateSession { timeout_ms: 30_000 });
        zk
    }

    fn hdr(&mut self, session: SessionId) -> TxnHeader {
        self.zxid += 1;
        TxnHeader {
            session_id: session,
            cxid: 0,
            zxid: self.zxid,
            time_ms: 1_000 * i64::from(counter_of(self.zxid)),
        }
    }

    fn txn(&mut self, session: SessionId, txn: Txn) -> ApplyOutcome {
        let hdr = self.hdr(session);
        self.tree.apply(&hdr, &txn)
    }

    fn write_as(&mut self, session: SessionId, op: WriteOp) -> ApplyOutcome {
        let txn = self.tree.prepare(session, &op);
        self.txn(session, txn)
    }

    fn write(&mut self, op: WriteOp) -> ApplyOutcome {
        self.write_as(S1, op)
    }

    fn err(&mut self, op: WriteOp) -> ErrorCode {
        self.write(op).result.err()
    }

    /// Creates and returns the actual path; panics on error.
    fn ok(&mut self, op: WriteOp) -> String {
        match self.write(op).result {
            OpResult::Create { path, .. } => path,
            OpResult::Error(e) => panic!("write failed: {e}"),
            _ => String::new(),
        }
    }

    fn stat(&self, path: &str) -> Stat {
        self.tree.stat(path).expect("node exists")
    }
}

fn create(path: &str) -> WriteOp {
    create_mode(path, CreateMode::Persistent)
}

fn create_mode(path: &str, mode: CreateMode) -> WriteOp {
    WriteOp::Create {
        path: path.to_string(),
        data: String::new(),
        mode,
        stat: false,
        acl: zooscope::zk::data::acl::open_acl_unsafe(),
        ttl: -1,
    }
}

fn seq(path: &str) -> WriteOp {
    create_mode(path, CreateMode::PersistentSequential)
}

fn eph(path: &str) -> WriteOp {
    create_mode(path, CreateMode::Ephemeral)
}

fn delete(path: &str, version: i32) -> WriteOp {
    WriteOp::Delete {
        path: path.to_string(),
        version,
    }
}

fn set(path: &str, data: &str, version: i32) -> WriteOp {
    WriteOp::SetData {
        path: path.to_string(),
        data: data.to_string(),
        version,
    }
}

fn check(path: &str, version: i32) -> WriteOp {
    WriteOp::Check {
        path: path.to_string(),
        version,
    }
}

fn triggers(outcome: &ApplyOutcome) -> Vec<(EventType, &str)> {
    outcome
        .triggers
        .iter()
        .map(|t| (t.event, t.path.as_str()))
        .collect()
}

// ---- types ----------------------------------------------------------------------------

#[test]
fn zxid_is_epoch_high_and_counter_low_and_prints_in_lower_case_hex() {
    let z = zxid(1, 4);
    assert_eq!(z, 0x1_0000_0004);
    assert_eq!((epoch_of(z), counter_of(z)), (1, 4));
    assert_eq!(fmt_zxid(z), "0x100000004");
    assert_eq!(fmt_zxid(0), "0x0");
    assert_eq!(fmt_zxid(zxid(5, 0xab)), "0x5000000ab");
    assert_eq!(zxid(5, 1), 0x5_0000_0001);
    assert_eq!(epoch_of(zxid(u32::MAX, u32::MAX)), u32::MAX);
    assert_eq!(counter_of(zxid(u32::MAX, u32::MAX)), u32::MAX);
}

#[test]
fn error_codes_have_the_sheet_names_and_values_and_round_trip() {
    let pairs = [
        (ErrorCode::Ok, "Ok", 0),
        (ErrorCode::SystemError, "SystemError", -1),
        (ErrorCode::RuntimeInconsistency, "RuntimeInconsistency", -2),
        (ErrorCode::BadArguments, "BadArguments", -8),
        (ErrorCode::UnknownSession, "UnknownSession", -12),
        (ErrorCode::ApiError, "APIError", -100),
        (ErrorCode::NoNode, "NoNode", -101),
        (
            ErrorCode::NoChildrenForEphemerals,
            "NoChildrenForEphemerals",
            -108,
        ),
        (ErrorCode::NodeExists, "NodeExists", -110),
        (ErrorCode::SessionExpired, "SessionExpired", -112),
        (ErrorCode::InvalidACL, "InvalidACL", -114),
        (ErrorCode::SessionMoved, "SessionMoved", -118),
        (
            ErrorCode::SessionClosedRequireSaslAuth,
            "SessionClosedRequireSaslAuth",
            -124,
        ),
    ];
    for (code, name, value) in pairs {
        assert_eq!((code.name(), code.code()), (name, value));
    }
    let mut seen = std::collections::BTreeSet::new();
    for code in ErrorCode::ALL {
        assert_eq!(ErrorCode::from_code(code.code()), Some(code));
        assert!(seen.insert(code.code()), "duplicate value for {code}");
    }
    assert_eq!(seen.len(), 30);
    assert_eq!(ErrorCode::from_code(-9), None);
    assert_eq!(
        serde_json::to_string(&ErrorCode::ApiError).unwrap(),
        "\"APIError\""
    );
}

#[test]
fn create_mode_flags_match_the_java_constants() {
    for (mode, flag, e, s) in [
        (CreateMode::Persistent, 0, false, false),
        (CreateMode::Ephemeral, 1, true, false),
        (CreateMode::PersistentSequential, 2, false, true),
        (CreateMode::EphemeralSequential, 3, true, true),
    ] {
        assert_eq!(mode.flag(), flag);
        assert_eq!(CreateMode::from_flag(flag), Some(mode));
        assert_eq!((mode.is_ephemeral(), mode.is_sequential()), (e, s));
        assert_eq!(CreateMode::from_flags(e, s), mode);
    }
    assert_eq!(CreateMode::from_flag(4), Some(CreateMode::Container));
    assert_eq!(
        CreateMode::from_flag(5),
        Some(CreateMode::PersistentWithTtl)
    );
    assert_eq!(
        CreateMode::from_flag(6),
        Some(CreateMode::PersistentSequentialWithTtl)
    );
    assert_eq!(CreateMode::from_flag(7), None);
}

#[test]
fn event_types_and_keeper_states_have_their_wire_values() {
    assert_eq!(EventType::None.code(), -1);
    assert_eq!(EventType::NodeChildrenChanged.code(), 4);
    assert_eq!(EventType::from_code(3), Some(EventType::NodeDataChanged));
    assert_eq!(EventType::NodeDeleted.name(), "NodeDeleted");
    assert_eq!(KeeperState::Expired.code(), -112);
    assert_eq!(KeeperState::SyncConnected.code(), 3);
    assert_eq!(KeeperState::Closed.name(), "Closed");
}

#[test]
fn stat_serializes_with_the_jute_camel_case_names_in_wire_order() {
    let json = serde_json::to_string(&Stat::default()).unwrap();
    assert_eq!(
        json,
        "{\"czxid\":0,\"mzxid\":0,\"ctime\":0,\"mtime\":0,\"version\":0,\"cversion\":0,\
         \"aversion\":0,\"ephemeralOwner\":0,\"dataLength\":0,\"numChildren\":0,\"pzxid\":0}"
    );
}

// ---- paths ----------------------------------------------------------------------------

#[test]
fn validate_path_follows_path_utils() {
    assert_eq!(validate_path("/"), Ok(()));
    assert_eq!(validate_path("/a/b-c_d.e"), Ok(()));
    assert_eq!(validate_path("/a/..b"), Ok(()));
    assert_eq!(validate_path("/a/.b"), Ok(()));
    assert_eq!(validate_path(""), Err(PathError::Empty));
    assert_eq!(validate_path("a/b"), Err(PathError::NotAbsolute));
    assert_eq!(validate_path("/a/"), Err(PathError::TrailingSlash));
    assert_eq!(validate_path("/a//b"), Err(PathError::EmptySegment(3)));
    assert_eq!(validate_path("/a/./b"), Err(PathError::Relative(3)));
    assert_eq!(validate_path("/a/.."), Err(PathError::Relative(4)));
    assert_eq!(validate_path("/a\0"), Err(PathError::NulChar(2)));
    assert_eq!(validate_path("/a\u{7}"), Err(PathError::InvalidChar(2)));
    assert_eq!(validate_path("/\u{1F600}"), Err(PathError::InvalidChar(1)));
    assert_eq!(validate_path("/é"), Ok(()));
}

#[test]
fn parent_and_name_split_at_the_last_slash() {
    assert_eq!(path::parent_of("/a/b"), Some("/a"));
    assert_eq!(path::parent_of("/a"), Some("/"));
    assert_eq!(path::parent_of("/a//x"), Some("/a/"));
    assert_eq!(path::parent_of("/a/"), Some("/a"));
    assert_eq!(path::parent_of("a"), None);
    assert_eq!(path::name_of("/a/b"), "b");
    assert_eq!(path::name_of("/a/"), "");
    assert_eq!(path::join("/", "a"), "/a");
    assert_eq!(path::join("/a", "b"), "/a/b");
    assert_eq!(path::sequential_path("/l/lock-", 7), "/l/lock-0000000007");
    assert_eq!(path::sequential_path("/l/", -5), "/l/-000000005");
}

// ---- the fresh tree and stats ---------------------------------------------------------

#[test]
fn root_reports_cversion_minus_one_and_zookeeper_minus_two() {
    let tree = DataTree::new();
    assert_eq!(tree.stat("/").unwrap().cversion, -1);
    assert_eq!(tree.stat("/zookeeper").unwrap().cversion, -2);
    assert_eq!(tree.stat("/zookeeper").unwrap().num_children, 2);
    assert_eq!(tree.stat("/zookeeper/quota").unwrap().cversion, 0);
    assert_eq!(tree.stat("/zookeeper/config").unwrap().cversion, 0);
}

#[test]
fn fresh_tree_holds_only_the_reserved_nodes_at_zxid_zero() {
    let tree = DataTree::new();
    let paths: Vec<&str> = tree.nodes().map(|(p, _)| p).collect();
    assert_eq!(
        paths,
        ["/", "/zookeeper", "/zookeeper/config", "/zookeeper/quota"]
    );
    for (_, node) in tree.nodes() {
        let s = node.stat();
        assert_eq!((s.czxid, s.mzxid, s.pzxid, s.ctime), (0, 0, 0, 0));
    }
    assert_eq!(tree.last_processed_zxid(), 0);
    assert!(tree.sessions().is_empty());
    assert_eq!(tree.get_children("/").unwrap().0, ["zookeeper"]);
}

#[test]
fn create_stamps_the_node_with_its_zxid_and_time_and_bumps_the_parent() {
    let mut zk = Zk::new();
    let out = zk.write(WriteOp::Create {
        path: "/a".into(),
        data: "héllo".into(),
        mode: CreateMode::Persistent,
        stat: true,
        acl: zooscope::zk::data::acl::open_acl_unsafe(),
        ttl: -1,
    });
    let z = zk.zxid;
    let OpResult::Create {
        path,
        stat: Some(stat),
    } = out.result
    else {
        panic!("{:?}", out.result)
    };
    assert_eq!(path, "/a");
    assert_eq!((stat.czxid, stat.mzxid, stat.pzxid), (z, z, z));
    assert_eq!(stat.ctime, stat.mtime);
    assert_eq!(stat.ctime, 1_000 * i64::from(counter_of(z)));
    assert_eq!((stat.version, stat.cversion, stat.aversion), (0, 0, 0));
    assert_eq!(stat.data_length, 6, "dataLength is the UTF-8 byte length");
    assert_eq!(stat.ephemeral_owner, 0);
    let root = zk.stat("/");
    assert_eq!(root.pzxid, z);
    assert_eq!(root.num_children, 2);
    assert_eq!(root.cversion, 0, "stored 1, two children: 2*1-2");
    assert_eq!(zk.tree.last_processed_zxid(), z);
    assert_eq!(zk.tree.get_data("/a").unwrap().0, "héllo");
}

#[test]
fn parent_reports_cversion_eight_after_seven_creates_and_one_delete() {
    let mut zk = Zk::new();
    zk.ok(create("/p"));
    for i in 0..7 {
        zk.ok(create(&format!("/p/c{i}")));
    }
    assert_eq!(zk.err(delete("/p/c3", -1)), ErrorCode::Ok);
    let s = zk.stat("/p");
    assert_eq!((s.cversion, s.num_children), (8, 6));
    assert_eq!(zk.tree.node("/p").unwrap().stat.cversion, 7, "stored");
    assert_eq!(zk.ok(seq("/p/s-")), "/p/s-0000000007");
}

#[test]
fn sequential_suffix_uses_stored_cversion_and_skips_after_deletes() {
    let mut zk = Zk::new();
    zk.ok(create("/locks"));
    assert_eq!(zk.ok(seq("/locks/lock-")), "/locks/lock-0000000000");
    assert_eq!(zk.ok(seq("/locks/lock-")), "/locks/lock-0000000001");
    zk.ok(create("/locks/other"));
    zk.err(delete("/locks/lock-0000000001", -1));
    zk.err(delete("/locks/other", -1));
    // Failed creates do not advance the counter either.
    assert_eq!(
        zk.err(create("/locks/lock-0000000000")),
        ErrorCode::NodeExists
    );
    assert_eq!(zk.ok(seq("/locks/lock-")), "/locks/lock-0000000003");
    assert_eq!(
        zk.ok(create_mode("/locks/x-", CreateMode::EphemeralSequential)),
        "/locks/x-0000000004"
    );
}

#[test]
fn sequential_create_of_existing_name_fails_with_node_exists() {
    let mut zk = Zk::new();
    zk.ok(create("/q"));
    zk.ok(create("/q/n0000000001"));
    // Stored cversion is now 1, so the next sequential name is the one just made by hand.
    assert_eq!(zk.err(seq("/q/n")), ErrorCode::NodeExists);
    assert_eq!(zk.err(seq("/q/n")), ErrorCode::NodeExists, "keeps failing");
    zk.ok(create("/q/other"));
    assert_eq!(zk.ok(seq("/q/n")), "/q/n0000000002");
}

#[test]
fn sequential_counter_is_a_signed_int_that_wraps() {
    let mut zk = Zk::new();
    zk.ok(create("/w"));
    zk.txn(
        S1,
        Txn::Create {
            path: "/w/x".into(),
            data: String::new(),
            ephemeral: false,
            parent_cversion: i32::MAX,
            acl: zooscope::zk::data::acl::open_acl_unsafe(),
            container: false,
            ttl: 0,
        },
    );
    assert_eq!(zk.ok(seq("/w/s")), "/w/s2147483647");
    assert_eq!(zk.ok(seq("/w/s")), "/w/s-2147483648");
    assert_eq!(zk.tree.node("/w").unwrap().stat.cversion, i32::MIN + 1);
}

#[test]
fn sequential_create_of_trailing_slash_is_valid() {
    let mut zk = Zk::new();
    zk.ok(create("/a"));
    assert_eq!(zk.err(create("/a/")), ErrorCode::BadArguments);
    assert_eq!(zk.ok(seq("/a/")), "/a/0000000000");
    assert_eq!(zk.tree.get_children("/a").unwrap().0, ["0000000000"]);
}

// ---- create error order -----------------------------------------------------------------

#[test]
fn create_error_order_no_slash_or_nul_is_bad_arguments_before_the_parent_lookup() {
    let mut zk = Zk::new();
    assert_eq!(zk.err(create("a")), ErrorCode::BadArguments);
    assert_eq!(zk.err(create("")), ErrorCode::BadArguments);
    assert_eq!(zk.err(create("/missing\0/x")), ErrorCode::BadArguments);
    assert_eq!(zk.err(seq("nosl")), ErrorCode::BadArguments);
}

#[test]
fn malformed_path_with_missing_parent_is_no_node() {
    let mut zk = Zk::new();
    zk.ok(create("/a"));
    for p in ["/a//x", "/a/./x", "/a/../x", "a/x", "/a/x/"] {
        assert_eq!(zk.err(create(p)), ErrorCode::NoNode, "create {p}");
        assert_eq!(zk.err(delete(p, -1)), ErrorCode::NoNode, "delete {p}");
    }
}

#[test]
fn create_error_order_full_path_is_checked_after_the_parent_and_suffix() {
    let mut zk = Zk::new();
    zk.ok(create("/a"));
    assert_eq!(zk.err(create("/a/")), ErrorCode::BadArguments);
    assert_eq!(zk.err(create("/a/.")), ErrorCode::BadArguments);
    assert_eq!(zk.err(create("/a/..")), ErrorCode::BadArguments);
    assert_eq!(zk.err(create("/a/\u{1}")), ErrorCode::BadArguments);
    // Under the root the parent always exists, so the full check decides.
    assert_eq!(zk.err(create("//x")), ErrorCode::BadArguments);
}

#[test]
fn create_error_order_bad_arguments_before_node_exists() {
    let mut zk = Zk::new();
    zk.ok(create("/a"));
    zk.ok(create("/a/b"));
    assert_eq!(zk.err(create("/a/b/")), ErrorCode::BadArguments);
    assert_eq!(zk.err(create("/a/b")), ErrorCode::NodeExists);
}

#[test]
fn create_error_order_no_children_for_ephemerals_comes_last() {
    let mut zk = Zk::new();
    zk.ok(create("/a"));
    zk.ok(eph("/a/e"));
    assert_eq!(zk.err(eph("/a/e")), ErrorCode::NodeExists);
    assert_eq!(zk.err(create("/a/e/x/")), ErrorCode::NoNode);
    assert_eq!(zk.err(create("/a/e/")), ErrorCode::BadArguments);
    assert_eq!(zk.err(seq("/a/e/")), ErrorCode::NoChildrenForEphemerals);
    assert_eq!(zk.err(create("/a/e/x")), ErrorCode::NoChildrenForEphemerals);
}

#[test]
fn create_of_reserved_paths_is_node_exists() {
    let mut zk = Zk::new();
    for p in path::RESERVED_PATHS {
        assert_eq!(zk.err(create(p)), ErrorCode::NodeExists, "{p}");
    }
}

#[test]
fn ephemeral_cannot_have_children() {
    let mut zk = Zk::new();
    zk.ok(eph("/e"));
    assert_eq!(zk.err(create("/e/c")), ErrorCode::NoChildrenForEphemerals);
    assert_eq!(zk.err(eph("/e/c")), ErrorCode::NoChildrenForEphemerals);
    assert_eq!(zk.err(seq("/e/c")), ErrorCode::NoChildrenForEphemerals);
    assert_eq!(zk.stat("/e").num_children, 0);
}

// ---- delete, setData, check -----------------------------------------------------------

#[test]
fn delete_of_reserved_paths_is_bad_arguments() {
    let mut zk = Zk::new();
    for p in path::RESERVED_PATHS {
        assert_eq!(zk.err(delete(p, -1)), ErrorCode::BadArguments, "{p}");
        assert_eq!(zk.err(delete(p, 99)), ErrorCode::BadArguments, "{p}");
    }
    assert_eq!(zk.err(delete("a", -1)), ErrorCode::BadArguments);
    assert_eq!(zk.err(delete("/x\0", -1)), ErrorCode::BadArguments);
}

#[test]
fn delete_error_order_no_node_then_bad_version_then_not_empty() {
    let mut zk = Zk::new();
    zk.ok(create("/a"));
    zk.ok(create("/a/b"));
    assert_eq!(zk.err(delete("/nope/x", 5)), ErrorCode::NoNode, "parent");
    assert_eq!(zk.err(delete("/a/x", 5)), ErrorCode::NoNode, "node");
    assert_eq!(
        zk.err(delete("/a/", -1)),
        ErrorCode::NoNode,
        "never validated"
    );
    assert_eq!(zk.err(delete("/a", 5)), ErrorCode::BadVersion);
    assert_eq!(zk.err(delete("/a", 0)), ErrorCode::NotEmpty);
    assert_eq!(zk.err(delete("/a", -1)), ErrorCode::NotEmpty);
    assert_eq!(zk.err(delete("/a/b", 0)), ErrorCode::Ok);
    assert_eq!(zk.err(delete("/a", 0)), ErrorCode::Ok);
}

#[test]
fn delete_raises_parent_pzxid_and_leaves_stored_cversion() {
    let mut zk = Zk::new();
    zk.ok(create("/a"));
    zk.ok(create("/a/b"));
    let before = zk.tree.node("/a").unwrap().stat;
    zk.write(delete("/a/b", -1));
    let after = zk.tree.node("/a").unwrap().stat;
    assert_eq!(after.cversion, before.cversion);
    assert_eq!(after.pzxid, zk.zxid);
    assert_eq!(
        zk.stat("/a").cversion,
        2,
        "reported: one create plus one delete"
    );
    assert_eq!(after.mzxid, before.mzxid);
}

#[test]
fn child_delete_never_lowers_parent_pzxid() {
    let mut zk = Zk::new();
    zk.ok(create("/a"));
    zk.ok(create("/a/b"));
    zk.ok(create("/a/c"));
    let high = zk.stat("/a").pzxid;
    // A delete carrying an older zxid (as a replayed txn could) must not move pzxid back.
    let hdr = TxnHeader {
        session_id: S1,
        cxid: 0,
        zxid: high - 1,
        time_ms: 0,
    };
    zk.tree.apply(
        &hdr,
        &Txn::Delete {
            path: "/a/b".into(),
        },
    );
    assert_eq!(zk.stat("/a").pzxid, high);
    assert_eq!(
        zk.tree.last_processed_zxid(),
        high,
        "never goes down either"
    );
}

#[test]
fn set_data_bumps_version_mzxid_and_mtime_only() {
    let mut zk = Zk::new();
    zk.ok(create("/a"));
    let before = zk.stat("/a");
    let out = zk.write(set("/a", "xyz", 0));
    let OpResult::SetData { stat } = out.result else {
        panic!("{:?}", out.result)
    };
    assert_eq!(stat.version, 1);
    assert_eq!(stat.mzxid, zk.zxid);
    assert!(stat.mtime > before.mtime);
    assert_eq!(stat.data_length, 3);
    assert_eq!(
        (stat.czxid, stat.ctime, stat.pzxid),
        (before.czxid, before.ctime, before.pzxid)
    );
    assert_eq!(stat, zk.stat("/a"));
    assert_eq!(zk.err(set("/a", "v2", 1)), ErrorCode::Ok);
    assert_eq!(zk.stat("/a").version, 2);
}

#[test]
fn set_data_error_order_bad_arguments_then_no_node_then_bad_version() {
    let mut zk = Zk::new();
    zk.ok(create("/a"));
    assert_eq!(zk.err(set("/missing/", "", 7)), ErrorCode::BadArguments);
    assert_eq!(zk.err(set("a", "", 7)), ErrorCode::BadArguments);
    assert_eq!(zk.err(set("/missing", "", 7)), ErrorCode::NoNode);
    assert_eq!(zk.err(set("/a", "", 7)), ErrorCode::BadVersion);
}

#[test]
fn version_minus_one_matches_any_version() {
    let mut zk = Zk::new();
    zk.ok(create("/a"));
    for _ in 0..3 {
        assert_eq!(zk.err(set("/a", "x", -1)), ErrorCode::Ok);
    }
    assert_eq!(zk.stat("/a").version, 3);
    assert_eq!(zk.err(check("/a", -1)), ErrorCode::Ok);
    assert_eq!(zk.err(delete("/a", -1)), ErrorCode::Ok);
}

#[test]
fn check_is_a_pure_version_assertion() {
    let mut zk = Zk::new();
    zk.ok(create("/a"));
    let before = zk.tree.clone();
    let out = zk.write(check("/a", 0));
    assert_eq!(out.result, OpResult::Check);
    assert!(out.triggers.is_empty());
    assert_eq!(zk.stat("/a"), before.stat("/a").unwrap());
    assert_eq!(zk.err(check("/a", 1)), ErrorCode::BadVersion);
    assert_eq!(zk.err(check("/b", 0)), ErrorCode::NoNode);
    assert_eq!(zk.err(check("/a/", 0)), ErrorCode::BadArguments);
}

#[test]
fn zookeeper_node_accepts_set_data_and_children() {
    let mut zk = Zk::new();
    assert_eq!(zk.err(set("/zookeeper", "x", -1)), ErrorCode::Ok);
    zk.ok(create("/zookeeper/mine"));
    assert_eq!(
        zk.stat("/zookeeper").cversion,
        -1,
        "stored 1, three children"
    );
    assert_eq!(zk.err(delete("/zookeeper/mine", -1)), ErrorCode::Ok);
}

#[test]
fn failed_writes_become_error_txns_that_only_advance_last_processed_zxid() {
    let mut zk = Zk::new();
    let txn = zk.tree.prepare(S1, &create("/x/y"));
    assert_eq!(txn, Txn::Error(ErrorCode::NoNode));
    assert_eq!(txn.op_code(), -1);
    let before = zk.tree.clone();
    let out = zk.txn(S1, txn);
    assert_eq!(out.result, OpResult::Error(ErrorCode::NoNode));
    assert!(out.triggers.is_empty());
    assert_eq!(zk.tree.last_processed_zxid(), zk.zxid);
    assert_eq!(
        zk.tree.nodes().collect::<Vec<_>>(),
        before.nodes().collect::<Vec<_>>()
    );
}

#[test]
fn writes_from_an_unknown_session_are_session_expired() {
    let mut zk = Zk::new();
    assert_eq!(
        zk.write_as(99, create("/a")).result.err(),
        ErrorCode::SessionExpired
    );
    zk.txn(S2, Txn::CloseSession);
    assert_eq!(
        zk.write_as(S2, set("/zookeeper", "", -1)).result.err(),
        ErrorCode::SessionExpired
    );
    assert_eq!(zk.tree.sessions().keys().copied().collect::<Vec<_>>(), [S1]);
}

// ---- sessions and ephemerals ----------------------------------------------------------

#[test]
fn session_table_is_replicated_through_create_and_close_session() {
    let mut zk = Zk::new();
    zk.txn(7, Txn::CreateSession { timeout_ms: 6_000 });
    assert_eq!(zk.tree.session_timeout_ms(7), Some(6_000));
    assert_eq!(zk.tree.sessions().len(), 3);
    let out = zk.txn(7, Txn::CloseSession);
    assert_eq!(out.result, OpResult::CloseSession);
    assert_eq!(zk.tree.session_timeout_ms(7), None);
}

#[test]
fn ephemeral_create_records_the_owning_session() {
    let mut zk = Zk::new();
    zk.ok(eph("/e1"));
    zk.write_as(S2, create_mode("/e2-", CreateMode::EphemeralSequential));
    assert_eq!(zk.stat("/e1").ephemeral_owner, S1);
    assert_eq!(
        zk.tree.ephemerals_of(S1).iter().collect::<Vec<_>>(),
        ["/e1"]
    );
    assert_eq!(
        zk.tree.ephemerals_of(S2).iter().collect::<Vec<_>>(),
        ["/e2-0000000001"]
    );
    zk.err(delete("/e1", -1));
    assert!(zk.tree.ephemerals_of(S1).is_empty());
}

#[test]
fn ephemerals_are_deleted_when_session_closes() {
    let mut zk = Zk::new();
    zk.ok(create("/b"));
    zk.ok(eph("/b/z"));
    zk.ok(eph("/a"));
    zk.ok(create("/keep"));
    zk.write_as(S2, eph("/b/other"));
    let b_before = zk.tree.node("/b").unwrap().stat.cversion;
    let out = zk.txn(S1, Txn::CloseSession);
    let close = zk.zxid;
    assert_eq!(
        triggers(&out),
        [
            (EventType::NodeDeleted, "/a"),
            (EventType::NodeChildrenChanged, "/"),
            (EventType::NodeDeleted, "/b/z"),
            (EventType::NodeChildrenChanged, "/b"),
        ]
    );
    assert!(zk.tree.node("/a").is_none());
    assert!(zk.tree.node("/b/z").is_none());
    assert!(zk.tree.node("/keep").is_some());
    assert!(zk.tree.node("/b/other").is_some());
    let b = zk.stat("/b");
    assert_eq!(b.pzxid, close);
    assert_eq!(zk.tree.node("/b").unwrap().stat.cversion, b_before);
    assert_eq!(b.cversion, 3, "two creates and one delete");
    assert!(zk.tree.ephemerals_of(S1).is_empty());
    assert_eq!(zk.tree.ephemerals_of(S2).len(), 1);
}

// ---- multi ----------------------------------------------------------------------------

#[test]
fn multi_is_all_or_nothing_with_runtime_inconsistency_after_failure() {
    let mut zk = Zk::new();
    zk.ok(create("/a"));
    let before = zk.tree.clone();
    let op = WriteOp::Multi(vec![
        create("/a/x"),
        set("/a", "d", -1),
        delete("/missing", -1),
        create("/a/y"),
        check("/a", 0),
    ]);
    let txn = zk.tree.prepare(S1, &op);
    let Txn::Multi(ref ops) = txn else { panic!() };
    assert!(matches!(ops[0], Txn::Create { .. }));
    assert_eq!(ops[2], Txn::Error(ErrorCode::NoNode));
    assert_eq!(ops[3], Txn::Error(ErrorCode::RuntimeInconsistency));
    assert_eq!(txn.err(), ErrorCode::NoNode);
    let out = zk.txn(S1, txn);
    use ErrorCode::*;
    assert_eq!(
        out.result,
        OpResult::Multi(vec![
            OpResult::Error(Ok),
            OpResult::Error(Ok),
            OpResult::Error(NoNode),
            OpResult::Error(RuntimeInconsistency),
            OpResult::Error(RuntimeInconsistency),
        ])
    );
    assert_eq!(out.result.err(), NoNode);
    assert!(out.triggers.is_empty());
    assert!(zk.tree.node("/a/x").is_none());
    assert_eq!(zk.tree.node("/a"), before.node("/a"));
}

#[test]
fn multi_ops_see_the_earlier_ops_of_the_same_multi() {
    let mut zk = Zk::new();
    let out = zk.write(WriteOp::Multi(vec![
        create("/m"),
        seq("/m/s-"),
        seq("/m/s-"),
        set("/m", "v1", 0),
        check("/m", 1),
        delete("/m/s-0000000000", -1),
        seq("/m/s-"),
    ]));
    assert_eq!(out.result.err(), ErrorCode::Ok);
    let OpResult::Multi(results) = &out.result else {
        panic!()
    };
    let created: Vec<&str> = results
        .iter()
        .filter_map(|r| match r {
            OpResult::Create { path, .. } => Some(path.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(
        created,
        [
            "/m",
            "/m/s-0000000000",
            "/m/s-0000000001",
            "/m/s-0000000002"
        ]
    );
    let m = zk.stat("/m");
    assert_eq!((m.version, m.num_children), (1, 2));
    assert_eq!(m.cversion, 4, "three creates and one delete, +1 each");
}

#[test]
fn multi_shares_one_zxid_and_fires_watches_in_op_order() {
    let mut zk = Zk::new();
    zk.ok(create("/a"));
    zk.ok(create("/a/old"));
    let out = zk.write(WriteOp::Multi(vec![
        create("/a/new"),
        delete("/a/old", -1),
        set("/a", "x", -1),
    ]));
    let z = zk.zxid;
    assert_eq!(zk.stat("/a/new").czxid, z);
    assert_eq!(zk.stat("/a").mzxid, z);
    assert_eq!(zk.stat("/a").pzxid, z);
    assert_eq!(
        triggers(&out),
        [
            (EventType::NodeCreated, "/a/new"),
            (EventType::NodeChildrenChanged, "/a"),
            (EventType::NodeDeleted, "/a/old"),
            (EventType::NodeChildrenChanged, "/a"),
            (EventType::NodeDataChanged, "/a"),
        ]
    );
    // A watch fires at most once even though the multi names `/a` twice for children.
    let mut w = WatchManager::new();
    w.add_child_watch("/a", S2);
    let fired: Vec<Vec<SessionId>> = out.triggers.iter().map(|t| w.fire(t)).collect();
    assert_eq!(fired.iter().filter(|f| !f.is_empty()).count(), 1);
}

#[test]
fn empty_multi_succeeds_and_nested_multi_is_a_marshalling_error() {
    let mut zk = Zk::new();
    assert_eq!(
        zk.write(WriteOp::Multi(vec![])).result,
        OpResult::Multi(vec![])
    );
    let out = zk.write(WriteOp::Multi(vec![create("/a"), WriteOp::Multi(vec![])]));
    assert_eq!(out.result.err(), ErrorCode::MarshallingError);
    assert!(zk.tree.node("/a").is_none());
}

#[test]
fn a_prep_tree_lets_pipelined_writes_see_each_other() {
    // The leader applies each prepared txn to its prep tree at once; the committed tree
    // catches up later and ends up identical.
    let mut committed = Zk::new();
    let mut prep = committed.tree.clone();
    let mut log = Vec::new();
    for op in [
        create("/p"),
        seq("/p/n-"),
        seq("/p/n-"),
        delete("/p/n-0000000000", 0),
    ] {
        let txn = prep.prepare(S1, &op);
        assert_eq!(txn.err(), ErrorCode::Ok, "{op:?}");
        let hdr = committed.hdr(S1); // only numbers the txn; the committed tree waits
        prep.apply(&hdr, &txn);
        log.push((hdr, txn));
    }
    for (hdr, txn) in &log {
        committed.tree.apply(hdr, txn);
    }
    assert_eq!(committed.tree, prep);
    assert_eq!(
        committed.tree.get_children("/p").unwrap().0,
        ["n-0000000001"]
    );
}

// ---- apply triggers and reads ---------------------------------------------------------

#[test]
fn writes_produce_triggers_in_the_real_firing_order() {
    let mut zk = Zk::new();
    zk.ok(create("/a"));
    let out = zk.write(create("/a/b"));
    assert_eq!(
        out.triggers,
        [
            WatchTrigger {
                event: EventType::NodeCreated,
                path: "/a/b".into(),
                target: WatchTarget::Data
            },
            WatchTrigger {
                event: EventType::NodeChildrenChanged,
                path: "/a".into(),
                target: WatchTarget::Children
            },
        ]
    );
    let out = zk.write(set("/a/b", "x", -1));
    assert_eq!(triggers(&out), [(EventType::NodeDataChanged, "/a/b")]);
    assert_eq!(out.triggers[0].target, WatchTarget::Data);
    let out = zk.write(delete("/a/b", -1));
    assert_eq!(
        triggers(&out),
        [
            (EventType::NodeDeleted, "/a/b"),
            (EventType::NodeChildrenChanged, "/a")
        ]
    );
    assert_eq!(out.triggers[0].target, WatchTarget::DataAndChildren);
    let out = zk.write(create("/top"));
    assert_eq!(
        out.triggers[1].path, "/",
        "children of the root fire on `/`"
    );
}

#[test]
fn exists_only_rejects_nul() {
    let mut zk = Zk::new();
    zk.ok(create("/a"));
    assert!(zk.tree.exists("/a").unwrap().is_some());
    assert_eq!(zk.tree.exists("/a/"), Ok(None));
    assert_eq!(zk.tree.exists("a"), Ok(None));
    assert_eq!(zk.tree.exists("/a\0"), Err(ErrorCode::BadArguments));
}

#[test]
fn reads_of_missing_nodes_are_no_node_and_children_come_sorted() {
    let mut zk = Zk::new();
    assert_eq!(zk.tree.get_data("/x"), Err(ErrorCode::NoNode));
    assert_eq!(zk.tree.get_children("/x"), Err(ErrorCode::NoNode));
    zk.ok(create("/d"));
    for name in ["zeta", "alpha", "mid"] {
        zk.ok(create(&format!("/d/{name}")));
    }
    let (children, stat) = zk.tree.get_children("/d").unwrap();
    assert_eq!(children, ["alpha", "mid", "zeta"]);
    assert_eq!(stat.num_children, 3);
}

// ---- watches --------------------------------------------------------------------------

#[test]
fn watch_fires_once() {
    let mut zk = Zk::new();
    let mut w = WatchManager::new();
    zk.ok(create("/a"));
    w.add_data_watch("/a", S1);
    let out = zk.write(set("/a", "1", -1));
    assert_eq!(w.fire(&out.triggers[0]), [S1]);
    let out = zk.write(set("/a", "2", -1));
    assert!(w.fire(&out.triggers[0]).is_empty(), "one-shot");
    assert!(w.is_empty());
}

#[test]
fn delete_sends_one_notification_for_data_and_child_watch() {
    let mut zk = Zk::new();
    let mut w = WatchManager::new();
    zk.ok(create("/a"));
    zk.ok(create("/a/b"));
    w.add_data_watch("/a/b", S1);
    w.add_child_watch("/a/b", S1);
    w.add_child_watch("/a/b", S2);
    w.add_child_watch("/a", S1);
    let out = zk.write(delete("/a/b", -1));
    let fired: Vec<Vec<SessionId>> = out.triggers.iter().map(|t| w.fire(t)).collect();
    assert_eq!(fired, [vec![S1, S2], vec![S1]]);
    assert!(w.is_empty());
}

#[test]
fn several_reads_of_one_path_give_one_notification() {
    let mut w = WatchManager::new();
    w.add_data_watch("/a", S1); // exists
    w.add_data_watch("/a", S1); // getData
    w.add_data_watch("/a", S2);
    assert_eq!(w.len(), 2);
    assert_eq!(
        w.trigger(EventType::NodeDataChanged, "/a", WatchTarget::Data),
        [S1, S2]
    );
}

#[test]
fn exists_watch_on_a_missing_node_fires_node_created() {
    let mut zk = Zk::new();
    let mut w = WatchManager::new();
    assert_eq!(zk.tree.exists("/later"), Ok(None));
    w.add_data_watch("/later", S2);
    let out = zk.write(create("/later"));
    assert_eq!(out.triggers[0].event, EventType::NodeCreated);
    assert_eq!(w.fire(&out.triggers[0]), [S2]);
}

#[test]
fn child_watch_fires_only_on_child_list_changes() {
    let mut zk = Zk::new();
    let mut w = WatchManager::new();
    zk.ok(create("/a"));
    w.add_child_watch("/a", S1);
    let out = zk.write(set("/a", "x", -1));
    assert!(out.triggers.iter().all(|t| w.fire(t).is_empty()));
    let out = zk.write(create("/a/c"));
    let fired: Vec<Vec<SessionId>> = out.triggers.iter().map(|t| w.fire(t)).collect();
    assert_eq!(fired, [vec![], vec![S1]]);
}

#[test]
fn remove_session_drops_only_its_watches() {
    let mut w = WatchManager::new();
    w.add_data_watch("/a", S1);
    w.add_child_watch("/a", S1);
    w.add_child_watch("/a", S2);
    w.add_data_watch("/b", S1);
    w.remove_session(S1);
    assert_eq!(w.watches_on("/a").data, Vec::<SessionId>::new());
    assert_eq!(w.watches_on("/a").child, [S2]);
    assert_eq!(w.watches_on("/b"), Default::default());
    assert_eq!(w.watches_of(S2), (vec![], vec!["/a".to_string()]));
    assert_eq!(w.data_watches().count(), 0);
    assert_eq!(w.child_watches().count(), 1);
}

#[test]
fn set_watches_fires_missed_events_on_reconnect() {
    let mut zk = Zk::new();
    for p in [
        "/d-same",
        "/d-changed",
        "/d-gone",
        "/c-same",
        "/c-changed",
        "/c-gone",
    ] {
        zk.ok(create(p));
    }
    let seen = zk.zxid;
    zk.write(set("/d-changed", "x", -1));
    zk.write(delete("/d-gone", -1));
    zk.ok(create("/e-now"));
    zk.ok(create("/c-changed/kid"));
    zk.write(delete("/c-gone", -1));
    let strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let mut w = WatchManager::new();
    let events = w.set_watches(
        &zk.tree,
        S1,
        seen,
        &strings(&["/d-same", "/d-changed", "/d-gone"]),
        &strings(&["/e-now", "/e-still-missing"]),
        &strings(&["/c-same", "/c-changed", "/c-gone"]),
    );
    let events: Vec<(EventType, &str)> = events.iter().map(|(e, p)| (*e, p.as_str())).collect();
    assert_eq!(
        events,
        [
            (EventType::NodeDataChanged, "/d-changed"),
            (EventType::NodeDeleted, "/d-gone"),
            (EventType::NodeCreated, "/e-now"),
            (EventType::NodeChildrenChanged, "/c-changed"),
            (EventType::NodeDeleted, "/c-gone"),
        ]
    );
    // The rest are re-armed on this server.
    assert_eq!(w.watches_on("/d-same").data, [S1]);
    assert_eq!(w.watches_on("/e-still-missing").data, [S1]);
    assert_eq!(w.watches_on("/c-same").child, [S1]);
    assert_eq!(w.len(), 3);
}

#[test]
fn set_watches_misses_an_exists_watch_on_a_node_created_and_deleted_while_away() {
    let mut zk = Zk::new();
    let seen = zk.zxid;
    zk.ok(create("/blip"));
    zk.write(delete("/blip", -1));
    let mut w = WatchManager::new();
    let events = w.set_watches(&zk.tree, S1, seen, &[], &["/blip".to_string()], &[]);
    assert!(events.is_empty(), "the known hole in A.6 guarantee 4");
    assert_eq!(w.watches_on("/blip").data, [S1]);
}

// ---- replicas and robustness ----------------------------------------------------------

#[test]
fn replicas_applying_the_same_txns_are_equal() {
    let mut leader = Zk::new();
    let mut log = vec![];
    let ops = [
        create("/a"),
        eph("/a/e"),
        seq("/a/s"),
        set("/a", "x", 0),
        delete("/a/e", -1),
        create("/a/e/x"),
    ];
    // Replay the session creations too.
    let mut replay = Zk {
        tree: DataTree::new(),
        zxid: zxid(1, 0),
    };
    replay.txn(S1, Txn::CreateSession { timeout_ms: 30_000 });
    replay.txn(S2, Txn::CreateSession { timeout_ms: 30_000 });
    for op in ops {
        let txn = leader.tree.prepare(S1, &op);
        let hdr = leader.hdr(S1);
        leader.tree.apply(&hdr, &txn);
        log.push((hdr, txn));
    }
    let mut follower = replay.tree;
    for (hdr, txn) in &log {
        follower.apply(hdr, txn);
    }
    assert_eq!(follower, leader.tree);
}

fn arb_path() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => prop::sample::select(vec!["/a", "/b", "/a/x", "/a/y", "/b/x", "/a/x/z", "/zookeeper"])
            .prop_map(str::to_string),
        1 => prop::sample::select(vec!["/", "a", "/a/", "/a//x", "/a/.", "", "/zookeeper/quota", "/a\0"])
            .prop_map(str::to_string),
    ]
}

fn arb_mode() -> impl Strategy<Value = CreateMode> {
    (any::<bool>(), any::<bool>()).prop_map(|(e, s)| CreateMode::from_flags(e, s))
}

fn arb_simple_op() -> impl Strategy<Value = WriteOp> {
    let version = prop_oneof![Just(-1), 0..3i32];
    prop_oneof![
        (arb_path(), arb_mode()).prop_map(|(path, mode)| WriteOp::Create {
            path,
            data: "d".into(),
            mode,
            stat: false,
            acl: zooscope::zk::data::acl::open_acl_unsafe(),
            ttl: -1,
        }),
        (arb_path(), version.clone()).prop_map(|(path, version)| WriteOp::Delete { path, version }),
        (arb_path(), version.clone()).prop_map(|(path, version)| WriteOp::SetData {
            path,
            data: "v".into(),
            version
        }),
        (arb_path(), version).prop_map(|(path, version)| WriteOp::Check { path, version }),
    ]
}

#[derive(Clone, Debug)]
enum Step {
    Write(SessionId, WriteOp),
    Open(SessionId),
    Close(SessionId),
}

fn arb_step() -> impl Strategy<Value = Step> {
    let session = prop::sample::select(vec![S1, S2, 3]);
    prop_oneof![
        6 => (session.clone(), arb_simple_op()).prop_map(|(s, op)| Step::Write(s, op)),
        2 => (session.clone(), prop::collection::vec(arb_simple_op(), 0..4))
            .prop_map(|(s, ops)| Step::Write(s, WriteOp::Multi(ops))),
        1 => session.clone().prop_map(Step::Open),
        1 => session.prop_map(Step::Close),
    ]
}

fn arb_txn() -> impl Strategy<Value = Txn> {
    let simple = prop_oneof![
        (arb_path(), any::<bool>(), any::<i32>()).prop_map(|(path, ephemeral, parent_cversion)| {
            Txn::Create {
                path,
                data: String::new(),
                ephemeral,
                parent_cversion,
                acl: zooscope::zk::data::acl::open_acl_unsafe(),
                container: false,
                ttl: 0,
            }
        }),
        arb_path().prop_map(|path| Txn::Delete { path }),
        (arb_path(), any::<i32>()).prop_map(|(path, version)| Txn::SetData {
            path,
            data: String::new(),
            version
        }),
        Just(Txn::CloseSession),
        Just(Txn::CreateSession { timeout_ms: 1 }),
        Just(Txn::Error(ErrorCode::NoNode)),
    ];
    prop_oneof![
        3 => simple.clone(),
        1 => prop::collection::vec(simple, 0..4).prop_map(Txn::Multi),
    ]
}

/// The tree's shape: every node but `/` is listed by its parent, every listed child exists,
/// ephemerals have no children and are in their owner's set.
fn assert_well_formed(tree: &DataTree) {
    for (p, node) in tree.nodes() {
        if p != "/" {
            let parent = tree
                .node(path::parent_of(p).unwrap())
                .expect("parent exists");
            assert!(parent.children.contains(path::name_of(p)), "{p} listed");
        }
        for c in &node.children {
            assert!(tree.node(&path::join(p, c)).is_some(), "{p}/{c} exists");
        }
        if node.is_ephemeral() {
            assert!(node.children.is_empty(), "{p} ephemeral with children");
            assert!(tree.ephemerals_of(node.stat.ephemeral_owner).contains(p));
        }
    }
}

proptest! {
    #[test]
    fn random_histories_give_equal_replicas_and_a_well_formed_tree(
        steps in prop::collection::vec(arb_step(), 0..40)
    ) {
        let mut leader = DataTree::new();
        for s in [S1, S2] {
            let hdr = TxnHeader { session_id: s, cxid: 0, zxid: zxid(0, s as u32), time_ms: 0 };
            leader.apply(&hdr, &Txn::CreateSession { timeout_ms: 4_000 });
        }
        let mut follower = leader.clone();
        for (i, step) in steps.into_iter().enumerate() {
            let (session, txn) = match step {
                Step::Write(s, op) => (s, leader.prepare(s, &op)),
                Step::Open(s) => (s, Txn::CreateSession { timeout_ms: 4_000 }),
                Step::Close(s) => (s, Txn::CloseSession),
            };
            let hdr = TxnHeader { session_id: session, cxid: 0, zxid: zxid(1, i as u32 + 1), time_ms: i as i64 };
            let a = leader.apply(&hdr, &txn);
            let b = follower.apply(&hdr, &txn);
            prop_assert_eq!(&a, &b);
            // Prepared txns never trip apply's own guards.
            prop_assert_eq!(a.result.err(), txn.err());
            prop_assert_eq!(&leader, &follower);
            assert_well_formed(&leader);
        }
    }

    #[test]
    fn applying_arbitrary_txns_never_panics_or_corrupts_the_tree(
        txns in prop::collection::vec((prop::sample::select(vec![S1, S2]), arb_txn()), 0..40)
    ) {
        let mut tree = DataTree::new();
        for (i, (s, txn)) in txns.iter().enumerate() {
            let hdr = TxnHeader { session_id: *s, cxid: 0, zxid: i as i64 + 1, time_ms: 0 };
            tree.apply(&hdr, txn);
            let _ = tree.get_children("/");
        }
        assert_well_formed(&tree);
    }
}
