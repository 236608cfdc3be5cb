//! The menu a click on a node opens: the items the view model offers for it (crash, restart,
//! cut off, and whatever its protocol adds, such as expiring a client's session). Every item
//! is an input to the timeline, so it can be stepped back over and is recorded in the URL.

use yew::prelude::*;

use crate::view::layout::num;
use crate::view::protocols::NodeAction;
use crate::view::state::Action;
use crate::view::NodeCard;

use super::sim_provider::SimHandle;
use super::view_state::ViewHandle;

/// What a node menu is about and where it goes.
pub struct NodeMenuArgs<'a> {
    pub card: &'a NodeCard,
    /// The items, in order.
    pub actions: Vec<NodeAction>,
    /// Why something is not offered now, if anything.
    pub note: Option<String>,
    /// Position in the stage, in CSS pixels.
    pub left: f64,
    pub top: f64,
}

/// The popover menu of one node. (Its parent moves focus to the first item, id
/// `menu-<label>-0`, when it opens.)
pub fn node_menu(props: NodeMenuArgs<'_>, sim: &SimHandle, view: &ViewHandle) -> Html {
    let c = props.card;
    let menu_id = format!("menu-{}", c.label);
    let close = {
        let view = view.clone();
        Callback::from(move |_: MouseEvent| view.dispatch(Action::CloseMenu))
    };
    let items = props.actions.into_iter().enumerate().map(|(i, a)| {
        let (sim, view) = (sim.clone(), view.clone());
        let input = a.input;
        let onclick = Callback::from(move |_: MouseEvent| {
            view.dispatch(Action::CloseMenu);
            sim.inject(input.clone());
        });
        html! {
            <button type="button" role="menuitem" id={format!("{menu_id}-{i}")}
                class={classes!("btn", (!a.style.is_empty()).then_some(a.style))} {onclick}>
                { a.label }
            </button>
        }
    });
    html! {
        <div class="popover node-menu" role="menu" id={menu_id.clone()}
            aria-label={format!("Actions for {}", c.label)}
            style={format!("left:{}px;top:{}px", num(props.left), num(props.top))}>
            <p class="popover-title">{ &c.description }</p>
            { for items }
            if let Some(note) = props.note {
                <p class="menu-note">{ note }</p>
            }
            <button type="button" role="menuitem" class="btn quiet" onclick={close}
                id={format!("{menu_id}-close")}>
                { "Close menu" }
            </button>
        </div>
    }
}
