//! `token doctor`: Vonage's "troubleshooting session creation" list, run against the API,
//! ending with a real Client SDK login (opened and closed at once). Each check gives ✓/✗
//! (or "could not run"), a one-line result and a fix; both front ends (the command, the
//! wizard's inspect view) show the same `Report`.
//!
//! The token rules are the one verifier's (`auth::verify::check`); this module only decides
//! which key and which clock it is asked with, and what to tell the developer.

pub mod acl;
pub mod clock;

use std::path::PathBuf;

use serde::Serialize;
use serde_json::{Value, json};

use crate::auth::jwt::Signer;
use crate::auth::keys::{PrivateKey, PublicKey};
use crate::auth::ttl::format_duration;
use crate::auth::verify::{self, Expected, Inspection, SignatureCheck, Verdict};
use crate::clock::rfc3339;
use crate::error::{Error, ExitCode};
use crate::ids::AppId;
use crate::onboard::context::AppContext;
use crate::store::paths::{Home, ProfileName};
use crate::vonage::{CallError, LoginVerdict, VonageClient};

use acl::Coverage;

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
    fn pass(id: CheckId, result: impl Into<String>) -> Self {
        Check {
            id,
            status: Status::Pass,
            result: result.into(),
            fix: None,
            exit: ExitCode::Ok,
        }
    }

    fn fail(
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

    fn not_run(
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

/// README's exit code for a verdict of the one verifier (as `token inspect` uses).
pub fn verdict_exit(verdict: &Verdict) -> ExitCode {
    match verdict {
        Verdict::Valid { .. } => ExitCode::Ok,
        Verdict::Expired { .. } | Verdict::NotYetValid { .. } | Verdict::TooLongLived { .. } => {
            ExitCode::Failure
        }
        Verdict::Refused(_) | Verdict::BadSignature(_) | Verdict::WrongApplication(_) => {
            ExitCode::AuthRefused
        }
        Verdict::Malformed(_) => ExitCode::Usage,
    }
}

/// What the doctor works with: the home (stored keys), the client for this run (the API or
/// the sandbox, with the account's credentials), and the application context the caller
/// resolved, if any (its key file is used when it is the token's application).
#[derive(Debug, Clone, Copy)]
pub struct Doctor<'a> {
    pub home: &'a Home,
    pub profile: &'a ProfileName,
    pub client: &'a VonageClient,
    pub context: Option<&'a AppContext>,
}

/// The private key this home has for the token's application.
struct StoredKey {
    path: PathBuf,
    signer: Result<Signer, String>,
}

impl StoredKey {
    fn public(&self) -> Option<PublicKey> {
        self.signer.as_ref().ok().map(|s| s.key().public_key())
    }
}

/// Which key the verdict was asked with.
enum KeyUsed {
    Api,
    Stored(PathBuf),
    None,
}

/// The application check's inputs, once the API has answered (or not).
enum Fetched {
    /// The application, and its public key if it has a usable one.
    App {
        name: String,
        key: Option<PublicKey>,
    },
    /// No answer to build on: the application check is this.
    Failed(Check),
}

impl Doctor<'_> {
    /// Runs every check on `token` (local clock `now`, Unix seconds). Never fails: a check
    /// that cannot run says why in its line.
    pub async fn diagnose(&self, token: &str, now: u64) -> Report {
        // First read untrusted: which application and user the token names.
        let opened = verify::check(token, Expected::default(), now);
        let mut report = Report {
            application_id: opened.application_id().map(str::to_owned),
            user: opened.subject().map(str::to_owned),
            server_time: None,
            skew: None,
            checks: Vec::new(),
        };
        let readable = opened.header.is_some()
            && !matches!(
                opened.verdict,
                Verdict::Refused(_) | Verdict::WrongApplication(_)
            );
        let app = opened
            .application_id()
            .filter(|_| readable)
            .map(|id| AppId::parse(id).map_err(|e| (id.to_owned(), e.to_string())));
        let app = match app {
            Some(Ok(app)) => app,
            unusable => {
                let first = match unusable {
                    Some(Err((id, why))) => Check::fail(
                        CheckId::Token,
                        ExitCode::AuthRefused,
                        format!("application_id {id:?} is not an application id: {why}"),
                        "mint the token with your application's id: `vonage-onboard token USER`",
                    ),
                    _ => token_check(&opened, &KeyUsed::None, report.user.as_deref()),
                };
                let exit = first.exit;
                report.checks.push(first);
                for id in &CheckId::ALL[1..] {
                    report.checks.push(Check::not_run(
                        *id,
                        exit,
                        "not run: the token itself is refused (see the token line)",
                        None,
                    ));
                }
                return report;
            }
        };
        let user = report.user.clone();
        let stored = self.stored_key(&app);
        let fetched = match self.client.get_application_dated(app.as_str()).await {
            Ok(dated) => {
                report.server_time = dated.server_time;
                let key = dated
                    .value
                    .keys
                    .public_key
                    .as_deref()
                    .and_then(|pem| PublicKey::from_pem(pem).ok());
                Fetched::App {
                    name: dated.value.name,
                    key,
                }
            }
            Err(e) => Fetched::Failed(application_not_fetched(&app, e)),
        };

        // 1. The verdict, with the application's current key when the API gave it.
        let stored_public = stored.as_ref().and_then(StoredKey::public);
        let (key, used) = match (&fetched, &stored_public, &stored) {
            (Fetched::App { key: Some(k), .. }, _, _) => (Some(k), KeyUsed::Api),
            (_, Some(k), Some(s)) => (Some(k), KeyUsed::Stored(s.path.clone())),
            _ => (None, KeyUsed::None),
        };
        let expected = Expected {
            key,
            application_id: Some(app.as_str()),
        };
        let verdict = verify::check(token, expected, now);
        report
            .checks
            .push(token_check(&verdict, &used, user.as_deref()));

        // 2. The application and its current key.
        let api_ok = matches!(fetched, Fetched::App { .. });
        report.checks.push(match fetched {
            Fetched::Failed(check) => check,
            Fetched::App { name, key: None } => Check::fail(
                CheckId::Application,
                ExitCode::Failure,
                format!("application {name:?} ({app}) has no usable public key on the API"),
                "give it your key: `vonage-onboard app create` stores one, or PUT the public key to the application",
            ),
            Fetched::App {
                name,
                key: Some(current),
            } => key_check(
                token,
                &app,
                &name,
                &current,
                &verdict,
                stored.as_ref(),
                user.as_deref(),
                now,
            ),
        });

        // 3. The user, on the region's host (and where else, if not there). Not tried when
        // the API was just unreachable: a second wait for the same timeout tells nothing new.
        let unreachable = report.checks[1].exit == ExitCode::Network;
        report.checks.push(if unreachable {
            Check::not_run(
                CheckId::User,
                ExitCode::Network,
                "not tried: the API could not be reached for the application check",
                None,
            )
        } else {
            self.user_check(&app, user.as_deref(), stored.as_ref())
                .await
        });

        // 4. The ACL.
        report.checks.push(acl_check(&verdict, user.as_deref()));

        // 5. The server's clock.
        let clock = match report.server_time {
            Some(server) => {
                let skew = clock::skew(now, server);
                report.skew = Some(skew);
                clock_check(token, &app, server, skew, user.as_deref())
            }
            None if api_ok => Check::not_run(
                CheckId::Clock,
                ExitCode::Failure,
                "the API's answer had no readable Date header, so the server's clock is unknown",
                None,
            ),
            None => Check::not_run(
                CheckId::Clock,
                report.checks[1].exit,
                "could not run: no answer from the API to read the server's clock from",
                None,
            ),
        };
        report.checks.push(clock);

        // 6. The login itself, as the Client SDK does it.
        report
            .checks
            .push(login_check(self.client, token, user.as_deref()).await);
        report
    }

    /// The key file of the token's application: the caller's context when it is that
    /// application (`VONAGE_PRIVATE_KEY_PATH`), else the one this profile stored.
    fn stored_key(&self, app: &AppId) -> Option<StoredKey> {
        let path = match self.context {
            Some(context) if &context.id == app => context.key_path.clone(),
            _ => self.home.private_key_file(self.profile, app),
        };
        if !path.exists() {
            return None;
        }
        let signer = PrivateKey::load(&path)
            .map(|key| Signer::new(app.clone(), key))
            .map_err(|e| e.to_string());
        Some(StoredKey { path, signer })
    }

    async fn user_check(
        &self,
        app: &AppId,
        user: Option<&str>,
        stored: Option<&StoredKey>,
    ) -> Check {
        let id = CheckId::User;
        let Some(user) = user else {
            return Check::fail(
                id,
                ExitCode::Failure,
                "the token has no sub: it is an admin (backend) token, which cannot log in a Client SDK",
                "mint a user token: `vonage-onboard token USER`",
            );
        };
        let signer = match stored.map(|s| (&s.path, &s.signer)) {
            None => {
                return Check::not_run(
                    id,
                    ExitCode::Usage,
                    format!(
                        "could not run: no private key of application {app} is stored here, and the Users API takes only an admin token signed with it"
                    ),
                    Some(
                        "point VONAGE_APPLICATION_ID and VONAGE_PRIVATE_KEY_PATH at the application and its key file".into(),
                    ),
                );
            }
            Some((path, Err(why))) => {
                return Check::not_run(
                    id,
                    ExitCode::Usage,
                    format!(
                        "could not run: the stored key {} cannot sign the Users API's admin token: {why}",
                        path.display()
                    ),
                    None,
                );
            }
            Some((_, Ok(signer))) => signer,
        };
        let host = self.client.endpoints().users_base().to_owned();
        match self.client.get_user(signer, user).await {
            Ok(found) => Check::pass(
                id,
                format!(
                    "user {user:?} ({}) exists in application {app} on {host}",
                    found.id
                ),
            ),
            Err(CallError::Api(e)) if e.status == 404 => {
                self.user_elsewhere(app, user, &host, signer).await
            }
            Err(CallError::Api(e)) if e.status == 401 => Check::not_run(
                id,
                ExitCode::AuthRefused,
                format!(
                    "could not look the user up on {host}: the Users API refused the admin token signed with the stored key {} ({})",
                    stored.map(|s| s.path.display().to_string()).unwrap_or_default(),
                    e.code.as_deref().unwrap_or(e.title.as_str())
                ),
                Some("give this home the application's current private key (see the application key line)".into()),
            ),
            Err(e) => {
                let error = Error::from(e);
                Check::not_run(
                    id,
                    error.exit_code(),
                    format!("could not look the user up on {host}: {error}"),
                    None,
                )
            }
        }
    }

    /// A user missing on the region's host: looked for on the other regions' hosts, when
    /// there are others (with an API base set there is one host only, and that is said).
    async fn user_elsewhere(&self, app: &AppId, user: &str, host: &str, signer: &Signer) -> Check {
        let id = CheckId::User;
        let create = format!("`vonage-onboard user create {user}`");
        let Some(here) = self.client.endpoints().region() else {
            return Check::fail(
                id,
                ExitCode::NotFound,
                format!(
                    "no user {user:?} in application {app} on {host}, the only host when an API base is set (no other region was searched)"
                ),
                format!(
                    "create the user: {create}, or mint the token for an existing one (`vonage-onboard user list`)"
                ),
            );
        };
        let mut found = Vec::new();
        let mut unsearched = Vec::new();
        for region in crate::region::Region::ALL
            .into_iter()
            .filter(|r| *r != here)
        {
            let Some(other) = self.client.in_region(region) else {
                continue;
            };
            match other.get_user(signer, user).await {
                Ok(_) => found.push(region),
                Err(CallError::Api(e)) if e.status == 404 => {}
                Err(_) => unsearched.push(region.name()),
            }
        }
        let not_searched = if unsearched.is_empty() {
            String::new()
        } else {
            format!(" ({} could not be searched)", unsearched.join(", "))
        };
        match found.first() {
            Some(region) => Check::fail(
                id,
                ExitCode::NotFound,
                format!(
                    "no user {user:?} in application {app} on {host} (region {}); it exists on {} (region {}){not_searched}",
                    here.name(),
                    region.users_base(),
                    region.name()
                ),
                format!(
                    "use that region (--region {0} or VONAGE_REGION={0}; the Client SDK's region too), or create the user on {host}: {create}",
                    region.name()
                ),
            ),
            None => Check::fail(
                id,
                ExitCode::NotFound,
                format!(
                    "no user {user:?} in application {app} on {host}, nor on the other regions' hosts{not_searched}"
                ),
                format!(
                    "create the user: {create}, or mint the token for an existing one (`vonage-onboard user list`)"
                ),
            ),
        }
    }
}

