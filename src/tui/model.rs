//! The wizard's state: plain data, drawn by `view` and changed only by `update`. The steps'
//! own state is in `Screens` (reachable as `model.account`, `model.tokens`, …); the model adds
//! the current step, the overlay, the clock and the keys that work on every screen.

use std::ops::Deref;

use super::keys::{Binding, Hint, Key, Priority, ch, code, ctrl};
use super::protocol::Command;
use super::screen::{AnyScreen, Ctx};
use super::screens::Screens;

pub use super::screen::{Busy, Ctl, Overlay, Status, Tone};
pub use super::screens::Step;

use crossterm::event::{KeyCode, KeyEvent};

/// What the keys of every screen do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Global {
    Quit,
    Help,
    /// The previous step (when the screen has nothing of its own to go back from).
    Back,
    /// The step a digit names.
    GoTo,
    /// Closes the overlay.
    Close,
    /// Scrolls the overlay (↑↓, PgUp/PgDn, Home/End).
    Scroll,
    /// Runs the doctor's checks on the inspected token.
    Doctor,
}

const QUIT: Binding<Global> = Binding::new(
    &[ctrl('c')],
    "Ctrl-C",
    Global::Quit,
    "quit",
    Priority::Always,
)
.help("quit (all is saved)");
/// Off text fields `q` quits too, as in most terminal programs (in a field it is a letter).
const QUIT_OR_Q: Binding<Global> = Binding::new(
    &[ctrl('c'), ch('q')],
    "Ctrl-C",
    Global::Quit,
    "quit",
    Priority::Always,
)
.help("quit (all is saved)");
const HELP: Binding<Global> = Binding::new(
    &[ch('?'), code(KeyCode::F(1))],
    "?",
    Global::Help,
    "help",
    Priority::Always,
)
.help("this help");
const HELP_TYPING: Binding<Global> = Binding::new(
    &[code(KeyCode::F(1))],
    "F1",
    Global::Help,
    "help",
    Priority::Always,
)
.help("this help (? is typed into the field)");
const BACK: Binding<Global> = Binding::new(
    &[code(KeyCode::Esc)],
    "Esc",
    Global::Back,
    "back",
    Priority::Normal,
)
.help("back a step (cancels a request in flight)");
const GO_TO: Binding<Global> = Binding::new(
    &[Key::StepNumber],
    "1-9",
    Global::GoTo,
    "step",
    Priority::Low,
)
.help("go to a step reached before");
const CLOSE: Binding<Global> = Binding::new(
    &[code(KeyCode::Esc), code(KeyCode::Enter), ch('q'), ch('?')],
    "Esc",
    Global::Close,
    "close",
    Priority::High,
);

/// Scrolling an overlay: only the directions it can go are bound (so each key acts).
const SCROLL_DOWN: Binding<Global> = Binding::new(
    &[
        code(KeyCode::Down),
        code(KeyCode::PageDown),
        code(KeyCode::End),
    ],
    "↓",
    Global::Scroll,
    "more",
    Priority::High,
)
.help("scroll down (PgDn a page, End the end)");
const SCROLL_UP: Binding<Global> = Binding::new(
    &[
        code(KeyCode::Up),
        code(KeyCode::PageUp),
        code(KeyCode::Home),
    ],
    "↑",
    Global::Scroll,
    "back up",
    Priority::Normal,
)
.help("scroll up (PgUp a page, Home the top)");
const DOCTOR: Binding<Global> =
    Binding::new(&[ch('d')], "d", Global::Doctor, "doctor", Priority::High)
        .help("run token doctor's checks on this token (asks Vonage)");

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
    pub screens: Screens,
    pub quit: bool,
    /// An Enter typed while a list was loading: acted on once the list is in, so a fast
    /// typist's "alice, Enter" is not lost.
    pub held_enter: Option<(Step, KeyEvent)>,
    /// The window's size (columns, rows), from `Msg::Resize`: how far an overlay scrolls.
    pub size: (u16, u16),
    /// How many rows the open overlay is scrolled down.
    pub scroll: usize,
}

/// `model.account` and the like read a step's state directly.
impl Deref for Model {
    type Target = Screens;

    fn deref(&self) -> &Screens {
        &self.screens
    }
}

