//! "Why?" chains for the Kafka panels: the steps that explain a partition's leader and ISR,
//! newest first — the controller's `LeaderAndIsr` (or its `AlterIsr` answer), the
//! ZooKeeper commit of the `state` znode write behind it, and the session expiry and broker
//! fault that started it — and the truncation that removed a lost acknowledged write.
//!
//! Found by scanning the recorded steps backwards from the cursor (at most [`SCAN`]) and the
//! history's commit steps and fault markers, only when the person asks. The session expiry
//! is the first one after the fault; which session expired is not checked.

use crate::cluster::{ClusterTimeline, Record};
use crate::kafka::msg::Msg as KMsg;
use crate::sim::{EventRecord, Input, NodeId, TimeUs};

use crate::view::history::{History, MarkerKind};
use crate::view::names::Names;
use crate::view::protocols::reply_zxid;
use crate::view::run::Run;

use super::log::LogTable;
use super::partitions::{ids_text, partition_table};

/// Most records a search looks at.
pub const SCAN: u64 = 60_000;

/// One step of an explanation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WhyLink {
    pub step: u64,
    pub text: String,
    /// The nodes to highlight there.
    pub nodes: Vec<NodeId>,
}

/// An explanation: what is explained, and its steps, newest first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WhyChain {
    pub title: String,
    pub links: Vec<WhyLink>,
}

/// Steps `lo..=hi` newest first, bounded by [`SCAN`] and what the timeline keeps.
fn back(tl: &ClusterTimeline, hi: u64, lo: u64) -> impl Iterator<Item = &Record> {
    let lo = lo.max(tl.floor() + 1).max(hi.saturating_sub(SCAN));
    (lo..=hi).rev().filter_map(|n| tl.record(n))
}

/// The `LeaderAndIsr` entry for `t-p` a step sent: (leader, epoch, ISR), and the recipients.
fn lai_sent(rec: &Record, t: &str, p: i32) -> Option<(i32, i32, Vec<i32>, Vec<NodeId>)> {
    let mut found = None;
    for s in &rec.sends {
        if let Some(KMsg::LeaderAndIsr { partitions, .. }) = s.msg.kafka() {
            if let Some(i) = partitions.iter().find(|i| i.topic == t && i.partition == p) {
                let f = found.get_or_insert((i.leader, i.leader_epoch, i.isr.clone(), Vec::new()));
                f.3.push(s.dst);
            }
        }
    }
    found
}

/// The ISR an `AlterIsrResponse` for `t-p` sent by this step carries.
fn alter_isr_answer(rec: &Record, t: &str, p: i32) -> Option<(Vec<i32>, NodeId)> {
    rec.sends.iter().find_map(|s| match s.msg.kafka()? {
        KMsg::AlterIsrResponse {
            topic,
            partition,
            state: Some((_, _, isr, _)),
            ..
        } if topic == t && *partition == p => Some((isr.clone(), s.dst)),
        _ => None,
    })
}

/// The ZooKeeper commit behind a controller step that handled a write's reply.
fn zk_link(history: &History, rec: &Record, node: NodeId) -> Option<WhyLink> {
    let EventRecord::Deliver { msg, .. } = &rec.event else {
        return None;
    };
    let zxid = reply_zxid(msg)?;
    let step = history.protocols.zk.commit_step(zxid)?;
    Some(WhyLink {
        step,
        text: format!("ZooKeeper commits the state znode write, zxid 0x{zxid:x}"),
        nodes: vec![node],
    })
}

