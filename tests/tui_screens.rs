//! Every screen in each of its states, drawn by the real `view` on `TestBackend` from fixed
//! data (no clock, no random ids): insta snapshots at 80×24 and at the 60×16 minimum, the
//! README's captures in `assets/screens/`, and a render sweep over sizes 1×1 … 300×100.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::path::{Path, PathBuf};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use vonage_onboard::auth::acl::{AclChoice, Preset};
use vonage_onboard::auth::jwt::{Claims, Signer};
use vonage_onboard::auth::keys::PrivateKey;
use vonage_onboard::auth::ttl::Ttl;
use vonage_onboard::ids::AppId;
use vonage_onboard::tui::model::{Model, Overlay};
use vonage_onboard::tui::msg::Msg;
use vonage_onboard::tui::protocol::{
    AccountSummary, AppSummary, CurrentApp, Failure, Hidden, KeyOrigin, Outcome, RequestId,
    ServeInfo, Snapshot, StoredUser, TokenView, UserRow, WorkerEvent,
};
use vonage_onboard::tui::theme::Theme;
use vonage_onboard::tui::update::update;
use vonage_onboard::tui::view::view;

const NOW: u64 = 1_800_000_000;
const APP_ID: &str = "aaaaaaaa-bbbb-cccc-dddd-0123456789ab";

fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn typed(m: &mut Model, text: &str) {
    for c in text.chars() {
        update(m, key(KeyCode::Char(c)));
    }
}

fn answer(m: &mut Model, result: Result<Outcome, Failure>) {
    let id: RequestId = m.ctl.busy.as_ref().expect("a request in flight").id;
    update(m, Msg::Worker(WorkerEvent { id, result }));
}

fn loaded(snapshot: Snapshot) -> Model {
    let mut m = Model::new(NOW);
    answer(&mut m, Ok(Outcome::Loaded(snapshot)));
    m
}

fn current_app() -> CurrentApp {
    CurrentApp {
        id: APP_ID.into(),
        name: "demo".into(),
        key_path: PathBuf::from(
            "~/.config/vonage-onboard/profiles/default/apps/aaaaaaaa/private.key",
        ),
    }
}

/// A real token (fixture key, fixed claims), so the inspect overlay shows real claims.
fn token(user: &str, iat: u64, exp: u64) -> TokenView {
    let signer = Signer::new(
        AppId::parse(APP_ID).unwrap(),
        PrivateKey::from_pem(include_str!("fixtures/test-key-pkcs8.pem")).unwrap(),
    );
    let claims = Claims {
        application_id: APP_ID.into(),
        iat,
        jti: "6a83e143-39b1-440d-8f00-5d91c42eed56".into(),
        exp,
        nbf: None,
        sub: Some(user.into()),
        acl: Some(Preset::ClientSdkMinimal.acl()),
    };
    TokenView {
        token: signer.sign(&claims),
        iat,
        exp,
    }
}

fn stored_credentials() -> Snapshot {
    Snapshot {
        api_key: Some("abcd1234".into()),
        has_secret: true,
        ..Snapshot::default()
    }
}

fn with_app() -> Snapshot {
    Snapshot {
        current_app: Some(current_app()),
        ..stored_credentials()
    }
}

fn at_tokens() -> Model {
    let user = |name: &str, ttl: &str, acl: AclChoice, token: Option<TokenView>| StoredUser {
        name: name.into(),
        id: Some(format!("USR-{name}")),
        ttl: Ttl::parse(ttl).unwrap(),
        acl,
        token,
    };
    loaded(Snapshot {
        users: vec![
            user(
                "alice",
                "24h",
                AclChoice::default(),
                Some(token("alice", NOW - 600, NOW + 86_400 - 600)),
            ),
            user(
                "bob",
                "1h",
                AclChoice::Preset(Preset::All),
                Some(token("bob", NOW - 7200, NOW - 3600)),
            ),
            user(
                "carol",
                "15m",
                AclChoice::Preset(Preset::ClientSdkMinimal),
                None,
            ),
        ],
        ..with_app()
    })
}

fn apps() -> Vec<AppSummary> {
    (1..=3)
        .map(|i| AppSummary {
            id: format!("{i}{i}{i}{i}{i}{i}{i}{i}-2222-4333-8444-555555555555"),
            name: ["staging", "prod", "demo-old"][i - 1].into(),
            // One key on disk: the list says so.
            stored_key: (i == 2).then(|| "/home/u/private.key".into()),
        })
        .collect()
}

