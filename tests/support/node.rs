//! Running Node projects under tests/ (tests/node_sdk/, tests/client_sdk/): probing for
//! node and npm, copying a project to a temp dir, `npm ci` of its lock file, and running
//! processes with a time limit and their output collected.

use std::io::Read;
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

const PROBE_TIMEOUT: Duration = Duration::from_secs(15);
/// How long to wait for a finished process's output pipes to close (a killed npm may
/// leave a grandchild holding them).
const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);

/// A finished (or killed) process's exit and output.
pub struct Finished {
    /// `None` when it ran past its time limit and was killed.
    pub status: Option<ExitStatus>,
    pub stdout: String,
    pub stderr: String,
}

impl Finished {
    pub fn ok(&self) -> bool {
        self.status.is_some_and(|s| s.success())
    }

    pub fn describe(&self, limit: Duration) -> String {
        let how = match self.status {
            Some(status) => format!("{status}"),
            None => format!("killed after {limit:?}"),
        };
        format!(
            "{how}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.stdout, self.stderr
        )
    }
}

/// Reads a pipe to the end on a thread; the text arrives on the returned channel.
fn drain(mut pipe: impl Read + Send + 'static) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        let _ = tx.send(String::from_utf8_lossy(&bytes).into_owned());
    });
    rx
}

/// Runs `command` to completion, killing it after `limit`. Never blocks longer than
/// `limit` plus [`DRAIN_TIMEOUT`].
pub fn run_bounded(command: &mut Command, limit: Duration) -> Finished {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {command:?}: {e}"));
    let stdout = drain(child.stdout.take().unwrap());
    let stderr = drain(child.stderr.take().unwrap());
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        thread::sleep(Duration::from_millis(25));
    };
    let collect = |rx: mpsc::Receiver<String>| {
        rx.recv_timeout(DRAIN_TIMEOUT)
            .unwrap_or_else(|_| "(output pipe still held open)".into())
    };
    Finished {
        status,
        stdout: collect(stdout),
        stderr: collect(stderr),
    }
}

/// Whether `program --version` starts and succeeds within [`PROBE_TIMEOUT`].
pub fn available(program: &str) -> bool {
    let Ok(mut child) = Command::new(program)
        .arg("--version")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
    else {
        return false;
    };
    let deadline = Instant::now() + PROBE_TIMEOUT;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return status.success(),
            Ok(None) if Instant::now() < deadline => thread::sleep(Duration::from_millis(25)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return false;
            }
        }
    }
}

/// Copies `tests/<name>/`'s files (not a `node_modules` someone may have installed in the
/// tree) to `to`, and checks the `needed` ones are there.
pub fn copy_project(name: &str, to: &Path, needed: &[&str]) {
    let from = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(name);
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(&from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
    for file in ["package.json", "package-lock.json"].iter().chain(needed) {
        assert!(to.join(file).is_file(), "tests/{name}/{file} is missing");
    }
}

/// What became of `npm ci`.
pub enum Install {
    Done,
    /// It failed and `skip_env` is 1: the test is skipped (already said so).
    Skipped,
}

/// `npm ci` in `project`: exactly the locked versions, no install scripts. A failure fails
/// the test unless `skip_env`=1 (for machines without the npm registry).
pub fn npm_ci(project: &Path, limit: Duration, skip_env: &str) -> Install {
    let install = run_bounded(
        Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--ignore-scripts"])
            .env("npm_config_update_notifier", "false")
            .current_dir(project),
        limit,
    );
    if install.ok() {
        return Install::Done;
    }
    if std::env::var(skip_env).is_ok_and(|v| v == "1") {
        super::skip(&format!(
            "`npm ci` failed and {skip_env}=1: {}",
            install.describe(limit)
        ));
        return Install::Skipped;
    }
    panic!(
        "`npm ci` failed (set {skip_env}=1 to skip this test without the npm registry): {}",
        install.describe(limit)
    );
}
