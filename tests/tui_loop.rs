//! The whole wizard loop: the real shell, `update` and `view` on `TestBackend`, the real worker
//! against the real sandbox on 127.0.0.1, and an in-memory clipboard, driven by scripted keys
//! from an empty home to a copied token for two users.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use vonage_onboard::auth::keys::PrivateKey;
use vonage_onboard::clipboard::MemoryClipboard;
use vonage_onboard::clock::unix_now;
use vonage_onboard::onboard::account::SecretChoice;
use vonage_onboard::sandbox::{self, RunningSandbox, SandboxOptions};
use vonage_onboard::store::paths::{Home, ProfileName};
use vonage_onboard::tui::app::Shell;
use vonage_onboard::tui::model::{Model, Overlay, Step};
use vonage_onboard::tui::msg::Msg;
use vonage_onboard::tui::theme::Theme;
use vonage_onboard::tui::worker::{self, WorkerConfig};
use vonage_onboard::vonage::{
    ApiCredentials, Application, NewApplication, PlainHttp, RetryPolicy, Timeouts, VonageClient,
};

const WAIT: Duration = Duration::from_secs(20);

/// The crate's client for `sandbox`, with its credentials and the default policy.
fn sandbox_client(sandbox: &RunningSandbox) -> VonageClient {
    support::client::client_for(sandbox, RetryPolicy::default(), Timeouts::default())
}

/// An application made at `sandbox` with `key`'s public half, as another machine would: this
/// home knows nothing of it.
async fn create_elsewhere(sandbox: &RunningSandbox, name: &str, key: &PrivateKey) -> Application {
    sandbox_client(sandbox)
        .create_application(&NewApplication {
            name: name.into(),
            public_key_pem: key.public_key().to_spki_pem(),
            answer_url: None,
            voice_event_url: None,
            rtc_event_url: None,
            improve_ai: false,
        })
        .await
        .unwrap()
}

fn shell(sandbox: &RunningSandbox, home: &Home, clipboard: MemoryClipboard) -> Shell<TestBackend> {
    let config = WorkerConfig {
        home: home.clone(),
        profile: ProfileName::parse("sandbox").unwrap(),
        api_base: Some(sandbox.url().to_owned()),
        region: None,
        plain_http: PlainHttp::LoopbackOnly,
        suggested: Some(ApiCredentials {
            api_key: sandbox.api_key().to_owned(),
            api_secret: sandbox.api_secret().clone(),
        }),
        env_credentials: None,
        application_id: None,
        private_key_path: None,
        secrets: SecretChoice::File,
    };
    Shell::new(
        Terminal::new(TestBackend::new(80, 24)).unwrap(),
        Model::new(unix_now()),
        worker::spawn(config),
        Box::new(clipboard),
        Theme::plain(),
    )
}

