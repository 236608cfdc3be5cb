//! The znode tree as rows: one per znode in path order, indented by depth, with badges
//! (ephemeral, sequential), the owning session, a preview of the data, the stat, the zxid of
//! the last change with the step that committed it, and the watches set on it.
//!
//! The tree is read from one server: the one the person picked, else the leader, else the
//! running server that has committed the most. Watches live on the server a client is
//! connected to, so they are gathered from every running server. The reserved `/zookeeper`
//! subtree is folded away: it never changes here.

use crate::cluster::ClusterWorld;
use crate::sim::NodeId;
use crate::view::history::History;
use crate::view::names::Names;
use crate::view::narrate::preview;
use crate::zk::data::acl::Acl;
use crate::zk::data::extended::EphemeralType;
use crate::zk::{fmt_zxid, DataTree, Server, SessionId, Zxid};

use super::cards::{current_leader, Summaries};
use super::names::{fmt_session, ZkNames};

/// Steps during which a change counts as recent (highlighted).
pub const RECENT_STEPS: u64 = 60;
/// Characters of data shown in a row.
pub const DATA_PREVIEW: usize = 24;

/// One znode.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ZnodeRow {
    pub path: String,
    /// Last path segment (`/` for the root).
    pub name: String,
    /// 0 for `/`, 1 for `/a`, …
    pub depth: usize,
    pub ephemeral: bool,
    /// Created with a sequential flag (the name ends with ten digits).
    pub sequential: bool,
    /// Owning session for ephemerals, `c1 (0x100000000)`.
    pub owner: Option<String>,
    /// `container`, `ttl 1500 ms`, or `None` for other nodes.
    pub kind: Option<String>,
    /// The ACL, compactly: `world:anyone cdrwa`, entries joined by `, `.
    pub acl: String,
    /// The owning session's id alone, `0x100000000`.
    pub owner_session: Option<String>,
    /// The data, shortened.
    pub data: String,
    /// The data pretty-printed, when it is a JSON object or array (Kafka's znodes).
    pub pretty: Option<String>,
    pub version: i32,
    pub cversion: i32,
    pub num_children: i32,
    pub czxid: String,
    pub mzxid: String,
    pub pzxid: String,
    /// The newest of czxid, mzxid and pzxid.
    pub last_zxid: Zxid,
    /// `0x…` of `last_zxid`.
    pub last_zxid_text: String,
    /// The step that committed `last_zxid`, if known.
    pub changed_step: Option<u64>,
    /// Changed within the last [`RECENT_STEPS`] steps.
    pub recent: bool,
    /// Changed by the current step itself.
    pub now: bool,
    /// Clients holding a data watch (getData/exists) on it.
    pub data_watchers: Vec<String>,
    /// Clients holding a child watch (getChildren) on it.
    pub child_watchers: Vec<String>,
}

/// The tree as one server sees it.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ZnodeTable {
    /// The server the tree was read from.
    pub server: Option<NodeId>,
    /// e.g. `as seen by zk1, the leader, up to 0x200000004`.
    pub source: String,
    pub rows: Vec<ZnodeRow>,
    /// Servers that can be picked as the source (running ZooKeeper servers).
    pub choices: Vec<(NodeId, String)>,
}

/// Which server to read the tree from: `wanted` if it is a running server, else the leader,
/// else the running server with the highest committed zxid.
pub fn source_server(
    world: &ClusterWorld,
    summaries: &Summaries,
    wanted: Option<NodeId>,
) -> Option<NodeId> {
    // A server that has not started yet shows its initial (empty) tree, as its card shows
    // its initial state.
    let is_up = |id: NodeId| world.is_up(id) || !world.has_started(id);
    if let Some(w) = wanted {
        if is_up(w) && summaries.server(w).is_some() {
            return Some(w);
        }
    }
    current_leader(summaries, &is_up).or_else(|| {
        summaries
            .servers
            .iter()
            .filter(|(id, _)| is_up(*id))
            .max_by_key(|(id, s)| (s.last_committed_zxid, std::cmp::Reverse(id.0)))
            .map(|(id, _)| *id)
    })
}

fn server(world: &ClusterWorld, id: NodeId) -> Option<&Server> {
    world.node(id).zk_server()
}

