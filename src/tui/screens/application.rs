//! Step 2, Application: the account's applications (type to filter, paged) with *create new*
//! first; the create form (name, webhook URLs validated as typed, method, AI-data opt-in);
//! choosing an existing application asks for its private key file.
//!
//! ```text
//! ┌ 2 Application ───────────────────────────┐
//! │ Filter [dem]                               │
//! │ › + Create a new application               │
//! │     demo  78d335fa-…                       │
//! └───────────────────────────────────────────┘
//! ```

use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::onboard::applications::{AppSpec, HttpMethod, check_webhook_url};
use crate::tui::effect::Effect;
use crate::tui::keys::{Binding, Key, Priority, ch, code, ctrl};
use crate::tui::protocol::{
    AppSummary, Command, CurrentApp, Failure, KeyOrigin, Outcome, Snapshot,
};
use crate::tui::screen::{Ctl, Ctx, Facts, Load, Nav, Screen, ViewCtx};
use crate::tui::screens::account::applications;
use crate::tui::widgets::form::{choice_line, field_line, input_line, place_cursor, scroll_to};
use crate::tui::widgets::text_field::TextField;
use crate::tui::widgets::wrap::{ellipsize, ellipsize_str, wrap_line};

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Mode {
    #[default]
    List,
    Create,
    /// An existing application was picked: its private key file is asked for.
    Adopt {
        id: String,
        name: String,
    },
    /// The current application is shown.
    Ready,
}

/// The create form: four text fields, then the method and the AI-data choice.
#[derive(Debug, Default)]
pub struct CreateForm {
    pub fields: [TextField; 4],
    pub http_method: HttpMethod,
    pub improve_ai: bool,
    pub focus: usize,
    /// Reasons the API gave, by field index.
    pub api_errors: [Option<String>; 4],
}

const LABELS: [&str; 4] = ["Name", "RTC event URL", "Answer URL", "Voice event URL"];
const FOCUSABLE: usize = 6;

impl CreateForm {
    /// The problem with a field as typed, if any.
    pub fn error(&self, index: usize) -> Option<String> {
        let value = self.fields[index].value().trim();
        if let Some(api) = &self.api_errors[index] {
            return Some(api.clone());
        }
        match index {
            0 => crate::onboard::names::app_name_problem(value),
            1..=3 if !value.is_empty() => check_webhook_url(value).err(),
            _ => None,
        }
    }

    pub fn is_valid(&self) -> bool {
        (0..4).all(|i| self.error(i).is_none())
    }

    fn spec(&self) -> AppSpec {
        let url =
            |i: usize| Some(self.fields[i].value().trim().to_owned()).filter(|v| !v.is_empty());
        AppSpec {
            name: self.fields[0].value().trim().to_owned(),
            rtc_event_url: url(1),
            answer_url: url(2),
            event_url: url(3),
            http_method: self.http_method,
            improve_ai: self.improve_ai,
            // Keys of interrupted creates are reported, and go by themselves after a day.
            discard_pending: false,
        }
    }
}

#[derive(Debug, Default)]
pub struct ApplicationScreen {
    pub mode: Mode,
    /// `None` until listed.
    pub apps: Option<Vec<AppSummary>>,
    pub filter: TextField,
    /// 0 is "create new"; n is the n-th filtered application.
    pub cursor: usize,
    pub form: CreateForm,
    pub key_path: TextField,
    pub key_error: Option<String>,
    pub current: Option<CurrentApp>,
    pub reconciled: bool,
    /// What the keys of interrupted creates came to, shown with the application.
    pub note: Option<String>,
}

/// Rows shown per page in the list.
pub const PAGE: usize = 10;

/// What the Application screen's keys do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Continue,
    CopyId,
    Another,
    Up,
    Down,
    PageUp,
    PageDown,
    Select,
    Reload,
    Filter,
    Create,
    NextField,
    PreviousField,
    Toggle,
    Edit,
    CheckKey,
    /// Out of a form, back to the list.
    Cancel,
}

