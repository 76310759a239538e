//! Application API v2 (`/v2/applications`, Basic auth): list, get, create, update, delete.

use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::VonageClient;
use super::http::{Auth, CallError};

/// A webhook: where Vonage calls, and how.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Webhook {
    pub address: String,
    pub http_method: String,
}

/// What `POST /v2/applications` needs for a Client SDK app: our public key, voice and rtc
/// webhooks, and the AI-data choice sent explicitly (the API defaults it to true).
#[derive(Debug, Clone, PartialEq)]
pub struct NewApplication {
    pub name: String,
    pub public_key_pem: String,
    pub answer_url: Option<Webhook>,
    pub voice_event_url: Option<Webhook>,
    pub rtc_event_url: Option<Webhook>,
    pub improve_ai: bool,
}

impl NewApplication {
    /// The request body, shaped as vonage-api.md §4.1.
    pub fn body(&self) -> Value {
        let mut voice = serde_json::Map::new();
        if let Some(w) = &self.answer_url {
            voice.insert("answer_url".into(), serde_json::json!(w));
        }
        if let Some(w) = &self.voice_event_url {
            voice.insert("event_url".into(), serde_json::json!(w));
        }
        let mut rtc = serde_json::Map::new();
        if let Some(w) = &self.rtc_event_url {
            rtc.insert("event_url".into(), serde_json::json!(w));
        }
        serde_json::json!({
            "name": self.name,
            "keys": { "public_key": self.public_key_pem },
            "capabilities": {
                "voice": { "webhooks": voice },
                "rtc": { "webhooks": rtc },
            },
            "privacy": { "improve_ai": self.improve_ai },
        })
    }
}

/// An application as the API returns it. Only the public half of any key is kept: a
/// server-generated `private_key` (which we never ask for) is not even deserialized.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Application {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub keys: Keys,
    #[serde(default)]
    pub capabilities: Value,
    #[serde(default)]
    pub privacy: Value,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct Keys {
    #[serde(default)]
    pub public_key: Option<String>,
}

/// An answer and the server's clock when it sent it (`Date`, Unix seconds), if it said.
#[derive(Debug, Clone, PartialEq)]
pub struct Dated<T> {
    pub value: T,
    pub server_time: Option<u64>,
}

/// One page of `GET /v2/applications`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ApplicationPage {
    #[serde(default)]
    pub page: u32,
    #[serde(default)]
    pub total_pages: u32,
    #[serde(default)]
    pub total_items: u32,
    #[serde(default, rename = "_embedded")]
    pub embedded: Embedded,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Embedded {
    #[serde(default)]
    pub applications: Vec<Application>,
}

/// Largest page the API allows.
pub const MAX_PAGE_SIZE: u32 = 100;

impl VonageClient {
    fn applications_url(&self, suffix: &str) -> String {
        format!("{}/v2/applications{suffix}", self.endpoints.applications)
    }

    fn basic(&self) -> Result<Auth<'_>, CallError> {
        self.credentials
            .as_ref()
            .map(Auth::Basic)
            .ok_or(CallError::NoCredentials)
    }

    pub async fn list_applications(
        &self,
        page: u32,
        page_size: u32,
    ) -> Result<ApplicationPage, CallError> {
        let url = self.applications_url("");
        let (page, size) = (
            page.to_string(),
            page_size.clamp(1, MAX_PAGE_SIZE).to_string(),
        );
        let query = [("page", page.as_str()), ("page_size", size.as_str())];
        self.http
            .call(Method::GET, &url, &query, self.basic()?, None)
            .await?
            .json()
    }

    /// Every application of the account, page by page.
    pub async fn list_all_applications(&self) -> Result<Vec<Application>, CallError> {
        let mut all = Vec::new();
        let mut page = 1;
        loop {
            let answer = self.list_applications(page, MAX_PAGE_SIZE).await?;
            let got = answer.embedded.applications.len();
            all.extend(answer.embedded.applications);
            // Stop on the last page, or on an empty one whatever the totals claim.
            if got == 0 || page >= answer.total_pages {
                return Ok(all);
            }
            page += 1;
        }
    }

    pub async fn get_application(&self, id: &str) -> Result<Application, CallError> {
        Ok(self.get_application_dated(id).await?.value)
    }

    /// `get_application`, with the server's clock read from the answer's `Date` header.
    pub async fn get_application_dated(&self, id: &str) -> Result<Dated<Application>, CallError> {
        let url = self.applications_url(&format!("/{}", encode_segment(id)));
        let answer = self
            .http
            .call(Method::GET, &url, &[], self.basic()?, None)
            .await?;
        Ok(Dated {
            value: answer.json()?,
            server_time: answer.server_time,
        })
    }

    /// `POST /v2/applications`: sent once, never retried by the transport.
    pub async fn create_application(&self, new: &NewApplication) -> Result<Application, CallError> {
        let url = self.applications_url("");
        let body = new.body();
        self.http
            .call(Method::POST, &url, &[], self.basic()?, Some(&body))
            .await?
            .json()
    }

    pub async fn update_application(
        &self,
        id: &str,
        body: &Value,
    ) -> Result<Application, CallError> {
        let url = self.applications_url(&format!("/{}", encode_segment(id)));
        self.http
            .call(Method::PUT, &url, &[], self.basic()?, Some(body))
            .await?
            .json()
    }

    pub async fn delete_application(&self, id: &str) -> Result<(), CallError> {
        let url = self.applications_url(&format!("/{}", encode_segment(id)));
        self.http
            .call(Method::DELETE, &url, &[], self.basic()?, None)
            .await
            .map(|_| ())
    }
}

/// Percent-encodes one path segment (ids and user names go into paths).
pub(super) fn encode_segment(segment: &str) -> String {
    url::form_urlencoded::byte_serialize(segment.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}
