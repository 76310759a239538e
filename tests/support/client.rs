//! The crate's Vonage client pointed at a running sandbox, a quick retry policy for tests,
//! and fault rules in one line.

use std::time::Duration;

use vonage_onboard::region::Region;
use vonage_onboard::sandbox::{FaultAction, FaultRule, RunningSandbox};
use vonage_onboard::vonage::{ApiCredentials, Endpoints, RetryPolicy, Timeouts, VonageClient};

/// Three tries, 20 ms apart at first: retries are exercised without slowing the suite.
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        tries: 3,
        base_delay: Duration::from_millis(20),
        max_delay: Duration::from_secs(3),
    }
}

/// A client for `sandbox` with its credentials.
pub fn client_for(
    sandbox: &RunningSandbox,
    retry: RetryPolicy,
    timeouts: Timeouts,
) -> VonageClient {
    let endpoints = Endpoints::new(Some(sandbox.url()), Region::Global).unwrap();
    let credentials = ApiCredentials {
        api_key: sandbox.api_key().to_owned(),
        api_secret: sandbox.api_secret().clone(),
    };
    VonageClient::with_policy(endpoints, Some(credentials), timeouts, retry).unwrap()
}

/// A fault for `times` requests of `method` under `path`.
pub fn rule(method: &str, path: &str, action: FaultAction, times: u32) -> FaultRule {
    FaultRule {
        method: Some(method.into()),
        path_prefix: path.into(),
        action,
        times: Some(times),
    }
}
