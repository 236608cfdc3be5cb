//! Time controls (issue 12): the "Skip quiet time" switch, the "Run to …" buttons with what
//! the last search found (its cause highlighted in the drawing), and the breaks the timeline
//! shows where quiet time was compressed.

use yew::prelude::*;

use crate::view::quiet::labelled_breaks;
use crate::view::scene::BreakView;
use crate::view::state::Action;
use crate::view::targets;

use super::sim_provider::SimHandle;
use super::view_state::ViewHandle;

/// The switch, the buttons and the search result.
pub fn time_controls(sim: &SimHandle, view: &ViewHandle) -> Html {
    let skip = view.0.skip_quiet;
    let toggle = {
        let view = view.clone();
        Callback::from(move |_: Event| view.dispatch(Action::ToggleSkipQuiet))
    };
    let found = view.0.found.as_ref();
    // The cause stays highlighted while the cursor is on the step the search stopped at.
    let cause = found
        .filter(|f| f.hit && f.step == sim.cursor())
        .and_then(|f| f.node);
    html! {
        <div class="time-controls">
            <label class="skip-quiet" title="Jump over stretches where only timers and heartbeats are pending">
                <input type="checkbox" id="skip-quiet" checked={skip} onchange={toggle}
                    aria-keyshortcuts="s" />
                { "Skip quiet time" }
            </label>
            <div class="run-to" role="group" aria-label="Run to">
                <span aria-hidden="true">{ "Run to" }</span>
                { for targets::all().into_iter().map(|t| {
                    let sim = sim.clone();
                    let onclick = Callback::from(move |_: MouseEvent| sim.run_to(t.slug));
                    html! {
                        <button type="button" class="btn run-to-btn" data-target={t.slug}
                            {onclick} aria-keyshortcuts={t.key.unwrap_or_default()}>
                            { t.label }
                        </button>
                    }
                }) }
            </div>
            if let Some(f) = found {
                <p id="run-to-result" class={classes!("run-to-result", (!f.hit).then_some("missed"))}
                    role="status" data-step={f.step.to_string()}>{ &f.text }</p>
            }
            if let Some(id) = cause {
                <style>{ format!(".node[data-node-id=\"{}\"] .ring{{stroke:var(--cause);stroke-width:4;opacity:1}}", id.0) }</style>
            }
        </div>
    }
}

/// Break symbols over the scrubber of steps `floor..=len`, each with the skipped time.
pub fn timeline_breaks(breaks: &[BreakView], floor: u64, len: u64) -> Html {
    let span = len.saturating_sub(floor).max(1);
    let shown: Vec<(&BreakView, u64)> = breaks
        .iter()
        .filter(|b| b.step >= floor)
        .map(|b| (b, (b.step - floor).min(span) * 1000 / span))
        .collect();
    let labelled = labelled_breaks(&shown.iter().map(|(_, p)| *p).collect::<Vec<_>>());
    html! {
        <div class="timeline-breaks" aria-label="Compressed quiet time" role="group">
            { for shown.iter().zip(labelled).map(|((b, pct), label)| {
                html! {
                    <button type="button" key={b.step} class="tl-break" tabindex="-1"
                        style={format!("left:{}.{}%", pct / 10, pct % 10)} data-seek={b.step.to_string()}
                        aria-label={format!("step {}: {}", b.step, b.text)} title={b.text.clone()}>
                        <span aria-hidden="true">{ "≈" }</span>
                        if label {
                            <span class="tl-label">{ &b.label }</span>
                        }
                    </button>
                }
            }) }
        </div>
    }
}
