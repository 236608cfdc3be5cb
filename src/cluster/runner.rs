//! Headless runs and seed sweeps: the logic behind `zooscope-cli run` and `sweep`, shared with
//! the tests so that what CI asserts is exactly what a person reproduces on the command line.
//!
//! A run is (scenario, seed, steps, chaos). The scenario is either a catalogue name or the text
//! of a JSON scenario file ([`ScenarioSource`]); both are plain strings, so a source can cross
//! threads even when the actors it builds cannot (a world is always built inside the thread
//! that steps it). The digest of a run is the SHA-256 of its per-step trace lines
//! ([`TraceDigest`]); end-of-run violations are reported beside it, not hashed.
//!
//! Simplified compared with a real test harness: a sweep runs every seed for the same number
//! of steps and does not shrink a failing fault plan; it prints the command that replays it.

use std::ops::ControlFlow;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use crate::sim::time::fmt_time_us;
use crate::sim::{CheckerInfo, NodeId, TimeUs, TraceDigest, Violation};

use super::scenario::{self, BuildOptions};
use super::spec::ScenarioSpec;
use super::{ClusterSim, Record};

/// Where a scenario comes from: the catalogue or a scenario file's text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScenarioSource {
    /// A catalogue entry, by name.
    Catalogue(&'static scenario::ScenarioInfo),
    /// A JSON scenario file that was read successfully.
    File {
        /// The path as the user gave it (used in reproduction commands).
        path: String,
        /// The file's text.
        text: String,
    },
}

/// Why a run or a sweep could not start: bad user input, explained in one line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunError(pub String);

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RunError {}

impl ScenarioSource {
    /// Resolves a command-line value: an existing file is read as a JSON scenario file,
    /// anything else must be a catalogue name.
    pub fn resolve(arg: &str) -> Result<Self, RunError> {
        let path = Path::new(arg);
        if path.is_file() {
            let text = std::fs::read_to_string(path)
                .map_err(|e| RunError(format!("cannot read scenario file `{arg}`: {e}")))?;
            // Parse now so a malformed file is reported before anything runs.
            ScenarioSpec::parse(&text).map_err(|e| RunError(format!("{arg}: {e}")))?;
            return Ok(ScenarioSource::File {
                path: arg.to_string(),
                text,
            });
        }
        if path.exists() {
            return Err(RunError(format!("`{arg}` is not a scenario file")));
        }
        match scenario::info(arg) {
            Some(info) => Ok(ScenarioSource::Catalogue(info)),
            None if arg.ends_with(".json") || arg.contains('/') => {
                Err(RunError(format!("no such scenario file `{arg}`")))
            }
            None => Err(RunError(format!(
                "unknown scenario `{arg}`; `zooscope-cli scenarios` lists them"
            ))),
        }
    }

    /// How the user names this source on the command line.
    pub fn arg(&self) -> &str {
        match self {
            ScenarioSource::Catalogue(info) => info.name,
            ScenarioSource::File { path, .. } => path,
        }
    }

    /// The suggested number of steps: the catalogue's, or that of the file's base scenario.
    pub fn default_steps(&self) -> u64 {
        const FALLBACK_STEPS: u64 = 2_000;
        match self {
            ScenarioSource::Catalogue(info) => info.default_steps,
            ScenarioSource::File { text, .. } => ScenarioSpec::parse(text)
                .ok()
                .and_then(|spec| scenario::info(&spec.base))
                .map_or(FALLBACK_STEPS, |info| info.default_steps),
        }
    }

    /// Builds a fresh simulation from this source.
    pub fn build(&self, opts: &BuildOptions) -> Result<ClusterSim, RunError> {
        let built = match self {
            ScenarioSource::Catalogue(info) => scenario::build(info.name, opts),
            ScenarioSource::File { text, .. } => scenario::build_from_text(text, opts),
        };
        built.map_err(|e| RunError(format!("{}: {e}", self.arg())))
    }
}

