//! Step 4, Tokens: a table of the users with their token's state (valid for 5h 12m /
//! EXPIRED / none), TTL and ACL; generate, regenerate, copy, save, inspect. Time left counts
//! down with the 1 Hz `Tick`, so an expiring row turns EXPIRED with no key press.
//!
//! ```text
//! ┌ 4 Tokens ─────────────────────────────────────────────┐
//! │   USER    TOKEN               TTL    ACL                │
//! │ › alice   valid for 23h 59m   24h    client-sdk         │
//! │   bob     EXPIRED             1h     all                │
//! └────────────────────────────────────────────────────────┘
//! ```

use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::auth::acl::{Acl, AclChoice, Preset};
use crate::auth::ttl::{Ttl, format_duration};
use crate::auth::verify::{self, Verdict};
use crate::tui::effect::Effect;
use crate::tui::keys::{Binding, Key, Priority, ch, code, ctrl};
use crate::tui::protocol::{
    Command, Failure, Outcome, RecipePart, ServeInfo, Snapshot, StoredUser, TokenView, UserRow,
};
use crate::tui::screen::{Ctl, Ctx, Load, Nav, Overlay, Screen, Shown, ViewCtx};
use crate::tui::widgets::form::{field_line, place_cursor};
use crate::tui::widgets::text_area::TextArea;
use crate::tui::widgets::text_field::TextField;
use crate::tui::widgets::wrap::{ellipsize, ellipsize_str, wrap_line};

/// The TTL presets `t` cycles through, then "custom".
pub const TTL_PRESETS: [u64; 4] = [15 * 60, 3600, 6 * 3600, 24 * 3600];

/// An open editor under the table.
#[derive(Debug, Clone, PartialEq)]
pub enum Editor {
    Ttl {
        field: TextField,
        error: Option<String>,
    },
    Acl {
        area: TextArea,
        error: Option<String>,
    },
    SavePath {
        field: TextField,
        error: Option<String>,
    },
    /// A token from elsewhere, to inspect (masked: it is a credential).
    Paste {
        field: TextField,
        error: Option<String>,
    },
}

#[derive(Debug, Default)]
pub struct TokensScreen {
    pub rows: Vec<StoredUser>,
    pub cursor: usize,
    pub editor: Option<Editor>,
    /// Display names the Users step knows (name, display name).
    pub display_names: Vec<(String, String)>,
    /// `token serve` running in the wizard (`S`).
    pub serve: Option<ServeInfo>,
}

/// A token's state at `now`, as the table says it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenState {
    None,
    Valid {
        left: u64,
    },
    Expired,
    /// Vonage would refuse it for another reason (a damaged `state.json`, say).
    Invalid(String),
}

/// The shared verifier's verdict on a stored token (the signature is checked where the
/// application's key is at hand: `token inspect`, the sandbox).
pub fn token_state(token: Option<&TokenView>, now: u64) -> TokenState {
    let Some(token) = token else {
        return TokenState::None;
    };
    match verify::check(token.token.expose(), verify::Expected::default(), now).verdict {
        Verdict::Valid { expires_in } => TokenState::Valid { left: expires_in },
        Verdict::Expired { .. } => TokenState::Expired,
        other => TokenState::Invalid(other.describe()),
    }
}

/// What the Tokens screen's keys do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Up,
    Down,
    Mint,
    Copy,
    Save,
    Show,
    /// Enter: the token if there is one, else what makes one (never a silent mint).
    Open,
    Inspect,
    CycleTtl,
    CustomTtl,
    CycleAcl,
    /// Starts or stops `token serve` in the wizard.
    Serve,
    /// Opens the field to paste any token into, to inspect it.
    Paste,
    /// Writes `export env`'s `.env` into the current directory.
    ExportEnv,
    /// Applies the open editor (TTL, ACL, or the file name to save to).
    Apply,
    Cancel,
    Edit,
}