/// Check 1: the verifier's verdict, and which key it checked the signature with.
fn token_check(inspection: &Inspection, used: &KeyUsed, user: Option<&str>) -> Check {
    let id = CheckId::Token;
    let verdict = &inspection.verdict;
    let mint = mint_command(user);
    if verdict.is_valid() {
        let with = match (&inspection.signature, used) {
            (SignatureCheck::Verified, KeyUsed::Api) => {
                "signature checked with the application's current key".to_owned()
            }
            (SignatureCheck::Verified, KeyUsed::Stored(path)) => format!(
                "signature checked with the stored key {} (the API's key could not be fetched)",
                path.display()
            ),
            _ => "signature not checked: no key of the application is known".to_owned(),
        };
        return Check::pass(id, format!("{}; {with}", verdict.describe()));
    }
    let fix = match verdict {
        Verdict::Expired { .. } => format!("mint a fresh one: {mint}"),
        Verdict::NotYetValid { .. } => format!(
            "its iat or nbf is in the future: check this machine's clock (see the server clock line), then mint a new one: {mint}"
        ),
        Verdict::TooLongLived { .. } => {
            format!("mint one that lives 24h at most: {mint}")
        }
        Verdict::Refused(_) => {
            format!("mint it as Vonage wants it (RS256, no crit header): {mint}")
        }
        Verdict::BadSignature(_) => {
            "mint a new token with the application's current key (see the application key line)"
                .to_owned()
        }
        Verdict::WrongApplication(_) => format!("mint a token for the application: {mint}"),
        Verdict::Malformed(_) => format!(
            "pass the whole token (three base64url parts separated by dots), e.g. from {mint}"
        ),
        Verdict::Valid { .. } => unreachable!("handled above"),
    };
    Check::fail(id, verdict_exit(verdict), verdict.describe(), fix)
}

