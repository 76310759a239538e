//! The binary's servers as child processes: `vonage-onboard sandbox` and `vonage-onboard token
//! serve`, started, their banner lines read, killed (and their logs removed) on drop; a home
//! onboarded against the sandbox through the commands.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long a server may take to print its banner.
const START_TIMEOUT: Duration = Duration::from_secs(15);

/// A child whose stdout lines arrive on a channel (drained in the background so the pipe
/// stays open) and whose stderr goes to a log file shown on failure. Killed when dropped.
pub struct Background {
    child: Child,
    lines: mpsc::Receiver<String>,
    stderr_log: PathBuf,
}

impl Background {
    /// Spawns `command` with stdin closed.
    pub fn spawn(mut command: Command) -> Background {
        let stderr_log = std::env::temp_dir().join(format!(
            "vonage-onboard-child-{}.log",
            uuid::Uuid::new_v4().simple()
        ));
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&stderr_log).unwrap())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                // The receiver may stop listening; keep draining regardless.
                let _ = tx.send(line);
            }
        });
        Background {
            child,
            lines,
            stderr_log,
        }
    }

    /// What the child logged on stderr so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.stderr_log).unwrap_or_default()
    }

    /// The next stdout line within `limit`, or `None`.
    pub fn next_line(&self, limit: Duration) -> Option<String> {
        self.lines.recv_timeout(limit).ok()
    }

    /// Reads the banner: one `name: value` line per name, in order, within the start time
    /// limit; panics (the child is killed on drop) with its stderr when one is missing.
    pub fn banner(&self, what: &str, names: &[&str]) -> Vec<String> {
        let deadline = Instant::now() + START_TIMEOUT;
        names
            .iter()
            .map(|name| {
                let left = deadline.saturating_duration_since(Instant::now());
                let line = self.lines.recv_timeout(left).unwrap_or_else(|e| {
                    panic!(
                        "no `{name}:` line from `{what}` ({e}); stderr: {}",
                        self.log()
                    )
                });
                line.strip_prefix(&format!("{name}: "))
                    .unwrap_or_else(|| panic!("expected `{name}: ...`, got {line:?}"))
                    .to_owned()
            })
            .collect()
    }

    /// Sends a signal (`-INT`, `-TERM`) to the child by its id.
    pub fn signal(&self, signal: &str) {
        let _ = Command::new("kill")
            .args([signal, &self.child.id().to_string()])
            .status();
    }

    /// Waits at most `limit` for the child to exit.
    pub fn exit_within(&mut self, limit: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + limit;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.stderr_log);
    }
}

/// `vonage-onboard sandbox` in the background; killed (and its log removed) when dropped.
pub struct SandboxProcess {
    process: Background,
    pub url: String,
    pub api_key: String,
    pub api_secret: String,
}

impl SandboxProcess {
    /// What the sandbox logged, for failure messages.
    pub fn log(&self) -> String {
        self.process.log()
    }

    /// The binary with a clean environment: `home` as its home, this sandbox as its API base.
    pub fn cli(&self, home: &Path) -> assert_cmd::Command {
        assert_cmd::Command::from_std(self.std_cli(home))
    }

    /// [`cli`](Self::cli) as a `std` command, for a child that runs in the background.
    pub fn std_cli(&self, home: &Path) -> Command {
        let mut c = Command::new(assert_cmd::cargo::cargo_bin("vonage-onboard"));
        c.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("VONAGE_ONBOARD_HOME", home)
            .env("VONAGE_API_BASE", &self.url);
        c
    }

    /// A developer's first steps against this sandbox, through the real commands: `setup`
    /// (the secret on stdin), `app create APP` and `user create` for each of `users`.
    pub fn onboard(&self, home: &Path, app: &str, users: &[&str]) -> Onboarded {
        super::run_ok(
            self.cli(home)
                .args(["setup", "--api-key", &self.api_key, "--api-secret-stdin"])
                .write_stdin(format!("{}\n", self.api_secret)),
        );
        let created = super::run_ok(self.cli(home).args(["--json", "app", "create", app]));
        let created: serde_json::Value = serde_json::from_slice(&created.stdout).unwrap();
        for user in users {
            super::run_ok(self.cli(home).args(["user", "create", user]));
        }
        let field = |name: &str| {
            created[name]
                .as_str()
                .unwrap_or_else(|| panic!("no {name} in {created}"))
                .to_owned()
        };
        Onboarded {
            app_id: field("id"),
            private_key: PathBuf::from(field("private_key_path")),
        }
    }

    /// Starts `vonage-onboard token serve` for `home` (onboarded against this sandbox).
    pub fn token_serve(&self, home: &Path) -> TokenServeProcess {
        let mut command = self.std_cli(home);
        command.args(["token", "serve"]);
        start_token_serve(command)
    }
}

/// The application [`SandboxProcess::onboard`] created.
pub struct Onboarded {
    pub app_id: String,
    /// Where `app create` saved its private key.
    pub private_key: PathBuf,
}

/// Starts `vonage-onboard sandbox EXTRA…` in `cwd` and reads its `url:`, `api_key:`,
/// `api_secret:` lines within a time limit.
pub fn start_sandbox(cwd: &Path, extra: &[&str]) -> SandboxProcess {
    let mut command = Command::new(assert_cmd::cargo::cargo_bin("vonage-onboard"));
    command.current_dir(cwd).arg("sandbox").args(extra);
    let process = Background::spawn(command);
    let mut fields = process
        .banner("vonage-onboard sandbox", &["url", "api_key", "api_secret"])
        .into_iter();
    let (url, api_key, api_secret) = (
        fields.next().unwrap(),
        fields.next().unwrap(),
        fields.next().unwrap(),
    );
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    SandboxProcess {
        process,
        url,
        api_key,
        api_secret,
    }
}

/// `vonage-onboard token serve` in the background; killed when dropped.
pub struct TokenServeProcess {
    pub process: Background,
    pub url: String,
    pub key: String,
    pub application_id: String,
}

/// Starts `command` (a `vonage-onboard … token serve …` the caller set up: home,
/// application, flags) and reads its `url:`, `key:`, `application_id:` lines.
pub fn start_token_serve(command: Command) -> TokenServeProcess {
    let process = Background::spawn(command);
    let mut fields = process
        .banner(
            "vonage-onboard token serve",
            &["url", "key", "application_id"],
        )
        .into_iter();
    let (url, key, application_id) = (
        fields.next().unwrap(),
        fields.next().unwrap(),
        fields.next().unwrap(),
    );
    TokenServeProcess {
        process,
        url,
        key,
        application_id,
    }
}
