//! The worker protocol: the commands the wizard sends (each with a `RequestId`), the answers
//! that come back (`WorkerEvent`: an `Outcome` or a `Failure`) and the data they carry. An
//! answer whose id is no longer the one in flight (the user pressed Esc) is dropped by `update`.

use std::path::PathBuf;

use secrecy::SecretString;

use crate::auth::acl::AclChoice;
use crate::auth::jwt::Token;
use crate::auth::ttl::Ttl;
use crate::onboard::applications::AppSpec;
use crate::onboard::users::NewUser;
use crate::region::Region;

/// Identifies one request to the worker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RequestId(pub u64);

/// The id of events that answer no request (a token the running server served): `update`
/// takes them whatever is in flight. Requests count from 1.
pub const NOTICE: RequestId = RequestId(0);

/// Work for the worker: every network call, key generation and file write.
#[derive(Debug, Clone)]
pub enum Command {
    /// Read what is stored, to resume where the developer left off.
    Load,
    /// Check a key/secret pair; store it when `store` and accepted.
    Verify {
        api_key: String,
        api_secret: SecretString,
        region: Region,
        store: bool,
    },
    ListApps,
    CreateApp(AppSpec),
    AdoptApp {
        id: String,
        key_path: PathBuf,
    },
    ListUsers,
    CreateUser(NewUser),
    Mint {
        user: String,
        ttl: Ttl,
        acl: AclChoice,
    },
    SaveToken {
        user: String,
        path: PathBuf,
    },
    /// Remembers a user's recipe (a TTL or ACL just chosen) without minting, so quitting
    /// before the next generate loses nothing. `changed` is echoed back for the message.
    SaveRecipe {
        user: String,
        ttl: Ttl,
        acl: AclChoice,
        changed: RecipePart,
    },
    /// Deletes a user at Vonage (by id, else name) and forgets its stored token.
    DeleteUser {
        user: String,
    },
    /// Writes `export env`'s `.env` (no secret) into `dir`, never over a file.
    ExportEnv {
        dir: PathBuf,
    },
    /// A pasted token through the shared verifier, its signature checked with the current
    /// application's key when it is that application's.
    Inspect {
        token: Token,
    },
    /// `token doctor`'s checks on a token (the API, the user, the ACL, the clock, a login).
    Doctor {
        token: Token,
    },
    /// Starts `token serve` in the wizard's process, for the current application.
    StartServe,
    /// Stops it.
    StopServe,
}

impl Command {
    /// Whether forgetting the answer (Esc) can neither lose nor double anything: reads, and a
    /// verification (storing the same accepted pair again is harmless). Creates, mints and
    /// saves cannot be forgotten; nor can the first `Load`: the wizard cannot start without it.
    pub fn can_be_forgotten(&self) -> bool {
        matches!(
            self,
            Command::ListApps
                | Command::ListUsers
                | Command::Verify { .. }
                | Command::Inspect { .. }
                | Command::Doctor { .. }
        )
    }

    /// Whether it writes a user's recipe (a mint does too): these run one after another in
    /// the order sent, so the last choice made is the one stored.
    pub fn keeps_order(&self) -> bool {
        matches!(self, Command::SaveRecipe { .. } | Command::Mint { .. })
    }

    /// Whether it only reads a list, so an Enter typed meanwhile can wait for it instead of
    /// being refused (the list is what the next step is chosen from or added to).
    pub fn is_listing(&self) -> bool {
        matches!(self, Command::ListApps | Command::ListUsers)
    }

    /// The command's name, for the log (its data may hold a secret).
    pub fn name(&self) -> &'static str {
        match self {
            Command::Load => "load",
            Command::Verify { .. } => "verify",
            Command::ListApps => "list-apps",
            Command::CreateApp(_) => "create-app",
            Command::AdoptApp { .. } => "adopt-app",
            Command::ListUsers => "list-users",
            Command::CreateUser(_) => "create-user",
            Command::Mint { .. } => "mint",
            Command::SaveToken { .. } => "save-token",
            Command::SaveRecipe { .. } => "save-recipe",
            Command::DeleteUser { .. } => "delete-user",
            Command::ExportEnv { .. } => "export-env",
            Command::Inspect { .. } => "inspect",
            Command::Doctor { .. } => "doctor",
            Command::StartServe => "start-serve",
            Command::StopServe => "stop-serve",
        }
    }
}

