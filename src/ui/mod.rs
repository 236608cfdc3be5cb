//! The browser UI: Yew function components, one per file (feature `ui`).
//!
//! This layer only arranges and draws; it holds no protocol logic. For now it is the app
//! shell — header, cluster view, side panels, timeline and controls — with honest
//! placeholders where the simulation will appear once `view` has something to show.

mod app;
mod cluster_view;
mod controls;
mod header;
mod icon;
mod mark;
mod panel_tabs;
mod panels;
mod panic_overlay;

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
