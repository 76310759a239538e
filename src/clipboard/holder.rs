//! The clipboard holder (X11): X keeps a selection only while its owner lives, so a copied
//! token is handed to this binary in a hidden mode, detached, which serves it until another
//! program takes the selection or a time limit passes. The text travels on stdin only (never
//! argv or the environment); the holder logs nothing and writes no file.

use std::io::{BufRead, BufReader, IsTerminal, Read, Write};
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::error::ExitCode;

use super::HOLDER_COMMAND as COMMAND;

/// The most the holder reads from stdin: a token is far smaller.
pub const MAX_TEXT: usize = 16 * 1024;

/// How long a holder serves the selection at most, unless `VONAGE_ONBOARD_CLIPBOARD_SECONDS`
/// asks for less.
pub const LIFETIME: Duration = Duration::from_secs(10 * 60);

/// Sets a shorter lifetime (1 to 600 seconds): the clipboard empties when the holder leaves.
pub const LIFETIME_ENV: &str = "VONAGE_ONBOARD_CLIPBOARD_SECONDS";

/// The only variables the holder is started with: what an X client needs, and the lifetime.
/// Everything else (an API secret in the environment, the log file setting) stays behind.
const PASSED_ENV: [&str; 4] = ["DISPLAY", "XAUTHORITY", "HOME", LIFETIME_ENV];

/// How long the parent waits for the holder to say it owns the selection.
const HANDSHAKE: Duration = Duration::from_secs(5);

/// How often the holder checks that it still owns the selection and the display is alive.
const PROBE_EVERY: Duration = Duration::from_secs(1);

/// On X11 a selection is gone when its owner exits, so a copy needs a holder.
pub const SELECTIONS_DIE_WITH_THEIR_OWNER: bool = true;

/// Whether there is an X display to hold a selection on. A Wayland session offers one
/// through XWayland (`DISPLAY` is set there too); this build has no native Wayland clipboard.
pub fn display() -> Result<(), String> {
    match std::env::var_os("DISPLAY") {
        Some(d) if !d.is_empty() => Ok(()),
        _ if std::env::var_os("WAYLAND_DISPLAY").is_some_and(|d| !d.is_empty()) => {
            Err("Wayland without XWayland (no DISPLAY) is not supported".into())
        }
        _ => Err("no display".into()),
    }
}

/// Starts a detached holder for `text` and waits until it owns the selection.
pub fn hand_over(text: &str) -> Result<(), String> {
    display()?;
    if text.len() > MAX_TEXT {
        return Err("the text is too long for the clipboard holder".into());
    }
    let exe = std::env::current_exe()
        .map_err(|e| format!("could not find this program to keep the clipboard ({e})"))?;
    let mut command = Command::new(exe);
    command
        .arg(COMMAND)
        .env_clear()
        .current_dir("/")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        // Its own process group: Ctrl-C in the terminal and the terminal's hang-up reach the
        // program that copied, not the holder.
        .process_group(0);
    for name in PASSED_ENV {
        if let Some(value) = std::env::var_os(name) {
            command.env(name, value);
        }
    }
    let mut child = command
        .spawn()
        .map_err(|e| format!("could not start the clipboard holder ({e})"))?;
    // Written, then closed (dropped), so the holder sees the end of its input.
    let fed = child
        .stdin
        .take()
        .map(|mut stdin| stdin.write_all(text.as_bytes()));
    let answer = match (fed, child.stdout.take()) {
        (Some(Ok(())), Some(stdout)) => first_line(stdout, HANDSHAKE),
        _ => None,
    };
    match answer.as_deref() {
        Some("held") => {
            // Reaped when it leaves, so a long wizard session gathers no zombies.
            std::thread::spawn(move || child.wait());
            Ok(())
        }
        other => {
            let _ = child.kill();
            let _ = child.wait();
            Err(match other.and_then(|a| a.strip_prefix("failed: ")) {
                Some(why) => why.to_owned(),
                None => "the clipboard holder did not answer".to_owned(),
            })
        }
    }
}

/// The first line the holder prints, if it comes within `limit`.
fn first_line(stdout: impl Read + Send + 'static, limit: Duration) -> Option<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let read = BufReader::new(stdout.take(1024)).read_line(&mut line);
        let _ = tx.send(read.map(|_| line.trim_end().to_owned()));
    });
    rx.recv_timeout(limit).ok().and_then(Result::ok)
}

