//! Fault injection (SPEC §5): forced statuses, latency and dropped connections, off unless
//! rules are given, so clients' retry and reconcile paths can be tested against a real server.

use std::str::FromStr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use crate::error::Error;

/// What a matching rule does to a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FaultAction {
    /// Answer this status (in the path's error style) without processing the request;
    /// `retry_after` adds a `Retry-After` header.
    Status { code: u16, retry_after: Option<u64> },
    /// Sleep this long before processing the request.
    Delay(Duration),
    /// Process the request fully (state changes are kept and persisted), then close the
    /// connection without a byte of response: the client sees a lost answer.
    DropAfterProcessing,
    /// Process the request fully, then never answer: the connection stays open and silent
    /// until the client gives up or dies (a proxy holding the answer back).
    HoldAfterProcessing,
}

/// One rule: which requests it hits, what it does, how many times.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultRule {
    /// `None` matches any method.
    pub method: Option<String>,
    /// A path prefix; `""` or `"*"` matches any path.
    pub path_prefix: String,
    pub action: FaultAction,
    /// `None` = forever.
    pub times: Option<u32>,
}

impl FaultRule {
    fn matches(&self, method: &str, path: &str) -> bool {
        let method_ok = self
            .method
            .as_deref()
            .is_none_or(|m| m.eq_ignore_ascii_case(method));
        let path_ok =
            matches!(self.path_prefix.as_str(), "" | "*") || path.starts_with(&self.path_prefix);
        method_ok && path_ok
    }
}

const SPEC_SYNTAX: &str = "a fault is \"METHOD PATH ACTION [xN]\": METHOD is an HTTP method or *, PATH a path prefix such as /v1/users or *, ACTION one of status=CODE [retry-after=SECONDS], delay=DURATION (1500ms, 2s), drop, hold; xN limits it to N requests";

impl FromStr for FaultRule {
    type Err = Error;

    /// Reads `--fault` specs such as `POST /v2/applications drop x1`,
    /// `* /v1/users status=429 retry-after=1 x1` or `* * delay=1500ms`.
    fn from_str(spec: &str) -> Result<Self, Error> {
        let bad = |why: String| Error::usage(format!("--fault {spec:?}: {why}; {SPEC_SYNTAX}"));
        let mut words = spec.split_whitespace();
        let (Some(method), Some(path)) = (words.next(), words.next()) else {
            return Err(bad("it needs a method, a path and an action".into()));
        };
        let method = match method {
            "*" => None,
            m if !m.is_empty() && m.chars().all(|c| c.is_ascii_alphabetic()) => {
                Some(m.to_ascii_uppercase())
            }
            m => return Err(bad(format!("{m:?} is not an HTTP method or *"))),
        };
        let path_prefix = match path {
            "*" => String::new(),
            p if p.starts_with('/') => p.to_owned(),
            p => return Err(bad(format!("path {p:?} must start with / (or be *)"))),
        };
        let mut status = None;
        let mut retry_after = None;
        let mut delay = None;
        let mut drop = false;
        let mut hold = false;
        let mut times = None;
        for word in words {
            if let Some(code) = word.strip_prefix("status=") {
                let code: u16 = code
                    .parse()
                    .ok()
                    .filter(|c| (400..=599).contains(c))
                    .ok_or_else(|| bad(format!("{word:?}: the status must be 400..599")))?;
                status = Some(code);
            } else if let Some(seconds) = word.strip_prefix("retry-after=") {
                retry_after = Some(
                    seconds
                        .parse::<u64>()
                        .map_err(|_| bad(format!("{word:?}: retry-after takes whole seconds")))?,
                );
            } else if let Some(duration) = word.strip_prefix("delay=") {
                delay = Some(parse_delay(duration).ok_or_else(|| {
                    bad(format!("{word:?}: a delay looks like 250ms, 1500ms or 2s"))
                })?);
            } else if word == "drop" {
                drop = true;
            } else if word == "hold" {
                hold = true;
            } else if let Some(n) = word.strip_prefix('x') {
                times = Some(
                    n.parse::<u32>()
                        .ok()
                        .filter(|n| *n > 0)
                        .ok_or_else(|| bad(format!("{word:?}: the count is x1, x2, ...")))?,
                );
            } else {
                return Err(bad(format!("{word:?} is not understood")));
            }
        }
        let action = match (status, delay, drop, hold) {
            (Some(code), None, false, false) => FaultAction::Status { code, retry_after },
            (None, Some(d), false, false) if retry_after.is_none() => FaultAction::Delay(d),
            (None, None, true, false) if retry_after.is_none() => FaultAction::DropAfterProcessing,
            (None, None, false, true) if retry_after.is_none() => FaultAction::HoldAfterProcessing,
            (None, None, false, false) => return Err(bad("it has no action".into())),
            _ if retry_after.is_some() && status.is_none() => {
                return Err(bad("retry-after goes with status=CODE only".into()));
            }
            _ => return Err(bad("give exactly one action".into())),
        };
        Ok(FaultRule {
            method,
            path_prefix,
            action,
            times,
        })
    }
}

