//! The browser UI: Yew function components, one per file (feature `ui`).
//!
//! This layer only arranges and draws what [`crate::view`] computes, and turns clicks and
//! keys into view-state actions and timeline inputs; it holds no protocol logic.
//!
//! * [`app`], [`page`]: the root and the layout; [`sim_provider`] owns the run (playback,
//!   URL, frame timing) and [`view_state`] the view-state reducer.
//! * [`cluster_view`] with [`node_glyph`], [`message_dot`], [`node_menu`],
//!   [`message_inspector`], [`partition_bar`], [`legend`]: the drawing and direct
//!   manipulation.
//! * [`controls`], [`timeline_marks`]: playback and the scrubber.
//! * [`panels`], [`panel_tabs`] and one component per panel.
//! * [`header`], [`run_picker`], [`notices`], [`help_overlay`], [`keyboard`].

mod app;
mod cluster_view;
mod controls;
mod dom;
mod dots_layer;
mod events_panel;
mod frame_stats;
mod groups_panel;
mod header;
mod help_overlay;
mod icon;
mod invariants_panel;
mod keyboard;
mod legend;
mod log_panel;
mod mark;
mod message_inspector;
mod metrics_panel;
mod node_glyph;
mod node_menu;
mod notices;
mod page;
mod panel_tabs;
mod panels;
mod panic_overlay;
mod partition_bar;
mod partitions_panel;
mod producers_panel;
mod run_picker;
mod sequence_panel;
mod sessions_panel;
mod sim_provider;
mod sparkline;
mod time_controls;
mod timeline_marks;
mod view_state;
mod zab_panel;
mod znodes_panel;

pub use app::App;

/// Starts the web app: installs the panic hook, then mounts [`App`] in place of the
/// loading message in `#app`.
pub fn start() {
    yew::set_custom_panic_hook(Box::new(panic_overlay::on_panic));
    match mount_point() {
        Some(root) => {
            yew::Renderer::<App>::with_root(root).render();
        }
        None => {
            yew::Renderer::<App>::new().render();
        }
    }
}

/// The `#app` element emptied of its static loading message, if the page has one.
fn mount_point() -> Option<web_sys::Element> {
    let root = web_sys::window()?.document()?.get_element_by_id("app")?;
    root.set_text_content(None);
    Some(root)
}
