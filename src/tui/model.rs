//! The wizard's state: plain data, drawn by `view` and changed only by `update`.

use super::effect::{Command, Effect, Request, RequestId};
use super::screens::{
    account::AccountScreen, application::ApplicationScreen, tokens::TokensScreen,
    users::UsersScreen,
};

/// The four steps, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Step {
    Account,
    Application,
    Users,
    Tokens,
}

impl Step {
    pub const ALL: [Step; 4] = [Step::Account, Step::Application, Step::Users, Step::Tokens];

    pub fn title(self) -> &'static str {
        match self {
            Step::Account => "Account",
            Step::Application => "Application",
            Step::Users => "Users",
            Step::Tokens => "Tokens",
        }
    }

    pub fn number(self) -> usize {
        self as usize + 1
    }

    pub fn previous(self) -> Option<Step> {
        Step::ALL.get((self as usize).checked_sub(1)?).copied()
    }

    pub fn next(self) -> Option<Step> {
        Step::ALL.get(self as usize + 1).copied()
    }
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

/// A full-screen panel over the step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overlay {
    Help,
    /// A token's decoded header and claims.
    Inspect {
        title: String,
        lines: Vec<String>,
    },
}

/// The whole wizard.
#[derive(Debug)]
pub struct Model {
    pub step: Step,
    pub overlay: Option<Overlay>,
    pub ctl: Ctl,
    /// Unix seconds, from the last `Tick`.
    pub now: u64,
    /// Whether the stored state has been read (before that, the screens wait).
    pub loaded: bool,
    pub account: AccountScreen,
    pub application: ApplicationScreen,
    pub users: UsersScreen,
    pub tokens: TokensScreen,
    pub quit: bool,
}

impl Model {
    /// A wizard at `now` that first reads what is stored.
    pub fn new(now: u64) -> Self {
        let mut model = Model {
            step: Step::Account,
            overlay: None,
            ctl: Ctl::default(),
            now,
            loaded: false,
            account: AccountScreen::default(),
            application: ApplicationScreen::default(),
            users: UsersScreen::default(),
            tokens: TokensScreen::default(),
            quit: false,
        };
        model
            .ctl
            .send("Reading what you did before…", Command::Load);
        model
    }

    /// Whether a step's work is done (for the step bar and resuming).
    pub fn is_done(&self, step: Step) -> bool {
        match step {
            Step::Account => self.account.is_done(),
            Step::Application => self.application.current.is_some(),
            Step::Users => !self.users.known().is_empty(),
            Step::Tokens => self
                .tokens
                .rows
                .iter()
                .any(|r| r.token.as_ref().is_some_and(|t| t.exp > self.now)),
        }
    }

    /// The first step not done yet: where a reopened wizard starts.
    pub fn first_unfinished(&self) -> Step {
        Step::ALL
            .into_iter()
            .find(|s| *s != Step::Tokens && !self.is_done(*s))
            .unwrap_or(Step::Tokens)
    }

    /// Whether the 1 Hz clock matters now: a token's time left is on screen.
    pub fn needs_clock(&self) -> bool {
        self.step == Step::Tokens && self.tokens.rows.iter().any(|r| r.token.is_some())
    }
}
