//! Choosing the run: scenario, seed (typed or fresh from the system's generator), ensemble
//! size and reset. Each change builds a new run from step 0.

use yew::prelude::*;

use crate::cluster::catalogue;
use crate::view::run::RunSpec;
use crate::view::state::Action;

use super::dom;
use super::sim_provider::SimHandle;
use super::view_state::ViewHandle;

/// Ensemble sizes offered.
pub const SIZES: [usize; 4] = [1, 3, 5, 7];

/// The picker's group of planted-bug scenarios, after the others.
const WHAT_IF_GROUP: &str = "What if… (a planted bug)";

/// Whether a scenario plants a protocol bug (they are named `whatif-…`).
fn is_what_if(name: &str) -> bool {
    name.starts_with("whatif-")
}

/// One scenario in the picker; its description is also its tooltip.
fn option(s: &crate::cluster::scenario::ScenarioInfo, current: &str) -> Html {
    html! {
        <option value={s.name} selected={s.name == current} title={s.description}>{ s.title }</option>
    }
}

/// The row of run settings in the header.
pub fn run_picker(sim: &SimHandle, view: &ViewHandle) -> Html {
    let spec = sim.spec();

    let rebuild = {
        let (sim, view) = (sim.clone(), view.clone());
        Callback::from(move |spec: RunSpec| {
            if let Err(e) = sim.rebuild(spec) {
                view.dispatch(Action::Notify(vec![format!(
                    "Could not build that run: {e}"
                )]));
            }
        })
    };
    let on_scenario = {
        let (rebuild, spec) = (rebuild.clone(), spec.clone());
        Callback::from(move |e: Event| {
            let v = e
                .target_unchecked_into::<web_sys::HtmlSelectElement>()
                .value();
            rebuild.emit(RunSpec {
                scenario: v,
                ..spec.clone()
            });
        })
    };
    // A typed seed is applied on Enter or when the field loses focus (whichever comes
    // first; the second sees an unchanged seed and does nothing).
    let commit_seed = {
        let (rebuild, spec, view) = (rebuild.clone(), spec.clone(), view.clone());
        Callback::from(move |input: web_sys::HtmlInputElement| {
            match input.value().trim().parse::<u64>() {
                Ok(seed) if seed == spec.seed => {}
                Ok(seed) => rebuild.emit(RunSpec {
                    seed,
                    ..spec.clone()
                }),
                Err(_) => {
                    input.set_value(&spec.seed.to_string());
                    view.dispatch(Action::Notify(vec![
                        "A seed is a whole number from 0 to 18446744073709551615.".into(),
                    ]));
                }
            }
        })
    };
    let on_seed = commit_seed.reform(|e: Event| e.target_unchecked_into());
    let on_seed_key = {
        let commit_seed = commit_seed.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" {
                commit_seed.emit(e.target_unchecked_into());
            }
        })
    };
    let on_new_seed = {
        let (rebuild, spec, view) = (rebuild.clone(), spec.clone(), view.clone());
        Callback::from(move |_: MouseEvent| match dom::random_seed() {
            Some(seed) => rebuild.emit(RunSpec {
                seed,
                ..spec.clone()
            }),
            None => view.dispatch(Action::Notify(vec![
                "This browser gave no random number; type a seed instead.".into(),
            ])),
        })
    };
    let on_size = {
        let (rebuild, spec) = (rebuild.clone(), spec.clone());
        Callback::from(move |e: Event| {
            let v = e
                .target_unchecked_into::<web_sys::HtmlSelectElement>()
                .value();
            rebuild.emit(RunSpec {
                servers: v.parse().ok(),
                ..spec.clone()
            });
        })
    };
    let on_reset = {
        let (rebuild, spec) = (rebuild.clone(), spec.clone());
        Callback::from(move |_: MouseEvent| rebuild.emit(spec.clone()))
    };
    let size_value = spec.servers.map_or(String::new(), |n| n.to_string());
    let on_copy = {
        let view = view.clone();
        Callback::from(move |_: MouseEvent| {
            let said = match dom::copy_page_link() {
                Some(_) => format!(
                    "Link copied; it opens this run at this step: {}",
                    dom::page_link()
                ),
                None => format!(
                    "Copy this link; it opens this run at this step: {}",
                    dom::page_link()
                ),
            };
            view.dispatch(Action::Notify(vec![said]));
        })
    };

    html! {
        <div class="run-picker" role="group" aria-label="Run settings">
            <label class="field">
                <span>{ "Scenario" }</span>
                <select id="scenario" aria-label="Scenario" aria-describedby="scenario-desc" onchange={on_scenario}>
                    { for catalogue().iter().filter(|s| !is_what_if(s.name)).map(|s| option(s, &spec.scenario)) }
                    <optgroup label={WHAT_IF_GROUP}>
                        { for catalogue().iter().filter(|s| is_what_if(s.name)).map(|s| option(s, &spec.scenario)) }
                    </optgroup>
                </select>
            </label>
            <label class="field">
                <span>{ "Servers" }</span>
                <select id="servers" onchange={on_size} aria-label="Ensemble size">
                    <option value="" selected={spec.servers.is_none()}>{ "default" }</option>
                    { for SIZES.iter().map(|n| html! {
                        <option value={n.to_string()} selected={size_value == n.to_string()}>{ n }</option>
                    }) }
                </select>
            </label>
            <label class="field">
                <span>{ "Seed" }</span>
                <input id="seed" type="text" inputmode="numeric" size="10" aria-label="Seed"
                    value={spec.seed.to_string()} onchange={on_seed} onkeydown={on_seed_key} />
            </label>
            <button type="button" class="btn" onclick={on_new_seed}>{ "New seed" }</button>
            <button type="button" class="btn" onclick={on_reset}
                title="Start this run again from step 0, without your inputs">{ "Reset" }</button>
            <button type="button" class="btn" id="copy-link" onclick={on_copy}
                title="Copy a link that opens this run at this step">{ "Copy link" }</button>
        </div>
    }
}
