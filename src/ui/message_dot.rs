//! One message on the wire: a marker whose shape and colour say its category, placed where
//! display time puts it between sender and receiver. Clickable to inspect, drop or hold it.

use yew::prelude::*;

use crate::view::layout::num;
use crate::view::Dot;

/// A message marker; `label` is words for it (`PROPOSAL from zk1 to zk2`).
pub fn message_dot(d: &Dot, label: String, selected: bool) -> Html {
    let label = if d.stack > 1 {
        format!("{label} (1 of {} held on this link)", d.stack)
    } else {
        label
    };
    let class = classes!(
        "dot",
        format!("cat-{}", d.category.name()),
        d.held.then_some("held"),
        selected.then_some("selected"),
    );
    html! {
        <g key={d.id} {class} transform={format!("translate({} {})", num(d.x), num(d.y))} data-msg={d.kind}
            data-msg-id={d.id.to_string()} role="button" aria-label={label}>
            <title>{ &d.summary }</title>
            <circle class="hit" r="20" />
            <path class="shape" d={d.category.shape} />
            if d.stack > 1 {
                <text class="stack-count" x="10" y="-6" aria-hidden="true">{ d.stack }</text>
            }
            if d.held {
                <path class="pause" d="M-2.5 -12 V-17 M2.5 -12 V-17" />
            }
        </g>
    }
}
