//! The few browser facilities the UI uses, each failing soft: without a window (or with an
//! API missing) they return a neutral value instead of panicking.

use wasm_bindgen::JsValue;

/// Milliseconds from `performance.now()`, or 0.
pub fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// Whether the person asked the system for reduced motion.
pub fn prefers_reduced_motion() -> bool {
    web_sys::window()
        .and_then(|w| {
            w.match_media("(prefers-reduced-motion: reduce)")
                .ok()
                .flatten()
        })
        .is_some_and(|m| m.matches())
}

/// Whether the screen is narrow (a phone held upright): the drawing is then the tall one.
pub fn narrow_screen() -> bool {
    web_sys::window()
        .and_then(|w| w.match_media("(max-width: 40rem)").ok().flatten())
        .is_some_and(|m| m.matches())
}

/// The page's query string (with the `?`), or empty.
pub fn query() -> String {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default()
}

/// Replaces the URL's query string without a navigation or a history entry. Presenter
/// mode, which lives on the root element rather than in the run, rides along:
/// `presenter=1` (the drawing alone) or `presenter=panel` (with the URL's `panel`).
pub fn replace_query(query: &str) {
    let mut query = query
        .split('&')
        .filter(|p| !p.starts_with("presenter="))
        .collect::<Vec<_>>()
        .join("&");
    if has_mode("presenter") {
        query.push_str(if has_mode("presenter-panel") {
            "&presenter=panel"
        } else {
            "&presenter=1"
        });
    }
    let query = query.trim_start_matches('&');
    let Some(w) = web_sys::window() else { return };
    let loc = w.location();
    let path = loc.pathname().unwrap_or_default();
    let hash = loc.hash().unwrap_or_default();
    let url = format!("{path}?{query}{hash}");
    if let Ok(h) = w.history() {
        // A refused replaceState (e.g. a sandboxed iframe) only leaves the URL stale.
        let _ = h.replace_state_with_url(&JsValue::NULL, "", Some(&url));
    }
}

/// A fresh random seed from the system's generator, if it has one.
pub fn random_seed() -> Option<u64> {
    getrandom::u64().ok().map(|s| s % 1_000_000_000)
}

/// Publishes frame-time figures as `window.__zooscopeFrameStats` for tests and curious
/// people: `{frames, medianMs, p95Ms, maxMs, stepsPerFrame}`.
pub fn publish_frame_stats(frames: usize, median_ms: f64, p95_ms: f64, max_ms: f64, steps: f64) {
    let Some(w) = web_sys::window() else { return };
    let o = js_sys::Object::new();
    let set = |k: &str, v: f64| {
        let _ = js_sys::Reflect::set(&o, &JsValue::from_str(k), &JsValue::from_f64(v));
    };
    set("frames", frames as f64);
    set("medianMs", median_ms);
    set("p95Ms", p95_ms);
    set("maxMs", max_ms);
    set("stepsPerFrame", steps);
    let _ = js_sys::Reflect::set(&w, &JsValue::from_str("__zooscopeFrameStats"), &o);
}

/// Focuses the element with this id, if there is one.
pub fn focus_id(id: &str) {
    use wasm_bindgen::JsCast;
    let el = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(el) = el {
        let _ = el.focus();
    }
}

/// The value of `attr` on the event's target or its nearest ancestor that has it: how one
/// listener serves many elements (`data-seek`, `data-node-id`, `data-msg-id`).
pub fn closest_attr(e: &web_sys::Event, attr: &str) -> Option<String> {
    use wasm_bindgen::JsCast;
    let el = e.target()?.dyn_into::<web_sys::Element>().ok()?;
    el.closest(&format!("[{attr}]"))
        .ok()
        .flatten()?
        .get_attribute(attr)
}

/// Switches a page-wide display mode: the attribute `data-<mode>` on the root element (CSS
/// in `www/lecture.css` does the rest: `presenter`, `large-text`), and `aria-pressed` on the
/// button with id `mode`. `on`: set it (`Some`) or flip it (`None`).
pub fn toggle_mode(mode: &str, on: Option<bool>) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Some(root) = doc.document_element() else {
        return;
    };
    let attr = format!("data-{mode}");
    let on = on.unwrap_or(!root.has_attribute(&attr));
    let _ = if on {
        root.set_attribute(&attr, "")
    } else {
        root.remove_attribute(&attr)
    };
    if let Some(b) = doc.get_element_by_id(mode) {
        let _ = b.set_attribute("aria-pressed", if on { "true" } else { "false" });
    }
    if mode.starts_with("presenter") {
        replace_query(query().trim_start_matches('?'));
    }
}

/// Whether a page-wide display mode (see [`toggle_mode`]) is on.
pub fn has_mode(mode: &str) -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
        .is_some_and(|root| root.has_attribute(&format!("data-{mode}")))
}

/// The page's address.
pub fn page_link() -> String {
    web_sys::window()
        .and_then(|w| w.location().href().ok())
        .unwrap_or_default()
}

/// Puts the page's address on the clipboard, if the browser has one (a refusal is caught
/// in the page: the link is also shown as text). A small script rather than web-sys, which
/// would need its clipboard feature.
pub fn copy_page_link() -> Option<()> {
    let copy = js_sys::Function::new_no_args(
        "const c = navigator.clipboard; if (!c) return false; \
         c.writeText(location.href).catch(() => {}); return true;",
    );
    copy.call0(&JsValue::NULL)
        .ok()
        .and_then(|v| v.as_bool())
        .filter(|ok| *ok)
        .map(|_| ())
}