/// What to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunConfig {
    pub seed: u64,
    /// Most steps to take (fewer if the world falls quiet).
    pub steps: u64,
    /// Add the scenario's random fault plan drawn from the seed.
    pub chaos: bool,
}

impl RunConfig {
    fn build_options(&self) -> BuildOptions {
        BuildOptions {
            seed: self.seed,
            chaos: self.chaos,
            servers: None,
        }
    }
}

/// The outcome of a run, without its trace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunSummary {
    /// Steps actually taken.
    pub steps: u64,
    /// Hex SHA-256 over the per-step trace lines.
    pub digest: String,
    /// Violations found after steps, in step order.
    pub violations: Vec<Violation>,
    /// Violations found by the end-of-run checks.
    pub end_violations: Vec<Violation>,
    /// Every checker with its number of violations (steps and end together).
    pub checker_counts: Vec<(CheckerInfo, u64)>,
    /// The Kafka teaching counters at the end of the run (`super::kafka::counters`).
    pub counters: Vec<(&'static str, u64)>,
    /// The most messages on the wire at once after any step, and the first step it happened.
    pub most_in_flight: InFlightPeak,
}

/// The most messages on the wire at once (moving or held) over a run, counted after every
/// step: the number the drawing shows as dots at that step.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct InFlightPeak {
    pub messages: usize,
    /// The first step after which that many were on the wire.
    pub step: u64,
    /// Simulated time of that step.
    pub time_us: TimeUs,
}

impl InFlightPeak {
    /// `most in flight: 312 messages after step 4567 (12.345678s)`.
    pub fn line(&self) -> String {
        format!(
            "most in flight: {} messages after step {} ({})",
            self.messages,
            self.step,
            fmt_time_us(self.time_us)
        )
    }
}

impl RunSummary {
    /// Whether any checker reported anything.
    pub fn has_violations(&self) -> bool {
        !self.violations.is_empty() || !self.end_violations.is_empty()
    }

    /// The first violation: during the run, else at its end.
    pub fn first_violation(&self) -> Option<&Violation> {
        self.violations.first().or(self.end_violations.first())
    }
}

/// A run with its whole text trace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunOutput {
    /// One trace line per step.
    pub lines: Vec<String>,
    /// Hex SHA-256 over `lines`.
    pub digest: String,
    /// Violations found after steps, then those of the end-of-run checks.
    pub violations: Vec<Violation>,
    /// The rest of the outcome.
    pub summary: RunSummary,
}

impl RunOutput {
    /// The text the CLI prints for this run: the trace lines, one line per end-of-run
    /// violation, one `<name>: <n>` line per Kafka teaching counter, and the digest line.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for line in &self.lines {
            out.push_str(line);
            out.push('\n');
        }
        for v in &self.summary.end_violations {
            out.push_str(&end_violation_line(v));
            out.push('\n');
        }
        for (name, n) in &self.summary.counters {
            out.push_str(&format!("{name}: {n}\n"));
        }
        out.push_str(&digest_line(&self.digest));
        out.push('\n');
        out
    }
}

/// How the text output reports a violation found by the end-of-run checks.
pub fn end_violation_line(v: &Violation) -> String {
    format!("end: VIOLATION {}: {}", v.checker, v.message)
}

/// The last line of the text output.
pub fn digest_line(digest: &str) -> String {
    format!("digest: {digest}")
}

/// Runs `source` and calls `on_step` with every record, its trace line and the node labels.
/// This is the streaming form the CLI prints from; [`run_trace`] collects instead. The run
/// ends early (with the end-of-run checks) when `on_step` breaks, e.g. because the reader
/// of the output went away.
pub fn run_each(
    source: &ScenarioSource,
    cfg: RunConfig,
    mut on_step: impl FnMut(&Record, &str, &dyn Fn(NodeId) -> String) -> ControlFlow<()>,
) -> Result<RunSummary, RunError> {
    let mut sim = source.build(&cfg.build_options())?;
    Ok(drive(&mut sim, cfg.steps, |sim, rec| {
        let label = |id: NodeId| sim.world.label(id);
        let line = rec.trace_line(&label);
        let flow = on_step(rec, &line, &label);
        (line, flow)
    }))
}

