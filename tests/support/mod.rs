//! The one harness of the integration tests (`mod support;` in each file): skip messages,
//! running the binary, the sandbox as a child process ([`process`]) or in-process with a
//! client ([`http`], [`client`]), tokens from the fixture keys ([`tokens`]).
//!
//! `pty.rs` beside this file (the wizard in a pseudo-terminal, seen through `vt100`) is not
//! a submodule: the files that drive a terminal, and `benches/wizard.rs`, include it with
//! `#[path]`, so the other test binaries do not build it.
// Each test file uses a subset of these helpers.
#![allow(dead_code)]

pub mod client;
pub mod http;
pub mod node;
pub mod process;
pub mod sio;
pub mod tokens;

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

#[allow(unused_imports)] // not every test file starts a sandbox process
pub use process::{SandboxProcess, start_sandbox};

/// Says why a test cannot run here. Written straight to stderr, not through `eprintln!`,
/// which the test harness captures and hides for a passing test: a skip must be seen.
pub fn skip(reason: &str) {
    let _ = writeln!(std::io::stderr(), "SKIPPED: {reason}");
}

/// Runs the binary and insists it succeeded, showing its stderr when it did not.
pub fn run_ok(c: &mut assert_cmd::Command) -> Output {
    let out = c.output().unwrap();
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// The directory of the test fixtures (keys, config files).
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// The fixture application's id (its key is `test-key-pkcs8.pem`).
pub const FIXTURE_APP_ID: &str = "aaaaaaaa-bbbb-cccc-dddd-0123456789ab";

/// The binary with a clean environment: a temp home and the fixture application.
pub fn app_cmd(home: &Path) -> assert_cmd::Command {
    let mut c = assert_cmd::Command::cargo_bin("vonage-onboard").unwrap();
    c.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("VONAGE_ONBOARD_HOME", home)
        .env("VONAGE_APPLICATION_ID", FIXTURE_APP_ID)
        .env("VONAGE_PRIVATE_KEY_PATH", fixture("test-key-pkcs8.pem"));
    c
}

/// Whether `tool` is an executable on PATH.
pub fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|path| {
        std::env::split_paths(&path)
            .any(|dir| std::fs::metadata(dir.join(tool)).is_ok_and(|m| m.is_file()))
    })
}

/// Runs `c` to its end within `limit`, or kills it and returns `None`.
pub fn output_within(c: &mut Command, limit: Duration) -> Option<Output> {
    let mut child = c
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .ok()?;
    let deadline = Instant::now() + limit;
    loop {
        match child.try_wait() {
            Ok(Some(_)) => return child.wait_with_output().ok(),
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
        }
    }
}

