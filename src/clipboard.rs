//! Putting a token on the clipboard: the native clipboard (arboard, kept alive for the
//! program's life as X11 and Wayland need), else OSC 52 through the terminal (works over SSH),
//! an in-memory one for tests, or none (`--no-clipboard`). Callers are told which was used.

use std::io::{IsTerminal, Write};
use std::sync::{Arc, Mutex};

use base64::Engine;

/// How a text reached the clipboard, so the user is told the truth about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CopyMethod {
    /// The system clipboard took it.
    Native,
    /// Sent as an OSC 52 escape: the terminal decides whether to honour it.
    Terminal,
    /// The test clipboard.
    Memory,
}

impl CopyMethod {
    pub fn describe(self) -> &'static str {
        match self {
            CopyMethod::Native | CopyMethod::Memory => "copied",
            CopyMethod::Terminal => "sent to terminal clipboard (OSC 52)",
        }
    }
}

/// Anything that can take a copied text.
pub trait Clipboard: Send {
    fn copy(&mut self, text: &str) -> Result<CopyMethod, String>;
}

/// The OSC 52 sequence that asks a terminal to put `text` on the system clipboard.
pub fn osc52_sequence(text: &str) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(text);
    format!("\x1b]52;c;{encoded}\x07")
}

/// Where OSC 52 is written: the stream the terminal is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Terminal {
    Stdout,
    Stderr,
}

fn send_osc52(target: Terminal, text: &str) -> Result<CopyMethod, String> {
    let sequence = osc52_sequence(text);
    let written = match target {
        Terminal::Stdout if std::io::stdout().is_terminal() => {
            let mut out = std::io::stdout();
            out.write_all(sequence.as_bytes())
                .and_then(|()| out.flush())
        }
        Terminal::Stderr if std::io::stderr().is_terminal() => {
            let mut err = std::io::stderr();
            err.write_all(sequence.as_bytes())
                .and_then(|()| err.flush())
        }
        _ => return Err("clipboard not available (no display, no terminal)".into()),
    };
    written
        .map(|()| CopyMethod::Terminal)
        .map_err(|e| format!("clipboard not available ({e})"))
}

/// The system clipboard when there is one, else OSC 52 on `terminal`.
pub struct SystemClipboard {
    native: Option<arboard::Clipboard>,
    terminal: Terminal,
}

impl SystemClipboard {
    /// Opens the native clipboard once; without a display it stays `None` and OSC 52 is used.
    pub fn new(terminal: Terminal) -> Self {
        SystemClipboard {
            native: arboard::Clipboard::new().ok(),
            terminal,
        }
    }

    /// For a one-shot command: an X11 clipboard empties when the process exits, so go
    /// through the terminal when there is one.
    pub fn for_command() -> Self {
        let terminal_first = std::io::stderr().is_terminal();
        SystemClipboard {
            native: if terminal_first {
                None
            } else {
                arboard::Clipboard::new().ok()
            },
            terminal: Terminal::Stderr,
        }
    }
}

impl Clipboard for SystemClipboard {
    fn copy(&mut self, text: &str) -> Result<CopyMethod, String> {
        if let Some(native) = self.native.as_mut()
            && native.set_text(text.to_owned()).is_ok()
        {
            return Ok(CopyMethod::Native);
        }
        send_osc52(self.terminal, text)
    }
}

/// `--no-clipboard`: nothing is ever copied.
pub struct NoClipboard;

impl Clipboard for NoClipboard {
    fn copy(&mut self, _text: &str) -> Result<CopyMethod, String> {
        Err("not copied: --no-clipboard".into())
    }
}

/// A clipboard for tests: remembers what was copied.
#[derive(Clone, Default)]
pub struct MemoryClipboard {
    pub copied: Arc<Mutex<Vec<String>>>,
}

impl Clipboard for MemoryClipboard {
    fn copy(&mut self, text: &str) -> Result<CopyMethod, String> {
        self.copied
            .lock()
            .map_err(|_| "clipboard lock poisoned".to_owned())?
            .push(text.to_owned());
        Ok(CopyMethod::Memory)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osc52_carries_base64() {
        assert_eq!(osc52_sequence("hi"), "\x1b]52;c;aGk=\x07");
    }

    #[test]
    fn memory_clipboard_remembers() {
        let mut c = MemoryClipboard::default();
        assert_eq!(c.copy("x"), Ok(CopyMethod::Memory));
        assert_eq!(c.copied.lock().unwrap().as_slice(), ["x"]);
    }
}