/// Runs `source` and returns its whole text trace with the digest and violations.
pub fn run_trace(source: &ScenarioSource, cfg: RunConfig) -> Result<RunOutput, RunError> {
    let mut lines = Vec::new();
    let summary = run_each(source, cfg, |_, line, _| {
        lines.push(line.to_string());
        ControlFlow::Continue(())
    })?;
    Ok(RunOutput {
        lines,
        digest: summary.digest.clone(),
        violations: summary
            .violations
            .iter()
            .chain(&summary.end_violations)
            .cloned()
            .collect(),
        summary,
    })
}

/// Steps `sim` up to `steps` times (fewer if the world falls quiet or `line_of` breaks),
/// hashing the line `line_of` makes for each record, then runs the end-of-run checks.
fn drive(
    sim: &mut ClusterSim,
    steps: u64,
    mut line_of: impl FnMut(&ClusterSim, &Record) -> (String, ControlFlow<()>),
) -> RunSummary {
    let mut digest = TraceDigest::default();
    let mut violations = Vec::new();
    let mut taken = 0;
    let mut most = InFlightPeak::default();
    while taken < steps {
        let Some(rec) = sim.step() else { break };
        taken += 1;
        let on_wire = sim.world.in_flight_len();
        if on_wire > most.messages {
            most = InFlightPeak {
                messages: on_wire,
                step: sim.world.steps(),
                time_us: sim.world.now_us(),
            };
        }
        let (line, flow) = line_of(sim, &rec);
        digest.add_line(&line);
        violations.extend(rec.violations);
        if flow.is_break() {
            break;
        }
    }
    let end_violations = sim.finish();
    let checker_counts = sim
        .checker_infos()
        .into_iter()
        .zip(sim.violation_counts.iter().copied())
        .collect();
    RunSummary {
        steps: taken,
        digest: digest.hex(),
        violations,
        end_violations,
        checker_counts,
        counters: super::kafka::counters(&sim.world),
        most_in_flight: most,
    }
}

/// What to sweep.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SweepConfig {
    /// First seed.
    pub from: u64,
    /// Number of seeds (`from..from + seeds`).
    pub seeds: u64,
    /// Steps per seed; `None` for the scenario's default.
    pub steps: Option<u64>,
    /// Worker threads; `None` for the machine's available parallelism.
    pub threads: Option<usize>,
}

/// Progress of a sweep, reported after every finished seed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SweepProgress {
    pub done: u64,
    pub total: u64,
    pub failing: u64,
}

/// A seed on which some checker reported a violation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeedFailure {
    pub seed: u64,
    /// The first violation of the run.
    pub first: Violation,
    /// Number of violations in the run.
    pub violations: u64,
    /// The command that replays this run.
    pub command: String,
}

/// The merged result of a sweep; independent of thread count and scheduling.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SweepReport {
    /// The scenario as given on the command line.
    pub scenario: String,
    pub from: u64,
    pub seeds: u64,
    /// Steps each seed ran for (at most).
    pub steps: u64,
    /// Every checker seen, in the order the scenario lists them, with total violations.
    pub checkers: Vec<(CheckerInfo, u64)>,
    /// Failing seeds in seed order.
    pub failures: Vec<SeedFailure>,
    /// The Kafka teaching counters summed over the seeds, in first-seen order.
    pub counters: Vec<(&'static str, u64)>,
}

impl SweepReport {
    /// Whether any seed failed.
    pub fn failed(&self) -> bool {
        !self.failures.is_empty()
    }
}

