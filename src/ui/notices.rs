//! Messages for the person (a malformed link, the end of a run), shown until dismissed.

use yew::prelude::*;

use crate::view::state::Action;

use super::view_state::ViewHandle;

/// The notice banner; nothing when there is nothing to say.
pub fn notices(view: &ViewHandle) -> Html {
    if view.0.notices.is_empty() {
        return html! {};
    }
    let dismiss = {
        let view = view.clone();
        Callback::from(move |_: MouseEvent| view.dispatch(Action::DismissNotices))
    };
    html! {
        <div class="notices" role="alert" id="notices">
            <ul>
                { for view.0.notices.iter().map(|n| html! { <li>{ n }</li> }) }
            </ul>
            <button type="button" class="btn" onclick={dismiss}>{ "Dismiss" }</button>
        </div>
    }
}
