//! The Partitions panel: one row per topic-partition (leader against preferred leader, leader
//! epoch, each replica in or out of the ISR with its LEO and high watermark, flags), a
//! "why?" button that explains the row step by step, and a button that opens the row's
//! partition in the Log panel. One click listener serves every button of the panel.

use std::cell::RefCell;
use std::rc::Rc;

use yew::prelude::*;

use crate::view::protocols::{partition_why, PartitionRow, PartitionTable, WhyChain, WhyLink};
use crate::view::state::{Action, Panel};

use super::dom;
use super::sim_provider::use_sim;
use super::view_state::use_view;

thread_local! {
    /// The partition the Log panel shows, shared with the Partitions panel's "log" buttons.
    static PICKED: RefCell<String> = const { RefCell::new(String::new()) };
}

/// The partition the Log panel shows.
pub fn picked() -> String {
    PICKED.with(|p| p.borrow().clone())
}

/// Shows `name` in the Log panel next time it opens.
pub fn set_picked(name: String) {
    PICKED.with(|p| *p.borrow_mut() = name);
}

/// Rings the nodes of a "why?" link while the cursor is on its step.
pub fn highlight(link: Option<&WhyLink>, cursor: u64) -> Html {
    let Some(l) = link.filter(|l| l.step == cursor) else {
        return html! {};
    };
    let mut css = String::new();
    for n in &l.nodes {
        css.push_str(&format!(".node[data-node-id=\"{}\"] .ring,", n.0));
    }
    css.pop();
    css.push_str("{stroke:var(--cause);stroke-width:4;opacity:1}");
    html! { <style>{ css }</style> }
}

/// A list of "why?" links, each seeking its step (`data-seek`) and naming its index.
pub fn why_links(links: &[WhyLink], focus: Option<usize>) -> Html {
    html! {
        <ol class="why-links">
            { for links.iter().enumerate().map(|(i, l)| html! {
                <li class={classes!((focus == Some(i)).then_some("focus"))}>
                    <button type="button" class="link mono" data-seek={l.step.to_string()}
                        data-link={i.to_string()}>{ format!("step {}", l.step) }</button>
                    { " " }{ &l.text }
                </li>
            }) }
        </ol>
    }
}

/// Props of [`PartitionsPanel`].
#[derive(Properties, PartialEq)]
pub struct PartitionsProps {
    pub table: Rc<PartitionTable>,
}

