//! Step 1, Account: what the three things are, where to find the key and secret, the fields
//! (key, masked secret, region), and stored credentials shown redacted with continue / change.
//!
//! ```text
//! ┌ What you need ─────────────────────────────┐
//! │ explanation, dashboard URL                  │
//! ├─────────────────────────────────────────────┤
//! │ › API key     [abcd1234]                     │
//! │   API secret  [••••••••]                     │
//! │   Region      < global >                     │
//! └─────────────────────────────────────────────┘
//! ```

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::onboard::DASHBOARD_URL;
use crate::region::Region;
use crate::tui::effect::Effect;
use crate::tui::keys::{Binding, Key, Priority, ch, code, ctrl};
use crate::tui::protocol::{AccountSummary, Command, Failure, Outcome, Snapshot};
use crate::tui::screen::{Ctl, Ctx, Load, Nav, Screen, ViewCtx};
use crate::tui::widgets::form::{choice_line, field_line, place_cursor};
use crate::tui::widgets::text_field::TextField;
use crate::tui::widgets::wrap::wrap_line;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Field {
    #[default]
    Key,
    Secret,
    Region,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Mode {
    /// Nothing stored: the fields are edited.
    #[default]
    Edit,
    /// A pair is stored: shown redacted, with continue / change.
    Stored { api_key: String },
}

#[derive(Debug, Default)]
pub struct AccountScreen {
    pub mode: Mode,
    pub key: TextField,
    pub secret: TextField,
    pub region: Region,
    pub focus: Field,
    pub reveal: bool,
    pub verified: Option<AccountSummary>,
    /// The fields hold the embedded sandbox's pair.
    pub prefilled: bool,
    /// Why the last check failed, shown under the fields (input is kept).
    pub error: Option<String>,
    /// While a stored pair is being changed: its key, so Esc goes back to it (nothing stored
    /// changes until a new pair is verified).
    pub changing: Option<String>,
    /// The account's applications as last listed (and created since), so the count stays
    /// true after a create.
    pub app_ids: Option<Vec<String>>,
}

const REGIONS: [Region; 4] = [Region::Global, Region::Us, Region::Eu, Region::Ap];

/// What the Account screen's keys do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Continue,
    Change,
    OpenDashboard,
    Verify,
    NextField,
    PreviousField,
    Reveal,
    CycleRegion,
    Edit,
    /// Esc while changing: back to the stored pair.
    KeepStored,
}

const STORED: &[Binding<Action>] = &[
    Binding::new(
        &[code(KeyCode::Enter)],
        "Enter",
        Action::Continue,
        "continue",
        Priority::High,
    )
    .help("continue with the stored credentials"),
    Binding::new(&[ch('c')], "c", Action::Change, "change", Priority::Normal)
        .help("change the stored credentials"),
    Binding::new(
        &[ch('o'), ctrl('o')],
        "o",
        Action::OpenDashboard,
        "open dashboard",
        Priority::Low,
    )
    .help("open the dashboard in a browser"),
];

/// The edit form's keys with a text field focused, then with the region focused; the same
/// with Esc back to the stored pair while it is being changed.
const EDIT_FIELD: &[Binding<Action>] =
    &[VERIFY, NEXT_FIELD, PREVIOUS_FIELD, REVEAL, DASHBOARD, TYPE];
