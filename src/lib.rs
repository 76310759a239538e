//! vonage-onboard: get a Vonage Client SDK application, its users and their JWTs, from a
//! terminal. The binary is a thin shell over these modules so tests and benches use the same code.
#![forbid(unsafe_code)]

/// Keys, JWT minting and inspection, ACLs, TTLs.
pub mod auth;
/// Capped reads of user-supplied input.
pub mod bounded;
/// The command line: arguments, commands, output.
pub mod cli;
/// Copying tokens to the clipboard.
pub mod clipboard;
/// The clock (a leaf): Unix seconds now, and RFC 3339 for display.
pub mod clock;
/// The error type and exit codes.
pub mod error;
/// Ids (a leaf): the Vonage application id.
pub mod ids;
/// The optional log file.
pub mod logging;
/// The use cases shared by the commands and the wizard.
pub mod onboard;
/// How a refusal quotes what was typed (escaped, cut at 40 characters).
pub mod quote;
/// Vonage regions and their hosts.
pub mod region;
/// The embedded Vonage emulator (axum on 127.0.0.1).
pub mod sandbox;
/// `token serve`: fresh user JWTs over loopback HTTP (a front end over onboard, like cli and tui).
pub mod serve;
/// Connection serving shared by the sandbox and `token serve` (a leaf): timeouts, bounded bodies, graceful stop.
pub mod serving;
/// Files under the home directory.
pub mod store;
/// The interactive wizard.
pub mod tui;
/// The Vonage HTTP client.
pub mod vonage;