const ROWS: &[Binding<Action>] = &[
    Binding::new(&[ch('g')], "g", Action::Mint, "generate", Priority::High)
        .help("generate a token"),
    Binding::new(
        &[code(KeyCode::Enter)],
        "Enter",
        Action::Open,
        "view",
        Priority::HelpOnly,
    )
    .help("show the token (never makes one: g does)"),
    Binding::new(
        &[ch('r')],
        "r",
        Action::Mint,
        "regenerate",
        Priority::Normal,
    )
    .help("regenerate (the row's TTL and ACL)"),
    Binding::new(&[ch('c')], "c", Action::Copy, "copy", Priority::High).help("copy it"),
    Binding::new(&[ch('v')], "v", Action::Show, "view", Priority::High)
        .help("show the token itself, to select with the mouse"),
    Binding::new(&[ch('s')], "s", Action::Save, "save", Priority::Normal).help("save it to a file"),
    Binding::new(
        &[ch('i')],
        "i",
        Action::Inspect,
        "inspect",
        Priority::Normal,
    )
    .help("show its claims"),
    Binding::new(&[ch('t')], "t", Action::CycleTtl, "TTL", Priority::Low)
        .help("TTL: the next of 15m 1h 6h 24h"),
    Binding::new(
        &[ch('T')],
        "T",
        Action::CustomTtl,
        "custom TTL",
        Priority::HelpOnly,
    )
    .help("type a TTL (30s to 24h)"),
    Binding::new(&[ch('a')], "a", Action::CycleAcl, "ACL", Priority::Low)
        .help("ACL: the next preset; after `all`, edit the JSON"),
    PASTE,
    EXPORT,
    Binding::new(&[ch('S')], "S", Action::Serve, "serve", Priority::Low)
        .help("start or stop `token serve` here: fresh tokens over http://127.0.0.1 for your app"),
    Binding::new(
        &[code(KeyCode::Up), code(KeyCode::BackTab)],
        "↑",
        Action::Up,
        "previous user",
        Priority::HelpOnly,
    ),
    Binding::new(
        &[code(KeyCode::Down), code(KeyCode::Tab)],
        "↓",
        Action::Down,
        "next user",
        Priority::HelpOnly,
    ),
];
const PASTE: Binding<Action> = Binding::new(&[ch('p')], "p", Action::Paste, "paste", Priority::Low)
    .help("paste any token to inspect it (the verifier's verdict, its signature, the doctor)");
const EXPORT: Binding<Action> =
    Binding::new(&[ch('e')], "e", Action::ExportEnv, ".env", Priority::Low)
        .help("write ./.env as `export env` does (key, application, key path; never over a file)");
const NO_ROWS: &[Binding<Action>] = &[PASTE, EXPORT];
const PASTE_EDITOR: &[Binding<Action>] = &[
    Binding::new(
        &[code(KeyCode::Enter)],
        "Enter",
        Action::Apply,
        "inspect",
        Priority::High,
    )
    .help("inspect the pasted token"),
    CANCEL,
    EDIT,
];
const TTL_EDITOR: &[Binding<Action>] = &[
    Binding::new(
        &[code(KeyCode::Enter)],
        "Enter",
        Action::Apply,
        "apply",
        Priority::High,
    )
    .help("use this TTL for the next token"),
    CANCEL,
    EDIT,
];
const ACL_EDITOR: &[Binding<Action>] = &[
    Binding::new(
        &[ctrl('s')],
        "Ctrl-S",
        Action::Apply,
        "apply ACL",
        Priority::High,
    )
    .help("use this ACL for the next token (Enter is a new line)"),
    CANCEL,
    Binding::new(
        &[Key::Other],
        "type",
        Action::Edit,
        "edit",
        Priority::HelpOnly,
    )
    .help("edit the JSON (Ctrl-U clears the line)"),
];
const SAVE_EDITOR: &[Binding<Action>] = &[
    Binding::new(
        &[code(KeyCode::Enter)],
        "Enter",
        Action::Apply,
        "save",
        Priority::High,
    )
    .help("save to this file (never over an existing one)"),
    CANCEL,
    EDIT,
];
const CANCEL: Binding<Action> = Binding::new(
    &[code(KeyCode::Esc)],
    "Esc",
    Action::Cancel,
    "cancel",
    Priority::Normal,
)
.help("close the editor, nothing changed");
const EDIT: Binding<Action> = Binding::new(
    &[Key::Other],
    "type",
    Action::Edit,
    "edit",
    Priority::HelpOnly,
);