/// The holder's main: read the text, take the selection, say `held` (or `failed: why`) on
/// stdout, serve until replaced or the lifetime ends.
pub fn serve() -> ExitCode {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprintln!(
            "error: {COMMAND} is internal to vonage-onboard: it reads a copied text from a pipe"
        );
        return ExitCode::Usage;
    }
    let mut text = String::new();
    let read = stdin
        .lock()
        .take(MAX_TEXT as u64 + 1)
        .read_to_string(&mut text);
    let result = match read {
        Err(_) => Err("could not read the text to hold".to_owned()),
        Ok(_) if text.len() > MAX_TEXT => Err("the text is too long to hold".to_owned()),
        Ok(_) if text.is_empty() => Err("nothing to hold".to_owned()),
        Ok(_) => hold(text, lifetime()),
    };
    match result {
        Ok(()) => ExitCode::Ok,
        Err(why) => {
            say(&format!("failed: {why}"));
            ExitCode::Failure
        }
    }
}

/// The lifetime: `LIFETIME`, or fewer seconds when the environment asks.
fn lifetime() -> Duration {
    lifetime_from(std::env::var(LIFETIME_ENV).ok().as_deref())
}

fn lifetime_from(value: Option<&str>) -> Duration {
    value
        .and_then(|s| s.trim().parse::<u64>().ok())
        .filter(|s| (1..=LIFETIME.as_secs()).contains(s))
        .map_or(LIFETIME, Duration::from_secs)
}

/// One line to the parent; a parent that has gone is no reason to stop.
fn say(line: &str) {
    let mut out = std::io::stdout();
    let _ = writeln!(out, "{line}").and_then(|()| out.flush());
}

/// Owns the selection with `text`: `held` once it does, then serves until replaced, until the
/// display goes away, or for `lifetime`. Errors are reported before `held` only.
fn hold(text: String, lifetime: Duration) -> Result<(), String> {
    use arboard::SetExtLinux;
    let deadline = Instant::now() + lifetime;
    let mut probe = arboard::Clipboard::new().map_err(|e| format!("no clipboard ({e})"))?;
    let (done_tx, done_rx) = mpsc::channel();
    let served = text.clone();
    // `wait()` serves the selection until another owner takes it (X11 and Wayland alike),
    // so it runs on its own thread and the lifetime is kept here.
    std::thread::spawn(move || {
        let result =
            arboard::Clipboard::new().and_then(|mut c| c.set().wait().text(served.as_str()));
        let _ = done_tx.send(result);
    });
    let owns = |probe: &mut arboard::Clipboard| probe.get_text().is_ok_and(|t| t == text);
    let confirm_by = Instant::now() + HANDSHAKE;
    while !owns(&mut probe) {
        match done_rx.try_recv() {
            Ok(Err(e)) => return Err(format!("the display refused the selection ({e})")),
            Ok(Ok(())) | Err(mpsc::TryRecvError::Disconnected) => {
                return Err("the selection was taken at once".into());
            }
            Err(mpsc::TryRecvError::Empty) => {}
        }
        if Instant::now() >= confirm_by {
            return Err("the display did not confirm the selection in time".into());
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    say("held");
    loop {
        match done_rx.recv_timeout(PROBE_EVERY) {
            // Another owner took the selection (or the serving thread ended): done.
            Ok(_) | Err(mpsc::RecvTimeoutError::Disconnected) => return Ok(()),
            Err(mpsc::RecvTimeoutError::Timeout) => {}
        }
        // Past the lifetime, or the selection or the display gone without a word: leave.
        if Instant::now() >= deadline || !owns(&mut probe) {
            return Ok(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lifetime_can_be_shortened_never_lengthened() {
        assert_eq!(lifetime_from(None), Duration::from_secs(600));
        assert_eq!(lifetime_from(Some("2")), Duration::from_secs(2));
        assert_eq!(lifetime_from(Some(" 600 ")), Duration::from_secs(600));
        for bad in ["0", "601", "86400", "-1", "ten", ""] {
            assert_eq!(lifetime_from(Some(bad)), LIFETIME, "{bad:?}");
        }
    }
}
