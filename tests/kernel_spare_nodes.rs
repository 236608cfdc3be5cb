//! Spare nodes (added by a scenario, started only by an input) and healing one node's links.

mod kernel_support;

use kernel_support::{apply, fixed_link, probes, run_quiet, send, Probe};
use zooscope::sim::{Input, LossReason, NodeId, SendFate, MS};

const P0: NodeId = NodeId(0);
const P1: NodeId = NodeId(1);
const P2: NodeId = NodeId(2);
const P3: NodeId = NodeId(3);

#[test]
fn a_spare_node_is_down_until_an_input_starts_it_and_starts_only_once() {
    let mut w = probes(2, fixed_link(MS));
    let spare = w.add_spare_node(Probe::new("spare"));
    run_quiet(&mut w);
    assert!(!w.has_started(spare) && !w.is_up(spare));
    assert!(w.is_idle_spare(spare) && !w.is_idle_spare(NodeId(0)));
    assert_eq!(w.node(spare).starts, 0);
    let rec = apply(&mut w, Input::Start(spare));
    assert!(rec.kernel_notes.is_empty(), "{:?}", rec.kernel_notes);
    assert!(w.has_started(spare) && w.is_up(spare));
    assert!(!w.is_idle_spare(spare));
    assert_eq!(w.node(spare).starts, 1);
    let rec = apply(&mut w, Input::Start(spare));
    assert_eq!(
        rec.kernel_notes,
        vec![format!("{spare} has already started")]
    );
    assert_eq!(w.node(spare).starts, 1);
    // A started node that crashed comes back with a restart, not a start.
    apply(&mut w, Input::Crash(spare));
    let rec = apply(&mut w, Input::Start(spare));
    assert!(!rec.kernel_notes.is_empty());
    assert!(!w.is_up(spare));
    assert!(apply(&mut w, Input::Start(NodeId(99))).kernel_notes.len() == 1);
}

#[test]
fn healing_a_node_restores_its_links_and_leaves_other_cuts() {
    let mut w = probes(4, fixed_link(MS));
    apply(&mut w, Input::Partition(vec![vec![P0], vec![P1, P2]]));
    apply(&mut w, Input::CutLink(P2, P3));
    assert!(w.net().is_cut((P0, P1)) && w.net().is_cut((P2, P0)));
    // P3 was in no group: the partition left its links alone.
    assert!(!w.net().is_cut((P0, P3)));
    apply(&mut w, Input::HealNode(P0));
    assert!(!w.net().is_cut((P0, P1)) && !w.net().is_cut((P2, P0)));
    assert!(w.net().is_cut((P2, P3)) && w.net().is_cut((P3, P2)));
    let rec = send(&mut w, 0, 1, 1, 1);
    assert!(!matches!(
        rec.sends[0].fate,
        SendFate::Lost(LossReason::LinkCut)
    ));
}
