//! The Events panel: the newest steps first, filterable by node and by category; a click on
//! a row goes to that step.

use yew::prelude::*;

use crate::sim::NodeId;
use crate::view::categories;
use crate::view::events::{EventFilter, EventRow};
use crate::view::state::Action;

use super::view_state::ViewHandle;

/// The event log.
pub fn events_panel(
    rows: &[EventRow],
    nodes: &[(NodeId, String)],
    f: EventFilter,
    view: &ViewHandle,
) -> Html {
    let view = view.clone();
    let on_node = {
        let view = view.clone();
        Callback::from(move |e: Event| {
            let v = e
                .target_unchecked_into::<web_sys::HtmlSelectElement>()
                .value();
            view.dispatch(Action::FilterNode(v.parse::<u32>().ok().map(NodeId)));
        })
    };
    let on_cat = {
        let view = view.clone();
        Callback::from(move |e: Event| {
            let v = e
                .target_unchecked_into::<web_sys::HtmlSelectElement>()
                .value();
            view.dispatch(Action::FilterCategory(categories::from_name(&v)));
        })
    };
    html! {
        <>
            <h2 class="panel-title">{ "Events" }</h2>
            <div class="panel-toolbar">
                <label class="field">
                    <span>{ "Node" }</span>
                    <select onchange={on_node} aria-label="Show events of node">
                        <option value="" selected={f.node.is_none()}>{ "all" }</option>
                        { for nodes.iter().map(|(id, l)| html! {
                            <option value={id.0.to_string()} selected={f.node == Some(*id)}>{ l }</option>
                        }) }
                    </select>
                </label>
                <label class="field">
                    <span>{ "Kind" }</span>
                    <select onchange={on_cat} aria-label="Show events of kind">
                        <option value="" selected={f.category.is_none()}>{ "all" }</option>
                        { for categories::all().into_iter().map(|c| html! {
                            <option value={c.name()} selected={f.category == Some(c)}>{ c.name() }</option>
                        }) }
                    </select>
                </label>
            </div>
            if rows.is_empty() {
                <p class="placeholder">{ "No events yet (or none match the filters)." }</p>
            } else {
                <ol class="events" aria-label="Events, newest first">
                    { for rows.iter().map(|r| {
                        let class = classes!("event", r.current.then_some("current"), r.violation.then_some("violation"));
                        html! {
                            <li key={r.step} {class}>
                                <button type="button" class="event-row" data-seek={r.step.to_string()}
                                    aria-current={r.current.then_some("step")}>
                                    <span class="ev-step mono">{ format!("#{}", r.step) }</span>
                                    <span class="ev-time mono">{ &r.time }</span>
                                    if let Some(c) = r.category {
                                        <svg class={classes!("ev-cat", format!("cat-{}", c.name()))} viewBox="-9 -9 18 18" aria-hidden="true" focusable="false">
                                            <path class="shape" d={c.shape} />
                                        </svg>
                                    }
                                    <span class="ev-text">{ &r.text }</span>
                                </button>
                            </li>
                        }
                    }) }
                </ol>
            }
        </>
    }
}
