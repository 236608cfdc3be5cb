//! The page's shareable state in the URL query string, and back.
//!
//! ```text
//! ?scenario=default&seed=42&servers=5&i=120:crash:2,150:restart:2&step=250&panel=znodes
//! ```
//!
//! | key | value | default |
//! |---|---|---|
//! | `scenario` | a catalogue name (`[a-z0-9_-]`) | [`HOME_SCENARIO`] (`kafka-default`) |
//! | `seed` | decimal, or hex with `0x` | [`DEFAULT_SEED`] |
//! | `servers` | ensemble size 1–9 (the UI offers 1, 3, 5, 7) | the scenario's |
//! | `i` | the person's inputs, see below | none |
//! | `step` | the cursor, 0–[`MAX_STEP`] | 0 |
//! | `panel` | `znodes`, `zab-log`, `sessions`, `events`, `sequence`, `invariants`; Kafka's `partitions`, `log`, `groups`, `producers`, `metrics` | the scenario's first |
//!
//! `i` is a comma-separated list of `STEP:ACTION`, where STEP is the cursor at which the
//! input was given (it is applied as step STEP+1) and nodes are named by their index in the
//! world (0-based, the order of the scenario's node table):
//!
//! | action | input |
//! |---|---|
//! | `crash:N` / `restart:N` | crash / restart node N |
//! | `part:A.B-C.D.E` | partition into groups {A,B} and {C,D,E} (groups split by `-`) |
//! | `start:N` | start node N, a spare the scenario has not started |
//! | `heal` | heal every cut |
//! | `heal:N` | heal every cut link of node N |
//! | `cut:A.B` / `mend:A.B` | cut / heal the link between A and B |
//! | `drop:ID` / `hold:ID` / `release:ID` | drop / hold / release message ID |
//! | `expire:0xSESSION@N` | ZooKeeper: expire a session, delivered to node N (the leader then) |
//! | `stop:N`, `leave:N`, `burst:10@N`, `acks:all@N`, `topic:events/min.insync.replicas=3@N` | Kafka: see `view/kafka/url.rs` |
//!
//! Protocol inputs (the last row) are encoded by their protocol's view folder, reached
//! through `view/protocols.rs`.
//!
//! Decoding never fails: each malformed value is reported in words and replaced by its
//! default, a malformed input entry is skipped, and everything is bounded ([`MAX_STEP`],
//! [`MAX_INPUTS`]) so a hand-edited URL cannot make the page replay for ever.

use crate::cluster::Msg;
use crate::sim::{Input, NodeId};

use super::protocols;
use super::state::Panel;

/// The seed used when the URL gives none.
pub const DEFAULT_SEED: u64 = 1;

/// The scenario the page opens on without a link: Kafka on ZooKeeper, what most people come
/// for. ZooKeeper's own default ensemble is the scenario named `default`.
pub const HOME_SCENARIO: &str = "kafka-default";
/// The largest cursor a URL may ask for (replaying costs time).
pub const MAX_STEP: u64 = 100_000;
/// The most inputs a URL may carry.
pub const MAX_INPUTS: usize = 500;
/// The most node indices a URL may name.
pub const MAX_NODE: u32 = 64;

/// Everything the URL carries.
#[derive(Clone, Debug, PartialEq)]
pub struct UrlState {
    pub scenario: String,
    pub seed: u64,
    pub servers: Option<usize>,
    /// (cursor when given, input), in order.
    pub inputs: Vec<(u64, Input<Msg>)>,
    pub step: u64,
    pub panel: Panel,
}

impl Default for UrlState {
    fn default() -> Self {
        UrlState {
            scenario: HOME_SCENARIO.into(),
            seed: DEFAULT_SEED,
            servers: None,
            inputs: Vec::new(),
            step: 0,
            panel: first_panel(HOME_SCENARIO),
        }
    }
}

/// A decoded URL and what was wrong with it.
#[derive(Clone, Debug, PartialEq)]
pub struct Decoded {
    pub state: UrlState,
    /// One sentence per problem; empty when the URL was fine.
    pub problems: Vec<String>,
}

