//! Step 3, Users: the application's users (filter) and a form to create more, one after
//! another; a taken name offers the existing user instead.
//!
//! ```text
//! ┌ 3 Users ───────────────────────────────┐
//! │ › Name          [carol]                  │
//! │   Display name  []                       │
//! │ Users: alice, bob (filter […])           │
//! └─────────────────────────────────────────┘
//! ```

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::onboard::names::check_user_name;
use crate::onboard::users::NewUser;
use crate::tui::keys::{Binding, Key, Priority, ch, code, ctrl};
use crate::tui::protocol::{Command, Failure, Outcome, Snapshot, StoredUser, UserRow};
use crate::tui::screen::{Ctl, Ctx, Facts, Load, Nav, Screen, ViewCtx};
use crate::tui::widgets::form::{field_line, place_cursor, scroll_to};
use crate::tui::widgets::text_field::TextField;
use crate::tui::widgets::wrap::{ellipsize, wrap_line};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Focus {
    #[default]
    Name,
    Display,
    Filter,
    /// The list of users (↑↓ choose, d deletes).
    List,
}

#[derive(Debug, Default)]
pub struct UsersScreen {
    /// From the API; `None` until listed.
    pub listed: Option<Vec<UserRow>>,
    /// Users known from earlier runs (the stored state), shown until the API answers.
    pub stored: Vec<UserRow>,
    pub name: TextField,
    pub display: TextField,
    pub filter: TextField,
    pub focus: Focus,
    pub name_error: Option<String>,
    /// A taken name: the existing user, offered instead.
    pub offer: Option<UserRow>,
    /// The chosen row of the list (of those the filter shows), when the list has focus.
    pub cursor: usize,
    /// A user `d` asked to delete, waiting for y / n.
    pub confirm: Option<UserRow>,
}

/// What the Users screen's keys do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Submit,
    NextField,
    PreviousField,
    Reload,
    Edit,
    Up,
    Down,
    Delete,
    ConfirmDelete,
    KeepUser,
}

const KEYS: &[Binding<Action>] = &[
    Binding::new(
        &[code(KeyCode::Enter)],
        "Enter",
        Action::Submit,
        "create / continue on empty",
        Priority::High,
    )
    .help("create the user (or use the one offered); on an empty name, go on to tokens"),
    Binding::next_field(Action::NextField),
    Binding::previous_field(Action::PreviousField),
    Binding::new(
        &[ctrl('l')],
        "Ctrl-L",
        Action::Reload,
        "reload",
        Priority::Low,
    )
    .help("list the users again"),
    Binding::new(
        &[Key::Other],
        "type",
        Action::Edit,
        "edit",
        Priority::HelpOnly,
    )
    .help("edit the field (the filter narrows the list)"),
];

const LIST_KEYS: &[Binding<Action>] = &[
    Binding::new(
        &[code(KeyCode::Up), code(KeyCode::Down)],
        "↑↓",
        Action::Down,
        "choose",
        Priority::Normal,
    )
    .help("choose a user (↑ on the first goes back to the filter)"),
    Binding::new(&[ch('d')], "d", Action::Delete, "delete", Priority::High)
        .help("delete the chosen user at Vonage (asks first)"),
    Binding::new(
        &[code(KeyCode::Tab)],
        "Tab",
        Action::NextField,
        "next field",
        Priority::Normal,
    )
    .help("back to the name field"),
    Binding::new(
        &[code(KeyCode::BackTab)],
        "Shift-Tab",
        Action::PreviousField,
        "previous field",
        Priority::HelpOnly,
    ),
    Binding::new(
        &[ctrl('l')],
        "Ctrl-L",
        Action::Reload,
        "reload",
        Priority::Low,
    )
    .help("list the users again"),
];
const CONFIRM_KEYS: &[Binding<Action>] = &[
    Binding::new(
        &[ch('y')],
        "y",
        Action::ConfirmDelete,
        "delete",
        Priority::High,
    )
    .help("yes, delete the user at Vonage"),
    Binding::new(
        &[ch('n'), code(KeyCode::Esc)],
        "n/Esc",
        Action::KeepUser,
        "keep",
        Priority::High,
    )
    .help("no, keep the user"),
];

