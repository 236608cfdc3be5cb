//! zk-script goldens with server settings (`"config"`): runs
//! `tests/golden/zk-script/<name>.json` on `scenarios::script_ensemble` and compares with
//! `<name>.out.jsonl`. `UPDATE_GOLDEN=1` rewrites the expected file; review the diff against
//! the sheet and the 3.8 source before committing it.
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};

use zooscope::cluster::zk::scenarios::script_ensemble;
use zooscope::cluster::{ClusterSim, Node};
use zooscope::zk::script::{run, run_script_configured, Script, ScriptSetup};
use zooscope::zk::ClientNode;

fn client_of(n: &Node) -> Option<&ClientNode> {
    n.zk_client()
}

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/zk-script")
}

/// The script's text.
pub fn script_text(name: &str) -> String {
    let input = golden_dir().join(format!("{name}.json"));
    fs::read_to_string(&input).unwrap_or_else(|e| panic!("{}: {e}", input.display()))
}

/// Runs a script's text and also returns the simulation it ran on, to inspect the servers.
pub fn run_keeping_sim(text: &str) -> (Vec<String>, ClusterSim) {
    let script = Script::parse(text).expect("script parses");
    let names = script.client_names();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let setup = ScriptSetup {
        seed: script.seed,
        servers: script.servers,
        clients: &refs,
        flags: &script.flags,
    };
    let mut sim = script_ensemble(&setup);
    let lines = run(&script, &mut sim, client_of).expect("script runs");
    (lines, sim)
}

/// Checks the golden output of script `name`.
pub fn check_golden(name: &str) {
    let text = script_text(name);
    let lines = run_script_configured(&text, script_ensemble, client_of)
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let got = lines.join("\n") + "\n";
    let expected_path = golden_dir().join(format!("{name}.out.jsonl"));
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        fs::write(&expected_path, &got).expect("write golden");
        return;
    }
    let expected = fs::read_to_string(&expected_path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}\nrun with UPDATE_GOLDEN=1 to create it",
            expected_path.display()
        )
    });
    for (i, (a, b)) in expected.lines().zip(got.lines()).enumerate() {
        assert_eq!(a, b, "{name}: line {} differs", i + 1);
    }
    assert_eq!(
        expected.lines().count(),
        got.lines().count(),
        "{name}: line count"
    );
}