fn at_application_list() -> Model {
    let mut m = loaded(stored_credentials());
    answer(&mut m, Ok(Outcome::Apps(apps())));
    m
}

fn at_users(users: Vec<UserRow>) -> Model {
    let mut m = loaded(with_app());
    answer(&mut m, Ok(Outcome::Users(users)));
    m
}

fn row(name: &str) -> UserRow {
    UserRow {
        id: Some(format!("USR-{name}-82e028d9")),
        name: name.into(),
        display_name: None,
    }
}

/// Every state the issue lists, by name.
fn states() -> Vec<(&'static str, Model)> {
    let mut v = Vec::new();
    v.push(("account_empty", loaded(Snapshot::default())));
    v.push((
        "account_sandbox",
        loaded(Snapshot {
            api_key: Some("d1289895".into()),
            suggested_secret: Some(Hidden("sandbox-secret-16".into())),
            ..Snapshot::default()
        }),
    ));
    let mut filled = loaded(Snapshot::default());
    typed(&mut filled, "abcd1234");
    update(&mut filled, key(KeyCode::Tab));
    typed(&mut filled, "s3cret-value");
    v.push(("account_filled", filled));
    let mut invalid = loaded(Snapshot::default());
    update(&mut invalid, key(KeyCode::Enter));
    v.push(("account_invalid", invalid));
    let mut busy = loaded(Snapshot::default());
    typed(&mut busy, "abcd1234");
    update(&mut busy, key(KeyCode::Tab));
    typed(&mut busy, "s3cret-value");
    update(&mut busy, key(KeyCode::Enter));
    let mut refused = loaded(Snapshot::default());
    typed(&mut refused, "abcd1234");
    update(&mut refused, key(KeyCode::Tab));
    typed(&mut refused, "wrong");
    update(&mut refused, key(KeyCode::Enter));
    v.push(("account_busy", busy));
    answer(
        &mut refused,
        Err(Failure {
            message: "Vonage refused this API key and secret (401).".into(),
            fields: vec![],
            refused: true,
        }),
    );
    v.push(("account_refused", refused));
    let mut stored = loaded(Snapshot::default());
    typed(&mut stored, "abcd1234");
    update(&mut stored, key(KeyCode::Tab));
    typed(&mut stored, "s3cret-value");
    update(&mut stored, key(KeyCode::Enter));
    answer(
        &mut stored,
        Ok(Outcome::Verified(AccountSummary {
            api_key: "abcd1234".into(),
            applications: 3,
            balance: Some(10.17),
            stored: None,
        })),
    );
    update(&mut stored, key(KeyCode::Esc)); // cancel the listing, back to Account
    update(&mut stored, key(KeyCode::Esc));
    v.push(("account_stored", stored));

    v.push(("application_listing", loaded(stored_credentials())));
    v.push(("application_list", at_application_list()));
    let mut filtered = at_application_list();
    typed(&mut filtered, "pro");
    v.push(("application_filtered", filtered));
    let mut form = at_application_list();
    update(&mut form, key(KeyCode::Enter));
    v.push(("application_create", form));
    let mut bad = at_application_list();
    update(&mut bad, key(KeyCode::Enter));
    update(&mut bad, key(KeyCode::Tab));
    typed(&mut bad, "x");
    update(&mut bad, key(KeyCode::Tab));
    typed(&mut bad, "ftp://example.com");
    v.push(("application_create_invalid", bad));
    let mut creating = at_application_list();
    update(&mut creating, key(KeyCode::Enter));
    update(&mut creating, key(KeyCode::Enter));
    v.push(("application_creating", creating));
    let mut api_error = at_application_list();
    update(&mut api_error, key(KeyCode::Enter));
    update(&mut api_error, key(KeyCode::Enter));
    answer(
        &mut api_error,
        Err(Failure {
            message: "Vonage answered 400 Bad Request: The request failed due to validation errors"
                .into(),
            fields: vec![(
                "capabilities.rtc.webhooks.event_url.address".into(),
                "must be a valid URL".into(),
            )],
            refused: false,
        }),
    );
    v.push(("application_api_error", api_error));
    let mut adopt = at_application_list();
    update(&mut adopt, key(KeyCode::Down));
    update(&mut adopt, key(KeyCode::Enter));
    typed(&mut adopt, "~/keys/staging.key");
    v.push(("application_adopt", adopt));
    let mut ready = at_application_list();
    update(&mut ready, key(KeyCode::Enter));
    update(&mut ready, key(KeyCode::Enter));
    answer(
        &mut ready,
        Ok(Outcome::AppReady {
            app: current_app(),
            key: KeyOrigin::New,
            reconciled: false,
            note: None,
            users: vec![],
        }),
    );
    v.push(("application_ready", ready));

    v.push(("users_listing", loaded(with_app())));
    v.push(("users_empty", at_users(vec![])));
    let mut users_filled = at_users(vec![row("alice")]);
    typed(&mut users_filled, "bob");
    update(&mut users_filled, key(KeyCode::Tab));
    typed(&mut users_filled, "Bob Smith");
    v.push(("users_filled", users_filled));
    let mut users_invalid = at_users(vec![]);
    typed(&mut users_invalid, "USR-1234");
    update(&mut users_invalid, key(KeyCode::Enter));
    v.push(("users_invalid", users_invalid));
    let mut users_busy = at_users(vec![row("alice")]);
    typed(&mut users_busy, "bob");
    update(&mut users_busy, key(KeyCode::Enter));
    v.push(("users_creating", users_busy));
    let mut duplicate = at_users(vec![row("alice")]);
    typed(&mut duplicate, "alice");
    update(&mut duplicate, key(KeyCode::Enter));
    answer(&mut duplicate, Ok(Outcome::UserExists(row("alice"))));
    v.push(("users_duplicate", duplicate));
    let mut created = at_users(vec![row("alice")]);
    typed(&mut created, "bob");
    update(&mut created, key(KeyCode::Enter));
    answer(&mut created, Ok(Outcome::UserCreated(row("bob"))));
    v.push(("users_created", created));
    let mut refused_name = at_users(vec![row("alice")]);
    typed(&mut refused_name, "bob");
    update(&mut refused_name, key(KeyCode::Enter));
    answer(
        &mut refused_name,
        Err(Failure {
            message: "Vonage answered 400 Bad request (http:error:validation-fail): Input validation failure".into(),
            fields: vec![("name".into(), "\"name\" must be a string".into())],
            refused: false,
        }),
    );
    v.push(("users_api_error", refused_name));

    v.push(("tokens", at_tokens()));
    let mut later = at_tokens();
    update(&mut later, Msg::Tick(NOW + 86_400));
    v.push(("tokens_all_expired", later));
    let mut ttl = at_tokens();
    update(&mut ttl, key(KeyCode::Char('T')));
    typed(&mut ttl, "tx");
    update(&mut ttl, key(KeyCode::Enter));
    v.push(("tokens_custom_ttl_invalid", ttl));
    let mut acl = at_tokens();
    update(&mut acl, key(KeyCode::Down));
    update(&mut acl, key(KeyCode::Char('a')));
    update(&mut acl, key(KeyCode::Backspace));
    update(
        &mut acl,
        Msg::Key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL)),
    );
    v.push(("tokens_custom_acl_invalid", acl));
    let mut generating = at_tokens();
    update(&mut generating, key(KeyCode::Char('r')));
    v.push(("tokens_generating", generating));
    let mut copied = at_tokens();
    // As the shell does: `c` asks for a copy, the answer says how it went (here OSC 52).
    let otherwise = update(&mut copied, key(KeyCode::Char('c')))
        .into_iter()
        .find_map(|e| match e {
            vonage_onboard::tui::effect::Effect::Copy { otherwise, .. } => Some(otherwise),
            _ => None,
        })
        .expect("c on a row with a token asks for a copy");
    update(
        &mut copied,
        Msg::Copied {
            result: Ok(vonage_onboard::clipboard::CopyMethod::Terminal),
            otherwise,
        },
    );
    v.push(("tokens_copied", copied));
    let mut save = at_tokens();
    update(&mut save, key(KeyCode::Char('s')));
    v.push(("tokens_save", save));
    let mut save_failed = at_tokens();
    update(&mut save_failed, key(KeyCode::Char('s')));
    update(&mut save_failed, key(KeyCode::Enter));
    answer(
        &mut save_failed,
        Err(Failure {
            message: "./alice.jwt: already exists; it was not overwritten".into(),
            fields: vec![],
            refused: false,
        }),
    );
    v.push(("tokens_save_error", save_failed));
    let mut inspect = at_tokens();
    update(&mut inspect, key(KeyCode::Char('i')));
    v.push(("tokens_inspect", inspect));
    let mut serving = at_tokens();
    update(&mut serving, key(KeyCode::Char('S')));
    answer(
        &mut serving,
        Ok(Outcome::Serving(ServeInfo {
            url: "http://127.0.0.1:41234".into(),
            key: Hidden("access-key-of-this-run-0123456789".into()),
            application_id: APP_ID.into(),
            served: 2,
        })),
    );
    v.push(("tokens_serving", serving));
    let mut help = at_tokens();
    update(&mut help, key(KeyCode::Char('?')));
    v.push(("help", help));
    v.push(("loading", Model::new(NOW)));
    v
}

