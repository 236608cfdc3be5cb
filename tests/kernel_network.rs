//! The simulated network and faults, driven by hand with probe actors: cuts, partitions,
//! holds, drops, crashes, random loss and duplication, bounds, and tie-breaking in the queue.

mod kernel_support;

use kernel_support::{apply, fixed_link, line, probes, run_quiet, send, Msg, Probe, Record};
use zooscope::sim::{
    Bounds, EventRecord, Input, LinkConfig, LossReason, NodeId, SendFate, World, MS,
};

const P0: NodeId = NodeId(0);
const P1: NodeId = NodeId(1);
const P2: NodeId = NodeId(2);
const P3: NodeId = NodeId(3);

fn fates(rec: &Record) -> Vec<SendFate> {
    rec.sends.iter().map(|s| s.fate.clone()).collect()
}

fn lost_on_arrival(recs: &[Record]) -> Vec<(u64, LossReason)> {
    recs.iter()
        .filter_map(|r| match &r.event {
            EventRecord::Lost {
                msg: Msg::Data(n),
                reason,
                ..
            } => Some((*n, *reason)),
            _ => None,
        })
        .collect()
}

#[test]
fn a_cut_link_loses_what_is_sent_on_it_and_healing_restores_delivery() {
    let mut w = probes(3, fixed_link(MS));
    apply(&mut w, Input::CutLink(P0, P1));
    let rec = send(&mut w, 0, 1, 1, 2);
    assert_eq!(fates(&rec), vec![SendFate::Lost(LossReason::LinkCut); 2]);
    assert!(line(&w, &rec).contains("(lost: link cut)"));
    // Both directions are cut; other links are not.
    let back = send(&mut w, 1, 0, 3, 1);
    assert_eq!(fates(&back), vec![SendFate::Lost(LossReason::LinkCut)]);
    send(&mut w, 0, 2, 4, 1);
    run_quiet(&mut w);
    assert!(w.node(P1).data().is_empty());
    assert_eq!(w.node(P2).data(), vec![4]);

    apply(&mut w, Input::HealLink(P0, P1));
    send(&mut w, 0, 1, 5, 1);
    run_quiet(&mut w);
    assert_eq!(w.node(P1).data(), vec![5]);
}

#[test]
fn a_message_on_the_wire_when_its_link_is_cut_is_recorded_lost_on_arrival() {
    let mut w = probes(2, fixed_link(MS));
    send(&mut w, 0, 1, 1, 3);
    apply(&mut w, Input::CutLink(P0, P1));
    let recs = run_quiet(&mut w);
    assert_eq!(
        lost_on_arrival(&recs),
        vec![
            (1, LossReason::LinkCut),
            (2, LossReason::LinkCut),
            (3, LossReason::LinkCut)
        ]
    );
    assert!(line(&w, &recs[0]).contains("lost (link cut)"));
    assert!(w.node(P1).data().is_empty());
    assert_eq!(w.in_flight().count(), 0);
}

#[test]
fn a_partition_cuts_links_between_groups_and_keeps_them_within_groups() {
    let mut w = probes(4, fixed_link(MS));
    apply(&mut w, Input::Partition(vec![vec![P0], vec![P1, P2]]));
    let net = w.net();
    for (a, b) in [(P0, P1), (P1, P0), (P0, P2), (P2, P0)] {
        assert!(net.is_cut((a, b)), "{a}->{b} should be cut");
    }
    // Within a group, and for a node in no group, links stay up.
    for (a, b) in [(P1, P2), (P2, P1), (P3, P0), (P3, P1), (P0, P3)] {
        assert!(!net.is_cut((a, b)), "{a}->{b} should be up");
    }
    assert_eq!(w.healthy_since_us(), None);
    send(&mut w, 1, 2, 1, 1);
    send(&mut w, 1, 0, 2, 1);
    send(&mut w, 3, 0, 3, 1);
    run_quiet(&mut w);
    assert_eq!(w.node(P2).data(), vec![1]);
    assert_eq!(w.node(P0).data(), vec![3]);

    apply(&mut w, Input::Heal);
    assert_eq!(w.net().cut_links().count(), 0);
    assert_eq!(w.healthy_since_us(), Some(w.now_us()));
    send(&mut w, 1, 0, 4, 1);
    run_quiet(&mut w);
    assert_eq!(w.node(P0).data(), vec![3, 4]);
}