/// The znode table at the current step.
pub fn znode_table(
    world: &ClusterWorld,
    names: &Names,
    summaries: &Summaries,
    history: &History,
    cursor: u64,
    wanted: Option<NodeId>,
) -> ZnodeTable {
    let choices = summaries
        .servers
        .iter()
        .filter(|(id, _)| world.is_up(*id) || !world.has_started(*id))
        .map(|(id, _)| (*id, names.label(*id).to_string()))
        .collect();
    let Some(src) = source_server(world, summaries, wanted) else {
        return ZnodeTable {
            source: "no ZooKeeper server is running".into(),
            choices,
            ..ZnodeTable::default()
        };
    };
    let Some(srv) = server(world, src) else {
        return ZnodeTable::default();
    };
    let tree = srv.tree();
    let watches = gather_watches(world, summaries, names);
    let is_leader = summaries
        .server(src)
        .is_some_and(|s| s.state == crate::zk::msg::ServerState::Leading);
    let source = format!(
        "as seen by {}{}, applied up to {}",
        names.label(src),
        if is_leader { ", the leader" } else { "" },
        fmt_zxid(tree.last_processed_zxid())
    );
    ZnodeTable {
        server: Some(src),
        source,
        rows: rows(tree, names, history, cursor, &watches),
        choices,
    }
}

/// Rows of a data tree (the part that does not depend on the world).
pub fn rows(
    tree: &DataTree,
    names: &Names,
    history: &History,
    cursor: u64,
    watches: &Watchers,
) -> Vec<ZnodeRow> {
    tree.nodes()
        .filter(|(path, _)| !path.starts_with("/zookeeper/"))
        .map(|(path, node)| {
            let stat = node.stat();
            let last = stat.czxid.max(stat.mzxid).max(stat.pzxid);
            let changed_step = if last == 0 {
                None
            } else {
                history.protocols.zk.commit_step(last)
            };
            let name = match path.rfind('/') {
                Some(i) if path.len() > 1 => path[i + 1..].to_string(),
                _ => "/".to_string(),
            };
            let (data_watchers, child_watchers) = watches
                .iter()
                .find(|(p, _, _)| p == path)
                .map(|(_, d, c)| (d.clone(), c.clone()))
                .unwrap_or_default();
            ZnodeRow {
                path: path.to_string(),
                depth: if path == "/" {
                    0
                } else {
                    path.matches('/').count()
                },
                sequential: is_sequential_name(&name),
                name,
                ephemeral: node.is_ephemeral(),
                owner: node
                    .is_ephemeral()
                    .then(|| names.session_label(node.stat.ephemeral_owner)),
                owner_session: node
                    .is_ephemeral()
                    .then(|| fmt_session(node.stat.ephemeral_owner)),
                kind: match node.ephemeral_type() {
                    EphemeralType::Container => Some("container".to_string()),
                    EphemeralType::Ttl(ms) => Some(format!("ttl {ms} ms")),
                    _ => None,
                },
                acl: node
                    .acl
                    .iter()
                    .map(Acl::render)
                    .collect::<Vec<_>>()
                    .join(", "),
                data: preview(&node.data, DATA_PREVIEW),
                pretty: pretty_json(&node.data),
                version: stat.version,
                cversion: stat.cversion,
                num_children: stat.num_children,
                czxid: fmt_zxid(stat.czxid),
                mzxid: fmt_zxid(stat.mzxid),
                pzxid: fmt_zxid(stat.pzxid),
                last_zxid: last,
                last_zxid_text: fmt_zxid(last),
                changed_step,
                recent: changed_step.is_some_and(|s| s <= cursor && cursor - s <= RECENT_STEPS),
                now: changed_step == Some(cursor),
                data_watchers,
                child_watchers,
            }
        })
        .collect()
}

