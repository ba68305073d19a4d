//! pgbench for SQLite: the statements of a script, run in turn by concurrent clients (each with
//! its own connection) for a fixed time, with their `:name` variables bound as parameters the way
//! a client binds them. The floor of govgraph's embedded benchmark: what the best SQL costs
//! through a Rust driver with no GraphQL, HTTP or JSON in the way.
//!
//! ```text
//! sqlitebench -c 16 -T 20 -D kind=PERSON -f flat.sql sqlite:///tmp/graph.db
//! ```
//!
//! Prints `transactions`, `tps`, latency percentiles and the rows each transaction returned,
//! one `name = value` per line.

use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Parser;
use sqlx::sqlite::{SqliteArguments, SqliteConnectOptions};
use sqlx::{Arguments, AssertSqlSafe, ConnectOptions, SqliteConnection};
use tokio::task::JoinSet;
use uuid::Uuid;

/// Runs a SQL script against a SQLite database from concurrent clients for a fixed time.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// Concurrent clients, each with its own read-only connection.
    #[arg(short = 'c', long, default_value_t = 1)]
    clients: usize,
    /// Seconds to run for.
    #[arg(short = 'T', long, default_value_t = 10)]
    time: u64,
    /// Seconds of untimed load before the timed run.
    #[arg(short = 'W', long, default_value_t = 0)]
    warmup: u64,
    /// A variable of the script, `NAME=VALUE`, bound wherever `:NAME` appears: as a UUID (a
    /// 16-byte blob, as govgraph stores ids) when it reads as one, an integer when it reads as
    /// one, text otherwise.
    #[arg(short = 'D', long = "define", value_parser = parse_define)]
    defines: Vec<(String, String)>,
    /// The script: statements, each ending with `;` at the end of a line. One run of all of them
    /// is a transaction.
    #[arg(short = 'f', long)]
    file: PathBuf,
    /// The database, as `sqlite://PATH`.
    url: String,
}

fn parse_define(text: &str) -> Result<(String, String), String> {
    let (name, value) = text
        .split_once('=')
        .ok_or_else(|| format!("`{text}` is not NAME=VALUE"))?;
    Ok((name.to_owned(), value.to_owned()))
}

/// A value bound to a variable.
#[derive(Clone, Debug, PartialEq)]
enum Value {
    Uuid(Uuid),
    Integer(i64),
    Text(String),
}

impl Value {
    fn read(text: &str) -> Self {
        if let Ok(id) = Uuid::parse_str(text) {
            Value::Uuid(id)
        } else if let Ok(number) = text.parse() {
            Value::Integer(number)
        } else {
            Value::Text(text.to_owned())
        }
    }
}

/// One statement of the script: its SQL with `?N` parameters, and the value of each.
#[derive(Clone, Debug, PartialEq)]
struct Statement {
    sql: String,
    values: Vec<Value>,
}

impl Statement {
    fn arguments(&self) -> anyhow::Result<SqliteArguments> {
        let mut arguments = SqliteArguments::default();
        for value in &self.values {
            match value {
                Value::Uuid(id) => arguments.add(*id),
                Value::Integer(number) => arguments.add(*number),
                Value::Text(text) => arguments.add(text.clone()),
            }
            .map_err(|error| anyhow::anyhow!("cannot bind {value:?}: {error}"))?;
        }
        Ok(arguments)
    }
}

/// Splits a script into statements and turns each `:name` into a numbered parameter (the same
/// number for each use of a name within a statement). A `::` (a PostgreSQL cast) is left alone.
fn parse_script(script: &str, defines: &[(String, String)]) -> anyhow::Result<Vec<Statement>> {
    let mut statements = Vec::new();
    let mut text = String::new();
    for line in script.lines() {
        text.push_str(line);
        text.push('\n');
        if line.trim_end().ends_with(';') {
            statements.push(bind_variables(&text, defines)?);
            text.clear();
        }
    }
    if !text.trim().is_empty() {
        statements.push(bind_variables(&text, defines)?);
    }
    if statements.is_empty() {
        bail!("the script has no statements");
    }
    Ok(statements)
}

fn bind_variables(text: &str, defines: &[(String, String)]) -> anyhow::Result<Statement> {
    let mut sql = String::with_capacity(text.len());
    let mut names: Vec<&str> = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find(':') {
        sql.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        if let Some(cast) = after.strip_prefix(':') {
            sql.push_str("::");
            rest = cast;
            continue;
        }
        let length = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        let name = &after[..length];
        if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
            sql.push(':');
            rest = after;
            continue;
        }
        let number = match names.iter().position(|known| *known == name) {
            Some(index) => index + 1,
            None => {
                names.push(name);
                names.len()
            }
        };
        sql.push_str(&format!("?{number}"));
        rest = &after[length..];
    }
    sql.push_str(rest);
    let values = names
        .iter()
        .map(|name| {
            defines
                .iter()
                .rev()
                .find(|(defined, _)| defined == name)
                .map(|(_, value)| Value::read(value))
                .with_context(|| format!("the script uses :{name}, which no -D defines"))
        })
        .collect::<anyhow::Result<_>>()?;
    Ok(Statement {
        sql: sql.trim().to_owned(),
        values,
    })
}

/// What one client did in the timed run.
#[derive(Default)]
struct Tally {
    /// Each transaction's latency, in microseconds.
    latencies: Vec<u64>,
    /// Rows the last transaction returned, over all its statements; none before the first.
    rows: usize,
}

