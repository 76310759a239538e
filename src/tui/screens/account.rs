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

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use super::Nav;
use crate::onboard::DASHBOARD_URL;
use crate::region::Region;
use crate::tui::effect::{AccountSummary, Command, Effect, Snapshot};
use crate::tui::model::{Ctl, Model};
use crate::tui::msg::Failure;
use crate::tui::theme::Theme;
use crate::tui::widgets::form::{choice_line, field_line, place_cursor};
use crate::tui::widgets::text_field::TextField;

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
}

const REGIONS: [Region; 4] = [Region::Global, Region::Us, Region::Eu, Region::Ap];

impl AccountScreen {
    pub fn load(&mut self, snapshot: &Snapshot) {
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
    }

    pub fn is_done(&self) -> bool {
        self.verified.is_some() || matches!(self.mode, Mode::Stored { .. })
    }

    /// Whether keys are going into a text field (so `?` and digits are text, not commands).
    pub fn is_typing(&self) -> bool {
        self.mode == Mode::Edit && self.focus != Field::Region
    }

    pub fn on_key(&mut self, key: KeyEvent, ctl: &mut Ctl) -> Nav {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        if let Mode::Stored { api_key } = &self.mode {
            return match key.code {
                KeyCode::Enter => Nav::Next,
                KeyCode::Char('c') => {
                    self.key = TextField::new(api_key);
                    self.secret = TextField::masked("");
                    self.focus = Field::Secret;
                    self.mode = Mode::Edit;
                    Nav::Stay
                }
                KeyCode::Char('o') => {
                    ctl.effects.push(Effect::OpenUrl(DASHBOARD_URL.into()));
                    Nav::Stay
                }
                _ => Nav::Stay,
            };
        }
        match key.code {
            KeyCode::Tab | KeyCode::Down => self.move_focus(1),
            KeyCode::BackTab | KeyCode::Up => self.move_focus(3),
            KeyCode::Char('r') if ctrl => self.reveal = !self.reveal,
            KeyCode::Char('o') if ctrl => ctl.effects.push(Effect::OpenUrl(DASHBOARD_URL.into())),
            KeyCode::Enter => self.submit(ctl),
            KeyCode::Left | KeyCode::Right | KeyCode::Char(' ') if self.focus == Field::Region => {
                let step = if key.code == KeyCode::Left {
                    REGIONS.len() - 1
                } else {
                    1
                };
                let at = REGIONS.iter().position(|r| *r == self.region).unwrap_or(0);
                self.region = REGIONS[(at + step) % REGIONS.len()];
            }
            _ => {
                if let Some(field) = self.focused_field() {
                    field.handle_key(key);
                    self.error = None;
                }
            }
        }
        Nav::Stay
    }

    pub fn on_paste(&mut self, text: &str) {
        if let Some(field) = self.focused_field() {
            field.insert(text.trim());
        }
    }

    fn focused_field(&mut self) -> Option<&mut TextField> {
        match self.focus {
            Field::Key => Some(&mut self.key),
            Field::Secret => Some(&mut self.secret),
            Field::Region => None,
        }
    }

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

    pub fn verified(&mut self, summary: AccountSummary) {
        self.mode = Mode::Stored {
            api_key: summary.api_key.clone(),
        };
        self.secret = TextField::masked("");
        self.verified = Some(summary);
        self.error = None;
    }

    /// A refusal keeps what was typed; it only says why.
    pub fn failed(&mut self, failure: &Failure) {
        self.error = Some(if failure.refused {
            format!("Vonage refused this key and secret. Check both at {DASHBOARD_URL}")
        } else {
            failure.message.clone()
        });
    }

    pub fn keys(&self) -> &'static [(&'static str, &'static str)] {
        match self.mode {
            Mode::Stored { .. } => &[
                ("Enter", "continue"),
                ("c", "change"),
                ("o", "open dashboard"),
                ("?", "help"),
                ("Ctrl-C", "quit"),
            ],
            Mode::Edit => &[
                ("Enter", "verify"),
                ("Tab", "next field"),
                ("Ctrl-R", "show secret"),
                ("Ctrl-O", "dashboard"),
                ("Ctrl-C", "quit"),
            ],
        }
    }
}

pub fn view(model: &Model, theme: Theme, area: Rect, frame: &mut Frame) {
    let s = &model.account;
    // Short lines: they must fit the 60-column minimum without wrapping.
    let mut lines = vec![
        Line::from("The Client SDK needs an Application (with a key pair),"),
        Line::from("Users in it, and a signed JWT per user. First, your"),
        Line::from("account's API key and secret, from the dashboard:"),
        Line::from(Span::styled(DASHBOARD_URL, theme.accent())),
        Line::from(""),
    ];
    let mut cursor = None;
    match &s.mode {
        Mode::Stored { api_key } => {
            lines.push(Line::from(vec![
                Span::raw("  Stored credentials:  API key "),
                Span::styled(api_key.clone(), theme.accent()),
                Span::raw(", secret ••••••••"),
            ]));
            if let Some(v) = &s.verified {
                let balance = v
                    .balance
                    .map(|b| format!(", balance €{b:.2}"))
                    .unwrap_or_default();
                lines.push(Line::styled(
                    format!("  ✓ verified: {} application(s){balance}", v.applications),
                    theme.success(),
                ));
            }
            lines.push(Line::from(""));
            lines.push(Line::from("  Enter continues with them; c changes them."));
        }
        Mode::Edit => {
            let rows = [
                field_line("API key", &s.key, s.focus == Field::Key, true, None, theme),
                field_line(
                    "API secret",
                    &s.secret,
                    s.focus == Field::Secret,
                    s.reveal,
                    None,
                    theme,
                ),
            ];
            for (row, (line, column)) in rows.into_iter().enumerate() {
                if let Some(column) = column {
                    cursor = Some((lines.len() + row, column));
                }
                lines.push(line);
            }
            lines.push(choice_line(
                "Region",
                s.region.name(),
                s.focus == Field::Region,
                theme,
            ));
            if s.prefilled {
                lines.push(Line::from(""));
                lines.push(Line::styled(
                    "  This is the embedded sandbox: its key and secret are filled in. Press Enter.",
                    theme.dim(),
                ));
            }
            if let Some(error) = &s.error {
                lines.push(Line::from(""));
                lines.push(Line::styled(format!("  ✗ {error}"), theme.error()));
            }
        }
    }
    let block = Block::bordered().title(" 1 Account ");
    let inner = block.inner(area);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block),
        area,
    );
    place_cursor(frame, inner, cursor);
}