/// `data` indented two spaces per level when it is a JSON object or array, else `None`.
/// Arrays of plain values stay on one line (`[1, 2, 3]`); strings are copied as they are.
/// Unbalanced text is not JSON and gives `None`.
pub fn pretty_json(data: &str) -> Option<String> {
    let t = data.trim();
    if !(t.starts_with('{') || t.starts_with('[')) {
        return None;
    }
    let b = t.as_bytes();
    let mut out = String::with_capacity(t.len() * 2);
    let mut depth = 0usize;
    // Depth of an array printed inline, if inside one.
    let mut inline: Option<usize> = None;
    let mut i = 0;
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        for _ in 0..depth {
            out.push_str("  ");
        }
    };
    while i < b.len() {
        let c = b[i];
        match c {
            b'"' => {
                let start = i;
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                out.push_str(t.get(start..=i.min(b.len() - 1))?);
            }
            b'{' | b'[' => {
                depth += 1;
                out.push(c as char);
                let close = if c == b'{' { b'}' } else { b']' };
                if b.get(i + 1) == Some(&close) {
                    out.push(close as char);
                    depth -= 1;
                    i += 1;
                } else if inline.is_none() && c == b'[' && flat_array(&b[i + 1..]) {
                    inline = Some(depth);
                } else if inline.is_none() {
                    newline(&mut out, depth);
                }
            }
            b'}' | b']' => {
                depth = depth.checked_sub(1)?;
                if inline == Some(depth + 1) {
                    inline = None;
                } else if inline.is_none() {
                    newline(&mut out, depth);
                }
                out.push(c as char);
            }
            b',' => {
                out.push(',');
                if inline.is_some() {
                    out.push(' ');
                } else {
                    newline(&mut out, depth);
                }
            }
            b':' => out.push_str(": "),
            b' ' | b'\n' | b'\r' | b'\t' => {}
            _ => out.push(c as char),
        }
        i += 1;
    }
    (depth == 0).then_some(out)
}

/// Whether the array that starts right after `[` closes before any `{` or `[` (outside
/// strings).
fn flat_array(rest: &[u8]) -> bool {
    let mut in_str = false;
    let mut i = 0;
    while i < rest.len() {
        match (in_str, rest[i]) {
            (true, b'\\') => i += 1,
            (_, b'"') => in_str = !in_str,
            (false, b'{' | b'[') => return false,
            (false, b']') => return true,
            _ => {}
        }
        i += 1;
    }
    false
}

/// Whether a znode name carries the ten-digit counter of a sequential create.
pub fn is_sequential_name(name: &str) -> bool {
    let b = name.as_bytes();
    b.len() >= 10 && b[b.len() - 10..].iter().all(u8::is_ascii_digit)
}

/// Per path: the clients with a data watch and those with a child watch (sorted, each once).
pub type Watchers = Vec<(String, Vec<String>, Vec<String>)>;

/// Inserts `name` into a sorted list unless it is there.
fn add_sorted(list: &mut Vec<String>, name: String) {
    if let Err(at) = list.binary_search(&name) {
        list.insert(at, name);
    }
}

fn entry<'a>(w: &'a mut Watchers, path: &str) -> &'a mut (String, Vec<String>, Vec<String>) {
    let i = match w.iter().position(|(p, _, _)| p == path) {
        Some(i) => i,
        None => {
            w.push((path.to_string(), Vec::new(), Vec::new()));
            w.len() - 1
        }
    };
    &mut w[i]
}

