//! The timeline and playback controls.
//!
//! Placeholders for now: the buttons and the timeline slider are disabled until there is a
//! simulation to drive.

use yew::prelude::*;

use super::icon::Icon;

/// The region under the cluster view: play, step and the timeline slider.
#[component]
pub fn Controls() -> Html {
    html! {
        <section id="controls" class="region controls" data-region="controls"
            aria-label="Timeline and controls">
            <div class="control-buttons">
                <button type="button" id="play" disabled=true>
                    <Icon path="M4 2.5 L13 8 L4 13.5 Z" />{ "Play" }
                </button>
                <button type="button" id="step" disabled=true>
                    <Icon path="M3 2.5 L10.5 8 L3 13.5 Z M11.5 2.5 H13.5 V13.5 H11.5 Z" />
                    { "Step" }
                </button>
            </div>
            <input type="range" id="timeline" class="timeline" min="0" max="0" value="0"
                disabled=true aria-label="Timeline position" />
            <output id="step-readout" for="timeline" class="readout">{ "step 0 of 0" }</output>
            <p class="placeholder controls-placeholder">
                { "Play, step and the timeline come alive when the simulation runs." }
            </p>
        </section>
    }
}