/// Why partition `name` has its leader and ISR at the cursor.
pub fn partition_why(run: &Run, names: &Names, name: &str) -> WhyChain {
    let tl = run.timeline();
    let history = run.history();
    let world = &tl.current().world;
    let cur = tl.cursor();
    let table = partition_table(world);
    let Some(row) = table.rows.iter().find(|r| r.name == name) else {
        return WhyChain::default();
    };
    let (t, p) = (row.topic.as_str(), row.partition);
    let mut chain = WhyChain {
        title: if row.offline {
            format!("Why {name} has no leader")
        } else {
            format!(
                "Why broker {} leads {name} with ISR {}",
                row.leader,
                row.isr_text()
            )
        },
        links: Vec::new(),
    };
    // The latest AlterIsr answer, if the ISR changed after the election.
    let mut isr_step = None;
    // The first LeaderAndIsr of the current epoch.
    let mut lai: Option<(u64, &Record, Vec<NodeId>)> = None;
    for rec in back(tl, cur, 1) {
        if let Some((_, epoch, _, dsts)) = lai_sent(rec, t, p) {
            if epoch < row.leader_epoch {
                break;
            }
            lai = Some((rec.step, rec, dsts));
        } else if lai.is_none() && isr_step.is_none() {
            if let Some((isr, dst)) = alter_isr_answer(rec, t, p) {
                isr_step = Some((rec, isr, dst));
            }
        }
    }
    if let Some((rec, isr, dst)) = isr_step {
        let ctl = rec.actor().unwrap_or(dst);
        chain.links.push(WhyLink {
            step: rec.step,
            text: format!(
                "{} (controller) accepts {}'s AlterIsr: ISR {}",
                names.label(ctl),
                names.label(dst),
                ids_text(&isr)
            ),
            nodes: vec![ctl, dst],
        });
        chain.links.extend(zk_link(history, rec, ctl));
        // The AlterIsr request the controller answered.
        let asked = back(tl, rec.step, 1).take(400).find(|r| {
            matches!(&r.event, EventRecord::Deliver { msg, .. }
                if matches!(msg.kafka(), Some(KMsg::AlterIsr { topic, partition, .. }) if topic == t && *partition == p))
        });
        if let Some(a) = asked {
            let ctl = a.actor().unwrap_or(ctl);
            chain.links.push(WhyLink {
                step: a.step,
                text: format!(
                    "{} gets leader {}'s AlterIsr",
                    names.label(ctl),
                    names.label(dst)
                ),
                nodes: vec![ctl, dst],
            });
        }
    }
    let Some((step, rec, dsts)) = lai else {
        return chain;
    };
    let ctl = rec.actor().unwrap_or(NodeId(0));
    let mut nodes = dsts;
    nodes.insert(0, ctl);
    chain.links.push(WhyLink {
        step,
        text: format!(
            "{} (controller) sends LeaderAndIsr: leader epoch {}",
            names.label(ctl),
            row.leader_epoch
        ),
        nodes,
    });
    chain.links.extend(zk_link(history, rec, ctl));
    if row.leader_epoch > 0 {
        chain.links.extend(causes(tl, history, names, row, step));
    }
    chain
}

/// The broker fault before `step` that hit one of the partition's replicas, and the first
/// session expiry after it.
fn causes(
    tl: &ClusterTimeline,
    history: &History,
    names: &Names,
    row: &super::partitions::PartitionRow,
    step: u64,
) -> Vec<WhyLink> {
    let replica_nodes: Vec<NodeId> = row.replicas.iter().filter_map(|c| c.node).collect();
    let fault = history
        .markers()
        .iter()
        .rev()
        .filter(|m| m.kind == MarkerKind::Fault && m.step <= step)
        .take(50)
        .find_map(|m| {
            let rec = tl.record(m.step)?;
            match &rec.event {
                EventRecord::Input(Input::Crash(n) | Input::Deliver(n, _))
                    if replica_nodes.contains(n) =>
                {
                    Some((m.step, *n, m.text.clone()))
                }
                _ => None,
            }
        });
    let Some((at, node, text)) = fault else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let expiry = (at + 1..step)
        .take(SCAN as usize)
        .filter_map(|n| tl.record(n))
        .find(|r| r.notes.iter().any(|n| n.contains("expires session")));
    if let Some(r) = expiry {
        let zk = r.actor().unwrap_or(node);
        out.push(WhyLink {
            step: r.step,
            text: format!(
                "{} expires {}'s ZooKeeper session: its /brokers/ids znode goes",
                names.label(zk),
                names.label(node)
            ),
            nodes: vec![zk, node],
        });
    }
    out.push(WhyLink {
        step: at,
        text,
        nodes: vec![node],
    });
    out
}

/// The step at which `node` truncated its log at time `at_us` (a lost write's cause).
pub fn truncation_step(tl: &ClusterTimeline, at_us: TimeUs, node: NodeId) -> Option<u64> {
    // Records are in time order: find the first step at that time, then the node's.
    let (mut lo, mut hi) = (tl.floor() + 1, tl.cursor() + 1);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        match tl.record(mid) {
            Some(r) if r.time_us < at_us => lo = mid + 1,
            _ => hi = mid,
        }
    }
    (lo..=tl.cursor())
        .map_while(|n| tl.record(n).filter(|r| r.time_us == at_us))
        .find(|r| r.actor() == Some(node) && r.notes.iter().any(|n| n.contains("truncated")))
        .map(|r| r.step)
}

