//! Helpers shared by the integration tests.

use std::io::Write;

/// Says why a test cannot run here. Written straight to stderr, not through `eprintln!`,
/// which the test harness captures and hides for a passing test: a skip must be seen.
pub fn skip(reason: &str) {
    let _ = writeln!(std::io::stderr(), "SKIPPED: {reason}");
}