/// The command that mints a token for `user` (or a placeholder).
fn mint_command(user: Option<&str>) -> String {
    format!("`vonage-onboard token {}`", user.unwrap_or("USER"))
}

/// Check 2 when the application lookup failed.
fn application_not_fetched(app: &AppId, e: CallError) -> Check {
    let id = CheckId::Application;
    if matches!(&e, CallError::Api(api) if api.status == 404) {
        return Check::fail(
            id,
            ExitCode::NotFound,
            format!("no application {app} in this account (the API answered 404)"),
            "mint the token for one of your applications (`vonage-onboard app list`); this one may have been deleted, or belong to another account",
        );
    }
    let auth_refused = matches!(&e, CallError::Api(api) if matches!(api.status, 401 | 403));
    let error = Error::from(e);
    let fix = auth_refused
        .then(|| "check the account's API key and secret: `vonage-onboard setup`".to_owned());
    Check::not_run(
        id,
        error.exit_code(),
        format!("could not look application {app} up: {error}"),
        fix,
    )
}

/// Check 2: the application's current key against the signature; when it fails, what
/// the stored key has to do with it.
#[allow(clippy::too_many_arguments)]
fn key_check(
    token: &str,
    app: &AppId,
    name: &str,
    current: &PublicKey,
    verdict: &Inspection,
    stored: Option<&StoredKey>,
    user: Option<&str>,
    now: u64,
) -> Check {
    let id = CheckId::Application;
    match &verdict.signature {
        SignatureCheck::Verified => {
            return Check::pass(
                id,
                format!(
                    "application {name:?} ({app}) exists; its current public key verifies the signature"
                ),
            );
        }
        SignatureCheck::NotChecked(why) => {
            return Check::not_run(
                id,
                ExitCode::Failure,
                format!(
                    "application {name:?} ({app}) exists; the signature was not checked: {why}"
                ),
                None,
            );
        }
        SignatureCheck::Invalid(_) if !matches!(verdict.verdict, Verdict::BadSignature(_)) => {
            return Check::not_run(
                id,
                ExitCode::AuthRefused,
                format!(
                    "application {name:?} ({app}) exists; the signature was not checked: {}",
                    verdict.verdict.describe()
                ),
                None,
            );
        }
        SignatureCheck::Invalid(_) => {}
    }
    let result = format!(
        "application {name:?} ({app}) exists, but its current public key does not verify the signature"
    );
    let mint = mint_command(user);
    let fix = match stored {
        None => format!(
            "mint a new token with the application's current private key; no key of this application is stored here ({mint} needs one)"
        ),
        Some(StoredKey {
            path,
            signer: Err(why),
        }) => format!(
            "mint a new token with the current key; the stored key {} cannot be read ({why})",
            path.display()
        ),
        Some(stored) => {
            let public = stored.public();
            let path = stored.path.display();
            if public.as_ref().map(PublicKey::pkcs1_der) == Some(current.pkcs1_der()) {
                format!(
                    "mint a new token with the current key: {mint}; the stored key {path} is the current one, so this token was signed elsewhere"
                )
            } else {
                let signed_by_stored = public.as_ref().is_some_and(|key| {
                    let expected = Expected {
                        key: Some(key),
                        application_id: Some(app.as_str()),
                    };
                    verify::check(token, expected, now).signature == SignatureCheck::Verified
                });
                let how = if signed_by_stored {
                    "signed this token but is no longer the application's key (it changed on the API)"
                } else {
                    "is not the application's current key either"
                };
                format!(
                    "mint a new token with the current key; the stored key {path} {how}: put the application's current private key there (or point VONAGE_PRIVATE_KEY_PATH at it), then {mint}"
                )
            }
        }
    };
    Check::fail(id, ExitCode::AuthRefused, result, fix)
}