/// The table and the open explanation.
#[component]
pub fn PartitionsPanel(props: &PartitionsProps) -> Html {
    let sim = use_sim();
    let view = use_view();
    let why = use_state(|| None::<Rc<WhyChain>>);
    let focus = use_state(|| None::<usize>);
    let onclick = {
        let (why, focus, sim) = (why.clone(), focus.clone(), sim.clone());
        Callback::from(move |e: MouseEvent| {
            if let Some(name) = dom::closest_attr(&e, "data-why") {
                let chain = sim.with_run(|run| partition_why(run, &sim.frame.names, &name));
                why.set(Some(Rc::new(chain)));
                focus.set(None);
            } else if let Some(name) = dom::closest_attr(&e, "data-log") {
                set_picked(name);
                if let Some(p) = Panel::from_slug("log") {
                    view.dispatch(Action::SetPanel(p));
                }
            } else if let Some(i) = dom::closest_attr(&e, "data-link") {
                focus.set(i.parse().ok());
            } else if dom::closest_attr(&e, "data-close").is_some() {
                why.set(None);
            }
        })
    };
    let t = &props.table;
    let under = t.rows.iter().filter(|r| r.under_replicated).count();
    let offline = t.rows.iter().filter(|r| r.offline).count();
    let link = (*why)
        .as_ref()
        .and_then(|c| focus.and_then(|i| c.links.get(i)));
    html! {
        <div class="kafka-parts" {onclick}>
            <h2 class="panel-title">{ "Partitions" }</h2>
            <p class="muted parts-summary">
                { match t.controller { Some(c) => format!("Controller: broker {c}. "), None => "No active controller. ".into() } }
                { format!("{} partitions, {under} under-replicated, {offline} offline.", t.rows.len()) }
            </p>
            if let Some(c) = &*why {
                <section class="why" aria-label="Why?">
                    <h3>{ &c.title }
                        <button type="button" class="btn small" data-close="1" aria-label="Close the explanation">{ "×" }</button>
                    </h3>
                    if c.links.is_empty() {
                        <p class="muted">{ "No recorded step explains it (the steps may be before the kept history)." }</p>
                    } else {
                        { why_links(&c.links, *focus) }
                    }
                </section>
            }
            { highlight(link, sim.cursor()) }
            if t.rows.is_empty() {
                <p class="placeholder">{ "No partitions yet: the topic is created once a controller runs." }</p>
            } else {
                <table class="parts">
                    <thead><tr>
                        <th scope="col" title="Topic, then partition number">{ "Part." }</th>
                        <th scope="col" title="Actual leader; ≠ the preferred leader (first replica) when they differ">{ "Leader" }</th>
                        <th scope="col" title="Leader epoch">{ "Ep." }</th>
                        <th scope="col" title="Each replica: broker id, its own role (L/F), LEO/HW; green = in the ISR, red = out of sync">{ "Replicas · LEO/HW" }</th>
                        <th scope="col"><span class="sr-only">{ "Actions" }</span></th>
                    </tr></thead>
                    <tbody>{ for t.rows.iter().enumerate().map(|(i, r)| {
                        // A heading row before each topic's first partition.
                        let first = i == 0 || t.rows[i - 1].topic != r.topic;
                        html! { <>
                            if first {
                                <tr class="topic"><th colspan="5" scope="rowgroup" class="mono">{ &r.topic }</th></tr>
                            }
                            { row(r) }
                        </> }
                    }) }</tbody>
                </table>
                <p class="muted parts-legend">{ "L leads, F follows (each replica's own view); ⚠ acts on an old epoch; grey: broker down." }</p>
            }
        </div>
    }
}

fn row(r: &PartitionRow) -> Html {
    let class = classes!(
        "part",
        r.internal.then_some("internal"),
        r.under_replicated.then_some("under"),
        r.offline.then_some("offline")
    );
    let leader = if r.offline {
        String::new()
    } else {
        r.leader.to_string()
    };
    html! {
        <tr {class} data-partition={r.name.clone()} data-leader={leader.clone()}
            data-isr={r.isr_text()}>
            <th scope="row" class="mono" aria-label={r.name.clone()}>{ r.partition }</th>
            <td>
                if r.offline {
                    <span class="flag offline">{ "offline" }</span>
                } else {
                    { leader }
                    if r.off_preferred() {
                        <span class="pref" title="preferred leader">{ " ≠" }{ r.preferred }</span>
                    }
                }
            </td>
            <td>{ r.leader_epoch }</td>
            <td><div class="reps">
                { for r.replicas.iter().map(|c| {
                    let class = classes!(
                        "rep",
                        if c.in_isr { "isr" } else { "out" },
                        (!c.up).then_some("down"),
                        c.stale.then_some("stale")
                    );
                    html! {
                        <span {class} data-broker={c.broker.to_string()}>
                            <b>{ c.broker }</b>{ c.own }
                            if c.stale { { "⚠" } }
                            if c.leo >= 0 { <small>{ format!("{}/{}", c.leo, c.hw) }</small> }
                        </span>
                    }
                }) }
                if r.under_replicated { <span class="flag under">{ "under-replicated" }</span> }
            </div></td>
            <td class="acts">
                <button type="button" class="link" data-why={r.name.clone()}
                    aria-label={format!("Why? {}", r.name)}>{ "why?" }</button>
                <button type="button" class="link" data-log={r.name.clone()}
                    aria-label={format!("Log of {}", r.name)}>{ "log" }</button>
            </td>
        </tr>
    }
}
