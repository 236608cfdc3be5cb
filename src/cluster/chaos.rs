//! Random fault plans for sweeps ("swarm testing"): drawn from the seed, scheduled up front.
//!
//! A plan crashes and restarts nodes, partitions the network into random groups, and makes
//! links lossy, duplicating or slow, then heals everything at `heal_at_us` so that
//! eventually-after-heal properties can be checked. The plan uses its own PRNG stream derived
//! from the seed, so it does not disturb the world's.

use crate::sim::{Input, LinkConfig, NodeId, SimRng, TimeUs, MS};

use super::Msg;

/// What a chaos plan may do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChaosConfig {
    /// Nodes that may be crashed and partitioned (e.g. servers, not clients).
    pub targets: Vec<NodeId>,
    /// Faults start after this time (let the system settle first).
    pub start_us: TimeUs,
    /// Everything is healed at this time.
    pub heal_at_us: TimeUs,
    /// Mean gap between faults.
    pub mean_gap_us: TimeUs,
    /// Most targets down at once (e.g. keep a quorum alive, or not).
    pub max_down: usize,
    /// The link behaviour restored on heal.
    pub base_link: LinkConfig,
}

/// Salt that separates the plan's random stream from the world's.
const CHAOS_SALT: u64 = 0x9e37_79b9_7f4a_7c15;

/// Draws a fault plan for `seed`.
pub fn plan(seed: u64, cfg: &ChaosConfig) -> Vec<(TimeUs, Input<Msg>)> {
    let mut rng = SimRng::new(seed ^ CHAOS_SALT);
    let mut out = Vec::new();
    let mut down: Vec<NodeId> = Vec::new();
    let mut t = cfg.start_us;
    let gap = cfg.mean_gap_us.max(MS);
    loop {
        t += rng.range_inclusive(gap / 2, gap * 3 / 2);
        if t >= cfg.heal_at_us || cfg.targets.is_empty() {
            break;
        }
        match rng.below(6) {
            0 | 1 => {
                let up: Vec<NodeId> = cfg
                    .targets
                    .iter()
                    .copied()
                    .filter(|n| !down.contains(n))
                    .collect();
                if down.len() < cfg.max_down {
                    if let Some(&n) = rng.pick(&up) {
                        down.push(n);
                        out.push((t, Input::Crash(n)));
                    }
                }
            }
            2 => {
                if !down.is_empty() {
                    let n = down.remove(rng.below(down.len() as u64) as usize);
                    out.push((t, Input::Restart(n)));
                }
            }
            3 => {
                let mut a = Vec::new();
                let mut b = Vec::new();
                for &n in &cfg.targets {
                    if rng.below(2) == 0 {
                        a.push(n)
                    } else {
                        b.push(n)
                    }
                }
                out.push((t, Input::Partition(vec![a, b])));
            }
            4 => out.push((t, Input::Heal)),
            _ => {
                let link = LinkConfig {
                    loss_ppm: [0, 20_000, 100_000][rng.below(3) as usize],
                    duplicate_ppm: [0, 20_000, 100_000][rng.below(3) as usize],
                    latency_max_us: cfg.base_link.latency_max_us * (1 + rng.below(4)),
                    ..cfg.base_link.clone()
                };
                out.push((t, Input::SetDefaultLink(link)));
            }
        }
    }
    let heal = cfg.heal_at_us;
    out.push((heal, Input::Heal));
    out.push((heal, Input::SetDefaultLink(cfg.base_link.clone())));
    for n in down {
        out.push((heal, Input::Restart(n)));
    }
    out
}