/// Decodes a query string (with or without the leading `?`). `scenarios` are the names the
/// catalogue knows.
pub fn decode(query: &str, scenarios: &[&str]) -> Decoded {
    let mut st = UrlState::default();
    let mut problems = Vec::new();
    let mut panel_given = false;
    let query = query.strip_prefix('?').unwrap_or(query);
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, raw) = pair.split_once('=').unwrap_or((pair, ""));
        let v = percent_decode(raw);
        let ok = match key {
            "scenario" => scenarios
                .contains(&v.as_str())
                .then(|| st.scenario.clone_from(&v))
                .is_some(),
            "seed" => parse_u64(&v).map(|s| st.seed = s).is_some(),
            "servers" => v
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=9).contains(n))
                .map(|n| st.servers = Some(n))
                .is_some(),
            "step" => parse_u64(&v)
                .map(|s| {
                    if s > MAX_STEP {
                        problems.push(format!(
                            "Step {s} is too far to replay; going to step {MAX_STEP} instead."
                        ));
                    }
                    st.step = s.min(MAX_STEP);
                })
                .is_some(),
            "panel" => {
                panel_given = Panel::from_slug(&v).map(|p| st.panel = p).is_some();
                panel_given
            }
            "i" => {
                let (inputs, mut bad) = decode_inputs(&v);
                st.inputs = inputs;
                problems.append(&mut bad);
                true
            }
            // Unknown keys are left alone: they may belong to whoever embeds the page.
            _ => true,
        };
        if !ok {
            problems.push(format!(
                "The link's {key} \"{}\" is not valid, so the default is used instead.",
                shorten(&v)
            ));
        }
    }
    // Without a (valid) panel the scenario opens on its own first tab.
    if !panel_given {
        st.panel = first_panel(&st.scenario);
    }
    Decoded {
        state: st,
        problems,
    }
}

/// The first tab of a scenario (ZooKeeper's Znodes, Kafka's Partitions).
fn first_panel(scenario: &str) -> Panel {
    Panel::of_scenario(scenario)
        .first()
        .copied()
        .unwrap_or_else(Panel::default_panel)
}

/// Encodes the state as a query string without the leading `?`. Inputs that have no URL
/// form are left out (the UI only makes inputs that have one).
pub fn encode(st: &UrlState) -> String {
    let mut q = format!("scenario={}&seed={}", st.scenario, st.seed);
    if let Some(n) = st.servers {
        q.push_str(&format!("&servers={n}"));
    }
    let inputs: Vec<String> = st
        .inputs
        .iter()
        .filter_map(|(step, i)| encode_input(i).map(|a| format!("{step}:{a}")))
        .collect();
    if !inputs.is_empty() {
        q.push_str("&i=");
        q.push_str(&inputs.join(","));
    }
    q.push_str(&format!("&step={}&panel={}", st.step, st.panel.slug()));
    q
}

/// The URL form of one input's action, if it has one.
pub fn encode_input(input: &Input<Msg>) -> Option<String> {
    let pair = |a: &NodeId, b: &NodeId| format!("{}.{}", a.0, b.0);
    Some(match input {
        Input::Crash(n) => format!("crash:{}", n.0),
        Input::Restart(n) => format!("restart:{}", n.0),
        Input::Start(n) => format!("start:{}", n.0),
        Input::HealNode(n) => format!("heal:{}", n.0),
        Input::Partition(groups) => format!(
            "part:{}",
            groups
                .iter()
                .map(|g| g
                    .iter()
                    .map(|n| n.0.to_string())
                    .collect::<Vec<_>>()
                    .join("."))
                .collect::<Vec<_>>()
                .join("-")
        ),
        Input::Heal => "heal".into(),
        Input::CutLink(a, b) => format!("cut:{}", pair(a, b)),
        Input::HealLink(a, b) => format!("mend:{}", pair(a, b)),
        Input::Drop(id) => format!("drop:{id}"),
        Input::Hold(id) => format!("hold:{id}"),
        Input::Release(id) => format!("release:{id}"),
        other => return protocols::encode_input(other),
    })
}

/// Parses one input action (`crash:2`, `part:0.1-2`, …); `None` if it is not one.
pub fn decode_input(action: &str) -> Option<Input<Msg>> {
    let (verb, arg) = action.split_once(':').unwrap_or((action, ""));
    let node = |s: &str| s.parse::<u32>().ok().filter(|n| *n < MAX_NODE).map(NodeId);
    let pair = |s: &str| {
        let (a, b) = s.split_once('.')?;
        Some((node(a)?, node(b)?))
    };
    let msg = |s: &str| s.parse::<u64>().ok();
    Some(match verb {
        "crash" => Input::Crash(node(arg)?),
        "restart" => Input::Restart(node(arg)?),
        "start" => Input::Start(node(arg)?),
        "part" => {
            let groups = arg
                .split('-')
                .map(|g| g.split('.').map(node).collect::<Option<Vec<_>>>())
                .collect::<Option<Vec<_>>>()?;
            if groups.len() < 2 {
                return None;
            }
            Input::Partition(groups)
        }
        "heal" if arg.is_empty() => Input::Heal,
        "heal" => Input::HealNode(node(arg)?),
        "cut" => pair(arg).map(|(a, b)| Input::CutLink(a, b))?,
        "mend" => pair(arg).map(|(a, b)| Input::HealLink(a, b))?,
        "drop" => Input::Drop(msg(arg)?),
        "hold" => Input::Hold(msg(arg)?),
        "release" => Input::Release(msg(arg)?),
        _ => return protocols::decode_input(verb, arg, &node, &parse_u64),
    })
}

