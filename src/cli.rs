//! Command-line interface (clap). Each subcommand lives in a function of its own; errors are printed with
//! their context and turn into a non-zero exit code.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// uaCSTA server, virtual phone farm and CSTA conformance harness.
#[derive(Parser, Debug)]
#[command(name = "uacsta", version, about, long_about = None, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the main job on embedded defaults: loopback calls over UDP, TCP and TLS through the SIP stack,
    /// then real vendor CSTA messages through the codec in every ECMA-323 edition.
    Demo {
        /// Calls per transport.
        #[arg(long, default_value_t = 500)]
        calls: u64,
        /// Calls started per second.
        #[arg(long, default_value_t = 500.0)]
        rate: f64,
    },
    /// Work with CSTA XML (ECMA-323) messages.
    Csta {
        #[command(subcommand)]
        command: CstaCommand,
    },
}

#[derive(Subcommand, Debug)]
enum CstaCommand {
    /// Decode a CSTA XML file and print it as JSON; exits non-zero with the XML position on failure.
    Decode {
        file: PathBuf,
        /// Report every deviation from ECMA-323 / ECMA-354 (with its XML path).
        #[arg(long)]
        strict: bool,
    },
    /// Encode a JSON message (as `decode` prints it) into ECMA-323 XML.
    Encode {
        /// ed2, ed3, ed4, ed5 or ed6.
        #[arg(long, default_value = "ed5")]
        edition: String,
        file: PathBuf,
    },
}

pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Demo { calls, rate } => runtime().and_then(|rt| {
            rt.block_on(crate::demo::run(&crate::demo::DemoOptions { calls, rate }))
        }),
        Command::Csta { command } => match command {
            CstaCommand::Decode { file, strict } => {
                crate::csta_cmd::decode(&file, strict).map(|_| true)
            }
            CstaCommand::Encode { edition, file } => {
                crate::csta_cmd::encode(&file, &edition).map(|_| true)
            }
        },
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("uacsta: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}