const EDIT_REGION: &[Binding<Action>] = &[
    VERIFY,
    NEXT_FIELD,
    PREVIOUS_FIELD,
    REGION,
    REVEAL,
    DASHBOARD,
];
const CHANGE_FIELD: &[Binding<Action>] = &[
    VERIFY,
    KEEP_STORED,
    NEXT_FIELD,
    PREVIOUS_FIELD,
    REVEAL,
    DASHBOARD,
    TYPE,
];
const CHANGE_REGION: &[Binding<Action>] = &[
    VERIFY,
    KEEP_STORED,
    NEXT_FIELD,
    PREVIOUS_FIELD,
    REGION,
    REVEAL,
    DASHBOARD,
];
const TYPE: Binding<Action> = Binding::new(
    &[Key::Other],
    "type",
    Action::Edit,
    "edit",
    Priority::HelpOnly,
)
.help("edit the field (Ctrl-U clears to the start, Ctrl-A / Ctrl-E start / end)");
const REGION: Binding<Action> = Binding::new(
    &[code(KeyCode::Left), code(KeyCode::Right), ch(' ')],
    "←→",
    Action::CycleRegion,
    "region",
    Priority::High,
)
.help("choose the region");
const KEEP_STORED: Binding<Action> = Binding::new(
    &[code(KeyCode::Esc)],
    "Esc",
    Action::KeepStored,
    "keep stored",
    Priority::High,
)
.help("keep the stored credentials, nothing changed");
const VERIFY: Binding<Action> = Binding::new(
    &[code(KeyCode::Enter)],
    "Enter",
    Action::Verify,
    "verify",
    Priority::High,
)
.help("check the key and secret with Vonage and store them");
const NEXT_FIELD: Binding<Action> = Binding::next_field(Action::NextField);
const PREVIOUS_FIELD: Binding<Action> = Binding::previous_field(Action::PreviousField);
const REVEAL: Binding<Action> = Binding::new(
    &[ctrl('r')],
    "Ctrl-R",
    Action::Reveal,
    "show/hide secret",
    Priority::Low,
);
const DASHBOARD: Binding<Action> = Binding::new(
    &[ctrl('o')],
    "Ctrl-O",
    Action::OpenDashboard,
    "dashboard",
    Priority::Low,
)
.help("open the dashboard in a browser");

impl Screen for AccountScreen {
    type Action = Action;

    fn load(&mut self, snapshot: &Snapshot) -> Load {
        let suggested = snapshot.suggested_secret.as_ref().map(|h| h.0.as_str());
        self.prefilled = suggested.is_some();
        self.secret = TextField::masked(suggested.unwrap_or_default());
        self.key = TextField::new(snapshot.api_key.as_deref().unwrap_or_default());
        self.region = snapshot.region.unwrap_or_default();
        self.mode = match (&snapshot.api_key, snapshot.has_secret) {
            (Some(key), true) => Mode::Stored {
                api_key: key.clone(),
            },
            _ => Mode::Edit,
        };
        if !self.key.is_empty() {
            self.focus = Field::Secret;
        }
        Load::Ready
    }

    fn is_done(&self, _now: u64) -> bool {
        // A pair being changed is still stored until a new one is verified.
        self.verified.is_some()
            || matches!(self.mode, Mode::Stored { .. })
            || self.changing.is_some()
    }

    fn is_typing(&self) -> bool {
        self.mode == Mode::Edit && self.focus != Field::Region
    }

