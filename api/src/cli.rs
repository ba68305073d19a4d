//! The `govgraph` command.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use govgraph_data::synthetic;
use govgraph_migration::{Migrator, MigratorTrait};
use sea_orm::TransactionTrait as _;

use crate::config::{Config, DatabaseConfig, Profile};
use crate::server::{Readiness, Settings};
use crate::telemetry::{LogFormat, Telemetry};
use crate::{db, server};

/// govgraph: the international GovTech community as a GraphQL knowledge graph.
#[derive(Debug, Parser)]
#[command(name = "govgraph", version, args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,

    #[command(flatten)]
    serve: Config,

    /// How log lines are written to standard error.
    #[arg(
        long,
        global = true,
        env = "GOVGRAPH_LOG_FORMAT",
        value_enum,
        default_value_t
    )]
    log_format: LogFormat,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the API (the default): migrates the database and loads the data set first.
    Serve(Box<Config>),
    /// Apply, revert or list the database migrations.
    Migrate {
        #[command(subcommand)]
        action: MigrateAction,
        #[command(flatten)]
        database: DatabaseConfig,
    },
    /// Print the GraphQL schema: the federation SDL, as `_service { sdl }` serves it.
    PrintSchema,
    /// Validate data files and apply them in one transaction, as an upsert by natural key:
    /// every problem is reported with its file, line and field, and nothing is written unless
    /// every file is valid. Importing the same files twice changes nothing.
    Import {
        /// The data files (TOML; see `data/README.md`).
        #[arg(required_unless_present = "default")]
        files: Vec<std::path::PathBuf>,
        /// Print what would be created, updated, left unchanged and removed; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Also remove what the files' own sources state in the database and the files no
        /// longer do: their citations, and the facts no source states any more.
        #[arg(long)]
        prune: bool,
        /// Import the built-in default data set again (pruned to what it states), before the
        /// files if any are named.
        #[arg(long)]
        default: bool,
        #[command(flatten)]
        database: DatabaseConfig,
    },
    /// Write the whole graph out: in the data-file format (which `import` reads back), as
    /// GraphML, as JSON-LD, or as CSV (one file per kind, and one of the relationships). The
    /// service serves the same at `GET /export/{format}`.
    Export {
        /// The format.
        #[arg(long, value_enum, default_value_t = ExportFormat::Toml)]
        format: ExportFormat,
        /// Where to write: a file (standard output when left out), or for CSV a directory,
        /// created if missing.
        #[arg(long, short)]
        output: Option<std::path::PathBuf>,
        /// For JSON-LD, the public base URL of the service the graph is served by: every node's
        /// `@id` starts with it. Default: that of a service on the default listen address.
        #[arg(long, env = "GOVGRAPH_PUBLIC_URL", value_parser = crate::config::public_url)]
        public_url: Option<String>,
        #[command(flatten)]
        database: DatabaseConfig,
    },
    /// Add a synthetic graph shaped like the real one, for load tests: per unit of scale 3,390
    /// nodes and 10,000 relationships, each cited. Deterministic, and idempotent.
    Generate {
        /// Units of scale, 1 to 100.
        #[arg(long)]
        scale: u32,
        #[command(flatten)]
        database: DatabaseConfig,
    },
}

/// A format `govgraph export` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum ExportFormat {
    /// The data-file format.
    Toml,
    /// GraphML, for Gephi, Cytoscape and networkx.
    Graphml,
    /// JSON-LD: every node's document, as the service's `/id/{kind}/{slug}` describes it.
    Jsonld,
    /// CSV, one file per kind and one of the relationships.
    Csv,
}

#[derive(Debug, Subcommand)]
enum MigrateAction {
    /// Apply pending migrations.
    Up {
        /// Apply only this many.
        #[arg(long)]
        steps: Option<u32>,
    },
    /// Revert applied migrations, the last first.
    Down {
        /// Revert this many.
        #[arg(long, default_value_t = 1)]
        steps: u32,
    },
    /// List the migrations and whether each is applied.
    Status,
}

