//! Putting a token on the clipboard. For now through the terminal with OSC 52, which works
//! over SSH too; a native (arboard) clipboard joins with the wizard.

use std::io::{IsTerminal, Write};

use base64::Engine;

/// How a text reached the clipboard, so the user is told the truth about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CopyMethod {
    /// Sent as an OSC 52 escape: the terminal decides whether to honour it.
    Terminal,
}

impl CopyMethod {
    pub fn describe(self) -> &'static str {
        match self {
            CopyMethod::Terminal => "sent to terminal clipboard (OSC 52)",
        }
    }
}

/// The OSC 52 sequence that asks a terminal to put `text` on the system clipboard.
pub fn osc52_sequence(text: &str) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(text);
    format!("\x1b]52;c;{encoded}\x07")
}

/// Copies `text` through the terminal on stderr, or says why it cannot.
pub fn copy(text: &str) -> Result<CopyMethod, String> {
    let mut stderr = std::io::stderr();
    if !stderr.is_terminal() {
        return Err("clipboard not available (no terminal to send it through)".into());
    }
    stderr
        .write_all(osc52_sequence(text).as_bytes())
        .and_then(|()| stderr.flush())
        .map(|()| CopyMethod::Terminal)
        .map_err(|e| format!("clipboard not available ({e})"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn osc52_carries_base64() {
        assert_eq!(super::osc52_sequence("hi"), "\x1b]52;c;aGk=\x07");
    }
}