fn render(model: &Model, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|frame| view(model, Theme::plain(), frame))
        .unwrap();
    let buffer = terminal.backend().buffer();
    (0..height)
        .map(|y| {
            let line: String = (0..width).map(|x| buffer[(x, y)].symbol()).collect();
            line.trim_end().to_owned()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn every_screen_state_at_80x24_and_at_the_minimum() {
    for (name, mut model) in states() {
        update(&mut model, Msg::Resize(80, 24));
        insta::assert_snapshot!(format!("{name}_80x24"), render(&model, 80, 24));
        update(&mut model, Msg::Resize(60, 16));
        insta::assert_snapshot!(format!("{name}_60x16"), render(&model, 60, 16));
    }
    insta::assert_snapshot!("too_small_40x10", render(&at_tokens(), 40, 10));
}

#[test]
fn no_secret_or_token_is_ever_drawn_unasked() {
    for (name, model) in states() {
        let screen = render(&model, 120, 40);
        assert!(!screen.contains("s3cret-value"), "{name} shows the secret");
        if name != "tokens_inspect" {
            assert!(!screen.contains("eyJ"), "{name} shows a token");
        }
    }
}

/// The README's captures: regenerated here, so they always show what the code draws.
#[test]
fn readme_captures_match_the_code() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/screens");
    std::fs::create_dir_all(&dir).unwrap();
    let wanted = [
        "account_filled",
        "application_create",
        "users_created",
        "tokens",
        "tokens_inspect",
    ];
    let mut stale = Vec::new();
    for (name, model) in states().into_iter().filter(|(n, _)| wanted.contains(n)) {
        let path = dir.join(format!("{name}.txt"));
        let screen = render(&model, 80, 24) + "\n";
        if std::fs::read_to_string(&path).ok().as_deref() != Some(screen.as_str()) {
            std::fs::write(&path, &screen).unwrap();
            stale.push(path.display().to_string());
        }
    }
    assert!(
        stale.is_empty(),
        "captures were stale and have been rewritten; commit them: {stale:?}"
    );

    // The README shows the top of some captures: each excerpt must still be what is drawn.
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let captures: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    let excerpts: Vec<&str> = readme
        .split("```text\n")
        .skip(1)
        .filter_map(|block| block.split("```").next())
        .collect();
    assert!(!excerpts.is_empty(), "the README shows no screen");
    for excerpt in excerpts {
        assert!(
            captures.iter().any(|c| c.starts_with(excerpt)),
            "this README excerpt is not what the wizard draws:\n{excerpt}"
        );
    }
}

#[test]
fn no_size_from_1x1_to_300x100_panics() {
    // Every width at the heights where the layout changes, and every height at the widths
    // where it changes: the whole 300×100 grid would take minutes in a debug build.
    let few_heights = [1, 2, 3, 15, 16, 17, 24, 100];
    let few_widths = [1, 2, 3, 59, 60, 61, 80, 300];
    let sizes: Vec<(u16, u16)> = (1..=300)
        .flat_map(|w| few_heights.iter().map(move |h| (w, *h)))
        .chain((1..=100).flat_map(|h| few_widths.iter().map(move |w| (*w, h))))
        .collect();
    let every_screen = [
        "loading",
        "account_refused",
        "application_list",
        "application_create_invalid",
        "application_ready",
        "users_duplicate",
        "tokens",
        "tokens_custom_acl_invalid",
        "tokens_inspect",
        "help",
    ];
    for (name, model) in states()
        .into_iter()
        .filter(|(n, _)| every_screen.contains(n))
    {
        for &(w, h) in &sizes {
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| render(&model, w, h)))
                .unwrap_or_else(|_| panic!("{name} panicked at {w}×{h}"));
        }
    }
}