#[test]
fn a_held_fifo_link_delivers_nothing_until_released_and_then_everything_in_order() {
    // Random latency, so only the FIFO rule keeps the order.
    let link = LinkConfig {
        latency_min_us: MS,
        latency_max_us: 50 * MS,
        ..LinkConfig::default()
    };
    let mut w = probes(2, link);
    apply(&mut w, Input::HoldLink(P0, P1));
    let rec = send(&mut w, 0, 1, 1, 20);
    assert_eq!(fates(&rec), vec![SendFate::Held; 20]);
    assert!(
        run_quiet(&mut w).is_empty(),
        "held messages stay on the wire"
    );
    assert!(w.in_flight().all(|f| f.held));
    assert_eq!(w.in_flight().count(), 20);

    apply(&mut w, Input::ReleaseLink(P0, P1));
    run_quiet(&mut w);
    assert_eq!(w.node(P1).data(), (1..=20).collect::<Vec<_>>());
    assert_eq!(w.in_flight().count(), 0);
}

#[test]
fn holding_one_message_on_a_fifo_link_holds_the_ones_behind_it_until_release() {
    let link = LinkConfig {
        latency_min_us: MS,
        latency_max_us: 50 * MS,
        ..LinkConfig::default()
    };
    let mut w = probes(2, link);
    let rec = send(&mut w, 0, 1, 1, 10);
    let third = rec.sends[2].id;
    apply(&mut w, Input::Hold(third));
    run_quiet(&mut w);
    // The two sent before it got through; the rest wait behind it.
    assert_eq!(w.node(P1).data(), vec![1, 2]);
    assert!(w.net().is_held((P0, P1)));
    send(&mut w, 0, 1, 11, 1);
    run_quiet(&mut w);
    assert_eq!(w.node(P1).data(), vec![1, 2]);

    apply(&mut w, Input::Release(third));
    run_quiet(&mut w);
    assert_eq!(w.node(P1).data(), (1..=11).collect::<Vec<_>>());
}

#[test]
fn holding_one_message_on_a_reordering_link_holds_only_that_message() {
    let link = LinkConfig {
        fifo: false,
        ..fixed_link(MS)
    };
    let mut w = probes(2, link);
    let rec = send(&mut w, 0, 1, 1, 3);
    let first = rec.sends[0].id;
    apply(&mut w, Input::Hold(first));
    run_quiet(&mut w);
    assert_eq!(w.node(P1).data(), vec![2, 3]);
    assert!(w.flight(first).is_some_and(|f| f.held));
    apply(&mut w, Input::Release(first));
    run_quiet(&mut w);
    assert_eq!(w.node(P1).data(), vec![2, 3, 1]);
}

#[test]
fn dropping_one_message_on_the_wire_removes_only_that_message() {
    let mut w = probes(2, fixed_link(MS));
    let rec = send(&mut w, 0, 1, 1, 3);
    let drop_rec = apply(&mut w, Input::Drop(rec.sends[1].id));
    assert!(drop_rec.kernel_notes.is_empty());
    assert_eq!(w.in_flight().count(), 2);
    run_quiet(&mut w);
    assert_eq!(w.node(P1).data(), vec![1, 3]);
    // Dropping it again is noted, not fatal.
    let again = apply(&mut w, Input::Drop(rec.sends[1].id));
    assert_eq!(again.kernel_notes.len(), 1, "{:?}", again.kernel_notes);
}

fn step_until(w: &mut World<Probe>, until_us: u64) -> Vec<Record> {
    let mut out = Vec::new();
    while w.next_event_us().is_some_and(|t| t <= until_us) {
        out.extend(w.step());
    }
    out
}

#[test]
fn a_crash_drops_volatile_state_and_timers_and_a_restart_calls_on_start() {
    let mut w = World::new(3, fixed_link(MS));
    w.add_node(Probe::new("p0"));
    let mut ticking = Probe::new("p1");
    ticking.tick_us = Some(10 * MS);
    w.add_node(ticking);
    step_until(&mut w, 0);
    send(&mut w, 0, 1, 1, 2);
    step_until(&mut w, 55 * MS);
    assert_eq!(w.node(P1).data(), vec![1, 2]);
    assert_eq!(w.node(P1).ticks, 5);
    assert_eq!(w.timers_of(P1).count(), 1);

    apply(&mut w, Input::Crash(P1));
    assert!(!w.is_up(P1));
    assert_eq!(w.timers_of(P1).count(), 0, "a crash cancels timers");
    assert!(w.node(P1).received.is_empty(), "volatile state is gone");
    assert_eq!(w.node(P1).ticks, 0);
    assert_eq!(w.node(P1).starts, 1, "disk state is kept");
    let while_down = step_until(&mut w, 500 * MS);
    assert!(while_down.is_empty(), "no timer fires on a crashed node");

    // Messages arriving while it is down are lost.
    send(&mut w, 0, 1, 3, 1);
    let recs = step_until(&mut w, 600 * MS);
    assert_eq!(lost_on_arrival(&recs), vec![(3, LossReason::NodeDown)]);

    let restart = apply(&mut w, Input::Restart(P1));
    assert!(w.is_up(P1));
    assert_eq!(w.node(P1).starts, 2, "a restart calls on_start");
    assert_eq!(restart.timers.len(), 1, "on_start re-armed the tick");
    let until = w.now_us() + 35 * MS;
    step_until(&mut w, until);
    assert_eq!(w.node(P1).ticks, 3);
}

