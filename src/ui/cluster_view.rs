//! The cluster view: the one-line narration of the current step, the tools to cut and heal
//! the network, and the drawing — links, each client's connection, nodes and the messages
//! on the wire — with the popovers a click opens.

use yew::prelude::*;

use crate::sim::{Input, NodeId};
use crate::view::layout::num;
use crate::view::protocols::legend_categories;
use crate::view::state::{Action, Panel};

use super::dom;
use super::dots_layer::DotsLayer;
use super::legend::legend;
use super::message_inspector::{message_inspector, InspectorArgs};
use super::node_glyph::node_glyph;
use super::node_menu::{node_menu, NodeMenuArgs};
use super::partition_bar::partition_bar;
use super::sim_provider::use_sim;
use super::view_state::use_view;

/// Where drawing coordinates land in the stage element (the SVG letterboxes to keep its
/// aspect ratio), in CSS pixels.
fn to_stage(stage: &NodeRef, size: (f64, f64), x: f64, y: f64) -> (f64, f64) {
    let Some(el) = stage.cast::<web_sys::HtmlElement>() else {
        return (x, y);
    };
    let (view_w, view_h) = size;
    let (w, h) = (f64::from(el.offset_width()), f64::from(el.offset_height()));
    let s = (w / view_w).min(h / view_h);
    let (ox, oy) = ((w - view_w * s) / 2.0, (h - view_h * s) / 2.0);
    // Keep popovers inside the stage horizontally. Written out rather than `f64::clamp`,
    // whose min <= max assertion formats floats and so pulls ~10 KB of float printing into
    // the wasm (here min <= max always holds, so the result is the same).
    let (px, hi) = (ox + x * s, (w - 240.0).max(8.0));
    let px = if px < 8.0 {
        8.0
    } else if px > hi {
        hi
    } else {
        px
    };
    (px, oy + y * s)
}

/// Where a popover about something drawn at (x, y), `r` units from its centre to its edge,
/// goes in the stage (CSS): under it in the upper half of the drawing, over it (held by its
/// bottom edge) in the lower half, so a menu of a node in the bottom row stays on screen
/// (and scrolls when it is taller than the room above the node).
fn popover_place(stage: &NodeRef, size: (f64, f64), x: f64, y: f64, r: f64) -> String {
    let h = stage
        .cast::<web_sys::HtmlElement>()
        .map_or(size.1, |el| f64::from(el.offset_height()));
    if y > size.1 / 2.0 {
        let (left, top) = to_stage(stage, size, x, y - r - 6.0);
        // A tall menu held by its bottom edge would grow past the top of the page: it
        // scrolls within the room above the node instead.
        let room = top + page_top(stage) - 8.0;
        format!(
            "left:{}px;bottom:{}px;max-height:{}px",
            num(left),
            num(h - top),
            num(room.max(120.0))
        )
    } else {
        let (left, top) = to_stage(stage, size, x, y + r + 6.0);
        format!("left:{}px;top:{}px", num(left), num(top))
    }
}

/// How far the stage's top is below the top of the page, in pixels.
fn page_top(stage: &NodeRef) -> f64 {
    use wasm_bindgen::JsCast;
    let mut y = 0.0;
    let mut el = stage.cast::<web_sys::HtmlElement>();
    while let Some(e) = el {
        y += f64::from(e.offset_top());
        el = e
            .offset_parent()
            .and_then(|p| p.dyn_into::<web_sys::HtmlElement>().ok());
    }
    y
}

