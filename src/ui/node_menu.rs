//! The menu a click on a node opens: crash or restart it, cut it off from everyone else, or
//! (for a client) expire its session. Every action is an input to the timeline, so it can be
//! stepped back over and is recorded in the URL.

use yew::prelude::*;

use crate::cluster::Msg;
use crate::sim::{Input, NodeId};
use crate::view::layout::num;
use crate::view::state::Action;
use crate::view::{NodeCard, NodeKind};
use crate::zk::msg::Control;
use crate::zk::{self, SessionId};

use super::sim_provider::SimHandle;
use super::view_state::ViewHandle;

/// What a node menu is about and where it goes.
pub struct NodeMenuArgs<'a> {
    pub card: &'a NodeCard,
    /// Every node id (to cut this one off from the rest).
    pub all: Vec<NodeId>,
    /// The leader, which an expiry is delivered to.
    pub leader: Option<NodeId>,
    /// The client's session, if it has one.
    pub session: Option<SessionId>,
    /// Position in the stage, in CSS pixels.
    pub left: f64,
    pub top: f64,
}

/// The inputs a node's menu offers, as (button text, style, input).
pub fn menu_actions(p: &NodeMenuArgs<'_>) -> Vec<(String, &'static str, Input<Msg>)> {
    let c = &p.card;
    let mut out = Vec::new();
    if c.kind == NodeKind::Client {
        if let (Some(s), Some(leader), true) = (p.session, p.leader, c.up) {
            out.push((
                format!("Expire {}'s session", c.label),
                "danger",
                Input::Deliver(leader, Msg::Zk(zk::Msg::Control(Control::ExpireSession(s)))),
            ));
        }
    }
    if c.up {
        out.push((format!("Crash {}", c.label), "danger", Input::Crash(c.id)));
        let others: Vec<NodeId> = p.all.iter().copied().filter(|n| *n != c.id).collect();
        if !others.is_empty() {
            out.push((
                format!("Cut {} off the network", c.label),
                "",
                Input::Partition(vec![vec![c.id], others]),
            ));
        }
    } else {
        out.push((
            format!("Restart {}", c.label),
            "primary",
            Input::Restart(c.id),
        ));
    }
    out
}

/// The popover menu of one node. (Its parent moves focus to the first item, id
/// `menu-<label>-0`, when it opens.)
pub fn node_menu(props: &NodeMenuArgs<'_>, sim: &SimHandle, view: &ViewHandle) -> Html {
    let c = &props.card;
    let menu_id = format!("menu-{}", c.label);
    let close = {
        let view = view.clone();
        Callback::from(move |_: MouseEvent| view.dispatch(Action::CloseMenu))
    };
    let no_leader = c.kind == NodeKind::Client && props.session.is_some() && props.leader.is_none();
    let items = menu_actions(props)
        .into_iter()
        .enumerate()
        .map(|(i, (text, style, input))| {
            let (sim, view) = (sim.clone(), view.clone());
            let onclick = Callback::from(move |_: MouseEvent| {
                view.dispatch(Action::CloseMenu);
                sim.inject(input.clone());
            });
            html! {
                <button type="button" role="menuitem" id={format!("{menu_id}-{i}")}
                    class={classes!("btn", (!style.is_empty()).then_some(style))} {onclick}>
                    { text }
                </button>
            }
        });
    html! {
        <div class="popover node-menu" role="menu" id={menu_id.clone()}
            aria-label={format!("Actions for {}", c.label)}
            style={format!("left:{}px;top:{}px", num(props.left), num(props.top))}>
            <p class="popover-title">{ &c.description }</p>
            { for items }
            if no_leader {
                <p class="menu-note">{ "There is no leader now, so no one can expire its session." }</p>
            }
            <button type="button" role="menuitem" class="btn quiet" onclick={close}
                id={format!("{menu_id}-close")}>
                { "Close menu" }
            </button>
        </div>
    }
}
