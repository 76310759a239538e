//! `vonage-onboard sandbox` as a child process: started, its three lines read, killed on drop.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long the sandbox may take to print its three lines.
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

    /// The binary with a clean environment: `home`, and this sandbox as the API base.
    pub fn cmd(&self, home: &Path) -> assert_cmd::Command {
        let mut c = assert_cmd::Command::cargo_bin("vonage-onboard").unwrap();
        c.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("VONAGE_ONBOARD_HOME", home)
            .env("VONAGE_API_BASE", &self.url);
        c
    }

    /// A home as a developer leaves it after onboarding: `setup` with this sandbox's pair,
    /// `app create NAME` (current, its key stored) and `user create` for each of `users`.
    /// Returns the application's id.
    pub fn onboard(&self, home: &Path, app: &str, users: &[&str]) -> String {
        let run = |c: &mut assert_cmd::Command| -> serde_json::Value {
            let out = super::run_ok(c);
            serde_json::from_slice(&out.stdout).unwrap()
        };
        run(self
            .cmd(home)
            .args([
                "--json",
                "setup",
                "--api-key",
                &self.api_key,
                "--secret-store",
                "file",
            ])
            .env("VONAGE_API_SECRET", &self.api_secret));
        let created = run(self.cmd(home).args(["--json", "app", "create", app]));
        for user in users {
            run(self.cmd(home).args(["--json", "user", "create", user]));
        }
        created["id"].as_str().unwrap().to_owned()
    }
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
    let stderr_log = std::env::temp_dir().join(format!(
        "vonage-onboard-sandbox-{}.log",
        uuid::Uuid::new_v4().simple()
    ));
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("vonage-onboard"))
        .current_dir(cwd)
        .arg("sandbox")
        .args(extra)
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
            // The receiver stops listening after three lines; keep draining regardless.
            let _ = tx.send(line);
        }
    });
    let deadline = Instant::now() + SANDBOX_START_TIMEOUT;
    let mut field = |name: &str| -> String {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = rx.recv_timeout(left).unwrap_or_else(|e| {
            let _ = child.kill();
            panic!(
                "no `{name}:` line from `vonage-onboard sandbox` ({e}); stderr: {}",
                std::fs::read_to_string(&stderr_log).unwrap_or_default()
            )
        });
        line.strip_prefix(&format!("{name}: "))
            .unwrap_or_else(|| panic!("expected `{name}: ...`, got {line:?}"))
            .to_owned()
    };
    let (url, api_key, api_secret) = (field("url"), field("api_key"), field("api_secret"));
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    SandboxProcess {
        child,
        url,
        api_key,
        api_secret,
        stderr_log,
    }
}
