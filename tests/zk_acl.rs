//! ACLs and `addAuth` (sheet A.1, A.5; 3.8 `PrepRequestProcessor.fixupACL`,
//! `ZooKeeperServer.checkACL`, `FinalRequestProcessor` getACL, the digest and ip providers).

mod zk_golden;

use zooscope::zk::data::acl::{
    self, authenticate, generate_digest, open_acl_unsafe, Acl, Id, ADMIN, ALL, CREATE, READ,
};
use zooscope::zk::data::prep::Requester;
use zooscope::zk::data::tree::DataTree;
use zooscope::zk::data::txn::{Txn, TxnHeader, WriteOp};
use zooscope::zk::{CreateMode, ErrorCode};

const S1: i64 = 0x0100_0000_0000_0000;

struct Zk {
    tree: DataTree,
    zxid: i64,
}

impl Zk {
    fn new() -> Zk {
        let mut zk = Zk {
            tree: DataTree::new(),
            zxid: 0,
        };
        zk.apply(Txn::CreateSession { timeout_ms: 10_000 });
        zk
    }

    fn apply(&mut self, txn: Txn) -> Txn {
        self.zxid += 1;
        let hdr = TxnHeader {
            session_id: S1,
            cxid: 0,
            zxid: self.zxid,
            time_ms: 0,
        };
        self.tree.apply(&hdr, &txn);
        txn
    }

    fn write_as(&mut self, auth: &[Id], op: WriteOp) -> ErrorCode {
        let who = Requester {
            auth,
            extended_types: false,
        };
        let txn = self.tree.prepare_as(S1, who, &op);
        self.apply(txn).err()
    }
}

fn alice() -> Id {
    Id::new("digest", &generate_digest("alice:secret"))
}

fn create(path: &str, acl: Vec<Acl>) -> WriteOp {
    WriteOp::create_with(path, "", acl, CreateMode::Persistent, -1)
}

#[test]
fn the_digest_id_is_the_user_and_base64_of_sha1_of_user_colon_password() {
    assert_eq!(
        generate_digest("alice:secret"),
        "alice:aYXlLOpEooaV1cRAvUL1fp9Qt7E="
    );
    assert_eq!(
        authenticate("digest", "alice:secret", "10.0.0.5"),
        Ok(alice())
    );
    assert_eq!(
        authenticate("ip", "anything", "10.0.0.5"),
        Ok(Id::new("ip", "10.0.0.5"))
    );
    assert_eq!(
        authenticate("world", "anyone", "10.0.0.5"),
        Err(ErrorCode::AuthFailed)
    );
}

#[test]
fn create_reports_invalid_acl_before_a_missing_parent_and_no_auth_after_it() {
    let mut zk = Zk::new();
    assert_eq!(
        zk.write_as(&[], create("/no/x", vec![])),
        ErrorCode::InvalidACL
    );
    let locked = vec![Acl::new(READ, "world", "anyone")];
    assert_eq!(zk.write_as(&[], create("/r", locked)), ErrorCode::Ok);
    assert_eq!(
        zk.write_as(&[], create("/r/x", open_acl_unsafe())),
        ErrorCode::NoAuth
    );
    assert_eq!(
        zk.write_as(&[], create("/no/x", open_acl_unsafe())),
        ErrorCode::NoNode
    );
}

#[test]
fn auth_expands_to_the_callers_digest_ids_and_is_invalid_without_one() {
    let mut zk = Zk::new();
    let auth_acl = vec![Acl::new(ALL, "auth", "")];
    let ip = Id::new("ip", "10.0.0.9");
    assert_eq!(
        zk.write_as(std::slice::from_ref(&ip), create("/a", auth_acl.clone())),
        ErrorCode::InvalidACL
    );
    assert_eq!(
        zk.write_as(&[ip, alice()], create("/a", auth_acl)),
        ErrorCode::Ok
    );
    assert_eq!(
        zk.tree.node("/a").unwrap().acl,
        vec![Acl {
            perms: ALL,
            id: alice()
        }]
    );
}

#[test]
fn delete_needs_delete_on_the_parent_and_checks_it_before_looking_for_the_node() {
    let mut zk = Zk::new();
    let no_delete = vec![Acl::new(ALL & !acl::DELETE, "world", "anyone")];
    zk.write_as(&[], create("/p", no_delete));
    zk.write_as(
        &[],
        create("/p/kid", vec![Acl::new(READ, "world", "anyone")]),
    );
    assert_eq!(
        zk.write_as(&[], WriteOp::delete("/p/kid", -1)),
        ErrorCode::NoAuth
    );
    assert_eq!(
        zk.write_as(&[], WriteOp::delete("/p/missing", -1)),
        ErrorCode::NoAuth
    );
    zk.write_as(&[], create("/q", open_acl_unsafe()));
    zk.write_as(
        &[],
        create("/q/kid", vec![Acl::new(READ, "world", "anyone")]),
    );
    assert_eq!(
        zk.write_as(&[], WriteOp::delete("/q/kid", -1)),
        ErrorCode::Ok,
        "the node's own ACL does not matter"
    );
}

#[test]
fn set_data_needs_write_and_check_needs_read() {
    let mut zk = Zk::new();
    zk.write_as(&[], create("/r", vec![Acl::new(READ, "world", "anyone")]));
    zk.write_as(
        &[],
        create("/w", vec![Acl::new(acl::WRITE, "world", "anyone")]),
    );
    assert_eq!(
        zk.write_as(&[], WriteOp::set_data("/r", "x", -1)),
        ErrorCode::NoAuth
    );
    assert_eq!(
        zk.write_as(&[], WriteOp::set_data("/w", "x", -1)),
        ErrorCode::Ok
    );
    assert_eq!(
        zk.write_as(&[], WriteOp::check("/w", -1)),
        ErrorCode::NoAuth
    );
    assert_eq!(zk.write_as(&[], WriteOp::check("/r", -1)), ErrorCode::Ok);
}

