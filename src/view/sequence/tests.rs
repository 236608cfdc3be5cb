use super::*;
use crate::view::run::{Run, RunSpec};

fn run(scenario: &str, steps: u64) -> Run {
    let mut run = Run::new(RunSpec {
        scenario: scenario.into(),
        seed: 3,
        servers: None,
    })
    .unwrap();
    run.seek(steps);
    run
}

fn window(run: &Run) -> Sequence {
    of_run(
        run,
        &Names::from_world(&run.timeline().current().world),
        false,
    )
}

fn lane(s: &Sequence, label: &str) -> NodeId {
    s.lanes.iter().find(|l| l.label == label).unwrap().node
}

#[test]
fn short_labels_keep_a_letter_and_the_number() {
    assert_eq!(short_label("broker-1", 1), "b1");
    assert_eq!(short_label("broker-12", 1), "b12");
    assert_eq!(short_label("producer", 1), "p");
    assert_eq!(short_label("consumer-2", 1), "c2");
    assert_eq!(short_label("member1", 1), "m1");
    assert_eq!(short_label("zk1", 1), "zk1");
    assert_eq!(short_label("zkCli", 1), "zkCli");
    assert_eq!(short_label("watcher", 2), "wa");
    assert_eq!(short_label("", 1), "");
    let shorts = short_labels(&["writer", "reader", "watcher", "lock1", "lock2", "zk1"]);
    assert_eq!(shorts, ["wr", "r", "wa", "lock1", "lock2", "zk1"]);
}

#[test]
fn the_window_ends_at_the_cursor_and_its_arrows_run_from_send_to_delivery() {
    let run = run("heartbeat", 60);
    let s = window(&run);
    assert_eq!(s.rows.last().map(|r| r.step), Some(60));
    assert!(s.rows.windows(2).all(|w| w[0].step < w[1].step));
    assert!(!s.arrows.is_empty() && s.arrows.len() <= MAX_ARROWS + 8);
    assert!(s.rows.len() <= MAX_ROWS);
    for a in &s.arrows {
        assert_ne!(a.src, a.dst);
        if let (Some(sent), Some(ended)) = (a.sent, a.ended) {
            assert!(sent < ended, "{a:?}");
        }
        match a.fate {
            Fate::InFlight => assert!(a.ended.is_none() && a.sent.is_some()),
            _ => assert!(a.ended.is_some_and(|e| e <= 60)),
        }
    }
    // Some arrow was both sent and delivered inside the window.
    assert!(s
        .arrows
        .iter()
        .any(|a| a.sent.is_some() && a.fate == Fate::Delivered));
    // Every step of the window that delivered something is a row.
    for a in s.arrows.iter().filter(|a| a.fate == Fate::Delivered) {
        assert!(s.rows.iter().any(|r| Some(r.step) == a.ended));
    }
}

#[test]
fn the_arrow_delivered_at_the_cursor_is_the_current_one_and_seeks_there() {
    let mut run = run("default", 100);
    // Move to a step that delivers a message.
    while !matches!(
        run.timeline().record(run.cursor()).map(|r| &r.event),
        Some(EventRecord::Deliver { .. })
    ) {
        assert!(run.step());
    }
    let c = run.cursor();
    let d = window(&run).draw(false);
    let current: Vec<&ArrowMark> = d.arrows.iter().filter(|a| a.current).collect();
    assert_eq!(current.len(), 1);
    assert_eq!(current[0].seek, c);
    assert!(
        current[0].name.starts_with(&format!("Step {c}: ")),
        "{}",
        current[0].name
    );
    assert!(d.rows.last().unwrap().current);
}

#[test]
fn a_zookeeper_write_shows_proposal_ack_and_commit_between_servers() {
    let run = run("default", 1_500);
    let mut seen = Vec::new();
    let mut r = Run::new(RunSpec {
        scenario: "default".into(),
        seed: 3,
        servers: None,
    })
    .unwrap();
    for n in (40..=run.cursor()).step_by(20) {
        r.seek(n);
        for a in window(&r).arrows {
            if !seen.contains(&a.kind) {
                seen.push(a.kind);
            }
        }
    }
    for k in ["PROPOSAL", "ACK", "COMMIT"] {
        assert!(seen.contains(&k), "{k} not among {seen:?}");
    }
}