/// Sends `total` messages from p0 to p1 in batches that stay under the per-link bound.
fn send_many(w: &mut World<Probe>, total: u64) -> Vec<Record> {
    let mut senders = Vec::new();
    let mut n = 0;
    while n < total {
        senders.push(send(w, 0, 1, n, 500));
        run_quiet(w);
        n += 500;
    }
    senders
}

#[test]
fn random_loss_happens_about_as_often_as_configured() {
    let link = LinkConfig {
        loss_ppm: 100_000,
        ..fixed_link(MS)
    };
    let mut w = probes(2, link);
    let senders = send_many(&mut w, 10_000);
    let lost = senders
        .iter()
        .flat_map(|r| &r.sends)
        .filter(|s| s.fate == SendFate::Lost(LossReason::RandomLoss))
        .count();
    // 10% of 10 000 is 1 000, with a standard deviation of 30.
    assert!((880..=1_120).contains(&lost), "lost {lost} of 10 000");
    assert_eq!(w.node(P1).data().len(), 10_000 - lost);
}

#[test]
fn random_duplication_happens_about_as_often_as_configured() {
    let link = LinkConfig {
        duplicate_ppm: 100_000,
        ..fixed_link(MS)
    };
    let mut w = probes(2, link);
    let senders = send_many(&mut w, 10_000);
    let copies = senders
        .iter()
        .flat_map(|r| &r.sends)
        .filter(|s| matches!(s.fate, SendFate::Queued { copy: Some(_), .. }))
        .count();
    assert!((880..=1_120).contains(&copies), "{copies} copies of 10 000");
    assert_eq!(w.node(P1).data().len(), 10_000 + copies);
    // On a FIFO link a copy arrives right after its original.
    let data = w.node(P1).data();
    assert!(data.windows(2).all(|p| p[0] <= p[1]));
}

#[test]
fn a_full_link_loses_new_messages_as_bound_reached_with_a_kernel_note() {
    let bounds = Bounds {
        max_in_flight_per_link: 4,
        ..Bounds::default()
    };
    let mut w = World::with_bounds(1, fixed_link(MS), bounds);
    w.add_node(Probe::new("p0"));
    w.add_node(Probe::new("p1"));
    run_quiet(&mut w);
    let rec = send(&mut w, 0, 1, 1, 10);
    let queued = fates(&rec)
        .iter()
        .filter(|f| matches!(f, SendFate::Queued { .. }))
        .count();
    let bounded = fates(&rec)
        .iter()
        .filter(|f| **f == SendFate::Lost(LossReason::BoundReached))
        .count();
    assert_eq!((queued, bounded), (4, 6));
    assert_eq!(rec.kernel_notes.len(), 6);
    assert!(rec.kernel_notes[0].starts_with("bound reached"));
    assert!(line(&w, &rec).contains("(lost: link queue full (bound))"));
    run_quiet(&mut w);
    assert_eq!(w.node(P1).data(), vec![1, 2, 3, 4]);
    // Once the wire has drained, the link takes messages again.
    let rec = send(&mut w, 0, 1, 11, 1);
    assert!(matches!(fates(&rec)[0], SendFate::Queued { .. }));
}

#[test]
fn a_full_event_queue_refuses_a_timer_with_a_kernel_note() {
    let bounds = Bounds {
        max_queue: 3,
        ..Bounds::default()
    };
    let mut w = World::with_bounds(1, fixed_link(MS), bounds);
    for i in 0..3 {
        let mut p = Probe::new(&format!("p{i}"));
        p.tick_us = Some(10 * MS);
        w.add_node(p);
    }
    // Scheduled inputs are never refused; with them the queue stays full.
    w.schedule(5 * MS, Input::Heal);
    let first = w.step().expect("a start");
    assert!(first.timers.is_empty(), "{:?}", first.timers);
    assert_eq!(first.kernel_notes.len(), 1);
    assert!(first.kernel_notes[0].contains("event queue full"));
    assert_eq!(w.timers_of(P0).count(), 0);
    for _ in 0..100 {
        w.step();
    }
}

/// Kernel bug (fixed): a node added when the queue was at its bound silently never started.
#[test]
fn every_node_starts_even_past_the_queue_bound() {
    let bounds = Bounds {
        max_queue: 1,
        ..Bounds::default()
    };
    let mut w = World::with_bounds(1, fixed_link(MS), bounds);
    for i in 0..3 {
        w.add_node(Probe::new(&format!("p{i}")));
    }
    run_quiet(&mut w);
    assert!(w.node_ids().all(|id| w.node(id).starts == 1));
}

