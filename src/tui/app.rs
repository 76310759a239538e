//! The shell: owns the terminal, the event stream, the worker handle and the clipboard; feeds
//! `update` and carries out its effects; redraws only when something changed. Generic over
//! ratatui's `Backend`, so tests run the whole loop on `TestBackend`.

use std::time::Duration;

use crossterm::event::Event;
use futures_util::{Stream, StreamExt};
use ratatui::Terminal;
use ratatui::backend::Backend;

use super::effect::Effect;
use super::model::Model;
use super::msg::Msg;
use super::theme::Theme;
use super::update::update;
use super::view::view;
use super::worker::WorkerHandle;
use crate::clipboard::Clipboard;
use crate::error::{Error, Result};

pub struct Shell<B: Backend> {
    pub terminal: Terminal<B>,
    pub model: Model,
    worker: WorkerHandle,
    clipboard: Box<dyn Clipboard>,
    theme: Theme,
    /// Whether `OpenUrl` may start a browser (never in tests).
    pub open_urls: bool,
}

impl<B: Backend> Shell<B> {
    pub fn new(
        terminal: Terminal<B>,
        model: Model,
        worker: WorkerHandle,
        clipboard: Box<dyn Clipboard>,
        theme: Theme,
    ) -> Self {
        let mut shell = Shell {
            terminal,
            model,
            worker,
            clipboard,
            theme,
            open_urls: false,
        };
        // The model was created asking to read the stored state: start that now.
        for effect in std::mem::take(&mut shell.model.ctl.effects) {
            shell.execute(effect);
        }
        shell
    }

    pub fn draw(&mut self) -> Result<()> {
        let (model, theme) = (&self.model, self.theme);
        self.terminal
            .draw(|frame| view(model, theme, frame))
            .map(|_| ())
            .map_err(|e| Error::Other(format!("could not draw: {e}")))
    }

    /// Runs one message through `update` and carries out the effects.
    pub fn dispatch(&mut self, msg: Msg) {
        for effect in update(&mut self.model, msg) {
            self.execute(effect);
        }
    }

    fn execute(&mut self, effect: Effect) {
        match effect {
            Effect::Send(request) => {
                // A closed worker means the runtime is going down: nothing left to answer.
                let _ = self.worker.requests.send(request);
            }
            Effect::Copy { text, otherwise } => {
                let result = self.clipboard.copy(text.expose());
                self.dispatch(Msg::Copied { result, otherwise });
            }
            Effect::OpenUrl(url) => {
                let opened = self.open_urls && open_in_browser(&url);
                if !opened {
                    self.model.ctl.info(format!("Open {url} in your browser."));
                }
            }
            Effect::Quit => {}
        }
    }

    /// Waits for the request in flight (if any) and applies its answer; for tests and scripts.
    pub async fn settle(&mut self, limit: Duration) -> Result<()> {
        let deadline = tokio::time::Instant::now() + limit;
        while self.model.ctl.is_busy() {
            let event = tokio::time::timeout_at(deadline, self.worker.events.recv())
                .await
                .map_err(|_| Error::Other("the worker did not answer in time".into()))?
                .ok_or_else(|| Error::Other("the worker stopped".into()))?;
            self.dispatch(Msg::Worker(event));
        }
        self.draw()
    }

    /// Waits for the next worker event (a notice such as a token served, which no request
    /// waits for) and applies it; for tests.
    pub async fn next_event(&mut self, limit: Duration) -> Result<()> {
        let event = tokio::time::timeout(limit, self.worker.events.recv())
            .await
            .map_err(|_| Error::Other("no worker event in time".into()))?
            .ok_or_else(|| Error::Other("the worker stopped".into()))?;
        self.dispatch(Msg::Worker(event));
        self.draw()
    }

    /// The loop: input, worker answers, the 1 Hz clock while a countdown shows, the spinner
    /// while busy, and SIGTERM / SIGHUP as a quit. Idle means asleep: nothing wakes it.
    pub async fn run<S>(mut self, mut events: S, clock: fn() -> u64) -> Result<Model>
    where
        S: Stream<Item = std::io::Result<Event>> + Unpin,
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate()).map_err(|e| Error::Other(e.to_string()))?;
        let mut hangup = signal(SignalKind::hangup()).map_err(|e| Error::Other(e.to_string()))?;
        let mut clock_tick = tokio::time::interval(Duration::from_secs(1));
        clock_tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        let mut spinner = tokio::time::interval(Duration::from_millis(120));
        spinner.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        self.dispatch(Msg::Tick(clock()));
        // The window's size until the first resize event: how far an overlay scrolls.
        if let Ok(size) = self.terminal.size() {
            self.dispatch(Msg::Resize(size.width, size.height));
        }
        let mut dirty = true;
        loop {
            if dirty {
                self.draw()?;
            }
            if self.model.quit {
                return Ok(self.model);
            }
            let msg = tokio::select! {
                event = events.next() => match event {
                    Some(Ok(event)) => msg_of(event),
                    Some(Err(e)) => return Err(Error::Other(format!("terminal input failed: {e}"))),
                    None => return Ok(self.model),
                },
                Some(answer) = self.worker.events.recv() => Some(Msg::Worker(answer)),
                _ = clock_tick.tick(), if self.model.needs_clock() => Some(Msg::Tick(clock())),
                _ = spinner.tick(), if self.model.ctl.is_busy() => Some(Msg::Spin),
                _ = term.recv() => return Ok(self.model),
                _ = hangup.recv() => return Ok(self.model),
            };
            dirty = msg.is_some();
            if let Some(msg) = msg {
                self.dispatch(msg);
            }
        }
    }
}

/// Terminal events the wizard cares about.
pub fn msg_of(event: Event) -> Option<Msg> {
    match event {
        Event::Key(key) => Some(Msg::Key(key)),
        Event::Paste(text) => Some(Msg::Paste(text)),
        Event::Resize(w, h) => Some(Msg::Resize(w, h)),
        _ => None,
    }
}

/// Starts the desktop's browser, detached; false when there is none to start.
fn open_in_browser(url: &str) -> bool {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    std::process::Command::new(opener)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .is_ok()
}
