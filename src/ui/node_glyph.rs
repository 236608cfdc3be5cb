//! One node in the drawing: a disc coloured by role with its label and role inside, its
//! epoch and last zxid (or a client's status) underneath, a crown on the leader, a ring on
//! every member of the leader's quorum, and its vote while it is LOOKING. Focusable; Enter or
//! a click opens its menu.

use yew::prelude::*;

use crate::view::layout::num;
use crate::view::NodeCard;

/// A crown drawn above the leader, centred on (0, 0).
const CROWN: &str = "M-11 4 L-13 -7 L-5.5 -1.5 L0 -10 L5.5 -1.5 L13 -7 L11 4 Z";

/// One server, member or client. `selected`: its menu is open; `group_b`: in partition mode,
/// whether it is in group B.
pub fn node_glyph(c: &NodeCard, selected: bool, group_b: Option<bool>) -> Html {
    let leader = c.has_badge("leader");
    let client = c.kind.is_client_like();
    let class = classes!(
        "node",
        if client { "client" } else { "server" },
        format!("role-{}", c.role.as_str()),
        c.badges.iter().map(|b| b.to_string()).collect::<Vec<_>>(),
        selected.then_some("selected"),
        group_b.map(|b| if b { "group-b" } else { "group-a" }),
    );
    let r = c.r;
    let transform = format!("translate({} {})", num(c.x), num(c.y));
    let label = match group_b {
        Some(true) => format!("{} (group B; click to move to group A)", c.description),
        Some(false) => format!("{} (group A; click to move to group B)", c.description),
        None => c.description.clone(),
    };
    let below = (!c.detail.is_empty() || !client).then(|| c.detail.clone());
    // Neighbouring captions would overlap: the layout puts every other one a line lower.
    let below_y = if c.low { r + 26.0 } else { r + 15.0 };
    html! {
        <g key={c.id.0} {class} {transform} data-node={c.label.clone()} data-kind={c.kind.slug} data-role={c.role.as_str()}
            tabindex="0" role="button" aria-label={label} aria-haspopup="menu"
            aria-expanded={selected.to_string()} data-node-id={c.id.0.to_string()}>
            <circle class="ring" r={num(r + 6.0)} />
            <circle class="disc" r={num(r)} />
            if leader {
                <path class="crown" d={CROWN} transform={format!("translate(0 {})", num(-r - 9.0))} />
            }
            if !c.up {
                <path class="cross" d={format!("M{a} {a} L{b} {b} M{a} {b} L{b} {a}", a = num(-r * 0.55), b = num(r * 0.55))} />
            }
            <text class="label" y={if client { "4" } else { "-4" }}>{ &c.label }</text>
            if !client {
                <text class="role" y="12">{ c.role.title() }</text>
            }
            if let Some(text) = below {
                <text class="detail" y={num(below_y)}>
                    if c.stacked {
                        { for text.split(" · ").enumerate().map(|(i, part)| html! {
                            <tspan x="0" dy={if i == 0 { "0" } else { "1.15em" }}>{ part.to_string() }</tspan>
                        }) }
                    } else {
                        { text }
                    }
                </text>
            }
            if let Some(v) = &c.note {
                <text class="vote" y={num(r + 31.0)}>{ v }</text>
            }
        </g>
    }
}
