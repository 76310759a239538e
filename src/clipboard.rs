//! Putting a token on the clipboard so that it is still there when it is pasted: on X11 a
//! detached holder (this binary in a hidden mode) keeps it after the program exits; macOS and
//! Windows keep it themselves; else OSC 52 through the terminal (works over SSH); an
//! in-memory one for tests, or none (`--no-clipboard`). Callers are told which was used.

/// X11 (Linux, the BSDs): where a selection lives only as long as its owner.
#[cfg(all(
    unix,
    not(any(
        target_os = "macos",
        target_os = "ios",
        target_os = "android",
        target_os = "emscripten"
    ))
))]
pub mod holder;
/// Elsewhere the system clipboard keeps a copy by itself: no holder.
#[cfg(not(all(
    unix,
    not(any(
        target_os = "macos",
        target_os = "ios",
        target_os = "android",
        target_os = "emscripten"
    ))
)))]
#[path = "clipboard/no_holder.rs"]
pub mod holder;

use std::io::{IsTerminal, Write};
use std::sync::{Arc, Mutex};

/// How a text reached the clipboard, so the user is told the truth about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CopyMethod {
    /// On the clipboard, and a holder keeps it there after this program exits (X11).
    Kept,
    /// The system clipboard took it and keeps it by itself (macOS, Windows).
    Native,
    /// On the clipboard while the wizard runs only: no holder could take it (X11).
    UntilExit,
    /// Sent as an OSC 52 escape: the terminal decides whether to honour it.
    Terminal,
    /// The test clipboard.
    Memory,
}

impl CopyMethod {
    pub fn describe(self) -> &'static str {
        match self {
            CopyMethod::Kept => "copied (kept after exit)",
            CopyMethod::Native | CopyMethod::Memory => "copied",
            CopyMethod::UntilExit => "copied, but only until the wizard exits",
            CopyMethod::Terminal => {
                "sent to the terminal (OSC 52): works if your terminal supports it"
            }
        }
    }

    /// Whether the text is certainly on the clipboard and stays there after this program.
    pub fn lasts(self) -> bool {
        matches!(
            self,
            CopyMethod::Kept | CopyMethod::Native | CopyMethod::Memory
        )
    }
}

/// The sentence for the user: what happened, and where the copy may have failed, how else to
/// get the text (`otherwise`, e.g. "s saves it").
pub fn report(result: &Result<CopyMethod, String>, otherwise: &str) -> String {
    match result {
        Ok(method) if method.lasts() => method.describe().to_owned(),
        Ok(method) => format!("{}; {otherwise}", method.describe()),
        Err(why) => format!("not copied: {why}; {otherwise}"),
    }
}

/// The argument that starts the holder (the binary's only argument then).
pub const HOLDER_COMMAND: &str = "__clipboard-holder";

/// The hidden `__clipboard-holder` mode: serve a text read from stdin on the X11 clipboard.
pub fn run_holder() -> crate::error::ExitCode {
    holder::serve()
}

/// Anything that can take a copied text. An error is the reason it was not copied.
pub trait Clipboard: Send {
    fn copy(&mut self, text: &str) -> Result<CopyMethod, String>;
}

/// The OSC 52 sequence that asks a terminal to put `text` on the system clipboard
/// (crossterm's `CopyToClipboard`: base64 of the text, ended by ST).
pub fn osc52_sequence(text: &str) -> String {
    let mut sequence = String::new();
    crossterm::Command::write_ansi(
        &crossterm::clipboard::CopyToClipboard::to_clipboard_from(text),
        &mut sequence,
    )
    .expect("writing to a String cannot fail");
    sequence
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
        _ => return Err("no terminal for OSC 52".into()),
    };
    written
        .map(|()| CopyMethod::Terminal)
        .map_err(|e| format!("the terminal could not be written to ({e})"))
}

/// The real clipboard: on X11 a detached holder, on macOS and Windows the system clipboard,
/// else OSC 52 on `terminal`.
pub struct SystemClipboard {
    /// This process's own clipboard, opened on first use: the wizard's fallback on X11 when
    /// no holder can start, the clipboard itself on macOS and Windows.
    native: Option<arboard::Clipboard>,
    /// Whether this process lives on after the copy (the wizard), so its own clipboard is
    /// worth something when no holder can take the text.
    long_lived: bool,
    terminal: Terminal,
}

impl SystemClipboard {
    /// For the wizard: OSC 52 goes to stdout, where ratatui draws.
    pub fn for_wizard() -> Self {
        SystemClipboard {
            native: None,
            long_lived: true,
            terminal: Terminal::Stdout,
        }
    }

    /// For a one-shot command: OSC 52 goes to stderr, stdout is for the token.
    pub fn for_command() -> Self {
        SystemClipboard {
            native: None,
            long_lived: false,
            terminal: Terminal::Stderr,
        }
    }

    fn copy_in_process(&mut self, text: &str) -> Result<(), String> {
        let native = match self.native.take() {
            Some(native) => native,
            None => arboard::Clipboard::new().map_err(|e| e.to_string())?,
        };
        self.native
            .insert(native)
            .set_text(text.to_owned())
            .map_err(|e| e.to_string())
    }
}

impl Clipboard for SystemClipboard {
    /// X11: a holder, else (the wizard) this process's clipboard; macOS and Windows: the
    /// system clipboard; then OSC 52. Over SSH with no display, OSC 52 is the path.
    fn copy(&mut self, text: &str) -> Result<CopyMethod, String> {
        if !holder::SELECTIONS_DIE_WITH_THEIR_OWNER {
            return match self.copy_in_process(text) {
                Ok(()) => Ok(CopyMethod::Native),
                Err(why) => send_osc52(self.terminal, text)
                    .map_err(|osc| format!("no system clipboard ({why}), and {osc}")),
            };
        }
        let why = match holder::hand_over(text) {
            Ok(()) => return Ok(CopyMethod::Kept),
            Err(why) => why,
        };
        if self.long_lived && holder::display().is_ok() && self.copy_in_process(text).is_ok() {
            return Ok(CopyMethod::UntilExit);
        }
        send_osc52(self.terminal, text).map_err(|osc| format!("{why}, and {osc}"))
    }
}

/// `--no-clipboard`: nothing is ever copied.
pub struct NoClipboard;

impl Clipboard for NoClipboard {
    fn copy(&mut self, _text: &str) -> Result<CopyMethod, String> {
        Err("--no-clipboard".into())
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
        // The clipboard selection `c`, base64 of the text, and a string terminator.
        assert_eq!(osc52_sequence("hi"), "\x1b]52;c;aGk=\x1b\\");
    }

    #[test]
    fn the_report_adds_the_other_way_unless_the_copy_lasts() {
        let otherwise = "s saves it";
        assert_eq!(
            report(&Ok(CopyMethod::Kept), otherwise),
            "copied (kept after exit)"
        );
        assert_eq!(
            report(&Ok(CopyMethod::Terminal), otherwise),
            "sent to the terminal (OSC 52): works if your terminal supports it; s saves it"
        );
        assert_eq!(
            report(&Err("no display".into()), otherwise),
            "not copied: no display; s saves it"
        );
    }

    #[test]
    fn memory_clipboard_remembers() {
        let mut c = MemoryClipboard::default();
        assert_eq!(c.copy("x"), Ok(CopyMethod::Memory));
        assert_eq!(c.copied.lock().unwrap().as_slice(), ["x"]);
    }
}
