//! Golden text traces: the exact output of `zooscope-cli run` for a few seeds, compared line
//! by line with the files in `tests/golden/`.
//!
//! A change in a protocol, the network model or the trace format changes these files on
//! purpose. Look at the first difference the failure shows; if the change is intended,
//! regenerate the files and review the diff before committing:
//!
//! ```sh
//! UPDATE_GOLDEN=1 cargo test --test kernel_golden
//! ```

use std::path::PathBuf;

use zooscope::cluster::runner::{run_trace, RunConfig, ScenarioSource};

fn golden_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name)
}

fn check(file: &str, scenario: &str, cfg: RunConfig) {
    let source = ScenarioSource::resolve(scenario).expect("catalogue scenario");
    let actual = run_trace(&source, cfg).expect("runs").text();
    let path = golden_path(file);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().expect("parent")).expect("golden dir");
        std::fs::write(&path, &actual).expect("write golden file");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {}: {e}; create it with UPDATE_GOLDEN=1",
            path.display()
        )
    });
    if actual != expected {
        let (i, (want, got)) = expected
            .lines()
            .chain(std::iter::repeat("<end of file>"))
            .zip(actual.lines().chain(std::iter::repeat("<end of output>")))
            .enumerate()
            .find(|(_, (a, b))| a != b)
            .expect("a difference");
        panic!(
            "{} differs at line {}:\n  golden: {want}\n  actual: {got}\n\
             If the change is intended: UPDATE_GOLDEN=1 cargo test --test kernel_golden",
            path.display(),
            i + 1
        );
    }
}

#[test]
fn default_scenario_seed_1_matches_its_golden_trace() {
    let cfg = RunConfig {
        seed: 1,
        steps: 200,
        chaos: false,
    };
    check("default-seed-1.txt", "default", cfg);
}

#[test]
fn heartbeat_scenario_seed_1_matches_its_golden_trace() {
    let cfg = RunConfig {
        seed: 1,
        steps: 200,
        chaos: false,
    };
    check("heartbeat-seed-1.txt", "heartbeat", cfg);
}