async fn press(shell: &mut Shell<TestBackend>, code: KeyCode) {
    shell.dispatch(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    shell.settle(WAIT).await.unwrap();
}

async fn type_text(shell: &mut Shell<TestBackend>, text: &str) {
    for c in text.chars() {
        press(shell, KeyCode::Char(c)).await;
    }
}

fn screen(shell: &Shell<TestBackend>) -> String {
    let buffer = shell.terminal.backend().buffer();
    let area = buffer.area;
    (0..area.height)
        .map(|y| {
            (0..area.width)
                .map(|x| buffer[(x, y)].symbol())
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn from_an_empty_home_to_copied_tokens_for_two_users() {
    let sandbox = sandbox::start(SandboxOptions::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let home = Home::at(dir.path().join("home"));
    let clipboard = MemoryClipboard::default();
    let copied = clipboard.copied.clone();
    let mut shell = shell(&sandbox, &home, clipboard);
    shell.settle(WAIT).await.unwrap();

    // 1 Account: the sandbox's pair is pre-filled; Enter verifies and stores it.
    assert_eq!(shell.model.step, Step::Account);
    assert!(screen(&shell).contains("API secret"));
    press(&mut shell, KeyCode::Enter).await;
    assert_eq!(shell.model.step, Step::Application, "{}", screen(&shell));
    assert!(home.credentials_file().exists());

    // 2 Application: "+ Create a new application", then create with the pre-filled form.
    press(&mut shell, KeyCode::Enter).await;
    press(&mut shell, KeyCode::Enter).await;
    let app = shell
        .model
        .application
        .current
        .clone()
        .unwrap_or_else(|| panic!("no current application:\n{}", screen(&shell)));
    assert!(app.key_path.exists());
    assert!(screen(&shell).contains(&app.id));
    press(&mut shell, KeyCode::Enter).await;
    assert_eq!(shell.model.step, Step::Users);

    // 3 Users: two in a row, then Enter on the empty name.
    for name in ["alice", "bob"] {
        type_text(&mut shell, name).await;
        press(&mut shell, KeyCode::Enter).await;
        assert!(
            screen(&shell).contains(&format!("Created {name}")),
            "{}",
            screen(&shell)
        );
    }
    press(&mut shell, KeyCode::Enter).await;
    assert_eq!(shell.model.step, Step::Tokens);

    // 4 Tokens: generate and copy for each.
    for (row, _) in ["alice", "bob"].iter().enumerate() {
        if row > 0 {
            press(&mut shell, KeyCode::Down).await;
        }
        press(&mut shell, KeyCode::Char('g')).await;
        press(&mut shell, KeyCode::Char('c')).await;
    }
    let text = screen(&shell);
    assert_eq!(text.matches("valid for 24h").count(), 2, "{text}");
    assert!(text.contains("copied"), "{text}");
    let tokens = copied.lock().unwrap().clone();
    assert_eq!(tokens.len(), 2);

    // Each copied token is accepted by the sandbox for a path its ACL allows.
    let http = reqwest::Client::new();
    for (name, token) in ["alice", "bob"].iter().zip(&tokens) {
        let answer = http
            .get(format!("{}/v1/users/{name}", sandbox.url()))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 200, "{name}'s token was refused");
    }

    // Reopened: the wizard resumes at Tokens with both tokens shown.
    let mut again = self::shell(&sandbox, &home, MemoryClipboard::default());
    again.settle(WAIT).await.unwrap();
    assert_eq!(again.model.step, Step::Tokens);
    assert_eq!(
        screen(&again).matches("valid for").count(),
        2,
        "{}",
        screen(&again)
    );
    sandbox.stop().await;
}

/// Issue 10's "no silent data loss": a TTL or ACL chosen on Tokens is stored when chosen,
/// so quitting before the next generate keeps it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ttl_and_acl_chosen_on_tokens_survive_quitting_without_a_token() {
    use vonage_onboard::auth::acl::{AclChoice, Preset};
    use vonage_onboard::store::state::State;

    let sandbox = sandbox::start(SandboxOptions::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let home = Home::at(dir.path().join("home"));
    let profile = ProfileName::parse("sandbox").unwrap();
    let mut shell = shell(&sandbox, &home, MemoryClipboard::default());
    shell.settle(WAIT).await.unwrap();
    press(&mut shell, KeyCode::Enter).await; // Account: verify the sandbox's pair
    press(&mut shell, KeyCode::Enter).await; // "+ Create a new application"
    press(&mut shell, KeyCode::Enter).await; // create with the pre-filled name
    press(&mut shell, KeyCode::Enter).await; // on to Users
    type_text(&mut shell, "alice").await;
    press(&mut shell, KeyCode::Enter).await;
    press(&mut shell, KeyCode::Enter).await; // on to Tokens
    assert_eq!(shell.model.step, Step::Tokens, "{}", screen(&shell));
    assert_eq!(shell.model.tokens.rows[0].ttl.to_string(), "24h");

    press(&mut shell, KeyCode::Char('t')).await; // 24h → 15m
    assert_eq!(
        status(&shell),
        "TTL 15m saved for alice's next token: press g for a token with it.",
        "{}",
        screen(&shell)
    );
    press(&mut shell, KeyCode::Char('a')).await; // the next ACL preset
    let acl = shell.model.tokens.rows[0].acl.clone();
    assert_ne!(acl, AclChoice::default());
    assert!(
        status(&shell).starts_with(&format!("ACL {} saved for alice's", acl.label())),
        "{}",
        status(&shell)
    );
    shell.dispatch(Msg::Key(KeyEvent::new(
        KeyCode::Char('c'),
        KeyModifiers::CONTROL,
    )));
    assert!(shell.model.quit);
    drop(shell);

    // state.json holds the recipe, and no token was made.
    let state = State::load(&home, &profile).unwrap();
    let app = state.apps.values().next().expect("the application's state");
    let alice = &app.users["alice"];
    let recipe = alice.recipe.clone().expect("alice's recipe is stored");
    assert_eq!(recipe.ttl.to_string(), "15m");
    assert_eq!(recipe.acl, acl);
    assert_eq!(acl, AclChoice::Preset(Preset::ClientSdkMinimal));
    assert!(alice.last_token.is_none(), "nothing was minted");

    // Reopened: Tokens shows alice's row with the recipe chosen.
    let mut again = self::shell(&sandbox, &home, MemoryClipboard::default());
    again.settle(WAIT).await.unwrap();
    assert_eq!(again.model.step, Step::Tokens, "{}", screen(&again));
    let row = &again.model.tokens.rows[0];
    assert_eq!(
        (row.name.as_str(), row.ttl.to_string()),
        ("alice", "15m".into())
    );
    assert_eq!(row.acl, acl);
    assert!(screen(&again).contains("15m"), "{}", screen(&again));
    sandbox.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_secret_is_refused_and_kept_for_correction() {
    let sandbox = sandbox::start(SandboxOptions::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let home = Home::at(dir.path().join("home"));
    let mut shell = shell(&sandbox, &home, MemoryClipboard::default());
    shell.settle(WAIT).await.unwrap();
    type_text(&mut shell, "x").await; // the secret field has focus: now it is wrong
    press(&mut shell, KeyCode::Enter).await;
    assert_eq!(shell.model.step, Step::Account);
    assert!(screen(&shell).contains("refused"), "{}", screen(&shell));
    assert!(shell.model.account.secret.value().ends_with('x'));
    assert!(
        !home.credentials_file().exists(),
        "a refused pair is never stored"
    );
    sandbox.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_environment_s_credentials_and_application_are_used_as_by_the_commands() {
    use vonage_onboard::onboard::applications::{self, AppSpec};

    let sandbox = sandbox::start(SandboxOptions::default()).await.unwrap();
    let credentials = ApiCredentials {
        api_key: sandbox.api_key().to_owned(),
        api_secret: sandbox.api_secret().clone(),
    };
    // An application made elsewhere (another home), known here only through the environment.
    let elsewhere = tempfile::tempdir().unwrap();
    let client = sandbox_client(&sandbox);
    let spec = AppSpec {
        name: "from-env".into(),
        ..AppSpec::default()
    };
    let made = applications::create(
        &Home::at(elsewhere.path()),
        &ProfileName::default(),
        &client,
        &spec,
    )
    .await
    .unwrap();

    let dir = tempfile::tempdir().unwrap();
    let config = WorkerConfig {
        home: Home::at(dir.path().join("home")),
        profile: ProfileName::default(),
        api_base: Some(sandbox.url().to_owned()),
        region: None,
        plain_http: PlainHttp::LoopbackOnly,
        suggested: None,
        env_credentials: Some(credentials),
        application_id: Some(made.record.id.to_string()),
        private_key_path: Some(made.key_path.clone()),
        secrets: SecretChoice::File,
    };
    let mut shell = Shell::new(
        Terminal::new(TestBackend::new(80, 24)).unwrap(),
        Model::new(unix_now()),
        worker::spawn(config),
        Box::new(MemoryClipboard::default()),
        Theme::plain(),
    );
    shell.settle(WAIT).await.unwrap();
    assert_eq!(shell.model.step, Step::Users, "{}", screen(&shell));
    type_text(&mut shell, "erin").await;
    press(&mut shell, KeyCode::Enter).await;
    assert!(
        screen(&shell).contains("Created erin"),
        "{}",
        screen(&shell)
    );
    sandbox.stop().await;
}

/// The wizard's shell and worker, with the given base (`api_base` None: the profile's), a
/// pre-filled pair, and no sandbox.
fn shell_for(home: &Home, api_base: Option<&str>, plain_http: PlainHttp) -> Shell<TestBackend> {
    let config = WorkerConfig {
        home: home.clone(),
        profile: ProfileName::default(),
        api_base: api_base.map(str::to_owned),
        region: None,
        plain_http,
        suggested: Some(ApiCredentials {
            api_key: "abcd1234".into(),
            api_secret: "s3cr3t-wizard".to_owned().into(),
        }),
        env_credentials: None,
        application_id: None,
        private_key_path: None,
        secrets: SecretChoice::File,
    };
    Shell::new(
        Terminal::new(TestBackend::new(240, 24)).unwrap(),
        Model::new(unix_now()),
        worker::spawn(config),
        Box::new(MemoryClipboard::default()),
        Theme::plain(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_wizard_refuses_a_plain_http_base_elsewhere_with_the_commands_sentence() {
    const FIX: &str = "use https://, or --allow-insecure-http if this really is a test server on a network you control";
    let dir = tempfile::tempdir().unwrap();
    let home = Home::at(dir.path().join("home"));
    let stored = Home::at(dir.path().join("stored"));
    std::fs::create_dir_all(stored.root()).unwrap();
    std::fs::write(
        stored.config_file(),
        "[profiles.default]\napi_base = \"http://api.example.invalid\"\n",
    )
    .unwrap();
    // The base from the command line, then the one stored in the profile.
    for (home, base) in [(&home, Some("http://api.example.invalid")), (&stored, None)] {
        let mut shell = shell_for(home, base, PlainHttp::LoopbackOnly);
        shell.settle(WAIT).await.unwrap();
        assert_eq!(shell.model.step, Step::Account, "{}", screen(&shell));
        press(&mut shell, KeyCode::Enter).await;
        assert_eq!(shell.model.step, Step::Account);
        let error = shell.model.account.error.clone().unwrap_or_default();
        assert!(error.contains(FIX), "{error}");
        assert!(error.contains("http://api.example.invalid"), "{error}");
        assert!(!error.contains("s3cr3t-wizard"), "{error}");
        assert!(
            screen(&shell).contains("refusing to send"),
            "{}",
            screen(&shell)
        );
        assert!(
            !home.credentials_file().exists(),
            "a refused pair was stored"
        );
    }

    // With the override the worker goes on to the network, which fails for a .invalid host.
    let mut shell = shell_for(
        &home,
        Some("http://api.example.invalid"),
        PlainHttp::Anywhere,
    );
    shell.settle(WAIT).await.unwrap();
    press(&mut shell, KeyCode::Enter).await;
    let error = shell.model.account.error.clone().unwrap_or_default();
    assert!(!error.contains(FIX) && error.contains("connect"), "{error}");
    assert!(!home.credentials_file().exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_application_step_finishes_an_interrupted_create_instead_of_duplicating_it() {
    let sandbox = sandbox::start(SandboxOptions::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let home = Home::at(dir.path().join("home"));
    // A wizard killed after its POST was processed: the key pending, the application made.
    let profile = ProfileName::parse("sandbox").unwrap();
    let pending = home.profile_dir(&profile).join("apps/.pending-killed");
    vonage_onboard::store::atomic::ensure_private_dir(&pending).unwrap();
    let key = PrivateKey::generate().unwrap();
    vonage_onboard::store::apps::save_private_key(&pending.join("private.key"), &key).unwrap();
    let made = create_elsewhere(&sandbox, "my-client-sdk-app", &key).await;

    let mut shell = shell(&sandbox, &home, MemoryClipboard::default());
    shell.settle(WAIT).await.unwrap();
    press(&mut shell, KeyCode::Enter).await; // Account: verify the sandbox's pair
    press(&mut shell, KeyCode::Enter).await; // "+ Create a new application"
    press(&mut shell, KeyCode::Enter).await; // create with the pre-filled name
    let current = shell
        .model
        .application
        .current
        .clone()
        .unwrap_or_else(|| panic!("no current application:\n{}", screen(&shell)));
    assert_eq!(current.id, made.id, "{}", screen(&shell));
    assert!(!pending.exists(), "the pending key was moved into place");
    assert_eq!(
        PrivateKey::load(&current.key_path).unwrap().public_key(),
        key.public_key()
    );
    assert_eq!(
        sandbox_client(&sandbox)
            .list_all_applications()
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(screen(&shell).contains("interrupted"), "{}", screen(&shell));
    assert_eq!(
        status(&shell),
        "Application my-client-sdk-app is ready; the private key an interrupted create kept is \
         now saved for it."
    );
    sandbox.stop().await;
}

fn status(shell: &Shell<TestBackend>) -> String {
    shell
        .model
        .ctl
        .status
        .as_ref()
        .map(|s| s.text.clone())
        .unwrap_or_default()
}

/// The status line says what became of the private key: made and saved, copied in from the
/// file given, or the one this home already had (adopting again saves nothing new).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_application_step_says_whether_a_key_was_saved_copied_or_already_stored() {
    let sandbox = sandbox::start(SandboxOptions::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let home = Home::at(dir.path().join("home"));
    let mut shell = shell(&sandbox, &home, MemoryClipboard::default());
    shell.settle(WAIT).await.unwrap();
    press(&mut shell, KeyCode::Enter).await; // Account: verify the sandbox's pair
    press(&mut shell, KeyCode::Enter).await; // "+ Create a new application"
    press(&mut shell, KeyCode::Enter).await; // create with the pre-filled name
    assert_eq!(
        status(&shell),
        "Application my-client-sdk-app is ready; its private key is saved.",
        "{}",
        screen(&shell)
    );

    // An application made elsewhere, its key in a file outside the home.
    let key = PrivateKey::generate().unwrap();
    let key_file = dir.path().join("other.key");
    vonage_onboard::store::apps::save_private_key(&key_file, &key).unwrap();
    let other = create_elsewhere(&sandbox, "other-app", &key).await;

    press(&mut shell, KeyCode::Char('n')).await; // another application
    shell.dispatch(Msg::Key(KeyEvent::new(
        KeyCode::Char('l'),
        KeyModifiers::CONTROL,
    )));
    shell.settle(WAIT).await.unwrap();
    type_text(&mut shell, "other").await;
    press(&mut shell, KeyCode::Enter).await; // its key is asked for
    type_text(&mut shell, &key_file.display().to_string()).await;
    press(&mut shell, KeyCode::Enter).await;
    assert_eq!(
        status(&shell),
        "Application other-app is ready; a copy of its private key is saved in this home.",
        "{}",
        screen(&shell)
    );
    let stored = shell.model.application.current.clone().unwrap().key_path;
    assert_ne!(stored, key_file);
    assert_eq!(
        PrivateKey::load(&stored).unwrap().public_key(),
        key.public_key()
    );

    // Chosen again: the stored key is used, nothing new is saved.
    press(&mut shell, KeyCode::Char('n')).await;
    type_text(&mut shell, "other").await;
    press(&mut shell, KeyCode::Enter).await;
    assert_eq!(
        shell
            .model
            .application
            .current
            .as_ref()
            .map(|a| a.id.clone()),
        Some(other.id.clone())
    );
    assert_eq!(
        status(&shell),
        "Application other-app is ready; it uses the private key already stored for it.",
        "{}",
        screen(&shell)
    );
    sandbox.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_damaged_app_json_is_named_and_left_untouched() {
    use vonage_onboard::onboard::account;
    use vonage_onboard::onboard::applications::{self, AppSpec};

    let sandbox = sandbox::start(SandboxOptions::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let home = Home::at(dir.path().join("home"));
    let profile = ProfileName::parse("sandbox").unwrap();
    let client = sandbox_client(&sandbox);
    account::setup(&home, &profile, &client, account::StoredSettings::default())
        .await
        .unwrap();
    let spec = AppSpec {
        name: "damaged-record".into(),
        ..AppSpec::default()
    };
    let made = applications::create(&home, &profile, &client, &spec)
        .await
        .unwrap();
    let record = home.app_record_file(&profile, &made.record.id);
    std::fs::write(&record, "{\"id\": ").unwrap();

    let mut shell = shell(&sandbox, &home, MemoryClipboard::default());
    shell.settle(WAIT).await.unwrap();
    assert_eq!(shell.model.step, Step::Application);
    // The path is long: the message is checked on the model, and its start on the screen.
    let note = shell.model.application.note.clone().unwrap_or_default();
    assert!(
        note.contains(record.to_str().unwrap()) && note.contains("left untouched"),
        "{note}"
    );
    let text = screen(&shell);
    assert!(text.contains("damaged file"), "{text}");
    // Wrapped over lines inside the border: compare without borders and spaces.
    let squeezed: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '│')
        .collect();
    assert!(
        squeezed.contains("app.jsonisnotvalid") && squeezed.contains("leftuntouched"),
        "{text}"
    );
    assert_eq!(std::fs::read_to_string(&record).unwrap(), "{\"id\": ");
    sandbox.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s_on_tokens_serves_fresh_tokens_counts_them_and_stops() {
    let sandbox = sandbox::start(SandboxOptions::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let home = Home::at(dir.path().join("home"));
    let mut shell = shell(&sandbox, &home, MemoryClipboard::default());
    shell.settle(WAIT).await.unwrap();
    // Account, create, Users, alice, Tokens.
    for _ in 0..4 {
        press(&mut shell, KeyCode::Enter).await;
    }
    type_text(&mut shell, "alice").await;
    press(&mut shell, KeyCode::Enter).await;
    press(&mut shell, KeyCode::Enter).await;
    assert_eq!(shell.model.step, Step::Tokens, "{}", screen(&shell));

    press(&mut shell, KeyCode::Char('S')).await;
    let serve = shell
        .model
        .tokens
        .serve
        .clone()
        .unwrap_or_else(|| panic!("not serving:\n{}", screen(&shell)));
    let text = screen(&shell);
    assert!(text.contains(&serve.url), "{text}");
    assert!(text.contains(&serve.key.0), "the key is shown: {text}");
    assert!(text.contains("0 tokens"), "{text}");
    assert!(serve.url.starts_with("http://127.0.0.1:"), "{}", serve.url);

    let http = reqwest::Client::new();
    let answer = http
        .get(format!("{}/token/alice", serve.url))
        .bearer_auth(&serve.key.0)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    let body: serde_json::Value = answer.json().await.unwrap();
    // The token it served is one the sandbox accepts for alice.
    let token = body["token"].as_str().unwrap();
    let check = http
        .get(format!("{}/v1/users/alice", sandbox.url()))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(check.status(), 200);
    shell.next_event(WAIT).await.unwrap();
    assert_eq!(shell.model.tokens.serve.as_ref().map(|s| s.served), Some(1));
    assert!(screen(&shell).contains("· 1 token "), "{}", screen(&shell));

    press(&mut shell, KeyCode::Char('S')).await;
    assert!(shell.model.tokens.serve.is_none());
    assert!(
        screen(&shell).contains("Stopped the token server after 1 token."),
        "{}",
        screen(&shell)
    );
    let port = serve.url.rsplit(':').next().unwrap().to_owned();
    assert!(
        tokio::net::TcpStream::connect(format!("127.0.0.1:{port}"))
            .await
            .is_err(),
        "the server stopped"
    );

    // Leaving the wizard stops a server left running.
    press(&mut shell, KeyCode::Char('S')).await;
    let url = shell.model.tokens.serve.clone().unwrap().url;
    let addr = url.trim_start_matches("http://").to_owned();
    assert!(tokio::net::TcpStream::connect(&addr).await.is_ok());
    drop(shell);
    let deadline = tokio::time::Instant::now() + WAIT;
    while tokio::net::TcpStream::connect(&addr).await.is_ok() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "still serving after the wizard left"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inspect_offers_the_doctor_and_p_inspects_a_pasted_token_with_its_signature() {
    let sandbox = sandbox::start(SandboxOptions::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let home = Home::at(dir.path().join("home"));
    let clipboard = MemoryClipboard::default();
    let copied = clipboard.copied.clone();
    let mut shell = shell(&sandbox, &home, clipboard);
    shell.settle(WAIT).await.unwrap();
    for _ in 0..4 {
        press(&mut shell, KeyCode::Enter).await;
    }
    type_text(&mut shell, "alice").await;
    press(&mut shell, KeyCode::Enter).await;
    press(&mut shell, KeyCode::Enter).await;
    press(&mut shell, KeyCode::Char('g')).await;
    press(&mut shell, KeyCode::Char('c')).await;
    let token = copied.lock().unwrap().last().cloned().unwrap();

    // i, then d: the doctor's checks, all passing against the sandbox, under the claims.
    press(&mut shell, KeyCode::Char('i')).await;
    assert!(footer_of(&shell).contains("d doctor"), "{}", screen(&shell));
    press(&mut shell, KeyCode::Char('d')).await;
    let Some(Overlay::Inspect { lines, .. }) = shell.model.overlay.clone() else {
        panic!("the inspect view closed:\n{}", screen(&shell))
    };
    let at = lines.iter().position(|l| l == "token doctor:").unwrap();
    let checks: Vec<&String> = lines[at + 1..]
        .iter()
        .filter(|l| !l.starts_with(' '))
        .collect();
    assert!(checks.len() >= 5, "{lines:?}");
    assert!(checks.iter().all(|l| l.starts_with('✓')), "{lines:?}");
    let text = screen(&shell);
    assert!(text.contains("checks all pass"), "{text}");
    press(&mut shell, KeyCode::Esc).await;

    // p: the same token pasted is checked with the application's key.
    press(&mut shell, KeyCode::Char('p')).await;
    shell.dispatch(Msg::Paste(token.clone()));
    assert!(shell.model.tokens.editor.is_some(), "{}", screen(&shell));
    assert!(
        !screen(&shell).contains(&token[..20]),
        "a pasted token is masked"
    );
    press(&mut shell, KeyCode::Enter).await;
    let text = screen(&shell);
    assert!(text.contains("pasted token"), "{text}");
    let Some(Overlay::Inspect { lines, .. }) = shell.model.overlay.clone() else {
        panic!("no inspect view:\n{text}")
    };
    assert!(
        lines.contains(&"signature  ✓ checks with the application's key".to_owned()),
        "{lines:?}"
    );
    assert!(
        lines.iter().any(|l| l.starts_with("valid for")),
        "{lines:?}"
    );
    press(&mut shell, KeyCode::Esc).await;

    // A token whose signature was tampered with says so.
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    let mut signature: Vec<char> = parts[2].chars().collect();
    signature[10] = if signature[10] == 'A' { 'B' } else { 'A' };
    parts[2] = signature.into_iter().collect();
    press(&mut shell, KeyCode::Char('p')).await;
    shell.dispatch(Msg::Paste(parts.join(".")));
    press(&mut shell, KeyCode::Enter).await;
    let Some(Overlay::Inspect { lines, .. }) = shell.model.overlay.clone() else {
        panic!("no inspect view:\n{}", screen(&shell))
    };
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("signature  ✗ does not check")),
        "{lines:?}"
    );
}

fn footer_of(shell: &Shell<TestBackend>) -> String {
    screen(shell).lines().last().unwrap_or_default().to_owned()
}