    fn bindings(&self) -> &'static [Binding<Action>] {
        match (&self.mode, self.focus) {
            (Mode::Stored { .. }, _) => STORED,
            (Mode::Edit, Field::Region) if self.changing.is_some() => CHANGE_REGION,
            (Mode::Edit, _) if self.changing.is_some() => CHANGE_FIELD,
            (Mode::Edit, Field::Region) => EDIT_REGION,
            (Mode::Edit, _) => EDIT_FIELD,
        }
    }

    fn act(&mut self, action: Action, key: KeyEvent, ctx: &mut Ctx) -> Nav {
        match action {
            Action::Continue => return Nav::Next,
            Action::Change => {
                if let Mode::Stored { api_key } = &self.mode {
                    self.key = TextField::new(api_key);
                    self.secret = TextField::masked("");
                    self.focus = Field::Secret;
                    self.changing = Some(api_key.clone());
                    self.mode = Mode::Edit;
                }
            }
            Action::KeepStored => {
                if let Some(api_key) = self.changing.take() {
                    self.key = TextField::new(&api_key);
                    self.secret = TextField::masked("");
                    self.error = None;
                    self.mode = Mode::Stored { api_key };
                    ctx.ctl
                        .info("Kept the stored credentials; nothing changed.");
                }
            }
            Action::OpenDashboard => ctx.ctl.effects.push(Effect::OpenUrl(DASHBOARD_URL.into())),
            Action::NextField => self.move_focus(1),
            Action::PreviousField => self.move_focus(2),
            Action::Reveal => self.reveal = !self.reveal,
            Action::Verify => self.submit(ctx.ctl),
            Action::CycleRegion => {
                let step = if key.code == KeyCode::Left {
                    REGIONS.len() - 1
                } else {
                    1
                };
                let at = REGIONS.iter().position(|r| *r == self.region).unwrap_or(0);
                self.region = REGIONS[(at + step) % REGIONS.len()];
            }
            Action::Edit => {
                if let Some(field) = self.focused_field() {
                    field.handle_key(key);
                    self.error = None;
                }
            }
        }
        Nav::Stay
    }

    fn on_paste(&mut self, text: &str) {
        if let Some(field) = self.focused_field() {
            field.insert(text.trim());
        }
    }

    fn on_answer(&mut self, outcome: &Outcome, ctx: &mut Ctx) -> Nav {
        let summary = match outcome {
            Outcome::Verified(summary) => summary,
            Outcome::Apps(apps) => {
                self.app_ids = Some(apps.iter().map(|a| a.id.clone()).collect());
                return Nav::Stay;
            }
            Outcome::AppReady { app, .. } => {
                if let Some(ids) = &mut self.app_ids
                    && !ids.contains(&app.id)
                {
                    ids.push(app.id.clone());
                }
                return Nav::Stay;
            }
            _ => return Nav::Stay,
        };
        self.app_ids = None;
        let balance = crate::onboard::account::balance_note(summary.balance);
        let stored = summary.stored.as_deref().unwrap_or("stored");
        ctx.ctl.success(format!(
            "Verified API key {} ({}{balance}): {stored}.",
            summary.api_key,
            applications(summary.applications)
        ));
        self.changing = None;
        self.verified(summary.clone());
        Nav::Next
    }

    /// A refusal keeps what was typed; it only says why.
    fn on_failure(&mut self, failure: &Failure, _ctx: &mut Ctx) {
        self.error = Some(if failure.refused {
            format!("Vonage refused this key and secret. Check both at {DASHBOARD_URL}")
        } else {
            failure.message.clone()
        });
    }

    fn render(&self, ctx: &ViewCtx, area: Rect, frame: &mut Frame) {
        view(self, ctx, area, frame);
    }
}

impl AccountScreen {
    /// How many applications the account has, as far as this run knows.
    fn app_count(&self, summary: &AccountSummary) -> u32 {
        self.app_ids
            .as_ref()
            .map_or(summary.applications, |ids| ids.len() as u32)
    }

    fn focused_field(&mut self) -> Option<&mut TextField> {
        match self.focus {
            Field::Key => Some(&mut self.key),
            Field::Secret => Some(&mut self.secret),
            Field::Region => None,
        }
    }

    /// Moves `by` fields forward round the three (2 is one back).
    fn move_focus(&mut self, by: usize) {
        let order = [Field::Key, Field::Secret, Field::Region];
        let at = order.iter().position(|f| *f == self.focus).unwrap_or(0);
        self.focus = order[(at + by) % order.len()];
    }

    fn submit(&mut self, ctl: &mut Ctl) {
        let key = self.key.value().trim().to_owned();
        if crate::onboard::account::check_api_key(&key).is_err() {
            self.error = Some("Type the API key from the dashboard (one word).".into());
            self.focus = Field::Key;
            return;
        }
        if self.secret.is_empty() {
            self.error = Some("Type the API secret.".into());
            self.focus = Field::Secret;
            return;
        }
        self.error = None;
        ctl.send(
            "Checking the key and secret with Vonage…",
            Command::Verify {
                api_key: key,
                api_secret: self.secret.value().to_owned().into(),
                region: self.region,
                store: true,
            },
        );
    }

