//! The side panels: tables and logs about the world at the current step, one tab each. The
//! open panel's data is built here (only for the open panel, and only when the step or the
//! panel's settings change) and rendered by that panel's function.

use yew::prelude::*;

use crate::sim::NodeId;
use crate::view::events::EventFilter;
use crate::view::protocols::panel_body;
use crate::view::state::Action;
use crate::view::{Panel, PanelBody};

use super::events_panel::events_panel;
use super::groups_panel::groups_panel;
use super::invariants_panel::invariants_panel;
use super::log_panel::LogPanel;
use super::metrics_panel::metrics_panel;
use super::panel_tabs::{panel_tabs, TABPANEL_ID};
use super::partitions_panel::PartitionsPanel;
use super::producers_panel::producers_panel;
use super::sessions_panel::sessions_panel;
use super::sim_provider::{use_sim, SimHandle};
use super::view_state::{use_view, ViewHandle};
use super::zab_panel::zab_panel;
use super::znodes_panel::znodes_panel;

/// The complementary region beside (or, on narrow screens, below) the cluster view.
#[component]
pub fn Panels() -> Html {
    let sim = use_sim();
    let view = use_view();
    let panels = sim.frame.scene.panels.clone();
    // A panel this scenario does not have (from a link to another scenario): its first.
    let panel = if panels.contains(&view.0.panel) || panels.is_empty() {
        view.0.panel
    } else {
        panels[0]
    };
    let on_select = {
        let view = view.clone();
        Callback::from(move |p: Panel| view.dispatch(Action::SetPanel(p)))
    };
    let body = {
        let deps = (sim.version, panel, view.0.filter, view.0.tree_server);
        let (sim, view) = (sim.clone(), view.clone());
        use_memo(deps, move |(_, panel, filter, tree)| {
            body(&sim, &view, *panel, filter, *tree)
        })
    };
    html! {
        <aside id="panels" class="region panels" data-region="panels" aria-label="Panels">
            { panel_tabs(&panels, panel, &on_select, sim.frame.scene.violations) }
            <div id={TABPANEL_ID} class="panel-body" role="tabpanel"
                aria-labelledby={panel.tab_id()} data-panel={panel.slug()} tabindex="0">
                { (*body).clone() }
            </div>
        </aside>
    }
}

fn body(
    sim: &SimHandle,
    view: &ViewHandle,
    panel: Panel,
    filter: &EventFilter,
    tree: Option<NodeId>,
) -> Html {
    let built = sim.with_run(|run| panel_body(run, &sim.frame, panel, *filter, tree));
    match built {
        PanelBody::Znodes(t) => znodes_panel(&t, view),
        PanelBody::ZabLog(t) => zab_panel(&t),
        PanelBody::Sessions(t) => sessions_panel(&t, sim),
        PanelBody::Events {
            rows,
            nodes,
            filter,
        } => events_panel(&rows, &nodes, filter, view),
        PanelBody::Invariants(t) => invariants_panel(&t),
        PanelBody::Sequence(s) => super::sequence_panel::sequence_panel(&s, sim),
        PanelBody::Partitions(t) => html! { <PartitionsPanel table={std::rc::Rc::new(t)} /> },
        PanelBody::Log => html! { <LogPanel /> },
        PanelBody::Groups(t) => groups_panel(&t),
        PanelBody::Producers(t) => producers_panel(&t),
        PanelBody::Metrics(t) => metrics_panel(&t),
    }
}
