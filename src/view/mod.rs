//! The view model: turns the world at a step into what is drawn and listed, with no web
//! crates, so all of it is tested natively.
//!
//! * [`names`] and [`layout`]: who is who and where each node sits (stable positions).
//! * [`cards`]: each node's card (role, epoch, zxid, vote, quorum membership, client status).
//! * [`dots`]: messages on the wire placed by display time; categories, colours and shapes.
//! * [`narrate`] and [`history`]: a sentence per step; role changes, commit steps and
//!   timeline markers remembered across steps.
//! * [`scene`]: the whole cluster picture at the cursor.
//! * [`znodes`], [`zablog`], [`sessions`], [`events`], [`invariants`]: the side panels.
//! * [`state`] and [`playback`]: the view-state reducer and how display time advances.
//! * [`url`]: the shareable state in the query string.
//!
//! The UI (`crate::ui`) renders these structures and sends inputs to the timeline; it holds
//! no protocol knowledge of its own.

pub mod cards;
pub mod dots;
pub mod events;
pub mod history;
pub mod invariants;
pub mod layout;
pub mod names;
pub mod narrate;
pub mod playback;
pub mod run;
pub mod scene;
pub mod sessions;
pub mod state;
pub mod url;
pub mod zablog;
pub mod znodes;

pub use cards::{NodeCard, Role, Summaries};
pub use dots::Dot;
pub use history::History;
pub use names::{Names, NodeKind};
pub use scene::{frame, Frame, Scene};
pub use state::{Action, Panel, ViewState};