/// Check 4: the ACL against the Client SDK's path families.
fn acl_check(verdict: &Inspection, user: Option<&str>) -> Check {
    let id = CheckId::Acl;
    let mint = format!(
        "`vonage-onboard token {} --acl client-sdk`",
        user.unwrap_or("USER")
    );
    if user.is_none() {
        return Check::not_run(
            id,
            ExitCode::Failure,
            "not run: an admin token has no ACL (it is not for the Client SDK)",
            None,
        );
    }
    let claim = verdict.claims.as_ref().and_then(|c| c.get("acl"));
    match acl::coverage(claim) {
        Coverage::Full { families } => Check::pass(
            id,
            format!("covers the {families} path families the Client SDK uses"),
        ),
        Coverage::NoAcl => Check::fail(
            id,
            ExitCode::Failure,
            "the token has no acl claim: a user token without one reaches nothing, not even the login",
            format!("mint it with the Client SDK's ACL: {mint}"),
        ),
        Coverage::Invalid(why) => Check::fail(
            id,
            ExitCode::Failure,
            format!("the acl claim is not a valid ACL: {why}"),
            format!("mint it with the Client SDK's ACL: {mint}"),
        ),
        Coverage::Missing(missing) => {
            let login = if missing.iter().any(|m| m == acl::SESSIONS) {
                " (without /*/sessions/** the login itself, createSession, is refused)"
            } else {
                ""
            };
            Check::fail(
                id,
                ExitCode::Failure,
                format!("missing {}{login}", missing.join(", ")),
                format!("mint it with the Client SDK's ACL: {mint}"),
            )
        }
    }
}