impl Screen for TokensScreen {
    type Action = Action;

    fn load(&mut self, snapshot: &Snapshot) -> Load {
        self.rows = snapshot.users.clone();
        Load::Ready
    }

    /// Adds the users the other steps know of.
    fn enter(&mut self, ctx: &mut Ctx) {
        self.sync(&ctx.facts.users);
    }

    fn is_done(&self, now: u64) -> bool {
        self.rows
            .iter()
            .any(|r| r.token.as_ref().is_some_and(|t| t.exp > now))
    }

    fn is_typing(&self) -> bool {
        self.editor.is_some()
    }

    fn needs_clock(&self) -> bool {
        self.rows.iter().any(|r| r.token.is_some())
    }

    fn bindings(&self) -> &'static [Binding<Action>] {
        match &self.editor {
            Some(Editor::Ttl { .. }) => TTL_EDITOR,
            Some(Editor::Acl { .. }) => ACL_EDITOR,
            Some(Editor::SavePath { .. }) => SAVE_EDITOR,
            Some(Editor::Paste { .. }) => PASTE_EDITOR,
            None if self.rows.is_empty() => NO_ROWS,
            None => ROWS,
        }
    }

    fn act(&mut self, action: Action, key: KeyEvent, ctx: &mut Ctx) -> Nav {
        match action {
            Action::ExportEnv => {
                ctx.ctl.send(
                    "Writing ./.env…",
                    Command::ExportEnv {
                        dir: PathBuf::from("."),
                    },
                );
            }
            Action::Paste => {
                self.editor = Some(Editor::Paste {
                    field: TextField::masked(""),
                    error: None,
                })
            }
            Action::Apply => return self.apply(ctx.ctl),
            Action::Cancel => self.editor = None,
            Action::Edit => self.edit(key),
            _ => return self.row_action(action, ctx),
        }
        Nav::Stay
    }

    fn on_paste(&mut self, text: &str) {
        match &mut self.editor {
            Some(
                Editor::Ttl { field, .. }
                | Editor::SavePath { field, .. }
                | Editor::Paste { field, .. },
            ) => field.insert(text.trim()),
            Some(Editor::Acl { area, .. }) => area.insert(text),
            None => {}
        }
    }

    fn on_answer(&mut self, outcome: &Outcome, ctx: &mut Ctx) -> Nav {
        match outcome {
            // Another application: its users, recipes and tokens as stored for it; a token
            // server signing for the old one stops.
            Outcome::AppReady { users, .. } => {
                self.reset();
                self.rows = users.clone();
                if self.serve.is_some() {
                    ctx.ctl.send(
                        "Stopping the token server (it signs for the old application)…",
                        Command::StopServe,
                    );
                }
            }
            Outcome::Minted {
                user,
                token,
                ttl,
                acl,
            } => {
                ctx.ctl
                    .success(format!("New token for {user}, valid {ttl}: c copies it."));
                self.minted(user, token.clone(), *ttl, acl.clone());
            }
            Outcome::RecipeSaved {
                user,
                ttl,
                acl,
                changed,
            } => {
                let what = match changed {
                    RecipePart::Ttl => format!("TTL {ttl}"),
                    RecipePart::Acl => format!("ACL {}", acl.label()),
                };
                ctx.ctl.success(format!(
                    "{what} saved for {user}'s next token: {}.",
                    self.then(user)
                ));
            }
            Outcome::Exported { path, variables } => {
                ctx.ctl.success(format!(
                    "Wrote {} (0600): {}. No API secret in it (export env --with-secret adds it).",
                    path.display(),
                    variables.join(", ")
                ));
            }
            Outcome::UserDeleted(user) => {
                self.rows.retain(|r| r.name != user.name);
                self.cursor = self.cursor.min(self.rows.len().saturating_sub(1));
            }
            Outcome::Inspected { lines, token } => {
                return Nav::Show(Overlay::Inspect {
                    title: "pasted token".into(),
                    lines: lines.clone(),
                    token: Shown(token.clone()),
                });
            }
            Outcome::Serving(info) => {
                ctx.ctl
                    .success("Serving fresh tokens for your app (address and key above).");
                self.serve = Some(info.clone());
            }
            Outcome::ServeStopped { served } => {
                ctx.ctl.info(format!(
                    "Stopped the token server after {}.",
                    tokens(*served)
                ));
                self.serve = None;
            }
            Outcome::ServedCount(count) => {
                if let Some(serve) = &mut self.serve {
                    serve.served = *count;
                }
            }
            Outcome::Saved { path } => {
                ctx.ctl
                    .success(format!("Saved to {} (0600).", path.display()));
                self.editor = None;
            }
            _ => {}
        }
        Nav::Stay
    }

    fn on_failure(&mut self, failure: &Failure, _ctx: &mut Ctx) {
        if let Some(Editor::SavePath { error, .. }) = &mut self.editor {
            *error = Some(failure.message.clone());
        }
    }

    fn render(&self, ctx: &ViewCtx, area: Rect, frame: &mut Frame) {
        view(self, ctx, area, frame);
    }
}

