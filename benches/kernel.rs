//! Kernel benchmark: raw step throughput, the cost of trace lines and digests, `Timeline::seek`
//! latency on a long run, and the memory a timeline holds.
//!
//! A plain binary (`harness = false`) timed with `std::time::Instant`; every figure is the
//! median over several repetitions. Memory is measured, not guessed: a counting global
//! allocator reports the bytes live before and after building a timeline or cloning a world.
//!
//! ```sh
//! cargo bench --bench kernel            # full run
//! cargo bench --bench kernel -- quick   # fewer steps and repetitions
//! ```

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicIsize, Ordering};
use std::time::{Duration, Instant};

use zooscope::cluster::{build, catalogue, BuildOptions, ClusterSim, ClusterTimeline};
use zooscope::sim::{SimRng, TimelineLimits, TraceDigest};

/// The system allocator, counting the bytes currently allocated.
struct Counting;

static LIVE_BYTES: AtomicIsize = AtomicIsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE_BYTES.fetch_add(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE_BYTES.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: `ptr` came from `alloc` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE_BYTES.fetch_add(
            new_size as isize - layout.size() as isize,
            Ordering::Relaxed,
        );
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn live_bytes() -> isize {
    LIVE_BYTES.load(Ordering::Relaxed)
}

struct Plan {
    steps: u64,
    reps: usize,
    seek_run_steps: u64,
    seeks: usize,
}

fn sim(name: &str) -> ClusterSim {
    build(name, &BuildOptions::seed(1)).expect("catalogue scenario builds")
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i]
}

/// Steps per second of `sim.step()` alone, and with a trace line and digest per step.
fn throughput(name: &str, plan: &Plan) {
    let mut raw = Vec::new();
    let mut traced = Vec::new();
    let mut taken = 0;
    for _ in 0..plan.reps {
        let mut s = sim(name);
        let start = Instant::now();
        taken = 0;
        while taken < plan.steps {
            if black_box(s.step()).is_none() {
                break;
            }
            taken += 1;
        }
        raw.push(taken as f64 / start.elapsed().as_secs_f64());

        let mut s = sim(name);
        let mut digest = TraceDigest::default();
        let start = Instant::now();
        for _ in 0..taken {
            let Some(rec) = s.step() else { break };
            digest.add_line(&rec.trace_line(&|id| s.world.label(id)));
        }
        black_box(digest.hex());
        traced.push(taken as f64 / start.elapsed().as_secs_f64());
    }
    println!(
        "{name:<12} {taken:>8} steps   raw {:>10.0} steps/s   with trace+digest {:>10.0} steps/s",
        median(raw),
        median(traced)
    );
}

/// Seek latency on a long timeline with the default limits, and the memory it holds.
fn seek_latency(name: &str, plan: &Plan) {
    let before = live_bytes();
    let start = Instant::now();
    let mut t = ClusterTimeline::new(sim(name), TimelineLimits::default());
    t.seek(plan.seek_run_steps);
    let build_time = start.elapsed();
    let held = live_bytes() - before;
    let end = t.len();

    let one = {
        let s = t.current();
        let before = live_bytes();
        let copy = s.clone();
        let bytes = live_bytes() - before;
        drop(copy);
        bytes
    };

    let mut medians = Vec::new();
    let mut p90s = Vec::new();
    let mut rng = SimRng::new(42);
    for _ in 0..plan.reps {
        let mut lat = Vec::with_capacity(plan.seeks);
        for _ in 0..plan.seeks {
            let target = rng.range_inclusive(t.floor(), end);
            let start = Instant::now();
            t.seek(target);
            lat.push(start.elapsed().as_secs_f64() * 1e6);
        }
        lat.sort_by(f64::total_cmp);
        medians.push(percentile(&lat, 0.5));
        p90s.push(percentile(&lat, 0.9));
    }
    println!(
        "{name:<12} timeline of {end} steps built in {:.0} ms: {} checkpoints, {} records kept",
        build_time.as_secs_f64() * 1e3,
        t.checkpoint_count(),
        end - t.floor(),
    );
    println!(
        "{:<12} seek to a random step: median {:.0} us, p90 {:.0} us ({} seeks x {} reps)",
        "",
        median(medians),
        median(p90s),
        plan.seeks,
        plan.reps
    );
    println!(
        "{:<12} memory held: {:.1} MiB in all; one world+checkers clone {:.1} KiB \
         (x {} checkpoints = {:.1} MiB), records {:.1} MiB",
        "",
        held as f64 / (1 << 20) as f64,
        one as f64 / 1024.0,
        t.checkpoint_count(),
        (one * t.checkpoint_count() as isize) as f64 / (1 << 20) as f64,
        (held - one * t.checkpoint_count() as isize) as f64 / (1 << 20) as f64,
    );
}

fn main() {
    let quick = std::env::args().any(|a| a == "quick");
    let plan = if quick {
        Plan {
            steps: 20_000,
            reps: 3,
            seek_run_steps: 20_000,
            seeks: 50,
        }
    } else {
        Plan {
            steps: 200_000,
            reps: 5,
            seek_run_steps: 100_000,
            seeks: 200,
        }
    };
    let total = Instant::now();
    println!("== step throughput (median of {} runs, seed 1)", plan.reps);
    for name in ["default", "heartbeat"] {
        throughput(name, &plan);
    }
    for info in catalogue() {
        if !["default", "heartbeat"].contains(&info.name) {
            throughput(info.name, &plan);
        }
    }
    println!();
    println!(
        "== Timeline::seek (default limits: {:?})",
        TimelineLimits::default()
    );
    for name in ["default", "heartbeat"] {
        seek_latency(name, &plan);
    }
    let elapsed: Duration = total.elapsed();
    println!();
    println!("bench took {:.1} s", elapsed.as_secs_f64());
}
