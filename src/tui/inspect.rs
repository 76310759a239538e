//! The inspect view's text (`i` on a stored token, `p` for a pasted one): header, claims, the
//! times as dates, whether the signature checks, and the shared verifier's verdict. The
//! doctor's checks (`d` in the view) are appended by `update` when the worker has run them.

use serde_json::Value;

use crate::auth::ttl::format_duration;
use crate::auth::verify::{Inspection, SignatureCheck, Verdict};
use crate::clock::rfc3339;

/// The lines of the view for what the verifier found at `now`.
pub fn lines(inspection: &Inspection, now: u64) -> Vec<String> {
    // What matters first (a short window shows it without scrolling), then the token's parts.
    let mut lines = vec![match &inspection.verdict {
        Verdict::Expired { since, .. } => format!("EXPIRED {} ago", format_duration(*since)),
        other => other.describe(),
    }];
    lines.push(match &inspection.signature {
        SignatureCheck::Verified => "signature  ✓ checks with the application's key".to_owned(),
        SignatureCheck::Invalid(why) => format!("signature  ✗ does not check: {why}"),
        SignatureCheck::NotChecked(why) => format!("signature  not checked here: {why}"),
    });
    let claims = inspection.claims.as_ref();
    // The times as dates, not only seconds since 1970.
    for (name, label) in [("iat", "issued"), ("nbf", "not before"), ("exp", "expires")] {
        if let Some(at) = claims.and_then(|c| c.get(name)).and_then(Value::as_u64) {
            lines.push(format!(
                "{label:10} {}  ({})",
                rfc3339(at),
                relative(at, now)
            ));
        }
    }
    lines.push("d runs the doctor's checks with Vonage (as token doctor does).".to_owned());
    lines.push(String::new());
    match (&inspection.header, claims) {
        (Some(header), Some(claims)) => {
            lines.push(format!("header  {header}"));
            lines.push("claims".to_owned());
            let pretty = serde_json::to_string_pretty(claims).unwrap_or_default();
            lines.extend(pretty.lines().map(|l| format!("  {l}")));
        }
        _ => lines.push("not a JWT".to_owned()),
    }
    lines
}

/// `in 5h 12m` / `10m ago` / `now`.
fn relative(at: u64, now: u64) -> String {
    match at.cmp(&now) {
        std::cmp::Ordering::Greater => format!("in {}", format_duration(at - now)),
        std::cmp::Ordering::Less => format!("{} ago", format_duration(now - at)),
        std::cmp::Ordering::Equal => "now".to_owned(),
    }
}
