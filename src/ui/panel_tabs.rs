//! The tab strip above the side panels, following the WAI-ARIA tabs pattern: one tab in the
//! focus order, arrow keys, Home and End move between tabs.

use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::panels::{Panel, TABPANEL_ID};

/// Props for [`PanelTabs`].
#[derive(Properties, PartialEq)]
pub struct PanelTabsProps {
    /// The panel currently shown.
    pub selected: Panel,
    /// Called with the panel to show.
    pub on_select: Callback<Panel>,
}

/// The row of tabs.
#[component]
pub fn PanelTabs(props: &PanelTabsProps) -> Html {
    let onkeydown = {
        let (selected, on_select) = (props.selected, props.on_select.clone());
        Callback::from(move |event: KeyboardEvent| {
            if let Some(next) = key_target(selected, &event.key()) {
                event.prevent_default();
                on_select.emit(next);
                focus_tab(next);
            }
        })
    };

    html! {
        <div class="tabs" role="tablist" aria-label="Panel" {onkeydown}>
            { for Panel::ALL.iter().map(|&panel| tab(panel, props)) }
        </div>
    }
}

fn tab(panel: Panel, props: &PanelTabsProps) -> Html {
    let is_selected = panel == props.selected;
    let onclick = props.on_select.reform(move |_: MouseEvent| panel);
    html! {
        <button type="button" key={panel.slug()} id={panel.tab_id()} class="tab" role="tab"
            aria-selected={is_selected.to_string()} aria-controls={TABPANEL_ID}
            tabindex={if is_selected { "0" } else { "-1" }} {onclick}>
            { panel.label() }
        </button>
    }
}

/// The tab a key press moves to, if the key is one the tabs pattern uses.
fn key_target(selected: Panel, key: &str) -> Option<Panel> {
    let all = Panel::ALL;
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

fn focus_tab(panel: Panel) {
    let element = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(&panel.tab_id()))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(element) = element {
        // Focus failing only loses keyboard focus placement; nothing to recover.
        let _ = element.focus();
    }
}
