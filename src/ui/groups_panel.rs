//! The Groups panel: each consumer group's state, generation, leader and members with their
//! assignment, and per partition the committed offset (linked to the `OffsetCommit` that
//! set it), the position, the log end offset and high watermark, the lag and a lag chart.
//! Following that link rings the consumer that committed and the group's coordinator while
//! the cursor stays on the commit's step, as the Partitions panel's "why?" links do: the
//! panel's one click listener notes the link's nodes (`data-ring`) before the page's listener
//! seeks, and the panel, built again for the new step, rings them.

use std::cell::RefCell;

use yew::prelude::*;

use crate::sim::NodeId;
use crate::view::protocols::{GroupsTable, WhyLink};

use super::dom;
use super::partitions_panel::highlight;
use super::sparkline::sparkline;

thread_local! {
    /// The commit link last followed: its step and its nodes' ids, space-separated.
    static FOLLOWED: RefCell<(u64, String)> = const { RefCell::new((0, String::new())) };
}

fn num(n: i64) -> String {
    if n < 0 {
        "–".to_string()
    } else {
        n.to_string()
    }
}

/// The groups at step `cursor`, and the ring of the nodes of the commit last followed.
pub fn groups_panel(t: &GroupsTable, cursor: u64) -> Html {
    let onclick = Callback::from(|e: MouseEvent| {
        let ring = dom::closest_attr(&e, "data-ring");
        let step = dom::closest_attr(&e, "data-seek").and_then(|s| s.parse().ok());
        if let (Some(ring), Some(step)) = (ring, step) {
            FOLLOWED.with(|f| *f.borrow_mut() = (step, ring));
        }
    });
    let link = FOLLOWED.with(|f| {
        let f = f.borrow();
        (f.0 == cursor).then(|| WhyLink {
            step: cursor,
            text: String::new(),
            nodes: f
                .1
                .split(' ')
                .filter_map(|n| n.parse().ok())
                .map(NodeId)
                .collect(),
        })
    });
    html! {
        <div class="kafka-groups" {onclick}>
            { highlight(link.as_ref(), cursor) }
            { groups_body(t) }
        </div>
    }
}

fn groups_body(t: &GroupsTable) -> Html {
    html! {
        <>
            <h2 class="panel-title">{ "Consumer groups" }</h2>
            if t.groups.is_empty() {
                <p class="placeholder">{ "No group yet: no consumer has joined one (or its coordinator is not loaded)." }</p>
            }
            { for t.groups.iter().map(|g| html! {
                <section key={g.id.clone()} class="kgroup" data-group={g.id.clone()}
                    data-state={g.state.clone()} data-generation={g.generation.to_string()}>
                    <h3>
                        <span class="mono">{ &g.id }</span>
                        <span class={classes!("badge", "gstate", g.state.clone())}>{ &g.state }</span>
                        <span class="badge">{ g.kind }</span>
                    </h3>
                    <p class="gmeta">
                        if g.generation >= 0 { <span>{ format!("generation {}", g.generation) }</span> }
                        if !g.leader.is_empty() { <span>{ format!("leader {}", g.leader) }</span> }
                        if !g.protocol.is_empty() { <span>{ format!("assignor {}", g.protocol) }</span> }
                        <span>{ format!("coordinator {}", g.coordinator) }</span>
                    </p>
                    <ul class="gmembers" aria-label="Members">
                        { for g.members.iter().map(|m| html! {
                            <li key={m.id.clone()} data-member={m.client.clone()}>
                                <strong>{ &m.client }</strong>
                                if m.leader { <span class="badge">{ "leader" }</span> }
                                <span class="mono muted" title={m.id.clone()}>{ &m.id }</span>
                                <span>{ if m.assignment.is_empty() { "no partitions".to_string() } else { format!("→ {}", m.assignment) } }</span>
                            </li>
                        }) }
                    </ul>
                    <table class="kparts">
                        <thead><tr>
                            <th scope="col">{ "Partition" }</th>
                            <th scope="col" title="Committed offset (why: the OffsetCommit that set it)">{ "Committed" }</th>
                            <th scope="col" title="The owner's position: next offset to process">{ "Position" }</th>
                            <th scope="col" title="Leader's log end offset / high watermark">{ "LEO / HW" }</th>
                            <th scope="col" title="High watermark − committed, and over the recent steps">{ "Lag" }</th>
                        </tr></thead>
                        <tbody>
                        { for g.partitions.iter().map(|p| html! {
                            <tr key={p.name.clone()} data-group={g.id.clone()} data-partition={p.name.clone()} title={format!("owned by {}", p.owner)}
                                data-committed={p.committed.to_string()} data-lag={p.lag.to_string()}>
                                <th scope="row" class="mono">{ &p.name }</th>
                                <td>
                                    { num(p.committed) }
                                    if let Some(step) = p.commit_step {
                                        <button type="button" class="link why" data-seek={step.to_string()}
                                            data-ring={p.commit_nodes.iter().map(|n| n.0.to_string()).collect::<Vec<_>>().join(" ")}
                                            aria-label={format!("why? {} committed {}: go to step {step}, its OffsetCommit", p.name, p.committed)}>{ "why?" }</button>
                                    }
                                </td>
                                <td>{ num(p.position) }</td>
                                <td>{ format!("{} / {}", num(p.leo), num(p.hw)) }</td>
                                <td class="lag">{ num(p.lag) }{ sparkline(&p.chart, format!("lag of {} over the recent steps", p.name)) }</td>
                            </tr>
                        }) }
                        </tbody>
                    </table>
                </section>
            }) }
        </>
    }
}