/// Runs the command line; errors are printed as one line and give a non-zero exit.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("govgraph: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let serves = matches!(cli.command, None | Some(Command::Serve(_)));
    let telemetry = match runtime.block_on(async { Telemetry::install(cli.log_format, serves) }) {
        Ok(telemetry) => telemetry,
        Err(error) => {
            eprintln!("govgraph: {error}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = runtime.block_on(run(cli, &telemetry));
    // Flushing blocks this thread; the runtime's workers still run the gRPC exporter's I/O.
    telemetry.shutdown();
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("govgraph: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli, telemetry: &Telemetry) -> anyhow::Result<()> {
    match cli.command {
        None => serve(cli.serve, telemetry).await,
        Some(Command::Serve(config)) => serve(*config, telemetry).await,
        Some(Command::Migrate { action, database }) => migrate(action, &database).await,
        Some(Command::PrintSchema) => {
            print!("{}", crate::federation_sdl());
            Ok(())
        }
        Some(Command::Generate { scale, database }) => generate(scale, &database).await,
        Some(Command::Export {
            format,
            output,
            public_url,
            database,
        }) => {
            let public_url = public_url.unwrap_or_else(|| {
                crate::config::public_url_of(std::net::SocketAddr::from(([127, 0, 0, 1], 8000)))
            });
            let export = Export {
                format,
                output: output.as_deref(),
                public_url,
                metrics: telemetry.metrics.clone(),
            };
            export.run(&database).await
        }
        Some(Command::Import {
            files,
            dry_run,
            prune,
            default,
            database,
        }) => {
            import(
                &files,
                govgraph_data::Options { dry_run, prune },
                default,
                &database,
            )
            .await
        }
    }
}

/// The URL without its password, for messages.
fn redacted(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            let user = userinfo.split(':').next().unwrap_or_default();
            format!("{}{user}:***{}", &url[..scheme + 3], &url[at..])
        }
        _ => url.to_owned(),
    }
}

/// Opens the database for a command that needs it now, saying plainly why it cannot be opened.
async fn open(database: &DatabaseConfig) -> anyhow::Result<sea_orm::DatabaseConnection> {
    let url = redacted(&database.database_url);
    db::probe(database)
        .await
        .map_err(|unreachable| anyhow::anyhow!("cannot open the database {url}: {unreachable}"))?;
    db::connect(database, None, false)
        .await
        .with_context(|| format!("cannot open the database {url}"))
}

/// Waits for the database, retrying with backoff and saying each new reason once, then
/// migrates it and marks the service ready. Fails when the database is wrong rather than away.
async fn prepare_database(database: DatabaseConfig, readiness: Readiness) -> anyhow::Result<()> {
    let url = redacted(&database.database_url);
    let mut backoff = Duration::from_millis(100);
    let mut said: Option<String> = None;
    loop {
        match db::probe(&database).await {
            Ok(()) => break,
            Err(unreachable) if unreachable.transient => {
                if said.as_deref() != Some(unreachable.reason.as_str()) {
                    tracing::warn!(
                        database = %url,
                        reason = %unreachable.reason,
                        "cannot reach the database; waiting for it (/readyz answers 503 meanwhile)"
                    );
                    said = Some(unreachable.reason);
                }
            }
            Err(unreachable) => {
                anyhow::bail!("cannot open the database {url}: {unreachable}");
            }
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(5));
    }
    if said.is_some() {
        tracing::info!(database = %url, "the database is reachable");
    }
    db::migrate(&database)
        .await
        .context("cannot migrate the database")?;
    readiness.mark_serving();
    Ok(())
}

async fn serve(config: Config, telemetry: &Telemetry) -> anyhow::Result<()> {
    let url = redacted(&config.database.database_url);
    // A database that is wrong, rather than away, stops the service before it listens.
    if let Err(unreachable) = db::probe(&config.database).await
        && !unreachable.transient
    {
        anyhow::bail!("cannot open the database {url}: {unreachable}");
    }
    let db = db::connect(&config.database, Some(config.limits.request_timeout), true)
        .await
        .with_context(|| format!("cannot open the database {url}"))?;
    let readiness = Readiness::starting();
    let observability = &config.observability;
    let settings = Settings {
        limits: config.limits,
        http: config.http,
        access: config.access.clone(),
        metrics: telemetry.metrics.clone(),
        serve_metrics: observability.metrics_on_main(config.listen, config.access.profile),
        trace_documents: observability.trace_documents,
        readiness: readiness.clone(),
        public_url: config.public_url(),
    };
    let admin = match observability.admin_listen {
        Some(listen) => {
            let metrics = observability
                .metrics_on_admin()
                .then(|| telemetry.metrics.clone());
            let admin =
                server::start_admin(listen, db.clone(), metrics, readiness.clone(), config.http)
                    .await
                    .with_context(|| format!("cannot listen on {listen}"))?;
            tracing::info!(address = %admin.addr, "admin routes at http://{}/", admin.addr);
            Some(admin)
        }
        None => None,
    };
    let server = server::start(config.listen, db, settings)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let addr = server.addr;
    match config.access.profile {
        Profile::Development => tracing::info!(
            address = %addr,
            "govgraph is listening: GraphiQL at http://{addr}/, GraphQL at http://{addr}/graphql"
        ),
        Profile::Public => tracing::info!(
            address = %addr,
            "govgraph is listening: GraphQL at http://{addr}/graphql (public profile)"
        ),
    }
    let mut preparing = tokio::spawn(prepare_database(config.database.clone(), readiness.clone()));
    let ready = async {
        match (&mut preparing).await {
            Ok(Ok(())) => {
                tracing::info!(address = %addr, "govgraph is ready");
                std::future::pending::<anyhow::Result<()>>().await
            }
            Ok(Err(error)) => Err(error),
            Err(error) => Err(anyhow::anyhow!("the database task failed: {error}")),
        }
    };
    let failed = tokio::select! {
        () = shutdown_signal() => None,
        Err(error) = ready => Some(error),
    };
    preparing.abort();
    readiness.mark_draining();
    if failed.is_none() && !config.http.shutdown_delay.is_zero() {
        tracing::info!(
            delay_secs = config.http.shutdown_delay.as_secs_f64(),
            "shutting down: /readyz answers 503 while load balancers take note"
        );
        tokio::time::sleep(config.http.shutdown_delay).await;
    }
    tracing::info!("shutting down: finishing the requests in flight");
    let stopped = server.stop().await;
    if let Some(admin) = admin {
        admin
            .stop()
            .await
            .context("the admin listener failed while stopping")?;
    }
    stopped.context("the server failed while stopping")?;
    tracing::info!("server stopped");
    match failed {
        Some(error) => Err(error),
        None => Ok(()),
    }
}

async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let terminate = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut signal) => {
                    signal.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            _ = interrupt => {}
            () = terminate => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
}

