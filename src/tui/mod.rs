//! The wizard: an Elm-style loop (`Model`, `Msg`, pure `update`, `view`) on ratatui +
//! crossterm, with an async worker for every network call and key generation. Each step is a
//! `Screen` (screen.rs) in the step list (screens/mod.rs); keys are tables (keys.rs).

pub mod app;
pub mod effect;
pub mod help;
pub mod inspect;
pub mod keys;
pub mod model;
pub mod msg;
pub mod protocol;
pub mod screen;
pub mod screens;
pub mod terminal;
pub mod theme;
pub mod update;
pub mod view;
pub mod widgets;
pub mod worker;

use crossterm::event::EventStream;

use crate::clipboard::Clipboard;
use crate::clock::unix_now;
use crate::error::{Error, Result};

/// Runs the wizard in this terminal until the user quits; the terminal is restored however
/// it ends.
pub async fn run(config: worker::WorkerConfig, clipboard: Box<dyn Clipboard>) -> Result<()> {
    let (_guard, terminal) = terminal::enter()
        .map_err(|e| Error::Other(format!("could not take over the terminal: {e}")))?;
    let worker = worker::spawn(config);
    let mut shell = app::Shell::new(
        terminal,
        model::Model::new(unix_now()),
        worker,
        clipboard,
        theme::Theme::from_env(),
    );
    shell.open_urls = true;
    shell.run(EventStream::new(), unix_now).await.map(|_| ())
}
