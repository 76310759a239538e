//! Keys as data, checked both ways on every screen state: each key a table shows (footer and
//! help) does something when pressed, and each key that does something is in the help. The
//! footer keeps help and quit at any width and drops the lowest priority first.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use vonage_onboard::auth::acl::{AclChoice, Preset};
use vonage_onboard::auth::jwt::Token;
use vonage_onboard::auth::ttl::Ttl;
use vonage_onboard::tui::help;
use vonage_onboard::tui::keys::{Hint, Key, Priority};
use vonage_onboard::tui::model::{Model, Step};
use vonage_onboard::tui::msg::Msg;
use vonage_onboard::tui::protocol::{
    AppSummary, CurrentApp, Outcome, Snapshot, StoredUser, TokenView, UserRow, WorkerEvent,
};
use vonage_onboard::tui::update::update;
use vonage_onboard::tui::view::{footer, footer_text};

const NOW: u64 = 1_800_000_000;

fn press(m: &mut Model, code: KeyCode) {
    update(m, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn answer(m: &mut Model, outcome: Outcome) {
    let id = m.ctl.busy.as_ref().expect("a request in flight").id;
    update(
        m,
        Msg::Worker(WorkerEvent {
            id,
            result: Ok(outcome),
        }),
    );
}

fn loaded(snapshot: Snapshot) -> Model {
    let mut m = Model::new(NOW);
    answer(&mut m, Outcome::Loaded(snapshot));
    m
}

fn credentials() -> Snapshot {
    Snapshot {
        api_key: Some("abcd1234".into()),
        has_secret: true,
        ..Snapshot::default()
    }
}

fn with_app() -> Snapshot {
    Snapshot {
        current_app: Some(CurrentApp {
            id: "aaaaaaaa-bbbb-cccc-dddd-0123456789ab".into(),
            name: "demo".into(),
            key_path: PathBuf::from("/tmp/private.key"),
        }),
        ..credentials()
    }
}

fn at_list() -> Model {
    let mut m = loaded(credentials());
    let apps = (1..=3)
        .map(|i| AppSummary {
            id: format!("{i}{i}{i}{i}{i}{i}{i}{i}-2222-4333-8444-555555555555"),
            name: format!("app{i}"),
            stored_key: None,
        })
        .collect();
    answer(&mut m, Outcome::Apps(apps));
    m
}

fn at_tokens() -> Model {
    let user = |name: &str, ttl: &str, acl: AclChoice| StoredUser {
        name: name.into(),
        id: Some(format!("USR-{name}")),
        ttl: Ttl::parse(ttl).unwrap(),
        acl,
        token: Some(TokenView {
            token: Token::new(format!("not.a.jwt-{name}")),
            iat: NOW - 60,
            exp: NOW + 3600,
        }),
    };
    loaded(Snapshot {
        users: vec![
            user("alice", "24h", AclChoice::default()),
            user("bob", "1h", AclChoice::Preset(Preset::All)),
            user("carol", "15m", AclChoice::Preset(Preset::ClientSdkMinimal)),
        ],
        ..with_app()
    })
}

/// Builds a fresh model in one state, so each press starts from the same place.
type Build = Box<dyn Fn() -> Model>;

/// One state per key table (screen, mode, focus), plus the overlays.
fn states() -> Vec<(&'static str, Build)> {
    let mut v: Vec<(&'static str, Build)> = Vec::new();
    v.push(("account_edit", Box::new(|| loaded(Snapshot::default()))));
    v.push((
        "account_region",
        Box::new(|| {
            let mut m = loaded(Snapshot::default());
            press(&mut m, KeyCode::BackTab);
            m
        }),
    ));
    v.push((
        "account_stored",
        Box::new(|| {
            let mut m = loaded(credentials());
            press(&mut m, KeyCode::Esc); // cancel the listing
            press(&mut m, KeyCode::Esc); // back to Account
            assert_eq!(m.step, Step::Account);
            m
        }),
    ));
    v.push((
        "application_list",
        Box::new(|| {
            let mut m = at_list();
            press(&mut m, KeyCode::Down);
            m
        }),
    ));
    v.push((
        "application_create",
        Box::new(|| {
            let mut m = at_list();
            press(&mut m, KeyCode::Enter);
            m
        }),
    ));
    v.push((
        "application_create_choice",
        Box::new(|| {
            let mut m = at_list();
            press(&mut m, KeyCode::Enter);
            for _ in 0..4 {
                press(&mut m, KeyCode::Tab);
            }
            m
        }),
    ));
    v.push((
        "application_adopt",
        Box::new(|| {
            let mut m = at_list();
            press(&mut m, KeyCode::Down);
            press(&mut m, KeyCode::Enter);
            m
        }),
    ));
    v.push((
        "application_ready",
        Box::new(|| {
            let mut m = loaded(with_app());
            press(&mut m, KeyCode::Esc); // cancel the users' listing
            press(&mut m, KeyCode::Esc); // back to Application
            assert_eq!(m.step, Step::Application);
            m
        }),
    ));
    v.push((
        "users",
        Box::new(|| {
            let mut m = loaded(with_app());
            let alice = UserRow {
                id: Some("USR-alice".into()),
                name: "alice".into(),
                display_name: None,
            };
            answer(&mut m, Outcome::Users(vec![alice]));
            m
        }),
    ));
    for (name, confirm) in [("users_list", false), ("users_confirm_delete", true)] {
        v.push((
            name,
            Box::new(move || {
                let mut m = loaded(with_app());
                let row = |name: &str| UserRow {
                    id: Some(format!("USR-{name}")),
                    name: name.into(),
                    display_name: None,
                };
                answer(&mut m, Outcome::Users(vec![row("alice"), row("bob")]));
                for _ in 0..3 {
                    press(&mut m, KeyCode::Tab);
                }
                if confirm {
                    press(&mut m, KeyCode::Char('d'));
                }
                m
            }),
        ));
    }
    v.push((
        "tokens",
        Box::new(|| {
            let mut m = at_tokens();
            press(&mut m, KeyCode::Down);
            m
        }),
    ));
    v.push((
        "tokens_ttl_editor",
        Box::new(|| {
            let mut m = at_tokens();
            press(&mut m, KeyCode::Char('T')); // a custom TTL
            m
        }),
    ));
    v.push((
        "tokens_acl_editor",
        Box::new(|| {
            let mut m = at_tokens();
            press(&mut m, KeyCode::Down);
            press(&mut m, KeyCode::Char('a')); // bob is at all: a custom ACL
            m
        }),
    ));
    v.push((
        "tokens_save_editor",
        Box::new(|| {
            let mut m = at_tokens();
            press(&mut m, KeyCode::Char('s'));
            m
        }),
    ));
    v.push((
        "tokens_paste_editor",
        Box::new(|| {
            let mut m = at_tokens();
            press(&mut m, KeyCode::Char('p'));
            m
        }),
    ));
    v.push((
        "help",
        Box::new(|| {
            let mut m = at_tokens();
            press(&mut m, KeyCode::F(1));
            m
        }),
    ));
    v.push((
        "inspect",
        Box::new(|| {
            let mut m = at_tokens();
            press(&mut m, KeyCode::Char('i'));
            m
        }),
    ));
    v
}

/// Everything a key press can change.
fn fingerprint(m: &Model) -> String {
    format!("{m:?}")
}

/// The presses that stand for `key` in state `m`.
fn presses(key: Key, m: &Model) -> Vec<KeyEvent> {
    match key {
        Key::Code(KeyCode::BackTab) => vec![KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT)],
        Key::Code(code) => vec![KeyEvent::new(code, KeyModifiers::NONE)],
        Key::Ctrl(c) => vec![KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)],
        // Every other step that may be gone to from here.
        Key::StepNumber => Step::ALL
            .iter()
            .filter(|s| **s != m.step && (**s <= m.first_unfinished() || m.is_done(**s)))
            .map(|s| {
                let digit = char::from_digit(s.number() as u32, 10).unwrap();
                KeyEvent::new(KeyCode::Char(digit), KeyModifiers::NONE)
            })
            .collect(),
        Key::Other => vec![KeyEvent::new(KeyCode::Char('x'), KeyModifiers::NONE)],
    }
}

fn shown(m: &Model) -> Vec<Hint> {
    let (screen, global) = m.hints();
    screen.into_iter().chain(global).collect()
}

#[test]
fn every_key_a_table_shows_does_something() {
    for (name, build) in states() {
        let model = build();
        assert!(
            !model.ctl.is_busy(),
            "{name}: pick a state with nothing in flight"
        );
        let hints = shown(&model);
        assert!(!hints.is_empty(), "{name} shows no keys");
        for hint in hints {
            for &key in hint.bound {
                for event in presses(key, &model) {
                    let mut m = build();
                    let before = fingerprint(&m);
                    let effects = update(&mut m, Msg::Key(event));
                    assert!(
                        fingerprint(&m) != before || !effects.is_empty(),
                        "{name}: {event:?} ({} {}) did nothing",
                        hint.key,
                        hint.label
                    );
                }
            }
        }
    }
}

/// Keys a developer might press: letters, digits, the named keys, Ctrl with letters.
fn candidates() -> Vec<KeyEvent> {
    let mut keys: Vec<KeyEvent> = ('a'..='z')
        .chain('0'..='9')
        .chain(['?', ' ', '/', '-'])
        .map(|c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
        .collect();
    keys.extend(('a'..='z').map(|c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)));
    for code in [
        KeyCode::Enter,
        KeyCode::Esc,
        KeyCode::Tab,
        KeyCode::Up,
        KeyCode::Down,
        KeyCode::Left,
        KeyCode::Right,
        KeyCode::PageUp,
        KeyCode::PageDown,
        KeyCode::Home,
        KeyCode::End,
        KeyCode::Backspace,
        KeyCode::Delete,
        KeyCode::F(1),
        KeyCode::F(2),
    ] {
        keys.push(KeyEvent::new(code, KeyModifiers::NONE));
    }
    keys.push(KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT));
    keys
}

