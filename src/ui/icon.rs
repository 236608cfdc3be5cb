//! A small glyph drawn in SVG, so it looks the same whatever fonts the system has.

use yew::prelude::*;

/// Props for [`Icon`].
#[derive(Properties, PartialEq)]
pub struct IconProps {
    /// SVG path data in a 16 × 16 box, filled with the text colour.
    pub path: AttrValue,
}

/// A decorative icon beside a text label (hidden from assistive technology, which reads the
/// label).
#[component]
pub fn Icon(props: &IconProps) -> Html {
    html! {
        <svg class="icon" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
            <path d={props.path.clone()} />
        </svg>
    }
}
