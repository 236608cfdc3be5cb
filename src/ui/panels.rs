//! The side panels: tables and logs about the world at the current step, one tab each.
//!
//! Only the tab switching is real so far; each tab shows an honest placeholder.

use yew::prelude::*;

use super::panel_tabs::PanelTabs;

/// One side panel. The order of [`Panel::ALL`] is the order of the tabs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Panel {
    Znodes,
    ZabLog,
    Sessions,
    Events,
    Invariants,
}

impl Panel {
    /// Every panel, in tab order.
    pub const ALL: [Panel; 5] = [
        Panel::Znodes,
        Panel::ZabLog,
        Panel::Sessions,
        Panel::Events,
        Panel::Invariants,
    ];

    /// The tab's label.
    pub fn label(self) -> &'static str {
        match self {
            Panel::Znodes => "Znodes",
            Panel::ZabLog => "Zab log",
            Panel::Sessions => "Sessions",
            Panel::Events => "Events",
            Panel::Invariants => "Invariants",
        }
    }

    /// A stable, URL- and id-safe name.
    pub fn slug(self) -> &'static str {
        match self {
            Panel::Znodes => "znodes",
            Panel::ZabLog => "zab-log",
            Panel::Sessions => "sessions",
            Panel::Events => "events",
            Panel::Invariants => "invariants",
        }
    }

    /// What the panel will show, said plainly until it shows it.
    fn placeholder(self) -> &'static str {
        match self {
            Panel::Znodes => {
                "The ZooKeeper data tree — each znode with its data, version and owner — \
                 appears when the simulation runs."
            }
            Panel::ZabLog => {
                "Each server's transaction log — proposals, acknowledgements and commits, by \
                 zxid — appears when the simulation runs."
            }
            Panel::Sessions => {
                "Client sessions, their timeouts and the ephemeral znodes they own appear \
                 when the simulation runs."
            }
            Panel::Events => {
                "Every step — each message delivered, each timer fired, each fault — appears \
                 here when the simulation runs."
            }
            Panel::Invariants => {
                "The safety properties checked after every step, and a plain explanation of \
                 any violation, appear when the simulation runs."
            }
        }
    }

    /// The element id of this panel's tab button.
    pub fn tab_id(self) -> String {
        format!("tab-{}", self.slug())
    }
}

/// The id of the single tab panel whose content follows the selected tab.
pub const TABPANEL_ID: &str = "panel-body";

/// The complementary region beside (or, on narrow screens, below) the cluster view.
#[component]
pub fn Panels() -> Html {
    let selected = use_state(|| Panel::Znodes);
    let on_select = {
        let selected = selected.clone();
        Callback::from(move |panel: Panel| selected.set(panel))
    };
    let panel = *selected;

    html! {
        <aside id="panels" class="region panels" data-region="panels" aria-label="Panels">
            <PanelTabs selected={panel} {on_select} />
            <div id={TABPANEL_ID} class="panel-body" role="tabpanel"
                aria-labelledby={panel.tab_id()} data-panel={panel.slug()} tabindex="0">
                <h2 class="panel-title">{ panel.label() }</h2>
                <p class="placeholder">{ panel.placeholder() }</p>
            </div>
        </aside>
    }
}