/// `250ms`, `2s`, or plain milliseconds.
fn parse_delay(text: &str) -> Option<Duration> {
    if let Some(ms) = text.strip_suffix("ms") {
        ms.parse().ok().map(Duration::from_millis)
    } else if let Some(s) = text.strip_suffix('s') {
        s.parse().ok().map(Duration::from_secs)
    } else {
        text.parse().ok().map(Duration::from_millis)
    }
}

/// A rule and how many more requests it may hit.
#[derive(Debug)]
struct ActiveRule {
    rule: FaultRule,
    remaining: Option<u32>,
}

/// The live rule set, shared between the server and whoever started it (tests add and
/// clear rules while the sandbox runs).
#[derive(Debug, Clone, Default)]
pub struct Faults {
    rules: Arc<Mutex<Vec<ActiveRule>>>,
}

/// What the faults say to do with one request.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Plan {
    pub delay: Duration,
    pub status: Option<(u16, Option<u64>)>,
    pub drop: bool,
    pub hold: bool,
}

impl Faults {
    pub fn new(rules: Vec<FaultRule>) -> Self {
        let faults = Faults::default();
        for rule in rules {
            faults.push(rule);
        }
        faults
    }

    pub fn push(&self, rule: FaultRule) {
        let remaining = rule.times;
        self.lock().push(ActiveRule { rule, remaining });
    }

    pub fn clear(&self) {
        self.lock().clear();
    }

