//! Partition mode: the person clicks nodes to move them into group B, then applies the cut
//! (every link between the groups fails) or cancels.

use yew::prelude::*;

use crate::sim::{Input, NodeId};
use crate::view::state::Action;

use super::sim_provider::SimHandle;
use super::view_state::ViewHandle;

/// The bar shown above the drawing in partition mode.
pub fn partition_bar(sim: &SimHandle, view: &ViewHandle) -> Html {
    let Some(draft) = view.0.partition.clone() else {
        return html! {};
    };
    let names = &sim.frame.names;
    // Group A: every server not moved to B. Clients join a group only when clicked (in
    // no group, a client keeps its links to both sides).
    let b: Vec<NodeId> = names
        .ids()
        .filter(|id| draft.group_b.contains(id))
        .collect();
    let a: Vec<NodeId> = names
        .ids()
        .filter(|id| names.is_server_like(*id) && !draft.group_b.contains(id))
        .collect();
    let labels = |g: &[NodeId]| {
        if g.is_empty() {
            "—".to_string()
        } else {
            g.iter()
                .map(|id| names.label(*id))
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    let ready = !a.is_empty() && !b.is_empty();
    let apply = {
        let (sim, view, a, b) = (sim.clone(), view.clone(), a.clone(), b.clone());
        Callback::from(move |_: MouseEvent| {
            view.dispatch(Action::CancelPartition);
            sim.inject(Input::Partition(vec![a.clone(), b.clone()]));
        })
    };
    let cancel = {
        let view = view.clone();
        Callback::from(move |_: MouseEvent| view.dispatch(Action::CancelPartition))
    };
    html! {
        <div class="partition-bar" role="group" aria-label="Partition">
            <p>
                <strong>{ "Partition: " }</strong>
                { "click nodes to move them into group B. Links between the groups will be cut." }
            </p>
            <p class="groups">
                <span class="group-a-chip">{ format!("Group A: {}", labels(&a)) }</span>
                <span class="group-b-chip">{ format!("Group B: {}", labels(&b)) }</span>
            </p>
            <button type="button" class="btn primary" disabled={!ready} onclick={apply}>{ "Apply partition" }</button>
            <button type="button" class="btn quiet" onclick={cancel}>{ "Cancel" }</button>
        </div>
    }
}
