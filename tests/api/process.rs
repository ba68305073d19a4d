//! The `govgraph` binary run as operators run it, in a process of its own on a loopback port.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// How long the service may take to start or to stop.
const PATIENCE: Duration = Duration::from_secs(60);

/// A running `govgraph serve`, killed if the test ends without stopping it.
pub struct Service {
    child: Option<Child>,
    pub addr: SocketAddr,
    logs: Arc<Mutex<Vec<serde_json::Value>>>,
    reader: Option<JoinHandle<()>>,
}

/// A service that has exited: how, and every line it logged.
pub struct Stopped {
    pub status: ExitStatus,
    pub logs: Vec<serde_json::Value>,
}

impl Service {
    /// Starts `govgraph serve` on `database_url` with JSON logs, extra `envs`, and no `OTEL_*`
    /// variable but those in `envs`; returns once it is ready to serve.
    pub fn start(database_url: &str, envs: &[(&str, &str)]) -> Self {
        Self::start_until(database_url, envs, "govgraph is ready")
    }

    /// Starts `govgraph serve` as [`Service::start`] does, and returns once it has logged a line
    /// containing `line` with its address.
    pub fn start_until(database_url: &str, envs: &[(&str, &str)], line: &str) -> Self {
        let mut command = Command::new(env!("CARGO_BIN_EXE_govgraph"));
        for (name, _) in std::env::vars() {
            if name.starts_with("OTEL_") || name.starts_with("GOVGRAPH_") || name == "RUST_LOG" {
                command.env_remove(name);
            }
        }
        let mut child = command
            .arg("serve")
            .env("GOVGRAPH_DATABASE_URL", database_url)
            .env("GOVGRAPH_LISTEN", "127.0.0.1:0")
            .env("GOVGRAPH_LOG_FORMAT", "json")
            .envs(envs.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("govgraph starts");
        let stderr = child.stderr.take().expect("stderr is piped");
        let logs = Arc::new(Mutex::new(Vec::new()));
        let (listening, address) = mpsc::channel::<SocketAddr>();
        let kept = logs.clone();
        let awaited = line.to_owned();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let Ok(line) = serde_json::from_str::<serde_json::Value>(&line) else {
                    eprintln!("govgraph: {line}");
                    continue;
                };
                if line["message"]
                    .as_str()
                    .is_some_and(|m| m.contains(awaited.as_str()))
                    && let Some(addr) = line["address"].as_str().and_then(|a| a.parse().ok())
                {
                    let _ = listening.send(addr);
                }
                kept.lock().unwrap().push(line);
            }
        });
        let addr = match address.recv_timeout(PATIENCE) {
            Ok(addr) => addr,
            Err(error) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("govgraph did not start listening: {error}");
            }
        };
        Self {
            child: Some(child),
            addr,
            logs,
            reader: Some(reader),
        }
    }

    /// The URL of `path` on the service.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// The log lines read so far, as JSON: those of start-up at least.
    pub fn logs_so_far(&self) -> Vec<serde_json::Value> {
        self.logs.lock().unwrap().clone()
    }

    /// Sends SIGTERM, as an orchestrator does, without waiting for the process to exit.
    pub fn signal_terminate(&self) {
        let pid = self
            .child
            .as_ref()
            .expect("the process is running")
            .id()
            .to_string();
        let sent = Command::new("kill").args(["-TERM", &pid]).status();
        assert!(
            sent.is_ok_and(|status| status.success()),
            "SIGTERM not delivered to {pid}"
        );
    }

    /// Sends SIGTERM, as an orchestrator does, waits for the process to exit, and returns
    /// every line it logged.
    pub fn terminate(self) -> Stopped {
        self.signal_terminate();
        self.wait()
    }

    /// Waits for the process to exit, and returns every line it logged.
    pub fn wait(mut self) -> Stopped {
        let mut child = self.child.take().expect("the process is running");
        let pid = child.id().to_string();
        let (exited, status) = mpsc::channel();
        std::thread::spawn(move || {
            let _ = exited.send(child.wait());
        });
        let status = match status.recv_timeout(PATIENCE) {
            Ok(status) => status.expect("govgraph exits"),
            Err(_) => {
                let _ = Command::new("kill").args(["-KILL", &pid]).status();
                panic!("govgraph did not exit within {PATIENCE:?} of SIGTERM");
            }
        };
        // The reader ends when the process's stderr closes: every line is in.
        if let Some(reader) = self.reader.take() {
            reader.join().expect("the log reader ends");
        }
        Stopped {
            status,
            logs: self.logs.lock().unwrap().clone(),
        }
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
