//! The real binary in a raw pseudo-terminal through `support/pty.rs`, the driver the wizard
//! bench measures with (its output read by `vt100`): the first frame and the Account form
//! appear, a key typed into the API key field is echoed, and Ctrl-C ends the wizard with
//! exit 0 and the alternate screen left. The bench's own waits, so a screen change that would
//! leave the bench waiting fails here first.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

#[path = "support/pty.rs"]
mod pty;
mod support;

use std::time::Duration;

use pty::{Pty, contains, line_with};

/// Generous: a debug build on a busy machine.
const WAIT: Duration = Duration::from_secs(20);

#[test]
fn the_bench_driver_sees_the_first_frame_an_echoed_key_and_a_clean_quit() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let bin = assert_cmd::cargo::cargo_bin("vonage-onboard");
    let args = [
        "--home".to_owned(),
        home.display().to_string(),
        "--api-base".to_owned(),
        "http://127.0.0.1:9".to_owned(),
    ];
    let mut w = match Pty::spawn(&bin, &args, dir.path(), 100, 30) {
        Ok(w) => w,
        Err(e) if e.starts_with("could not open a pseudo-terminal") => {
            support::skip(&format!("no pseudo-terminal here: {e}"));
            return;
        }
        Err(e) => panic!("{e}"),
    };
    let first = w
        .wait_for("the first frame", WAIT, |s| contains(s, "1 Account"))
        .unwrap();
    assert!(first >= w.spawned);
    w.wait_for("the API key field with focus", WAIT, |s| {
        line_with(s, "› API key").is_some_and(|l| l.contains("[]"))
    })
    .unwrap();
    assert!(
        w.screen().alternate_screen(),
        "the wizard draws on the alternate screen"
    );
    let sent = w.send(b"ab").unwrap();
    let shown = w
        .wait_for("[ab] in the API key field", WAIT, |s| {
            line_with(s, "› API key").is_some_and(|l| l.contains("[ab]"))
        })
        .unwrap();
    assert!(shown >= sent);
    assert!(w.bytes > 0);
    let quit = w.quit().unwrap();
    assert!(quit.success, "Ctrl-C ends the wizard with exit 0");
    assert!(quit.restored, "the alternate screen was left");
}
