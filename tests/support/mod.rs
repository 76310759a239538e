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
pub mod process;
pub mod tokens;

use std::io::Write;
use std::process::Output;

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
