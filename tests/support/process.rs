//! `vonage-onboard sandbox` and `token serve` as child processes: started, their banner read,
//! killed on drop; a home onboarded against the sandbox through the commands.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long the sandbox (or `token serve`) may take to print its banner.
const SANDBOX_START_TIMEOUT: Duration = Duration::from_secs(15);

/// `vonage-onboard sandbox` in the background; killed (and its log removed) when dropped.
pub struct SandboxProcess {
    child: Child,
    pub url: String,
    pub api_key: String,
    pub api_secret: String,
    stderr_log: PathBuf,
}

impl SandboxProcess {
    /// What the sandbox logged, for failure messages.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.stderr_log).unwrap_or_default()
    }

    /// The binary with a clean environment: `home` as its home, this sandbox as its API base.
    pub fn cli(&self, home: &Path) -> assert_cmd::Command {
        assert_cmd::Command::from_std(self.std_cli(home))
    }

    fn std_cli(&self, home: &Path) -> Command {
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
}

/// The application [`SandboxProcess::onboard`] created.
pub struct Onboarded {
    pub app_id: String,
    /// Where `app create` saved its private key.
    pub private_key: PathBuf,
}

impl Drop for SandboxProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.stderr_log);
    }
}

/// Starts `vonage-onboard sandbox EXTRA…` in `cwd` and reads its `url:`, `api_key:`,
/// `api_secret:` lines within a time limit. Its stdout is drained in the background so the
/// pipe stays open; its stderr goes to a log file shown on failure.
pub fn start_sandbox(cwd: &Path, extra: &[&str]) -> SandboxProcess {
    let mut command = Command::new(assert_cmd::cargo::cargo_bin("vonage-onboard"));
    command.current_dir(cwd).arg("sandbox").args(extra);
    let (child, fields, stderr_log) =
        spawn_with_banner(command, "sandbox", &["url", "api_key", "api_secret"]);
    let [url, api_key, api_secret] = <[String; 3]>::try_from(fields).unwrap();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    SandboxProcess {
        child,
        url,
        api_key,
        api_secret,
        stderr_log,
    }
}

/// `vonage-onboard token serve` in the background; killed (and its log removed) when dropped.
pub struct TokenServeProcess {
    child: Child,
    pub url: String,
    pub key: String,
    pub application_id: String,
    stderr_log: PathBuf,
}

impl TokenServeProcess {
    /// What it logged, for failure messages.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.stderr_log).unwrap_or_default()
    }
}

impl Drop for TokenServeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.stderr_log);
    }
}

impl SandboxProcess {
    /// Starts `vonage-onboard token serve` for `home` (onboarded against this sandbox) and
    /// reads its `url:`, `key:`, `application_id:` lines.
    pub fn token_serve(&self, home: &Path) -> TokenServeProcess {
        let mut command = self.std_cli(home);
        command.args(["token", "serve"]);
        let (child, fields, stderr_log) =
            spawn_with_banner(command, "token serve", &["url", "key", "application_id"]);
        let [url, key, application_id] = <[String; 3]>::try_from(fields).unwrap();
        TokenServeProcess {
            child,
            url,
            key,
            application_id,
            stderr_log,
        }
    }
}

/// Spawns `command` (stdin closed, stdout read, stderr to a log file) and reads the
/// `name: value` lines of its banner, in order, within [`SANDBOX_START_TIMEOUT`]. Its stdout
/// is drained in the background afterwards so the pipe stays open.
fn spawn_with_banner(
    mut command: Command,
    what: &str,
    names: &[&str],
) -> (Child, Vec<String>, PathBuf) {
    let stderr_log = std::env::temp_dir().join(format!(
        "vonage-onboard-{}-{}.log",
        what.replace(' ', "-"),
        uuid::Uuid::new_v4().simple()
    ));
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&stderr_log).unwrap())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            // The receiver stops listening after the banner; keep draining regardless.
            let _ = tx.send(line);
        }
    });
    let deadline = Instant::now() + SANDBOX_START_TIMEOUT;
    let mut values = Vec::new();
    for name in names {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = match rx.recv_timeout(left) {
            Ok(line) => line,
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "no `{name}:` line from `vonage-onboard {what}` ({e}); stderr: {}",
                    std::fs::read_to_string(&stderr_log).unwrap_or_default()
                )
            }
        };
        let value = line
            .strip_prefix(&format!("{name}: "))
            .unwrap_or_else(|| panic!("expected `{name}: ...` from {what}, got {line:?}"))
            .to_owned();
        values.push(value);
    }
    (child, values, stderr_log)
}