/// Where a row's text meets the edge of its box (a right border) or of the terminal.
fn is_right_border(s: &str) -> bool {
    matches!(s, "│" | "┐" | "┘" | "┤")
}

fn is_left_border(s: &str) -> bool {
    matches!(s, "│" | "┌" | "└" | "├")
}

fn is_line(s: &str) -> bool {
    matches!(s, "─" | "│" | "┌" | "┐" | "└" | "┘" | "├" | "┤")
}

/// What a person would call "cut off" on one drawn frame: the footer without help, text that
/// runs into a box's right border or the window's edge without `…` (a paragraph that goes on
/// at the start of the next row is wrapped, not cut), a cursor outside the field it edits.
fn cut_offs(model: &Model, width: u16, height: u16) -> Vec<String> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|frame| view(model, Theme::plain(), frame))
        .unwrap();
    let backend = terminal.backend();
    let buffer = backend.buffer();
    let cell = |x: u16, y: u16| buffer[(x, y)].symbol().to_owned();
    let row = |y: u16| -> String { (0..width).map(|x| cell(x, y)).collect() };
    let mut found = Vec::new();

    let footer = row(height - 1).trim_end().to_owned();
    let overlay = model.overlay.is_some();
    let raw = matches!(model.overlay, Some(Overlay::Raw { .. }));
    let wanted = if overlay {
        "Esc close"
    } else if model.is_modal() {
        // A question offers its answers and Ctrl-C only.
        "Ctrl-C quit"
    } else if model.is_typing() {
        "F1 help"
    } else {
        "? help"
    };
    if !footer.contains(wanted) {
        found.push(format!("the footer lacks `{wanted}`: {footer:?}"));
    }
    if footer != vonage_onboard::tui::view::footer_text(model, width) {
        found.push(format!("the footer is drawn cut: {footer:?}"));
    }
    // The raw token fills whole rows on purpose: only its title row is text.
    let last_text_row = if raw { 1 } else { height - 1 };
    for y in 0..last_text_row {
        let mut edges: Vec<u16> = (1..width)
            .filter(|x| is_right_border(&cell(*x, y)))
            .collect();
        edges.push(width);
        for edge in edges {
            let last = cell(edge - 1, y);
            if last.trim().is_empty() || is_line(&last) || last == "…" {
                continue;
            }
            // The box this text is in: the nearest left border before it.
            let left = (0..edge - 1).rev().find(|x| is_left_border(&cell(*x, y)));
            let start = left.map_or(0, |l| l + 1);
            let in_body_row = left.is_none_or(|l| cell(l, y) == "│");
            let goes_on = y + 1 < height - 1
                && in_body_row
                && left.is_none_or(|l| cell(l, y + 1) == "│")
                && !cell(start, y + 1).trim().is_empty()
                && !is_line(&cell(start, y + 1));
            if !goes_on {
                found.push(format!(
                    "row {y} is cut at column {edge}: {:?}",
                    row(y).trim_end()
                ));
            }
        }
    }
    if model.is_typing() && !overlay {
        if !backend.cursor_visible() {
            found.push("a text field has focus but no cursor is drawn".into());
        } else {
            let at = backend.cursor_position();
            let line = row(at.y);
            let chars: Vec<String> = (0..width).map(|x| cell(x, at.y)).collect();
            let inside_box = (0..at.x).rev().any(|x| is_left_border(&chars[x as usize]))
                && (at.x + 1..width).any(|x| is_right_border(&chars[x as usize]))
                && !is_line(&chars[at.x as usize]);
            let opens = (0..at.x).rev().find(|x| chars[*x as usize] == "[");
            let in_field = !line.contains('[')
                || opens.is_some_and(|o| {
                    (o + 1..width)
                        .find(|x| chars[*x as usize] == "]")
                        .is_some_and(|c| c >= at.x)
                        && !(o + 1..at.x).any(|x| chars[x as usize] == "]")
                });
            if !inside_box || !in_field {
                found.push(format!(
                    "the cursor at {},{} is not in the focused field: {:?}",
                    at.x,
                    at.y,
                    line.trim_end()
                ));
            }
        }
    }
    found
}

