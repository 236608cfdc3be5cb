//! The tab strip above the side panels, following the WAI-ARIA tabs pattern: one tab in the
//! focus order, arrow keys, Home and End move between tabs. A strip narrower than its tabs
//! scrolls sideways (`www/panel-tabs.css`); [`keep_in_view`] shows the selected tab.

use yew::prelude::*;

use crate::view::state::INVARIANTS;
use crate::view::Panel;

use super::dom;

/// The id of the single tab panel whose content follows the selected tab.
pub const TABPANEL_ID: &str = "panel-body";

/// The row of tabs: `selected` is shown, `on_select` gets the panel to show, and
/// `violations` so far make a badge on the Invariants tab.
pub fn panel_tabs(
    panels: &[Panel],
    selected: Panel,
    on_select: &Callback<Panel>,
    violations: u64,
) -> Html {
    let onkeydown = {
        let on_select = on_select.clone();
        let panels = panels.to_vec();
        Callback::from(move |event: KeyboardEvent| {
            if let Some(next) = key_target(&panels, selected, &event.key()) {
                event.prevent_default();
                on_select.emit(next);
                dom::focus_id(&next.tab_id());
            }
        })
    };

    html! {
        <div class="tabs" role="tablist" aria-label="Panel" {onkeydown}>
            { for panels.iter().map(|&panel| tab(panel, selected, on_select, violations)) }
        </div>
    }
}

fn tab(panel: Panel, selected: Panel, on_select: &Callback<Panel>, violations: u64) -> Html {
    let is_selected = panel == selected;
    let onclick = on_select.reform(move |_: MouseEvent| panel);
    let badge = (panel == INVARIANTS && violations > 0).then(|| {
        html! { <span class="badge" aria-label={format!("{violations} violations")}>{ violations }</span> }
    });
    html! {
        <button type="button" key={panel.slug()} id={panel.tab_id()} class="tab" role="tab"
            aria-selected={is_selected.to_string()} aria-controls={TABPANEL_ID}
            tabindex={if is_selected { "0" } else { "-1" }} {onclick}>
            { panel.label() }{ badge.unwrap_or_default() }
        </button>
    }
}

/// The tab a key press moves to, if the key is one the tabs pattern uses.
fn key_target(all: &[Panel], selected: Panel, key: &str) -> Option<Panel> {
    let at = all.iter().position(|&p| p == selected)?;
    let index = match key {
        "ArrowRight" => (at + 1) % all.len(),
        "ArrowLeft" => (at + all.len() - 1) % all.len(),
        "Home" => 0,
        "End" => all.len() - 1,
        _ => return None,
    };
    Some(all[index])
}

/// Scrolls the tab strip sideways so the tab with id `id` shows whole.
pub fn keep_in_view(id: &str) {
    use wasm_bindgen::JsCast;
    let tab = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    let Some((tab, strip)) = tab.and_then(|t| t.parent_element().map(|s| (t, s))) else {
        return;
    };
    let (left, right) = (tab.offset_left(), tab.offset_left() + tab.offset_width());
    let (at, width) = (strip.scroll_left(), strip.client_width());
    if left < at {
        strip.set_scroll_left(left);
    } else if right > at + width {
        strip.set_scroll_left(right - width);
    }
}