#[test]
fn every_key_that_does_something_is_in_the_help() {
    for (name, build) in states() {
        let model = build();
        let (screen, global) = help::entries(&model);
        let listed: Vec<Hint> = if model.overlay.is_some() {
            // Under an overlay the footer is the table: close, quit.
            shown(&model)
        } else {
            screen.into_iter().chain(global).collect()
        };
        for event in candidates() {
            let mut m = build();
            let before = fingerprint(&m);
            let effects = update(&mut m, Msg::Key(event));
            if fingerprint(&m) != before || !effects.is_empty() {
                assert!(
                    listed.iter().any(|h| h.names(event)),
                    "{name}: {event:?} does something the help does not list"
                );
            }
        }
    }
}

#[test]
fn the_help_lists_exactly_the_footer_tables_entries() {
    for (name, build) in states() {
        let model = build();
        if model.overlay.is_some() {
            continue;
        }
        let (screen, global) = help::entries(&model);
        let (footer_screen, footer_global) = model.hints();
        assert_eq!(screen, footer_screen, "{name}: help and footer differ");
        assert_eq!(global, footer_global, "{name}: help and footer differ");
        let lines: Vec<String> = help::lines(&model, vonage_onboard::tui::theme::Theme::plain())
            .iter()
            .map(|l| l.to_string())
            .collect();
        // Exactly the entries, one per row under each heading, and nothing else there.
        let width = screen
            .iter()
            .chain(&global)
            .map(|h| h.keys.chars().count())
            .max()
            .unwrap_or(0)
            .min(14);
        let row = |h: &Hint| format!("  {:width$}  {}", h.keys, h.help);
        let mut expected = vec![format!("{}:", model.step.title())];
        expected.extend(screen.iter().map(row));
        expected.push("Everywhere:".to_owned());
        expected.extend(global.iter().map(row));
        assert_eq!(lines[..expected.len()], expected[..], "{name}");
        let n = expected.len();
        let rest = lines[n..].join("\n");
        for hint in screen.iter().chain(&global) {
            assert!(
                !rest.contains(hint.help) || hint.help.len() < 12,
                "{name}: a key is listed twice"
            );
        }
    }
}

