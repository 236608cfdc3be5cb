//! `zooscope-cli`: the simulator without a browser.
//!
//! * `scenarios`: the catalogue, one `name<TAB>kind<TAB>title` line per entry.
//! * `run`: one trace line (or JSON object) per step, then `digest: <sha256>` over the text
//!   trace, whatever the format, so two runs can be compared by their last line. With
//!   `--in-flight`, a line before the digest gives the most messages on the wire at once
//!   and the step after which it first happened (`most in flight: 312 messages after step
//!   …`), the number of dots the drawing shows there.
//! * `sweep`: many seeds with random fault plans, a violation count per checker, and the
//!   command that replays each failing seed.
//! * `zk-script`: ZooKeeper client operations and faults from a JSON file, one JSON line per
//!   outcome, watch event and state change (`docs/zk-script.md`).
//!
//! * `kafka-script`: Kafka admin, producer and consumer operations and faults from a JSON
//!   file, one JSON line per op (`docs/kafka-script.md`).
//!
//! * `mutants`: for every bug switch, a bounded sweep of its "What if…" scenario and which
//!   checker caught it (`caught: <n> of <m>`).
//!
//! Exit status: 0 when no checker reported a violation, 1 when one did, 2 for bad input
//! (unknown scenario, unreadable or malformed file, bad numbers), with a one-line message.

mod json;
mod kafka_script;
mod mutants;
mod progress;
mod zk_script;

use std::io::{self, BufWriter, Write};
use std::ops::ControlFlow;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use zooscope::cluster::catalogue;
use zooscope::cluster::runner::{self, RunConfig, RunError, ScenarioSource, SweepConfig};
use zooscope::sim::time::fmt_time_us;
use zooscope::sim::Violation;

use progress::ProgressBar;

/// Watch and break a simulated ZooKeeper ensemble, headless.
#[derive(Parser, Debug)]
#[command(name = "zooscope-cli", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Lists the scenarios and lessons: `name<TAB>kind<TAB>title`.
    Scenarios,
    /// Runs one scenario and prints its trace, ending with the trace digest.
    Run(RunArgs),
    /// Runs many seeds with random faults and counts violations per checker.
    Sweep(SweepArgs),
    /// Runs a script of ZooKeeper client operations and faults (docs/zk-script.md) and prints
    /// one JSON line per outcome, watch event and state change.
    ZkScript(zk_script::ZkScriptArgs),
    /// Runs a script of Kafka topic, produce and consume operations and faults
    /// (docs/kafka-script.md) and prints one JSON line per op.
    KafkaScript(kafka_script::KafkaScriptArgs),
    /// Sweeps each bug switch's "What if…" scenario and prints which checker caught it, after
    /// how many seeds, ending with `caught: <n> of <m>`.
    Mutants(mutants::MutantsArgs),
}

// Negative numbers are parsed (and rejected as numbers) rather than taken for flags.
#[derive(Args, Debug)]
#[command(allow_negative_numbers = true)]
struct RunArgs {
    /// A catalogue name, or the path of a JSON scenario file.
    #[arg(long)]
    scenario: String,
    /// The seed of the run's randomness.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Most steps to take [default: the scenario's suggested length].
    #[arg(long)]
    steps: Option<u64>,
    /// Output format of the trace.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Add the scenario's random fault plan (drawn from the seed), as a sweep does.
    #[arg(long)]
    chaos: bool,
    /// Also print the most messages on the wire at once and the step it first happened,
    /// before the digest line.
    #[arg(long)]
    in_flight: bool,
}

#[derive(Args, Debug)]
#[command(allow_negative_numbers = true)]
struct SweepArgs {
    /// A catalogue name, or the path of a JSON scenario file.
    #[arg(long, alias = "scenarios")]
    scenario: String,
    /// Number of seeds to run.
    #[arg(long)]
    seeds: u64,
    /// First seed.
    #[arg(long, default_value_t = 0)]
    from: u64,
    /// Steps per seed [default: the scenario's suggested length].
    #[arg(long)]
    steps: Option<u64>,
    /// Worker threads [default: one per core].
    #[arg(long)]
    threads: Option<usize>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    /// The trace lines the digest is made of.
    Text,
    /// One JSON object per line (JSON Lines).
    Json,
}

/// Why the program stops.
enum Failure {
    /// Bad input: exit status 2.
    Usage(String),
    /// Writing the output failed.
    Io(io::Error),
}

impl From<RunError> for Failure {
    fn from(e: RunError) -> Self {
        Failure::Usage(e.0)
    }
}

impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Self {
        Failure::Io(e)
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            // --help and --version.
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("zooscope-cli: {}", one_line(&e.render().to_string()));
            return ExitCode::from(2);
        }
    };
    let outcome = match cli.command {
        Command::Scenarios => scenarios().map(|()| false),
        Command::Run(args) => run(&args),
        Command::Sweep(args) => sweep(&args),
        Command::Mutants(args) => mutants::run(&args),
        Command::ZkScript(args) => zk_script::run(&args, &mut io::stdout().lock())
            .map(|()| false)
            .map_err(|e| match e {
                zk_script::ZkScriptError::Usage(m) => Failure::Usage(m),
                zk_script::ZkScriptError::Io(e) => Failure::Io(e),
            }),
        Command::KafkaScript(args) => kafka_script::run(&args, &mut io::stdout().lock())
            .map(|()| false)
            .map_err(|e| match e {
                kafka_script::KafkaScriptError::Usage(m) => Failure::Usage(m),
                kafka_script::KafkaScriptError::Io(e) => Failure::Io(e),
            }),
    };
    match outcome {
        Ok(false) => ExitCode::SUCCESS,
        Ok(true) => ExitCode::from(1),
        // The reader went away (`| head`): not an error of ours.
        Err(Failure::Io(e)) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(Failure::Io(e)) => {
            eprintln!("zooscope-cli: cannot write output: {e}");
            ExitCode::from(2)
        }
        Err(Failure::Usage(msg)) => {
            eprintln!("zooscope-cli: {msg}");
            ExitCode::from(2)
        }
    }
}

/// Clap's error text up to its first blank line, on one line.
fn one_line(rendered: &str) -> String {
    let text = rendered
        .lines()
        .take_while(|l| !l.trim().is_empty())
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ");
    text.strip_prefix("error: ").unwrap_or(&text).to_string()
}

fn scenarios() -> Result<(), Failure> {
    let mut out = BufWriter::new(io::stdout().lock());
    for s in catalogue() {
        writeln!(out, "{}\t{}\t{}", s.name, s.kind.as_str(), s.title)?;
    }
    out.flush()?;
    Ok(())
}

/// Prints the trace; returns whether a checker reported a violation.
fn run(args: &RunArgs) -> Result<bool, Failure> {
    let source = ScenarioSource::resolve(&args.scenario)?;
    let cfg = RunConfig {
        seed: args.seed,
        steps: args.steps.unwrap_or_else(|| source.default_steps()),
        chaos: args.chaos,
    };
    let mut out = BufWriter::with_capacity(1 << 16, io::stdout().lock());
    let mut write_err = None;
    let summary = runner::run_each(&source, cfg, |rec, line, label| {
        let written = match args.format {
            Format::Text => writeln!(out, "{line}"),
            Format::Json => writeln!(out, "{}", json::record_json(rec, label)),
        };
        match written {
            Ok(()) => ControlFlow::Continue(()),
            Err(e) => {
                write_err = Some(e);
                ControlFlow::Break(())
            }
        }
    })?;
    if let Some(e) = write_err {
        return Err(e.into());
    }
    match args.format {
        Format::Text => {
            for v in &summary.end_violations {
                writeln!(out, "{}", runner::end_violation_line(v))?;
            }
            for (name, n) in &summary.counters {
                writeln!(out, "{name}: {n}")?;
            }
            if args.in_flight {
                writeln!(out, "{}", summary.most_in_flight.line())?;
            }
            writeln!(out, "{}", runner::digest_line(&summary.digest))?;
        }
        Format::Json => {
            for v in &summary.end_violations {
                let v = serde_json::to_value(v).unwrap_or_default();
                writeln!(out, "{}", serde_json::json!({ "end_violation": v }))?;
            }
            for (name, n) in &summary.counters {
                writeln!(
                    out,
                    "{}",
                    serde_json::json!({ "counter": name, "value": n })
                )?;
            }
            if args.in_flight {
                let m = summary.most_in_flight;
                let peak = serde_json::json!({
                    "most_in_flight": m.messages, "step": m.step, "time_us": m.time_us
                });
                writeln!(out, "{peak}")?;
            }
            let last = serde_json::json!({ "steps": summary.steps, "digest": summary.digest });
            writeln!(out, "{last}")?;
        }
    }
    out.flush()?;
    Ok(summary.has_violations())
}

/// Prints the sweep report; returns whether any seed failed.
fn sweep(args: &SweepArgs) -> Result<bool, Failure> {
    if args.seeds == 0 {
        return Err(Failure::Usage("--seeds must be at least 1".into()));
    }
    if args.threads == Some(0) {
        return Err(Failure::Usage("--threads must be at least 1".into()));
    }
    let source = ScenarioSource::resolve(&args.scenario)?;
    let cfg = SweepConfig {
        from: args.from,
        seeds: args.seeds,
        steps: args.steps,
        threads: args.threads,
    };
    let bar = ProgressBar::stderr();
    let report = runner::sweep(&source, cfg, &|p| bar.update(p));
    bar.finish();
    let report = report?;
    let mut out = BufWriter::new(io::stdout().lock());
    writeln!(
        out,
        "sweep: {} seeds {}..{}, {} steps each, with chaos",
        report.scenario,
        report.from,
        report.from + report.seeds,
        report.steps
    )?;
    for (info, n) in &report.checkers {
        writeln!(out, "{}: {} violations", info.name, n)?;
    }
    for (name, n) in &report.counters {
        writeln!(out, "{name}: {n}")?;
    }
    writeln!(
        out,
        "{} of {} seeds failing",
        report.failures.len(),
        report.seeds
    )?;
    for f in &report.failures {
        writeln!(out, "seed {}: {}", f.seed, describe(&f.first))?;
        writeln!(out, "  {}", f.command)?;
    }
    out.flush()?;
    Ok(report.failed())
}

fn describe(v: &Violation) -> String {
    format!(
        "{} at step {} ({}): {}",
        v.checker,
        v.step,
        fmt_time_us(v.time_us),
        v.message
    )
}
