//! The simulated network: one state per directed link.
//!
//! Each link has a latency range, a loss and a duplication probability (parts per million), and
//! either FIFO order (like the TCP connections ZooKeeper and Kafka use) or free reordering. A
//! link can be *cut* (everything sent on it, or in flight when it arrives, is lost: a broken
//! connection) or *held* (messages wait on the wire until released, in order).
//!
//! Simplified compared with real networks: no bandwidth or congestion, no connection set-up
//! cost, and a FIFO link that loses a message keeps delivering later ones (real TCP would
//! retransmit or reset the connection); protocols that need TCP's guarantees detect the gap
//! and treat it as a reset.

use serde::{Deserialize, Serialize};

use super::actor::NodeId;
use super::rng::SimRng;
use super::time::{TimeUs, MS};
use super::vecmap::{VecMap, VecSet};

/// Behaviour of one directed link.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkConfig {
    /// Smallest one-way latency.
    pub latency_min_us: TimeUs,
    /// Largest one-way latency (uniform in between).
    pub latency_max_us: TimeUs,
    /// Probability that a message is lost, in parts per million.
    pub loss_ppm: u32,
    /// Probability that a message is delivered twice, in parts per million.
    pub duplicate_ppm: u32,
    /// Deliver in send order (TCP-like). When false, messages may overtake each other.
    pub fifo: bool,
}

impl Default for LinkConfig {
    fn default() -> Self {
        Self {
            latency_min_us: 2 * MS,
            latency_max_us: 6 * MS,
            loss_ppm: 0,
            duplicate_ppm: 0,
            fifo: true,
        }
    }
}

/// A directed link `(src, dst)`.
pub type Link = (NodeId, NodeId);

/// Runtime state of one directed link.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct LinkState {
    /// Latest delivery time scheduled on this link (keeps FIFO links in order).
    last_delivery_us: TimeUs,
    /// Messages on the wire (queued or held).
    in_flight: u32,
}

/// The whole network: link configurations, cuts, holds and per-link bookkeeping.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Network {
    default_config: LinkConfig,
    configs: VecMap<Link, LinkConfig>,
    cut: VecSet<Link>,
    held: VecSet<Link>,
    state: VecMap<Link, LinkState>,
    max_in_flight_per_link: u32,
}

/// Where a message sent now will go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    /// Deliver at this time (and, if duplicated, a second copy at the other time).
    Deliver {
        at_us: TimeUs,
        copy_at_us: Option<TimeUs>,
    },
    /// Keep on the wire until the link is released.
    Hold,
    /// Lost on the way.
    Lost(LossReason),
}

/// Why a message never reached its destination's handler.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LossReason {
    /// The link was cut (partition) when it was sent or when it arrived.
    LinkCut,
    /// The destination was down when it arrived.
    NodeDown,
    /// Random loss configured on the link.
    RandomLoss,
    /// A person dropped it by hand.
    ByUser,
    /// The link already had the maximum number of messages on the wire.
    BoundReached,
}

impl LossReason {
    /// Words for the event log.
    pub fn describe(self) -> &'static str {
        match self {
            LossReason::LinkCut => "link cut",
            LossReason::NodeDown => "destination down",
            LossReason::RandomLoss => "lost by the network",
            LossReason::ByUser => "dropped by hand",
            LossReason::BoundReached => "link queue full (bound)",
        }
    }
}

impl Network {
    /// A network where every link behaves like `default_config`.
    pub fn new(default_config: LinkConfig) -> Self {
        Self {
            default_config,
            configs: VecMap::new(),
            cut: VecSet::new(),
            held: VecSet::new(),
            state: VecMap::new(),
            max_in_flight_per_link: 1024,
        }
    }

    /// Messages the network counts as on the wire of a directed link (queued or held), the
    /// number the per-link bound applies to.
    pub fn in_flight_on(&self, link: Link) -> u32 {
        self.state.get(&link).map_or(0, |st| st.in_flight)
    }

    /// Caps the number of messages on the wire per directed link.
    pub fn set_max_in_flight_per_link(&mut self, max: u32) {
        self.max_in_flight_per_link = max.max(1);
    }

    /// The configuration in force for a link.
    pub fn config(&self, link: Link) -> &LinkConfig {
        self.configs.get(&link).unwrap_or(&self.default_config)
    }

    /// Overrides the configuration of one directed link.
    pub fn set_config(&mut self, link: Link, config: LinkConfig) {
        self.configs.insert(link, config);
    }

