//! The timeline and playback controls: step back, play/pause, step forward, speed (a
//! logarithmic slider from 1/10 000 to 1000×), skipping quiet time and "run to …" (see
//! [`super::time_controls`]), and the timeline scrubber with marks for elections, faults and
//! invariant violations and breaks where quiet time was compressed.

use yew::prelude::*;

use crate::view::state::{speed_label, Action, SPEED_MAX};

use super::icon::icon;
use super::sim_provider::SimHandle;
use super::time_controls::{time_controls, timeline_breaks};
use super::timeline_marks::timeline_marks;
use super::view_state::ViewHandle;

/// Play, pause and step paths (16 × 16).
const PLAY: &str = "M4 2.5v11l9-5.5z";
const PAUSE: &str = "M3.5 2.5h3v11h-3zM9.5 2.5h3v11h-3z";
const STEP_FWD: &str = "M2.5 2.5v11l7-5.5zM10.5 2.5h2.5v11h-2.5z";
const STEP_BACK: &str = "M13.5 2.5v11l-7-5.5zM3 2.5h2.5v11H3z";

/// The region under the cluster view.
pub fn controls(sim: &SimHandle, view: &ViewHandle) -> Html {
    let scene = &sim.frame.scene;
    let playing = view.0.playing;

    let toggle = {
        let sim = sim.clone();
        Callback::from(move |_: MouseEvent| if playing { sim.pause() } else { sim.play() })
    };
    let step = {
        let sim = sim.clone();
        Callback::from(move |_: MouseEvent| {
            sim.pause();
            sim.step();
        })
    };
    let back = {
        let sim = sim.clone();
        Callback::from(move |_: MouseEvent| {
            sim.pause();
            sim.back();
        })
    };
    let on_speed = {
        let view = view.clone();
        Callback::from(move |e: InputEvent| {
            let v = e
                .target_unchecked_into::<web_sys::HtmlInputElement>()
                .value();
            if let Ok(level) = v.parse::<i32>() {
                view.dispatch(Action::SetSpeed(level));
            }
        })
    };
    let on_seek = {
        let (sim, view) = (sim.clone(), view.clone());
        Callback::from(move |e: InputEvent| {
            let v = e
                .target_unchecked_into::<web_sys::HtmlInputElement>()
                .value();
            if let Ok(n) = v.parse::<u64>() {
                view.dispatch(Action::Pause);
                sim.seek(n);
            }
        })
    };
    let speed = view.0.speed_level;
    let speed_text = speed_label(speed);
    let (play_label, play_icon) = if playing {
        ("Pause", PAUSE)
    } else {
        ("Play", PLAY)
    };
    let at_start = sim.is_empty() || scene.step <= scene.floor;

    html! {
        <section id="controls" class="region controls" data-region="controls"
            aria-label="Timeline and controls">
            <div class="control-buttons">
                <button type="button" class="btn icon-btn" id="back" onclick={back} disabled={at_start}
                    aria-keyshortcuts="ArrowLeft" title="Step back (←)">
                    { icon(STEP_BACK) }{ "Step back" }
                </button>
                <button type="button" class="btn primary icon-btn play" id="play" onclick={toggle}
                    aria-keyshortcuts="Space" title="Play or pause (space)">
                    { icon(play_icon) }{ play_label }
                </button>
                <button type="button" class="btn icon-btn" id="step" onclick={step}
                    aria-keyshortcuts="ArrowRight" title="Step forward one event (→)">
                    { icon(STEP_FWD) }{ "Step forward" }
                </button>
                <label class="speed">
                    <span aria-hidden="true">{ "Speed" }</span>
                    <input type="range" id="speed" min="0" max={SPEED_MAX.to_string()} step="1"
                        value={speed.to_string()} aria-label="Speed" aria-valuetext={speed_text.clone()}
                        oninput={on_speed} aria-keyshortcuts="[ ]" />
                    <span class="speed-text">{ speed_text }</span>
                </label>
            </div>
            { time_controls(sim, view) }
            <div class="timeline-row">
                <div class="timeline-track">
                    <input type="range" id="timeline" class="timeline" min={scene.floor.to_string()}
                        max={scene.len.max(1).to_string()} step="1" value={scene.step.to_string()}
                        aria-label="Timeline" aria-valuetext={format!("step {} of {}", scene.step, scene.len)}
                        oninput={on_seek} />
                    { timeline_marks(&scene.markers, scene.floor, scene.len) }
                    { timeline_breaks(&scene.breaks, scene.floor, scene.len) }
                </div>
                <output id="step-readout" for="timeline" class="readout">
                    { format!("step {} of {} · {}", sim.cursor(), sim.len(), scene.time_text) }
                </output>
                <p class="marks-key" aria-hidden="true">
                    <span class="tl-mark election"></span>{ "election" }
                    <span class="tl-mark fault"></span>{ "fault or repair" }
                    <span class="tl-mark violation"></span>{ "invariant violated" }
                    <span class="tl-break-key">{ "≈" }</span>{ "quiet time compressed" }
                </p>
            </div>
        </section>
    }
}
