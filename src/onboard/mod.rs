//! The use cases, shared by the commands and the wizard's worker: each rule of the job
//! (which key signs, what a recipe remembers) lives here once.

pub mod context;
pub mod names;
pub mod tokens;

/// Now, in Unix seconds. The only clock read of the use cases; everything below takes `now`.
pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}
