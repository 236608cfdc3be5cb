//! Keyboard shortcuts for the whole page: space plays or pauses, ← and → step, `[` and `]`
//! change the speed, `s` turns skipping quiet time on or off, `e` `c` `f` `v` run to the next
//! election, commit, effect of the last fault, violation, `p` switches presenter mode, `?` opens
//! the help, Escape closes menus, Ctrl+Z and Ctrl+Shift+Z undo and redo inputs. Keys typed into
//! a form control
//! (or a tab or an element inside `data-own-keys`, a button for space) keep their own meaning.

use std::cell::RefCell;
use std::rc::Rc;

use gloo::events::{EventListener, EventListenerOptions};
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::view::state::Action;
use crate::view::targets;

use super::sim_provider::SimHandle;

/// Installs the shortcuts; they always act on the latest handles.
#[hook]
pub fn use_shortcuts(sim: SimHandle) {
    let latest = use_mut_ref(|| None::<SimHandle>);
    *latest.borrow_mut() = Some(sim);
    use_effect_with((), move |_| {
        let listener = web_sys::window().and_then(|w| w.document()).map(|doc| {
            let opts = EventListenerOptions::enable_prevent_default();
            EventListener::new_with_options(&doc, "keydown", opts, move |e| {
                if let Some(e) = e.dyn_ref::<web_sys::KeyboardEvent>() {
                    on_key(e, &latest);
                }
            })
        });
        move || drop(listener)
    });
}

/// What the element with focus does with keys itself.
enum Focus {
    /// Inputs, selects, text areas and sliders: every key is theirs.
    Field,
    /// Buttons and tabs: space (and arrows for tabs) are theirs.
    Control,
    Other,
}

fn focus_of(e: &web_sys::KeyboardEvent) -> Focus {
    let Some(el) = e
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
    else {
        return Focus::Other;
    };
    // A tab is a button, but its arrows are the tab bar's; so are a widget's that says so.
    if el
        .closest("[role=tablist],[data-own-keys]")
        .ok()
        .flatten()
        .is_some()
    {
        return Focus::Field;
    }
    match el.tag_name().to_ascii_lowercase().as_str() {
        "input" | "select" | "textarea" => Focus::Field,
        "button" | "a" | "summary" => Focus::Control,
        _ if el.get_attribute("role").as_deref() == Some("button") => Focus::Control,
        _ => Focus::Other,
    }
}

fn on_key(e: &web_sys::KeyboardEvent, latest: &Rc<RefCell<Option<SimHandle>>>) {
    let Some(sim) = latest.borrow().clone() else {
        return;
    };
    if e.ctrl_key() || e.meta_key() || e.alt_key() {
        // Ctrl+Z undoes the last input, Ctrl+Shift+Z redoes it (not inside a text field).
        if !e.alt_key() && e.key().eq_ignore_ascii_case("z") && !matches!(focus_of(e), Focus::Field)
        {
            e.prevent_default();
            if e.shift_key() {
                sim.redo()
            } else {
                sim.undo()
            };
        }
        return;
    }
    let view = sim.view.clone();
    let focus = focus_of(e);
    let key = e.key();
    let handled = match (key.as_str(), &focus) {
        ("Escape", _) => {
            view.dispatch(Action::Escape);
            true
        }
        (_, Focus::Field) => false,
        (" " | "Spacebar", Focus::Other) => {
            view.dispatch(Action::TogglePlay);
            true
        }
        ("ArrowRight", _) => {
            view.dispatch(Action::Pause);
            sim.step();
            true
        }
        ("ArrowLeft", _) => {
            view.dispatch(Action::Pause);
            sim.back();
            true
        }
        ("]", _) => {
            view.dispatch(Action::Faster);
            true
        }
        ("[", _) => {
            view.dispatch(Action::Slower);
            true
        }
        ("p" | "P", _) => {
            super::dom::toggle_mode("presenter", None);
            true
        }
        ("?", _) => {
            view.dispatch(Action::ToggleHelp);
            true
        }
        ("s", _) => {
            view.dispatch(Action::ToggleSkipQuiet);
            true
        }
        (k, _) => match targets::all().into_iter().find(|t| t.key == Some(k)) {
            Some(t) => {
                sim.run_to(t.slug);
                true
            }
            None => false,
        },
    };
    if handled {
        e.prevent_default();
    }
}
