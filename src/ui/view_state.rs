//! The view-state reducer as a Yew context: [`crate::view::state::reduce`] wrapped in
//! [`Reducible`], so dispatching is the only way view state changes.

use std::rc::Rc;

use yew::prelude::*;

use crate::view::state::{reduce, Action, ViewState};

/// View state behind Yew's reducer hook.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ViewStore(pub ViewState);

impl Reducible for ViewStore {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let next = reduce(&self.0, action);
        if next == self.0 {
            self
        } else {
            Rc::new(ViewStore(next))
        }
    }
}

/// What components get from the context: the state and a way to dispatch actions.
pub type ViewHandle = UseReducerHandle<ViewStore>;

/// The view state, from the simulation context (one context for both: every context type
/// costs wasm).
#[hook]
pub fn use_view() -> ViewHandle {
    super::sim_provider::use_sim().view
}
