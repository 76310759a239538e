//! One writer at a time: an advisory lock on `<home>/.lock`, held around each load → change →
//! save, so two runs (two `token` commands, or the wizard and a command) cannot overwrite
//! each other's changes. Readers do not lock: every write is atomic, so they see a whole file.

use std::fs::{File, OpenOptions};
use std::os::unix::fs::OpenOptionsExt;

use super::atomic::FILE_MODE;
use super::paths::Home;
use crate::error::{Error, Result};

/// Held while changing the home's files; released when dropped (the file is closed).
#[derive(Debug)]
pub struct HomeLock {
    _file: File,
}

/// Waits for and takes the home's write lock.
pub fn lock(home: &Home) -> Result<HomeLock> {
    home.prepare()?;
    let path = home.root().join(".lock");
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .mode(FILE_MODE)
        .open(&path)
        .map_err(|e| Error::io("open the lock file", &path, e))?;
    file.lock().map_err(|e| Error::io("lock", &path, e))?;
    Ok(HomeLock { _file: file })
}