    /// Changes the configuration of every link without an override.
    pub fn set_default_config(&mut self, config: LinkConfig) {
        self.default_config = config;
    }

    /// Whether the directed link is cut.
    pub fn is_cut(&self, link: Link) -> bool {
        self.cut.contains(&link)
    }

    /// Whether the directed link is held.
    pub fn is_held(&self, link: Link) -> bool {
        self.held.contains(&link)
    }

    /// All cut directed links, in order.
    pub fn cut_links(&self) -> impl Iterator<Item = Link> + '_ {
        self.cut.iter().copied()
    }

    /// All held directed links, in order.
    pub fn held_links(&self) -> impl Iterator<Item = Link> + '_ {
        self.held.iter().copied()
    }

    /// Cuts both directions between `a` and `b`.
    pub fn cut_pair(&mut self, a: NodeId, b: NodeId) {
        self.cut.insert((a, b));
        self.cut.insert((b, a));
    }

    /// Restores both directions between `a` and `b`.
    pub fn heal_pair(&mut self, a: NodeId, b: NodeId) {
        self.cut.remove(&(a, b));
        self.cut.remove(&(b, a));
    }

    /// Cuts every link between nodes of different groups. Nodes in no group keep their links.
    pub fn partition(&mut self, groups: &[Vec<NodeId>]) {
        for (i, g) in groups.iter().enumerate() {
            for h in groups.iter().skip(i + 1) {
                for &a in g {
                    for &b in h {
                        if a != b {
                            self.cut_pair(a, b);
                        }
                    }
                }
            }
        }
    }

    /// Removes every cut of a link from or to `n`.
    pub fn heal_node(&mut self, n: NodeId) {
        self.cut.retain(|(a, b)| *a != n && *b != n);
    }

    /// Removes every cut.
    pub fn heal_all(&mut self) {
        self.cut.clear();
    }

    /// Starts holding the directed link.
    pub fn hold(&mut self, link: Link) {
        self.held.insert(link);
    }

    /// Stops holding the directed link.
    pub fn release(&mut self, link: Link) {
        self.held.remove(&link);
    }

    /// Decides the fate of a message sent now on `link`, drawing from `rng` only for links
    /// with random latency, loss or duplication.
    pub fn route(&mut self, link: Link, now_us: TimeUs, rng: &mut SimRng) -> Route {
        if self.is_cut(link) {
            return Route::Lost(LossReason::LinkCut);
        }
        let max = self.max_in_flight_per_link;
        let st = self.state.entry(link).or_default();
        if st.in_flight >= max {
            return Route::Lost(LossReason::BoundReached);
        }
        let cfg = self.configs.get(&link).unwrap_or(&self.default_config);
        if rng.chance_ppm(cfg.loss_ppm) {
            return Route::Lost(LossReason::RandomLoss);
        }
        let duplicate = rng.chance_ppm(cfg.duplicate_ppm);
        if self.held.contains(&link) {
            // A held message is stored once (no copy), so it counts once on the wire.
            st.in_flight += 1;
            return Route::Hold;
        }
        st.in_flight += 1 + duplicate as u32;
        let (lo, hi, fifo) = (cfg.latency_min_us, cfg.latency_max_us, cfg.fifo);
        let at_us = Self::arrival(st, now_us + rng.range_inclusive(lo, hi), fifo);
        let copy_at_us =
            duplicate.then(|| Self::arrival(st, now_us + rng.range_inclusive(lo, hi), fifo));
        Route::Deliver { at_us, copy_at_us }
    }

    /// Arrival time for a message released from hold now, after any earlier ones.
    pub fn release_time(&mut self, link: Link, now_us: TimeUs, rng: &mut SimRng) -> TimeUs {
        let cfg = self.config(link).clone();
        let st = self.state.entry(link).or_default();
        let lat = rng.range_inclusive(cfg.latency_min_us, cfg.latency_max_us);
        Self::arrival(st, now_us + lat, cfg.fifo)
    }

    /// A message left the wire (delivered, lost on arrival, or dropped by hand).
    pub fn left_wire(&mut self, link: Link) {
        if let Some(st) = self.state.get_mut(&link) {
            st.in_flight = st.in_flight.saturating_sub(1);
        }
    }

    fn arrival(st: &mut LinkState, at_us: TimeUs, fifo: bool) -> TimeUs {
        let at = if fifo {
            at_us.max(st.last_delivery_us)
        } else {
            at_us
        };
        st.last_delivery_us = st.last_delivery_us.max(at);
        at
    }
}
