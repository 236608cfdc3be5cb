//! `zooscope-cli zk-script <file.json>`: runs a script of client operations and faults
//! against a simulated ensemble and prints one JSON object per line (format in
//! `docs/zk-script.md`). The work is done by `zooscope::zk::script` on the ensemble
//! `cluster::zk::scenarios::script_ensemble` builds; this file only reads the file and prints.

use std::io::{self, Read, Write};
use std::path::PathBuf;

use clap::Args;
use zooscope::cluster::zk::scenarios::script_ensemble;
use zooscope::cluster::Node;
use zooscope::zk::script::run_script_configured;
use zooscope::zk::ClientNode;

/// Arguments of `zk-script`.
#[derive(Args, Debug)]
pub struct ZkScriptArgs {
    /// The script: a JSON file (`-` reads standard input).
    pub file: PathBuf,
}

/// Why `zk-script` stopped.
#[derive(Debug)]
pub enum ZkScriptError {
    /// The file could not be read or the script is malformed (exit status 2).
    Usage(String),
    /// Writing the output failed.
    Io(io::Error),
}

/// The client node inside a cluster node.
fn client_of(n: &Node) -> Option<&ClientNode> {
    n.zk_client()
}

/// Runs the script's text on a fresh ensemble; returns the output lines.
pub fn run_script(text: &str) -> Result<Vec<String>, String> {
    run_script_configured(text, script_ensemble, client_of)
}

/// Reads the script, runs it and writes its lines to `out`.
pub fn run(args: &ZkScriptArgs, out: &mut dyn Write) -> Result<(), ZkScriptError> {
    let text = if args.file.as_os_str() == "-" {
        let mut s = String::new();
        io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| ZkScriptError::Usage(format!("cannot read standard input: {e}")))?;
        s
    } else {
        std::fs::read_to_string(&args.file).map_err(|e| {
            ZkScriptError::Usage(format!("cannot read {}: {e}", args.file.display()))
        })?
    };
    let lines = run_script(&text).map_err(ZkScriptError::Usage)?;
    for line in lines {
        writeln!(out, "{line}").map_err(ZkScriptError::Io)?;
    }
    out.flush().map_err(ZkScriptError::Io)
}
