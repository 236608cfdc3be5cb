//! `zooscope-cli mutants`: for every bug switch — ZooKeeper's ([`Bug`]) then Kafka's
//! ([`KafkaBug`]) — a bounded sweep of its "What if…" scenario (random faults from each seed,
//! as `sweep` runs them), stopping at the first chunk of seeds in which a checker catches the
//! bug. Prints one row per bug — the bug, the checker(s) that caught it, the seeds run until
//! it was first caught, the seeds run — and `caught: <n> of <m>`. A Kafka bug whose What-if
//! scenario has not landed yet is listed as skipped and not counted. Exit status 1 if any bug
//! escaped every checker.

use std::io::{self, BufWriter, Write};

use clap::Args;
use zooscope::cluster::kafka::scenarios::whatif as kafka_whatif;
use zooscope::cluster::runner::{self, ScenarioSource, SweepConfig};
use zooscope::cluster::zk::whatif::scenario_of;
use zooscope::kafka::bugs::KafkaBug;
use zooscope::zk::Bug;

use crate::Failure;

#[derive(Args, Debug)]
#[command(allow_negative_numbers = true)]
pub struct MutantsArgs {
    /// Most seeds to sweep per bug.
    #[arg(long, default_value_t = 200)]
    seeds: u64,
    /// Seeds per sweep round: the sweep of a bug stops after the first round that catches it.
    #[arg(long, default_value_t = 10)]
    chunk: u64,
    /// Only this bug (its kebab-case name) [default: every bug].
    #[arg(long)]
    bug: Option<String>,
    /// Worker threads [default: one per core].
    #[arg(long)]
    threads: Option<usize>,
}

/// A planted bug of either protocol: its name and its What-if scenario, if it has one yet.
#[derive(Clone, Copy)]
struct Mutant {
    name: &'static str,
    scenario: Option<&'static str>,
}

/// Every bug switch, ZooKeeper's then Kafka's.
fn all_mutants() -> Vec<Mutant> {
    let zk = Bug::ALL.iter().map(|b| Mutant {
        name: b.name(),
        scenario: Some(scenario_of(*b)),
    });
    let kafka = KafkaBug::ALL.iter().map(|b| Mutant {
        name: b.name(),
        scenario: kafka_whatif::scenario_of(*b),
    });
    zk.chain(kafka).collect()
}

/// One bug's outcome.
struct Row {
    bug: &'static str,
    /// The checkers that reported violations in the round that first caught it.
    checkers: Vec<&'static str>,
    /// Seeds from the first up to and including the first failing one.
    until_caught: Option<u64>,
    /// Seeds swept.
    total: u64,
    /// The command that replays the first failing seed.
    replay: Option<String>,
}

/// Runs the sweeps and prints the table; returns whether some bug escaped.
pub fn run(args: &MutantsArgs) -> Result<bool, Failure> {
    if args.seeds == 0 || args.chunk == 0 {
        return Err(Failure::Usage(
            "--seeds and --chunk must be at least 1".into(),
        ));
    }
    if args.threads == Some(0) {
        return Err(Failure::Usage("--threads must be at least 1".into()));
    }
    let all = all_mutants();
    let bugs: Vec<Mutant> = match &args.bug {
        None => all,
        Some(name) => vec![all
            .iter()
            .find(|m| m.name == name)
            .copied()
            .ok_or_else(|| {
                let names: Vec<&str> = all.iter().map(|m| m.name).collect();
                Failure::Usage(format!(
                    "unknown bug `{name}`; the bugs are {}",
                    names.join(", ")
                ))
            })?],
    };
    let mut out = BufWriter::new(io::stdout().lock());
    writeln!(
        out,
        "{:<24} {:<40} {:>13} {:>11}",
        "bug", "caught by", "seeds to 1st", "total seeds"
    )?;
    out.flush()?;
    let mut rows = Vec::new();
    let mut skipped = Vec::new();
    for bug in bugs {
        let Some(scenario) = bug.scenario else {
            writeln!(
                out,
                "{:<24} {:<40} {:>13} {:>11}",
                bug.name, "skipped: no What-if scenario yet", "-", 0
            )?;
            skipped.push(bug.name);
            continue;
        };
        let row = sweep_bug(bug.name, scenario, args)?;
        writeln!(
            out,
            "{:<24} {:<40} {:>13} {:>11}",
            row.bug,
            if row.checkers.is_empty() {
                "NOT CAUGHT".to_string()
            } else {
                row.checkers.join(", ")
            },
            row.until_caught.map_or("-".into(), |n| n.to_string()),
            row.total
        )?;
        if let Some(cmd) = &row.replay {
            writeln!(out, "  {cmd}")?;
        }
        out.flush()?;
        rows.push(row);
    }
    let caught = rows.iter().filter(|r| r.until_caught.is_some()).count();
    writeln!(out, "caught: {caught} of {}", rows.len())?;
    if !skipped.is_empty() {
        writeln!(
            out,
            "skipped (no What-if scenario yet): {}",
            skipped.join(", ")
        )?;
    }
    out.flush()?;
    Ok(caught < rows.len())
}

fn sweep_bug(bug: &'static str, scenario: &str, args: &MutantsArgs) -> Result<Row, Failure> {
    let source = ScenarioSource::resolve(scenario)?;
    let mut row = Row {
        bug,
        checkers: Vec::new(),
        until_caught: None,
        total: 0,
        replay: None,
    };
    while row.total < args.seeds {
        let n = args.chunk.min(args.seeds - row.total);
        let cfg = SweepConfig {
            from: row.total,
            seeds: n,
            steps: None,
            threads: args.threads,
        };
        let report = runner::sweep(&source, cfg, &|_| {})?;
        row.total += n;
        if let Some(first) = report.failures.first() {
            row.until_caught = Some(first.seed + 1);
            row.replay = Some(first.command.clone());
            row.checkers = report
                .checkers
                .iter()
                .filter(|(_, n)| *n > 0)
                .map(|(info, _)| info.name)
                .collect();
            break;
        }
    }
    Ok(row)
}