/// States the snapshots do not keep but the sweep looks at: long input, the editors with the
/// cursor far from the start, the overlays scrolled, credentials being changed.
fn more_states() -> Vec<(&'static str, Model)> {
    let mut v = Vec::new();
    let mut changing = loaded(stored_credentials());
    update(&mut changing, key(KeyCode::Esc)); // cancel the listing
    update(&mut changing, key(KeyCode::Esc)); // back to Account
    update(&mut changing, key(KeyCode::Char('c')));
    v.push(("account_changing", changing));
    let mut long_name = at_users(vec![row("alice")]);
    typed(&mut long_name, &"a".repeat(201));
    update(&mut long_name, key(KeyCode::Enter));
    v.push(("users_long_name", long_name));
    let mut long_home = at_users(vec![row("alice")]);
    typed(&mut long_home, &"b".repeat(120));
    update(&mut long_home, key(KeyCode::Home));
    v.push(("users_long_name_home", long_home));
    let mut long_path = at_application_list();
    update(&mut long_path, key(KeyCode::Down));
    update(&mut long_path, key(KeyCode::Enter));
    typed(
        &mut long_path,
        &format!("/home/u/{}/private.key", "keys/".repeat(30)),
    );
    v.push(("application_adopt_long_path", long_path));
    let mut acl_end = at_tokens();
    update(&mut acl_end, key(KeyCode::Down));
    update(&mut acl_end, key(KeyCode::Char('a'))); // bob is at all: the editor, cursor at the end
    v.push(("tokens_acl_editor_end", acl_end));
    let mut confirm = at_users(vec![row("alice"), row("bob")]);
    for _ in 0..3 {
        update(&mut confirm, key(KeyCode::Tab));
    }
    update(&mut confirm, key(KeyCode::Down));
    update(&mut confirm, key(KeyCode::Char('d')));
    v.push(("users_confirm_delete", confirm));
    let mut paste = at_tokens();
    update(&mut paste, key(KeyCode::Char('p')));
    update(&mut paste, Msg::Paste("eyJhbGciOiJSUzI1NiJ9.".repeat(20)));
    v.push(("tokens_paste", paste));
    let mut raw = at_tokens();
    update(&mut raw, key(KeyCode::Char('v')));
    v.push(("tokens_raw", raw));
    let mut help_end = at_tokens();
    update(&mut help_end, key(KeyCode::Char('?')));
    update(&mut help_end, key(KeyCode::End));
    v.push(("help_end", help_end));
    let mut inspect_end = at_tokens();
    update(&mut inspect_end, key(KeyCode::Char('i')));
    update(&mut inspect_end, key(KeyCode::End));
    v.push(("tokens_inspect_end", inspect_end));
    v
}

