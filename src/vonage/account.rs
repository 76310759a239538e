//! Account API: `GET /account/get-balance` (Basic auth), shown when it answers.

use reqwest::Method;
use serde::Deserialize;

use super::VonageClient;
use super::http::CallError;

#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
pub struct Balance {
    /// In EUR.
    pub value: f64,
    #[serde(default, rename = "autoReload")]
    pub auto_reload: bool,
}

impl VonageClient {
    pub async fn balance(&self) -> Result<Balance, CallError> {
        let url = format!("{}/account/get-balance", self.endpoints.account);
        let auth = self
            .credentials
            .as_ref()
            .map(super::http::Auth::Basic)
            .ok_or(CallError::NoCredentials)?;
        self.http
            .call(Method::GET, &url, &[], auth, None)
            .await?
            .json()
    }
}