impl Screen for UsersScreen {
    type Action = Action;

    fn load(&mut self, snapshot: &Snapshot) -> Load {
        self.stored = snapshot.users.iter().map(row_of_stored).collect();
        Load::Ready
    }

    fn enter(&mut self, ctx: &mut Ctx) {
        if self.listed.is_none() {
            ctx.ctl
                .send("Listing the application's users…", Command::ListUsers);
        }
    }

    fn is_done(&self, _now: u64) -> bool {
        !self.known().is_empty()
    }

    fn is_typing(&self) -> bool {
        self.focus != Focus::List
    }

    fn is_modal(&self) -> bool {
        self.focus == Focus::List && self.confirm.is_some()
    }

    fn bindings(&self) -> &'static [Binding<Action>] {
        match (self.focus, &self.confirm) {
            (Focus::List, Some(_)) => CONFIRM_KEYS,
            (Focus::List, None) => LIST_KEYS,
            _ => KEYS,
        }
    }

    fn act(&mut self, action: Action, key: KeyEvent, ctx: &mut Ctx) -> Nav {
        match action {
            Action::NextField => {
                let list = !self.shown().is_empty();
                self.focus = match self.focus {
                    Focus::Name => Focus::Display,
                    Focus::Display => Focus::Filter,
                    Focus::Filter if list => Focus::List,
                    Focus::Filter | Focus::List => Focus::Name,
                };
                self.cursor = 0;
            }
            Action::PreviousField => {
                let list = !self.shown().is_empty();
                self.focus = match self.focus {
                    Focus::Name if list => Focus::List,
                    Focus::Name | Focus::List => Focus::Filter,
                    Focus::Display => Focus::Name,
                    Focus::Filter => Focus::Display,
                };
                self.cursor = 0;
            }
            // ↑ on the first row goes back up to the filter.
            Action::Up | Action::Down if key.code == KeyCode::Up && self.cursor == 0 => {
                self.focus = Focus::Filter;
            }
            Action::Up | Action::Down => {
                let last = self.shown().len().saturating_sub(1);
                self.cursor = if key.code == KeyCode::Up {
                    self.cursor - 1
                } else {
                    (self.cursor + 1).min(last)
                };
            }
            Action::Delete => {
                if let Some(user) = self.shown().get(self.cursor).map(|u| (*u).clone()) {
                    self.confirm = Some(user);
                    // The question stands alone: an earlier "Created bob…" would read as
                    // though it were about the user asked for.
                    ctx.ctl.status = None;
                }
            }
            Action::KeepUser => {
                if let Some(user) = self.confirm.take() {
                    ctx.ctl.info(format!("Kept {}.", user.name));
                }
            }
            Action::ConfirmDelete => {
                if let Some(user) = self.confirm.take() {
                    ctx.ctl.send(
                        &format!("Deleting {}…", user.name),
                        Command::DeleteUser {
                            user: user.id.clone().unwrap_or(user.name.clone()),
                        },
                    );
                }
            }
            Action::Submit => return self.submit(ctx.ctl),
            Action::Reload => {
                ctx.ctl
                    .send("Listing the application's users…", Command::ListUsers);
            }
            Action::Edit => {
                let field = match self.focus {
                    Focus::Name => &mut self.name,
                    Focus::Display => &mut self.display,
                    Focus::Filter | Focus::List => &mut self.filter,
                };
                field.handle_key(key);
                if self.focus == Focus::Name {
                    self.name_error = None;
                    self.offer = None;
                }
            }
        }
        Nav::Stay
    }

    fn on_paste(&mut self, text: &str) {
        match self.focus {
            Focus::Name => self.name.insert(text.trim()),
            Focus::Display => self.display.insert(text.trim()),
            Focus::Filter => self.filter.insert(text.trim()),
            Focus::List => {}
        }
    }

    fn on_answer(&mut self, outcome: &Outcome, ctx: &mut Ctx) -> Nav {
        match outcome {
            // The application changed: forget its users.
            Outcome::AppReady { users, .. } => {
                self.reset();
                self.stored = users.iter().map(row_of_stored).collect();
            }
            Outcome::Users(users) => self.listed = Some(users.clone()),
            Outcome::UserCreated(user) => self.created(user.clone(), ctx.ctl),
            Outcome::UserExists(user) => self.exists(user.clone(), ctx.ctl),
            Outcome::UserDeleted(user) => {
                ctx.ctl.success(format!(
                    "Deleted {} at Vonage; its stored token is forgotten.",
                    user.name
                ));
                if let Some(list) = &mut self.listed {
                    list.retain(|u| u.name != user.name);
                }
                self.stored.retain(|u| u.name != user.name);
                self.cursor = self.cursor.min(self.shown().len().saturating_sub(1));
                if self.shown().is_empty() {
                    self.focus = Focus::Name;
                }
            }
            _ => {}
        }
        Nav::Stay
    }

    fn on_failure(&mut self, failure: &Failure, _ctx: &mut Ctx) {
        if let Some((_, reason)) = failure.fields.iter().find(|(n, _)| n == "name") {
            self.name_error = Some(reason.clone());
        }
    }

    fn share(&self, facts: &mut Facts) {
        facts.users = self.known().to_vec();
    }

    fn render(&self, ctx: &ViewCtx, area: Rect, frame: &mut Frame) {
        view(self, ctx, area, frame);
    }
}

