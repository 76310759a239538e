//! The wizard's rules as pure `update` transitions: no terminal, no runtime, no network.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use vonage_onboard::auth::acl::AclChoice;
use vonage_onboard::auth::jwt::{Claims, Signer, Token};
use vonage_onboard::auth::keys::PrivateKey;
use vonage_onboard::auth::ttl::Ttl;
use vonage_onboard::ids::AppId;
use vonage_onboard::tui::effect::Effect;
use vonage_onboard::tui::model::{Model, Overlay, Step};
use vonage_onboard::tui::msg::Msg;
use vonage_onboard::tui::protocol::{
    AccountSummary, AppSummary, Command, CurrentApp, Failure, Hidden, KeyOrigin, Outcome,
    RequestId, Snapshot, StoredUser, TokenView, UserRow, WorkerEvent,
};
use vonage_onboard::tui::screens::account;
use vonage_onboard::tui::screens::tokens::{TokenState, token_state};
use vonage_onboard::tui::update::update;

const NOW: u64 = 1_800_000_000;

/// A real token (fixture key): the Tokens table judges stored tokens with the shared verifier.
fn signed_token(user: &str, iat: u64, exp: u64) -> Token {
    let signer = Signer::new(
        AppId::parse(APP).unwrap(),
        PrivateKey::from_pem(include_str!("fixtures/test-key-pkcs8.pem")).unwrap(),
    );
    signer.sign(&Claims {
        application_id: APP.into(),
        iat,
        jti: "6a83e143-39b1-440d-8f00-5d91c42eed56".into(),
        exp,
        nbf: None,
        sub: Some(user.into()),
        acl: None,
    })
}

const APP: &str = "aaaaaaaa-bbbb-cccc-dddd-0123456789ab";

fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn ctrl(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

fn typed(model: &mut Model, text: &str) {
    for c in text.chars() {
        update(model, key(KeyCode::Char(c)));
    }
}

/// The single request an update sent.
fn sent(effects: &[Effect]) -> (RequestId, Command) {
    let sends: Vec<_> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::Send(r) => Some((r.id, r.command.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(
        sends.len(),
        1,
        "expected exactly one request, got {effects:?}"
    );
    sends.into_iter().next().unwrap()
}

fn answer(model: &mut Model, id: RequestId, result: Result<Outcome, Failure>) -> Vec<Effect> {
    update(model, Msg::Worker(WorkerEvent { id, result }))
}

fn in_flight(model: &Model) -> RequestId {
    model.ctl.busy.as_ref().expect("a request in flight").id
}

fn app() -> CurrentApp {
    CurrentApp {
        id: "aaaaaaaa-bbbb-cccc-dddd-0123456789ab".into(),
        name: "demo".into(),
        key_path: PathBuf::from("/home/dev/.config/vonage-onboard/private.key"),
    }
}

fn stored(name: &str, exp: Option<u64>) -> StoredUser {
    StoredUser {
        name: name.into(),
        id: Some(format!("USR-{name}")),
        ttl: Ttl::parse("1h").unwrap(),
        acl: AclChoice::default(),
        token: exp.map(|exp| TokenView {
            token: signed_token(name, exp - 3600, exp),
            iat: exp - 3600,
            exp,
        }),
    }
}

/// A model that has read `snapshot`.
fn loaded(snapshot: Snapshot) -> Model {
    let mut model = Model::new(NOW);
    let id = in_flight(&model);
    answer(&mut model, id, Ok(Outcome::Loaded(snapshot)));
    model
}

fn finished() -> Snapshot {
    Snapshot {
        api_key: Some("abcd1234".into()),
        has_secret: true,
        current_app: Some(app()),
        users: vec![stored("alice", Some(NOW + 60)), stored("bob", None)],
        ..Snapshot::default()
    }
}

#[test]
fn a_new_developer_starts_at_account_and_a_returning_one_resumes_at_tokens() {
    let fresh = loaded(Snapshot::default());
    assert_eq!(fresh.step, Step::Account);
    assert_eq!(fresh.account.mode, account::Mode::Edit);

    let back = loaded(finished());
    assert_eq!(back.step, Step::Tokens);
    assert!(
        back.is_done(Step::Account) && back.is_done(Step::Application) && back.is_done(Step::Users)
    );
    assert_eq!(back.tokens.rows.len(), 2);
}

#[test]
fn account_enter_validates_then_sends_exactly_one_verify() {
    let mut m = loaded(Snapshot::default());
    let effects = update(&mut m, key(KeyCode::Enter));
    assert!(effects.is_empty(), "{effects:?}");
    assert!(m.account.error.is_some());

    typed(&mut m, "abcd1234");
    update(&mut m, key(KeyCode::Tab));
    typed(&mut m, "s3cret");
    let effects = update(&mut m, key(KeyCode::Enter));
    let (id, command) = sent(&effects);
    match command {
        Command::Verify { api_key, store, .. } => {
            assert_eq!(api_key, "abcd1234");
            assert!(store);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(in_flight(&m), id);
}

#[test]
fn a_refused_pair_keeps_what_was_typed() {
    let mut m = loaded(Snapshot::default());
    typed(&mut m, "abcd1234");
    update(&mut m, key(KeyCode::Tab));
    typed(&mut m, "wrong");
    let (id, _) = sent(&update(&mut m, key(KeyCode::Enter)));
    let refusal = Failure {
        message: "Vonage refused this API key and secret (401)".into(),
        fields: vec![],
        refused: true,
    };
    answer(&mut m, id, Err(refusal));
    assert_eq!(m.step, Step::Account);
    assert_eq!(m.account.key.value(), "abcd1234");
    assert_eq!(m.account.secret.value(), "wrong");
    assert!(m.account.error.as_deref().unwrap().contains("refused"));
    assert!(m.ctl.busy.is_none());
}

#[test]
fn esc_cancels_and_a_late_answer_is_ignored() {
    let mut m = loaded(Snapshot::default());
    typed(&mut m, "abcd1234");
    update(&mut m, key(KeyCode::Tab));
    typed(&mut m, "s3cret");
    let (id, _) = sent(&update(&mut m, key(KeyCode::Enter)));
    update(&mut m, key(KeyCode::Esc));
    assert!(m.ctl.busy.is_none());
    let late = Outcome::Verified(AccountSummary {
        api_key: "abcd1234".into(),
        applications: 3,
        balance: None,
        stored: None,
    });
    let effects = answer(&mut m, id, Ok(late));
    assert!(effects.is_empty());
    assert_eq!(m.step, Step::Account, "the late answer moved nothing");
    assert!(m.account.verified.is_none());
}

#[test]
fn ctrl_c_quits_from_every_step_overlay_and_busy_state() {
    let mut cases: Vec<Model> = Vec::new();
    for step in [Step::Account, Step::Application, Step::Users, Step::Tokens] {
        let mut m = loaded(finished());
        m.step = step;
        cases.push(m);
    }
    let mut help = loaded(finished());
    update(&mut help, key(KeyCode::Char('?')));
    assert_eq!(help.overlay, Some(Overlay::Help));
    cases.push(help);
    cases.push(Model::new(NOW)); // still loading, busy
    let mut editing = loaded(Snapshot::default());
    typed(&mut editing, "half-typed");
    cases.push(editing);
    for mut m in cases {
        let effects = update(&mut m, ctrl('c'));
        assert!(m.quit);
        assert!(effects.iter().any(|e| matches!(e, Effect::Quit)));
    }
}

#[test]
fn verified_credentials_move_on_and_list_applications() {
    let mut m = loaded(Snapshot::default());
    typed(&mut m, "abcd1234");
    update(&mut m, key(KeyCode::Tab));
    typed(&mut m, "s3cret");
    let (id, _) = sent(&update(&mut m, key(KeyCode::Enter)));
    let summary = AccountSummary {
        api_key: "abcd1234".into(),
        applications: 1,
        balance: Some(10.5),
        stored: None,
    };
    let effects = answer(&mut m, id, Ok(Outcome::Verified(summary)));
    assert_eq!(m.step, Step::Application);
    assert!(matches!(sent(&effects).1, Command::ListApps));
    assert!(
        m.account.secret.is_empty(),
        "the secret is not kept in memory once stored"
    );
}

fn at_application() -> Model {
    let mut m = loaded(Snapshot {
        api_key: Some("abcd1234".into()),
        has_secret: true,
        ..Snapshot::default()
    });
    assert_eq!(m.step, Step::Application);
    let id = in_flight(&m);
    let apps = vec![
        AppSummary {
            id: "11111111-2222-4333-8444-555555555555".into(),
            name: "staging".into(),
            stored_key: None,
        },
        AppSummary {
            id: "66666666-2222-4333-8444-555555555555".into(),
            name: "prod".into(),
            stored_key: None,
        },
    ];
    answer(&mut m, id, Ok(Outcome::Apps(apps)));
    m
}

/// A stored application and no users yet: the wizard is at Users, its (empty) list in.
fn at_users() -> Model {
    let mut m = loaded(Snapshot {
        api_key: Some("abcd1234".into()),
        has_secret: true,
        current_app: Some(app()),
        ..Snapshot::default()
    });
    assert_eq!(m.step, Step::Users);
    let id = in_flight(&m);
    answer(&mut m, id, Ok(Outcome::Users(vec![])));
    m
}

#[test]
fn typing_filters_applications() {
    let mut m = at_application();
    typed(&mut m, "sta");
    let names: Vec<_> = m
        .application
        .filtered()
        .iter()
        .map(|a| a.name.clone())
        .collect();
    assert_eq!(names, ["staging"]);
}

#[test]
fn the_create_form_validates_urls_as_typed_and_sends_the_spec() {
    let mut m = at_application();
    update(&mut m, key(KeyCode::Enter)); // "+ Create a new application"
    update(&mut m, key(KeyCode::Tab)); // RTC event URL
    update(&mut m, ctrl('u'));
    typed(&mut m, "example.com/rtc");
    assert!(m.application.form.error(1).is_some());
    let effects = update(&mut m, key(KeyCode::Enter));
    assert!(
        !effects.iter().any(|e| matches!(e, Effect::Send(_))),
        "an invalid form sends nothing"
    );

    update(&mut m, ctrl('u'));
    typed(&mut m, "https://example.com/rtc");
    assert!(m.application.form.error(1).is_none());
    let (_, command) = sent(&update(&mut m, key(KeyCode::Enter)));
    let Command::CreateApp(spec) = command else {
        panic!("{command:?}")
    };
    assert_eq!(
        spec.rtc_event_url.as_deref(),
        Some("https://example.com/rtc")
    );
    assert!(!spec.improve_ai, "AI-data opt-in is off by default");
}

#[test]
fn api_field_reasons_land_beside_their_field() {
    let mut m = at_application();
    update(&mut m, key(KeyCode::Enter));
    let (id, _) = sent(&update(&mut m, key(KeyCode::Enter)));
    let failure = Failure {
        message: "Vonage answered 400 Bad Request".into(),
        fields: vec![(
            "capabilities.rtc.webhooks.event_url.address".into(),
            "must be a valid URL".into(),
        )],
        refused: false,
    };
    answer(&mut m, id, Err(failure));
    assert_eq!(
        m.application.form.error(1).as_deref(),
        Some("must be a valid URL")
    );
}

#[test]
fn a_taken_user_name_offers_the_existing_user() {
    let mut m = at_users();
    typed(&mut m, "alice");
    let (id, command) = sent(&update(&mut m, key(KeyCode::Enter)));
    assert!(matches!(command, Command::CreateUser(ref u) if u.name == "alice"));
    let existing = UserRow {
        id: Some("USR-1".into()),
        name: "alice".into(),
        display_name: None,
    };
    answer(&mut m, id, Ok(Outcome::UserExists(existing)));
    assert!(m.users.offer.is_some());
    let effects = update(&mut m, key(KeyCode::Enter));
    assert!(
        effects.is_empty(),
        "using the existing user needs no request"
    );
    assert_eq!(
        m.users
            .known()
            .iter()
            .map(|u| u.name.as_str())
            .collect::<Vec<_>>(),
        ["alice"]
    );
    // Enter on an empty name goes on to tokens, with alice in the table.
    update(&mut m, key(KeyCode::Enter));
    assert_eq!(m.step, Step::Tokens);
    assert_eq!(m.tokens.rows[0].name, "alice");
}

#[test]
fn an_enter_typed_while_the_users_list_loads_creates_the_user_once_it_is_in() {
    let loading_users = || {
        loaded(Snapshot {
            api_key: Some("abcd1234".into()),
            has_secret: true,
            current_app: Some(app()),
            ..Snapshot::default()
        })
    };
    // A fast typist: the name and Enter before the list has answered.
    let mut m = loading_users();
    let list = in_flight(&m);
    typed(&mut m, "alice");
    assert!(
        update(&mut m, key(KeyCode::Enter)).is_empty(),
        "nothing is sent while the list loads"
    );
    let (_, command) = sent(&answer(&mut m, list, Ok(Outcome::Users(vec![]))));
    assert!(matches!(command, Command::CreateUser(ref u) if u.name == "alice"));

    // Esc forgets the list and the held Enter with it: the next answer replays nothing.
    let mut m = loading_users();
    let list = in_flight(&m);
    typed(&mut m, "bob");
    update(&mut m, key(KeyCode::Enter));
    update(&mut m, key(KeyCode::Esc));
    assert!(answer(&mut m, list, Ok(Outcome::Users(vec![]))).is_empty());
    assert!(m.held_enter.is_none());
}

#[test]
fn user_names_are_validated_before_sending() {
    let mut m = at_users();
    typed(&mut m, "USR-1");
    assert!(update(&mut m, key(KeyCode::Enter)).is_empty());
    assert!(m.users.name_error.is_some());
}

#[test]
fn a_token_that_expires_while_shown_turns_expired_on_the_tick() {
    let mut m = loaded(finished());
    let alice = m.tokens.rows[0].token.clone();
    assert_eq!(
        token_state(alice.as_ref(), m.now),
        TokenState::Valid { left: 60 }
    );
    assert!(m.needs_clock());
    update(&mut m, Msg::Tick(NOW + 61));
    assert_eq!(
        token_state(m.tokens.rows[0].token.as_ref(), m.now),
        TokenState::Expired
    );
}

#[test]
fn generate_uses_the_rows_recipe_and_custom_ttls_are_checked() {
    let mut m = loaded(finished());
    let (_, command) = sent(&update(&mut m, key(KeyCode::Char('r'))));
    let Command::Mint { user, ttl, .. } = command else {
        panic!("{command:?}")
    };
    assert_eq!((user.as_str(), ttl.seconds()), ("alice", 3600));
    m.ctl.busy = None;

    update(&mut m, key(KeyCode::Char('t'))); // 1h → 6h
    assert_eq!(m.tokens.rows[0].ttl.seconds(), 6 * 3600);
    update(&mut m, key(KeyCode::Char('t'))); // → 24h
    assert!(m.tokens.editor.is_none(), "t only cycles the presets");
    let effects = update(&mut m, key(KeyCode::Char('t'))); // → 15m, round again
    assert_eq!(m.tokens.rows[0].ttl.seconds(), 15 * 60);
    let status = m.ctl.status.clone().unwrap().text;
    assert!(status.ends_with("press r for a token with it."), "{status}");
    // Each change is saved at once (update only asks the worker to).
    let (id, command) = sent(&effects);
    let Command::SaveRecipe {
        user,
        ttl,
        acl,
        changed,
    } = command
    else {
        panic!("{command:?}")
    };
    assert_eq!((user.as_str(), ttl.seconds()), ("alice", 15 * 60));
    answer(
        &mut m,
        id,
        Ok(Outcome::RecipeSaved {
            user,
            ttl,
            acl,
            changed,
        }),
    );
    assert_eq!(
        m.ctl.status.clone().unwrap().text,
        "TTL 15m saved for alice's next token: press r for a token with it."
    );
    update(&mut m, key(KeyCode::Char('T'))); // → custom editor
    assert!(m.tokens.editor.is_some());
    update(&mut m, ctrl('u'));
    typed(&mut m, "25h");
    update(&mut m, key(KeyCode::Enter));
    assert!(
        m.tokens.editor.is_some(),
        "25h is refused, the editor stays"
    );
    update(&mut m, ctrl('u'));
    typed(&mut m, "90m");
    let (_, command) = sent(&update(&mut m, key(KeyCode::Enter)));
    assert!(m.tokens.editor.is_none());
    assert_eq!(m.tokens.rows[0].ttl.seconds(), 90 * 60);
    assert!(
        matches!(&command, Command::SaveRecipe { ttl, .. } if ttl.seconds() == 90 * 60),
        "{command:?}"
    );
}

#[test]
fn copy_and_inspect_need_a_token() {
    let mut m = loaded(finished());
    let effects = update(&mut m, key(KeyCode::Char('c')));
    assert!(matches!(&effects[..], [Effect::Copy { .. }]), "{effects:?}");
    update(&mut m, key(KeyCode::Char('i')));
    assert!(matches!(m.overlay, Some(Overlay::Inspect { .. })));
    update(&mut m, key(KeyCode::Esc));
    update(&mut m, key(KeyCode::Down)); // bob: no token
    assert!(update(&mut m, key(KeyCode::Char('c'))).is_empty());
}

#[test]
fn the_copy_message_says_what_happened_and_only_keys_that_exist() {
    use vonage_onboard::clipboard::CopyMethod;
    use vonage_onboard::tui::model::Tone;
    let mut m = loaded(finished());
    let otherwise = match &update(&mut m, key(KeyCode::Char('c')))[..] {
        [Effect::Copy { otherwise, .. }] => *otherwise,
        other => panic!("{other:?}"),
    };
    let status = |m: &Model| {
        let s = m.ctl.status.clone().unwrap();
        (s.text, s.tone)
    };
    let cases = [
        (
            Ok(CopyMethod::Kept),
            "copied (kept after exit)",
            Tone::Success,
        ),
        (
            Ok(CopyMethod::Terminal),
            "sent to the terminal (OSC 52): works if your terminal supports it; v shows it",
            Tone::Info,
        ),
        (
            Ok(CopyMethod::UntilExit),
            "copied, but only until the wizard exits; v shows it",
            Tone::Info,
        ),
        (
            Err("--no-clipboard".to_owned()),
            "not copied: --no-clipboard; v shows it",
            Tone::Error,
        ),
    ];
    for (result, text, tone) in cases {
        update(&mut m, Msg::Copied { result, otherwise });
        assert_eq!(status(&m), (text.to_owned(), tone));
    }
    // The keys named are ones the Tokens footer offers.
    use vonage_onboard::tui::screen::Screen;
    for named in [("s", "save"), ("v", "view")] {
        assert!(
            m.tokens
                .bindings()
                .iter()
                .any(|b| (b.shown, b.label) == named),
            "{named:?}"
        );
    }
}

#[test]
fn the_sandbox_secret_is_prefilled_but_never_shown_in_debug() {
    let m = loaded(Snapshot {
        api_key: Some("d1289895".into()),
        suggested_secret: Some(Hidden("sandbox-secret-1".into())),
        ..Snapshot::default()
    });
    assert_eq!(m.account.secret.value(), "sandbox-secret-1");
    assert!(!format!("{m:?}").contains("sandbox-secret-1"));
}

#[test]
fn the_first_load_cannot_be_cancelled_and_its_failure_does_not_hang_the_wizard() {
    let mut m = Model::new(NOW);
    let id = in_flight(&m);
    update(&mut m, key(KeyCode::Esc));
    assert_eq!(
        in_flight(&m),
        id,
        "Esc must not forget the load: nothing would work after"
    );
    let failure = Failure {
        message: "config.toml is not valid: expected `=` (line 2)".into(),
        fields: vec![],
        refused: false,
    };
    answer(&mut m, id, Err(failure));
    assert!(m.loaded);
    assert_eq!(m.step, Step::Account);
    typed(&mut m, "abcd1234");
    assert_eq!(
        m.account.key.value(),
        "abcd1234",
        "keys work after a failed load"
    );
}

#[test]
fn a_create_in_flight_cannot_be_cancelled_so_it_is_never_sent_twice() {
    let mut m = at_application();
    update(&mut m, key(KeyCode::Enter));
    let (id, command) = sent(&update(&mut m, key(KeyCode::Enter)));
    assert!(matches!(command, Command::CreateApp(_)));
    update(&mut m, key(KeyCode::Esc));
    assert_eq!(in_flight(&m), id);
    assert!(
        update(&mut m, key(KeyCode::Enter)).is_empty(),
        "no second create while one is in flight"
    );
    answer(
        &mut m,
        id,
        Ok(Outcome::AppReady {
            app: app(),
            key: KeyOrigin::New,
            reconciled: false,
            note: None,
            users: vec![],
        }),
    );
    assert_eq!(m.application.current, Some(app()));
}

/// Issue 10, item 5 (in part): a refused name is said in the status line too, where it is
/// seen even when the inline reason sits beyond a long name.
#[test]
fn a_too_long_user_name_is_refused_in_the_status_line() {
    let mut m = at_users();
    typed(&mut m, &"a".repeat(201));
    assert!(
        update(&mut m, key(KeyCode::Enter)).is_empty(),
        "nothing sent"
    );
    let status = m.ctl.status.clone().unwrap();
    assert!(
        status.tone == vonage_onboard::tui::model::Tone::Error && status.text.contains("200"),
        "{}",
        status.text
    );
}

#[test]
fn enter_on_tokens_never_mints_and_an_expired_token_is_not_copied() {
    let mut m = loaded(finished());
    // alice has a token: Enter shows it.
    let effects = update(&mut m, key(KeyCode::Enter));
    assert!(effects.is_empty(), "{effects:?}");
    assert!(matches!(m.overlay, Some(Overlay::Raw { .. })));
    update(&mut m, key(KeyCode::Esc));
    // bob has none: Enter says how to make one, and sends nothing.
    update(&mut m, key(KeyCode::Down));
    let effects = update(&mut m, key(KeyCode::Enter));
    assert!(effects.is_empty(), "{effects:?}");
    let status = m.ctl.status.clone().unwrap().text;
    assert!(
        status.contains("bob has no token yet: g generates one"),
        "{status}"
    );

    update(&mut m, key(KeyCode::Up));
    update(&mut m, Msg::Tick(NOW + 61)); // alice's token is now EXPIRED
    let effects = update(&mut m, key(KeyCode::Char('c')));
    assert!(
        effects.is_empty(),
        "an expired token is not copied: {effects:?}"
    );
    let status = m.ctl.status.clone().unwrap();
    assert_eq!(status.tone, vonage_onboard::tui::model::Tone::Error);
    assert!(status.text.contains("EXPIRED"), "{}", status.text);
}

#[test]
fn saving_to_dash_shows_the_token_instead_of_making_a_file() {
    let mut m = loaded(finished());
    update(&mut m, key(KeyCode::Char('s')));
    update(&mut m, ctrl('u'));
    typed(&mut m, "-");
    let effects = update(&mut m, key(KeyCode::Enter));
    assert!(effects.is_empty(), "nothing is saved: {effects:?}");
    assert!(m.tokens.editor.is_none());
    assert!(matches!(m.overlay, Some(Overlay::Raw { .. })));
}

#[test]
fn a_refused_acl_is_said_in_the_status_line_and_ctrl_u_clears_a_line() {
    let mut m = loaded(finished());
    update(&mut m, key(KeyCode::Char('a'))); // client-sdk → minimal
    update(&mut m, key(KeyCode::Char('a'))); // → all
    update(&mut m, key(KeyCode::Char('a'))); // → the editor
    let Some(vonage_onboard::tui::screens::tokens::Editor::Acl { area, .. }) = &m.tokens.editor
    else {
        panic!("the ACL editor is open")
    };
    let lines = area.lines().len();
    update(&mut m, ctrl('u')); // the last line, `}`, is cleared
    update(&mut m, ctrl('s'));
    let status = m.ctl.status.clone().unwrap();
    assert_eq!(status.tone, vonage_onboard::tui::model::Tone::Error);
    assert!(
        status.text.starts_with("Custom ACL: JSON syntax"),
        "{}",
        status.text
    );
    let Some(vonage_onboard::tui::screens::tokens::Editor::Acl { area, error }) = &m.tokens.editor
    else {
        panic!("the editor stays open")
    };
    assert!(error.is_some());
    assert_eq!(area.lines().len(), lines);
    assert_eq!(area.lines().last().unwrap(), "");
}

#[test]
fn a_step_not_reached_says_why_and_leaving_a_step_leaves_its_message() {
    let mut m = at_users();
    assert_eq!(m.step, Step::Users);
    update(&mut m, key(KeyCode::Tab));
    update(&mut m, key(KeyCode::Tab)); // the filter
    update(&mut m, key(KeyCode::Esc)); // back to Application (not typing there)
    assert_eq!(m.step, Step::Application);
    assert_eq!(m.ctl.status, None, "the Users step's welcome is gone");
    update(&mut m, key(KeyCode::Char('4')));
    assert_eq!(m.step, Step::Application);
    let status = m.ctl.status.clone().unwrap().text;
    assert_eq!(
        status,
        "Tokens comes after Users: finish that first (press 3)."
    );
    // q quits off text fields.
    update(&mut m, key(KeyCode::Char('q')));
    assert!(m.quit);
}

#[test]
fn d_on_the_users_list_deletes_only_after_y_and_the_user_leaves_both_lists() {
    let mut m = loaded(Snapshot {
        api_key: Some("abcd1234".into()),
        has_secret: true,
        current_app: Some(app()),
        users: vec![stored("alice", None), stored("bob", None)],
        ..Snapshot::default()
    });
    // With users stored the wizard resumes at Tokens; the Users step lists them.
    update(&mut m, key(KeyCode::Esc));
    assert_eq!(m.step, Step::Users);
    let id = in_flight(&m);
    let row = |name: &str| UserRow {
        id: Some(format!("USR-{name}")),
        name: name.into(),
        display_name: Some(format!("{name} (display)")),
    };
    answer(
        &mut m,
        id,
        Ok(Outcome::Users(vec![row("alice"), row("bob")])),
    );
    for _ in 0..3 {
        update(&mut m, key(KeyCode::Tab)); // name → display → filter → the list
    }
    assert!(!m.is_typing(), "the list takes keys, not text");
    update(&mut m, key(KeyCode::Down));
    assert!(
        update(&mut m, key(KeyCode::Char('d'))).is_empty(),
        "d only asks"
    );
    assert_eq!(
        m.users.confirm.as_ref().map(|u| u.name.as_str()),
        Some("bob")
    );
    assert!(update(&mut m, key(KeyCode::Char('n'))).is_empty());
    assert!(m.users.confirm.is_none());
    assert_eq!(m.ctl.status.clone().unwrap().text, "Kept bob.");
    update(&mut m, key(KeyCode::Char('d')));
    let (id, command) = sent(&update(&mut m, key(KeyCode::Char('y'))));
    assert!(
        matches!(&command, Command::DeleteUser { user } if user == "USR-bob"),
        "{command:?}"
    );
    answer(&mut m, id, Ok(Outcome::UserDeleted(row("bob"))));
    let names: Vec<&str> = m.users.known().iter().map(|u| u.name.as_str()).collect();
    assert_eq!(names, ["alice"]);
    assert!(m.tokens.rows.iter().all(|r| r.name != "bob"));
    let status = m.ctl.status.clone().unwrap().text;
    assert!(status.starts_with("Deleted bob at Vonage"), "{status}");
    // Tokens shows the display names the Users step knows.
    update(&mut m, key(KeyCode::Char('4')));
    assert_eq!(m.step, Step::Tokens);
    assert_eq!(
        m.tokens.display_names,
        [("alice".to_owned(), "alice (display)".to_owned())]
    );
}

#[test]
fn the_delete_question_is_modal_only_y_n_esc_and_ctrl_c_act() {
    let mut m = loaded(Snapshot {
        api_key: Some("abcd1234".into()),
        has_secret: true,
        current_app: Some(app()),
        users: vec![stored("alice", None)],
        ..Snapshot::default()
    });
    update(&mut m, key(KeyCode::Esc)); // from Tokens back to Users
    let id = in_flight(&m);
    let alice = UserRow {
        id: Some("USR-alice".into()),
        name: "alice".into(),
        display_name: None,
    };
    answer(&mut m, id, Ok(Outcome::Users(vec![alice])));
    for _ in 0..3 {
        update(&mut m, key(KeyCode::Tab));
    }
    m.ctl.success("✓ Created bob. Type another name…");
    update(&mut m, key(KeyCode::Char('d')));
    assert!(m.is_modal(), "d asks a question");
    assert!(
        m.ctl.status.is_none(),
        "an earlier message stays beside the question"
    );
    let text = vonage_onboard::tui::view::footer_text(&m, 80);
    assert_eq!(text.trim(), "y delete · n/Esc keep · Ctrl-C quit");
    // Digits, help, q, Tab, arrows and the rest: the question stays, nothing is sent.
    for k in ['1', '2', '3', '4', '?', 'q', 'd', 'x']
        .map(KeyCode::Char)
        .into_iter()
        .chain([
            KeyCode::Tab,
            KeyCode::Up,
            KeyCode::Down,
            KeyCode::Enter,
            KeyCode::F(1),
        ])
    {
        assert!(update(&mut m, key(k)).is_empty(), "{k:?} sent something");
        assert_eq!(m.step, Step::Users, "{k:?} left the step");
        assert!(m.overlay.is_none(), "{k:?} opened an overlay");
        assert!(
            m.users.confirm.is_some() && !m.quit,
            "{k:?} dropped the question"
        );
    }
    // Esc answers it (keeps the user) rather than going back a step.
    update(&mut m, key(KeyCode::Esc));
    assert_eq!(m.step, Step::Users);
    assert!(m.users.confirm.is_none() && !m.is_modal());
    assert_eq!(m.ctl.status.clone().unwrap().text, "Kept alice.");
    // Answered, the digits move again; and Ctrl-C quits from the question.
    update(&mut m, key(KeyCode::Char('d')));
    update(&mut m, ctrl('c'));
    assert!(m.quit);
}

#[test]
fn the_account_step_counts_an_application_created_after_it() {
    let mut m = loaded(Snapshot::default());
    typed(&mut m, "abcd1234");
    update(&mut m, key(KeyCode::Tab));
    typed(&mut m, "secret");
    let (id, _) = sent(&update(&mut m, key(KeyCode::Enter)));
    let summary = AccountSummary {
        api_key: "abcd1234".into(),
        applications: 0,
        balance: None,
        stored: None,
    };
    let effects = answer(&mut m, id, Ok(Outcome::Verified(summary)));
    let (id, _) = sent(&effects);
    answer(&mut m, id, Ok(Outcome::Apps(vec![])));
    update(&mut m, key(KeyCode::Enter)); // create new
    let (id, _) = sent(&update(&mut m, key(KeyCode::Enter)));
    answer(
        &mut m,
        id,
        Ok(Outcome::AppReady {
            app: app(),
            key: KeyOrigin::New,
            reconciled: false,
            note: None,
            users: vec![],
        }),
    );
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24)).unwrap();
    update(&mut m, key(KeyCode::Char('1')));
    assert_eq!(m.step, Step::Account);
    terminal
        .draw(|f| {
            vonage_onboard::tui::view::view(&m, vonage_onboard::tui::theme::Theme::plain(), f)
        })
        .unwrap();
    let screen: String = terminal
        .backend()
        .buffer()
        .content()
        .iter()
        .map(|c| c.symbol())
        .collect();
    assert!(screen.contains("verified: 1 application"), "{screen}");
    assert!(!screen.contains("application(s)"), "{screen}");
}