/// The main region of the page.
#[component]
pub fn ClusterView() -> Html {
    let sim = use_sim();
    let view = use_view();
    let stage = use_node_ref();
    let dots_ref = use_node_ref();
    let dots_layer = use_mut_ref(DotsLayer::default);
    {
        // After every render: the dots group gets this frame's messages.
        let (dots_ref, layer) = (dots_ref.clone(), dots_layer.clone());
        let (frame, dots, selected) = (sim.frame.clone(), sim.dots.clone(), view.0.message);
        use_effect(move || {
            if let Some(g) = dots_ref.cast::<web_sys::Element>() {
                let names = &frame.names;
                let label = |d: &crate::view::Dot| {
                    format!(
                        "{} from {} to {}",
                        d.kind,
                        names.label(d.src),
                        names.label(d.dst)
                    )
                };
                layer.borrow_mut().sync(&g, &dots, &label, selected);
            }
        });
    }
    let scene = &sim.frame.scene;
    let names = &sim.frame.names;
    let vs = &view.0;
    let size = sim.frame.layout.size();

    let start_partition = {
        let view = view.clone();
        Callback::from(move |_: MouseEvent| {
            view.dispatch(if view.0.partition.is_some() {
                Action::CancelPartition
            } else {
                Action::StartPartition
            })
        })
    };
    let heal = {
        let sim = sim.clone();
        Callback::from(move |_: MouseEvent| sim.inject(Input::Heal))
    };
    let (can_undo, can_redo) = sim.with_run(|r| (r.can_undo(), r.can_redo()));
    let undo = {
        let sim = sim.clone();
        Callback::from(move |_: MouseEvent| sim.undo())
    };
    let redo = {
        let sim = sim.clone();
        Callback::from(move |_: MouseEvent| sim.redo())
    };
    // One listener for the whole drawing: a click on a node opens its menu (or moves it
    // between partition groups), on a message opens its inspector, elsewhere closes both.
    let on_click = {
        let view = view.clone();
        Callback::from(move |e: MouseEvent| {
            let id = |attr| dom::closest_attr(&e, attr).and_then(|v| v.parse::<u64>().ok());
            if let Some(n) = id("data-node-id") {
                view.dispatch(Action::ClickNode(NodeId(n as u32)));
            } else if let Some(m) = id("data-msg-id") {
                view.dispatch(Action::Pause);
                view.dispatch(Action::InspectMessage(Some(m)));
            } else if view.0.menu.is_some() || view.0.message.is_some() {
                view.dispatch(Action::Escape);
            }
        })
    };
    // Nodes are focusable buttons: Enter or space opens the menu.
    let on_key = {
        let view = view.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() != "Enter" && e.key() != " " {
                return;
            }
            if let Some(n) =
                dom::closest_attr(&e, "data-node-id").and_then(|v| v.parse::<u32>().ok())
            {
                e.prevent_default();
                view.dispatch(Action::ClickNode(NodeId(n)));
            }
        })
    };

    let menu = vs
        .menu
        .and_then(|id| scene.nodes.iter().find(|n| n.id == id))
        .map(|card| {
            let place = popover_place(&stage, size, card.x, card.y, card.r + 2.0);
            let (actions, note) = sim.with_run(|run| {
                sim.frame
                    .node_menu(&run.timeline().current().world, card.id)
            });
            let args = NodeMenuArgs {
                card,
                actions,
                note,
                place,
            };
            node_menu(args, &sim, &view)
        });
    let inspector = vs
        .message
        .and_then(|id| sim.dots.iter().find(|d| d.id == id))
        .map(|d| {
            let place = popover_place(&stage, size, d.x, d.y, 14.0);
            let args = InspectorArgs {
                dot: d,
                src: names.label(d.src).to_string(),
                dst: names.label(d.dst).to_string(),
                place,
            };
            message_inspector(&args, &sim, &view)
        });
    // In presenter mode one panel may stand beside the drawing: the presenter picks it.
    let on_presenter_panel = {
        let view = view.clone();
        Callback::from(move |e: Event| {
            let v = e
                .target_unchecked_into::<web_sys::HtmlSelectElement>()
                .value();
            let panel = Panel::from_slug(&v);
            dom::toggle_mode("presenter-panel", Some(panel.is_some()));
            if let Some(p) = panel {
                view.dispatch(Action::SetPanel(p));
            }
        })
    };
    let shown = dom::has_mode("presenter-panel").then_some(vs.panel);
    let partition = vs.partition.as_ref();
    let diagram_label = format!(
        "Ensemble at step {}: {}",
        scene.step,
        match scene.leader {
            Some(l) => format!("{} leads", names.label(l)),
            None => "no leader".to_string(),
        }
    );

    html! {
        <main id="cluster" class="region cluster" data-region="cluster" aria-label="Cluster view">
            <div class="cluster-head">
                <p class="now" id="now">
                    <span class="now-step">{ format!("Step {} · {}", scene.step, scene.time_text) }</span>
                    <span class="now-text">{ &scene.narration }</span>
                </p>
                <div class="cluster-tools">
                    <button type="button" class={classes!("btn", partition.is_some().then_some("active"))}
                        aria-pressed={partition.is_some().to_string()} onclick={start_partition}>
                        { "Partition…" }
                    </button>
                    <button type="button" class="btn" disabled={scene.cut_pairs == 0} onclick={heal}>
                        { "Heal network" }
                    </button>
                    <button type="button" class="btn" id="undo" disabled={!can_undo} onclick={undo}
                        title="Take back the last input (Ctrl+Z)">{ "Undo" }</button>
                    <button type="button" class="btn" id="redo" disabled={!can_redo} onclick={redo}
                        title="Give the undone input again (Ctrl+Shift+Z)">{ "Redo" }</button>
                    <button type="button" class="btn" id="presenter" aria-pressed="false" aria-keyshortcuts="p"
                        onclick={|_: MouseEvent| dom::toggle_mode("presenter", None)}
                        title="Fill the screen with the drawing, in large type (P)">{ "Presenter" }</button>
                    <select id="presenter-panel" class="presenter-only" aria-label="Panel beside the drawing"
                        title="The one panel shown beside the drawing in presenter mode" onchange={on_presenter_panel}>
                        <option value="" selected={shown.is_none()}>{ "No panel" }</option>
                        { for scene.panels.iter().map(|p| html! {
                            <option value={p.slug()} selected={shown == Some(*p)}>{ p.label() }</option>
                        }) }
                    </select>
                    <button type="button" class="btn" id="large-text" aria-pressed="false"
                        onclick={|_: MouseEvent| dom::toggle_mode("large-text", None)}
                        title="Larger text in the drawing">{ "A+" }</button>
                </div>
            </div>
            if partition.is_some() {
                { partition_bar(&sim, &view) }
            }
            <div class="stage" ref={stage.clone()}
                style={(size.1 > size.0).then(|| format!("aspect-ratio:{}/{}", num(size.0), num(size.1)))}>
                <svg class={if size.1 > size.0 { "cluster-svg tall" } else { "cluster-svg" }} viewBox={sim.frame.layout.view_box()} preserveAspectRatio="xMidYMid meet"
                    role="group" aria-label={diagram_label} onclick={on_click} onkeydown={on_key}>
                    <g class="links" aria-hidden="true">
                        { for scene.mesh.iter().map(|l| html! {
                            <line key={format!("{}-{}", l.a.0, l.b.0)} x1={num(l.x1)} y1={num(l.y1)}
                                x2={num(l.x2)} y2={num(l.y2)} />
                        }) }
                    </g>
                    <g class="attachments" aria-hidden="true">
                        { for scene.attachments.iter().map(|l| html! {
                            <line key={format!("{}-{}", l.a.0, l.b.0)} x1={num(l.x1)} y1={num(l.y1)}
                                x2={num(l.x2)} y2={num(l.y2)} />
                        }) }
                    </g>
                    <g class="cuts">
                        { for scene.cuts.iter().map(|l| {
                            let m = l.mid();
                            html! {
                                <g key={format!("{}-{}", l.a.0, l.b.0)} class="cut" data-cut={format!("{}-{}", names.label(l.a), names.label(l.b))}>
                                    <title>{ format!("The link between {} and {} is cut", names.label(l.a), names.label(l.b)) }</title>
                                    <line x1={num(l.x1)} y1={num(l.y1)} x2={num(l.x2)} y2={num(l.y2)} />
                                    <path class="cut-mark" transform={format!("translate({} {})", num(m.x), num(m.y))} d="M-6 -6 L6 6 M-6 6 L6 -6" />
                                </g>
                            }
                        }) }
                    </g>
                    <g class="nodes">
                        { for scene.nodes.iter().map(|card| node_glyph(card, vs.menu == Some(card.id),
                            partition.map(|p| p.group_b.contains(&card.id)))) }
                    </g>
                    <g class="dots" ref={dots_ref}></g>
                </svg>
                { menu.unwrap_or_default() }
                { inspector.unwrap_or_default() }
            </div>
            { legend(&legend_categories(scene.nodes.iter().map(|n| &n.kind))) }
        </main>
    }
}
