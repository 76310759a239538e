//! Warnings about source files other users can read: what was copied where (0600), or how
//! to restrict a file that stays.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use super::found::Found;
use super::pairing::Chosen;
use super::writes::KeyPlan;
use crate::store::atomic::is_shared;
use crate::store::paths::Home;

/// One warning per source file others may read, naming the store's copy when there is one.
pub(super) fn warnings(
    home: &Home,
    found: &[Found],
    chosen: &Chosen<'_>,
    key_plan: Option<&KeyPlan>,
    shown: &dyn Fn(&Path) -> String,
) -> Vec<String> {
    let mut warnings = Vec::new();
    for (i, f) in found.iter().enumerate() {
        for file in &f.files {
            let secret_here = file == &f.path && f.api_secret.is_some();
            let key_here = f.key.as_ref().is_some_and(|k| &k.from == file);
            // A file beside the config (the `.key` of vonage_app.json) always holds a key.
            let sensitive = secret_here || key_here || file != &f.path;
            let mut copies = Vec::new();
            if secret_here && chosen.secret == Some(i) {
                copies.push(home.credentials_file());
            }
            if let Some(plan) = key_plan.filter(|p| key_here && p.from == i) {
                copies.push(plan.path.clone());
            }
            if let Some(w) = mode_warning(file, sensitive, &copies, shown) {
                warnings.push(w);
            }
        }
    }
    warnings
}

/// The warning for a file others may read, if it is one.
fn mode_warning(
    file: &Path,
    sensitive: bool,
    copies: &[PathBuf],
    shown: &dyn Fn(&Path) -> String,
) -> Option<String> {
    if !is_shared(file) {
        return None;
    }
    let mode = fs::metadata(file)
        .map(|m| m.permissions().mode() & 0o777)
        .unwrap_or(0);
    let head = format!(
        "{} is readable by other users (mode {mode:04o})",
        shown(file)
    );
    Some(if !copies.is_empty() {
        format!(
            "{head}; the imported copy is 0600 at {}; consider deleting the old file",
            copies
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(" and ")
        )
    } else if sensitive {
        format!(
            "{head} and holds a secret; restrict it (chmod 600 {}) or delete it",
            file.display()
        )
    } else {
        format!(
            "{head}; it holds no secret, but chmod 600 {} keeps it private",
            file.display()
        )
    })
}
