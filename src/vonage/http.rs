//! The transport: one reqwest client (rustls) built once, auth headers, retries with capped
//! exponential backoff and jitter for idempotent calls (and for a POST refused with 429, which
//! was not processed), and error answers parsed into `ApiError`. Its errors name no flag and
//! no exit code: `crate::error` turns them into the user's sentence.

use std::time::Duration;

use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::{ApiError, ClientError};

/// How a call failed; `Transport` says whether the request may have reached the API, which
/// decides whether a create must be reconciled before anything is retried.
#[derive(Debug)]
pub enum CallError {
    Api(Box<ApiError>),
    Transport {
        failure: TransportFailure,
        /// The innermost cause, as the network stack said it.
        cause: String,
        /// False only when we know nothing was sent (the connection was never made).
        maybe_sent: bool,
    },
    /// A success status with a body we cannot read.
    BadAnswer {
        status: u16,
        message: String,
    },
    /// An account-level call without an API key and secret.
    NoCredentials,
}

/// How the connection failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportFailure {
    /// No answer within the request timeout.
    Timeout,
    /// The connection was never made (refused, no route, DNS, TLS handshake).
    Connect,
    /// The connection broke after it was made.
    Broken,
}

impl CallError {
    pub fn status(&self) -> Option<u16> {
        match self {
            CallError::Api(e) => Some(e.status),
            CallError::BadAnswer { status, .. } => Some(*status),
            CallError::Transport { .. } | CallError::NoCredentials => None,
        }
    }
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CallError::Api(api) => write!(f, "{api}"),
            CallError::Transport { failure, cause, .. } => match failure {
                TransportFailure::Timeout => f.write_str(
                    "Vonage did not answer in time (timeout); check your network and try again",
                ),
                TransportFailure::Connect => write!(
                    f,
                    "could not connect to the Vonage API ({cause}); check your network or the API base"
                ),
                TransportFailure::Broken => {
                    write!(f, "the connection to the Vonage API failed ({cause})")
                }
            },
            CallError::BadAnswer { status, message } => {
                write!(
                    f,
                    "Vonage answered {status} with a body this tool cannot read ({message})"
                )
            }
            CallError::NoCredentials => {
                f.write_str("no API key and secret for a call that needs the account's")
            }
        }
    }
}

impl std::error::Error for CallError {}

/// Credentials for the account-level (Basic) calls. `Debug` hides the secret.
#[derive(Debug, Clone)]
pub struct ApiCredentials {
    pub api_key: String,
    pub api_secret: SecretString,
}

/// How a request proves who it is.
#[derive(Debug, Clone, Copy)]
pub enum Auth<'a> {
    Basic(&'a ApiCredentials),
    Bearer(&'a str),
}

/// Retry policy for idempotent calls (GET, PUT, DELETE). A POST is retried only after a 429
/// (not processed, so safe), never after a timeout or a lost answer: those are reconciled.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    pub tries: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            tries: 3,
            base_delay: Duration::from_millis(300),
            max_delay: Duration::from_secs(10),
        }
    }
}

/// Timeouts and retries; the defaults are SPEC §4's.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    pub connect: Duration,
    pub request: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(5),
            request: Duration::from_secs(30),
        }
    }
}

/// A successful answer.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
    /// The server's clock (its `Date` header, Unix seconds), when it sent a readable one.
    pub server_time: Option<u64>,
}

impl Answer {
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, CallError> {
        serde_json::from_slice(&self.body).map_err(|e| CallError::BadAnswer {
            status: self.status,
            message: e.to_string(),
        })
    }
}

#[derive(Debug, Clone)]
pub struct Http {
    client: reqwest::Client,
    retry: RetryPolicy,
}

