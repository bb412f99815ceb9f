//! The `uacsta` command: one binary for the server, the farm, the conformance harness and the tools.

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    cli::run()
}
