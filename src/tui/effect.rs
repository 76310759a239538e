//! What `update` asks the shell to do: send a request to the worker, copy, open a URL, quit.

use crate::auth::jwt::Token;

use super::protocol::Request;

/// What the shell must do after an update.
#[derive(Debug, Clone)]
pub enum Effect {
    Send(Request),
    /// Put a value on the clipboard; the shell answers with `Msg::Copied`.
    Copy {
        text: Token,
        /// How else to get the value, said when the copy may not have worked ("s saves it").
        otherwise: &'static str,
    },
    OpenUrl(String),
    Quit,
}
