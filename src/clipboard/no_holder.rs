//! macOS and Windows: the system clipboard keeps a copied text after its owner exits, so
//! there is no holder; these answer for the X11 holder's functions.

use crate::error::ExitCode;

/// The system clipboard keeps the text by itself.
pub const SELECTIONS_DIE_WITH_THEIR_OWNER: bool = false;

pub fn display() -> Result<(), String> {
    Err("no X11 display on this system".into())
}

pub fn hand_over(_text: &str) -> Result<(), String> {
    Err("the system clipboard keeps copies by itself here".into())
}

pub fn serve() -> ExitCode {
    eprintln!("error: the clipboard holder is only used on X11");
    ExitCode::Usage
}
