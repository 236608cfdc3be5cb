//! Kafka's inputs in the URL, each an operator's command delivered to node N:
//!
//! | action | command |
//! |---|---|
//! | `stop:N` | a broker's clean (controlled) shutdown |
//! | `leave:N` | a consumer's `close()` (commit, LeaveGroup) |
//! | `burst:COUNT@N` | a producer sends COUNT records (1–100) |
//! | `acks:all@N` (`1`, `0`) | a producer's `acks` from its next batch |
//! | `topic:T/KEY=VALUE@N` | `kafka-configs.sh --alter --entity-type topics --entity-name T --add-config KEY=VALUE` through broker N (an empty value deletes the key) |
//!
//! Anything else, or a value out of bounds, is not a Kafka input (the URL decoder reports
//! it and skips it).

use crate::cluster::Msg;
use crate::kafka::config::Acks;
use crate::kafka::msg::{ConfigEntity, Operator};
use crate::sim::{Input, NodeId};

use super::inputs::operator;

/// The most records one burst may send.
pub const MAX_BURST: u32 = 100;

/// The URL form of a Kafka input, if it is one.
pub fn encode(input: &Input<Msg>) -> Option<String> {
    let Input::Deliver(n, m) = input else {
        return None;
    };
    let crate::kafka::Msg::Operator(op) = m.kafka()? else {
        return None;
    };
    let n = n.0;
    Some(match op {
        Operator::Shutdown => format!("stop:{n}"),
        Operator::Leave => format!("leave:{n}"),
        Operator::Burst { count } => format!("burst:{count}@{n}"),
        Operator::SetAcks(a) => format!("acks:{}@{n}", a.name()),
        Operator::AlterConfig {
            entity: ConfigEntity::Topic(t),
            configs,
        } if configs.len() == 1 => format!("topic:{t}/{}={}@{n}", configs[0].0, configs[0].1),
        _ => return None,
    })
}

/// Parses `verb:arg` as a Kafka input; `node` parses a node index.
pub fn decode(verb: &str, arg: &str, node: &dyn Fn(&str) -> Option<NodeId>) -> Option<Input<Msg>> {
    let (what, at) = match verb {
        "stop" | "leave" => ("", arg),
        _ => arg.rsplit_once('@')?,
    };
    let n = node(at)?;
    let op = match verb {
        "stop" => Operator::Shutdown,
        "leave" => Operator::Leave,
        "burst" => Operator::Burst {
            count: what
                .parse::<u32>()
                .ok()
                .filter(|c| (1..=MAX_BURST).contains(c))?,
        },
        "acks" => Operator::SetAcks(match what {
            "all" => Acks::All,
            "1" => Acks::One,
            "0" => Acks::Zero,
            _ => return None,
        }),
        "topic" => {
            let (topic, pair) = what.split_once('/')?;
            let (k, v) = pair.split_once('=')?;
            let name = |s: &str, max: usize| {
                s.len() <= max
                    && s.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
            };
            if topic.is_empty() || k.is_empty() || !name(topic, 249) || !name(k, 64) || !name(v, 32)
            {
                return None;
            }
            Operator::AlterConfig {
                entity: ConfigEntity::Topic(topic.to_string()),
                configs: vec![(k.to_string(), v.to_string())],
            }
        }
        _ => return None,
    };
    Some(operator(n, op))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view::url::{decode as decode_url, decode_input, encode_input};

    fn every_input() -> Vec<Input<Msg>> {
        let alter = |k: &str, v: &str| Operator::AlterConfig {
            entity: ConfigEntity::Topic("events".into()),
            configs: vec![(k.into(), v.into())],
        };
        vec![
            operator(NodeId(3), Operator::Shutdown),
            operator(NodeId(8), Operator::Leave),
            operator(NodeId(6), Operator::Burst { count: 10 }),
            operator(NodeId(6), Operator::SetAcks(Acks::All)),
            operator(NodeId(6), Operator::SetAcks(Acks::One)),
            operator(NodeId(6), Operator::SetAcks(Acks::Zero)),
            operator(NodeId(3), alter("min.insync.replicas", "3")),
            operator(NodeId(4), alter("unclean.leader.election.enable", "true")),
            operator(NodeId(4), alter("min.insync.replicas", "")),
            Input::Start(NodeId(9)),
            Input::HealNode(NodeId(4)),
            Input::Partition(vec![vec![NodeId(4)], vec![NodeId(0), NodeId(1), NodeId(2)]]),
        ]
    }

    #[test]
    fn every_kafka_input_encodes_and_decodes_to_itself() {
        let forms: Vec<String> = every_input()
            .iter()
            .map(|i| encode_input(i).expect("has a URL form"))
            .collect();
        assert_eq!(
            forms,
            [
                "stop:3",
                "leave:8",
                "burst:10@6",
                "acks:all@6",
                "acks:1@6",
                "acks:0@6",
                "topic:events/min.insync.replicas=3@3",
                "topic:events/unclean.leader.election.enable=true@4",
                "topic:events/min.insync.replicas=@4",
                "start:9",
                "heal:4",
                "part:4-0.1.2",
            ]
        );
        for (form, input) in forms.iter().zip(every_input()) {
            assert_eq!(decode_input(form).as_ref(), Some(&input), "{form}");
        }
    }

    #[test]
    fn a_whole_link_with_kafka_inputs_round_trips() {
        let q = "scenario=default&seed=1&i=5:stop:3,6:burst:10@6,7:acks:1@6,8:topic:events/min.insync.replicas=3@3,9:leave:8,10:start:9,11:heal:4&step=12&panel=events";
        let d = decode_url(q, &["default"]);
        assert!(d.problems.is_empty(), "{:?}", d.problems);
        assert_eq!(d.state.inputs.len(), 7);
        assert_eq!(crate::view::url::encode(&d.state), q);
    }

    #[test]
    fn malformed_kafka_inputs_are_reported_and_skipped() {
        for bad in [
            "stop:",
            "stop:x",
            "stop:99999",
            "leave:-1",
            "burst:10",
            "burst:0@6",
            "burst:101@6",
            "burst:ten@6",
            "burst:10@",
            "acks:2@6",
            "acks:@6",
            "acks:all",
            "topic:events@3",
            "topic:events/min.insync.replicas@3",
            "topic:/min.insync.replicas=3@3",
            "topic:events/=3@3",
            "topic:ev ents/min.insync.replicas=3@3",
            "topic:events/min.insync.replicas=3;rm@3",
            "topic:events/min.insync.replicas=3@",
            "heal:x",
            "start:",
            "start:1.2",
        ] {
            assert_eq!(decode_input(bad), None, "{bad}");
            let d = decode_url(&format!("i=1:{bad}"), &["default"]);
            assert!(d.state.inputs.is_empty(), "{bad}");
            assert_eq!(d.problems.len(), 1, "{bad}: {:?}", d.problems);
            assert!(d.problems[0].starts_with("Skipped the input"), "{bad}");
        }
    }
}