impl TokensScreen {
    /// Adds users the Users step knows and the table does not (with the default recipe).
    fn sync(&mut self, users: &[UserRow]) {
        self.display_names = users
            .iter()
            .filter_map(|u| Some((u.name.clone(), u.display_name.clone()?)))
            .collect();
        for u in users {
            if !self.rows.iter().any(|r| r.name == u.name) {
                self.rows
                    .push(StoredUser::without_recipe(&u.name, u.id.clone()));
            }
        }
        self.cursor = self.cursor.min(self.rows.len().saturating_sub(1));
    }

    fn display_name(&self, user: &str) -> Option<&str> {
        self.display_names
            .iter()
            .find(|(n, _)| n == user)
            .map(|(_, d)| d.as_str())
    }

    fn reset(&mut self) {
        self.rows.clear();
        self.cursor = 0;
        self.editor = None;
    }

    fn selected(&self) -> Option<&StoredUser> {
        self.rows.get(self.cursor)
    }

    /// The keys on the table (no editor open): they act on the selected row.
    fn row_action(&mut self, action: Action, ctx: &mut Ctx) -> Nav {
        let Some(row) = self.selected().cloned() else {
            return Nav::Stay;
        };
        let no_token = "No token yet: press g to generate one.";
        match action {
            Action::Up => self.cursor = self.cursor.saturating_sub(1),
            Action::Down => self.cursor = (self.cursor + 1).min(self.rows.len().saturating_sub(1)),
            Action::Mint => {
                let verb = if row.token.is_some() {
                    "Regenerating"
                } else {
                    "Generating"
                };
                ctx.ctl.send(
                    &format!("{verb} {}'s token…", row.name),
                    Command::Mint {
                        user: row.name.clone(),
                        ttl: row.ttl,
                        acl: row.acl.clone(),
                    },
                );
            }
            Action::Copy => match &row.token {
                Some(t) if t.exp <= ctx.now => ctx.ctl.error(format!(
                    "{}'s token has EXPIRED: a login with it fails. r makes a new one (v still \
                     shows the old one).",
                    row.name
                )),
                Some(t) => ctx.ctl.effects.push(Effect::Copy {
                    text: t.token.clone(),
                    otherwise: "v shows it",
                }),
                None => ctx.ctl.info(no_token),
            },
            Action::Save => match &row.token {
                Some(_) => {
                    self.editor = Some(Editor::SavePath {
                        field: TextField::new(&format!("./{}.jwt", row.name)),
                        error: None,
                    });
                }
                None => ctx.ctl.info(no_token),
            },
            Action::Open if row.token.is_none() => ctx.ctl.info(format!(
                "{} has no token yet: g generates one (valid {}, ACL {}).",
                row.name,
                row.ttl,
                row.acl.label()
            )),
            Action::Show | Action::Open => match &row.token {
                Some(t) => {
                    return Nav::Show(Overlay::Raw {
                        title: format!("{}'s token", row.name),
                        token: Shown(t.token.clone()),
                    });
                }
                None => ctx.ctl.info(no_token),
            },
            Action::Inspect => match &row.token {
                Some(t) => return Nav::Show(inspect_overlay(&row.name, t, ctx.now)),
                None => ctx.ctl.info(no_token),
            },
            Action::CycleTtl => {
                self.cycle_ttl();
                self.recipe_changed(ctx.ctl, RecipePart::Ttl);
            }
            Action::CustomTtl => self.custom_ttl(),
            Action::Serve => match &self.serve {
                None => {
                    ctx.ctl
                        .send("Starting the token server…", Command::StartServe);
                }
                Some(_) => {
                    ctx.ctl
                        .send("Stopping the token server…", Command::StopServe);
                }
            },
            Action::CycleAcl => {
                self.cycle_acl();
                if self.editor.is_none() {
                    self.recipe_changed(ctx.ctl, RecipePart::Acl);
                }
            }
            Action::Apply | Action::Cancel | Action::Edit | Action::Paste | Action::ExportEnv => {}
        }
        Nav::Stay
    }

