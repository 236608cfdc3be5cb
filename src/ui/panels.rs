//! The side panels: tables and logs about the world at the current step, one tab each. The
//! open panel's data is built here (only for the open panel, and only when the step or the
//! panel's settings change) and rendered by that panel's function.

use yew::prelude::*;

use crate::sim::NodeId;
use crate::view::events::{event_rows, EventFilter};
use crate::view::invariants::invariant_table;
use crate::view::sessions::session_table;
use crate::view::state::Action;
use crate::view::zablog::zab_table;
use crate::view::znodes::znode_table;
use crate::view::Panel;

use super::events_panel::events_panel;
use super::invariants_panel::invariants_panel;
use super::panel_tabs::{panel_tabs, TABPANEL_ID};
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
    let panel = view.0.panel;
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
            { panel_tabs(panel, &on_select, sim.frame.scene.violations) }
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
    let f = &sim.frame;
    sim.with_run(|run| {
        let tl = run.timeline();
        let world = &tl.current().world;
        let history = run.history();
        match panel {
            Panel::Znodes => {
                let table = znode_table(world, &f.names, &f.summaries, history, tl.cursor(), tree);
                znodes_panel(&table, view)
            }
            Panel::ZabLog => {
                let table = zab_table(&f.summaries, &f.names, history, &|id| {
                    world.is_up(id) || !world.has_started(id)
                });
                zab_panel(&table)
            }
            Panel::Sessions => sessions_panel(&session_table(world, &f.names, &f.summaries), sim),
            Panel::Events => {
                let record = |n| tl.record(n);
                let rows = event_rows(&record, tl.floor(), tl.cursor(), filter, &f.names, history);
                let nodes: Vec<(NodeId, String)> = f
                    .names
                    .ids()
                    .map(|id| (id, f.names.label(id).to_string()))
                    .collect();
                events_panel(&rows, &nodes, *filter, view)
            }
            Panel::Invariants => {
                invariants_panel(&invariant_table(tl.current(), history, tl.cursor()))
            }
        }
    })
}
