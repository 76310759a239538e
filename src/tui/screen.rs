//! The `Screen` trait every wizard step implements, and what a screen gets to work with: `Ctx`
//! (requests, status line, effects, the clock, what other steps found) when it changes, and
//! `ViewCtx` (clock, busy, application name, theme, title) when it draws. A screen never sees
//! the whole model.

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::Block;

use super::effect::Effect;
use super::keys::{self, Binding, Hint};
use super::protocol::{Command, Failure, Outcome, Request, RequestId, Snapshot, UserRow};
use super::theme::Theme;

/// Where a key press or an answer leaves the wizard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Nav {
    Stay,
    /// The step after this screen's.
    Next,
    /// The step before this screen's.
    Back,
    /// A panel over the step.
    Show(Overlay),
}

/// A full-screen panel over the step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overlay {
    Help,
    /// A token's decoded header and claims, the verdict, and (after `d`) the doctor's checks.
    Inspect {
        title: String,
        lines: Vec<String>,
        /// The token itself, for the doctor (never drawn here).
        token: Shown,
    },
    /// The raw token alone, wrapped, with no border or padding inside it: a mouse selection
    /// takes exactly the token.
    Raw {
        title: String,
        token: Shown,
    },
}

/// A token on screen because it was asked for (`v`); `Debug` never shows it.
#[derive(Clone)]
pub struct Shown(pub crate::auth::jwt::Token);

impl PartialEq for Shown {
    fn eq(&self, other: &Self) -> bool {
        self.0.expose() == other.0.expose()
    }
}

impl Eq for Shown {}

impl std::fmt::Debug for Shown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Shown(redacted)")
    }
}

/// What a screen says after reading the stored state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Load {
    Ready,
    /// It shows a problem found while loading: the wizard opens no later than this step.
    Attention,
}

/// What a step knows that others may read (each screen adds its part in `share`).
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// The current application's name.
    pub app_name: Option<String>,
    /// Every user known of the current application.
    pub users: Vec<UserRow>,
}

/// How the status line reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Info,
    Success,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub text: String,
    pub tone: Tone,
}

/// The request in flight, shown with a spinner; Esc forgets it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Busy {
    pub id: RequestId,
    pub label: String,
    /// Whether Esc may forget it (see `Command::can_be_forgotten`).
    pub cancellable: bool,
    /// Whether it only lists (see `Command::is_listing`).
    pub listing: bool,
}

/// What every screen may touch besides its own state: requests, the status line, effects.
#[derive(Debug, Default)]
pub struct Ctl {
    next_id: u64,
    pub busy: Option<Busy>,
    pub status: Option<Status>,
    pub effects: Vec<Effect>,
    pub spinner_frame: usize,
}

impl Ctl {
    /// Asks the worker for something; the spinner shows `label` until the answer.
    pub fn send(&mut self, label: &str, command: Command) -> RequestId {
        self.next_id += 1;
        let id = RequestId(self.next_id);
        self.busy = Some(Busy {
            id,
            label: label.to_owned(),
            cancellable: command.can_be_forgotten(),
            listing: command.is_listing(),
        });
        self.effects.push(Effect::Send(Request { id, command }));
        id
    }

    pub fn is_busy(&self) -> bool {
        self.busy.is_some()
    }

    pub fn say(&mut self, tone: Tone, text: impl Into<String>) {
        self.status = Some(Status {
            text: text.into(),
            tone,
        });
    }

    pub fn info(&mut self, text: impl Into<String>) {
        self.say(Tone::Info, text);
    }

    pub fn success(&mut self, text: impl Into<String>) {
        self.say(Tone::Success, text);
    }

    pub fn error(&mut self, text: impl Into<String>) {
        self.say(Tone::Error, text);
    }
}

/// What a screen works with while it changes.
pub struct Ctx<'a> {
    pub ctl: &'a mut Ctl,
    /// Unix seconds, from the last tick.
    pub now: u64,
    pub facts: &'a Facts,
}

/// What a screen draws with, besides its own state.
#[derive(Debug, Clone)]
pub struct ViewCtx<'a> {
    pub now: u64,
    /// A request is in flight.
    pub busy: bool,
    /// The current application's name.
    pub app_name: Option<&'a str>,
    pub theme: Theme,
    /// The step's number and title from the step list: `2 Application`.
    pub title: String,
}

impl ViewCtx<'_> {
    /// The step's frame, titled from the step list.
    pub fn block(&self) -> Block<'static> {
        Block::bordered().title(format!(" {} ", self.title))
    }
}

/// One wizard step: its state, its key table, how answers change it, how it draws.
pub trait Screen {
    /// What its keys do; `bindings` maps keys to these.
    type Action: Copy + PartialEq + std::fmt::Debug + 'static;