async fn generate(scale: u32, database: &DatabaseConfig) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let url = redacted(&database.database_url);
    db::probe(database)
        .await
        .map_err(|unreachable| anyhow::anyhow!("cannot open the database {url}: {unreachable}"))?;
    db::migrate(database)
        .await
        .context("cannot migrate the database")?;
    let db = db::connect_for_load(database)
        .await
        .with_context(|| format!("cannot open the database {url} for loading"))?;
    let transaction = db.begin().await.context("cannot start a transaction")?;
    // Drawn on a terminal only: indicatif hides itself when standard error is not one.
    let progress = indicatif::ProgressBar::new(u64::from(scale)).with_style(
        indicatif::ProgressStyle::with_template(
            "{elapsed_precise} [{bar:40}] {pos}/{len} units of scale, {per_sec}, {eta} left",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let written =
        synthetic::generate_reporting(&transaction, scale, synthetic::Loading::Bulk, |units| {
            progress.set_position(u64::from(units));
        })
        .await?;
    progress.finish_and_clear();
    transaction
        .commit()
        .await
        .context("cannot commit the synthetic graph")?;
    db::close_load(db).await?;
    println!(
        "generated scale {scale}: {} nodes, {} relationships, {} citations inserted in {:.1} s",
        written.nodes,
        written.edges,
        written.citations,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

async fn import(
    paths: &[std::path::PathBuf],
    options: govgraph_data::Options,
    default: bool,
    database: &DatabaseConfig,
) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    // Every file is read and checked for syntax before the database is opened.
    let files = govgraph_data::read_files(paths).map_err(invalid_files)?;
    let db = open(database).await?;
    db::migrate(database)
        .await
        .context("cannot migrate the database")?;
    if default && !options.dry_run {
        let summary = govgraph_data::default::import(&db)
            .await
            .map_err(import_failed)?;
        print!("default data set:\n{summary}");
    }
    if !files.is_empty() {
        let summary = govgraph_data::import(&db, &files, options)
            .await
            .map_err(import_failed)?;
        let done = if options.dry_run {
            "dry run: nothing was written"
        } else {
            "imported"
        };
        print!("{summary}");
        println!(
            "{done}: {} file(s) in {:.1} s",
            files.len(),
            started.elapsed().as_secs_f64()
        );
        if !options.dry_run && !summary.is_empty() {
            govgraph_data::analyze(&db)
                .await
                .context("cannot update the planner's statistics")?;
        }
    }
    Ok(())
}

/// Writes an export's chunks to a file or standard output.
struct Written<W>(W);

impl<W: std::io::Write + Send> govgraph_data::export::Sink for Written<W> {
    async fn write(&mut self, chunk: String) -> Result<(), govgraph_data::export::ExportError> {
        self.0
            .write_all(chunk.as_bytes())
            .map_err(|error| govgraph_data::export::ExportError::Write(error.to_string()))
    }
}

/// What `govgraph export` is asked for.
struct Export<'a> {
    format: ExportFormat,
    /// A file, or for CSV a directory; standard output when left out.
    output: Option<&'a std::path::Path>,
    /// The base of JSON-LD's `@id`s.
    public_url: String,
    /// Where the JSON-LD export's queries are counted.
    metrics: crate::telemetry::Metrics,
}

impl Export<'_> {
    async fn run(self, database: &DatabaseConfig) -> anyhow::Result<()> {
        use govgraph_data::export::Format;

        let db = open(database).await?;
        let pending = Migrator::get_pending_migrations(&db)
            .await
            .context("cannot read the migrations")?;
        if !pending.is_empty() {
            anyhow::bail!(
                "the database is not migrated ({} migration(s) pending): run `govgraph migrate \
                 up`, or start the service on it",
                pending.len()
            );
        }
        let single = match self.format {
            ExportFormat::Toml => Format::Toml,
            ExportFormat::Graphml => Format::Graphml,
            ExportFormat::Jsonld => {
                let mut sink = self.sink()?;
                json_ld(db, self.public_url, self.metrics, &mut sink).await?;
                return sink.finish();
            }
            ExportFormat::Csv => {
                let Some(directory) = self.output else {
                    anyhow::bail!(
                        "CSV is written as one file per table: name a directory with --output"
                    )
                };
                std::fs::create_dir_all(directory)
                    .with_context(|| format!("cannot create {}", directory.display()))?;
                for format in Format::every_csv() {
                    let mut sink = Written(create(&directory.join(format.file_name()))?);
                    govgraph_data::export::export(&db, format, &mut sink).await?;
                    sink.finish()?;
                }
                return Ok(());
            }
        };
        let mut sink = self.sink()?;
        govgraph_data::export::export(&db, single, &mut sink).await?;
        sink.finish()
    }

    /// The file asked for, or standard output.
    fn sink(&self) -> anyhow::Result<Written<Box<dyn std::io::Write + Send>>> {
        Ok(Written(match self.output {
            Some(path) => Box::new(create(path)?),
            None => Box::new(std::io::BufWriter::new(std::io::stdout())),
        }))
    }
}

