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
//! The two checkboxes need no state: the page holds the four drawings (every message or
//! without the chatter, every lane or only those involved) and the stylesheet
//! (`www/sequence.css`) shows the one they ask for.

use gloo::timers::callback::Timeout;
use wasm_bindgen::JsCast;
use web_sys::Element;
use yew::prelude::*;

use crate::view::sequence::Sequence;

use super::sim_provider::SimHandle;

/// The diagram at the cursor: `seqs` is the window with every message, then without the
/// chatter.
pub fn sequence_panel(seqs: &[Sequence; 2], sim: &SimHandle) -> Html {
    let [seq, quiet] = seqs;
    let sim = sim.clone();
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
    let qall = quiet.draw(false);
    let svg =
        |s: &Sequence, some: bool, id: &str| Html::from_html_unchecked(s.draw(some).svg(id).into());
    html! {
        <>
            <h2 class="panel-title">{ "Sequence" }</h2>
            <div class="panel-toolbar">
                <span class="muted seq-caption seq-acap">{ &all.caption }</span>
                <span class="muted seq-caption seq-qcap">{ &qall.caption }</span>
                <label class="field seq-only">
                    // Past ten lanes, heads crowd: start with only the lanes the arrows touch.
                    <input type="checkbox" checked={seq.lanes.len() > 10} />
                    <span>{ "Only nodes involved" }</span>
                </label>
                <label class="field seq-quiet">
                    <input type="checkbox" />
                    <span>{ "Hide Fetch and pings" }</span>
                </label>
                <span class="muted seq-hidden" data-hidden={quiet.hidden.to_string()}>
                    { quiet.hidden }{ " arrows hidden" }
                </span>
            </div>
            if all.arrows.is_empty() {
                <p class="placeholder">{ "No messages yet: step forward to see them." }</p>
            } else {
                <div class="seq-wrap" onkeydown={on_key} data-own-keys="">
                    <div class="seq-all">{ Html::from_html_unchecked(all.svg("seq-a").into()) }</div>
                    <div class="seq-some">{ svg(seq, true, "seq-s") }</div>
                    <div class="seq-qall">{ Html::from_html_unchecked(qall.svg("seq-qa").into()) }</div>
                    <div class="seq-qsome">{ svg(quiet, true, "seq-qs") }</div>
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
