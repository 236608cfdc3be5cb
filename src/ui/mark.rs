//! The zooscope mark, drawn inline so it follows the theme's colours.

use yew::prelude::*;

/// The zooscope mark (same drawing as `www/icon.svg`): a lens over a three-server ensemble
/// whose leader is highlighted. Decorative, so hidden from assistive technology.
pub fn mark() -> Html {
    html! {
        <svg class="mark" viewBox="0 0 64 64" width="32" height="32" aria-hidden="true"
            focusable="false">
            <rect width="64" height="64" rx="14" class="mark-bg" />
            <path d="M28 19 L20 33 L36 33 Z" class="mark-link" />
            <circle cx="28" cy="19" r="4.5" class="mark-leader" />
            <circle cx="20" cy="33" r="4" class="mark-node" />
            <circle cx="36" cy="33" r="4" class="mark-node" />
            <circle cx="28" cy="28" r="17" class="mark-lens" />
            <path d="M40.5 40.5 L53 53" class="mark-handle" />
        </svg>
    }
}
