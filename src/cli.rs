//! Command-line interface (clap). Each subcommand lives in a function of its own; errors are printed with
//! their context and turn into a non-zero exit code.

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
enum Command {}

pub fn run() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {}
}
