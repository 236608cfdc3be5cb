//! Traffic categories: what colour and shape a message dot has and what the legend calls it.
//! Each protocol supplies its table (`view/zk/categories.rs`…); the categories every protocol
//! shares — heartbeats and the person's own inputs — are defined here.

/// A kind of traffic, as drawn: CSS colours it by `cat-<slug>`, the shape tells it apart
/// without colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Category {
    /// Lower-case, URL- and CSS-safe name, e.g. `broadcast`.
    pub slug: &'static str,
    /// What the legend says it is.
    pub title: &'static str,
    /// The SVG path of its marker, centred on (0, 0), about 12 units across.
    pub shape: &'static str,
}

impl Category {
    /// The lower-case name (the CSS class is `cat-<name>`).
    pub fn name(self) -> &'static str {
        self.slug
    }
}

/// Heartbeats of any protocol (ZooKeeper's PING, the demo's PING/PONG).
pub const PING: Category = Category {
    slug: "ping",
    title: "Ping (heartbeats)",
    // small circle
    shape: "M-4 0a4 4 0 1 0 8 0a4 4 0 1 0 -8 0Z",
};

/// The person's inputs and other control traffic.
pub const CONTROL: Category = Category {
    slug: "control",
    title: "Control",
    // plus
    shape: "M-2 -7H2V-2H7V2H2V7H-2V2H-7V-2H-2Z",
};

/// Every category of every protocol, in legend order, each once.
pub fn all() -> Vec<Category> {
    let mut out: Vec<Category> = Vec::new();
    for c in super::protocols::CATEGORY_TABLES
        .iter()
        .flat_map(|t| t.iter())
    {
        if !out.iter().any(|o| o.slug == c.slug) {
            out.push(*c);
        }
    }
    out
}

/// The category with this name.
pub fn from_name(name: &str) -> Option<Category> {
    all().into_iter().find(|c| c.slug == name)
}
