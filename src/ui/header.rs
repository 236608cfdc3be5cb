//! The page header: name, mark, a one-line explanation, the run picker and help.

use yew::prelude::*;

use crate::view::state::Action;

use super::mark::mark;
use super::run_picker::run_picker;
use super::sim_provider::SimHandle;
use super::view_state::ViewHandle;

/// What zooscope is, in one sentence a newcomer can read before touching anything.
pub const TAGLINE: &str = "Kafka brokers and a ZooKeeper ensemble running in your browser: \
    watch them elect, replicate and survive failures, one step at a time.";

/// The banner at the top of the page.
pub fn header(sim: &SimHandle, view: &ViewHandle) -> Html {
    let picker = run_picker(sim, view);
    // The scenario's description as text (not only a tooltip: phones have no hover).
    let scenario = sim.spec().scenario;
    let description = crate::cluster::catalogue()
        .iter()
        .find(|s| s.name == scenario)
        .map(|s| s.description);
    let view = view.clone();
    let help = Callback::from(move |_: MouseEvent| view.dispatch(Action::ToggleHelp));
    html! {
        <header class="app-header" id="header" data-region="header">
            <div class="brand-row">
                <h1 class="brand">
                    { mark() }
                    <span>{ "zooscope" }</span>
                </h1>
                <p class="tagline">{ TAGLINE }</p>
            </div>
            <div class="header-tools">
                { picker }
                <button type="button" class="btn" onclick={help} aria-keyshortcuts="?">
                    { "Help" }
                </button>
            </div>
            <div class="scenario-desc" id="scenario-desc">{ description }</div>
        </header>
    }
}
