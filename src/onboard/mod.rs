//! The use cases, shared by the commands and the wizard's worker: each rule of the job
//! (which key signs, what a recipe remembers) lives here once.

pub mod account;
pub mod applications;
pub mod context;
pub mod doctor;
pub mod export;
pub mod import;
pub mod known_users;
pub mod names;
pub mod secret_place;
pub mod stored;
pub mod tokens;
pub mod users;

/// Where developers find their API key and secret.
pub const DASHBOARD_URL: &str = "https://dashboard.nexmo.com/settings";
