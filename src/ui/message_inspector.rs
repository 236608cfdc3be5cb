//! What a click on a message dot opens: the message's fields and what can be done to it on
//! the wire (drop it, or hold it there and release it later).

use yew::prelude::*;

use crate::sim::time::fmt_time;
use crate::sim::Input;
use crate::view::state::Action;
use crate::view::Dot;

use super::node_menu::{fork_warning, inject_forking};
use super::sim_provider::SimHandle;
use super::view_state::ViewHandle;

/// The message an inspector is about and where it goes.
pub struct InspectorArgs<'a> {
    pub dot: &'a Dot,
    pub src: String,
    pub dst: String,
    /// Where it goes in the stage (CSS `left` and `top` or `bottom`, in pixels).
    pub place: String,
}

/// The popover for one message. It opens with focus on "Close" (id `msg-close`; its parent
/// moves focus there), so a stray key press changes nothing; "Drop message" is styled `danger`.
pub fn message_inspector(props: &InspectorArgs<'_>, sim: &SimHandle, view: &ViewHandle) -> Html {
    let d = &props.dot;
    let later = sim.with_run(|r| r.later_inputs());
    let act = |input: Input<crate::cluster::Msg>, keep_open: bool| {
        let (sim, view) = (sim.clone(), view.clone());
        Callback::from(move |_: MouseEvent| {
            if !keep_open {
                view.dispatch(Action::InspectMessage(None));
            }
            inject_forking(&sim, &view, later, input.clone());
        })
    };
    let close = {
        let view = view.clone();
        Callback::from(move |_: MouseEvent| view.dispatch(Action::InspectMessage(None)))
    };
    let timing = if d.held {
        format!("sent at {}; held on the wire", fmt_time(d.sent_us))
    } else {
        format!(
            "sent at {}, arrives at {}",
            fmt_time(d.sent_us),
            fmt_time(d.deliver_us)
        )
    };
    html! {
        <div class="popover msg-inspector" role="dialog" aria-label={format!("Message #{}", d.id)}
            id="msg-inspector" style={props.place.clone()}>
            <p class="popover-title">
                <span class={classes!("chip", format!("cat-{}", d.category.name()))}>{ d.kind }</span>
                { format!(" #{} from {} to {}", d.id, props.src, props.dst) }
            </p>
            <p class="mono">{ &d.summary }</p>
            <p class="muted">{ format!("{} · {}", d.category.title, timing) }</p>
            { fork_warning(later) }
            <div class="popover-actions">
                <button type="button" class="btn quiet" id="msg-close" onclick={close}>{ "Close" }</button>
                if d.held {
                    <button type="button" class="btn" onclick={act(Input::Release(d.id), false)}>
                        { "Release message" }
                    </button>
                } else {
                    <button type="button" class="btn" onclick={act(Input::Hold(d.id), true)}>
                        { "Hold message" }
                    </button>
                }
                <button type="button" class="btn danger" onclick={act(Input::Drop(d.id), false)}>
                    { "Drop message" }
                </button>
            </div>
        </div>
    }
}