fn create(path: &std::path::Path) -> anyhow::Result<std::io::BufWriter<std::fs::File>> {
    std::fs::File::create(path)
        .map(std::io::BufWriter::new)
        .with_context(|| format!("cannot create {}", path.display()))
}

impl<W: std::io::Write> Written<W> {
    fn finish(mut self) -> anyhow::Result<()> {
        self.0.flush().context("cannot write the export")
    }
}

/// Every node's JSON-LD document, as the service's linked-data endpoint describes it: the
/// service's own `/export/jsonld`, answered in this process without a listener, so that the
/// file and the endpoint cannot differ.
async fn json_ld(
    db: sea_orm::DatabaseConnection,
    public_url: String,
    metrics: crate::telemetry::Metrics,
    sink: &mut Written<Box<dyn std::io::Write + Send>>,
) -> anyhow::Result<()> {
    use futures_util::StreamExt as _;
    use poem::Endpoint as _;

    let mut settings = Settings::new(crate::config::Limits::default(), metrics);
    settings.public_url = public_url;
    let app = server::app(db, settings).context("cannot describe the graph")?;
    let request = poem::Request::builder()
        .uri(poem::http::Uri::from_static("/export/jsonld"))
        .finish();
    let response = app.get_response(request).await;
    if !response.status().is_success() {
        let status = response.status();
        let body = response.into_body().into_string().await.unwrap_or_default();
        anyhow::bail!("the JSON-LD export failed ({status}): {body}");
    }
    let mut body = response.into_body().into_bytes_stream();
    while let Some(chunk) = body.next().await {
        let chunk = chunk.context("the JSON-LD export failed")?;
        sink.0
            .write_all(&chunk)
            .context("cannot write the export")?;
    }
    Ok(())
}

/// Prints every problem of the files on its own line; the error says how many.
fn invalid_files(problems: govgraph_data::Problems) -> anyhow::Error {
    for problem in problems.iter() {
        eprintln!("{problem}");
    }
    anyhow::anyhow!(
        "{} problem(s) in the data files; nothing was written",
        problems.len()
    )
}

fn import_failed(error: govgraph_data::ImportError) -> anyhow::Error {
    match error {
        govgraph_data::ImportError::Invalid(problems) => invalid_files(problems),
        database @ govgraph_data::ImportError::Database(_) => {
            anyhow::anyhow!("{database}; nothing was written")
        }
    }
}

async fn migrate(action: MigrateAction, database: &DatabaseConfig) -> anyhow::Result<()> {
    let db = open(database).await?;
    match action {
        MigrateAction::Up { steps } => {
            Migrator::up(&db, steps).await.context("migration failed")?
        }
        MigrateAction::Down { steps } => Migrator::down(&db, Some(steps))
            .await
            .context("migration failed")?,
        MigrateAction::Status => {
            for migration in Migrator::get_migration_with_status(&db)
                .await
                .context("cannot read the migrations")?
            {
                println!("{}\t{}", migration.status(), migration.name());
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted_from_database_urls() {
        assert_eq!(
            redacted("postgres://app:s3cret@db:5432/govgraph"),
            "postgres://app:***@db:5432/govgraph"
        );
        assert_eq!(
            redacted("sqlite://govgraph.db?mode=rwc"),
            "sqlite://govgraph.db?mode=rwc"
        );
    }
}
