//! `zooscope-cli kafka-script <file.json>`: runs a script of Kafka admin, producer and consumer
//! operations and faults against a simulated cluster and prints one JSON object per line
//! (format in `docs/kafka-script.md`). The work is done by `zooscope::cluster::kafka::script`;
//! this file only reads the file and prints.

use std::io::{self, Read, Write};
use std::path::PathBuf;

use clap::Args;
use zooscope::cluster::kafka::script::run_script;

/// Arguments of `kafka-script`.
#[derive(Args, Debug)]
pub struct KafkaScriptArgs {
    /// The script: a JSON file (`-` reads standard input).
    pub file: PathBuf,
}

/// Why `kafka-script` stopped.
#[derive(Debug)]
pub enum KafkaScriptError {
    /// The file could not be read or the script is malformed (exit status 2).
    Usage(String),
    /// Writing the output failed.
    Io(io::Error),
}

/// Reads the script, runs it and writes its lines to `out`.
pub fn run(args: &KafkaScriptArgs, out: &mut dyn Write) -> Result<(), KafkaScriptError> {
    let text = if args.file.as_os_str() == "-" {
        let mut s = String::new();
        io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| KafkaScriptError::Usage(format!("cannot read standard input: {e}")))?;
        s
    } else {
        std::fs::read_to_string(&args.file).map_err(|e| {
            KafkaScriptError::Usage(format!("cannot read {}: {e}", args.file.display()))
        })?
    };
    let lines = run_script(&text).map_err(KafkaScriptError::Usage)?;
    for line in lines {
        writeln!(out, "{line}").map_err(KafkaScriptError::Io)?;
    }
    out.flush().map_err(KafkaScriptError::Io)
}
