//! The Sequence panel: one lane per node, the newest messages as arrows between lanes, time
//! flowing downward, the cursor's step at the bottom. The drawing is the view's SVG markup
//! shown as is (`view::sequence::Drawing::svg`); each arrow in it is a focusable button whose
//! `data-seek` the page's one click listener serves, and Enter or space on it seeks too
//! (focus then comes back to the same arrow once it is redrawn).
//!
//! "Only nodes involved" needs no state: both drawings are in the page and the stylesheet
//! (`www/sequence.css`) shows the one the checkbox asks for.

use gloo::timers::callback::Timeout;
use yew::prelude::*;

use crate::view::sequence::Sequence;

use super::dom;
use super::sim_provider::SimHandle;

/// The diagram at the cursor.
pub fn sequence_panel(seq: &Sequence, sim: &SimHandle) -> Html {
    let all = seq.draw(false);
    let sim = sim.clone();
    let on_key = Callback::from(move |e: KeyboardEvent| {
        if e.key() != "Enter" && e.key() != " " {
            return;
        }
        if let Some(n) = dom::closest_attr(&e, "data-seek").and_then(|v| v.parse::<u64>().ok()) {
            e.prevent_default();
            sim.pause();
            sim.seek(n);
            if let Some(id) = dom::closest_attr(&e, "id") {
                Timeout::new(20, move || focus_svg(&id)).forget();
            }
        }
    });
    html! {
        <>
            <h2 class="panel-title">{ "Sequence" }</h2>
            <div class="panel-toolbar">
                <span class="muted seq-caption">{ &all.caption }</span>
                <label class="field seq-only">
                    // Past ten lanes, heads crowd: start with only the lanes the arrows touch.
                    <input type="checkbox" checked={seq.lanes.len() > 10} />
                    <span>{ "Only nodes involved" }</span>
                </label>
            </div>
            if all.arrows.is_empty() {
                <p class="placeholder">{ "No messages yet: step forward to see them." }</p>
            } else {
                <div class="seq-wrap" onkeydown={on_key}>
                    <div class="seq-all">{ Html::from_html_unchecked(all.svg("seq-a").into()) }</div>
                    <div class="seq-some">{ Html::from_html_unchecked(seq.draw(true).svg("seq-s").into()) }</div>
                </div>
                <p class="muted legend-line">{ "Click an arrow to go to its step. Solid: delivered; dashed: on the wire; ✕: lost." }</p>
            }
        </>
    }
}

/// Focuses the element with this id. An SVG element is not an `HtmlElement`, but it has the
/// same `focus()`, which is all this calls.
fn focus_svg(id: &str) {
    use wasm_bindgen::JsCast;
    let el = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id));
    if let Some(el) = el {
        let _ = el.unchecked_into::<web_sys::HtmlElement>().focus();
    }
}
