//! A throwaway PostgreSQL cluster of a test's own, on a free loopback port, that the test may
//! stop and start at will: the shared server is never touched.

use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use sea_orm::ConnectionTrait as _;

/// A PostgreSQL cluster in a temporary directory, stopped and removed when dropped.
pub struct Cluster {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
    running: bool,
    /// Runs PostgreSQL's programs as the `postgres` user when the tests run as root, which
    /// PostgreSQL refuses to run as.
    as_postgres: bool,
}

fn output(command: &mut Command) -> Option<Output> {
    command
        .output()
        .ok()
        .filter(|output| output.status.success())
}

fn text(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

impl Cluster {
    /// Initialises a cluster, stopped. `None` when PostgreSQL's programs are not installed,
    /// after saying so (and failing under CI).
    pub fn create(test: &str) -> Option<Self> {
        let bin = output(Command::new("pg_config").arg("--bindir"))
            .map(|output| PathBuf::from(text(&output)))
            .filter(|bin| bin.join("initdb").is_file() && bin.join("pg_ctl").is_file());
        let missing = bin
            .is_none()
            .then(|| "PostgreSQL's server programs (initdb, pg_ctl) are not installed".to_owned());
        if !crate::helpers::available(test, missing) {
            return None;
        }
        let bin = bin?;
        let root = output(Command::new("id").arg("-u")).is_some_and(|output| text(&output) == "0");
        let dir = tempfile::tempdir().expect("a temporary directory");
        if root {
            let owned = Command::new("chown")
                .args(["postgres:postgres"])
                .arg(dir.path())
                .status()
                .is_ok_and(|status| status.success());
            assert!(
                owned,
                "the cluster's directory could not be given to `postgres`"
            );
        }
        let listener =
            TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).expect("a free port");
        let port = listener.local_addr().expect("an address").port();
        drop(listener);
        let cluster = Self {
            dir,
            bin,
            port,
            running: false,
            as_postgres: root,
        };
        let data = cluster.data();
        cluster.run(
            "initdb",
            &[
                "-D",
                &data,
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        );
        Some(cluster)
    }

    fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// One of PostgreSQL's programs, to run as the user that may run it.
    fn command(&self, program: &str) -> Command {
        let program = self.bin.join(program);
        if self.as_postgres {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(&program);
            command
        } else {
            Command::new(&program)
        }
    }

    /// Runs one of PostgreSQL's programs, which must succeed.
    fn run(&self, program: &str, args: &[&str]) {
        let done = self
            .command(program)
            .args(args)
            .output()
            .expect("the program runs");
        assert!(
            done.status.success(),
            "{program} failed: {}{}",
            String::from_utf8_lossy(&done.stdout),
            String::from_utf8_lossy(&done.stderr)
        );
    }

    /// Starts the cluster on its port and waits until it accepts connections.
    pub fn start(&mut self) {
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -k {} -c fsync=off -c max_connections=40",
            self.port,
            self.path().display()
        );
        let log = self.path().join("postgres.log").display().to_string();
        self.run(
            "pg_ctl",
            &[
                "-D",
                &self.data(),
                "-l",
                &log,
                "-w",
                "-t",
                "60",
                "-o",
                &options,
                "start",
            ],
        );
        self.running = true;
    }

    /// Stops the cluster, ending every connection to it, and waits until it has stopped.
    pub fn stop(&mut self) {
        self.run(
            "pg_ctl",
            &["-D", &self.data(), "-m", "fast", "-w", "-t", "60", "stop"],
        );
        self.running = false;
    }

    /// The URL of `database` on the cluster.
    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    /// Creates `database` on the running cluster.
    pub async fn create_database(&self, database: &str) {
        let admin = sea_orm::Database::connect(self.url("postgres"))
            .await
            .expect("the cluster answers");
        admin
            .execute_unprepared(&format!("CREATE DATABASE {database}"))
            .await
            .expect("database created");
        admin.close().await.expect("closed");
    }

    /// The first column of the first row of `sql`, a count, on `database`.
    pub async fn count(&self, database: &str, sql: &str) -> i64 {
        let db = sea_orm::Database::connect(self.url(database))
            .await
            .expect("the cluster answers");
        let row = db
            .query_one_raw(sea_orm::Statement::from_string(
                sea_orm::DatabaseBackend::Postgres,
                sql,
            ))
            .await
            .expect("statement runs")
            .expect("a row");
        let count: i64 = row.try_get_by_index(0).expect("a count");
        db.close().await.expect("closed");
        count
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if self.running {
            let data = self.data();
            let _ = self
                .command("pg_ctl")
                .args(["-D", &data, "-m", "immediate", "-w", "stop"])
                .output();
        }
    }
}
