//! Capped reads of anything a user can point us at (key, ACL, token, secret, config and
//! import files): at most `cap` bytes are read, whatever size a file reports (0 for devices
//! and pipes), so `/dev/zero` or an endless pipe is refused instead of exhausting memory.

use std::fs::File;
use std::io::{BufRead, Read};
use std::path::Path;

use secrecy::zeroize::Zeroizing;

use crate::error::Error;

/// Why a capped read gave nothing.
#[derive(Debug)]
pub enum ReadError {
    /// More than `cap` bytes were there.
    TooLarge {
        cap: usize,
    },
    IsDirectory,
    Io(std::io::Error),
}

impl ReadError {
    /// The error for a file, saying it is not `what` ("a PEM key", "an ACL file").
    pub fn for_file(self, path: &Path, what: &str) -> Error {
        let message = match self {
            ReadError::TooLarge { cap } => {
                format!("is larger than {}, too large to be {what}", size(cap))
            }
            ReadError::IsDirectory => format!("is a directory, not {what}"),
            ReadError::Io(e) => match e.kind() {
                std::io::ErrorKind::NotFound => "no such file".into(),
                std::io::ErrorKind::PermissionDenied => "permission denied".into(),
                _ => format!("cannot be read ({e})"),
            },
        };
        Error::file(path, message)
    }

    /// The error for standard input, saying what was being read ("the token").
    pub fn for_stdin(self, what: &str) -> Error {
        match self {
            ReadError::TooLarge { cap } => Error::usage(format!(
                "{what} on stdin is longer than {}; nothing was used",
                size(cap)
            )),
            ReadError::IsDirectory => Error::usage(format!("{what}: stdin is a directory")),
            ReadError::Io(e) => Error::usage(format!("could not read {what} from stdin: {e}")),
        }
    }
}

impl From<std::io::Error> for ReadError {
    fn from(e: std::io::Error) -> Self {
        if e.raw_os_error() == Some(21) {
            // EISDIR: a directory opened for reading fails only when read.
            ReadError::IsDirectory
        } else {
            ReadError::Io(e)
        }
    }
}

/// Everything `reader` has, if it is at most `cap` bytes. One byte past the cap is read to
/// tell "exactly full" from "more".
pub fn read_all(reader: impl Read, cap: usize) -> Result<Zeroizing<Vec<u8>>, ReadError> {
    read_expecting(reader, cap, STREAM_ROOM)
}

/// What a stream (stdin) is given up front: room for any secret or token without regrowth,
/// which would leave an unzeroed copy behind.
const STREAM_ROOM: usize = 8 * 1024;

/// `read_all` with room for `expected` bytes up front. Zeroizing clears the whole capacity
/// on drop, so the room follows the input instead of the cap (a 1 MiB reserve cost a 1 MiB
/// memset per small file).
fn read_expecting(
    reader: impl Read,
    cap: usize,
    expected: usize,
) -> Result<Zeroizing<Vec<u8>>, ReadError> {
    let room = expected.saturating_add(1).min(cap.saturating_add(1));
    let mut bytes = Zeroizing::new(Vec::with_capacity(room));
    reader.take(cap as u64 + 1).read_to_end(&mut bytes)?;
    if bytes.len() > cap {
        return Err(ReadError::TooLarge { cap });
    }
    Ok(bytes)
}

/// The whole file at `path`, if it is at most `cap` bytes.
pub fn read_file(path: &Path, cap: usize) -> Result<Zeroizing<Vec<u8>>, ReadError> {
    let file = File::open(path)?;
    let meta = file.metadata()?;
    if meta.is_dir() {
        return Err(ReadError::IsDirectory);
    }
    // A file says its size (a device or pipe says 0, and gets a stream's room).
    let expected = usize::try_from(meta.len()).unwrap_or(usize::MAX);
    read_expecting(file, cap, expected.max(STREAM_ROOM.min(cap)))
}

/// The first line of `reader` without its line ending, if it is at most `cap` bytes (the
/// ending included).
pub fn read_line(reader: impl BufRead, cap: usize) -> Result<Zeroizing<String>, ReadError> {
    let mut bytes = Zeroizing::new(Vec::with_capacity(cap.saturating_add(1).min(STREAM_ROOM)));
    reader.take(cap as u64 + 1).read_until(b'\n', &mut bytes)?;
    if bytes.last() == Some(&b'\n') {
        bytes.pop();
    } else if bytes.len() > cap {
        return Err(ReadError::TooLarge { cap });
    }
    if bytes.last() == Some(&b'\r') {
        bytes.pop();
    }
    match std::str::from_utf8(&bytes) {
        Ok(text) => Ok(Zeroizing::new(text.to_owned())),
        Err(_) => Err(ReadError::Io(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "it is not UTF-8 text",
        ))),
    }
}

/// `64 KiB`, `1 MiB`, or bytes.
fn size(bytes: usize) -> String {
    if bytes >= 1 << 20 && bytes.is_multiple_of(1 << 20) {
        format!("{} MiB", bytes >> 20)
    } else if bytes >= 1 << 10 && bytes.is_multiple_of(1 << 10) {
        format!("{} KiB", bytes >> 10)
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_up_to_the_cap_and_refuses_one_byte_more() {
        assert_eq!(&*read_all(&b"abcd"[..], 4).unwrap(), b"abcd");
        assert!(matches!(
            read_all(&b"abcde"[..], 4),
            Err(ReadError::TooLarge { cap: 4 })
        ));
        // An endless source stops at the cap.
        assert!(matches!(
            read_all(std::io::repeat(0), 1 << 16),
            Err(ReadError::TooLarge { .. })
        ));
    }

    #[test]
    fn a_line_is_capped_without_its_ending() {
        assert_eq!(&*read_line(&b"secret\r\nmore"[..], 8).unwrap(), "secret");
        assert_eq!(&*read_line(&b"secret"[..], 6).unwrap(), "secret");
        assert!(matches!(
            read_line(&b"secret!"[..], 6),
            Err(ReadError::TooLarge { .. })
        ));
        assert!(matches!(
            read_line(std::io::BufReader::new(std::io::repeat(b'x')), 100),
            Err(ReadError::TooLarge { .. })
        ));
    }

    #[test]
    fn devices_and_directories_are_refused_by_what_is_read_not_their_size() {
        let err = read_file(Path::new("/dev/zero"), 1024).unwrap_err();
        assert!(matches!(err, ReadError::TooLarge { cap: 1024 }), "{err:?}");
        let message = err
            .for_file(Path::new("/dev/zero"), "a PEM key")
            .to_string();
        assert_eq!(
            message,
            "/dev/zero: is larger than 1 KiB, too large to be a PEM key"
        );
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            read_file(dir.path(), 10),
            Err(ReadError::IsDirectory)
        ));
        assert!(
            read_file(&dir.path().join("none"), 10)
                .unwrap_err()
                .for_file(Path::new("x"), "a key")
                .to_string()
                .contains("no such file")
        );
    }
}
