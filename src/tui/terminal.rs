//! Taking over the terminal and giving it back on every exit path: normal quit and errors
//! (the guard's Drop), panics (ratatui's hook, installed by `ratatui::try_init`), and SIGTERM /
//! SIGHUP (the shell loop turns them into a quit, so the guard runs).

use std::io::Stdout;

use crossterm::event::{DisableBracketedPaste, EnableBracketedPaste};
use crossterm::execute;
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

/// Restores the terminal when dropped.
pub struct TerminalGuard;

/// Raw mode, alternate screen, bracketed paste, and a panic hook that restores first.
pub fn enter() -> std::io::Result<(TerminalGuard, Terminal<CrosstermBackend<Stdout>>)> {
    let terminal = ratatui::try_init()?;
    let guard = TerminalGuard;
    execute!(std::io::stdout(), EnableBracketedPaste)?;
    Ok((guard, terminal))
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        let _ = execute!(std::io::stdout(), DisableBracketedPaste);
        ratatui::restore();
    }
}