    /// `t`: the next of 15m, 1h, 6h, 24h (a custom TTL goes to 15m); `T` types one.
    fn cycle_ttl(&mut self) {
        let Some(row) = self.rows.get_mut(self.cursor) else {
            return;
        };
        let next = TTL_PRESETS
            .iter()
            .position(|s| *s == row.ttl.seconds())
            .map_or(0, |i| (i + 1) % TTL_PRESETS.len());
        row.ttl = Ttl::from_seconds(TTL_PRESETS[next]).unwrap_or(row.ttl);
    }

    fn custom_ttl(&mut self) {
        if let Some(row) = self.rows.get(self.cursor) {
            self.editor = Some(Editor::Ttl {
                field: TextField::new(&row.ttl.to_string()),
                error: None,
            });
        }
    }

    /// After a TTL or ACL change: the token on screen was made with the old recipe. The new
    /// one is stored at once (quitting before the next generate must not lose it).
    fn recipe_changed(&self, ctl: &mut Ctl, changed: RecipePart) {
        let Some(row) = self.selected() else { return };
        ctl.info(format!(
            "{}'s next token: {}, {}; {}.",
            row.name,
            row.ttl,
            row.acl.label(),
            self.then(&row.name)
        ));
        ctl.send(
            &format!("Saving {}'s choice for the next token…", row.name),
            Command::SaveRecipe {
                user: row.name.clone(),
                ttl: row.ttl,
                acl: row.acl.clone(),
                changed,
            },
        );
    }

