//! The Log panel: one partition's replicas side by side, newest offset on top, each
//! replica's high-watermark line under its uncommitted tail, records a truncation removed
//! struck through, and the acknowledged writes that are gone, each linked to the step that
//! lost it. The partition is picked here or with a Partitions row's "log" button.

use std::rc::Rc;

use yew::prelude::*;

use crate::view::protocols::{log_table, lost_links, LogRow, LogTable, WhyLink};

use super::dom;
use super::partitions_panel::{highlight, picked, set_picked, why_links};
use super::sim_provider::use_sim;

/// The panel (it reads the run itself: its partition is its own state).
#[component]
pub fn LogPanel() -> Html {
    let sim = use_sim();
    let pick = use_state(picked);
    let focus = use_state(|| None::<usize>);
    let built = {
        let sim = sim.clone();
        use_memo((sim.version, (*pick).clone()), move |(_, name)| {
            sim.with_run(|run| {
                let t = log_table(&run.timeline().current().world, name);
                let links = lost_links(run, &sim.frame.names, &t);
                Rc::new((t, links))
            })
        })
    };
    let (t, links): &(LogTable, Vec<Option<WhyLink>>) = &built;
    let on_pick = {
        let pick = pick.clone();
        Callback::from(move |e: Event| {
            let v = e
                .target_unchecked_into::<web_sys::HtmlSelectElement>()
                .value();
            set_picked(v.clone());
            pick.set(v);
        })
    };
    let onclick = {
        let focus = focus.clone();
        Callback::from(move |e: MouseEvent| {
            if let Some(i) = dom::closest_attr(&e, "data-link") {
                focus.set(i.parse().ok());
            }
        })
    };
    let mut shown: Vec<WhyLink> = Vec::new();
    for l in links.iter().flatten() {
        if !shown.iter().any(|s| s.step == l.step) {
            shown.push(l.clone());
        }
    }
    html! {
        <div class="kafka-log" {onclick}>
            <h2 class="panel-title">{ "Log" }</h2>
            <div class="panel-toolbar">
                <label class="field">
                    <span>{ "Partition" }</span>
                    <select onchange={on_pick} aria-label="Partition">
                        { for t.options.iter().map(|o| html! {
                            <option value={o.clone()} selected={*o == t.partition}>{ o }</option>
                        }) }
                    </select>
                </label>
            </div>
            if !t.lost.is_empty() {
                <section class="lost" aria-label="Acknowledged writes lost">
                    <h3>{ format!("Acknowledged but lost: {}", t.lost.len()) }</h3>
                    <p class="muted">{ t.lost.iter().map(|l| l.text.as_str()).collect::<Vec<_>>().join(", ") }</p>
                    { why_links(&shown, *focus) }
                </section>
            }
            if t.columns.is_empty() {
                <p class="placeholder">{ "No partition to show yet." }</p>
            } else {
                <table class="plog" data-partition={t.partition.clone()}>
                    <thead><tr>
                        <th scope="col">{ "Offset" }</th>
                        { for t.columns.iter().map(|c| html! {
                            <th scope="col" class={classes!((!c.up).then_some("down"))}>
                                { format!("broker {}", c.broker) }<br />
                                <small>{ format!("{} · LEO {} · HW {}", c.role, c.leo.max(0), c.hw.max(0)) }</small>
                            </th>
                        }) }
                    </tr></thead>
                    <tbody>{ for t.rows.iter().map(row) }</tbody>
                </table>
                <p class="muted parts-legend">{ "Newest on top. The line marks each replica's high watermark: records above it (italic) are not committed yet; struck-through records were removed by a truncation." }</p>
            }
            { highlight(focus.and_then(|i| shown.get(i)), sim.cursor()) }
        </div>
    }
}

fn row(r: &LogRow) -> Html {
    html! {
        <tr key={r.offset.to_string()}>
            <th scope="row" class="mono">{ r.offset }</th>
            { for r.slots.iter().map(|s| html! {
                <td class={classes!(
                    if s.committed { "ok" } else { "tail" },
                    s.hw_line.then_some("hw")
                )}>
                    if let Some(e) = &s.rec { <span>{ &e.text }</span> }
                    { for s.gone.iter().map(|g| html! { <del>{ &g.text }</del> }) }
                </td>
            }) }
        </tr>
    }
}
