//! The page layout: which region goes where. Each region is its own component.

use yew::prelude::*;

use super::cluster_view::ClusterView;
use super::controls::Controls;
use super::header::Header;
use super::panels::Panels;

/// The whole app. Regions appear in reading order (header, cluster view, timeline and
/// controls, panels); the stylesheet places them side by side on wide screens.
#[component]
pub fn App() -> Html {
    html! {
        <div class="app" id="zooscope">
            <Header />
            <ClusterView />
            <Controls />
            <Panels />
        </div>
    }
}
