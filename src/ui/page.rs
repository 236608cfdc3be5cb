//! The page layout: which region goes where, the keyboard shortcuts, the help overlay and
//! the live region that says each step in words. Regions appear in reading order (header,
//! cluster view, timeline and controls, panels); the stylesheet places them side by side on
//! wide screens.

use yew::prelude::*;

use super::cluster_view::ClusterView;
use super::controls::controls;
use super::dom;
use super::header::header;
use super::help_overlay::help_overlay;
use super::keyboard::use_shortcuts;
use super::notices::notices;
use super::panels::Panels;
use super::sim_provider::use_sim;
use super::view_state::use_view;

/// Everything on the page.
#[component]
pub fn Page() -> Html {
    let sim = use_sim();
    let view = use_view();
    use_shortcuts(sim.clone());
    // Move focus into the help, a node's menu or a message's inspector when one opens, so
    // the keyboard can use it at once.
    {
        let menu = view.0.menu.map(|id| sim.frame.names.label(id).to_string());
        use_effect_with(
            (view.0.help, menu, view.0.message),
            |(help, menu, message)| {
                if *help {
                    dom::focus_id("help-close");
                } else if let Some(l) = menu {
                    dom::focus_id(&format!("menu-{l}-close"));
                } else if message.is_some() {
                    dom::focus_id("msg-close");
                }
            },
        );
    }
    // `presenter=1` in the URL opens the page in presenter mode, `presenter=panel` with the
    // URL's panel beside the drawing.
    use_effect_with((), |_| {
        let q = dom::query();
        let panel = q.contains("presenter=panel");
        if panel || q.contains("presenter=1") {
            dom::toggle_mode("presenter-panel", Some(panel));
            dom::toggle_mode("presenter", Some(true));
        }
    });
    let playing = view.0.playing;
    let scene = &sim.frame.scene;
    // While playing, steps fly by too fast to read out; say them when stepping by hand.
    let live = if playing {
        String::new()
    } else {
        format!("Step {}: {}", scene.step, scene.narration)
    };
    // Every "go to step N" link on the page (events, znodes, Zab log, invariants, timeline
    // marks) carries `data-seek`; one listener serves them all.
    let onclick = {
        let sim = sim.clone();
        Callback::from(move |e: MouseEvent| {
            if let Some(n) = dom::closest_attr(&e, "data-seek").and_then(|v| v.parse::<u64>().ok())
            {
                sim.pause();
                sim.seek(n);
            }
        })
    };
    html! {
        <div class="app" id="zooscope" data-playing={playing.to_string()} {onclick}>
            { header(&sim, &view) }
            <ClusterView />
            { controls(&sim, &view) }
            <Panels />
            { notices(&view) }
            if view.0.help {
                { help_overlay(&view) }
            }
            <div class="sr-only" aria-live="polite" aria-atomic="true" id="live">{ live }</div>
        </div>
    }
}
