//! The Invariants panel: every property checked after each step, whether it has held, and
//! each violation with a button to go to its step.

use yew::prelude::*;

use crate::view::invariants::InvariantTable;

/// The checkers and their findings.
pub fn invariants_panel(t: &InvariantTable) -> Html {
    html! {
        <>
            <h2 class="panel-title">{ "Invariants" }</h2>
            <p class="muted">{ "Checked after every step by observers outside the servers." }</p>
            <ul class="invariants">
                { for t.checkers.iter().map(|c| html! {
                    <li key={c.name} class={classes!("invariant", (c.violations > 0).then_some("violated"))}>
                        <span class="inv-status" aria-hidden="true">{ if c.violations > 0 { "✗" } else { "✓" } }</span>
                        <div>
                            <strong class="mono">{ c.name }</strong>
                            <span class="badge">{ c.kind }</span>
                            <p>{ c.description }</p>
                            <p class="inv-result">{
                                if c.violations > 0 { format!("violated {} time(s) so far", c.violations) }
                                else { "holds so far".to_string() }
                            }</p>
                        </div>
                    </li>
                }) }
            </ul>
            if !t.violations.is_empty() {
                <h3>{ "Violations" }</h3>
                <ul class="violations">
                    { for t.violations.iter().enumerate().map(|(i, v)| {
                        html! {
                            <li key={i}>
                                <button type="button" class="link" data-seek={v.step.to_string()}>{ format!("Go to step {}", v.step) }</button>
                                <span class="mono">{ format!(" {} ", v.checker) }</span>
                                <span>{ &v.message }</span>
                            </li>
                        }
                    }) }
                </ul>
            }
        </>
    }
}
