//! The keyring backend against a real Secret Service: a throwaway gnome-keyring, unlocked, on
//! its own `dbus-run-session` bus with a temporary HOME and XDG dirs. Skips (and says so)
//! where dbus-run-session or gnome-keyring-daemon is missing; `scripts/test` installs them.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use assert_cmd::Command as BinCommand;
use support::{SandboxProcess, on_path, run_ok, skip, start_sandbox};

/// One private bus with an unlocked keyring on it; ended (bus and daemon) when dropped.
struct Session {
    child: Child,
    bus: String,
    root: tempfile::TempDir,
}

impl Session {
    fn start() -> Option<Session> {
        for tool in ["dbus-run-session", "gnome-keyring-daemon"] {
            if !on_path(tool) {
                skip(&format!(
                    "{tool} is not installed: no Secret Service to test the keyring against"
                ));
                return None;
            }
        }
        let root = tempfile::tempdir().unwrap();
        for dir in ["home", "data", "config", "cache", "runtime"] {
            std::fs::create_dir(root.path().join(dir)).unwrap();
        }
        let runtime = root.path().join("runtime");
        std::fs::set_permissions(
            &runtime,
            std::os::unix::fs::PermissionsExt::from_mode(0o700),
        )
        .unwrap();
        // The daemon creates and unlocks a login keyring with this password, then forks; the
        // shell says the bus address and waits for our stdin to close.
        let script = "printf throwaway | gnome-keyring-daemon --unlock --components=secrets >/dev/null \
                      && echo \"bus=$DBUS_SESSION_BUS_ADDRESS\" && read _";
        let mut child = Command::new("dbus-run-session")
            .args(["--", "sh", "-c", script])
            .env_clear()
            .envs(Self::env_of(root.path()))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let Some(bus) = line.trim().strip_prefix("bus=").map(str::to_owned) else {
            let _ = child.kill();
            let _ = child.wait();
            skip("gnome-keyring-daemon did not start on a private bus");
            return None;
        };
        Some(Session { child, bus, root })
    }

    fn env_of(root: &Path) -> Vec<(&'static str, PathBuf)> {
        vec![
            ("PATH", std::env::var_os("PATH").unwrap_or_default().into()),
            ("HOME", root.join("home")),
            ("XDG_DATA_HOME", root.join("data")),
            ("XDG_CONFIG_HOME", root.join("config")),
            ("XDG_CACHE_HOME", root.join("cache")),
            ("XDG_RUNTIME_DIR", root.join("runtime")),
        ]
    }

    /// The tool's home: the platform default under the temporary HOME, as a user's would be.
    fn home(&self) -> PathBuf {
        self.root.path().join("config/vonage-onboard")
    }

    fn cmd(&self, sandbox: &SandboxProcess) -> BinCommand {
        let mut c = BinCommand::cargo_bin("vonage-onboard").unwrap();
        c.env_clear()
            .envs(Self::env_of(self.root.path()))
            .env("DBUS_SESSION_BUS_ADDRESS", &self.bus)
            .env("VONAGE_API_BASE", &sandbox.url);
        c
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        drop(self.child.stdin.take().map(|mut s| s.write_all(b"\n")));
        let _ = self.child.wait();
    }
}

/// Every regular file under `dir` whose bytes contain `needle`.
fn files_containing(dir: &Path, needle: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return found;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            found.extend(files_containing(&path, needle));
        } else if kind.is_file()
            && let Ok(bytes) = std::fs::read(&path)
            && bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
        {
            found.push(path);
        }
    }
    found
}

fn stdout_of(c: &mut BinCommand) -> String {
    String::from_utf8(run_ok(c).stdout).unwrap()
}