/// Check 6: a session opened with the token on the websocket host, and closed at once.
async fn login_check(client: &VonageClient, token: &str, user: Option<&str>) -> Check {
    let id = CheckId::Login;
    let host = client.websocket_base().to_owned();
    match client.try_login(token).await {
        Ok(LoginVerdict::Opened {
            session_id, name, ..
        }) => Check::pass(
            id,
            format!(
                "{host} opened session {session_id} for {name:?} (session:success); it was logged out at once"
            ),
        ),
        Ok(LoginVerdict::Refused { event, description }) => {
            let (exit, fix) = match event.as_str() {
                "system:error:expired-token" => (
                    ExitCode::Failure,
                    format!("mint a fresh token: {}", mint_command(user)),
                ),
                "user:error:invalid-user" => (
                    ExitCode::NotFound,
                    "the token's sub must be a user of the application (see the user line)".to_owned(),
                ),
                "system:error:permission" => (
                    ExitCode::AuthRefused,
                    format!(
                        "the ACL must allow /*/sessions/**: `vonage-onboard token {} --acl client-sdk`",
                        user.unwrap_or("USER")
                    ),
                ),
                "system:error:invalid-token" => (
                    ExitCode::AuthRefused,
                    "see the token and application key lines: the signature, the application or the algorithm".to_owned(),
                ),
                _ => (
                    ExitCode::Failure,
                    "see the lines above; this refusal is not one the doctor knows".to_owned(),
                ),
            };
            let why = description.map(|d| format!(" ({d})")).unwrap_or_default();
            Check::fail(
                id,
                exit,
                format!("{host} refused the login: {event}{why}"),
                fix,
            )
        }
        Err(e) => {
            let error = Error::from(e);
            Check::not_run(
                id,
                error.exit_code(),
                format!("could not open a session at {host}: {error}"),
                None,
            )
        }
    }
}

