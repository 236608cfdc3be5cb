//! Yew components (feature `ui`). Being written.