/// Runs the script over and over on `connection` until `until`.
async fn run_client(
    connection: &mut SqliteConnection,
    statements: &[Statement],
    until: Instant,
) -> anyhow::Result<Tally> {
    // The script is the operator's own, run as written: its text is the SQL.
    let texts: Vec<Arc<str>> = statements.iter().map(|s| s.sql.as_str().into()).collect();
    let mut tally = Tally::default();
    while Instant::now() < until {
        let began = Instant::now();
        let mut rows = 0;
        for (statement, text) in statements.iter().zip(&texts) {
            rows += sqlx::query_with(AssertSqlSafe(text.clone()), statement.arguments()?)
                .fetch_all(&mut *connection)
                .await
                .with_context(|| format!("running `{}`", statement.sql))?
                .len();
        }
        tally
            .latencies
            .push(u64::try_from(began.elapsed().as_micros()).unwrap_or(u64::MAX));
        tally.rows = rows;
    }
    Ok(tally)
}

/// Every client running the script on its own connection, concurrently, for `seconds`; the
/// connections back, and what each client did.
async fn run_all(
    connections: Vec<SqliteConnection>,
    statements: &Arc<[Statement]>,
    seconds: u64,
) -> anyhow::Result<(Vec<SqliteConnection>, Vec<Tally>)> {
    let until = Instant::now() + Duration::from_secs(seconds);
    let mut clients = JoinSet::new();
    for mut connection in connections {
        let statements = statements.clone();
        clients.spawn(async move {
            let tally = run_client(&mut connection, &statements, until).await;
            (connection, tally)
        });
    }
    let mut connections = Vec::new();
    let mut tallies = Vec::new();
    while let Some(joined) = clients.join_next().await {
        let (connection, tally) = joined?;
        connections.push(connection);
        tallies.push(tally?);
    }
    Ok((connections, tallies))
}

/// The latency at percentile `p` (0 to 100) of sorted latencies, in milliseconds.
fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1] as f64 / 1000.0
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if args.clients == 0 {
        bail!("at least one client is needed");
    }
    let script = std::fs::read_to_string(&args.file)
        .with_context(|| format!("reading {}", args.file.display()))?;
    let statements: Arc<[Statement]> = parse_script(&script, &args.defines)?.into();
    let options = SqliteConnectOptions::from_str(&args.url)?.read_only(true);
    let mut connections = Vec::with_capacity(args.clients);
    for _ in 0..args.clients {
        connections.push(options.connect().await?);
    }
    if args.warmup > 0 {
        (connections, _) = run_all(connections, &statements, args.warmup).await?;
    }
    let began = Instant::now();
    let (_, tallies) = run_all(connections, &statements, args.time).await?;
    let elapsed = began.elapsed().as_secs_f64();
    // Every transaction returns the same rows; a client that finished none has no count.
    let rows = tallies.iter().map(|tally| tally.rows).max().unwrap_or(0);
    let mut latencies: Vec<u64> = tallies
        .into_iter()
        .flat_map(|tally| tally.latencies)
        .collect();
    latencies.sort_unstable();
    println!("clients = {}", args.clients);
    println!("transactions = {}", latencies.len());
    println!("tps = {:.1}", latencies.len() as f64 / elapsed);
    println!("latency p50 ms = {:.3}", percentile(&latencies, 50.0));
    println!("latency p99 ms = {:.3}", percentile(&latencies, 99.0));
    println!("rows per transaction = {rows}");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defines(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect()
    }

    #[test]
    fn variables_become_numbered_parameters_shared_by_each_use_of_a_name() {
        let statements = parse_script(
            "SELECT a FROM t WHERE k = :kind AND n < :limit\n  OR k = :kind;\n",
            &defines(&[("kind", "PERSON"), ("limit", "101")]),
        )
        .unwrap();
        assert_eq!(
            statements,
            vec![Statement {
                sql: "SELECT a FROM t WHERE k = ?1 AND n < ?2\n  OR k = ?1;".into(),
                values: vec![Value::Text("PERSON".into()), Value::Integer(101)],
            }]
        );
    }

    #[test]
    fn a_script_splits_at_semicolons_ending_lines_and_numbers_each_statement_afresh() {
        let statements = parse_script(
            "SELECT :a;\nSELECT ':' || :b,\n  :a;\n",
            &defines(&[("a", "x"), ("b", "67e55044-10b1-426f-9247-bb680e5fe0c8")]),
        )
        .unwrap();
        assert_eq!(statements.len(), 2);
        assert_eq!(statements[0].sql, "SELECT ?1;");
        assert_eq!(statements[1].sql, "SELECT ':' || ?1,\n  ?2;");
        assert_eq!(
            statements[1].values,
            vec![
                Value::Uuid(Uuid::parse_str("67e55044-10b1-426f-9247-bb680e5fe0c8").unwrap()),
                Value::Text("x".into()),
            ]
        );
    }

    #[test]
    fn casts_are_left_alone() {
        let statements = parse_script(
            "SELECT x::text FROM t WHERE a = :a",
            &defines(&[("a", "1")]),
        )
        .unwrap();
        assert_eq!(statements[0].sql, "SELECT x::text FROM t WHERE a = ?1");
    }

    #[test]
    fn a_variable_no_define_gives_is_named_in_the_error() {
        let error = parse_script("SELECT :missing;", &[]).unwrap_err();
        assert!(error.to_string().contains(":missing"), "{error}");
    }

    #[test]
    fn percentiles_are_read_from_the_sorted_latencies() {
        let sorted: Vec<u64> = (1..=100).map(|n| n * 1000).collect();
        assert_eq!(percentile(&sorted, 50.0), 50.0);
        assert_eq!(percentile(&sorted, 99.0), 99.0);
        assert_eq!(percentile(&[], 99.0), 0.0);
    }
}