/// Check 5: the verifier's time rules at the server's clock; the signature is check 2's.
fn clock_check(token: &str, app: &AppId, server: u64, skew: i64, user: Option<&str>) -> Check {
    let id = CheckId::Clock;
    let expected = Expected {
        key: None,
        application_id: Some(app.as_str()),
    };
    let verdict = verify::check(token, expected, server).verdict;
    let skew_text = clock::describe_skew(skew);
    let sync = "sync this machine's clock (e.g. `timedatectl set-ntp true`)";
    let mint = mint_command(user);
    match verdict {
        Verdict::Valid { expires_in } => Check::pass(
            id,
            format!(
                "valid for {} by the server's clock ({}); {skew_text}",
                format_duration(expires_in),
                rfc3339(server)
            ),
        ),
        Verdict::Expired { since, reason } => {
            let fix = if clock::is_notable(skew) && skew < 0 {
                format!("{sync}, then mint a fresh token: {mint}")
            } else {
                format!("mint a fresh token: {mint}")
            };
            Check::fail(
                id,
                ExitCode::Failure,
                format!(
                    "expired {} ago by the server's clock ({reason}); {skew_text}",
                    format_duration(since)
                ),
                fix,
            )
        }
        Verdict::NotYetValid { starts_in, reason } => {
            let fix = if clock::is_notable(skew) && skew > 0 {
                format!("{sync}, then mint a new token: {mint}")
            } else {
                format!("mint a token whose iat and nbf are not in the future: {mint}")
            };
            Check::fail(
                id,
                ExitCode::Failure,
                format!(
                    "not valid yet by the server's clock ({reason}, starts in {}); {skew_text}",
                    format_duration(starts_in)
                ),
                fix,
            )
        }
        other => Check::not_run(
            id,
            verdict_exit(&other),
            format!(
                "not judged: {} (see the token line); {skew_text}",
                other.describe()
            ),
            None,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::jwt::{Claims, Signer};
    use crate::auth::keys::PrivateKey;

    const APP: &str = "aaaaaaaa-bbbb-cccc-dddd-0123456789ab";
    const KEY: &str = include_str!("../../../tests/fixtures/test-key-pkcs8.pem");

    fn token(iat: u64, exp: u64) -> String {
        let signer = Signer::new(
            AppId::parse(APP).unwrap(),
            PrivateKey::from_pem(KEY).unwrap(),
        );
        signer
            .sign(&Claims {
                application_id: APP.into(),
                iat,
                jti: "j".into(),
                exp,
                nbf: None,
                sub: Some("alice".into()),
                acl: None,
            })
            .expose()
            .to_owned()
    }

    fn app() -> AppId {
        AppId::parse(APP).unwrap()
    }

    #[test]
    fn the_clock_check_judges_exp_at_the_servers_time_and_reports_the_skew() {
        let t = token(1_000, 1_000 + 3_600);
        // Our clock says it is valid for 100 s more; the server's is 200 s ahead: expired.
        let local = 4_500;
        let server = 4_700;
        let c = clock_check(
            &t,
            &app(),
            server,
            clock::skew(local, server),
            Some("alice"),
        );
        assert_eq!(c.status, Status::Fail, "{c:?}");
        assert!(c.result.contains("expired 1m 40s ago"), "{}", c.result);
        assert!(c.result.contains("skew -200 s"), "{}", c.result);
        assert!(c.result.contains("200 s behind"), "{}", c.result);
        assert!(
            c.fix
                .as_deref()
                .unwrap()
                .contains("sync this machine's clock")
        );

        // In step: valid, with the time left by the server's clock.
        let c = clock_check(&t, &app(), 1_600, clock::skew(1_601, 1_600), Some("alice"));
        assert_eq!(c.status, Status::Pass, "{c:?}");
        assert!(c.result.contains("valid for 50m"), "{}", c.result);
        assert!(c.result.contains("skew +1 s"), "{}", c.result);
    }

    #[test]
    fn a_clock_ahead_of_the_server_makes_a_fresh_token_not_yet_valid_there() {
        // Minted here at 10 000, but the server says 9 000: iat is 1000 s in its future.
        let t = token(10_000, 13_600);
        let c = clock_check(&t, &app(), 9_000, clock::skew(10_000, 9_000), Some("alice"));
        assert_eq!(c.status, Status::Fail, "{c:?}");
        assert!(c.result.contains("not valid yet"), "{}", c.result);
        assert!(c.result.contains("1000 s ahead"), "{}", c.result);
        assert!(
            c.fix
                .as_deref()
                .unwrap()
                .contains("sync this machine's clock")
        );
    }

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