fn decode_inputs(value: &str) -> (Vec<(u64, Input<Msg>)>, Vec<String>) {
    let mut inputs = Vec::new();
    let mut problems = Vec::new();
    for entry in value.split(',').filter(|e| !e.is_empty()) {
        if inputs.len() >= MAX_INPUTS {
            problems.push(format!("Only the first {MAX_INPUTS} inputs are replayed."));
            break;
        }
        let parsed = entry.split_once(':').and_then(|(step, action)| {
            let step = parse_u64(step).filter(|s| *s < MAX_STEP)?;
            Some((step, decode_input(action)?))
        });
        match parsed {
            Some(x) => inputs.push(x),
            None => problems.push(format!(
                "Skipped the input \"{}\": it is not a step and an action like 120:crash:2.",
                shorten(entry)
            )),
        }
    }
    // Inputs replay in step order; entries given out of order are put in order (stable, so
    // several inputs at one step keep theirs).
    for i in 1..inputs.len() {
        let mut j = i;
        while j > 0 && inputs[j - 1].0 > inputs[j].0 {
            inputs.swap(j - 1, j);
            j -= 1;
        }
    }
    (inputs, problems)
}

/// Drops inputs naming nodes the world does not have; returns what was dropped, in words.
pub fn check_nodes(inputs: &mut Vec<(u64, Input<Msg>)>, node_count: usize) -> Vec<String> {
    let ok = |n: &NodeId| n.index() < node_count;
    let mut problems = Vec::new();
    inputs.retain(|(step, i)| {
        let fine = match i {
            Input::Crash(n)
            | Input::Restart(n)
            | Input::Start(n)
            | Input::HealNode(n)
            | Input::Deliver(n, _) => ok(n),
            Input::Partition(gs) => gs.iter().flatten().all(ok),
            Input::CutLink(a, b) | Input::HealLink(a, b) => ok(a) && ok(b),
            _ => true,
        };
        if !fine {
            problems.push(format!(
                "Skipped the input at step {step}: it names a node this scenario does not have."
            ));
        }
        fine
    });
    problems
}

fn parse_u64(s: &str) -> Option<u64> {
    match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(hex) if !hex.is_empty() && hex.len() <= 16 => u64::from_str_radix(hex, 16).ok(),
        Some(_) => None,
        None if !s.is_empty() && s.len() <= 20 && s.bytes().all(|b| b.is_ascii_digit()) => {
            s.parse().ok()
        }
        None => None,
    }
}

/// At most 40 characters of a bad value, for messages.
fn shorten(s: &str) -> String {
    super::narrate::preview(s, 40)
}

