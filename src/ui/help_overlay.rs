//! The help overlay (`?`): how to read the picture and the keyboard shortcuts.
//!
//! The text is static markup rendered from a string: as `html!` it would compile to code
//! that builds every element, as a string it is a few hundred bytes of compressible data.

use yew::prelude::*;

use crate::view::state::Action;

use super::view_state::ViewHandle;

/// The help text (static, trusted markup).
const HELP: &str = r#"<h2 id="help-title">How to use zooscope</h2>
<p>Each big circle is a ZooKeeper server, each small circle below it a client. The
<b>leader</b> is gold with a crown; <b>followers</b> are blue; servers still electing a leader
are pink, dashed and <b>LOOKING</b> (under them: who they vote for); crashed servers are grey.
A ring marks the servers in the leader's quorum. Dots are messages on the wire: their colour
and shape say what kind (see the legend under the drawing).</p>
<p>Click a server to crash or restart it or cut it off the network; click a message to drop
or hold it. <b>Partition…</b> cuts the network between two groups you pick; the Sessions
panel expires a client's session. Everything you do is recorded: step back over it, and the
address bar's link replays the very same run.</p>
<h3>Keyboard</h3>
<dl class="keys">
<dt><kbd>Space</kbd></dt><dd>play or pause</dd>
<dt><kbd>→</kbd> / <kbd>←</kbd></dt><dd>step forward / back one event</dd>
<dt><kbd>]</kbd> / <kbd>[</kbd></dt><dd>faster / slower</dd>
<dt><kbd>Enter</kbd></dt><dd>on a server or client: open its menu</dd>
<dt><kbd>Esc</kbd></dt><dd>close a menu or this help</dd>
<dt><kbd>?</kbd></dt><dd>this help</dd>
</dl>"#;

/// A modal dialog with the essentials; Escape or Close dismisses it. (The page moves focus
/// to its Close button when it opens.)
pub fn help_overlay(view: &ViewHandle) -> Html {
    let close = {
        let view = view.clone();
        Callback::from(move |_: MouseEvent| view.dispatch(Action::ToggleHelp))
    };
    html! {
        <div class="overlay" role="dialog" aria-modal="true" aria-labelledby="help-title" id="help">
            <div class="overlay-box">
                <div>{ Html::from_html_unchecked(AttrValue::Static(HELP)) }</div>
                <button type="button" class="btn primary" id="help-close" onclick={close}>{ "Close" }</button>
            </div>
        </div>
    }
}
