//! The root: the view-state reducer and the simulation provider around the page.

use yew::prelude::*;

use super::page::Page;
use super::sim_provider::SimProvider;
use super::view_state::{ViewHandle, ViewStore};

/// The whole app.
#[component]
pub fn App() -> Html {
    let view = use_reducer(ViewStore::default);
    html! {
        <ContextProvider<ViewHandle> context={view}>
            <SimProvider>
                <Page />
            </SimProvider>
        </ContextProvider<ViewHandle>>
    }
}