impl Http {
    pub fn new(timeouts: Timeouts, retry: RetryPolicy) -> Result<Self, ClientError> {
        let client = reqwest::Client::builder()
            .user_agent(concat!("vonage-onboard/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(timeouts.connect)
            .timeout(timeouts.request)
            // No redirect is followed: one could lead the API secret or a token from https to
            // http, or to another host. A 3xx answer is an error that names where it pointed.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| ClientError::Tls(e.to_string()))?;
        Ok(Http { client, retry })
    }

    /// Sends a request (`query` is encoded by reqwest); retries idempotent ones on connection
    /// errors, 429 and 5xx, and a POST on 429 only.
    pub async fn call(
        &self,
        method: Method,
        url: &str,
        query: &[(&str, &str)],
        auth: Auth<'_>,
        body: Option<&Value>,
    ) -> Result<Answer, CallError> {
        let idempotent = matches!(method, Method::GET | Method::PUT | Method::DELETE);
        let tries = self.retry.tries.max(1);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let started = std::time::Instant::now();
            let result = self.send_once(method.clone(), url, query, auth, body).await;
            // Method, URL, outcome and time only: no header (auth) and no body is ever logged.
            match &result {
                Ok(answer) => {
                    tracing::debug!(%method, url, status = answer.status, attempt, elapsed_ms = started.elapsed().as_millis() as u64, "vonage call")
                }
                Err(CallError::Api(e)) => {
                    tracing::info!(%method, url, status = e.status, code = e.code.as_deref().unwrap_or(""), attempt, elapsed_ms = started.elapsed().as_millis() as u64, "vonage call refused")
                }
                Err(e) => tracing::warn!(%method, url, attempt, error = %e, "vonage call failed"),
            }
            let retry_after = match &result {
                // A 429 says the request was refused before any processing: safe for a POST.
                Err(CallError::Api(e)) if e.status == 429 => Some(e.retry_after),
                // A 5xx or a lost answer may come after processing: retried only when
                // repeating the request cannot duplicate anything.
                Err(CallError::Transport { .. }) if idempotent => Some(None),
                Err(CallError::Api(e)) if idempotent && e.status >= 500 => Some(e.retry_after),
                _ => None,
            };
            match retry_after {
                Some(asked) if attempt < tries => {
                    let delay = match asked {
                        Some(seconds) => Duration::from_secs(seconds),
                        None => self.backoff(attempt),
                    };
                    // A server asking for a longer wait than we allow gets its error shown.
                    if delay > self.retry.max_delay {
                        return result;
                    }
                    tracing::info!(%method, url, attempt, delay_ms = delay.as_millis() as u64, "retrying");
                    tokio::time::sleep(delay).await;
                }
                _ => {
                    // A DELETE is retried only when an earlier try may have reached the API; a
                    // 404 now means that earlier try deleted it.
                    if method == Method::DELETE
                        && attempt > 1
                        && matches!(&result, Err(CallError::Api(e)) if e.status == 404)
                    {
                        return Ok(Answer {
                            status: 204,
                            body: Vec::new(),
                            server_time: None,
                        });
                    }
                    return result;
                }
            }
        }
    }

    /// Exponential backoff with ±50 % jitter, capped, so clients retrying together spread out.
    fn backoff(&self, attempt: u32) -> Duration {
        let exp = self
            .retry
            .base_delay
            .saturating_mul(1 << (attempt - 1).min(16));
        let capped = exp.min(self.retry.max_delay);
        capped.mul_f64(jitter()).min(self.retry.max_delay)
    }

    async fn send_once(
        &self,
        method: Method,
        url: &str,
        query: &[(&str, &str)],
        auth: Auth<'_>,
        body: Option<&Value>,
    ) -> Result<Answer, CallError> {
        let mut request = self
            .client
            .request(method, url)
            .header(reqwest::header::ACCEPT, "application/json");
        if !query.is_empty() {
            request = request.query(query);
        }
        request = match auth {
            Auth::Basic(c) => request.basic_auth(&c.api_key, Some(c.api_secret.expose_secret())),
            Auth::Bearer(token) => request.bearer_auth(token),
        };
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.map_err(transport_error)?;
        let status = response.status();
        if status.is_redirection() {
            return Err(redirect_refused(status.as_u16(), response.headers()));
        }
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        let server_time = server_time(response.headers());
        let body = response.bytes().await.map_err(transport_error)?.to_vec();
        if status.is_success() {
            Ok(Answer {
                status: status.as_u16(),
                body,
                server_time,
            })
        } else {
            Err(CallError::Api(Box::new(ApiError::from_body(
                status.as_u16(),
                &body,
                retry_after,
            ))))
        }
    }
}

/// The `Date` header as Unix seconds (any of the three HTTP date forms); `None` when absent
/// or unreadable, which only means the server's clock is unknown.
fn server_time(headers: &reqwest::header::HeaderMap) -> Option<u64> {
    let text = headers.get(reqwest::header::DATE)?.to_str().ok()?;
    let time = httpdate::parse_http_date(text.trim()).ok()?;
    time.duration_since(std::time::UNIX_EPOCH)
        .ok()
        .map(|d| d.as_secs())
}

/// A redirect, not followed: where it pointed (without its query, which may hold anything).
fn redirect_refused(status: u16, headers: &reqwest::header::HeaderMap) -> CallError {
    let location = headers
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(['?', '#']).next())
        .map(|v| v.chars().take(200).collect::<String>())
        .unwrap_or_else(|| "nowhere".to_owned());
    let mut error = ApiError::from_body(status, b"", None);
    error.detail = Some(format!(
        "it redirects to {location}, which this tool does not follow so that credentials go \
         only to the API base; set the API base to the final https:// URL"
    ));
    CallError::Api(Box::new(error))
}