const READY: &[Binding<Action>] = &[
    Binding::new(
        &[code(KeyCode::Enter)],
        "Enter",
        Action::Continue,
        "continue",
        Priority::High,
    )
    .help("on to users"),
    Binding::new(&[ch('c')], "c", Action::CopyId, "copy id", Priority::Normal)
        .help("copy the application id"),
    Binding::new(
        &[ch('n')],
        "n",
        Action::Another,
        "another app",
        Priority::Normal,
    )
    .help("choose or create another application"),
];
const LIST: &[Binding<Action>] = &[
    Binding::new(
        &[code(KeyCode::Up), code(KeyCode::BackTab)],
        "↑↓",
        Action::Up,
        "choose",
        Priority::Normal,
    )
    .help("previous row"),
    Binding::new(
        &[code(KeyCode::Down), code(KeyCode::Tab)],
        "↓",
        Action::Down,
        "next",
        Priority::HelpOnly,
    )
    .help("next row"),
    Binding::new(
        &[code(KeyCode::PageUp)],
        "PgUp",
        Action::PageUp,
        "page up",
        Priority::HelpOnly,
    ),
    Binding::new(
        &[code(KeyCode::PageDown)],
        "PgDn",
        Action::PageDown,
        "page down",
        Priority::HelpOnly,
    ),
    Binding::new(
        &[Key::Other],
        "type",
        Action::Filter,
        "filter",
        Priority::Low,
    )
    .help("filter by name or id"),
    Binding::new(
        &[code(KeyCode::Enter)],
        "Enter",
        Action::Select,
        "select",
        Priority::High,
    )
    .help("create a new application, or use the chosen one"),
    Binding::new(
        &[ctrl('l')],
        "Ctrl-L",
        Action::Reload,
        "reload",
        Priority::Low,
    )
    .help("list the applications again"),
];
const CREATE_FIELD: &[Binding<Action>] = &[
    CREATE,
    NEXT_FIELD,
    PREVIOUS_FIELD,
    CANCEL,
    Binding::new(
        &[Key::Other],
        "type",
        Action::Edit,
        "edit",
        Priority::HelpOnly,
    )
    .help("edit the field"),
];
const CREATE_CHOICE: &[Binding<Action>] = &[
    CREATE,
    NEXT_FIELD,
    PREVIOUS_FIELD,
    Binding::new(
        &[ch(' '), code(KeyCode::Left), code(KeyCode::Right)],
        "Space",
        Action::Toggle,
        "toggle",
        Priority::High,
    )
    .help("switch the choice"),
    CANCEL,
];
const ADOPT: &[Binding<Action>] = &[
    Binding::new(
        &[code(KeyCode::Enter)],
        "Enter",
        Action::CheckKey,
        "check key",
        Priority::High,
    )
    .help("check the private key file against the application"),
    Binding::new(
        &[code(KeyCode::Esc)],
        "Esc",
        Action::Cancel,
        "back to list",
        Priority::Normal,
    ),
    Binding::new(
        &[Key::Other],
        "type",
        Action::Edit,
        "edit",
        Priority::HelpOnly,
    )
    .help("edit the path (~ is your home)"),
];
const CREATE: Binding<Action> = Binding::new(
    &[code(KeyCode::Enter)],
    "Enter",
    Action::Create,
    "create",
    Priority::High,
)
.help("make the key pair and create the application");
const NEXT_FIELD: Binding<Action> = Binding::next_field(Action::NextField);
const PREVIOUS_FIELD: Binding<Action> = Binding::previous_field(Action::PreviousField);
const CANCEL: Binding<Action> = Binding::new(
    &[code(KeyCode::Esc)],
    "Esc",
    Action::Cancel,
    "cancel",
    Priority::Normal,
)
.help("back to the list, nothing created");

impl Screen for ApplicationScreen {
    type Action = Action;

