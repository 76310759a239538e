//! Everything `update` receives: keys and terminal events, the clock, and the worker's answers.

use std::path::PathBuf;

use crate::auth::acl::AclChoice;
use crate::auth::ttl::Ttl;
use crate::clipboard::CopyMethod;

use super::effect::{
    AccountSummary, AppSummary, CurrentApp, RequestId, Snapshot, TokenView, UserRow,
};

/// A successful answer.
#[derive(Debug, Clone)]
pub enum Outcome {
    Loaded(Snapshot),
    Verified(AccountSummary),
    Apps(Vec<AppSummary>),
    AppReady {
        app: CurrentApp,
        reconciled: bool,
        /// What the keys of earlier interrupted creates came to, when there were any.
        note: Option<String>,
    },
    Users(Vec<UserRow>),
    UserCreated(UserRow),
    /// The name was taken: here is the existing user, to offer instead.
    UserExists(UserRow),
    Minted {
        user: String,
        token: TokenView,
        ttl: Ttl,
        acl: AclChoice,
    },
    Saved {
        path: PathBuf,
    },
}

/// A failed command, ready to show: a sentence, and reasons per field where the API gave them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub message: String,
    pub fields: Vec<(String, String)>,
    /// 401/403: credentials refused.
    pub refused: bool,
}

/// The worker's answer to one request.
#[derive(Debug, Clone)]
pub struct WorkerEvent {
    pub id: RequestId,
    pub result: Result<Outcome, Failure>,
}

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
