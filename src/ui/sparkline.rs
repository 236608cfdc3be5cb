//! One small SVG line chart shared by the Kafka panels (metrics, lag): the points come from
//! the view model, already scaled to integers in a 64×16 box.

use yew::prelude::*;

/// A sparkline of `points` (`x,y x,y …`), described by `label` for screen readers.
pub fn sparkline(points: &str, label: String) -> Html {
    if points.is_empty() {
        return Html::default();
    }
    html! {
        <svg class="spark" viewBox="0 0 64 16" width="64" height="16" role="img" aria-label={label}>
            <polyline points={points.to_string()} />
        </svg>
    }
}