#[test]
fn events_due_at_the_same_time_run_in_the_order_they_were_scheduled() {
    let mut w = World::new(1, fixed_link(MS));
    for i in 0..3 {
        w.add_node(Probe::new(&format!("p{i}")));
    }
    let order = [5, 3, 9, 0, 7, 1, 8, 2, 6, 4];
    for n in order {
        w.schedule(10 * MS, Input::Deliver(P0, Msg::Marker(n)));
    }
    let recs = run_quiet(&mut w);
    // Nodes added for time 0 start in the order they were added.
    let starts: Vec<_> = recs[..3].iter().map(|r| r.actor()).collect();
    assert_eq!(starts, vec![Some(P0), Some(P1), Some(P2)]);
    let markers: Vec<u64> = w
        .node(P0)
        .received
        .iter()
        .map(|(_, m)| match m {
            Msg::Marker(n) => *n,
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(markers, order);
    assert!(recs[3..].iter().all(|r| r.time_us == 10 * MS));
}

#[test]
fn messages_arriving_at_the_same_time_on_a_reordering_link_keep_their_send_order() {
    let link = LinkConfig {
        fifo: false,
        ..fixed_link(5 * MS)
    };
    let mut w = probes(3, link);
    send(&mut w, 0, 1, 1, 50);
    send(&mut w, 2, 1, 100, 50);
    let recs = run_quiet(&mut w);
    let due: Vec<_> = recs.iter().map(|r| r.time_us).collect();
    assert!(due.iter().all(|t| *t == due[0]), "all due at once");
    let expected: Vec<u64> = (1..=50).chain(100..150).collect();
    assert_eq!(w.node(P1).data(), expected);
}

#[test]
fn inputs_that_name_missing_nodes_or_messages_are_noted_and_harmless() {
    let mut w = probes(2, fixed_link(MS));
    let ghost = NodeId(9);
    for input in [
        Input::Crash(ghost),
        Input::Restart(ghost),
        Input::Restart(P0),
        Input::Deliver(ghost, Msg::Marker(1)),
        Input::Drop(12_345),
        Input::Hold(12_345),
        Input::Release(12_345),
    ] {
        let rec = apply(&mut w, input.clone());
        assert_eq!(
            rec.kernel_notes.len(),
            1,
            "{input:?}: {:?}",
            rec.kernel_notes
        );
    }
    apply(&mut w, Input::Crash(P1));
    let again = apply(&mut w, Input::Crash(P1));
    assert_eq!(again.kernel_notes.len(), 1);
    send(&mut w, 0, 9, 1, 1);
    run_quiet(&mut w);
}

/// Kernel bug (fixed): `Release` of a message that was on the wire but not held queued a
/// second delivery for it, and the second one panicked ("queued delivery has a flight").
#[test]
fn releasing_a_message_that_is_not_held_is_a_noted_no_op() {
    let mut w = probes(2, fixed_link(MS));
    let rec = send(&mut w, 0, 1, 1, 2);
    let release = apply(&mut w, Input::Release(rec.sends[0].id));
    assert_eq!(release.kernel_notes.len(), 1, "{:?}", release.kernel_notes);
    let recs = run_quiet(&mut w);
    assert_eq!(recs.len(), 2, "each message is delivered exactly once");
    assert_eq!(w.node(P1).data(), vec![1, 2]);
}

/// Kernel bug (fixed): a duplicated message sent on a held link was counted twice on the
/// wire but stored once, so every such message leaked one unit of the link's capacity until
/// the link refused everything with `BoundReached`.
#[test]
fn duplicates_sent_on_a_held_link_do_not_leak_link_capacity() {
    let bounds = Bounds {
        max_in_flight_per_link: 4,
        ..Bounds::default()
    };
    let link = LinkConfig {
        duplicate_ppm: 1_000_000,
        ..fixed_link(MS)
    };
    let mut w = World::with_bounds(1, link, bounds);
    w.add_node(Probe::new("p0"));
    w.add_node(Probe::new("p1"));
    run_quiet(&mut w);
    for round in 0..5 {
        apply(&mut w, Input::HoldLink(P0, P1));
        let rec = send(&mut w, 0, 1, round * 10, 2);
        assert_eq!(fates(&rec), vec![SendFate::Held; 2], "round {round}");
        assert_eq!(w.net().in_flight_on((P0, P1)), 2, "round {round}");
        apply(&mut w, Input::ReleaseLink(P0, P1));
        run_quiet(&mut w);
        assert_eq!(w.in_flight().count(), 0);
        assert_eq!(w.net().in_flight_on((P0, P1)), 0);
    }
    // Every held message reached p1 (as many copies as were put on the wire).
    assert_eq!(w.node(P1).data().len(), 10);
}