    fn load(&mut self, snapshot: &Snapshot) -> Load {
        self.current = snapshot.current_app.clone();
        if self.current.is_some() {
            self.mode = Mode::Ready;
        }
        // Shown in full with the application (the status line may cut a long path).
        self.note = Some(snapshot.problems.join(" ")).filter(|n| !n.is_empty());
        self.form.fields[0] = TextField::new("my-client-sdk-app");
        self.form.fields[1] = TextField::new("https://example.com/rtc/events");
        if snapshot.problems.is_empty() {
            Load::Ready
        } else {
            Load::Attention
        }
    }

    /// Lists applications the first time; a filter typed on an earlier visit is gone.
    fn enter(&mut self, ctx: &mut Ctx) {
        if self.mode == Mode::List {
            self.open_list();
        }
        self.list_once(ctx.ctl);
    }

    fn is_done(&self, _now: u64) -> bool {
        self.current.is_some()
    }

    fn is_typing(&self) -> bool {
        match self.mode {
            Mode::Ready => false,
            Mode::Create => self.form.focus < LABELS.len(),
            Mode::List | Mode::Adopt { .. } => true,
        }
    }

    fn bindings(&self) -> &'static [Binding<Action>] {
        match self.mode {
            Mode::Ready => READY,
            Mode::List => LIST,
            Mode::Create if self.form.focus < LABELS.len() => CREATE_FIELD,
            Mode::Create => CREATE_CHOICE,
            Mode::Adopt { .. } => ADOPT,
        }
    }

    fn act(&mut self, action: Action, key: KeyEvent, ctx: &mut Ctx) -> Nav {
        let count = self.filtered().len() + 1;
        match action {
            Action::Continue => return Nav::Next,
            Action::CopyId => {
                if let Some(app) = &self.current {
                    ctx.ctl.effects.push(Effect::Copy {
                        text: crate::auth::jwt::Token::new(app.id.clone()),
                        otherwise: "the id is shown above",
                    });
                }
            }
            Action::Another => {
                self.open_list();
                self.list_once(ctx.ctl);
            }
            Action::Up => self.cursor = self.cursor.saturating_sub(1),
            Action::Down => self.cursor = (self.cursor + 1).min(count - 1),
            Action::PageUp => self.cursor = self.cursor.saturating_sub(PAGE),
            Action::PageDown => self.cursor = (self.cursor + PAGE).min(count - 1),
            Action::Select if self.cursor == 0 => {
                self.mode = Mode::Create;
                self.form.focus = 0;
            }
            Action::Select => {
                if let Some(app) = self.filtered().get(self.cursor - 1).map(|a| (*a).clone()) {
                    self.mode = Mode::Adopt {
                        id: app.id.clone(),
                        name: app.name.clone(),
                    };
                    // A key this profile stored is used without asking (still checked).
                    match &app.stored_key {
                        Some(path) => {
                            self.key_path = TextField::new(&path.display().to_string());
                            self.adopt(ctx.ctl);
                        }
                        None => self.key_path = TextField::new(""),
                    }
                }
            }
            Action::Reload => {
                ctx.ctl
                    .send("Listing your applications…", Command::ListApps);
            }
            Action::Filter => {
                self.filter.handle_key(key);
                self.filter_changed();
            }
            Action::NextField => self.form.focus = (self.form.focus + 1) % FOCUSABLE,
            Action::PreviousField => {
                self.form.focus = (self.form.focus + FOCUSABLE - 1) % FOCUSABLE
            }
            Action::Toggle if self.form.focus == 4 => {
                self.form.http_method = match self.form.http_method {
                    HttpMethod::Get => HttpMethod::Post,
                    HttpMethod::Post => HttpMethod::Get,
                };
            }
            Action::Toggle => self.form.improve_ai = !self.form.improve_ai,
            Action::Create => self.create(ctx.ctl),
            Action::Edit => match &self.mode {
                Mode::Adopt { .. } => {
                    self.key_path.handle_key(key);
                    self.key_error = None;
                }
                _ => {
                    let f = &mut self.form;
                    if let Some(field) = f.fields.get_mut(f.focus) {
                        field.handle_key(key);
                        f.api_errors[f.focus] = None;
                    }
                }
            },
            Action::CheckKey => self.adopt(ctx.ctl),
            Action::Cancel => self.mode = Mode::List,
        }
        Nav::Stay
    }

    fn on_paste(&mut self, text: &str) {
        match &self.mode {
            Mode::Create if self.form.focus < 4 => {
                self.form.fields[self.form.focus].insert(text.trim())
            }
            Mode::Adopt { .. } => self.key_path.insert(text.trim()),
            Mode::List => {
                self.filter.insert(text.trim());
                self.filter_changed();
            }
            _ => {}
        }
    }

    fn on_answer(&mut self, outcome: &Outcome, ctx: &mut Ctx) -> Nav {
        match outcome {
            // New credentials: whatever was listed before may not be this account's.
            Outcome::Verified(_) => self.apps = None,
            Outcome::Apps(apps) => self.apps = Some(apps.clone()),
            Outcome::AppReady {
                app,
                key,
                reconciled,
                note,
                ..
            } => {
                ctx.ctl.success(ready_message(&app.name, *key));
                self.ready(app.clone(), *reconciled, note.clone());
            }
            _ => {}
        }
        Nav::Stay
    }

    /// API field reasons go beside the field they name.
    fn on_failure(&mut self, failure: &Failure, ctx: &mut Ctx) {
        if failure.refused && self.apps.is_none() {
            ctx.ctl
                .error("Vonage refused the stored credentials: press Esc, then c to change them.");
        }
        if let Mode::Adopt { .. } = self.mode {
            self.key_error = Some(failure.message.clone());
            return;
        }
        for (name, reason) in &failure.fields {
            let index = if name == "name" {
                Some(0)
            } else if name.contains("rtc") {
                Some(1)
            } else if name.contains("answer_url") {
                Some(2)
            } else if name.contains("event_url") {
                Some(3)
            } else {
                None
            };
            if let Some(i) = index {
                self.form.api_errors[i] = Some(reason.clone());
            }
        }
    }

    fn share(&self, facts: &mut Facts) {
        facts.app_name = self.current.as_ref().map(|a| a.name.clone());
    }

    fn render(&self, ctx: &ViewCtx, area: Rect, frame: &mut Frame) {
        view(self, ctx, area, frame);
    }
}

