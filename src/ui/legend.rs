//! The legend: what each message shape and colour means — for the protocols that run, not
//! every protocol there is — and the node roles.
//!
//! Static markup built as a string, again only when the list of kinds changes (see
//! `help_overlay` for why).

use std::fmt::Write as _;

use yew::prelude::*;

use crate::view::categories::Category;

/// The markup inside the legend's `<details>`: the roles, and the message kinds of the
/// protocols that run.
fn markup(cats: &[Category]) -> String {
    let mut s = String::from(
        r#"<summary>Legend</summary><ul class="legend-roles" aria-label="Node roles">
<li><span class="swatch role-leading"></span>Leader (crown)</li>
<li><span class="swatch role-following"></span>Follower</li>
<li><span class="swatch role-observing"></span>Observer (hollow, no vote)</li>
<li><span class="swatch role-looking"></span>Looking (electing)</li>
<li><span class="swatch role-down"></span>Down</li>
<li><span class="swatch quorum-ring"></span>In the leader's quorum</li>
</ul><ul class="legend-msgs" aria-label="Message kinds">"#,
    );
    for c in cats {
        let _ = write!(
            s,
            r#"<li><svg class="legend-shape cat-{}" viewBox="-9 -9 18 18" aria-hidden="true" focusable="false"><path class="shape" d="{}"/></svg>{}</li>"#,
            c.name(),
            c.shape,
            c.title
        );
    }
    s.push_str("</ul>");
    s
}

/// Collapsible legend under the drawing, listing `cats`.
pub fn legend(cats: &[Category]) -> Html {
    thread_local! {
        static MARKUP: std::cell::RefCell<(Vec<Category>, AttrValue)> = Default::default();
    }
    let inner = MARKUP.with(|m| {
        let mut m = m.borrow_mut();
        if m.0 != cats {
            *m = (cats.to_vec(), AttrValue::from(markup(cats)));
        }
        Html::from_html_unchecked(m.1.clone())
    });
    // Open only where there is room for it: on a phone or a projector the drawing and the
    // controls come first, and Kafka's longer legend (ZooKeeper's kinds and its own) would
    // squeeze the drawing below a tall screen.
    let open = web_sys::window()
        .and_then(|w| {
            Some((
                w.inner_width().ok()?.as_f64()?,
                w.inner_height().ok()?.as_f64()?,
            ))
        })
        .is_none_or(|(w, h)| w > 700.0 && h > if cats.len() > 13 { 1000.0 } else { 760.0 });
    html! { <details class="legend" {open}>{ inner }</details> }
}