impl UsersScreen {
    fn reset(&mut self) {
        self.listed = None;
        self.stored.clear();
        self.offer = None;
    }

    /// The users the filter lets through, in list order.
    pub fn shown(&self) -> Vec<&UserRow> {
        let needle = self.filter.value().to_lowercase();
        self.known()
            .iter()
            .filter(|u| needle.is_empty() || u.name.to_lowercase().contains(&needle))
            .collect()
    }

    /// Every user we know of: the API's list once it answered, else the stored ones.
    pub fn known(&self) -> &[UserRow] {
        self.listed.as_deref().unwrap_or(&self.stored)
    }

    /// Enter: use an offered user, create the typed one, or (empty name) go on to tokens.
    fn submit(&mut self, ctl: &mut Ctl) -> Nav {
        if let Some(existing) = self.offer.take() {
            ctl.success(format!("Using the existing user {}.", existing.name));
            self.add(existing);
            self.name = TextField::new("");
            return Nav::Stay;
        }
        let name = self.name.value().trim().to_owned();
        if name.is_empty() {
            if self.known().is_empty() {
                self.name_error = Some("type a name, e.g. alice".into());
                return Nav::Stay;
            }
            return Nav::Next;
        }
        if let Err(e) = check_user_name(&name) {
            // Also in the status line: beside a long name the inline reason is off-screen.
            ctl.error(e.to_string());
            self.name_error = Some(e.to_string());
            return Nav::Stay;
        }
        let display = Some(self.display.value().trim().to_owned()).filter(|d| !d.is_empty());
        ctl.send(
            &format!("Creating {name}…"),
            Command::CreateUser(NewUser {
                name,
                display_name: display,
                image_url: None,
            }),
        );
        Nav::Stay
    }

    fn add(&mut self, user: UserRow) {
        let list = self.listed.get_or_insert_with(|| self.stored.clone());
        if !list.iter().any(|u| u.name == user.name) {
            list.push(user);
        }
    }

    fn created(&mut self, user: UserRow, ctl: &mut Ctl) {
        ctl.success(format!(
            "Created {}. Type another name, or press Enter on an empty name for tokens.",
            user.name
        ));
        self.add(user);
        self.name = TextField::new("");
        self.display = TextField::new("");
        self.focus = Focus::Name;
    }

    fn exists(&mut self, user: UserRow, ctl: &mut Ctl) {
        ctl.info(format!(
            "A user named {} exists already: Enter uses it, or type another name.",
            user.name
        ));
        self.offer = Some(user);
    }
}

