//! The client and the use cases against the real sandbox on 127.0.0.1: the whole flow, every
//! error path, the faults a network has, and a load of concurrent creations.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use std::time::Duration;

use secrecy::SecretString;
use vonage_onboard::auth::jwt::{Claims, Signer};
use vonage_onboard::auth::keys::PrivateKey;
use vonage_onboard::clock::unix_now;
use vonage_onboard::error::{Error, ExitCode};
use vonage_onboard::ids::AppId;
use vonage_onboard::onboard::applications::{self, AppSpec};
use vonage_onboard::onboard::tokens::{TokenRequest, mint_user_token};
use vonage_onboard::onboard::{account, users};
use vonage_onboard::region::Region;
use vonage_onboard::sandbox::{self, FaultAction, RunningSandbox, SandboxOptions};
use vonage_onboard::store::paths::{Home, ProfileName};
use vonage_onboard::vonage::{
    ApiCredentials, CallError, Endpoints, NewApplication, NewUser, RetryPolicy, Timeouts,
    VonageClient, Webhook,
};

use support::client::{client_for, fast_retry, rule};

struct World {
    sandbox: RunningSandbox,
    client: VonageClient,
    home: Home,
    profile: ProfileName,
    _dir: tempfile::TempDir,
}

async fn world() -> World {
    let sandbox = sandbox::start(SandboxOptions::default()).await.unwrap();
    let client = client_for(&sandbox, fast_retry(), Timeouts::default());
    let dir = tempfile::tempdir().unwrap();
    World {
        client,
        home: Home::at(dir.path().join("home")),
        profile: ProfileName::default(),
        sandbox,
        _dir: dir,
    }
}

fn spec(name: &str) -> AppSpec {
    AppSpec {
        name: name.into(),
        rtc_event_url: Some("https://example.com/rtc".into()),
        answer_url: Some("https://example.com/answer".into()),
        event_url: Some("https://example.com/event".into()),
        ..AppSpec::default()
    }
}

fn new_user(name: &str) -> NewUser {
    NewUser {
        name: name.into(),
        display_name: None,
        image_url: None,
    }
}

#[tokio::test]
async fn the_whole_flow_ends_with_tokens_the_sandbox_accepts() {
    let w = world().await;
    let check = account::verify(&w.client).await.unwrap();
    assert_eq!(check.applications, 0);
    assert!(check.balance.is_some());

    let ready = applications::create(&w.home, &w.profile, &w.client, &spec("demo"))
        .await
        .unwrap();
    assert!(!ready.reconciled);
    assert!(ready.key_path.exists());
    let signer = Signer::new(
        ready.record.id.clone(),
        PrivateKey::load(&ready.key_path).unwrap(),
    );

    for name in ["alice", "bob"] {
        let user = users::create(&w.home, &w.profile, &w.client, &signer, &new_user(name))
            .await
            .unwrap();
        assert!(user.id.starts_with("USR-"), "{}", user.id);
        assert_eq!(user.name, name);
    }
    let listed = w.client.list_users(&signer, None).await.unwrap();
    let mut names: Vec<_> = listed.iter().map(|u| u.name.as_str()).collect();
    names.sort();
    assert_eq!(names, ["alice", "bob"]);

    for name in ["alice", "bob"] {
        let request = TokenRequest {
            user: Some(name.into()),
            ..TokenRequest::default()
        };
        let made = mint_user_token(&w.home, &w.profile, &signer, request, unix_now()).unwrap();
        let me = w
            .client
            .get_with_token(&format!("/v1/users/{name}"), made.minted.token.expose())
            .await
            .unwrap();
        assert_eq!(me["name"], name);
    }
    w.sandbox.stop().await;
}

#[tokio::test]
async fn bad_credentials_are_refused_with_exit_3() {
    let w = world().await;
    let endpoints = Endpoints::new(Some(w.sandbox.url()), Region::Global).unwrap();
    let wrong = ApiCredentials {
        api_key: w.sandbox.api_key().to_owned(),
        api_secret: SecretString::from("not-the-secret"),
    };
    let client = VonageClient::new(endpoints, Some(wrong)).unwrap();
    let err = account::verify(&client).await.unwrap_err();
    assert_eq!(err.exit_code(), ExitCode::AuthRefused, "{err}");
    assert!(!err.to_string().contains("not-the-secret"));
}

