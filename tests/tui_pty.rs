//! The real binary in a real pseudo-terminal (tmux): the wizard's first screen appears, keys
//! walk it from an empty home to a token, Ctrl-C leaves the terminal restored, and a second
//! start resumes at Tokens. Waits for text on screen, never for fixed times.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// A private tmux server, killed when dropped.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn start(command: &str) -> Tmux {
        let socket = format!(
            "vonage-onboard-test-{}-{}",
            std::process::id(),
            uuid::Uuid::new_v4().simple()
        );
        let tmux = Tmux { socket };
        let status = tmux
            .cmd()
            .args([
                "new-session",
                "-d",
                "-s",
                "t",
                "-x",
                "100",
                "-y",
                "30",
                command,
            ])
            .status()
            .unwrap();
        assert!(status.success(), "tmux new-session failed");
        tmux
    }

    fn cmd(&self) -> Command {
        let mut c = Command::new("tmux");
        c.args(["-L", &self.socket]);
        c
    }

    fn screen(&self) -> String {
        let out = self
            .cmd()
            .args(["capture-pane", "-p", "-t", "t"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn keys(&self, keys: &[&str]) {
        let status = self
            .cmd()
            .args(["send-keys", "-t", "t"])
            .args(keys)
            .status()
            .unwrap();
        assert!(status.success());
    }

    fn wait_for(&self, text: &str) -> String {
        self.wait_until(&format!("{text:?}"), |screen| screen.contains(text))
    }

    /// Polls the screen until `ready` holds (20 s at most): a capture can catch a frame half
    /// drawn, so a check of a whole view waits for the whole view.
    fn wait_until(&self, what: &str, ready: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let screen = self.screen();
            if ready(&screen) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "waited 20 s for {what}; the screen shows:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn display(&self, format: &str) -> String {
        let out = self
            .cmd()
            .args(["display", "-p", "-t", "t", format])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd().arg("kill-server").status();
    }
}

fn tmux_available() -> bool {
    Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The wizard under `sh`, which reports the exit code and the terminal modes afterwards.
fn wizard_command(home: &Path) -> String {
    wizard_command_on(home, None)
}

/// The same, with `DISPLAY` set to an X server's display when there is one.
fn wizard_command_on(home: &Path, display: Option<&str>) -> String {
    let bin = assert_cmd::cargo::cargo_bin("vonage-onboard");
    let display = display.map_or_else(String::new, |d| format!("DISPLAY={d} "));
    format!(
        "env -i PATH=/usr/bin:/bin TERM=xterm-256color {display}{} --sandbox --home {}; echo EXITED $?; stty -a | tr ' ;' '\\n\\n' | grep -x -e icanon -e -icanon -e echo -e -echo | tr '\\n' ' '; echo; sleep 60",
        bin.display(),
        home.display()
    )
}

/// From an empty home through the four steps to a generated token for alice.
fn walk_to_a_token(t: &Tmux) {
    t.keys(&["Enter"]);
    t.wait_for("Create a new application");
    t.keys(&["Enter"]);
    t.wait_for("private key is made");
    t.keys(&["Enter"]);
    t.wait_for("is current");
    t.keys(&["Enter"]);
    t.wait_for("Display name");
    t.keys(&["alice", "Enter"]);
    t.wait_for("Created alice");
    t.keys(&["Enter"]);
    t.wait_for("USER");
    t.keys(&["g"]);
    // The status line names the recipe; the row counts down from the 1 Hz tick, so it reads
    // "24h" or, a second later, "23h 59m".
    let screen = t.wait_for("New token for alice, valid 24h");
    assert!(
        screen.contains("alice  valid for 24h") || screen.contains("alice  valid for 23h 59m"),
        "{screen}"
    );
}

#[test]
fn the_real_binary_walks_to_a_token_and_restores_the_terminal() {
    if !tmux_available() {
        support::skip(
            "tmux is not installed, so the wizard cannot be driven in a pseudo-terminal (scripts/test installs it where it can)",
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let t = Tmux::start(&wizard_command(&home));

    let first = t.wait_for("API secret");
    assert!(
        first.contains("1 Account") && first.contains("4 Tokens"),
        "{first}"
    );
    assert_eq!(
        t.display("#{alternate_on}"),
        "1",
        "the wizard draws on the alternate screen"
    );
    walk_to_a_token(&t);
    // Resized below the minimum and back: a message instead of a broken layout, then the table.
    let status = t
        .cmd()
        .args(["resize-window", "-t", "t", "-x", "50", "-y", "12"])
        .status()
        .unwrap();
    assert!(status.success());
    t.wait_for("Make the window larger");
    let status = t
        .cmd()
        .args(["resize-window", "-t", "t", "-x", "100", "-y", "30"])
        .status()
        .unwrap();
    assert!(status.success());
    t.wait_for("valid for 24h");

    // No display here: OSC 52 to the terminal, said as such.
    t.keys(&["c"]);
    t.wait_for("sent to the terminal (OSC 52): works if your terminal supports it; v shows it");

    t.keys(&["C-c"]);
    let after = t.wait_for("icanon"); // printed by stty after EXITED: wait for the last line
    assert!(after.contains("EXITED 0"), "{after}");
    assert_eq!(
        t.display("#{alternate_on}"),
        "0",
        "the alternate screen was left"
    );
    let modes = after
        .lines()
        .find(|l| l.contains("icanon"))
        .unwrap_or_default();
    assert!(
        modes.contains("icanon") && !modes.contains("-icanon"),
        "raw mode left on: {modes:?}"
    );
    assert!(
        modes.split_whitespace().any(|m| m == "echo"),
        "echo left off: {modes:?}"
    );
    drop(t);

    // Reopened: straight to Tokens, with alice's token still valid.
    let again = Tmux::start(&wizard_command(&home));
    let screen = again.wait_for("USER");
    assert!(
        screen.contains("alice") && screen.contains("valid for"),
        "{screen}"
    );
    again.keys(&["C-c"]);
    again.wait_for("EXITED 0");
}

#[test]
fn sigterm_restores_the_terminal_too() {
    if !tmux_available() {
        support::skip("tmux is not installed, so the wizard cannot be driven in a pseudo-terminal");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let t = Tmux::start(&wizard_command(&dir.path().join("home")));
    t.wait_for("API secret");
    let shell_pid = t.display("#{pane_pid}");
    // The wizard is the shell's child (env execs it): signal it, not the shell.
    let children =
        std::fs::read_to_string(format!("/proc/{shell_pid}/task/{shell_pid}/children")).unwrap();
    let wizard = children
        .split_whitespace()
        .next()
        .expect("the wizard process");
    let status = Command::new("kill")
        .args(["-TERM", wizard])
        .status()
        .unwrap();
    assert!(status.success(), "could not signal the wizard");
    let after = t.wait_for("icanon"); // printed by stty after EXITED: wait for the last line
    assert!(after.contains("EXITED 0"), "{after}");
    assert_eq!(t.display("#{alternate_on}"), "0");
    let modes = after
        .lines()
        .find(|l| l.contains("icanon"))
        .unwrap_or_default();
    assert!(
        !modes.contains("-icanon"),
        "raw mode left on after SIGTERM: {modes:?}"
    );
}

/// Text without any white space: a line wrapped at the window's width loses the space at the
/// break (tmux trims it), so texts are compared squeezed.
fn squeezed(text: &str) -> String {
    text.split_whitespace().collect()
}

/// The wizard against a plain-http base elsewhere, under `sh`, which reports the exit code.
fn insecure_wizard_command(home: &Path, extra: &str) -> String {
    let bin = assert_cmd::cargo::cargo_bin("vonage-onboard");
    format!(
        "env -i PATH=/usr/bin:/bin TERM=xterm-256color {} --home {} --api-base http://api.example.invalid {extra}; echo EXITED $?; sleep 60",
        bin.display(),
        home.display()
    )
}

#[test]
fn the_real_wizard_refuses_a_plain_http_base_before_taking_the_screen_and_warns_when_allowed() {
    if !tmux_available() {
        support::skip(
            "tmux is not installed, so the wizard cannot be driven in a pseudo-terminal (scripts/test installs it where it can)",
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let t = Tmux::start(&insecure_wizard_command(&home, ""));
    let after = squeezed(&t.wait_for("EXITED"));
    assert!(after.contains("EXITED2"), "{after}");
    assert!(
        after.contains(&squeezed("error: refusing to send the API secret and tokens in clear text"))
            && after.contains(
                &squeezed("use https://, or --allow-insecure-http if this really is a test server on a network you control")
            ),
        "{after}"
    );
    assert!(!home.join("credentials.toml").exists());

    // Allowed: the warning is printed before the wizard takes the screen, and is still there
    // once it gives the screen back.
    let t = Tmux::start(&insecure_wizard_command(&home, "--allow-insecure-http"));
    t.wait_for("API secret");
    t.keys(&["C-c"]);
    let after = squeezed(&t.wait_for("EXITED"));
    assert!(
        after.contains(&squeezed("warning: --allow-insecure-http: the API secret and tokens go to http://api.example.invalid in clear text")),
        "{after}"
    );
}

/// alice's last token as the wizard stored it in the sandbox profile's state.json.
fn stored_token(home: &Path, user: &str) -> String {
    let text = std::fs::read_to_string(home.join("profiles/sandbox/state.json")).unwrap();
    let state: serde_json::Value = serde_json::from_str(&text).unwrap();
    let apps = state["apps"].as_object().unwrap();
    assert_eq!(apps.len(), 1, "{text}");
    let (_, app) = apps.iter().next().unwrap();
    app["users"][user]["last_token"]["token"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn a_token_copied_in_the_wizard_is_still_on_the_clipboard_after_it_exited() {
    if !tmux_available() {
        support::skip("tmux is not installed, so the wizard cannot be driven in a pseudo-terminal");
        return;
    }
    let Some(x) = support::XServer::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let t = Tmux::start(&wizard_command_on(&home, Some(&x.display)));
    t.wait_for("API secret");
    walk_to_a_token(&t);
    t.keys(&["c"]);
    t.wait_for("copied (kept after exit)");
    t.keys(&["C-c"]);
    let after = t.wait_for("icanon");
    assert!(after.contains("EXITED 0"), "{after}");
    // The wizard is gone; another program still pastes exactly alice's token.
    let token = stored_token(&home, "alice");
    assert_eq!(token.split('.').count(), 3);
    assert_eq!(x.clipboard().as_deref(), Some(token.as_str()));
    assert_eq!(x.wait_for_holders(1, Duration::from_secs(5)).len(), 1);
    drop(t);
    // The terminal closed too: the holder was not tied to it.
    assert_eq!(x.clipboard().as_deref(), Some(token.as_str()));
}

/// The profile's `state.json` (recipes and last tokens), wherever the sandbox's profile is.
fn state_file(home: &Path) -> std::path::PathBuf {
    let profiles = home.join("profiles");
    std::fs::read_dir(&profiles)
        .unwrap()
        .map(|e| e.unwrap().path().join("state.json"))
        .find(|p| p.exists())
        .unwrap_or_else(|| panic!("no state.json under {}", profiles.display()))
}

/// The first application id in `state.json` (the one alice's token was made for).
fn first_app_id(home: &Path) -> String {
    let text = std::fs::read_to_string(state_file(home)).unwrap();
    let state: serde_json::Value = serde_json::from_str(&text).unwrap();
    state["apps"]
        .as_object()
        .unwrap()
        .keys()
        .next()
        .unwrap()
        .clone()
}

/// The wizard on a fresh home, walked to alice's first token; `None` (said) without tmux.
fn wizard_at_a_token() -> Option<(tempfile::TempDir, std::path::PathBuf, Tmux)> {
    if !tmux_available() {
        support::skip("tmux is not installed (scripts/test installs it where it can)");
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let t = Tmux::start(&wizard_command(&home));
    t.wait_for("API secret");
    walk_to_a_token(&t);
    Some((dir, home, t))
}

/// Issue 10, items 1 and 3: a recipe set on one application survives a switch to another and
/// back; the stored key is used without asking; a filter typed on one visit is gone on the
/// next, and with a filter Enter picks the first match, not "create".
#[test]
fn recipes_and_the_stored_key_survive_an_application_switch() {
    let Some((_dir, home, t)) = wizard_at_a_token() else {
        return;
    };
    // A recipe other than the default: the minimal ACL, then a token with it.
    t.keys(&["a"]);
    t.wait_for("client-sdk-minimal");
    t.keys(&["r"]);
    let state = || std::fs::read_to_string(state_file(&home)).unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while !state().contains("client-sdk-minimal") {
        assert!(
            Instant::now() < deadline,
            "r did not store the recipe: {}",
            state()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let id = first_app_id(&home);

    // Another application, created here.
    t.keys(&["2"]);
    t.wait_for("is current");
    t.keys(&["n"]);
    t.wait_for("Create a new application");
    t.keys(&["Enter"]);
    t.wait_for("private key is made");
    t.keys(&["2", "Enter"]);
    t.wait_for("my-client-sdk-app2 is current");

    // Back to the first by a filter on its id: Enter picks the match and no key is asked for.
    t.keys(&["n"]);
    t.wait_for("Create a new application");
    t.keys(&[&id[..8]]);
    t.wait_for(&format!("Filter          [{}]", &id[..8]));
    t.keys(&["Enter"]);
    let screen = t.wait_for("Application my-client-sdk-app is current");
    assert!(!screen.contains("Private key file"), "{screen}");

    // alice's recipe and token came back, and the stored recipe was not overwritten.
    t.keys(&["4"]);
    let screen = t.wait_for("client-sdk-minimal");
    assert!(
        screen.contains("alice") && screen.contains("valid for"),
        "{screen}"
    );
    assert!(state().contains("client-sdk-minimal"), "{}", state());

    // The filter typed before is gone on the next visit.
    t.keys(&["2"]);
    t.wait_for("is current");
    t.keys(&["n"]);
    let screen = t.wait_for("Create a new application");
    assert!(screen.contains("Filter          []"), "{screen}");
}

/// Issue 10, item 2: `v` puts the token itself on screen, on rows with nothing else (no border,
/// no padding), exactly the token `state.json` holds; Esc goes back to the table.
#[test]
fn v_shows_exactly_the_stored_token() {
    let Some((_dir, home, t)) = wizard_at_a_token() else {
        return;
    };
    let state: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(state_file(&home)).unwrap()).unwrap();
    let app = state["apps"].as_object().unwrap().values().next().unwrap();
    let stored = app["users"]["alice"]["last_token"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    // The rows under the view's title, up to the first empty one, joined.
    let shown = |screen: &str| -> Option<String> {
        let lines: Vec<&str> = screen.lines().collect();
        let title = lines
            .iter()
            .position(|l| l.contains("select it with the mouse"))?;
        Some(
            lines[title + 1..]
                .iter()
                .take_while(|l| !l.trim().is_empty())
                .map(|l| l.trim_end())
                .collect(),
        )
    };
    t.keys(&["v"]);
    // Waits for the whole view: a capture taken mid-frame shows the title over the old table.
    let screen = t.wait_until("the token view with the stored token", |screen| {
        shown(screen).as_deref() == Some(stored.as_str())
    });
    assert_eq!(
        shown(&screen).as_deref(),
        Some(stored.as_str()),
        "the rows under the title are the token and nothing else"
    );
    t.keys(&["Escape"]);
    t.wait_for("USER");
}

/// Issue 10, item 7: "change" then a refused pair, then Esc: the stored pair is back on screen
/// and nothing stored changed.
#[test]
fn esc_from_change_keeps_the_stored_credentials() {
    let Some((_dir, home, t)) = wizard_at_a_token() else {
        return;
    };
    let stored = || {
        ["config.toml", "credentials.toml"].map(|f| std::fs::read(home.join(f)).unwrap_or_default())
    };
    let before = stored();
    t.keys(&["1"]);
    t.wait_for("c changes them");
    t.keys(&["c"]);
    t.wait_for("Esc keep stored");
    t.keys(&["wrong-secret", "Enter"]);
    t.wait_for("refused");
    t.keys(&["Escape"]);
    let screen = t.wait_for("Kept the stored credentials");
    assert!(screen.contains("c changes them"), "{screen}");
    assert!(screen.contains("1 Account ✓"), "{screen}");
    assert_eq!(stored(), before, "nothing stored changed");
}

/// Issue 10, item 6: `t` from 24h reaches 15m and then 1h (never a text field), each change
/// says that `r` makes a token with it, and `r` does; `T` is the custom entry.
#[test]
fn t_cycles_the_ttl_presets_and_says_how_to_use_them() {
    let Some((_dir, _home, t)) = wizard_at_a_token() else {
        return;
    };
    t.keys(&["t"]);
    t.wait_for("TTL 15m saved for alice's next token: press r for a token with it.");
    t.keys(&["t"]);
    let screen = t.wait_for("TTL 1h saved for alice's next token: press r for a token with it.");
    assert!(!screen.contains("Custom TTL"), "{screen}");
    t.keys(&["r"]);
    t.wait_for("New token for alice, valid 1h");
    t.keys(&["T"]);
    t.wait_for("Custom TTL");
    t.keys(&["Escape"]);
    t.wait_for("USER");
}

#[test]
fn e_writes_the_env_file_of_export_env_into_the_current_directory_never_over_one() {
    if !tmux_available() {
        support::skip(
            "tmux is not installed, so the wizard cannot be driven in a pseudo-terminal (scripts/test installs it where it can)",
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let work = dir.path().join("project");
    std::fs::create_dir_all(&work).unwrap();
    let t = Tmux::start(&format!(
        "cd {} && {}",
        work.display(),
        wizard_command(&home)
    ));
    t.wait_for("API secret");
    walk_to_a_token(&t);
    t.keys(&["e"]);
    let screen = t.wait_for("No API secret in it");
    assert!(screen.contains("Wrote "), "{screen}");
    let env = work.join(".env");
    let text = std::fs::read_to_string(&env).unwrap();
    for name in [
        "VONAGE_API_KEY=",
        "VONAGE_APPLICATION_ID=",
        "VONAGE_PRIVATE_KEY_PATH=",
    ] {
        assert!(text.contains(name), "{text}");
    }
    assert!(!text.contains("VONAGE_API_SECRET"), "{text}");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&env).unwrap().permissions().mode() & 0o777,
        0o600
    );
    // A second e leaves the file as it is and says so.
    std::fs::write(&env, "# mine\n").unwrap();
    t.keys(&["e"]);
    t.wait_for("not overwritten");
    assert_eq!(std::fs::read_to_string(&env).unwrap(), "# mine\n");
    t.keys(&["C-c"]);
    t.wait_for("EXITED 0");
}