#[test]
fn set_acl_needs_admin_checks_the_aversion_and_bumps_it() {
    let mut zk = Zk::new();
    zk.write_as(
        &[],
        create(
            "/n",
            vec![
                Acl::new(READ, "world", "anyone"),
                Acl::new(ADMIN, "digest", &alice().id),
            ],
        ),
    );
    let set = |v| WriteOp::SetAcl {
        path: "/n".into(),
        acl: open_acl_unsafe(),
        version: v,
    };
    assert_eq!(zk.write_as(&[], set(-1)), ErrorCode::NoAuth);
    assert_eq!(zk.write_as(&[alice()], set(1)), ErrorCode::BadVersion);
    let empty = WriteOp::SetAcl {
        path: "/n".into(),
        acl: vec![],
        version: 0,
    };
    assert_eq!(zk.write_as(&[alice()], empty), ErrorCode::InvalidACL);
    assert_eq!(zk.write_as(&[alice()], set(0)), ErrorCode::Ok);
    let stat = zk.tree.stat("/n").unwrap();
    assert_eq!((stat.aversion, stat.version), (1, 0));
    assert_eq!(zk.tree.node("/n").unwrap().acl, open_acl_unsafe());
}

#[test]
fn get_acl_needs_read_or_admin_and_hides_digest_hashes_from_non_admins() {
    let mut zk = Zk::new();
    let digest = Acl::new(ADMIN, "digest", &alice().id);
    zk.write_as(
        &[],
        create(
            "/n",
            vec![Acl::new(READ, "world", "anyone"), digest.clone()],
        ),
    );
    zk.write_as(&[], create("/a", vec![digest.clone()]));
    let (shown, _) = zk.tree.get_acl("/n", &[]).unwrap();
    assert_eq!(shown[1].id.id, "alice:x");
    assert_eq!(zk.tree.get_acl("/n", &[alice()]).unwrap().0[1], digest);
    assert_eq!(zk.tree.get_acl("/a", &[]), Err(ErrorCode::NoAuth));
    assert!(
        zk.tree.get_acl("/a", &[alice()]).is_ok(),
        "ADMIN alone is enough"
    );
    assert_eq!(
        zk.tree.check_acl("/a", READ, &[alice()]),
        Err(ErrorCode::NoAuth)
    );
}

#[test]
fn ip_acls_match_the_connections_address_by_prefix() {
    let mut zk = Zk::new();
    zk.write_as(&[], create("/lan", vec![Acl::new(ALL, "ip", "10.0.0.0/8")]));
    let me = Id::new("ip", "10.0.0.7");
    let them = Id::new("ip", "192.168.1.1");
    assert_eq!(
        zk.write_as(
            std::slice::from_ref(&me),
            create("/lan/x", open_acl_unsafe())
        ),
        ErrorCode::Ok
    );
    assert_eq!(
        zk.write_as(&[them], create("/lan/y", open_acl_unsafe())),
        ErrorCode::NoAuth
    );
    for bad in ["10.0.0", "10.0.0.256", "10.0.0.0/33", "10.0.0.0/x"] {
        assert_eq!(
            zk.write_as(&[], create("/b", vec![Acl::new(ALL, "ip", bad)])),
            ErrorCode::InvalidACL,
            "{bad}"
        );
    }
}

#[test]
fn a_multi_op_without_permission_fails_the_whole_multi_with_no_auth() {
    let mut zk = Zk::new();
    zk.write_as(
        &[],
        create("/r", vec![Acl::new(READ | CREATE, "world", "anyone")]),
    );
    let multi = WriteOp::Multi(vec![
        WriteOp::create("/r/a", "", CreateMode::Persistent),
        WriteOp::set_data("/r", "x", -1),
    ]);
    assert_eq!(zk.write_as(&[], multi), ErrorCode::NoAuth);
    assert!(zk.tree.node("/r/a").is_none());
}

#[test]
fn zk_script_acl_checks_and_errors_follow_the_real_server() {
    zk_golden::check_golden("acl");
}

#[test]
fn a_client_re_sends_its_auth_after_reconnecting_to_another_server() {
    let text = r#"{"servers": 3, "seed": 5, "ops": [
      {"client": "c1", "op": "connect", "servers": [1, 2, 3], "timeout_ms": 10000},
      {"client": "c1", "op": "add_auth", "scheme": "digest", "auth": "alice:secret"},
      {"client": "c1", "op": "create", "path": "/s", "data": "d", "acl": [{"scheme": "auth", "id": "", "perms": "cdrwa"}]},
      {"op": "stop", "server": 2},
      {"op": "wait", "ms": 8000},
      {"client": "c1", "op": "get", "path": "/s"}
    ]}"#;
    let (lines, _) = zk_golden::run_keeping_sim(text);
    assert!(
        lines[1].contains("\"server\":2"),
        "connected to the server stopped: {lines:#?}"
    );
    assert!(
        lines.iter().any(|l| l.contains("Disconnected")),
        "{lines:#?}"
    );
    let last = lines
        .iter()
        .rev()
        .find(|l| l.contains("\"op\":\"get\""))
        .unwrap();
    assert!(last.contains("\"ok\":true"), "{lines:#?}");
}