#[tokio::test]
async fn validation_errors_keep_the_field_reasons() {
    let w = world().await;
    let key = PrivateKey::from_pem(include_str!("fixtures/test-key-pkcs8.pem")).unwrap();
    let request = NewApplication {
        name: "bad".into(),
        public_key_pem: key.public_key().to_spki_pem(),
        answer_url: Some(Webhook {
            address: "https://example.com/answer".into(),
            http_method: "FETCH".into(),
        }),
        voice_event_url: None,
        rtc_event_url: None,
        improve_ai: false,
    };
    let err = w.client.create_application(&request).await.unwrap_err();
    let CallError::Api(api) = &err else {
        panic!("{err}")
    };
    assert_eq!(api.status, 400);
    assert!(
        api.invalid_parameters
            .iter()
            .any(|p| p.name.contains("answer_url") && p.name.contains("http_method")),
        "{api:?}"
    );
    assert_eq!(Error::from(err).exit_code(), ExitCode::Rejected);
}

#[tokio::test]
async fn a_duplicate_user_is_a_conflict_naming_the_existing_one() {
    let w = world().await;
    let ready = applications::create(&w.home, &w.profile, &w.client, &spec("dup"))
        .await
        .unwrap();
    let signer = Signer::new(
        ready.record.id.clone(),
        PrivateKey::load(&ready.key_path).unwrap(),
    );
    let first = users::create(&w.home, &w.profile, &w.client, &signer, &new_user("alice"))
        .await
        .unwrap();
    let err = users::create(&w.home, &w.profile, &w.client, &signer, &new_user("alice"))
        .await
        .unwrap_err();
    assert_eq!(err.exit_code(), ExitCode::Conflict);
    assert!(err.to_string().contains(&first.id), "{err}");
}

