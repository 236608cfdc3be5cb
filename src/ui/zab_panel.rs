//! The Zab log panel: each server's epochs and how it was last synced, then one row per
//! transaction with a cell per server — committed, only logged, or missing — and the
//! leader's ACK count (voters only; observer columns are marked).

use yew::prelude::*;

use crate::view::protocols::{Cell, ZabTable};

/// The log table.
pub fn zab_panel(t: &ZabTable) -> Html {
    html! {
        <>
            <h2 class="panel-title">{ "Zab log" }</h2>
            if t.columns.is_empty() {
                <p class="placeholder">{ "This scenario has no ZooKeeper servers." }</p>
            } else {
                <ul class="zab-servers">
                    { for t.columns.iter().map(|c| html! {
                        <li key={c.label.clone()} class={classes!(format!("role-{}", c.role.as_str()), c.observer.then_some("observer"))}>
                            <strong>{ &c.label }</strong>
                            if c.observer { <span class="zab-observer">{ " (observer, no vote)" }</span> }
                            { format!(" {} · epoch {} (accepted {}) · logged {} · committed {}",
                                c.role.title(), c.current_epoch, c.accepted_epoch, c.last_logged, c.last_committed) }
                            if let Some(s) = &c.last_sync { <span class="muted">{ format!(" · synced by {s}") }</span> }
                        </li>
                    }) }
                </ul>
                <p class="muted legend-line">
                    <span class="cell committed">{ "●" }</span>{ " committed  " }
                    <span class="cell logged">{ "◐" }</span>{ " logged, not committed  " }
                    <span class="cell absent">{ "·" }</span>{ " not in its log" }
                </p>
                if t.rows.is_empty() {
                    <p class="placeholder">{ "No transactions yet: the log fills when clients write (or sessions open)." }</p>
                } else {
                    <table class="zab">
                        <thead>
                            <tr>
                                <th scope="col">{ "zxid" }</th>
                                <th scope="col">{ "txn" }</th>
                                { for t.columns.iter().map(|c| if c.observer {
                                    html! { <th scope="col" key={c.label.clone()} class="zab-observer" data-observer="true"
                                        title={format!("{} is an observer: it never ACKs and is in no quorum", c.label)}>{ format!("{} obs", c.label) }</th> }
                                } else {
                                    html! { <th scope="col" key={c.label.clone()}>{ &c.label }</th> }
                                }) }
                                <th scope="col" title="ACKs of voting servers at the leader / quorum">{ "acks" }</th>
                            </tr>
                        </thead>
                        <tbody>
                            { for t.rows.iter().map(|r| {
                                let zxid = match r.commit_step {
                                    Some(step) => {
                                        html! { <button type="button" class="link mono" data-seek={step.to_string()}
                                            title={format!("Committed at step {step}: go there")}>{ &r.zxid_text }</button> }
                                    }
                                    None => html! { <span class="mono">{ &r.zxid_text }</span> },
                                };
                                html! {
                                    <tr key={r.zxid}>
                                        <td>{ zxid }</td>
                                        <td class="txn">{ &r.summary }</td>
                                        { for r.cells.iter().zip(&t.columns).map(|(cell, col)| {
                                            let (sym, words) = match cell {
                                                Cell::Committed => ("●", "committed"),
                                                Cell::Logged => ("◐", "logged, not committed"),
                                                Cell::Absent => ("·", "not in its log"),
                                            };
                                            html! { <td class={classes!("cell", cell.as_str())} title={format!("{}: {words}", col.label)}
                                                aria-label={format!("{}: {words}", col.label)}>{ sym }</td> }
                                        }) }
                                        <td>{ r.acks.map(|(a, q)| format!("{a}/{q}{}", if a >= q { " ✓" } else { "" })).unwrap_or_default() }</td>
                                    </tr>
                                }
                            }) }
                        </tbody>
                    </table>
                }
            }
        </>
    }
}
