//! Atomic, private file writes: temp file in the same directory, fsync, rename.
//!
//! Every file is created with mode 0600 from its first byte (never chmod-ed afterwards), so
//! there is no window in which a secret sits in a file others can read. A writer killed
//! between write and rename leaves its temp file (which may hold a token or a key): the next
//! write of the same target removes those older than a minute. Temp files are never read.

use std::collections::HashSet;
use std::fs::{self, DirBuilder, File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use crate::error::{Error, Result};

/// Mode of every file we write: only the owner reads it.
pub const FILE_MODE: u32 = 0o600;
/// Mode of every directory we create.
pub const DIR_MODE: u32 = 0o700;

/// Creates `dir` and any missing parents with mode 0700.
pub fn ensure_private_dir(dir: &Path) -> Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    DirBuilder::new()
        .recursive(true)
        .mode(DIR_MODE)
        .create(dir)
        .map_err(|e| Error::io("create directory", dir, e))
}

/// A temp file older than this belongs to no live writer (a write takes milliseconds).
const STALE_TEMP: Duration = Duration::from_secs(60);

/// Replaces `path` with `bytes` atomically; readers see the old or the new file, never a mix.
/// The files of a home are written under its lock (`store::lock`), so the stale temp files
/// removed here cannot be another run's write in progress, and are at least a minute old.
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    let temp = write_temp_beside(path, bytes)?;
    fs::rename(&temp, path).map_err(|e| {
        let _ = fs::remove_file(&temp);
        Error::io("replace", path, e)
    })?;
    remove_stale_temps(path);
    sync_parent(path)
}

/// Writes `bytes` to `path` only if nothing is there yet; an existing file is never touched.
///
/// The temp file is hard-linked to its final name, which fails atomically when the name
/// exists, so two writers racing for one key file cannot both win.
pub fn write_private_new(path: &Path, bytes: &[u8]) -> Result<()> {
    if path.exists() {
        return Err(Error::file(path, "already exists; it was not overwritten"));
    }
    let temp = write_temp_beside(path, bytes)?;
    let linked = fs::hard_link(&temp, path);
    let _ = fs::remove_file(&temp);
    match linked {
        Ok(()) => {
            remove_stale_temps(path);
            sync_parent(path)
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            Err(Error::file(path, "already exists; it was not overwritten"))
        }
        Err(e) => Err(Error::io("create", path, e)),
    }
}

/// Whether a file's permissions let anyone but its owner read or write it.
pub fn is_shared(path: &Path) -> bool {
    fs::metadata(path)
        .map(|m| m.permissions().mode() & 0o077 != 0)
        .unwrap_or(false)
}

fn write_temp_beside(path: &Path, bytes: &[u8]) -> Result<PathBuf> {
    let dir = match path.parent() {
        Some(dir) if dir.as_os_str().is_empty() => Path::new("."),
        Some(dir) => dir,
        None => return Err(Error::file(path, "has no parent directory")),
    };
    ensure_private_dir(dir)?;
    let prefix = temp_prefix(path).ok_or_else(|| Error::file(path, "is not a file name"))?;
    let temp = dir.join(format!("{prefix}{}", uuid::Uuid::new_v4().simple()));
    let result = (|| {
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(FILE_MODE)
            .open(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&temp);
        return Err(Error::io("write", path, e));
    }
    Ok(temp)
}

/// The temp name of a write of `path`: `.NAME.tmp-UUID` beside it.
fn temp_prefix(path: &Path) -> Option<String> {
    Some(format!(".{}.tmp-", path.file_name()?.to_string_lossy()))
}

/// Removes temp files of `path` left by killed writers (older than [`STALE_TEMP`]). Done once
/// per target and process: a command writes a file once, and a long-running sandbox need
/// not list its directory on every save. Failures are ignored: the write itself succeeded.
fn remove_stale_temps(path: &Path) {
    static CLEANED: Mutex<Option<HashSet<PathBuf>>> = Mutex::new(None);
    let first = CLEANED
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get_or_insert_with(HashSet::new)
        .insert(path.to_path_buf());
    if first {
        remove_stale_temps_now(path, STALE_TEMP);
    }
}

fn remove_stale_temps_now(path: &Path, older_than: Duration) {
    let Some(prefix) = temp_prefix(path) else {
        return;
    };
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        if !entry.file_name().to_string_lossy().starts_with(&prefix) {
            continue;
        }
        let stale = entry
            .metadata()
            .ok()
            .filter(fs::Metadata::is_file)
            .and_then(|m| m.modified().ok())
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > older_than);
        if stale {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Makes the rename itself durable.
fn sync_parent(path: &Path) -> Result<()> {
    if let Some(dir) = path.parent() {
        // A bare file name's parent is "": the current directory.
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| Error::io("sync directory", dir, e))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(path: &Path) -> u32 {
        fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    fn leftovers(dir: &Path) -> Vec<String> {
        fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains(".tmp-"))
            .collect()
    }

    #[test]
    fn write_private_creates_0600_file_in_0700_dirs_and_leaves_no_temp() {
        let home = tempfile::tempdir().unwrap();
        let path = home.path().join("a/b/secret.toml");
        write_private(&path, b"one").unwrap();
        write_private(&path, b"two").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(&home.path().join("a")), 0o700);
        assert_eq!(mode(&home.path().join("a/b")), 0o700);
        assert!(leftovers(&home.path().join("a/b")).is_empty());
    }

    fn plant(path: &Path, age: Duration) {
        fs::write(path, b"a token from a killed write").unwrap();
        let when = std::time::SystemTime::now() - age;
        File::options()
            .write(true)
            .open(path)
            .unwrap()
            .set_modified(when)
            .unwrap();
    }

    #[test]
    fn a_write_removes_its_target_s_stale_temp_files_and_nothing_else() {
        let home = tempfile::tempdir().unwrap();
        let dir = home.path();
        let old = Duration::from_secs(120);
        plant(&dir.join(".state.json.tmp-killed1"), old);
        plant(&dir.join(".state.json.tmp-killed2"), old);
        plant(&dir.join(".state.json.tmp-inflight"), Duration::ZERO);
        plant(&dir.join(".config.toml.tmp-killed"), old);
        plant(&dir.join(".other.tmp-x"), old);
        let state = dir.join("state.json");
        write_private(&state, b"{}").unwrap();
        let mut left = leftovers(dir);
        left.sort();
        assert_eq!(
            left,
            [
                ".config.toml.tmp-killed",
                ".other.tmp-x",
                ".state.json.tmp-inflight"
            ]
        );
        assert_eq!(fs::read(&state).unwrap(), b"{}", "never read as data");

        let key = dir.join("private.key");
        plant(&dir.join(".private.key.tmp-killed"), old);
        write_private_new(&key, b"key").unwrap();
        assert!(!dir.join(".private.key.tmp-killed").exists());
    }

    #[test]
    fn write_private_new_never_overwrites() {
        let home = tempfile::tempdir().unwrap();
        let path = home.path().join("private.key");
        write_private_new(&path, b"first").unwrap();
        let err = write_private_new(&path, b"second").unwrap_err();
        assert!(err.to_string().contains("already exists"), "{err}");
        assert_eq!(fs::read(&path).unwrap(), b"first");
        assert_eq!(mode(&path), 0o600);
        assert!(leftovers(home.path()).is_empty());
    }
}
