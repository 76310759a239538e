//! `token serve` as a user runs it: a home with a sandbox account, an application and a user
//! ([`ServeWorld`]), the server as a child, a blocking HTTP call, and verification of what it
//! serves with the application's public key.

use std::path::PathBuf;
use std::process::Command as StdCommand;

use serde_json::Value;
use vonage_onboard::auth::keys::{PrivateKey, PublicKey};
use vonage_onboard::auth::verify::{Expected, SignatureCheck, Verdict, check};

use super::{SandboxProcess, TokenServeProcess, start_sandbox, start_token_serve};

/// A sandbox, and a home set up against it: credentials, an application (its key saved by
/// `app create`) and the user `alice`, all through the binary.
pub struct ServeWorld {
    pub sandbox: SandboxProcess,
    pub home: PathBuf,
    pub app_id: String,
    pub public: PublicKey,
    _dir: tempfile::TempDir,
}

impl ServeWorld {
    pub fn new() -> ServeWorld {
        let sandbox = start_sandbox(&std::env::temp_dir(), &[]);
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("home");
        let app = sandbox.onboard(&home, "served", &["alice"]);
        let public = PrivateKey::load(&app.private_key).unwrap().public_key();
        ServeWorld {
            sandbox,
            home,
            app_id: app.app_id,
            public,
            _dir: dir,
        }
    }

    /// The binary with a clean environment, this home and the sandbox.
    pub fn cmd(&self) -> assert_cmd::Command {
        self.sandbox.cli(&self.home)
    }

    /// `token serve EXTRA…` for this home's current application, its banner read.
    pub fn serve(&self, extra: &[&str]) -> TokenServeProcess {
        let served = start_token_serve(self.serve_command(extra));
        assert_eq!(served.application_id, self.app_id);
        served
    }

    /// The `token serve EXTRA…` command [`serve`](Self::serve) starts, for a test that reads
    /// its output itself.
    pub fn serve_command(&self, extra: &[&str]) -> StdCommand {
        let mut command = self.sandbox.std_cli(&self.home);
        command.args(["token", "serve"]).args(extra);
        command
    }

    /// The claims of `token` once the shared verifier found it valid and signed by this
    /// application's key; panics with the verdict otherwise.
    pub fn verified(&self, token: &str) -> Value {
        let expected = Expected {
            key: Some(&self.public),
            application_id: Some(&self.app_id),
        };
        let report = check(token, expected, super::tokens::now());
        assert!(
            matches!(report.signature, SignatureCheck::Verified),
            "{:?}",
            report.signature
        );
        assert!(
            matches!(report.verdict, Verdict::Valid { .. }),
            "{:?}",
            report.verdict
        );
        report.claims.unwrap()
    }
}

/// An answer: status, headers, body text.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.body))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// A refusal: `status`, JSON `{"error": "…"}` containing `words`.
    pub fn assert_refused(&self, status: u16, words: &str) {
        assert_eq!(self.status, status, "{self:?}");
        let error = self.json()["error"].as_str().unwrap_or_default().to_owned();
        assert!(error.contains(words), "{error:?} lacks {words:?}");
    }
}

/// One request (blocking), with `headers`.
pub fn call(method: &str, url: &str, headers: &[(&str, &str)]) -> Answer {
    send(method, url, headers, None)
}

pub fn get(url: &str, headers: &[(&str, &str)]) -> Answer {
    send("GET", url, headers, None)
}

/// A GET carrying a body of `size` bytes, with `authorization`.
pub fn body_call(url: &str, authorization: &str, size: usize) -> Answer {
    send(
        "GET",
        url,
        &[("Authorization", authorization)],
        Some(vec![b'x'; size]),
    )
}

fn send(method: &str, url: &str, headers: &[(&str, &str)], body: Option<Vec<u8>>) -> Answer {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let client = reqwest::Client::new();
        let mut request = client.request(method.parse().unwrap(), url);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            request = request.body(body);
        }
        let response = request.send().await.unwrap();
        Answer {
            status: response.status().as_u16(),
            headers: response.headers().clone(),
            body: response.text().await.unwrap(),
        }
    })
}