impl ApplicationScreen {
    /// The list as a first visit shows it: no filter left from before, "create new" chosen.
    fn open_list(&mut self) {
        self.mode = Mode::List;
        self.filter = TextField::new("");
        self.cursor = 0;
    }

    /// With a filter, Enter means the first match, never "create" by accident.
    fn filter_changed(&mut self) {
        let matches = self.filtered().len();
        self.cursor = usize::from(!self.filter.value().is_empty() && matches > 0);
    }

    fn list_once(&mut self, ctl: &mut Ctl) {
        if self.apps.is_none() && self.mode != Mode::Ready {
            ctl.send("Listing your applications…", Command::ListApps);
        }
    }

    pub fn filtered(&self) -> Vec<&AppSummary> {
        let needle = self.filter.value().to_lowercase();
        self.apps
            .iter()
            .flatten()
            .filter(|a| {
                needle.is_empty()
                    || a.name.to_lowercase().contains(&needle)
                    || a.id.contains(&needle)
            })
            .collect()
    }

    fn create(&mut self, ctl: &mut Ctl) {
        let f = &mut self.form;
        if let Some(bad) = (0..4).find(|i| f.error(*i).is_some()) {
            f.focus = bad;
            ctl.error(format!(
                "{}: {}",
                LABELS[bad],
                f.error(bad).unwrap_or_default()
            ));
        } else {
            ctl.send(
                "Generating a key pair and creating the application…",
                Command::CreateApp(f.spec()),
            );
        }
    }

