//! How commands print: human text on a terminal, bare values on a pipe, one JSON document
//! with `--json`. Nothing here adds colour or escape codes to machine output.

use std::io::{IsTerminal, Write};

use serde_json::Value;

/// The output mode of this run.
#[derive(Debug, Clone, Copy)]
pub struct Output {
    pub json: bool,
    /// Whether stdout is a terminal (a person reads it).
    pub tty: bool,
}

impl Output {
    pub fn new(json: bool) -> Self {
        Output {
            json,
            tty: std::io::stdout().is_terminal(),
        }
    }

    /// Prints one JSON document and a newline.
    pub fn json(&self, value: &Value) {
        let text = serde_json::to_string_pretty(value).expect("JSON values always serialize");
        self.line(&text);
    }

    /// Prints a line to stdout; a closed pipe (`| head`) is not an error worth a panic.
    pub fn line(&self, text: &str) {
        let mut stdout = std::io::stdout().lock();
        let _ = writeln!(stdout, "{text}");
    }

    /// A note for people on stderr (never mixed into stdout, which scripts read).
    pub fn note(&self, text: &str) {
        eprintln!("{text}");
    }
}
