//! The Sessions panel: each session, its owner and server, its timeout and when the leader
//! will expire it, its ephemeral znodes, and a button to expire it now.

use yew::prelude::*;

use crate::view::protocols::SessionTable;

use super::sim_provider::SimHandle;

/// The sessions list.
pub fn sessions_panel(t: &SessionTable, sim: &SimHandle) -> Html {
    let sim = sim.clone();
    html! {
        <>
            <h2 class="panel-title">{ "Sessions" }</h2>
            if t.rows.is_empty() {
                <p class="placeholder">{ "No sessions: this scenario has no ZooKeeper clients, or none has connected yet." }</p>
            } else {
                <ul class="sessions">
                    { for t.rows.iter().map(|r| {
                        let expire = match (&r.expire, r.live) {
                            (Some(input), true) => {
                                let sim = sim.clone();
                                let input = input.clone();
                                let onclick = Callback::from(move |_: MouseEvent| sim.inject(input.clone()));
                                html! { <button type="button" class="btn danger small" {onclick}>
                                    { format!("Expire session of {}", r.owner_label) }</button> }
                            }
                            (None, true) => html! { <span class="muted">{ "no leader to expire it" }</span> },
                            _ => html! {},
                        };
                        html! {
                            <li key={format!("{}-{}", r.owner_label, r.session)} class={classes!("session", (!r.live).then_some("gone"))}
                                data-session={r.session_text.clone()} data-client={r.owner_label.clone()}>
                                <div class="session-line">
                                    <strong>{ &r.owner_label }</strong>
                                    <span class="mono">{ &r.session_text }</span>
                                    <span class="badge">{ r.client_state }</span>
                                    if let Some(s) = &r.server { <span>{ format!("via {s}") }</span> }
                                </div>
                                <div class="session-meta">
                                    if let Some(ms) = r.timeout_ms { <span>{ format!("timeout {ms} ms") }</span> }
                                    if let Some(ms) = r.expires_in_ms { <span>{ format!("expires in {ms} ms unless it pings") }</span> }
                                    if !r.live && r.session != 0 { <span>{ "not in the session table (expired or closed)" }</span> }
                                    if !r.ephemerals.is_empty() {
                                        <span>{ format!("ephemerals: {}", r.ephemerals.join(", ")) }</span>
                                    }
                                </div>
                                { expire }
                            </li>
                        }
                    }) }
                </ul>
            }
        </>
    }
}