    /// How to get a token with the recipe just chosen.
    fn then(&self, user: &str) -> &'static str {
        match self.rows.iter().find(|r| r.name == user) {
            Some(row) if row.token.is_some() => "press r for a token with it",
            _ => "press g for a token with it",
        }
    }

    fn cycle_acl(&mut self) {
        let Some(row) = self.rows.get_mut(self.cursor) else {
            return;
        };
        match &row.acl {
            AclChoice::Preset(Preset::ClientSdk) => {
                row.acl = AclChoice::Preset(Preset::ClientSdkMinimal)
            }
            AclChoice::Preset(Preset::ClientSdkMinimal) => row.acl = AclChoice::Preset(Preset::All),
            AclChoice::Preset(Preset::All) => {
                let start = serde_json::to_string_pretty(Preset::ClientSdk.acl().as_value())
                    .unwrap_or_default();
                self.editor = Some(Editor::Acl {
                    area: TextArea::new(&start),
                    error: None,
                });
            }
            AclChoice::Custom(_) => row.acl = AclChoice::Preset(Preset::ClientSdk),
        }
    }

    /// Enter (Ctrl-S for the ACL) in an open editor; a refusal is said beside the editor and
    /// in the status line.
    fn apply(&mut self, ctl: &mut Ctl) -> Nav {
        let row = self.selected().cloned();
        let user = row.as_ref().map(|r| r.name.clone()).unwrap_or_default();
        let Some(editor) = &mut self.editor else {
            return Nav::Stay;
        };
        match editor {
            Editor::Ttl { field, error } => match Ttl::parse(field.value()) {
                Ok(ttl) => {
                    if let Some(row) = self.rows.get_mut(self.cursor) {
                        row.ttl = ttl;
                    }
                    self.editor = None;
                    self.recipe_changed(ctl, RecipePart::Ttl);
                }
                Err(e) => {
                    ctl.error(format!("Custom TTL: {e}"));
                    *error = Some(e.to_string());
                }
            },
            Editor::Acl { area, error } => match Acl::from_json(&area.text()) {
                Ok(acl) => {
                    if let Some(row) = self.rows.get_mut(self.cursor) {
                        row.acl = AclChoice::Custom(acl);
                    }
                    self.editor = None;
                    self.recipe_changed(ctl, RecipePart::Acl);
                }
                Err(e) => {
                    ctl.error(format!("Custom ACL: {e}"));
                    *error = Some(e.to_string());
                }
            },
            Editor::Paste { field, error } => {
                let text = field.value().trim();
                if text.is_empty() {
                    *error = Some("paste a token (three parts with dots: eyJ…)".into());
                } else {
                    let token = crate::auth::jwt::Token::new(text.to_owned());
                    self.editor = None;
                    ctl.send("Checking the pasted token…", Command::Inspect { token });
                }
            }
            Editor::SavePath { field, error } => {
                let path = field.value().trim();
                if path.is_empty() {
                    *error = Some("type a file name".into());
                } else if path == "-" {
                    // `-` is "standard output" elsewhere; here that is the screen.
                    self.editor = None;
                    if let Some(t) = row.and_then(|r| r.token) {
                        return Nav::Show(Overlay::Raw {
                            title: format!("{user}'s token"),
                            token: Shown(t.token),
                        });
                    }
                } else {
                    let path = PathBuf::from(path);
                    ctl.send(
                        &format!("Saving {user}'s token…"),
                        Command::SaveToken { user, path },
                    );
                }
            }
        }
        Nav::Stay
    }

    /// Any other key in an open editor edits it.
    fn edit(&mut self, key: KeyEvent) {
        match &mut self.editor {
            Some(
                Editor::Ttl { field, error }
                | Editor::SavePath { field, error }
                | Editor::Paste { field, error },
            ) => {
                field.handle_key(key);
                *error = None;
            }
            Some(Editor::Acl { area, error }) => {
                area.handle_key(key);
                *error = None;
            }
            None => {}
        }
    }

    fn minted(&mut self, user: &str, token: TokenView, ttl: Ttl, acl: AclChoice) {
        match self.rows.iter_mut().find(|r| r.name == user) {
            Some(row) => {
                row.token = Some(token);
                row.ttl = ttl;
                row.acl = acl;
            }
            None => self.rows.push(StoredUser {
                name: user.to_owned(),
                id: None,
                ttl,
                acl,
                token: Some(token),
            }),
        }
    }
}