fn view(s: &UsersScreen, ctx: &ViewCtx, area: Rect, frame: &mut Frame) {
    let theme = ctx.theme;
    let block = ctx.block();
    let inner = block.inner(area);
    let width = inner.width;
    let w = usize::from(width);
    let app = ctx
        .app_name
        .map_or_else(String::new, |name| format!(" of {name}"));
    let mut lines = wrap_line(
        &Line::from(format!(
            "Users{app}: one per person who logs in with the SDK."
        )),
        w,
    );
    lines.push(Line::from(""));
    let mut cursor = None;
    let name_error = s.name_error.clone();
    for (label, field, focus, error) in [
        ("Name", &s.name, Focus::Name, name_error.as_deref()),
        ("Display name", &s.display, Focus::Display, None),
    ] {
        let (rows, column) = field_line(label, field, s.focus == focus, true, error, theme, width);
        if let Some(c) = column {
            cursor = Some((lines.len(), c));
        }
        lines.extend(rows);
    }
    if let Some(offer) = &s.offer {
        lines.extend(wrap_line(
            &Line::styled(
                format!(
                    "  {} exists already ({}): Enter uses it",
                    offer.name,
                    offer.id.as_deref().unwrap_or("?")
                ),
                theme.key(),
            ),
            w,
        ));
    }
    lines.push(Line::from(""));
    let (rows, column) = field_line(
        "Filter",
        &s.filter,
        s.focus == Focus::Filter,
        true,
        None,
        theme,
        width,
    );
    if let Some(c) = column {
        cursor = Some((lines.len(), c));
    }
    lines.extend(rows);
    let users = s.shown();
    if let Some(user) = &s.confirm {
        lines.extend(wrap_line(
            &Line::styled(
                format!(
                    "  Delete {} ({}) at Vonage? y deletes, n or Esc keeps.",
                    user.name,
                    user.id.as_deref().unwrap_or("?")
                ),
                theme.error(),
            ),
            w,
        ));
    }
    if s.listed.is_none() {
        let text = if ctx.busy {
            "  (listing…)"
        } else {
            "  (not listed: Ctrl-L lists them)"
        };
        lines.push(Line::styled(text, theme.dim()));
    } else if users.is_empty() {
        lines.push(Line::styled("  no users yet", theme.dim()));
    }
    let room = (inner.height as usize)
        .saturating_sub(lines.len() + 2)
        .max(1);
    let shown = if users.len() > room {
        room.saturating_sub(1).max(1)
    } else {
        room
    };
    let listing = s.focus == Focus::List;
    let first = if listing {
        s.cursor.saturating_sub(shown.saturating_sub(1))
    } else {
        0
    };
    for (i, u) in users.iter().enumerate().skip(first).take(shown) {
        let chosen = listing && i == s.cursor;
        let marker = if chosen { "›" } else { "•" };
        let display = u
            .display_name
            .as_deref()
            .map(|d| format!(" ({d})"))
            .unwrap_or_default();
        lines.push(ellipsize(
            Line::from(vec![
                Span::styled(
                    format!("  {marker} {}{display}", u.name),
                    if chosen {
                        theme.selected()
                    } else {
                        theme.text()
                    },
                ),
                Span::styled(format!("  {}", u.id.as_deref().unwrap_or("")), theme.dim()),
            ]),
            w,
        ));
    }
    if users.len() > shown {
        lines.push(ellipsize(
            Line::styled(
                format!("  … and {} more (filter to find them)", users.len() - shown),
                theme.dim(),
            ),
            w,
        ));
    }
    if !listing && !users.is_empty() && s.listed.is_some() {
        lines.push(Line::styled(
            "  (Tab to the list: ↑↓ choose, d deletes)",
            theme.dim(),
        ));
    }
    let skip = scroll_to(cursor.map(|(row, _)| row), lines.len(), inner.height);
    let cursor = cursor.map(|(row, c)| (row - skip, c));
    let lines: Vec<Line> = lines.into_iter().skip(skip).collect();
    frame.render_widget(Paragraph::new(lines).block(block), area);
    place_cursor(frame, inner, cursor);
}

/// A stored user as the Users list shows it (the display name is Vonage's, not stored).
fn row_of_stored(user: &StoredUser) -> UserRow {
    UserRow {
        id: user.id.clone(),
        name: user.name.clone(),
        display_name: None,
    }
}