#[test]
fn a_kafka_produce_goes_from_the_producer_to_a_broker_and_back() {
    let mut r = run("kafka-default", 3_000);
    let mut found = None;
    for _ in 0..200 {
        let s = window(&r);
        let p = lane(&s, "producer");
        let req = s
            .arrows
            .iter()
            .find(|a| a.kind == "Produce" && a.src == p && a.fate == Fate::Delivered);
        let resp = s
            .arrows
            .iter()
            .find(|a| a.kind == "ProduceResponse" && a.dst == p);
        if let (Some(q), Some(a)) = (req, resp) {
            found = Some((q.dst, a.src, s.lanes[q.dst.index()].short.clone()));
            break;
        }
        r.seek(r.cursor() + 25);
    }
    let (broker, answered_by, short) = found.expect("a Produce and its response");
    assert_eq!(broker, answered_by);
    assert!(short.starts_with('b'), "{short}");
}

#[test]
fn messages_to_a_crashed_node_end_in_a_cross_at_its_lane() {
    let mut r = run("heartbeat", 40);
    r.inject(Input::Crash(NodeId(1)));
    let mut lost = None;
    for _ in 0..400 {
        r.step();
        let s = window(&r);
        let crashed = |a: &&Arrow| a.fate == Fate::Lost && a.dst == NodeId(1);
        if let Some(a) = s.arrows.iter().find(crashed) {
            lost = Some((s.clone(), a.clone()));
            break;
        }
    }
    let (s, a) = lost.expect("a message lost on arrival");
    assert!(!s.lanes[1].up);
    let d = s.draw(false);
    let m = d.arrows.iter().find(|m| m.id == a.id).unwrap();
    assert!(m.name.ends_with("lost on arrival"), "{}", m.name);
    assert!(m.head.contains('l'), "a cross: {}", m.head);
}

#[test]
fn a_message_dropped_by_hand_ends_part_way_at_the_drop() {
    let mut r = run("heartbeat", 30);
    let id = r
        .timeline()
        .current()
        .world
        .in_flight()
        .map(|f| f.id)
        .next()
        .expect("something on the wire");
    r.inject(Input::Drop(id));
    let s = window(&r);
    let a = s
        .arrows
        .iter()
        .find(|a| a.id == id)
        .expect("the dropped one");
    assert_eq!((a.fate, a.ended), (Fate::Dropped, Some(r.cursor())));
    let d = s.draw(false);
    let m = d.arrows.iter().find(|m| m.id == id).unwrap();
    let x_dst = d.lanes[a.dst.index()].x;
    let end_x: i32 = m.head[1..]
        .split(' ')
        .next()
        .unwrap()
        .parse::<i32>()
        .unwrap()
        + 4;
    assert_ne!(end_x, x_dst);
}

#[test]
fn messages_still_on_the_wire_end_on_the_cursor_row() {
    let r = run("default", 200);
    let s = window(&r);
    let d = s.draw(false);
    let now = d.rows.last().unwrap().y;
    let flying: Vec<&ArrowMark> = d
        .arrows
        .iter()
        .filter(|a| a.fate == Fate::InFlight)
        .collect();
    assert!(!flying.is_empty());
    for a in flying {
        assert!(a.line.ends_with(&format!(" {now}")), "{}", a.line);
        assert!(a.name.contains("still on the wire"), "{}", a.name);
    }
}

#[test]
fn stepping_back_moves_the_window_with_the_cursor() {
    let mut r = run("default", 300);
    let ahead = window(&r);
    r.seek(250);
    let back = window(&r);
    assert_eq!(back.rows.last().unwrap().step, 250);
    assert!(back.arrows.iter().all(|a| a.seek_step() <= 250));
    assert_ne!(ahead, back);
}

#[test]
fn the_drawing_fits_the_width_and_can_keep_only_the_lanes_involved() {
    let r = run("kafka-default", 2_000);
    let s = window(&r);
    assert!(s.lanes.len() >= 8);
    let all = s.draw(false);
    assert_eq!(all.lanes.len(), s.lanes.len());
    assert!(all.lanes.windows(2).all(|w| w[1].x - w[0].x >= 30));
    assert!(all.lanes.iter().all(|l| l.x > 0 && l.x < all.width));
    assert!(all.lanes.iter().all(|l| l.short.len() <= 4));
    let some = s.draw(true);
    assert_eq!(
        some.lanes.len(),
        s.lanes.iter().filter(|l| l.involved).count()
    );
    assert!(some.lanes.len() < all.lanes.len() || s.lanes.iter().all(|l| l.involved));
    assert_eq!(some.arrows.len(), all.arrows.len());
    assert!(all.caption.starts_with("Steps "));
    assert_eq!(all.height, 24 + ROW * all.rows.len() as i32 + 6);
}

