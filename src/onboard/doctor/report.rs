//! The doctor's report: the checks in order, each ✓/✗/? with a one-line result, a fix and
//! the exit code it gives; the lines for people and the JSON for machines.

use serde::Serialize;
use serde_json::{Value, json};

use crate::clock::rfc3339;
use crate::error::ExitCode;

/// The checks, in the order they run and are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckId {
    /// The one verifier's verdict.
    Token,
    /// The application exists and its current public key verifies the signature.
    Application,
    /// The `sub` user exists in that application on the region's host.
    User,
    /// The ACL covers the paths the Client SDK uses.
    Acl,
    /// `exp` against the server's clock (its `Date` header), with the skew.
    Clock,
    /// A Client SDK session opened with the token (and closed at once): the server's verdict.
    Login,
}

impl CheckId {
    pub const ALL: [CheckId; 6] = [
        CheckId::Token,
        CheckId::Application,
        CheckId::User,
        CheckId::Acl,
        CheckId::Clock,
        CheckId::Login,
    ];

    /// A stable word for machine output.
    pub fn word(self) -> &'static str {
        match self {
            CheckId::Token => "token",
            CheckId::Application => "application",
            CheckId::User => "user",
            CheckId::Acl => "acl",
            CheckId::Clock => "clock",
            CheckId::Login => "login",
        }
    }

    /// A short label for people.
    pub fn title(self) -> &'static str {
        match self {
            CheckId::Token => "token",
            CheckId::Application => "application key",
            CheckId::User => "user",
            CheckId::Acl => "ACL",
            CheckId::Clock => "server clock",
            CheckId::Login => "login",
        }
    }
}

/// How a check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Pass,
    Fail,
    /// It could not be run (the API unreachable, no key to ask with, an earlier refusal).
    NotRun,
}

impl Status {
    /// ✓, ✗, or ? for a check that could not run.
    pub fn mark(self) -> &'static str {
        match self {
            Status::Pass => "✓",
            Status::Fail => "✗",
            Status::NotRun => "?",
        }
    }
}

/// One line of the report: the result, and what to do when it is not a pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub id: CheckId,
    pub status: Status,
    /// One line: what was found.
    pub result: String,
    /// One sentence: what to do about it (none on a pass).
    pub fix: Option<String>,
    /// The exit code this check gives the command when it is the first that did not pass.
    pub exit: ExitCode,
}

impl Check {
    pub(super) fn pass(id: CheckId, result: impl Into<String>) -> Self {
        Check {
            id,
            status: Status::Pass,
            result: result.into(),
            fix: None,
            exit: ExitCode::Ok,
        }
    }

    pub(super) fn fail(
        id: CheckId,
        exit: ExitCode,
        result: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        Check {
            id,
            status: Status::Fail,
            result: result.into(),
            fix: Some(fix.into()),
            exit,
        }
    }

    pub(super) fn not_run(
        id: CheckId,
        exit: ExitCode,
        result: impl Into<String>,
        fix: Option<String>,
    ) -> Self {
        Check {
            id,
            status: Status::NotRun,
            result: result.into(),
            fix,
            exit,
        }
    }
}

/// What the doctor found about one token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// The token's `application_id` claim (untrusted unless the application check passed).
    pub application_id: Option<String>,
    /// The token's `sub` claim.
    pub user: Option<String>,
    /// The server's clock from the API's `Date` header, when an answer carried one.
    pub server_time: Option<u64>,
    /// Seconds this machine is ahead of the server (negative: behind).
    pub skew: Option<i64>,
    /// One per `CheckId`, in order.
    pub checks: Vec<Check>,
}

impl Report {
    pub fn passed(&self) -> bool {
        self.checks.iter().all(|c| c.status == Status::Pass)
    }

    /// The first check that did not pass, in order.
    pub fn first_problem(&self) -> Option<&Check> {
        self.checks.iter().find(|c| c.status != Status::Pass)
    }

    /// 0 when every check passed; otherwise the code of the first that did not (3 a refused
    /// token or key, 4 no such application or user, 6 the API unreachable, 2 a malformed
    /// token or nothing to ask the API with, 1 anything else).
    pub fn exit_code(&self) -> ExitCode {
        self.first_problem().map_or(ExitCode::Ok, |c| c.exit)
    }

    pub fn check(&self, id: CheckId) -> Option<&Check> {
        self.checks.iter().find(|c| c.id == id)
    }

    /// The report for people: one line per check, and a `fix:` line under each problem.
    pub fn lines(&self) -> Vec<String> {
        let width = CheckId::ALL
            .iter()
            .map(|id| id.title().chars().count())
            .max()
            .unwrap_or(0);
        let mut lines = Vec::new();
        for c in &self.checks {
            lines.push(format!(
                "{} {:width$}  {}",
                c.status.mark(),
                c.id.title(),
                c.result
            ));
            if let Some(fix) = &c.fix {
                lines.push(format!("  {:width$}  fix: {fix}", ""));
            }
        }
        lines
    }

    /// The machine form: `ok`, `exit_code`, the claims it read, the clock, and the checks.
    pub fn to_json(&self) -> Value {
        let checks: Vec<Value> = self
            .checks
            .iter()
            .map(|c| {
                json!({
                    "id": c.id.word(),
                    "title": c.id.title(),
                    "status": c.status,
                    "mark": c.status.mark(),
                    "result": c.result,
                    "fix": c.fix,
                })
            })
            .collect();
        json!({
            "ok": self.passed(),
            "exit_code": self.exit_code() as i32,
            "application_id": self.application_id,
            "user": self.user,
            "server_time": self.server_time.map(rfc3339),
            "skew_seconds": self.skew,
            "checks": checks,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::auth::fixtures::APP;

    #[test]
    fn the_exit_code_is_the_first_problems_and_json_has_every_check() {
        let report = Report {
            application_id: Some(APP.into()),
            user: Some("alice".into()),
            server_time: Some(0),
            skew: Some(0),
            checks: vec![
                Check::pass(CheckId::Token, "fine"),
                Check::fail(
                    CheckId::Application,
                    ExitCode::AuthRefused,
                    "bad key",
                    "mint",
                ),
                Check::fail(CheckId::User, ExitCode::NotFound, "no user", "create"),
            ],
        };
        assert!(!report.passed());
        assert_eq!(report.exit_code(), ExitCode::AuthRefused);
        let doc = report.to_json();
        assert_eq!(doc["ok"], false);
        assert_eq!(doc["exit_code"], 3);
        assert_eq!(doc["checks"][1]["status"], "fail");
        assert_eq!(doc["checks"][1]["mark"], "✗");
        assert_eq!(doc["checks"][0]["fix"], Value::Null);
        assert_eq!(doc["server_time"], "1970-01-01T00:00:00Z");
        let lines = report.lines();
        assert!(lines[0].starts_with("✓ token"), "{lines:?}");
        assert!(lines[2].trim_start().starts_with("fix: mint"), "{lines:?}");
    }
}