    fn verified(&mut self, summary: AccountSummary) {
        self.mode = Mode::Stored {
            api_key: summary.api_key.clone(),
        };
        self.secret = TextField::masked("");
        self.verified = Some(summary);
        self.error = None;
    }
}

fn view(s: &AccountScreen, ctx: &ViewCtx, area: Rect, frame: &mut Frame) {
    let theme = ctx.theme;
    let block = ctx.block();
    let inner = block.inner(area);
    let width = inner.width;
    // Prose wraps to the box; the fields are one row each, so the cursor row is known.
    let prose = |lines: &mut Vec<Line<'static>>, line: Line<'static>| {
        lines.extend(wrap_line(&line, usize::from(width)));
    };
    let mut lines = Vec::new();
    prose(
        &mut lines,
        Line::from(
            "The Client SDK needs an Application (with a key pair), Users in it, and a signed \
             JWT per user.",
        ),
    );
    prose(
        &mut lines,
        Line::from("First, your account's API key and secret, from the dashboard:"),
    );
    prose(
        &mut lines,
        Line::from(Span::styled(DASHBOARD_URL, theme.accent())),
    );
    lines.push(Line::from(""));
    let mut cursor = None;
    match &s.mode {
        Mode::Stored { api_key } => {
            prose(
                &mut lines,
                Line::from(vec![
                    Span::raw("  Stored credentials:  API key "),
                    Span::styled(api_key.clone(), theme.accent()),
                    Span::raw(", secret ••••••••"),
                ]),
            );
            if let Some(v) = &s.verified {
                let balance = crate::onboard::account::balance_note(v.balance);
                prose(
                    &mut lines,
                    Line::styled(
                        format!("  ✓ verified: {}{balance}", applications(s.app_count(v))),
                        theme.success(),
                    ),
                );
            }
            lines.push(Line::from(""));
            prose(
                &mut lines,
                Line::from("  Enter continues with them; c changes them."),
            );
        }
        Mode::Edit => {
            let rows = [
                field_line(
                    "API key",
                    &s.key,
                    s.focus == Field::Key,
                    true,
                    None,
                    theme,
                    width,
                ),
                field_line(
                    "API secret",
                    &s.secret,
                    s.focus == Field::Secret,
                    s.reveal,
                    None,
                    theme,
                    width,
                ),
            ];
            for (rows, column) in rows {
                if let Some(column) = column {
                    cursor = Some((lines.len(), column));
                }
                lines.extend(rows);
            }
            lines.push(choice_line(
                "Region",
                s.region.name(),
                s.focus == Field::Region,
                theme,
            ));
            if s.changing.is_some() {
                lines.push(Line::from(""));
                prose(
                    &mut lines,
                    Line::styled(
                        "  Nothing stored changes until a new pair is verified; Esc keeps the \
                         stored one.",
                        theme.dim(),
                    ),
                );
            } else if s.prefilled {
                lines.push(Line::from(""));
                prose(
                    &mut lines,
                    Line::styled(
                        "  Sandbox key and secret filled in: Enter verifies them.",
                        theme.dim(),
                    ),
                );
            }
            if let Some(error) = &s.error {
                lines.push(Line::from(""));
                prose(
                    &mut lines,
                    Line::styled(format!("  ✗ {error}"), theme.error()),
                );
            }
        }
    }
    frame.render_widget(Paragraph::new(lines).block(block), area);
    place_cursor(frame, inner, cursor);
}

/// `1 application`, `3 applications`.
pub fn applications(n: u32) -> String {
    if n == 1 {
        "1 application".to_owned()
    } else {
        format!("{n} applications")
    }
}