    /// Takes what is stored.
    fn load(&mut self, snapshot: &Snapshot) -> Load;

    /// The step is entered: start what it needs (a listing, say).
    fn enter(&mut self, _ctx: &mut Ctx) {}

    /// The keys that work now (they change with the screen's mode and focus).
    fn bindings(&self) -> &'static [Binding<Self::Action>];

    /// Does what a key of `bindings` means; `key` is the press itself (for a text field).
    fn act(&mut self, action: Self::Action, key: KeyEvent, ctx: &mut Ctx) -> Nav;

    fn on_paste(&mut self, _text: &str) {}

    /// Every screen sees every answer; `Nav` moves relative to this screen's step.
    fn on_answer(&mut self, _outcome: &Outcome, _ctx: &mut Ctx) -> Nav {
        Nav::Stay
    }

    /// A failed request sent from this step (the status line already shows it).
    fn on_failure(&mut self, _failure: &Failure, _ctx: &mut Ctx) {}

    /// Adds what this step knows to what others may read.
    fn share(&self, _facts: &mut Facts) {}

    /// Whether the step's work is done (the step bar's ✓, and where a resume starts).
    fn is_done(&self, now: u64) -> bool;

    /// Whether keys go into a text field (so `?` and digits are text, not commands).
    fn is_typing(&self) -> bool;

    /// Whether the screen waits for an answer to a question (a confirmation): only its own
    /// keys and Ctrl-C act, so no step change or help leaves the question hanging.
    fn is_modal(&self) -> bool {
        false
    }

    /// Whether the 1 Hz clock changes what is drawn.
    fn needs_clock(&self) -> bool {
        false
    }

    fn render(&self, ctx: &ViewCtx, area: Rect, frame: &mut Frame);
}

/// A `Screen` with its action type erased, so the step list can hand out `&mut dyn`. The key
/// handling goes through the table: a key not in `bindings` never reaches `act`.
pub trait AnyScreen {
    fn load(&mut self, snapshot: &Snapshot) -> Load;
    fn enter(&mut self, ctx: &mut Ctx);
    /// `None` when no binding takes the key.
    fn on_key(&mut self, key: KeyEvent, ctx: &mut Ctx) -> Option<Nav>;
    /// Whether a binding names `key` (the focused field's catch-all does not count).
    fn binds(&self, key: KeyEvent) -> bool;
    fn hints(&self) -> Vec<Hint>;
    fn on_paste(&mut self, text: &str);
    fn on_answer(&mut self, outcome: &Outcome, ctx: &mut Ctx) -> Nav;
    fn on_failure(&mut self, failure: &Failure, ctx: &mut Ctx);
    fn share(&self, facts: &mut Facts);
    fn is_done(&self, now: u64) -> bool;
    fn is_typing(&self) -> bool;
    fn is_modal(&self) -> bool;
    fn needs_clock(&self) -> bool;
    fn render(&self, ctx: &ViewCtx, area: Rect, frame: &mut Frame);
}

impl<S: Screen> AnyScreen for S {
    fn load(&mut self, snapshot: &Snapshot) -> Load {
        Screen::load(self, snapshot)
    }

    fn enter(&mut self, ctx: &mut Ctx) {
        Screen::enter(self, ctx)
    }

    fn on_key(&mut self, key: KeyEvent, ctx: &mut Ctx) -> Option<Nav> {
        let action = keys::find(self.bindings(), key)?.action;
        Some(self.act(action, key, ctx))
    }

    fn binds(&self, key: KeyEvent) -> bool {
        keys::find_named(self.bindings(), key).is_some()
    }

    fn hints(&self) -> Vec<Hint> {
        self.bindings().iter().map(Binding::hint).collect()
    }

    fn on_paste(&mut self, text: &str) {
        Screen::on_paste(self, text)
    }

    fn on_answer(&mut self, outcome: &Outcome, ctx: &mut Ctx) -> Nav {
        Screen::on_answer(self, outcome, ctx)
    }

    fn on_failure(&mut self, failure: &Failure, ctx: &mut Ctx) {
        Screen::on_failure(self, failure, ctx)
    }

    fn share(&self, facts: &mut Facts) {
        Screen::share(self, facts)
    }

    fn is_done(&self, now: u64) -> bool {
        Screen::is_done(self, now)
    }

    fn is_typing(&self) -> bool {
        Screen::is_typing(self)
    }

    fn is_modal(&self) -> bool {
        Screen::is_modal(self)
    }

    fn needs_clock(&self) -> bool {
        Screen::needs_clock(self)
    }

    fn render(&self, ctx: &ViewCtx, area: Rect, frame: &mut Frame) {
        Screen::render(self, ctx, area, frame)
    }
}
