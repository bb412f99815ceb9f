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
    /// Run the uaCSTA server: registrar for phones (user name = MAC), CSTA dialogs to them, and the
    /// CSTA XML client interface.
    Server {
        /// A YAML configuration file (every setting has a default; see docs/server-config.yaml).
        #[arg(long)]
        config: Option<PathBuf>,
        /// SIP listeners, PROTO:ADDR (udp, tcp or tls); repeat the flag for several.
        #[arg(long = "sip")]
        sip: Vec<String>,
        /// CSTA XML (ECMA-323 Annex J.2) listeners for CTI clients.
        #[arg(long = "csta-xml")]
        csta_xml: Vec<std::net::SocketAddr>,
        /// The digest password every phone registers with (default "uacsta").
        #[arg(long)]
        phone_password: Option<String>,
        /// List unknown phones as pending instead of putting them into operation.
        #[arg(long)]
        no_auto_activate: bool,
        /// Seconds between CSTA keep-alives on each phone's dialog (default 60).
        #[arg(long)]
        keepalive: Option<u64>,
        /// RFC 4028 session interval of the phones' CSTA dialogs, in seconds (default 1800).
        #[arg(long)]
        session_expires: Option<u32>,
        /// The status API address (JSON over HTTP, GET /status; default 127.0.0.1:8080).
        #[arg(long)]
        status: Option<std::net::SocketAddr>,
        /// Log only this phone (by MAC) besides warnings and errors; repeat for several.
        #[arg(long = "log-mac")]
        log_mac: Vec<String>,
        /// error, warn, info (default), debug or trace.
        #[arg(long)]
        log_level: Option<String>,
    },
    /// Work with vendor profiles.
    Profile {
        #[command(subcommand)]
        command: ProfileCommand,
    },
    /// Work with CSTA XML (ECMA-323) messages.
    Csta {
        #[command(subcommand)]
        command: CstaCommand,
    },
}

#[derive(Subcommand, Debug)]
enum ProfileCommand {
    /// Load and validate every profile of a folder (the embedded ones without DIR); errors name the file,
    /// line and field.
    Check { dir: Option<PathBuf> },
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
        Command::Server {
            config,
            sip,
            csta_xml,
            phone_password,
            no_auto_activate,
            keepalive,
            session_expires,
            status,
            log_mac,
            log_level,
        } => {
            let overrides = crate::server_cmd::Overrides {
                log_macs: log_mac,
                log_level,
                sip,
                csta_xml,
                phone_password,
                no_auto_activate,
                keepalive,
                session_expires,
                status,
            };
            server_file(config.as_deref(), overrides)
                .and_then(|file| runtime().and_then(|rt| rt.block_on(crate::server_cmd::run(file))))
        }
        Command::Profile {
            command: ProfileCommand::Check { dir },
        } => profile_check(dir),
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

fn server_file(
    config: Option<&std::path::Path>,
    overrides: crate::server_cmd::Overrides,
) -> anyhow::Result<crate::server_config::ServerFile> {
    let mut file = match config {
        Some(path) => crate::server_config::ServerFile::load(path)?,
        None => crate::server_config::ServerFile::default(),
    };
    overrides.apply(&mut file);
    file.check(config.unwrap_or(std::path::Path::new("command line")))?;
    Ok(file)
}

fn profile_check(dir: Option<PathBuf>) -> anyhow::Result<bool> {
    let result = match &dir {
        Some(dir) => uacsta_simulator::profile::check(dir),
        None => uacsta_simulator::profile::Profiles::embedded()
            .map(|p| p.summary())
            .map_err(|e| e.0),
    };
    match result {
        Ok(summary) => {
            println!("{summary}");
            Ok(true)
        }
        Err(errors) => {
            for e in &errors {
                eprintln!("{e}");
            }
            eprintln!("{} error(s)", errors.len());
            Ok(false)
        }
    }
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}
