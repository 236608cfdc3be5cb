//! The Sequence panel: one lane per node, the newest messages as arrows between lanes, time
//! flowing downward, the cursor's step at the bottom. The drawing is the view's SVG markup
//! shown as is (`view::sequence::Drawing::svg`); each arrow in it is a button whose
//! `data-seek` the page's one click listener serves.
//!
//! Keyboard: the diagram is one tab stop (the newest arrow); the arrow keys, Home and End
//! move focus between arrows (roving `tabindex`, done on the drawn elements, no state), Enter
//! or space seeks (focus then comes back to the same arrow once it is redrawn). The wrapper
//! carries `data-own-keys`, so the page's shortcuts (← → step, space plays) stay out of it.
//!
//! "Only nodes involved" needs no state: both drawings are in the page and the stylesheet
//! (`www/sequence.css`) shows the one the checkbox asks for. "Hide Fetch and pings" is state:
//! the window is built again without the chatter, reaching further back.

use std::rc::Rc;

use gloo::timers::callback::Timeout;
use wasm_bindgen::JsCast;
use web_sys::Element;
use yew::prelude::*;

use crate::view::sequence::{of_run, Sequence};

use super::sim_provider::use_sim;

/// Props of [`SequencePanel`].
#[derive(Properties, PartialEq)]
pub struct SequenceProps {
    /// The window with every message.
    pub seq: Rc<Sequence>,
}

/// The diagram at the cursor.
#[component]
pub fn SequencePanel(props: &SequenceProps) -> Html {
    let sim = use_sim();
    let quiet = use_state(|| false);
    let filtered = {
        let sim = sim.clone();
        use_memo((sim.version, *quiet), move |(_, q)| {
            q.then(|| sim.with_run(|run| of_run(run, &sim.frame.names, true)))
        })
    };
    let seq: &Sequence = (*filtered).as_ref().unwrap_or(&props.seq);
    let on_quiet = {
        let quiet = quiet.clone();
        Callback::from(move |_: Event| quiet.set(!*quiet))
    };
    let on_key = Callback::from(move |e: KeyboardEvent| {
        let key = e.key();
        let Some(el) = target_arrow(&e) else { return };
        if key == "Enter" || key == " " {
            let Some(n) = el.get_attribute("data-seek").and_then(|v| v.parse().ok()) else {
                return;
            };
            e.prevent_default();
            sim.pause();
            sim.seek(n);
            let id = el.id();
            Timeout::new(20, move || {
                let el = web_sys::window()
                    .and_then(|w| w.document())
                    .and_then(|d| d.get_element_by_id(&id));
                if let Some(el) = el {
                    rove(&el);
                }
            })
            .forget();
            return;
        }
        let to = match key.as_str() {
            "ArrowDown" | "ArrowRight" => el.next_element_sibling(),
            "ArrowUp" | "ArrowLeft" => el.previous_element_sibling(),
            "Home" => el
                .parent_element()
                .and_then(|p| p.query_selector(".seq-arrow").ok().flatten()),
            "End" => el.parent_element().and_then(|p| p.last_element_child()),
            _ => return,
        };
        e.prevent_default();
        if let Some(to) = to.filter(|t| t.matches(".seq-arrow").unwrap_or(false)) {
            rove(&to);
        }
    });
    let all = seq.draw(false);
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
                <label class="field seq-only">
                    <input type="checkbox" checked={*quiet} onchange={on_quiet} />
                    <span>{ "Hide Fetch and pings" }</span>
                </label>
                if *quiet {
                    <span class="muted seq-hidden" data-hidden={seq.hidden.to_string()}>
                        { seq.hidden }{ " arrows hidden" }
                    </span>
                }
            </div>
            if all.arrows.is_empty() {
                <p class="placeholder">{ "No messages yet: step forward to see them." }</p>
            } else {
                <div class="seq-wrap" onkeydown={on_key} data-own-keys="">
                    <div class="seq-all">{ Html::from_html_unchecked(all.svg("seq-a").into()) }</div>
                    <div class="seq-some">{ Html::from_html_unchecked(seq.draw(true).svg("seq-s").into()) }</div>
                </div>
                <p class="muted legend-line">{ "Click an arrow (or move with the arrow keys, then Enter) to go to its step. Solid: delivered; dashed: on the wire; ✕: lost." }</p>
            }
        </>
    }
}

/// The arrow a key went to.
fn target_arrow(e: &KeyboardEvent) -> Option<Element> {
    let el = e.target()?.dyn_into::<Element>().ok()?;
    el.closest(".seq-arrow").ok().flatten()
}

/// Makes `to` its drawing's one tab stop and focuses it. An SVG element is not an
/// `HtmlElement`, but it has the same `focus()`, which is all this calls.
fn rove(to: &Element) {
    if let Some(Ok(Some(old))) = to
        .parent_element()
        .map(|p| p.query_selector("[tabindex=\"0\"]"))
    {
        let _ = old.set_attribute("tabindex", "-1");
    }
    let _ = to.set_attribute("tabindex", "0");
    let _ = to.unchecked_ref::<web_sys::HtmlElement>().focus();
}