#[tokio::test]
async fn unknown_application_and_bad_tokens_are_refused() {
    let w = world().await;
    let ready = applications::create(&w.home, &w.profile, &w.client, &spec("tokens"))
        .await
        .unwrap();
    let key = PrivateKey::load(&ready.key_path).unwrap();
    let signer = Signer::new(ready.record.id.clone(), key);

    // A key and id Vonage has never seen.
    let stranger = Signer::new(
        AppId::parse("11111111-2222-4333-8444-555555555555").unwrap(),
        PrivateKey::from_pem(include_str!("fixtures/other-key-pkcs8.pem")).unwrap(),
    );
    let err = w.client.list_users(&stranger, None).await.unwrap_err();
    assert_eq!(err.status(), Some(401), "{err}");

    let now = unix_now();
    let claims = |iat: u64, exp: u64| Claims {
        application_id: ready.record.id.to_string(),
        iat,
        jti: uuid::Uuid::new_v4().to_string(),
        exp,
        nbf: None,
        sub: None,
        acl: None,
    };
    let expired = signer.sign(&claims(now - 7200, now - 3600));
    let too_long = signer.sign(&claims(now, now + 2 * 86_400));
    let forged = Signer::new(
        ready.record.id.clone(),
        PrivateKey::from_pem(include_str!("fixtures/other-key-pkcs8.pem")).unwrap(),
    )
    .sign(&claims(now, now + 600));
    let b64 = |s: &str| {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s)
    };
    let payload = b64(&serde_json::to_string(&claims(now, now + 600)).unwrap());
    let none = format!("{}.{payload}.", b64(r#"{"alg":"none","typ":"JWT"}"#));
    let hs256 = format!(
        "{}.{payload}.{}",
        b64(r#"{"alg":"HS256","typ":"JWT"}"#),
        b64("sig")
    );
    for (what, token) in [
        ("expired", expired.expose().to_owned()),
        ("lifetime over 24 h", too_long.expose().to_owned()),
        ("forged", forged.expose().to_owned()),
        ("alg none", none),
        ("HS256", hs256),
    ] {
        let err = w
            .client
            .get_with_token("/v1/users", &token)
            .await
            .unwrap_err();
        let CallError::Api(api) = &err else {
            panic!("{what}: {err}")
        };
        assert_eq!(api.status, 401, "{what}");
        assert!(
            api.code
                .as_deref()
                .is_some_and(|c| c.starts_with("system:error:")),
            "{what}: {api:?}"
        );
    }
}

#[tokio::test]
async fn rate_limits_and_server_errors_on_gets_are_retried() {
    let w = world().await;
    w.sandbox.faults().push(rule(
        "GET",
        "/v2/applications",
        FaultAction::Status {
            code: 429,
            retry_after: Some(1),
        },
        1,
    ));
    let started = std::time::Instant::now();
    w.client.list_applications(1, 10).await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "Retry-After was not honoured"
    );

    w.sandbox.faults().push(rule(
        "GET",
        "/v2/applications",
        FaultAction::Status {
            code: 500,
            retry_after: None,
        },
        2,
    ));
    w.client.list_applications(1, 10).await.unwrap();

    // More failures than tries: the error surfaces.
    w.sandbox.faults().push(rule(
        "GET",
        "/v2/applications",
        FaultAction::Status {
            code: 503,
            retry_after: None,
        },
        5,
    ));
    let err = w.client.list_applications(1, 10).await.unwrap_err();
    assert_eq!(err.status(), Some(503));
    w.sandbox.faults().clear();
}

#[tokio::test]
async fn a_post_is_never_retried_blindly() {
    let w = world().await;
    w.sandbox.faults().push(rule(
        "POST",
        "/v2/applications",
        FaultAction::Status {
            code: 500,
            retry_after: None,
        },
        1,
    ));
    let err = applications::create(&w.home, &w.profile, &w.client, &spec("once"))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("private key was kept"), "{err}");
    // The 500 was not retried, so nothing was created.
    assert!(w.client.list_all_applications().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_lost_create_answer_is_reconciled_without_a_duplicate_or_a_lost_key() {
    let w = world().await;
    w.sandbox.faults().push(rule(
        "POST",
        "/v2/applications",
        FaultAction::DropAfterProcessing,
        1,
    ));
    let ready = applications::create(&w.home, &w.profile, &w.client, &spec("lost"))
        .await
        .unwrap();
    assert!(ready.reconciled);
    let apps = w.client.list_all_applications().await.unwrap();
    assert_eq!(apps.len(), 1, "exactly one application exists");
    assert_eq!(apps[0].id, ready.record.id.as_str());
    let key = PrivateKey::load(&ready.key_path).unwrap();
    let stored = apps[0].keys.public_key.as_deref().unwrap();
    assert_eq!(
        vonage_onboard::auth::keys::PublicKey::from_pem(stored).unwrap(),
        key.public_key()
    );

    // The same for a user.
    let signer = Signer::new(ready.record.id.clone(), key);
    w.sandbox.faults().push(rule(
        "POST",
        "/v1/users",
        FaultAction::DropAfterProcessing,
        1,
    ));
    let user = users::create(&w.home, &w.profile, &w.client, &signer, &new_user("carol"))
        .await
        .unwrap();
    assert_eq!(user.name, "carol");
    assert_eq!(
        w.client
            .list_users(&signer, Some("carol"))
            .await
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn a_timeout_is_a_network_error_with_exit_6() {
    let w = world().await;
    let impatient = client_for(
        &w.sandbox,
        RetryPolicy {
            tries: 1,
            ..fast_retry()
        },
        Timeouts {
            connect: Duration::from_secs(1),
            request: Duration::from_millis(300),
        },
    );
    w.sandbox.faults().push(rule(
        "GET",
        "/v2/applications",
        FaultAction::Delay(Duration::from_secs(2)),
        1,
    ));
    let err: Error = impatient.list_applications(1, 1).await.unwrap_err().into();
    assert_eq!(err.exit_code(), ExitCode::Network);
    assert!(err.to_string().contains("timeout"), "{err}");

    // Refused connections too.
    let closed = VonageClient::new(
        Endpoints::new(Some("http://127.0.0.1:9"), Region::Global).unwrap(),
        None,
    )
    .unwrap();
    let err: Error = closed
        .list_users(
            &Signer::new(
                AppId::parse("11111111-2222-4333-8444-555555555555").unwrap(),
                PrivateKey::from_pem(include_str!("fixtures/test-key-pkcs8.pem")).unwrap(),
            ),
            None,
        )
        .await
        .unwrap_err()
        .into();
    assert_eq!(err.exit_code(), ExitCode::Network);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_concurrent_user_creations_are_each_stored_once() {
    let w = world().await;
    let ready = applications::create(&w.home, &w.profile, &w.client, &spec("load"))
        .await
        .unwrap();
    let signer = std::sync::Arc::new(Signer::new(
        ready.record.id.clone(),
        PrivateKey::load(&ready.key_path).unwrap(),
    ));
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..200 {
        let client = w.client.clone();
        let signer = signer.clone();
        tasks.spawn(async move {
            client
                .create_user(&signer, &new_user(&format!("user-{i:03}")))
                .await
        });
    }
    let mut ids = std::collections::HashSet::new();
    while let Some(result) = tasks.join_next().await {
        ids.insert(result.unwrap().unwrap().id);
    }
    assert_eq!(ids.len(), 200);
    let listed = w.client.list_users(&signer, None).await.unwrap();
    let names: std::collections::HashSet<_> = listed.iter().map(|u| u.name.clone()).collect();
    assert_eq!(listed.len(), 200, "every user listed exactly once");
    assert_eq!(names.len(), 200);
    assert!((0..200).all(|i| names.contains(&format!("user-{i:03}"))));
}

/// Leaves what a create killed after saving its key leaves: `apps/.pending-NAME/private.key`.
fn plant_pending_key(w: &World, name: &str) -> (std::path::PathBuf, PrivateKey) {
    let dir = w
        .home
        .profile_dir(&w.profile)
        .join("apps")
        .join(format!(".pending-{name}"));
    vonage_onboard::store::atomic::ensure_private_dir(&dir).unwrap();
    let key = PrivateKey::generate().unwrap();
    let path = dir.join("private.key");
    vonage_onboard::store::apps::save_private_key(&path, &key).unwrap();
    (path, key)
}

/// Backdates a pending folder, as if its create had been killed `age` ago.
fn backdate(path: &std::path::Path, age: Duration) {
    let when = std::time::SystemTime::now() - age;
    std::fs::File::open(path)
        .unwrap()
        .set_modified(when)
        .unwrap();
}

#[tokio::test]
async fn a_pending_key_of_another_name_is_recorded_and_the_create_still_happens() {
    let w = world().await;
    let (path, key) = plant_pending_key(&w, "other");
    // The killed run's POST reached the API: its application holds the pending key.
    let made = w
        .client
        .create_application(&NewApplication {
            name: "other".into(),
            public_key_pem: key.public_key().to_spki_pem(),
            answer_url: None,
            voice_event_url: None,
            rtc_event_url: None,
            improve_ai: false,
        })
        .await
        .unwrap();
    let ready = applications::create(&w.home, &w.profile, &w.client, &spec("mine"))
        .await
        .unwrap();
    assert!(!ready.resumed);
    assert_eq!(ready.record.name, "mine");
    assert_eq!(ready.pending.recovered.len(), 1);
    let recovered = &ready.pending.recovered[0];
    assert_eq!(recovered.record.id.as_str(), made.id);
    assert!(!path.exists(), "the pending key was moved");
    let id = AppId::parse(&made.id).unwrap();
    assert_eq!(
        PrivateKey::load(&w.home.private_key_file(&w.profile, &id))
            .unwrap()
            .public_key(),
        key.public_key()
    );
    assert!(w.home.app_record_file(&w.profile, &id).exists());
    assert_eq!(w.client.list_all_applications().await.unwrap().len(), 2);
    let said = ready.pending.describe().join("\n");
    assert!(
        said.contains(&made.id) && said.contains("interrupted"),
        "{said}"
    );
}

#[tokio::test]
async fn pending_keys_matching_nothing_are_kept_and_reported_then_removed_after_a_day_or_on_request()
 {
    let w = world().await;
    let (young, _) = plant_pending_key(&w, "young");
    let ready = applications::create(&w.home, &w.profile, &w.client, &spec("one"))
        .await
        .unwrap();
    assert_eq!(ready.pending.kept, vec![young.clone()]);
    assert!(young.exists(), "a young unmatched key is kept");
    assert!(
        ready.pending.describe()[0].contains(young.to_str().unwrap()),
        "{:?}",
        ready.pending.describe()
    );

    backdate(young.parent().unwrap(), Duration::from_secs(25 * 60 * 60));
    let ready = applications::create(&w.home, &w.profile, &w.client, &spec("two"))
        .await
        .unwrap();
    assert_eq!(ready.pending.removed, vec![young.clone()]);
    assert!(ready.pending.kept.is_empty());
    assert!(
        !young.parent().unwrap().exists(),
        "a day-old unmatched key goes"
    );

    let (asked, _) = plant_pending_key(&w, "asked");
    let ready = applications::create(
        &w.home,
        &w.profile,
        &w.client,
        &AppSpec {
            discard_pending: true,
            ..spec("three")
        },
    )
    .await
    .unwrap();
    assert_eq!(ready.pending.removed, vec![asked.clone()]);
    assert!(!asked.exists());

    // A damaged pending key is named and left alone; the create goes on.
    let (damaged, _) = plant_pending_key(&w, "damaged");
    std::fs::remove_file(&damaged).unwrap();
    vonage_onboard::store::atomic::write_private_new(&damaged, b"not a key").unwrap();
    let ready = applications::create(&w.home, &w.profile, &w.client, &spec("four"))
        .await
        .unwrap();
    assert_eq!(ready.pending.unreadable.len(), 1);
    assert_eq!(std::fs::read(&damaged).unwrap(), b"not a key");
    assert_eq!(w.client.list_all_applications().await.unwrap().len(), 4);
}

#[tokio::test]
async fn pending_keys_that_cannot_be_checked_stop_the_create() {
    let w = world().await;
    let (pending, _) = plant_pending_key(&w, "unchecked");
    w.sandbox.faults().push(rule(
        "GET",
        "/v2/applications",
        FaultAction::Status {
            code: 503,
            retry_after: None,
        },
        3,
    ));
    let err = applications::create(&w.home, &w.profile, &w.client, &spec("blocked"))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("nothing was created"), "{err}");
    assert!(pending.exists());
    w.sandbox.faults().clear();
    assert!(w.client.list_all_applications().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_post_refused_with_429_is_retried_after_retry_after_and_creates_once() {
    let w = world().await;
    let throttled = |times| {
        rule(
            "POST",
            "/v2/applications",
            FaultAction::Status {
                code: 429,
                retry_after: Some(1),
            },
            times,
        )
    };
    w.sandbox.faults().push(throttled(1));
    let started = std::time::Instant::now();
    let ready = applications::create(&w.home, &w.profile, &w.client, &spec("throttled"))
        .await
        .unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "Retry-After was not honoured"
    );
    assert!(!ready.reconciled);
    assert_eq!(w.client.list_all_applications().await.unwrap().len(), 1);

    // The same for a user.
    let signer = Signer::new(
        ready.record.id.clone(),
        PrivateKey::load(&ready.key_path).unwrap(),
    );
    w.sandbox.faults().push(rule(
        "POST",
        "/v1/users",
        FaultAction::Status {
            code: 429,
            retry_after: Some(1),
        },
        1,
    ));
    users::create(&w.home, &w.profile, &w.client, &signer, &new_user("dora"))
        .await
        .unwrap();
    assert_eq!(w.client.list_users(&signer, None).await.unwrap().len(), 1);

    // Throttled on every try: the 429 surfaces, and nothing was created.
    w.sandbox.faults().push(throttled(3));
    let err = applications::create(&w.home, &w.profile, &w.client, &spec("never"))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("private key was kept"), "{err}");
    assert_eq!(w.client.list_all_applications().await.unwrap().len(), 1);
    w.sandbox.faults().clear();
}