/// The command that replays one chaos run.
pub fn repro_command(scenario: &str, seed: u64, steps: u64) -> String {
    let scenario = shell_quote(scenario);
    format!("zooscope-cli run --scenario {scenario} --seed {seed} --steps {steps} --chaos")
}

/// Quotes an argument for a POSIX shell when it holds anything but safe characters.
fn shell_quote(arg: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "-_./:=+,@%".contains(c);
    if !arg.is_empty() && arg.chars().all(safe) {
        arg.to_string()
    } else {
        format!("'{}'", arg.replace('\'', r"'\''"))
    }
}

/// Runs every seed of `cfg` with chaos, on several threads, and merges the outcomes in seed
/// order. `progress` is called (serialised) after each finished seed.
pub fn sweep(
    source: &ScenarioSource,
    cfg: SweepConfig,
    progress: &(dyn Fn(SweepProgress) + Sync),
) -> Result<SweepReport, RunError> {
    let steps = cfg.steps.unwrap_or_else(|| source.default_steps());
    let end = cfg.from.checked_add(cfg.seeds).ok_or_else(|| {
        RunError(format!(
            "seeds {}..{}+{} overflow",
            cfg.from, cfg.from, cfg.seeds
        ))
    })?;
    let total = usize::try_from(cfg.seeds)
        .map_err(|_| RunError(format!("too many seeds: {}", cfg.seeds)))?;
    // Build once up front so that a bad source fails before any thread starts.
    source.build(&BuildOptions {
        seed: cfg.from,
        chaos: true,
        servers: None,
    })?;
    let threads = cfg
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .clamp(1, total.max(1));
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Result<RunSummary, RunError>>>> = Mutex::new(vec![None; total]);
    let counts = Mutex::new(SweepProgress {
        done: 0,
        total: cfg.seeds,
        failing: 0,
    });
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= total {
                    break;
                }
                let run_cfg = RunConfig {
                    seed: cfg.from + i as u64,
                    steps,
                    chaos: true,
                };
                let outcome = source.build(&run_cfg.build_options()).map(|mut sim| {
                    drive(&mut sim, steps, |sim, rec| {
                        let line = rec.trace_line(&|id| sim.world.label(id));
                        (line, ControlFlow::Continue(()))
                    })
                });
                let failed = outcome.as_ref().map_or(true, RunSummary::has_violations);
                lock(&results)[i] = Some(outcome);
                let mut c = lock(&counts);
                c.done += 1;
                c.failing += failed as u64;
                progress(*c);
            });
        }
    });
    let results = results.into_inner().unwrap_or_else(|e| e.into_inner());
    merge(source, cfg.from, end, steps, results)
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn merge(
    source: &ScenarioSource,
    from: u64,
    end: u64,
    steps: u64,
    results: Vec<Option<Result<RunSummary, RunError>>>,
) -> Result<SweepReport, RunError> {
    let mut report = SweepReport {
        scenario: source.arg().to_string(),
        from,
        seeds: end - from,
        steps,
        checkers: Vec::new(),
        failures: Vec::new(),
        counters: Vec::new(),
    };
    for (seed, outcome) in (from..end).zip(results) {
        let run = outcome.ok_or_else(|| RunError(format!("seed {seed} did not run")))??;
        for (info, n) in &run.checker_counts {
            match report
                .checkers
                .iter_mut()
                .find(|(i, _)| i.name == info.name)
            {
                Some((_, total)) => *total += n,
                None => report.checkers.push((*info, *n)),
            }
        }
        for &(name, n) in &run.counters {
            match report.counters.iter_mut().find(|(c, _)| *c == name) {
                Some((_, total)) => *total += n,
                None => report.counters.push((name, n)),
            }
        }
        if let Some(first) = run.first_violation() {
            report.failures.push(SeedFailure {
                seed,
                first: first.clone(),
                violations: (run.violations.len() + run.end_violations.len()) as u64,
                command: repro_command(source.arg(), seed, steps),
            });
        }
    }
    Ok(report)
}
