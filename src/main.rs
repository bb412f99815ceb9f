//! The `uacsta` command: one binary for the server, the farm, the conformance harness and the tools.

mod cli;
mod csta_cmd;
mod csta_demo;
mod demo;
mod server_cmd;
mod server_config;

use std::process::ExitCode;

fn main() -> ExitCode {
    cli::run()
}