#[test]
fn setup_stores_the_secret_in_the_keyring_moves_it_there_and_forgets_it() {
    let Some(session) = Session::start() else {
        return;
    };
    let cwd = tempfile::tempdir().unwrap();
    let sandbox = start_sandbox(cwd.path(), &[]);
    let secret = sandbox.api_secret.clone();

    // A setup on a machine with a Secret Service: the keyring, said, and in no file.
    let out = stdout_of(
        session
            .cmd(&sandbox)
            .args(["setup", "--api-key", &sandbox.api_key])
            .env("VONAGE_API_SECRET", &secret),
    );
    assert!(
        out.contains("API secret: stored in the system keyring."),
        "{out}"
    );
    let leaks = files_containing(session.root.path(), &secret);
    assert!(leaks.is_empty(), "the secret is in {leaks:?}");
    let config = std::fs::read_to_string(session.home().join("config.toml")).unwrap();
    assert!(config.contains("secret_store = \"keyring\""), "{config}");

    // Round trip: a command that needs the pair reads it back from the keyring.
    let listed = stdout_of(session.cmd(&sandbox).args(["--json", "app", "list"]));
    assert!(
        listed.trim_start().starts_with('{') || listed.trim_start().starts_with('['),
        "{listed}"
    );

    // A profile kept in the file, then moved: the file entry goes, the keyring answers.
    let filed = ["--profile", "filed"];
    run_ok(
        session
            .cmd(&sandbox)
            .args(filed)
            .args([
                "--secret-store",
                "file",
                "setup",
                "--api-key",
                &sandbox.api_key,
            ])
            .env("VONAGE_API_SECRET", &secret),
    );
    let credentials = session.home().join("credentials.toml");
    assert!(
        std::fs::read_to_string(&credentials)
            .unwrap()
            .contains(&secret)
    );
    let moved =
        stdout_of(
            session
                .cmd(&sandbox)
                .args(filed)
                .args(["--secret-store", "keyring", "setup"]),
        );
    assert!(
        moved.contains("moved: stored in the system keyring"),
        "{moved}"
    );
    assert!(
        !std::fs::read_to_string(&credentials)
            .unwrap()
            .contains(&secret)
    );
    run_ok(session.cmd(&sandbox).args(filed).args(["app", "list"]));
    let leaks = files_containing(session.root.path(), &secret);
    assert!(leaks.is_empty(), "the secret is in {leaks:?}");

    // Forgetting removes the keyring entry: a config put back by hand finds none, and the
    // failure says what to run.
    let config_path = session.home().join("config.toml");
    let before = std::fs::read_to_string(&config_path).unwrap();
    run_ok(
        session
            .cmd(&sandbox)
            .args(filed)
            .args(["setup", "--forget"]),
    );
    std::fs::write(&config_path, before).unwrap();
    let after = session
        .cmd(&sandbox)
        .args(filed)
        .args(["app", "list"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&after.stderr);
    assert_eq!(after.status.code(), Some(4), "{stderr}");
    assert!(stderr.contains("run `vonage-onboard setup`"), "{stderr}");
}

#[test]
fn without_a_secret_service_setup_falls_back_to_the_file_and_says_so_unless_the_keyring_was_asked_for()
 {
    let cwd = tempfile::tempdir().unwrap();
    let sandbox = start_sandbox(cwd.path(), &[]);
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let cmd = || {
        let mut c = BinCommand::cargo_bin("vonage-onboard").unwrap();
        c.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", dir.path())
            .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
            .env("VONAGE_ONBOARD_HOME", &home)
            .env("VONAGE_API_BASE", &sandbox.url)
            .env("VONAGE_API_SECRET", &sandbox.api_secret);
        c
    };

    // Asked for and refused: an error that says so, and nothing written.
    let out = cmd()
        .args([
            "--secret-store",
            "keyring",
            "setup",
            "--api-key",
            &sandbox.api_key,
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("system keyring") && stderr.contains("Nothing was changed"),
        "{stderr}"
    );
    assert!(!stderr.contains(&sandbox.api_secret));
    assert!(!home.join("credentials.toml").exists() && !home.join("config.toml").exists());

    // Not asked for: the file, said.
    let run = run_ok(cmd().args(["setup", "--api-key", &sandbox.api_key]));
    let out = String::from_utf8(run.stdout).unwrap();
    let why = String::from_utf8(run.stderr).unwrap();
    assert!(
        out.contains("API secret: no keyring available: stored in credentials.toml (0600)."),
        "{out}"
    );
    assert!(
        why.contains("warning: the keyring was not used: could not write to the system keyring"),
        "{why}"
    );
    assert!(!why.contains(&sandbox.api_secret));
    assert!(!out.contains(&sandbox.api_secret));
    let credentials = std::fs::read_to_string(home.join("credentials.toml")).unwrap();
    assert!(credentials.contains(&sandbox.api_secret));
    let config = std::fs::read_to_string(home.join("config.toml")).unwrap();
    assert!(config.contains("secret_store = \"file\"") && !config.contains(&sandbox.api_secret));
}