#[test]
fn the_footer_keeps_help_and_quit_at_any_width_and_drops_low_priority_first() {
    for (name, build) in states() {
        let model = build();
        for width in [40u16, 60, 80, 120] {
            let text = footer_text(&model, width);
            assert!(text.contains("Ctrl-C quit"), "{name} at {width}: {text}");
            let help = if model.overlay.is_some() {
                "Esc close"
            } else if model.is_modal() {
                // A question shows its answers and Ctrl-C, nothing else.
                assert_eq!(
                    shown(&model).len(),
                    footer(&model, width).len(),
                    "{name} at {width}: {text}"
                );
                assert!(!text.contains("help"), "{name} at {width}: {text}");
                "Ctrl-C quit"
            } else if model.is_typing() {
                "F1 help"
            } else {
                "? help"
            };
            assert!(text.contains(help), "{name} at {width}: {text}");
            assert!(
                text.chars().count() <= width as usize,
                "{name} at {width}: {text} is too wide"
            );
            let kept = footer(&model, width);
            let all = shown(&model);
            let lowest_kept = kept
                .iter()
                .filter(|h| h.priority != Priority::Always)
                .map(|h| h.priority)
                .max();
            for dropped in all.iter().filter(|h| !kept.contains(h)) {
                assert!(
                    Some(dropped.priority) >= lowest_kept,
                    "{name} at {width}: dropped {} {} but kept a lower priority",
                    dropped.key,
                    dropped.label
                );
            }
        }
    }
}

#[test]
fn the_step_list_gives_numbers_and_titles() {
    let titles: Vec<String> = Step::ALL.iter().map(|s| s.heading()).collect();
    assert_eq!(
        titles,
        ["1 Account", "2 Application", "3 Users", "4 Tokens"]
    );
    let m = at_tokens();
    let help = footer_text(&m, 200);
    assert!(help.contains("1-4 step"), "{help}");
}
