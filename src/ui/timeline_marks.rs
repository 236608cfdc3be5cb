//! Marks on the timeline: elections (a crown), faults (a bolt) and violations (a red bar),
//! each a button that jumps to its step.

use yew::prelude::*;

use crate::view::history::MarkerKind;
use crate::view::layout::num;
use crate::view::scene::MarkerView;

/// The marks over the scrubber of steps `floor..=len`.
pub fn timeline_marks(markers: &[MarkerView], floor: u64, len: u64) -> Html {
    let span = len.saturating_sub(floor).max(1) as f64;
    html! {
        <div class="timeline-marks" aria-label="Timeline marks" role="group">
            { for markers.iter().enumerate().filter(|(_, m)| m.step >= floor).map(|(i, m)| {
                let pct = ((m.step - floor) as f64 / span * 100.0).clamp(0.0, 100.0);
                let what = match m.kind {
                    MarkerKind::Election => "Election",
                    MarkerKind::Fault => "Fault",
                    MarkerKind::Violation => "Violation",
                };
                html! {
                    <button type="button" key={i}
                        class={classes!("tl-mark", m.kind.as_str())} tabindex="-1"
                        style={format!("left:{}%", num(pct))} data-seek={m.step.to_string()}
                        aria-label={format!("{what} at step {}: {}", m.step, m.text)} title={format!("step {}: {}", m.step, m.text)}></button>
                }
            }) }
        </div>
    }
}
