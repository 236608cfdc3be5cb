//! The menu a click on a node opens: the items the view model offers for it (crash, restart,
//! cut off, and whatever its protocol adds, such as expiring a client's session). Every item
//! is an input to the timeline, so it can be stepped back over and is recorded in the URL.

use yew::prelude::*;

use crate::cluster::Msg;
use crate::sim::Input;
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
    /// Where it goes in the stage (CSS `left` and `top` or `bottom`, in pixels).
    pub place: String,
}

/// The popover menu of one node. It opens with focus on its harmless first item, "Close menu"
/// (id `menu-<label>-close`; its parent moves focus there), so a stray Space or Enter
/// changes nothing; destructive items are styled `danger`.
pub fn node_menu(props: NodeMenuArgs<'_>, sim: &SimHandle, view: &ViewHandle) -> Html {
    let c = props.card;
    let menu_id = format!("menu-{}", c.label);
    let close = {
        let view = view.clone();
        Callback::from(move |_: MouseEvent| view.dispatch(Action::CloseMenu))
    };
    let later = sim.with_run(|r| r.later_inputs());
    let items = props.actions.into_iter().enumerate().map(|(i, a)| {
        let (sim, view) = (sim.clone(), view.clone());
        let input = a.input;
        let onclick = Callback::from(move |_: MouseEvent| {
            view.dispatch(Action::CloseMenu);
            inject_forking(&sim, &view, later, input.clone());
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
            style={props.place.clone()}>
            <p class="popover-title">{ &c.description }</p>
            <button type="button" role="menuitem" class="btn quiet" onclick={close}
                id={format!("{menu_id}-close")}>
                { "Close menu" }
            </button>
            { fork_warning(later) }
            { for items }
            if let Some(note) = props.note {
                <p class="menu-note">{ note }</p>
            }
        </div>
    }
}

/// Gives `input` now; if that discards `later` inputs, says so and how to get them back.
pub fn inject_forking(sim: &SimHandle, view: &ViewHandle, later: usize, input: Input<Msg>) {
    sim.inject(input);
    if later > 0 {
        view.dispatch(Action::Notify(vec![format!(
            "{} later input{} discarded: Undo (Ctrl+Z) brings {} back.",
            later,
            if later == 1 { " was" } else { "s were" },
            if later == 1 { "it" } else { "them" }
        )]));
    }
}

/// The warning shown before an action that would discard `later` inputs.
pub fn fork_warning(later: usize) -> Html {
    if later == 0 {
        return Html::default();
    }
    html! {
        <p class="menu-note fork-note" role="note">
            { format!("Acting at this earlier step discards the {later} later input{} (Undo brings {} back).",
                if later == 1 { "" } else { "s" }, if later == 1 { "it" } else { "them" }) }
        </p>
    }
}
