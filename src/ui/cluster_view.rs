//! The cluster view: the drawing of servers, clients and the messages between them.
//!
//! For now an empty, responsive SVG canvas with a dashed guide where the ensemble will be
//! laid out, and a note saying so.

use yew::prelude::*;

/// Size of the drawing's coordinate system; the SVG scales to fit its box.
const VIEW_BOX: &str = "0 0 800 520";

/// The main region of the page.
#[component]
pub fn ClusterView() -> Html {
    html! {
        <main id="cluster" class="region cluster" data-region="cluster"
            aria-label="Cluster view">
            <svg class="cluster-svg" viewBox={VIEW_BOX} preserveAspectRatio="xMidYMid meet"
                role="img" aria-label="Cluster diagram, empty until the simulation runs">
                <circle class="cluster-guide" cx="400" cy="260" r="220" />
            </svg>
            <p class="placeholder cluster-placeholder">
                { "The ensemble — servers, clients and the messages between them — appears \
                   here when the simulation runs." }
            </p>
        </main>
    }
}