    /// The rules still active, with how many requests each has left.
    pub fn active(&self) -> Vec<FaultRule> {
        self.lock()
            .iter()
            .map(|a| FaultRule {
                times: a.remaining,
                ..a.rule.clone()
            })
            .collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<ActiveRule>> {
        // A panic elsewhere while holding the lock leaves a usable Vec; keep serving.
        self.rules.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Decides the fate of one request and uses up one hit of every rule that matched.
    /// Delays add up; the first matching status wins over a drop.
    pub(crate) fn plan(&self, method: &str, path: &str) -> Plan {
        let mut plan = Plan::default();
        let mut rules = self.lock();
        for active in rules.iter_mut() {
            if active.remaining == Some(0) || !active.rule.matches(method, path) {
                continue;
            }
            match &active.rule.action {
                FaultAction::Delay(d) => plan.delay += *d,
                FaultAction::Status { code, retry_after } => {
                    if plan.status.is_some() {
                        continue; // not used, so not counted
                    }
                    plan.status = Some((*code, *retry_after));
                }
                FaultAction::DropAfterProcessing => plan.drop = true,
                FaultAction::HoldAfterProcessing => plan.hold = true,
            }
            if let Some(n) = active.remaining.as_mut() {
                *n -= 1;
            }
        }
        rules.retain(|a| a.remaining != Some(0));
        if plan.status.is_some() {
            // An answered status means nothing was processed, so there is nothing to drop.
            plan.drop = false;
            plan.hold = false;
        }
        plan
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_from_the_cli() {
        let rule: FaultRule = "POST /v2/applications drop x1".parse().unwrap();
        assert_eq!(rule.method.as_deref(), Some("POST"));
        assert_eq!(rule.path_prefix, "/v2/applications");
        assert_eq!(rule.action, FaultAction::DropAfterProcessing);
        assert_eq!(rule.times, Some(1));

        let rule: FaultRule = "POST /v2/applications hold".parse().unwrap();
        assert_eq!(rule.action, FaultAction::HoldAfterProcessing);
        assert_eq!(rule.times, None);

        let rule: FaultRule = "get /v2/applications status=503 x2".parse().unwrap();
        assert_eq!(rule.method.as_deref(), Some("GET"));
        assert_eq!(
            rule.action,
            FaultAction::Status {
                code: 503,
                retry_after: None
            }
        );

        let rule: FaultRule = "* /v1/users status=429 retry-after=1 x1".parse().unwrap();
        assert_eq!(rule.method, None);
        assert_eq!(
            rule.action,
            FaultAction::Status {
                code: 429,
                retry_after: Some(1)
            }
        );

        let rule: FaultRule = "* * delay=1500ms".parse().unwrap();
        assert_eq!(rule.path_prefix, "");
        assert_eq!(rule.action, FaultAction::Delay(Duration::from_millis(1500)));
        assert_eq!(rule.times, None);
        let rule: FaultRule = "* * delay=2s".parse().unwrap();
        assert_eq!(rule.action, FaultAction::Delay(Duration::from_secs(2)));
    }

    #[test]
    fn bad_specs_say_why() {
        for (spec, why) in [
            ("", "needs a method"),
            ("GET", "needs a method"),
            ("GET /v1/users", "no action"),
            ("G3T /v1/users drop", "not an HTTP method"),
            ("GET v1/users drop", "must start with /"),
            ("GET /v1/users status=200", "400..599"),
            ("GET /v1/users status=abc", "400..599"),
            ("GET /v1/users delay=fast", "delay looks like"),
            ("GET /v1/users drop x0", "x1, x2"),
            ("GET /v1/users drop status=500", "exactly one action"),
            ("GET /v1/users drop hold", "exactly one action"),
            ("GET /v1/users hold retry-after=1", "status=CODE only"),
            ("GET /v1/users drop retry-after=1", "status=CODE only"),
            ("GET /v1/users explode", "not understood"),
        ] {
            let err = spec.parse::<FaultRule>().unwrap_err().to_string();
            assert!(err.contains(why), "{spec:?}: {err}");
            assert!(matches!(
                spec.parse::<FaultRule>().unwrap_err(),
                Error::Usage(_)
            ));
        }
    }

    #[test]
    fn rules_match_and_wear_out() {
        let faults = Faults::new(vec![
            "POST /v1/users status=429 retry-after=1 x1"
                .parse()
                .unwrap(),
            "* * delay=10ms x2".parse().unwrap(),
        ]);
        assert_eq!(
            faults.plan("GET", "/v1/users"),
            Plan {
                delay: Duration::from_millis(10),
                ..Plan::default()
            }
        );
        let plan = faults.plan("POST", "/v1/users/x");
        assert_eq!(plan.status, Some((429, Some(1))));
        assert_eq!(plan.delay, Duration::from_millis(10));
        assert_eq!(faults.plan("POST", "/v1/users"), Plan::default());
        assert!(faults.active().is_empty());
    }

    #[test]
    fn status_wins_over_drop_and_clear_empties() {
        let faults = Faults::new(vec![
            "* /v2 drop".parse().unwrap(),
            "* /v2 hold".parse().unwrap(),
            "* /v2 status=500".parse().unwrap(),
        ]);
        let plan = faults.plan("GET", "/v2/applications");
        assert!(!plan.drop);
        assert!(!plan.hold);
        assert_eq!(plan.status, Some((500, None)));
        faults.clear();
        assert_eq!(faults.plan("GET", "/v2/applications"), Plan::default());
    }
}