/// Where each lost write of a Log table went: the truncation that removed it, else the
/// step the current leader, which never had it, was told to lead.
pub fn lost_links(run: &Run, names: &Names, t: &LogTable) -> Vec<Option<WhyLink>> {
    let tl = run.timeline();
    let mut election: Option<Option<WhyLink>> = None;
    t.lost
        .iter()
        .map(|l| match l.truncated {
            Some((at, broker)) => {
                let node = t.columns.iter().find(|c| c.broker == broker)?.node?;
                Some(WhyLink {
                    step: truncation_step(tl, at, node)?,
                    text: format!(
                        "{} truncates its log to the new leader's",
                        names.label(node)
                    ),
                    nodes: vec![node],
                })
            }
            None => election
                .get_or_insert_with(|| {
                    let mut chain = partition_why(run, names, &t.partition);
                    let at = chain
                        .links
                        .iter()
                        .position(|l| l.text.contains("LeaderAndIsr"))?;
                    let mut link = chain.links.swap_remove(at);
                    link.text = "the new leader, which never had them, is told to lead".into();
                    Some(link)
                })
                .clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view::run::RunSpec;

    fn run(scenario: &str, steps: u64) -> Run {
        let mut run = Run::new(RunSpec {
            scenario: scenario.into(),
            seed: 1,
            servers: None,
        })
        .unwrap();
        for _ in 0..steps {
            run.step();
        }
        run
    }

    #[test]
    fn a_failed_over_leader_is_explained_back_to_the_crash() {
        let run = run("kafka-leader-failover", 1_800);
        let names = Names::from_world(&run.timeline().current().world);
        let table = partition_table(&run.timeline().current().world);
        let row = table
            .rows
            .iter()
            .find(|r| !r.internal && r.leader_epoch > 0 && !r.isr.contains(&3))
            .expect("a partition broker-3 led moved");
        let chain = partition_why(&run, &names, &row.name);
        let texts: Vec<&str> = chain.links.iter().map(|l| l.text.as_str()).collect();
        assert!(
            texts.iter().any(|t| t.contains("sends LeaderAndIsr")),
            "{texts:?}"
        );
        assert!(
            texts.iter().any(|t| t.contains("ZooKeeper commits")),
            "{texts:?}"
        );
        assert!(
            texts.iter().any(|t| t.contains("expires broker-3's")),
            "{texts:?}"
        );
        let crash = chain.links.last().unwrap();
        assert!(crash.text.contains("broker-3"), "{texts:?}");
        let rec = run.timeline().record(crash.step).unwrap();
        assert!(matches!(rec.event, EventRecord::Input(Input::Crash(_))));
        // Newest first.
        assert!(
            chain.links.windows(2).all(|w| w[0].step > w[1].step),
            "{:?}",
            chain.links
        );
    }

    #[test]
    fn an_expanded_isr_is_explained_by_the_alter_isr_the_controller_accepted() {
        let run = run("kafka-leader-failover", 3_000);
        let names = Names::from_world(&run.timeline().current().world);
        let chain = partition_why(&run, &names, "events-0");
        let texts: Vec<&str> = chain.links.iter().map(|l| l.text.as_str()).collect();
        assert!(
            texts[0].contains("accepts broker-1's AlterIsr: ISR 1,2,3"),
            "{texts:?}"
        );
        assert!(
            texts
                .iter()
                .any(|t| t.contains("gets leader broker-1's AlterIsr")),
            "{texts:?}"
        );
        assert!(
            texts.iter().any(|t| t.contains("sends LeaderAndIsr")),
            "{texts:?}"
        );
    }

    #[test]
    fn the_first_election_has_no_fault_behind_it() {
        let run = run("kafka-default", 1_500);
        let names = Names::from_world(&run.timeline().current().world);
        let chain = partition_why(&run, &names, "events-0");
        assert!(chain.title.contains("leads events-0"), "{chain:?}");
        assert!(!chain.links.is_empty());
        assert!(chain.links.len() <= 3, "{chain:?}");
        assert!(partition_why(&run, &names, "nope-1").links.is_empty());
    }

    #[test]
    fn a_truncation_is_found_by_its_time_and_node() {
        let run = run("kafka-acks-1", 2_600);
        let tl = run.timeline();
        let rec = tl
            .records()
            .find(|r| r.notes.iter().any(|n| n.contains("truncated to")));
        let rec = rec.expect("broker-2 truncates");
        let node = rec.actor().unwrap();
        assert_eq!(truncation_step(tl, rec.time_us, node), Some(rec.step));
        assert_eq!(truncation_step(tl, rec.time_us + 1, node), None);
        let names = Names::from_world(&tl.current().world);
        let table = super::super::log::log_table(&tl.current().world, "events-2");
        let links = lost_links(&run, &names, &table);
        assert!(!links.is_empty());
        assert!(links
            .iter()
            .all(|l| l.as_ref().is_some_and(|l| l.step == rec.step)));
    }
}
