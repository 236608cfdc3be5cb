//! The page header: name, mark and a one-line explanation of what the page does.

use yew::prelude::*;

use super::mark::Mark;

/// What zooscope is, in one sentence a newcomer can read before touching anything.
pub const TAGLINE: &str = "A ZooKeeper ensemble running in your browser: watch it elect a \
    leader, replicate writes and survive failures, one step at a time.";

/// The banner at the top of the page.
#[component]
pub fn Header() -> Html {
    html! {
        <header class="app-header" id="header" data-region="header">
            <h1 class="brand">
                <Mark />
                <span>{ "zooscope" }</span>
            </h1>
            <p class="tagline">{ TAGLINE }</p>
        </header>
    }
}
