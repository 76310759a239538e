//! Everything `update` receives: keys and terminal events, the clock, and the worker's answers.

use crate::clipboard::CopyMethod;

use super::protocol::WorkerEvent;

/// Input to `update`: keys, terminal events, time, worker answers.
#[derive(Debug, Clone)]
pub enum Msg {
    Key(crossterm::event::KeyEvent),
    Paste(String),
    Resize(u16, u16),
    /// The clock, in Unix seconds: `update` never reads it itself.
    Tick(u64),
    /// Advance the spinner while something is in flight.
    Spin,
    Worker(WorkerEvent),
    /// How a copy went (the error says why it did not), and how else to get the value.
    Copied {
        result: Result<CopyMethod, String>,
        otherwise: &'static str,
    },
}