#[test]
fn an_empty_run_draws_nothing_and_never_panics() {
    let r = run("default", 0);
    let s = window(&r);
    assert!(s.arrows.is_empty() && s.rows.is_empty());
    let d = s.draw(true);
    assert!(d.lanes.is_empty() && d.caption.is_empty());
}

#[test]
fn the_svg_names_every_arrow_and_escapes_the_text() {
    let r = run("default", 120);
    let mut s = window(&r);
    s.arrows[0].summary = "create /a<b>&\"c\"".into();
    let d = s.draw(false);
    let svg = d.svg("m");
    assert!(svg.starts_with("<svg class=\"seq\"") && svg.ends_with("</svg>"));
    assert_eq!(svg.matches("role=\"button\"").count(), d.arrows.len());
    assert_eq!(svg.matches("<g class=\"seq-lane").count(), d.lanes.len());
    assert!(svg.contains("create /a&lt;b&gt;&amp;&quot;c&quot;"));
    for a in &d.arrows {
        assert!(svg.contains(&format!(
            "data-seek=\"{}\" aria-label=\"{}\"",
            a.seek, a.name
        )));
    }
    assert_eq!(svg.matches("seq-row current").count(), 1);
    assert!(svg.contains(&format!("id=\"m{}\"", d.arrows[0].id)));
    // One tab stop, the newest arrow; the others are reached with the arrow keys.
    assert_eq!(svg.matches("tabindex=\"0\"").count(), 1);
    assert_eq!(svg.matches("tabindex=\"-1\"").count(), d.arrows.len() - 1);
    let last = d.arrows.last().unwrap();
    assert!(svg.contains(&format!("id=\"m{}\" class=", last.id)));
    let at = svg.find(&format!("id=\"m{}\"", last.id)).unwrap();
    assert!(svg[at..].contains("tabindex=\"0\""));
}

#[test]
fn nodes_not_started_yet_are_not_drawn_as_down() {
    let mut r = run("default", 64);
    let s = window(&r);
    let reader = lane(&s, "reader");
    assert!(!r.timeline().current().world.has_started(reader));
    assert!(s.lanes[reader.index()].up);
    r.inject(Input::Crash(lane(&s, "zk2")));
    assert!(!window(&r).lanes[1].up);
}

#[test]
fn a_message_sent_over_a_cut_link_stops_a_third_of_the_way_with_a_cross() {
    let mut r = run("heartbeat", 30);
    r.inject(Input::Partition(vec![
        vec![NodeId(0)],
        vec![NodeId(1), NodeId(2), NodeId(3), NodeId(4)],
    ]));
    let mut found = None;
    for _ in 0..400 {
        r.step();
        let s = window(&r);
        if let Some(a) = s.arrows.iter().find(|a| a.fate == Fate::LostAtSend) {
            found = Some((s.clone(), a.clone()));
            break;
        }
    }
    let (s, a) = found.expect("a message lost as it was sent");
    assert_eq!(a.sent, a.ended);
    let d = s.draw(false);
    let m = d.arrows.iter().find(|m| m.id == a.id).unwrap();
    let (x1, x2) = (d.lanes[a.src.index()].x, d.lanes[a.dst.index()].x);
    let end_x = m.head[1..]
        .split(' ')
        .next()
        .unwrap()
        .parse::<i32>()
        .unwrap()
        + 4;
    assert!(
        (end_x - (x1 + (x2 - x1) / 3)).abs() <= 2,
        "{} {x1} {x2}",
        m.head
    );
    assert!(m.name.ends_with("lost as it was sent"), "{}", m.name);
}

#[test]
fn quiet_mode_leaves_out_fetch_and_pings_and_counts_them() {
    let run = run("kafka-default", 900);
    let names = Names::from_world(&run.timeline().current().world);
    let all = of_run(&run, &names, false);
    let quiet = of_run(&run, &names, true);
    assert_eq!(all.hidden, 0);
    let chatter = |a: &Arrow| crate::view::protocols::is_chatter(a.category);
    assert!(
        all.arrows.iter().any(chatter),
        "a settled Kafka cluster fetches"
    );
    assert!(!quiet.arrows.is_empty() && !quiet.arrows.iter().any(chatter));
    assert!(quiet.hidden > 0);
    // The quiet window reaches further back for the same room.
    assert!(quiet.rows[0].step < all.rows[0].step);
    assert_eq!(quiet.rows.last().map(|r| r.step), Some(900));
}
