//! What a person sees if the page panics: an overlay saying so, instead of a frozen page.
//!
//! Built with plain DOM calls rather than Yew, because after a panic the Yew scheduler may be
//! unusable. The panic text is set as text content, never as HTML.

use std::panic::PanicHookInfo;

const OVERLAY_ID: &str = "panic-overlay";

/// Panic hook: logs the panic to the console and shows it in an overlay.
pub fn on_panic(info: &PanicHookInfo<'_>) {
    let message = info.to_string();
    web_sys::console::error_1(&format!("zooscope panicked: {message}").into());
    // Nothing more can be done if the DOM is unavailable; the console line is the record.
    let _ = show_overlay(&message);
}

fn show_overlay(message: &str) -> Option<()> {
    let document = web_sys::window()?.document()?;
    if document.get_element_by_id(OVERLAY_ID).is_some() {
        return Some(());
    }
    let overlay = document.create_element("div").ok()?;
    overlay.set_id(OVERLAY_ID);
    overlay.set_attribute("role", "alert").ok()?;

    let title = document.create_element("h2").ok()?;
    title.set_text_content(Some("zooscope stopped because of an internal error"));
    let hint = document.create_element("p").ok()?;
    hint.set_text_content(Some(
        "This is a bug in zooscope, not in your input. Reload the page to start again; \
         the details below help us fix it.",
    ));
    let details = document.create_element("pre").ok()?;
    details.set_text_content(Some(message));

    for child in [&title, &hint, &details] {
        overlay.append_child(child).ok()?;
    }
    document.body()?.append_child(&overlay).ok()?;
    Some(())
}