#[test]
fn nothing_is_cut_off_at_60x16_80x24_and_120x40() {
    let mut problems = Vec::new();
    for (width, height) in [(60, 16), (80, 24), (120, 40)] {
        for (name, mut model) in states().into_iter().chain(more_states()) {
            update(&mut model, Msg::Resize(width, height));
            for p in cut_offs(&model, width, height) {
                problems.push(format!("{name} at {width}×{height}: {p}"));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn help_and_inspect_scroll_to_their_last_line_at_every_size() {
    for (width, height) in [(60, 16), (80, 24), (120, 40)] {
        for open in ['?', 'i'] {
            let mut m = at_tokens();
            update(&mut m, Msg::Resize(width, height));
            update(&mut m, key(KeyCode::Char(open)));
            let (_, lines) = vonage_onboard::tui::view::overlay_text(&m, Theme::plain(), width - 2);
            let last = lines
                .iter()
                .rev()
                .find(|l| !l.to_string().trim().is_empty())
                .unwrap();
            let last = last.to_string();
            let mut presses = 0;
            while !render(&m, width, height).contains(last.trim()) {
                update(&mut m, key(KeyCode::Down));
                presses += 1;
                assert!(
                    presses < 100,
                    "{open} at {width}×{height}: {last:?} never shows"
                );
            }
            let first = lines[0].to_string();
            if presses > 0 {
                assert!(
                    !render(&m, width, height).contains(first.trim()),
                    "scrolled past the top row"
                );
                update(&mut m, key(KeyCode::Home));
            }
            assert!(
                render(&m, width, height).contains(first.trim()),
                "Home shows the top again"
            );
        }
    }
}