/// Polls `done` every 50 ms for at most `limit`; whether it came true.
pub fn eventually(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    loop {
        if done() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Awaits `done()` every 50 ms for at most `limit`; whether it came true.
pub async fn eventually_async<F: std::future::Future<Output = bool>>(
    limit: Duration,
    mut done: impl FnMut() -> F,
) -> bool {
    let deadline = Instant::now() + limit;
    loop {
        if done().await {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// How long Xvfb may take to say which display it took.
const XVFB_START_TIMEOUT: Duration = Duration::from_secs(15);

/// A private X server (Xvfb) on a free display, and xclip to read and take its clipboard.
/// Dropped: the clipboard holders started on this display, the xclip it started, then the
/// server itself are ended, each by its process id.
pub struct XServer {
    server: Child,
    /// `:N`
    pub display: String,
    owners: Vec<Child>,
}

impl XServer {
    /// A new server, or `None` (having said SKIPPED and why) when Xvfb or xclip is missing.
    pub fn start() -> Option<XServer> {
        for tool in ["Xvfb", "xclip"] {
            if !on_path(tool) {
                skip(&format!(
                    "{tool} is not installed, so the X11 clipboard cannot be tested (scripts/test installs xvfb and xclip where it can)"
                ));
                return None;
            }
        }
        // -displayfd 1: Xvfb picks a free display and writes its number on stdout once ready.
        let mut server = Command::new("Xvfb")
            .args([
                "-displayfd",
                "1",
                "-nolisten",
                "tcp",
                "-screen",
                "0",
                "320x240x24",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = server.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let number = rx
            .recv_timeout(XVFB_START_TIMEOUT)
            .ok()
            .map(|l| l.trim().to_owned())
            .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
        let Some(number) = number else {
            let _ = server.kill();
            let _ = server.wait();
            panic!("Xvfb did not report a display within {XVFB_START_TIMEOUT:?}");
        };
        Some(XServer {
            server,
            display: format!(":{number}"),
            owners: Vec::new(),
        })
    }

    fn xclip(&self) -> Command {
        let mut c = Command::new("xclip");
        c.env_clear().env("DISPLAY", &self.display);
        c
    }

    /// The CLIPBOARD selection's text as another program sees it, or `None` when nobody
    /// serves it (xclip: "target STRING not available").
    pub fn clipboard(&self) -> Option<String> {
        let out = output_within(
            self.xclip().args(["-o", "-selection", "clipboard"]),
            Duration::from_secs(10),
        )
        .expect("xclip -o did not finish within 10 s");
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// Another program (xclip, in the foreground) takes the CLIPBOARD selection with `text`.
    pub fn take_clipboard(&mut self, text: &str) {
        let mut owner = self
            .xclip()
            .args(["-i", "-selection", "clipboard", "-quiet"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut stdin = owner.stdin.take().unwrap();
        stdin.write_all(text.as_bytes()).unwrap();
        drop(stdin);
        self.owners.push(owner);
        let taken = eventually(Duration::from_secs(10), || {
            self.clipboard().as_deref() == Some(text)
        });
        assert!(taken, "xclip did not take the clipboard within 10 s");
    }

    /// The running `vonage-onboard __clipboard-holder` processes on this display.
    pub fn holders(&self) -> Vec<u32> {
        let wanted = format!("DISPLAY={}", self.display);
        let Ok(entries) = std::fs::read_dir("/proc") else {
            return Vec::new();
        };
        entries
            .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
            .filter(|pid| {
                let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
                let environ = std::fs::read(format!("/proc/{pid}/environ")).unwrap_or_default();
                cmdline
                    .split(|b| *b == 0)
                    .any(|arg| arg == b"__clipboard-holder")
                    && environ.split(|b| *b == 0).any(|v| v == wanted.as_bytes())
                    && !is_zombie(*pid)
            })
            .collect()
    }

    /// Waits (at most `limit`) until exactly `count` holders run on this display.
    pub fn wait_for_holders(&self, count: usize, limit: Duration) -> Vec<u32> {
        let mut holders = self.holders();
        let settled = eventually(limit, || {
            holders = self.holders();
            holders.len() == count
        });
        assert!(
            settled,
            "expected {count} clipboard holder(s) on {} within {limit:?}, found {holders:?}",
            self.display
        );
        holders
    }
}

/// A process that has ended but not been reaped yet counts as gone.
fn is_zombie(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| {
            s.rsplit_once(')')
                .map(|(_, rest)| rest.trim_start().starts_with('Z'))
        })
        .unwrap_or(true)
}

/// Ends a process by its id.
fn kill_pid(pid: u32, signal: &str) {
    let _ = Command::new("kill")
        .args([signal, &pid.to_string()])
        .stderr(Stdio::null())
        .status();
}

impl Drop for XServer {
    fn drop(&mut self) {
        for pid in self.holders() {
            kill_pid(pid, "-KILL");
        }
        for owner in &mut self.owners {
            let _ = owner.kill();
            let _ = owner.wait();
        }
        // TERM first, so Xvfb removes its lock file and socket.
        kill_pid(self.server.id(), "-TERM");
        let ended = eventually(Duration::from_secs(5), || {
            matches!(self.server.try_wait(), Ok(Some(_)))
        });
        if !ended {
            let _ = self.server.kill();
        }
        let _ = self.server.wait();
    }
}
