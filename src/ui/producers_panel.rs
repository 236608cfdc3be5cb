//! The Producers panel: each producer's delivery settings, batches on the wire, errors, and
//! its writes: acknowledged, given up, and acknowledged but lost.

use yew::prelude::*;

use crate::view::protocols::ProducersTable;

/// The producers.
pub fn producers_panel(t: &ProducersTable) -> Html {
    html! {
        <>
            <h2 class="panel-title">{ "Producers" }</h2>
            if t.producers.is_empty() {
                <p class="placeholder">{ "This scenario has no producer." }</p>
            }
            { for t.producers.iter().map(|p| html! {
                <section key={p.name.clone()} class={classes!("kproducer", (!p.up).then_some("gone"))}
                    data-producer={p.name.clone()} data-acked={p.acked.to_string()} data-lost={p.lost.to_string()}>
                    <h3><span>{ &p.name }</span><span class="muted">{ format!(" → {}", p.topic) }</span>
                        if !p.up { <span class="badge">{ "down" }</span> }</h3>
                    <p class="gmeta">
                        <span>{ format!("acks={}", p.acks) }</span>
                        <span>{ format!("idempotence {}", p.idempotence) }</span>
                        <span>{ format!("retries {}", p.retries) }</span>
                        <span>{ format!("max.in.flight {}", p.max_in_flight) }</span>
                    </p>
                    <dl class="pcounts">
                        <div><dt>{ "sent" }</dt><dd>{ p.sent }</dd></div>
                        <div><dt>{ "acknowledged" }</dt><dd>{ p.acked }</dd></div>
                        <div class={classes!((p.lost > 0).then_some("bad"))}><dt>{ "acknowledged, lost" }</dt><dd>{ p.lost }</dd></div>
                        <div><dt>{ "given up" }</dt><dd>{ p.failed }</dd></div>
                        <div><dt>{ "errors" }</dt><dd>{ p.errors }</dd></div>
                        <div><dt>{ "queued" }</dt><dd>{ p.queued }</dd></div>
                    </dl>
                    if !p.last_error.is_empty() {
                        <p class="perr">{ "last error: " }<span class="mono">{ &p.last_error }</span></p>
                    }
                    if p.in_flight.is_empty() {
                        <p class="muted">{ "No batch on the wire." }</p>
                    } else {
                        <table class="kparts kbatches">
                            <caption>{ "Batches on the wire" }</caption>
                            <thead><tr>
                                <th scope="col">{ "Partition" }</th><th scope="col">{ "To broker" }</th>
                                <th scope="col">{ "Base seq" }</th><th scope="col">{ "Records" }</th><th scope="col">{ "Attempts" }</th>
                            </tr></thead>
                            <tbody>
                            { for p.in_flight.iter().map(|b| html! {
                                <tr>
                                    <td>{ b.partition }</td><td>{ b.broker }</td>
                                    <td>{ if b.base_sequence < 0 { "–".to_string() } else { b.base_sequence.to_string() } }</td>
                                    <td>{ b.records }</td><td>{ b.attempts }</td>
                                </tr>
                            }) }
                            </tbody>
                        </table>
                    }
                    if !p.lost_writes.is_empty() {
                        <p class="plost">{ "Acknowledged but no longer in the leader's log: " }
                            { for p.lost_writes.iter().map(|l| html! {
                                <span class="mono">{ format!("{} (p{} @{}) ", l.value, l.partition, l.offset) }</span>
                            }) }
                        </p>
                    }
                </section>
            }) }
        </>
    }
}
