//! The root: the simulation provider (which also owns the view-state reducer) around the
//! page.

use yew::prelude::*;

use super::page::Page;
use super::sim_provider::SimProvider;

/// The whole app.
#[component]
pub fn App() -> Html {
    html! {
        <SimProvider>
            <Page />
        </SimProvider>
    }
}