/// A factor in [0.5, 1.5), from aws-lc-rs's system random source (already linked for TLS and
/// signing); should it ever fail, no jitter (1.0) is still a correct backoff.
fn jitter() -> f64 {
    let mut bytes = [0u8; 2];
    match aws_lc_rs::rand::fill(&mut bytes) {
        Ok(()) => f64::from(u16::from_le_bytes(bytes) % 1000) / 1000.0 + 0.5,
        Err(_) => 1.0,
    }
}

fn transport_error(e: reqwest::Error) -> CallError {
    let connect = e.is_connect();
    let failure = if e.is_timeout() {
        TransportFailure::Timeout
    } else if connect {
        TransportFailure::Connect
    } else {
        TransportFailure::Broken
    };
    CallError::Transport {
        failure,
        cause: root_cause(&e),
        maybe_sent: !connect,
    }
}

/// The innermost error message: reqwest's own is "error sending request for url (...)".
fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut current = e;
    while let Some(next) = current.source() {
        current = next;
    }
    current.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_date_header_is_the_servers_clock() {
        let mut headers = reqwest::header::HeaderMap::new();
        assert_eq!(server_time(&headers), None);
        headers.insert(
            reqwest::header::DATE,
            "Sun, 06 Nov 1994 08:49:37 GMT".parse().unwrap(),
        );
        assert_eq!(server_time(&headers), Some(784_111_777));
        headers.insert(reqwest::header::DATE, "yesterday".parse().unwrap());
        assert_eq!(server_time(&headers), None);
    }

    #[test]
    fn backoff_is_jittered_within_half_to_one_and_a_half_and_capped() {
        let http = Http::new(
            Timeouts::default(),
            RetryPolicy {
                tries: 5,
                base_delay: Duration::from_millis(100),
                max_delay: Duration::from_millis(250),
            },
        )
        .unwrap();
        let first: Vec<Duration> = (0..200).map(|_| http.backoff(1)).collect();
        assert!(
            first.iter().all(|d| (50..150).contains(&d.as_millis())),
            "{first:?}"
        );
        // Not one constant: the factor varies between calls.
        assert!(first.iter().any(|d| *d != first[0]), "{first:?}");
        assert!((0..50).all(|_| http.backoff(4) <= Duration::from_millis(250)));
    }
}