/// Which half of a recipe a key changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecipePart {
    Ttl,
    Acl,
}

/// A command with its id.
#[derive(Debug, Clone)]
pub struct Request {
    pub id: RequestId,
    pub command: Command,
}

/// The application the wizard works with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrentApp {
    pub id: String,
    pub name: String,
    pub key_path: PathBuf,
}

/// An application in the account's list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppSummary {
    pub id: String,
    pub name: String,
    /// Its private key as this profile stored it, when the file is there (no key to ask for).
    pub stored_key: Option<PathBuf>,
}

/// A user of the current application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    pub id: Option<String>,
    pub name: String,
    pub display_name: Option<String>,
}

/// A minted token and its times.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenView {
    pub token: Token,
    pub iat: u64,
    pub exp: u64,
}

/// A user's token settings and last token, as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredUser {
    pub name: String,
    pub id: Option<String>,
    pub ttl: Ttl,
    pub acl: AclChoice,
    pub token: Option<TokenView>,
}

impl StoredUser {
    /// A user with nothing stored for it yet: the stored default recipe, no token.
    pub fn without_recipe(name: &str, id: Option<String>) -> Self {
        let recipe = crate::store::state::Recipe::default();
        StoredUser {
            name: name.to_owned(),
            id,
            ttl: recipe.ttl,
            acl: recipe.acl,
            token: None,
        }
    }
}

/// A secret carried in a message: `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct Hidden(pub String);

impl std::fmt::Debug for Hidden {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Hidden(redacted)")
    }
}

/// What was done before, read at start.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Snapshot {
    pub api_key: Option<String>,
    pub has_secret: bool,
    pub region: Option<Region>,
    /// Pre-filled credentials (the sandbox's), never stored until verified.
    pub suggested_secret: Option<Hidden>,
    pub current_app: Option<CurrentApp>,
    pub users: Vec<StoredUser>,
    /// Damaged files met while loading, each message naming its file (left untouched).
    pub problems: Vec<String>,
}

/// The account, once verified.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountSummary {
    pub api_key: String,
    pub applications: u32,
    pub balance: Option<f64>,
    /// Where the secret went (`onboard::secret_place`'s sentence), when it was stored.
    pub stored: Option<String>,
}

/// Where a ready application's private key came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyOrigin {
    /// Made for this create, now saved.
    New,
    /// Kept by an earlier, interrupted create of the same application, now recorded.
    Kept,
    /// The file given to adopt, copied into this home.
    Copied,
    /// This home already had the application's key: adopting reused it.
    AlreadyStored,
}

/// A successful answer.
#[derive(Debug, Clone)]
pub enum Outcome {
    Loaded(Snapshot),
    Verified(AccountSummary),
    Apps(Vec<AppSummary>),
    AppReady {
        app: CurrentApp,
        /// Where its private key came from (the status line says it).
        key: KeyOrigin,
        reconciled: bool,
        /// What the keys of earlier interrupted creates came to, when there were any.
        note: Option<String>,
        /// The users stored for this application, with their recipes and last tokens.
        users: Vec<StoredUser>,
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
    /// A user's recipe is stored (for the next token).
    RecipeSaved {
        user: String,
        ttl: Ttl,
        acl: AclChoice,
        changed: RecipePart,
    },
    /// A user is gone (at Vonage and from the stored state).
    UserDeleted(UserRow),
    /// The `.env` was written with these variables (names only).
    Exported {
        path: PathBuf,
        variables: Vec<&'static str>,
    },
    /// A pasted token, inspected: the view's lines.
    Inspected {
        lines: Vec<String>,
        token: Token,
    },
    /// The doctor's report: one line per check (and its fix), and whether all passed.
    Doctored {
        lines: Vec<String>,
        passed: bool,
    },
    /// The token server is listening.
    Serving(ServeInfo),
    /// The token server stopped, having served this many tokens.
    ServeStopped {
        served: u64,
    },
    /// Not an answer: the running token server served a token (sent without a request).
    ServedCount(u64),
}

/// A running token server as the Tokens screen shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServeInfo {
    pub url: String,
    /// The run's access key: shown, since the app being built needs it (never logged).
    pub key: Hidden,
    pub application_id: String,
    pub served: u64,
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
