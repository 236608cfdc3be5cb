//! The Groups panel: each consumer group's state, generation, leader and members with their
//! assignment, and per partition the committed offset (linked to the `OffsetCommit` that
//! set it), the position, the log end offset and high watermark, the lag and a lag chart.

use yew::prelude::*;

use crate::view::protocols::GroupsTable;

use super::sparkline::sparkline;

fn num(n: i64) -> String {
    if n < 0 {
        "–".to_string()
    } else {
        n.to_string()
    }
}

/// The groups.
pub fn groups_panel(t: &GroupsTable) -> Html {
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