    fn adopt(&mut self, ctl: &mut Ctl) {
        let Mode::Adopt { id, .. } = &self.mode else {
            return;
        };
        let path = self.key_path.value().trim();
        if path.is_empty() {
            self.key_error = Some("type the path of the application's private key file".into());
        } else {
            self.key_error = None;
            ctl.send(
                "Checking the key against the application…",
                Command::AdoptApp {
                    id: id.clone(),
                    key_path: PathBuf::from(path),
                },
            );
        }
    }

    fn ready(&mut self, app: CurrentApp, reconciled: bool, note: Option<String>) {
        if let Some(list) = &mut self.apps {
            // Its key is stored now: choosing it again needs no key typed.
            match list.iter_mut().find(|a| a.id == app.id) {
                Some(listed) => listed.stored_key = Some(app.key_path.clone()),
                None => list.push(AppSummary {
                    id: app.id.clone(),
                    name: app.name.clone(),
                    stored_key: Some(app.key_path.clone()),
                }),
            }
        }
        self.current = Some(app);
        self.reconciled = reconciled;
        self.note = note;
        self.mode = Mode::Ready;
        self.form.api_errors = Default::default();
    }
}

/// What became of the private key, said as it happened (the path is on the screen below).
pub fn ready_message(name: &str, key: KeyOrigin) -> String {
    let key = match key {
        KeyOrigin::New => "its private key is saved",
        KeyOrigin::Kept => "the private key an interrupted create kept is now saved for it",
        KeyOrigin::Copied => "a copy of its private key is saved in this home",
        KeyOrigin::AlreadyStored => "it uses the private key already stored for it",
    };
    format!("Application {name} is ready; {key}.")
}

