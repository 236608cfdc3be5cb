//! The view model: turns the world at a step into what is drawn and listed, with no web
//! crates, so all of it is tested natively.
//!
//! Generic, protocol-neutral parts:
//! * [`names`] and [`layout`]: who is who and where each node sits (tiers per node kind).
//! * [`cards`]: each node's card (role word, up/started, badges, captions, attachment).
//! * [`categories`] and [`dots`]: traffic categories and messages on the wire.
//! * [`narrate`] and [`history`]: a sentence per step; role changes and timeline markers
//!   remembered across steps.
//! * [`scene`]: the whole cluster picture at the cursor; [`actions`]: what node menus offer.
//! * [`events`], [`invariants`]: the panels every scenario has.
//! * [`state`] and [`playback`]: the view-state reducer and how display time advances.
//! * [`quiet`]: which steps are quiet (skipped when skipping quiet time) and gaps in words;
//!   [`targets`]: "run to the next …" predicates.
//! * [`url`]: the shareable state in the query string; [`run`]: a run as the page drives it.
//!
//! Per protocol: [`zk`] (ZooKeeper: its cards, narration, Znodes/Zab log/Sessions panels,
//! URL inputs) and [`heartbeat`]. [`protocols`] is the one file that dispatches on the
//! protocols' node, message and timer enums.
//!
//! The UI (`crate::ui`) renders these structures and sends inputs to the timeline; it holds
//! no protocol knowledge of its own.

pub mod actions;
pub mod cards;
pub mod categories;
pub mod dots;
pub mod events;
pub mod heartbeat;
pub mod history;
pub mod invariants;
pub mod kafka;
pub mod layout;
pub mod markup;
pub mod names;
pub mod narrate;
pub mod playback;
pub mod protocols;
pub mod quiet;
pub mod run;
pub mod scene;
pub mod sequence;
pub mod state;
pub mod targets;
pub mod url;
pub mod zk;

pub use cards::{NodeCard, Role};
pub use categories::Category;
pub use dots::Dot;
pub use history::History;
pub use names::{Names, NodeKind, Tier};
pub use protocols::PanelBody;
pub use scene::{frame, Frame, Scene};
pub use state::{Action, Panel, ViewState};
