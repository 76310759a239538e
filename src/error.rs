//! The crate's one error type and its mapping to the exit codes of SPEC §2.2. The lower
//! layers' own errors (`vonage::CallError`, `vonage::ClientError`, `ids::BadAppId`) become
//! this type here, where the CLI's flags and commands may be named.

use std::path::PathBuf;

use crate::auth::verify::Verdict;
use crate::vonage::{CallError, ClientError, TransportFailure};

/// Exit codes, as documented in `--help` and the README.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    Ok = 0,
    Failure = 1,
    Usage = 2,
    AuthRefused = 3,
    NotFound = 4,
    Conflict = 5,
    Network = 6,
    Rejected = 7,
}

/// Everything that can go wrong, each variant carrying a message that says what to do next.
///
/// No variant ever holds a secret: messages name files and fields, never their contents.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad input from the user: a flag value, a name, a TTL, an ACL, a token.
    #[error("{0}")]
    Usage(String),
    /// A plain `http://` API base on another machine, without the override: credentials
    /// would cross the network in clear text. Named here, at the top, because the fix names
    /// a command-line flag.
    #[error(
        "refusing to send the API secret and tokens in clear text to {base}{}: plain http:// is \
         only for this machine (127.0.0.0/8, [::1], localhost); use https://, or \
         --allow-insecure-http if this really is a test server on a network you control",
        stored_in.as_deref().map(|s| format!(" (the API base stored in {s})")).unwrap_or_default()
    )]
    InsecureHttp {
        base: String,
        /// Where the base was stored (a profile in config.toml), when it came from there.
        stored_in: Option<String>,
    },
    /// A file the user pointed at (or one of ours) could not be used.
    #[error("{}: {message}", path.display())]
    File { path: PathBuf, message: String },
    /// A file of ours exists but does not parse: it is reported, never overwritten.
    #[error("{} is not valid: {message}. Fix or remove the file; it was left untouched.", path.display())]
    Corrupt { path: PathBuf, message: String },
    /// An I/O failure while reading or writing one of our files.
    #[error("could not {action} {}: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A signature did not verify, or credentials were refused.
    #[error("{0}")]
    AuthRefused(String),
    /// Something named does not exist.
    #[error("{0}")]
    NotFound(String),
    /// Something with that name already exists.
    #[error("{0}")]
    Conflict(String),
    /// The API could not be reached, or its answer was lost (timeout, refused, TLS).
    #[error("{0}")]
    Network(String),
    /// The API answered with an error.
    #[error("{0}")]
    Api(Box<crate::vonage::ApiError>),
    /// Another error, with what the user must know besides (where a key was kept, say).
    #[error("{source}\n{note}")]
    WithNote { source: Box<Error>, note: String },
    /// Anything else.
    #[error("{0}")]
    Other(String),
}

impl Error {
    pub fn usage(message: impl Into<String>) -> Self {
        Error::Usage(message.into())
    }

    pub fn file(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Error::File {
            path: path.into(),
            message: message.into(),
        }
    }

    pub fn io(action: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            action,
            path: path.into(),
            source,
        }
    }

    pub fn api(error: crate::vonage::ApiError) -> Self {
        Error::Api(Box::new(error))
    }

    /// Adds a note for the user; the exit code stays the original error's.
    pub fn with_note(self, note: impl Into<String>) -> Self {
        Error::WithNote {
            source: Box::new(self),
            note: note.into(),
        }
    }

    /// The exit code this error ends the process with.
    pub fn exit_code(&self) -> ExitCode {
        match self {
            Error::WithNote { source, .. } => source.exit_code(),
            Error::Usage(_) | Error::File { .. } | Error::InsecureHttp { .. } => ExitCode::Usage,
            Error::Corrupt { .. } | Error::Io { .. } | Error::Other(_) => ExitCode::Failure,
            Error::AuthRefused(_) => ExitCode::AuthRefused,
            Error::NotFound(_) => ExitCode::NotFound,
            Error::Conflict(_) => ExitCode::Conflict,
            Error::Network(_) => ExitCode::Network,
            Error::Api(api) => match api.status {
                401 | 403 => ExitCode::AuthRefused,
                404 => ExitCode::NotFound,
                409 => ExitCode::Conflict,
                400 | 422 => ExitCode::Rejected,
                _ => ExitCode::Failure,
            },
        }
    }
}

impl From<CallError> for Error {
    fn from(e: CallError) -> Self {
        match e {
            CallError::Api(api) => Error::Api(api),
            CallError::Transport {
                failure: TransportFailure::Connect,
                cause,
                ..
            } => Error::Network(format!(
                "could not connect to the Vonage API ({cause}); check your network or --api-base"
            )),
            transport @ CallError::Transport { .. } => Error::Network(transport.to_string()),
            bad @ CallError::BadAnswer { .. } => Error::Other(bad.to_string()),
            CallError::NoCredentials => Error::usage(
                "no API key and secret: run `vonage-onboard setup`, or set VONAGE_API_KEY and VONAGE_API_SECRET",
            ),
        }
    }
}

impl From<ClientError> for Error {
    fn from(e: ClientError) -> Self {
        match e {
            ClientError::BadBase(message) => Error::Usage(message),
            ClientError::InsecureHttp { base } => Error::InsecureHttp {
                base,
                stored_in: None,
            },
            tls @ ClientError::Tls(_) => Error::Other(tls.to_string()),
        }
    }
}

impl From<crate::ids::BadAppId> for Error {
    fn from(e: crate::ids::BadAppId) -> Self {
        Error::Usage(e.to_string())
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// README's exit code for a verdict of the one verifier (`token inspect`, the doctor's token
/// and clock lines).
pub fn verdict_exit(verdict: &Verdict) -> ExitCode {
    match verdict {
        Verdict::Valid { .. } => ExitCode::Ok,
        Verdict::Expired { .. } | Verdict::NotYetValid { .. } | Verdict::TooLongLived { .. } => {
            ExitCode::Failure
        }
        Verdict::Refused(_) | Verdict::BadSignature(_) | Verdict::WrongApplication(_) => {
            ExitCode::AuthRefused
        }
        Verdict::Malformed(_) => ExitCode::Usage,
    }
}