fn view(s: &ApplicationScreen, ctx: &ViewCtx, area: Rect, frame: &mut Frame) {
    let theme = ctx.theme;
    let block = ctx.block();
    let inner = block.inner(area);
    let width = inner.width;
    let w = usize::from(width);
    // Prose wraps; list rows are cut with `…`; a field is one row (its error may add rows).
    let prose = |lines: &mut Vec<Line<'static>>, line: Line<'static>| {
        lines.extend(wrap_line(&line, w));
    };
    let mut lines: Vec<Line> = Vec::new();
    let mut cursor = None;
    match &s.mode {
        Mode::Ready => {
            if let Some(app) = &s.current {
                prose(
                    &mut lines,
                    Line::styled(
                        format!("✓ Application {} is current.", app.name),
                        theme.success(),
                    ),
                );
                lines.push(Line::from(""));
                prose(
                    &mut lines,
                    Line::from(vec![
                        Span::raw("  id           "),
                        Span::styled(app.id.clone(), theme.accent()),
                    ]),
                );
                prose(
                    &mut lines,
                    Line::from(
                        "  private key  (0600; Vonage keeps only the public half: keep this file)",
                    ),
                );
                // On a line of its own: a key path is often wider than the screen.
                prose(
                    &mut lines,
                    Line::styled(format!("  {}", app.key_path.display()), theme.accent()),
                );
                if let Some(note) = &s.note {
                    lines.push(Line::from(""));
                    prose(&mut lines, Line::from(format!("  {note}")));
                } else if s.reconciled {
                    lines.push(Line::from(""));
                    prose(
                        &mut lines,
                        Line::from(
                            "  The answer was lost on the way back; the application was found \
                             by its key.",
                        ),
                    );
                }
                lines.push(Line::from(""));
                prose(
                    &mut lines,
                    Line::from(
                        "  Enter: on to users · c: copy the id · n: use another application",
                    ),
                );
            }
        }
        Mode::List => {
            let (line, column) = input_line("Filter", &s.filter, theme, width);
            cursor = column.map(|c| (0, c));
            lines.push(line);
            lines.push(Line::from(""));
            let filtered = s.filtered();
            let current = s.current.as_ref().map(|c| c.id.as_str());
            // Which one is current, and which keys are on disk (those need no key typed).
            let mark = |a: &AppSummary| match (Some(a.id.as_str()) == current, &a.stored_key) {
                (true, _) => "  current",
                (false, Some(_)) => "  key ✓",
                (false, None) => "",
            };
            let rows: Vec<(String, String)> =
                std::iter::once(("+ Create a new application".to_owned(), String::new()))
                    .chain(
                        filtered
                            .iter()
                            .map(|a| (a.name.clone(), format!("{}{}", a.id, mark(a)))),
                    )
                    .collect();
            // The name column shrinks on a narrow screen so the id still starts in view.
            let name_width = rows
                .iter()
                .map(|(n, _)| n.chars().count())
                .max()
                .unwrap_or(0)
                .min(30);
            let height = (area.height as usize).saturating_sub(5).clamp(1, PAGE);
            let first = s.cursor.saturating_sub(height - 1);
            for (i, (name, id)) in rows.iter().enumerate().skip(first).take(height) {
                let style = if i == s.cursor {
                    theme.selected()
                } else {
                    theme.text()
                };
                let marker = if i == s.cursor { "›" } else { " " };
                let name = ellipsize_str(name, name_width);
                lines.push(ellipsize(
                    Line::from(vec![
                        Span::styled(format!("{marker} {name:<name_width$}"), style),
                        Span::styled(format!(" {id}"), theme.dim()),
                    ]),
                    w,
                ));
            }
            match &s.apps {
                None if ctx.busy => lines.push(Line::styled("  (listing…)", theme.dim())),
                None => lines.push(Line::styled(
                    "  (not listed: Ctrl-L lists them)",
                    theme.dim(),
                )),
                Some(all) => lines.push(Line::styled(
                    format!("  {} of {}", filtered.len(), applications(all.len() as u32)),
                    theme.dim(),
                )),
            }
        }
        Mode::Create => {
            let f = &s.form;
            prose(
                &mut lines,
                Line::from("The private key is made and saved here before Vonage is asked."),
            );
            lines.push(Line::from(""));
            for (i, label) in LABELS.iter().enumerate() {
                let error = f.error(i);
                let (rows, column) = field_line(
                    label,
                    &f.fields[i],
                    f.focus == i,
                    true,
                    error.as_deref(),
                    theme,
                    width,
                );
                if let Some(c) = column {
                    cursor = Some((lines.len(), c));
                }
                lines.extend(rows);
            }
            lines.push(choice_line(
                "Answer method",
                f.http_method.as_str(),
                f.focus == 4,
                theme,
            ));
            lines.push(ellipsize(
                choice_line(
                    "AI data opt-in",
                    if f.improve_ai {
                        "yes, Vonage may use the data"
                    } else {
                        "no (default)"
                    },
                    f.focus == 5,
                    theme,
                ),
                w,
            ));
        }
        Mode::Adopt { id, name } => {
            prose(&mut lines, Line::from(format!("Use {name} ({id})")));
            prose(
                &mut lines,
                Line::from(
                    "Vonage does not keep private keys: give the file you saved when it was \
                     created.",
                ),
            );
            lines.push(Line::from(""));
            let (rows, column) = field_line(
                "Private key file",
                &s.key_path,
                true,
                true,
                s.key_error.as_deref(),
                theme,
                width,
            );
            cursor = column.map(|c| (lines.len(), c));
            lines.extend(rows);
        }
    }
    // The focused field stays in view: rows above it scroll away on a short screen.
    let skip = scroll_to(cursor.map(|(row, _)| row), lines.len(), inner.height);
    let cursor = cursor.map(|(row, c)| (row - skip, c));
    let lines: Vec<Line> = lines.into_iter().skip(skip).collect();
    frame.render_widget(Paragraph::new(lines).block(block), area);
    place_cursor(frame, inner, cursor);
}