/// Watches of every running server, by path, named by client.
pub fn gather_watches(world: &ClusterWorld, summaries: &Summaries, names: &Names) -> Watchers {
    let mut out: Watchers = Vec::new();
    let who = |s: &SessionId| match names.client_of_session(*s) {
        Some(c) => names.label(c).to_string(),
        None => fmt_session(*s),
    };
    for (id, _) in &summaries.servers {
        if !world.is_up(*id) {
            continue;
        }
        let Some(srv) = server(world, *id) else {
            continue;
        };
        let w = srv.watches();
        for (path, sessions) in w.data_watches() {
            let e = entry(&mut out, path);
            for s in sessions {
                add_sorted(&mut e.1, who(s));
            }
        }
        for (path, sessions) in w.child_watches() {
            let e = entry(&mut out, path);
            for s in sessions {
                add_sorted(&mut e.2, who(s));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::zk::data::txn::{Txn, TxnHeader};

    fn hdr(zxid: Zxid, session: SessionId) -> TxnHeader {
        TxnHeader {
            session_id: session,
            cxid: 1,
            zxid,
            time_ms: 0,
        }
    }

    fn create(path: &str, data: &str, ephemeral: bool) -> Txn {
        Txn::Create {
            path: path.into(),
            data: data.into(),
            ephemeral,
            parent_cversion: 1,
            acl: crate::zk::data::acl::open_acl_unsafe(),
            container: false,
            ttl: 0,
        }
    }

    #[test]
    fn rows_show_depth_badges_owner_and_watchers() {
        let mut tree = DataTree::new();
        tree.apply(
            &hdr(0x1_0000_0001, 0x1_0000_0000),
            &Txn::CreateSession { timeout_ms: 6000 },
        );
        tree.apply(
            &hdr(0x1_0000_0002, 0),
            &create("/app", "config v1 with a long description", false),
        );
        tree.apply(
            &hdr(0x1_0000_0003, 0x1_0000_0000),
            &create("/app/member-0000000000", "", true),
        );
        let names = crate::view::zk::cards::tests::names().with_session(0x1_0000_0000, NodeId(5));
        let watches: Watchers = vec![("/app".into(), vec!["c1".into()], vec![])];
        let rows = rows(&tree, &names, &History::default(), 0, &watches);
        let paths: Vec<&str> = rows.iter().map(|r| r.path.as_str()).collect();
        assert_eq!(paths, ["/", "/app", "/app/member-0000000000", "/zookeeper"]);
        let app = &rows[1];
        assert_eq!((app.depth, app.name.as_str()), (1, "app"));
        assert_eq!(app.data, "config v1 with a long de…");
        assert_eq!(app.data_watchers, ["c1"]);
        assert_eq!(app.last_zxid_text, "0x100000003"); // pzxid: a child was created
        let member = &rows[2];
        assert!(member.ephemeral && member.sequential);
        assert_eq!(member.owner.as_deref(), Some("c1 (0x100000000)"));
        assert_eq!(member.depth, 2);
        assert!(!rows[0].ephemeral);
    }

    #[test]
    fn rows_show_the_acl_compactly_and_mark_containers_and_ttl_nodes() {
        use crate::zk::data::acl::{Acl, ADMIN, READ};
        let mut tree = DataTree::new();
        let mk = |path: &str, acl: Vec<Acl>, container: bool, ttl: i64| Txn::Create {
            path: path.into(),
            data: String::new(),
            ephemeral: false,
            parent_cversion: -1,
            acl,
            container,
            ttl,
        };
        let acl = vec![
            Acl::new(READ, "world", "anyone"),
            Acl::new(READ | ADMIN, "digest", "alice:h="),
        ];
        tree.apply(&hdr(1, 0), &mk("/c", acl, true, 0));
        tree.apply(
            &hdr(2, 0),
            &mk("/t", crate::zk::data::acl::open_acl_unsafe(), false, 1500),
        );
        let names = crate::view::zk::cards::tests::names();
        let rows = rows(&tree, &names, &History::default(), 0, &Vec::new());
        let c = rows.iter().find(|r| r.path == "/c").unwrap();
        assert_eq!(c.acl, "world:anyone r, digest:alice:h= ra");
        assert_eq!(c.kind.as_deref(), Some("container"));
        let t = rows.iter().find(|r| r.path == "/t").unwrap();
        assert_eq!(
            (t.acl.as_str(), t.kind.as_deref()),
            ("world:anyone cdrwa", Some("ttl 1500 ms"))
        );
        assert!(!c.ephemeral && c.owner.is_none());
    }

    #[test]
    fn kafka_json_is_indented_with_flat_arrays_on_one_line() {
        let p =
            pretty_json(r#"{"version":1,"partitions":{"0":[1,2],"1":[2,3]},"e":{},"s":"a,{b"}"#);
        assert_eq!(
            p.as_deref(),
            Some(
                "{\n  \"version\": 1,\n  \"partitions\": {\n    \"0\": [1, 2],\n    \"1\": [2, 3]\n  },\n  \"e\": {},\n  \"s\": \"a,{b\"\n}"
            )
        );
        assert_eq!(pretty_json("12"), None);
        assert_eq!(pretty_json("{\"a\":"), None);
        assert_eq!(
            pretty_json("[[1],[2]]").as_deref(),
            Some("[\n  [1],\n  [2]\n]")
        );
    }

    #[test]
    fn sequential_names_end_with_ten_digits() {
        assert!(is_sequential_name("lock-0000000003"));
        assert!(is_sequential_name("0000000003"));
        assert!(!is_sequential_name("lock-3"));
        assert!(!is_sequential_name("a"));
        assert!(!is_sequential_name("ééééééééééé"));
    }
}