impl Model {
    /// A wizard at `now` that first reads what is stored.
    pub fn new(now: u64) -> Self {
        let mut model = Model {
            held_enter: None,
            step: Step::first(),
            overlay: None,
            ctl: Ctl::default(),
            now,
            loaded: false,
            screens: Screens::default(),
            quit: false,
            size: (80, 24),
            scroll: 0,
        };
        model
            .ctl
            .send("Reading what you did before…", Command::Load);
        model
    }

    /// The current step's screen.
    pub fn screen(&self) -> &dyn AnyScreen {
        self.screens.get(self.step)
    }

    /// Runs `f` on `step`'s screen with what it may touch.
    pub fn with_screen<R>(
        &mut self,
        step: Step,
        f: impl FnOnce(&mut dyn AnyScreen, &mut Ctx) -> R,
    ) -> R {
        let facts = self.screens.facts();
        let mut ctx = Ctx {
            ctl: &mut self.ctl,
            now: self.now,
            facts: &facts,
        };
        f(self.screens.get_mut(step), &mut ctx)
    }

    /// Whether a step's work is done (for the step bar and resuming).
    pub fn is_done(&self, step: Step) -> bool {
        self.screens.get(step).is_done(self.now)
    }

    /// The first step not done yet: where a reopened wizard starts (the last step, once all
    /// before it are done: it is where the work goes on).
    pub fn first_unfinished(&self) -> Step {
        Step::ALL
            .iter()
            .copied()
            .find(|s| *s != Step::last() && !self.is_done(*s))
            .unwrap_or(Step::last())
    }

    /// Whether the 1 Hz clock matters now: a token's time left is on screen.
    pub fn needs_clock(&self) -> bool {
        self.screen().needs_clock()
    }

    /// Whether the current step waits for an answer to its question (see `Screen::is_modal`).
    pub fn is_modal(&self) -> bool {
        self.loaded && self.screen().is_modal()
    }

    /// Whether keys go into a text field of the current step.
    pub fn is_typing(&self) -> bool {
        self.loaded && self.screen().is_typing()
    }

    /// The keys of every screen that work now, in the footer's order. Consulted before the
    /// screen's table, so each holds only keys the screen does not bind at that moment.
    pub fn global_bindings(&self) -> Vec<Binding<Global>> {
        if let Some(overlay) = &self.overlay {
            let mut table = vec![CLOSE];
            if matches!(overlay, Overlay::Inspect { .. }) {
                table.push(DOCTOR);
            }
            let max = super::view::overlay_scroll_max(self);
            if self.scroll < max {
                table.push(SCROLL_DOWN);
            }
            if self.scroll.min(max) > 0 {
                table.push(SCROLL_UP);
            }
            table.push(QUIT);
            return table;
        }
        self.global_bindings_without_overlay()
    }

    /// The keys of every screen as they work on the step (under an open overlay, too).
    pub fn global_bindings_without_overlay(&self) -> Vec<Binding<Global>> {
        if !self.loaded {
            return vec![HELP, QUIT];
        }
        // A question waits for its answer: nothing but Ctrl-C may leave it.
        if self.is_modal() {
            return vec![QUIT];
        }
        let typing = self.is_typing();
        let esc = KeyEvent::from(KeyCode::Esc);
        let mut table = Vec::new();
        if self.step.previous().is_some() && !self.screen().binds(esc) {
            table.push(BACK);
        }
        if !typing {
            table.push(GO_TO);
        }
        table.push(if typing { HELP_TYPING } else { HELP });
        table.push(if typing { QUIT } else { QUIT_OR_Q });
        table
    }

    /// A binding of every screen as the footer and the help show it.
    pub fn hint_of(&self, binding: &Binding<Global>) -> Hint {
        let mut hint = binding.hint();
        if binding.keys == [Key::StepNumber] {
            hint.key = format!("1-{}", Step::ALL.len());
            hint.keys = hint.key.clone();
        }
        hint
    }

    /// What the footer shows: the screen's keys (none under an overlay), then those of every
    /// screen.
    pub fn hints(&self) -> (Vec<Hint>, Vec<Hint>) {
        let screen = if self.loaded && self.overlay.is_none() {
            self.screen().hints()
        } else {
            Vec::new()
        };
        let global = self
            .global_bindings()
            .iter()
            .map(|b| self.hint_of(b))
            .collect();
        (screen, global)
    }
}