fn inspect_overlay(user: &str, token: &TokenView, now: u64) -> Overlay {
    let mut inspection = verify::check(token.token.expose(), verify::Expected::default(), now);
    // This view is drawn at once, without reading the key file: say where the check is.
    if let verify::SignatureCheck::NotChecked(why) = &mut inspection.signature {
        *why = "d checks it against the application's current key".into();
    }
    Overlay::Inspect {
        title: format!("{user}'s token"),
        lines: crate::tui::inspect::lines(&inspection, now),
        token: Shown(token.token.clone()),
    }
}

/// The running token server: where, with which key, how much it served.
fn serve_lines(serve: &ServeInfo) -> [String; 3] {
    [
        format!(
            "  Serving {}/token/USER · {}",
            serve.url,
            tokens(serve.served)
        ),
        format!("  key {}", serve.key.0),
        "  send Bearer KEY or ?key=KEY · S or quitting stops it".to_owned(),
    ]
}

/// `1 token`, `3 tokens`.
fn tokens(n: u64) -> String {
    if n == 1 {
        "1 token".to_owned()
    } else {
        format!("{n} tokens")
    }
}

fn view(s: &TokensScreen, ctx: &ViewCtx, area: Rect, frame: &mut Frame) {
    let theme = ctx.theme;
    // The ACL editor takes all but the table's heading and the user's row.
    let editor_height = match &s.editor {
        Some(Editor::Acl { .. }) => area.height.saturating_sub(4).max(6),
        Some(_) => 5,
        None => 0,
    };
    let [table_area, editor_area] =
        Layout::vertical([Constraint::Min(4), Constraint::Length(editor_height)]).areas(area);
    // Rows above the chosen user scroll away when the table is short.
    let room = usize::from(table_area.height.saturating_sub(3)).max(1);
    let first = s.cursor.saturating_sub(room - 1);
    let w = usize::from(table_area.width.saturating_sub(2));
    let label = |row: &StoredUser| match s.display_name(&row.name) {
        Some(d) => format!("{} ({d})", row.name),
        None => row.name.clone(),
    };
    let name_width = s
        .rows
        .iter()
        .map(|r| label(r).chars().count())
        .max()
        .unwrap_or(4)
        .clamp(4, 24);
    let mut lines = vec![ellipsize(
        Line::styled(
            format!(
                "  {:name_width$}  {:24} {:8} {}",
                "USER", "TOKEN", "TTL", "ACL"
            ),
            theme.dim(),
        ),
        w,
    )];
    if s.rows.is_empty() {
        lines.extend(wrap_line(
            &Line::styled("  no users yet: go back (Esc) and create one", theme.dim()),
            w,
        ));
    }
    for (i, row) in s.rows.iter().enumerate().skip(first) {
        let selected = i == s.cursor;
        let (state, state_style) = match token_state(row.token.as_ref(), ctx.now) {
            TokenState::None => ("none".to_owned(), theme.dim()),
            TokenState::Valid { left } => (
                format!("valid for {}", format_duration(left)),
                theme.success(),
            ),
            TokenState::Expired => ("EXPIRED (r regenerates)".to_owned(), theme.error()),
            TokenState::Invalid(_) => ("INVALID (r regenerates)".to_owned(), theme.error()),
        };
        let name = ellipsize_str(&label(row), name_width);
        let marker = if selected { "›" } else { " " };
        let base = if selected {
            theme.selected()
        } else {
            theme.text()
        };
        lines.push(ellipsize(
            Line::from(vec![
                Span::styled(format!("{marker} {name:name_width$}  "), base),
                Span::styled(
                    format!("{state:24} "),
                    if selected { base } else { state_style },
                ),
                Span::styled(
                    format!("{:8} {}", row.ttl.to_string(), row.acl.label()),
                    base,
                ),
            ]),
            w,
        ));
    }
    if let Some(serve) = &s.serve {
        // The server's address and key before anything else: the app being built needs them.
        lines.push(Line::from(""));
        for line in serve_lines(serve) {
            lines.extend(wrap_line(&Line::styled(line, theme.accent()), w));
        }
    } else if let Some(row) = s.rows.get(s.cursor).filter(|r| r.token.is_none()) {
        lines.push(Line::from(""));
        lines.extend(wrap_line(
            &Line::styled(
                format!(
                    "  g generates {}'s token. ? lists every key: S serves tokens to your app, \
                     p inspects a pasted one, e writes a .env.",
                    row.name
                ),
                theme.dim(),
            ),
            w,
        ));
    } else if let Some(row) = s.rows.get(s.cursor).filter(|r| r.token.is_some()) {
        lines.push(Line::from(""));
        lines.extend(wrap_line(
            &Line::styled(
                format!("  {}'s token: c copy, v view, s save, i inspect", row.name),
                theme.dim(),
            ),
            w,
        ));
    }
    let title = ctx.app_name.map_or_else(
        || format!(" {} ", ctx.title),
        |name| format!(" {} · {name} ", ctx.title),
    );
    let title = ellipsize_str(&title, w);
    frame.render_widget(
        Paragraph::new(lines).block(Block::bordered().title(title)),
        table_area,
    );

    let Some(editor) = &s.editor else { return };
    let block_title = |t: &str| ellipsize_str(t, usize::from(editor_area.width.saturating_sub(2)));
    let block = |t: &str| Block::bordered().title(block_title(t));
    let inner = block("").inner(editor_area);
    let iw = inner.width;
    let (title, body, error, cursor) = match editor {
        Editor::Ttl { field, error } => {
            let (rows, c) = field_line("TTL", field, true, true, None, theme, iw);
            (
                " Custom TTL: 90s, 15m, 6h, 24h (30 s to 24 h) ",
                rows,
                error,
                c.map(|c| (0usize, c)),
            )
        }
        Editor::Paste { field, error } => {
            let (rows, c) = field_line("Token", field, true, false, None, theme, iw);
            (
                " Paste a token to inspect (Ctrl-U clears) ",
                rows,
                error,
                c.map(|c| (0, c)),
            )
        }
        Editor::SavePath { field, error } => {
            let (rows, c) = field_line("Save to file", field, true, true, None, theme, iw);
            (
                " Save the token (never over a file; - shows it) ",
                rows,
                error,
                c.map(|c| (0, c)),
            )
        }
        Editor::Acl { area, error } => {
            let (row, col) = area.cursor();
            // Long lines are cut with `…` (the cursor's line scrolls to keep it in view).
            let lines: Vec<Line> = area
                .lines()
                .into_iter()
                .enumerate()
                .map(|(i, l)| {
                    if i == row {
                        let skip = col.saturating_sub(usize::from(iw).saturating_sub(1));
                        Line::from(l.chars().skip(skip).collect::<String>())
                    } else {
                        ellipsize(Line::from(l), usize::from(iw))
                    }
                })
                .collect();
            let col = col.min(usize::from(iw).saturating_sub(1));
            (
                " Custom ACL (JSON) · Ctrl-S applies ",
                lines,
                error,
                Some((row, col as u16)),
            )
        }
    };
    // The error keeps the last rows; the text scrolls above it to keep the cursor in view.
    let error_rows: Vec<Line> = error
        .iter()
        .flat_map(|e| {
            wrap_line(
                &Line::styled(format!("✗ {e}"), theme.error()),
                usize::from(iw),
            )
        })
        .collect();
    let text_height = inner.height.saturating_sub(error_rows.len() as u16).max(1);
    let skip = cursor
        .map(|(row, _)| row.saturating_sub(usize::from(text_height) - 1))
        .unwrap_or(0);
    let mut shown: Vec<Line> = body
        .into_iter()
        .skip(skip)
        .take(usize::from(text_height))
        .collect();
    while shown.len() < usize::from(text_height) && !error_rows.is_empty() {
        shown.push(Line::from(""));
    }
    shown.extend(error_rows);
    frame.render_widget(Paragraph::new(shown).block(block(title)), editor_area);
    place_cursor(frame, inner, cursor.map(|(row, c)| (row - skip, c)));
}
