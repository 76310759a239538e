//! An in-process sandbox with a reqwest client for it ([`Env`]), and readers of its answers.

use std::time::Duration;

use reqwest::{Client, Method, RequestBuilder, Response, StatusCode};
use secrecy::ExposeSecret;
use serde_json::{Value, json};
use vonage_onboard::sandbox::{self, RunningSandbox, SandboxOptions};

/// A started sandbox and a client for it.
pub struct Env {
    pub sb: RunningSandbox,
    pub http: Client,
}

impl Env {
    pub async fn start() -> Env {
        Env::with(SandboxOptions::default()).await
    }

    pub async fn with(options: SandboxOptions) -> Env {
        let sb = sandbox::start(options).await.unwrap();
        let http = Client::builder()
            .timeout(Duration::from_secs(20))
            .build()
            .unwrap();
        Env { sb, http }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.sb.url())
    }

    /// A request with the sandbox's Basic credentials.
    pub fn basic(&self, method: Method, path: &str) -> RequestBuilder {
        self.http.request(method, self.url(path)).basic_auth(
            self.sb.api_key(),
            Some(self.sb.api_secret().expose_secret()),
        )
    }

    /// A request with a bearer token.
    pub fn bearer(&self, method: Method, path: &str, token: &str) -> RequestBuilder {
        self.http.request(method, self.url(path)).bearer_auth(token)
    }

    /// Sends, checks the status, returns the JSON body.
    pub async fn call(&self, request: RequestBuilder, status: StatusCode) -> Value {
        let response = request.send().await.unwrap();
        let url = response.url().clone();
        assert_eq!(response.status(), status, "{url}");
        response.json().await.unwrap()
    }

    /// Creates an application ([`app_body`]); returns its id and the whole answer.
    pub async fn create_app_answer(&self, name: &str, public_key: &str) -> (String, Value) {
        let answer = self
            .call(
                self.basic(Method::POST, "/v2/applications")
                    .json(&app_body(name, public_key)),
                StatusCode::CREATED,
            )
            .await;
        (answer["id"].as_str().unwrap().to_owned(), answer)
    }

    /// Creates an application ([`app_body`]); returns its id.
    pub async fn create_app(&self, name: &str, public_key: &str) -> String {
        self.create_app_answer(name, public_key).await.0
    }

    pub async fn create_user(&self, token: &str, name: &str) -> Value {
        let response = self
            .bearer(Method::POST, "/v1/users", token)
            .json(&json!({ "name": name, "display_name": name.to_uppercase() }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED, "creating {name}");
        response.json().await.unwrap()
    }
}

/// An application body as the wizard sends it: voice and rtc webhooks, improve_ai off.
pub fn app_body(name: &str, public_key: &str) -> Value {
    json!({
        "name": name,
        "keys": { "public_key": public_key },
        "capabilities": {
            "voice": { "webhooks": {
                "answer_url": { "address": "https://example.com/voice/answer", "http_method": "GET" },
                "event_url": { "address": "https://example.com/voice/event", "http_method": "POST" }
            } },
            "rtc": { "webhooks": {
                "event_url": { "address": "https://example.com/rtc/event", "http_method": "POST" }
            } }
        },
        "privacy": { "improve_ai": false }
    })
}

pub async fn body(response: Response) -> Value {
    response.json().await.unwrap()
}

pub fn content_type(response: &Response) -> String {
    response.headers()[reqwest::header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .to_owned()
}

/// The `name`s of an error body's `invalid_parameters`.
pub fn invalid_names(body: &Value) -> Vec<String> {
    body["invalid_parameters"]
        .as_array()
        .unwrap_or_else(|| panic!("no invalid_parameters in {body}"))
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_owned())
        .collect()
}

/// The Users API error body, whole.
pub fn assert_users_error(body: &Value, code: &str) {
    assert_eq!(body["code"], code, "{body}");
    for field in ["title", "type", "detail", "instance"] {
        assert!(body[field].is_string(), "{field} missing in {body}");
    }
    assert!(body["type"].as_str().unwrap().ends_with(code));
}
