//! A small glyph drawn in SVG, so it looks the same whatever fonts the system has.

use yew::prelude::*;

/// A decorative icon beside a text label (hidden from assistive technology, which reads the
/// label). `path` is SVG path data in a 16 × 16 box, filled with the text colour.
pub fn icon(path: &'static str) -> Html {
    html! {
        <svg class="icon" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
            <path d={path} />
        </svg>
    }
}
