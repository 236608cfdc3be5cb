//! The Znodes panel: the data tree as one server has applied it, one row per znode with its
//! badges, data, version, last change (zxid and the step that committed it, clickable) and
//! the watches on it.

use yew::prelude::*;

use crate::sim::NodeId;
use crate::view::protocols::{ZnodeRow, ZnodeTable};
use crate::view::state::Action;

use super::view_state::ViewHandle;

/// The tree.
pub fn znodes_panel(t: &ZnodeTable, view: &ViewHandle) -> Html {
    let view = view.clone();
    let on_server = {
        let view = view.clone();
        Callback::from(move |e: Event| {
            let v = e
                .target_unchecked_into::<web_sys::HtmlSelectElement>()
                .value();
            view.dispatch(Action::TreeServer(v.parse::<u32>().ok().map(NodeId)));
        })
    };
    let wanted = view.0.tree_server;
    html! {
        <>
            <h2 class="panel-title">{ "Znodes" }</h2>
            <div class="panel-toolbar">
                <label class="field">
                    <span>{ "Read from" }</span>
                    <select onchange={on_server} aria-label="Server to read the tree from">
                        <option value="" selected={wanted.is_none()}>{ "the leader" }</option>
                        { for t.choices.iter().map(|(id, label)| html! {
                            <option value={id.0.to_string()} selected={wanted == Some(*id)}>{ label }</option>
                        }) }
                    </select>
                </label>
                <p class="muted source">{ &t.source }</p>
            </div>
            if t.rows.is_empty() {
                <p class="placeholder">{ "No tree to show: no ZooKeeper server is running." }</p>
            } else {
                <ul class="znodes" aria-label="Data tree">
                    { for t.rows.iter().map(row) }
                </ul>
            }
        </>
    }
}

fn row(r: &ZnodeRow) -> Html {
    let class = classes!(
        "znode",
        r.ephemeral.then_some("ephemeral"),
        r.recent.then_some("recent"),
        r.now.then_some("changed-now")
    );
    let change = match r.changed_step {
        Some(step) => {
            html! {
                <button type="button" class="link" data-seek={step.to_string()}
                    title="Go to the step that committed this change">
                    { format!("{} · step {step}", r.last_zxid_text) }
                </button>
            }
        }
        None if r.last_zxid == 0 => html! { <span>{ "initial" }</span> },
        None => html! { <span>{ &r.last_zxid_text }</span> },
    };
    let watches = (!r.data_watchers.is_empty() || !r.child_watchers.is_empty()).then(|| {
        let mut parts = Vec::new();
        if !r.data_watchers.is_empty() {
            parts.push(format!("data: {}", r.data_watchers.join(", ")));
        }
        if !r.child_watchers.is_empty() {
            parts.push(format!("children: {}", r.child_watchers.join(", ")));
        }
        html! { <span class="watches" title="Watches set on this znode">{ format!("watched by {}", parts.join("; ")) }</span> }
    });
    html! {
        <li key={r.path.clone()} {class} data-znode={r.path.clone()} data-zxid={r.last_zxid_text.clone()} data-owner={r.owner_session.clone()}
            style={format!("--depth:{}", r.depth)}>
            <div class="znode-line">
                <span class="znode-name" title={r.path.clone()}>{ &r.name }</span>
                if r.ephemeral {
                    <span class="badge eph" title={format!("Ephemeral: deleted when session {} ends", r.owner.clone().unwrap_or_default())}>{ "ephemeral" }</span>
                }
                if r.sequential {
                    <span class="badge seq" title="Sequential: the server appended a counter">{ "sequential" }</span>
                }
                if let Some(kind) = &r.kind {
                    <span class="badge kind" title="Deleted by the leader's container manager once empty (and, for TTL, unmodified for the TTL)">{ kind.clone() }</span>
                }
                if r.now {
                    <span class="badge changed-now">{ "changed by this step" }</span>
                }
                if r.pretty.is_none() && !r.data.is_empty() {
                    <span class="znode-data mono">{ format!("\"{}\"", r.data) }</span>
                }
            </div>
            if let Some(json) = &r.pretty {
                <pre class="znode-json">{ json }</pre>
            }
            <div class="znode-meta">
                <span>{ format!("v{}", r.version) }</span>
                { change }
                if let Some(owner) = &r.owner {
                    <span>{ format!("owner {owner}") }</span>
                }
                <span class="mono" title="ACL: scheme:id and permissions (c create, d delete, r read, w write, a admin)">{ &r.acl }</span>
                { watches.unwrap_or_default() }
            </div>
        </li>
    }
}
