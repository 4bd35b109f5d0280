//! `connect-scim`: `serve` (the SCIM service, on an embedded simulated Connect
//! when no instance is configured), `simulate` (the Connect simulator alone) and
//! `check` (verify a deployment's configuration against Connect). Inside AWS
//! Lambda (`AWS_LAMBDA_RUNTIME_API` set) it serves the SCIM API through
//! lambda_http whatever the arguments: the runtime starts `bootstrap` with none.

use std::net::SocketAddr;

use anyhow::Context;
use clap::{CommandFactory, Parser, Subcommand};
use tokio::net::TcpListener;

use connect_scim::app::{self, Target};
use connect_scim::config::Config;
use connect_scim::connect::simulator::{self, SimulatorConfig};
use connect_scim::{check, drift, http, lambda, logging, secrets, serve as server};

#[derive(Parser)]
#[command(
    name = "connect-scim",
    version,
    about = "SCIM 2.0 provisioning for Amazon Connect"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the SCIM API (Amazon Connect when CONNECT_INSTANCE_ID is set, else an embedded simulator).
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080", env = "LISTEN")]
        listen: SocketAddr,
    },
    /// Run the Amazon Connect simulator alone (a fake Connect endpoint).
    Simulate {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8081")]
        listen: SocketAddr,
        #[command(flatten)]
        simulator: SimulatorConfig,
    },
    /// Verify the AWS credentials, the instance, the configured profiles and the
    /// permissions the service needs; exits non-zero if any check fails.
    Check,
    /// Report SCIM-managed agents changed in Connect behind SCIM's back, users SCIM
    /// does not manage, and managed users whose profiles are gone. Exit code 0 when
    /// clean, 1 when drift was found, 2 on error.
    Drift {
        /// The report as one JSON document on stdout.
        #[arg(long)]
        json: bool,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let config = Config::from_env().context("reading configuration from the environment")?;
    logging::init(config.log_json);
    if lambda::in_lambda() {
        return lambda::run(config).await;
    }
    match cli.command {
        Some(Command::Serve { listen }) => serve(config, listen).await,
        Some(Command::Simulate { listen, simulator }) => simulator::run(simulator, listen).await,
        Some(Command::Check) => {
            let report = check::run(config).await?;
            let (failed, total) = (report.failures(), report.outcomes.len());
            if failed > 0 {
                anyhow::bail!("{failed} of {total} checks failed");
            }
            println!("all {total} checks passed");
            Ok(())
        }
        Some(Command::Drift { json }) => {
            let code = match drift_report(config, json).await {
                Ok(true) => 1,
                Ok(false) => 0,
                Err(e) => {
                    eprintln!("Error: {e:#}");
                    2
                }
            };
            std::process::exit(code)
        }
        None => Cli::command()
            .error(
                clap::error::ErrorKind::MissingSubcommand,
                "a command is required (serve, simulate, check or drift)",
            )
            .exit(),
    }
}

/// Runs `drift` against the configured instance, prints the report; whether
/// drift was found.
async fn drift_report(config: Config, json: bool) -> anyhow::Result<bool> {
    let target = Target::from_config(&config);
    let built = app::build(config, target).await?;
    let report = drift::run(&built.app).await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", report.to_text());
    }
    Ok(report.drifted())
}

async fn serve(mut config: Config, listen: SocketAddr) -> anyhow::Result<()> {
    secrets::add_secret_tokens(&mut config).await?;
    let generated = if config.bearer_tokens.is_empty() {
        let token = generate_token();
        config.bearer_tokens = vec![token.clone()];
        Some(token)
    } else {
        None
    };
    let limits = config.serve;
    let target = Target::from_config(&config);
    let built = app::build(config, target).await?;
    app::check_profiles(&built.app).await.context(
        "the configured Amazon Connect profiles could not be resolved (run `connect-scim check` for details)",
    )?;
    let listener = TcpListener::bind(listen)
        .await
        .with_context(|| format!("binding {listen}"))?;
    let addr = listener.local_addr()?;
    if let Some(warning) = server::exposure_warning(addr) {
        tracing::warn!("{warning}");
        eprintln!("{warning}");
    }
    println!("connect-scim is serving SCIM 2.0");
    println!("  SCIM base URL:  http://{addr}{}", http::BASE_PATH);
    match &generated {
        Some(token) => {
            println!("  Bearer token:   {token}   (generated; set SCIM_BEARER_TOKEN to choose one)")
        }
        None => println!(
            "  Bearer token:   from SCIM_BEARER_TOKEN / SCIM_TOKEN_SECRET_ARN ({} accepted)",
            built.app.tokens.len()
        ),
    }
    println!("  Amazon Connect: {}", built.app.connect_description);
    println!(
        "  Try: curl -H \"Authorization: Bearer <token>\" http://{addr}{}/Users",
        http::BASE_PATH
    );
    let router = http::router(built.app.clone());
    server::run(listener, router, limits, shutdown_signal()).await;
    drop(built.simulator);
    Ok(())
}

/// A random 256-bit token, URL-safe base64 (no commas, so it never splits).
fn generate_token() -> String {
    use base64::Engine;
    let bytes: [u8; 32] = rand::random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}
