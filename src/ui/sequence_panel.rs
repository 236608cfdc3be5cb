//! The Sequence panel: one lane per node, the newest messages as arrows between lanes, time
//! flowing downward, the cursor's step at the bottom. Each arrow is a focusable button whose
//! `data-seek` the page's one click listener serves; Enter or space on it seeks too. A
//! checkbox keeps only the lanes of nodes the arrows touch.

use std::rc::Rc;

use yew::prelude::*;

use crate::view::sequence::{Fate, Sequence};

use super::dom;
use super::sim_provider::use_sim;

#[derive(Properties, PartialEq)]
pub struct SequenceProps {
    pub seq: Rc<Sequence>,
}

/// The diagram at the cursor.
#[component]
pub fn SequencePanel(props: &SequenceProps) -> Html {
    let sim = use_sim();
    let only_involved = use_state(|| false);
    let d = props.seq.draw(*only_involved);
    let on_only = {
        let only_involved = only_involved.clone();
        Callback::from(move |_: Event| only_involved.set(!*only_involved))
    };
    let on_key = Callback::from(move |e: KeyboardEvent| {
        if e.key() != "Enter" && e.key() != " " {
            return;
        }
        if let Some(n) = dom::closest_attr(&e, "data-seek").and_then(|v| v.parse::<u64>().ok()) {
            e.prevent_default();
            sim.pause();
            sim.seek(n);
        }
    });
    let n = |v: i32| v.to_string();
    html! {
        <>
            <h2 class="panel-title">{ "Sequence" }</h2>
            <div class="panel-toolbar">
                <span class="muted seq-caption">{ &d.caption }</span>
                <label class="field seq-only">
                    <input type="checkbox" checked={*only_involved} onchange={on_only} />
                    <span>{ "Only nodes involved" }</span>
                </label>
            </div>
            if d.arrows.is_empty() {
                <p class="placeholder">{ "No messages yet: step forward to see them." }</p>
            } else {
                <svg class="seq" viewBox={format!("0 0 {} {}", d.width, d.height)} role="group"
                    aria-label="Messages, oldest first; the last row is the current step" onkeydown={on_key}>
                    { for d.rows.iter().map(|r| html! {
                        <g key={r.step} class={classes!("seq-row", r.current.then_some("current"))}>
                            if r.current {
                                <rect x="0" y={n(r.y - 8)} width={n(d.width)} height="16" />
                            }
                            <text x="30" y={n(r.y + 3)}>{ r.step }</text>
                        </g>
                    }) }
                    { for d.lanes.iter().map(|l| html! {
                        <g key={l.label.clone()} class={classes!("seq-lane", (!l.up).then_some("down"))}>
                            <line x1={n(l.x)} y1="17" x2={n(l.x)} y2={n(d.height)} />
                            <text x={n(l.x)} y="12"><title>{ &l.label }</title>{ &l.short }</text>
                        </g>
                    }) }
                    { for d.arrows.iter().map(|a| {
                        let fate = match a.fate {
                            Fate::Delivered => "delivered",
                            Fate::InFlight => "flight",
                            _ => "lost",
                        };
                        let class = classes!("seq-arrow", format!("cat-{}", a.category.slug), fate, a.current.then_some("current"));
                        html! {
                            <g key={a.id} {class} tabindex="0" role="button" aria-label={a.name.clone()}
                                data-seek={a.seek.to_string()}>
                                <title>{ &a.summary }</title>
                                <path class="seq-hit" d={a.line.clone()} />
                                <path class="seq-line" d={a.line.clone()} />
                                <path class="seq-head" d={a.head.clone()} />
                                <path class="shape" d={a.category.shape}
                                    transform={format!("translate({} {}) scale(.5)", a.start.0, a.start.1)} />
                                <text x={n(a.label.0)} y={n(a.label.1)}
                                    text-anchor={if a.label_end { "end" } else { "start" }}>{ a.kind }</text>
                            </g>
                        }
                    }) }
                </svg>
                <p class="muted legend-line">{ "Click an arrow to go to its step. Solid: delivered; dashed: on the wire; ✕: lost." }</p>
            }
        </>
    }
}