/// Decodes `%XX` escapes and `+` (as a space); invalid escapes are kept as they are, and
/// invalid UTF-8 is replaced.
pub fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' if i + 2 < b.len() => match (hex(b[i + 1]), hex(b[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' => out.push(b' '),
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|d| d as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCENARIOS: &[&str] = &["default", "heartbeat", "zk-5", HOME_SCENARIO];

    /// ZooKeeper's expiry input, built by its protocol's codec.
    fn expire(s: i64, n: u32) -> Input<Msg> {
        decode_input(&format!("expire:{:#x}@{n}", s as u64)).expect("an expiry input")
    }

    fn full() -> UrlState {
        UrlState {
            scenario: "zk-5".into(),
            seed: 42,
            servers: Some(5),
            inputs: vec![
                (120, Input::Crash(NodeId(2))),
                (150, Input::Restart(NodeId(2))),
                (
                    200,
                    Input::Partition(vec![
                        vec![NodeId(0), NodeId(1)],
                        vec![NodeId(2), NodeId(3), NodeId(4)],
                    ]),
                ),
                (210, Input::Heal),
                (215, Input::CutLink(NodeId(0), NodeId(3))),
                (216, Input::HealLink(NodeId(0), NodeId(3))),
                (230, Input::Drop(8812)),
                (231, Input::Hold(8813)),
                (232, Input::Release(8813)),
                (240, expire(0x1_0000_0000, 0)),
            ],
            step: 250,
            panel: crate::view::protocols::SESSIONS,
        }
    }

    #[test]
    fn the_documented_example_reads_as_documented() {
        let q = encode(&full());
        assert_eq!(
            q,
            "scenario=zk-5&seed=42&servers=5&i=120:crash:2,150:restart:2,200:part:0.1-2.3.4,210:heal,\
             215:cut:0.3,216:mend:0.3,230:drop:8812,231:hold:8813,232:release:8813,240:expire:0x100000000@0\
             &step=250&panel=sessions"
        );
    }

    #[test]
    fn encode_then_decode_gives_the_same_state() {
        for st in [UrlState::default(), full()] {
            let d = decode(&format!("?{}", encode(&st)), SCENARIOS);
            assert_eq!(d.problems, Vec::<String>::new());
            assert_eq!(d.state, st);
        }
    }

    #[test]
    fn an_empty_query_is_the_default() {
        let d = decode("", SCENARIOS);
        assert_eq!(d.state, UrlState::default());
        assert!(d.problems.is_empty());
        assert_eq!(decode("?", SCENARIOS).state, UrlState::default());
    }

    #[test]
    fn each_bad_value_is_reported_and_replaced_by_its_default() {
        let d = decode(
            "scenario=nope&seed=abc&servers=0&step=-1&panel=secrets&i=5:crash:1,oops,7:fly:2,9:crash:99999,8:part:1",
            SCENARIOS,
        );
        assert_eq!(d.state.scenario, HOME_SCENARIO);
        assert_eq!(d.state.seed, DEFAULT_SEED);
        assert_eq!(d.state.servers, None);
        assert_eq!(d.state.step, 0);
        assert_eq!(d.state.panel, UrlState::default().panel);
        assert_eq!(d.state.inputs, vec![(5, Input::Crash(NodeId(1)))]);
        assert_eq!(d.problems.len(), 9, "{:#?}", d.problems);
        assert_eq!(
            d.problems[0],
            "The link's scenario \"nope\" is not valid, so the default is used instead."
        );
        assert!(d
            .problems
            .iter()
            .any(|p| p.contains("Skipped the input \"7:fly:2\"")));
        assert!(d
            .problems
            .iter()
            .any(|p| p.contains("Skipped the input \"8:part:1\"")));
    }

    #[test]
    fn huge_steps_and_floods_of_inputs_are_bounded() {
        let d = decode("step=99999999999999999999999", SCENARIOS);
        assert_eq!(d.state.step, 0);
        let d = decode("step=1000000", SCENARIOS);
        assert_eq!(d.state.step, MAX_STEP);
        assert_eq!(d.problems.len(), 1);
        let many: Vec<String> = (0..MAX_INPUTS + 10).map(|i| format!("{i}:heal")).collect();
        let d = decode(&format!("i={}", many.join(",")), SCENARIOS);
        assert_eq!(d.state.inputs.len(), MAX_INPUTS);
        assert_eq!(d.problems.len(), 1);
    }

    #[test]
    fn inputs_out_of_order_are_sorted_and_hex_seeds_are_accepted() {
        let d = decode("i=20:heal,10:crash:0&seed=0xff", SCENARIOS);
        assert_eq!(
            d.state.inputs,
            vec![(10, Input::Crash(NodeId(0))), (20, Input::Heal)]
        );
        assert_eq!(d.state.seed, 255);
    }

    #[test]
    fn inputs_naming_missing_nodes_are_dropped_with_a_message() {
        let mut inputs = vec![
            (1, Input::Crash(NodeId(1))),
            (2, Input::Crash(NodeId(9))),
            (3, Input::Partition(vec![vec![NodeId(0)], vec![NodeId(7)]])),
        ];
        let p = check_nodes(&mut inputs, 3);
        assert_eq!(inputs, vec![(1, Input::Crash(NodeId(1)))]);
        assert_eq!(p.len(), 2);
    }

    #[test]
    fn percent_escapes_decode_and_garbage_never_panics() {
        assert_eq!(percent_decode("a%20b+c"), "a b c");
        assert_eq!(percent_decode("%"), "%");
        assert_eq!(percent_decode("%4"), "%4");
        assert_eq!(percent_decode("%zz"), "%zz");
        assert_eq!(percent_decode("%E2%9C%93"), "✓");
        assert_eq!(percent_decode("%FF"), "\u{FFFD}");
        for junk in [
            "&&&",
            "=",
            "==",
            "i=",
            "i=:",
            "i=1:",
            "i=1:expire:",
            "i=1:expire:0x@",
            "i=1:expire:zz@1",
            "i=1:part:-",
            "i=1:cut:1",
            "i=1:cut:.",
            "seed=0x",
            "seed=0x1234567890abcdef01",
            "step=%FF%FE",
            "i=18446744073709551616:heal",
            "panel=%00",
            "scenario=%E2%80",
            "i=1:crash:%F0%9F%92%A5",
        ] {
            let _ = decode(junk, SCENARIOS);
        }
    }

    proptest::proptest! {
        #[test]
        fn decoding_any_text_never_panics(q in ".{0,200}") {
            let _ = decode(&q, SCENARIOS);
        }

        #[test]
        fn decoding_input_like_text_never_panics(q in "[a-z0-9:.,@x%-]{0,80}") {
            let _ = decode(&format!("i={q}&step={q}&seed={q}"), SCENARIOS);
        }
    }
}
