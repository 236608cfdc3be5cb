//! The Metrics panel: the figures Kafka and ZooKeeper operators watch, each with its value,
//! its change at this step, a sparkline over the recent steps and a link to the step that
//! last changed it.

use yew::prelude::*;

use crate::view::protocols::MetricsTable;

use super::sparkline::sparkline;

/// The metrics table.
pub fn metrics_panel(t: &MetricsTable) -> Html {
    html! {
        <>
            <h2 class="panel-title">{ "Metrics" }</h2>
            <p class="muted kintro">{ "As the brokers and ZooKeeper report them at this step. Meters (…PerSec) are each running broker's count since it started, summed: a broker that stops takes its counts with it." }</p>
            <table class="kmetrics">
                <thead><tr>
                    <th scope="col">{ "Metric" }</th><th scope="col">{ "Value" }</th>
                    <th scope="col">{ "Δ" }</th><th scope="col">{ "Recent" }</th>
                </tr></thead>
                <tbody>
                { for t.rows.iter().map(|r| html! {
                    <tr key={r.def.name} data-metric={r.def.name} data-value={r.value.clone()}
                        class={classes!((r.delta != 0).then_some("changed"))}>
                        <th scope="row" title={r.def.help}>
                            <span class="mono">{ r.def.name }</span>
                            <span class="msrc">{ r.def.source }
                                if let Some(step) = r.changed {
                                    { " · " }<button type="button" class="link" data-seek={step.to_string()}
                                        aria-label={format!("{} changed at step {step}: go there", r.def.name)}>{ format!("changed at step {step}") }</button>
                                }
                            </span>
                        </th>
                        <td class="mval">{ &r.value }</td>
                        <td class="mdelta">{ match r.delta { 0 => String::new(), d if d > 0 => format!("+{d}"), d => d.to_string() } }</td>
                        <td>{ sparkline(&r.spark, format!("{} over the recent steps", r.def.name)) }</td>
                    </tr>
                }) }
                </tbody>
            </table>
        </>
    }
}
