//! The Sequence panel: one lane per node, the newest messages as arrows between lanes, time
//! flowing downward, the cursor's step at the bottom. The drawing is the view's SVG markup
//! shown as is (`view::sequence::Drawing::svg`); each arrow in it is a focusable button whose
//! `data-seek` the page's one click listener serves, and Enter or space on it seeks too
//! (focus comes back to the same arrow after the drawing is redrawn). A checkbox keeps only
//! the lanes of nodes the arrows touch.

use std::rc::Rc;

use yew::prelude::*;

use crate::view::sequence::Sequence;

use super::dom;
use super::sim_provider::use_sim;

#[derive(Properties, PartialEq)]
pub struct SequenceProps {
    pub seq: Rc<Sequence>,
}

/// The diagram at the cursor.
#[component]
pub fn SequencePanel(props: &SequenceProps) -> Html {
    let sim = use_sim();
    // Past ten lanes, heads crowd: start with only the lanes the arrows touch.
    let only_involved = use_state(|| props.seq.lanes.len() > 10);
    let refocus = use_mut_ref(|| None::<String>);
    {
        let refocus = refocus.clone();
        use_effect(move || {
            if let Some(id) = refocus.borrow_mut().take() {
                dom::focus_id(&id);
            }
        });
    }
    let d = props.seq.draw(*only_involved);
    let on_only = {
        let only_involved = only_involved.clone();
        Callback::from(move |_: Event| only_involved.set(!*only_involved))
    };
    let on_key = Callback::from(move |e: KeyboardEvent| {
        if e.key() != "Enter" && e.key() != " " {
            return;
        }
        if let Some(n) = dom::closest_attr(&e, "data-seek").and_then(|v| v.parse::<u64>().ok()) {
            e.prevent_default();
            *refocus.borrow_mut() = dom::closest_attr(&e, "id");
            sim.pause();
            sim.seek(n);
        }
    });
    html! {
        <>
            <h2 class="panel-title">{ "Sequence" }</h2>
            <div class="panel-toolbar">
                <span class="muted seq-caption">{ &d.caption }</span>
                <label class="field seq-only">
                    <input type="checkbox" checked={*only_involved} onchange={on_only} />
                    <span>{ "Only nodes involved" }</span>
                </label>
            </div>
            if d.arrows.is_empty() {
                <p class="placeholder">{ "No messages yet: step forward to see them." }</p>
            } else {
                <div class="seq-wrap" onkeydown={on_key}>{ Html::from_html_unchecked(d.svg().into()) }</div>
                <p class="muted legend-line">{ "Click an arrow to go to its step. Solid: delivered; dashed: on the wire; ✕: lost." }</p>
            }
        </>
    }
}
