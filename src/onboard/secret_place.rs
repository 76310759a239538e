//! Which store keeps a profile's API secret: the keyring when one answers, else the file
//! (said, never silent); moving between them without a moment where neither holds it.

use secrecy::SecretString;

use crate::error::{Error, Result};
use crate::store::config::Config;
use crate::store::paths::{Home, ProfileName};
use crate::store::secret_store::{FileStore, SecretStore, StoreKind};

/// Where the user asked the secret to go (`--secret-store`, `VONAGE_ONBOARD_SECRET_STORE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretChoice {
    /// The system keyring when one answers, else `credentials.toml` (and it says so).
    Auto,
    /// The keyring or nothing: a refusing keyring is an error, the file is left as it was.
    Keyring,
    /// `credentials.toml` (0600); the keyring is not asked.
    File,
}

/// Where a secret went, with the sentence that tells the user, and why the keyring was not
/// used when it was passed over (for stderr: too long for the wizard's status line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    pub store: StoreKind,
    pub note: String,
    pub keyring_failure: Option<String>,
}

const IN_KEYRING: &str = "stored in the system keyring";
const IN_FILE: &str = "stored in credentials.toml (0600)";

/// Writes the profile's key and secret into the chosen store, records the store in
/// `config.toml`, and only then removes any older copy (the other store, or the keyring entry
/// of a previous key), so a crash leaves the secret in one place at least. `settings` runs on
/// the profile inside the same config update.
pub fn place_secret(
    home: &Home,
    profile: &ProfileName,
    api_key: &str,
    secret: &SecretString,
    choice: SecretChoice,
    keyring: &dyn SecretStore,
    settings: impl FnOnce(&mut crate::store::config::Profile),
) -> Result<Placement> {
    let file = FileStore { home };
    let placement = Config::update(home, |config| {
        // Read before anything is written: a corrupt credentials.toml stops us first.
        crate::store::secrets::Credentials::load(home)?;
        let before = config.profile(profile).cloned().unwrap_or_default();
        let placement = put(profile, api_key, secret, choice, &file, keyring)?;
        let entry = config.profile_mut(profile);
        entry.api_key = Some(api_key.to_owned());
        entry.secret_store = Some(placement.store);
        settings(entry);
        Ok((placement, before))
    });
    let (mut placement, before) = placement?;
    // The config names the new place: the old copies can go. Failing that is said, not lost.
    let _lock = crate::store::lock::lock(home)?;
    let mut leftovers = Vec::new();
    if placement.store == StoreKind::Keyring
        && let Err(e) = file.delete(profile, api_key)
    {
        leftovers.push(format!(
            "the old copy in credentials.toml was not removed: {e}"
        ));
    }
    if before.secret_store == Some(StoreKind::Keyring)
        && let Some(old_key) = before.api_key.as_deref()
        && (placement.store == StoreKind::File || old_key != api_key)
        && let Err(e) = keyring.delete(profile, old_key)
    {
        leftovers.push(format!("the old keyring entry was not removed: {e}"));
    }
    for leftover in leftovers {
        placement.note.push_str(&format!(" (warning: {leftover})"));
    }
    Ok(placement)
}

fn put(
    profile: &ProfileName,
    api_key: &str,
    secret: &SecretString,
    choice: SecretChoice,
    file: &FileStore,
    keyring: &dyn SecretStore,
) -> Result<Placement> {
    let in_file = |note: String, keyring_failure: Option<String>| -> Result<Placement> {
        file.put(profile, api_key, secret)?;
        Ok(Placement {
            store: StoreKind::File,
            note,
            keyring_failure,
        })
    };
    let in_keyring = Placement {
        store: StoreKind::Keyring,
        note: IN_KEYRING.to_owned(),
        keyring_failure: None,
    };
    match choice {
        SecretChoice::File => in_file(IN_FILE.to_owned(), None),
        SecretChoice::Keyring => {
            keyring.put(profile, api_key, secret).map_err(|e| {
                e.with_note(
                    "Nothing was changed. Unlock the keyring, or use --secret-store file to keep \
                     the secret in credentials.toml (0600).",
                )
            })?;
            Ok(in_keyring)
        }
        SecretChoice::Auto => match keyring.put(profile, api_key, secret) {
            Ok(()) => Ok(in_keyring),
            Err(e) => in_file(
                format!("no keyring available: {IN_FILE}"),
                Some(e.to_string()),
            ),
        },
    }
}

/// Whether `setup --secret-store keyring|file` is a move: nothing new to check (no key, secret
/// or sandbox given) on a profile that has a stored pair. The store to move it to, if so.
pub fn move_asked(
    home: &Home,
    profile: &ProfileName,
    choice: Option<SecretChoice>,
    new_pair_given: bool,
) -> Result<Option<StoreKind>> {
    let to = match choice {
        Some(SecretChoice::Keyring) => StoreKind::Keyring,
        Some(SecretChoice::File) => StoreKind::File,
        Some(SecretChoice::Auto) | None => return Ok(None),
    };
    if new_pair_given {
        return Ok(None);
    }
    let config = Config::load(home)?;
    let stored = config.profile(profile).is_some_and(|p| p.api_key.is_some());
    Ok(stored.then_some(to))
}

/// Moves a stored secret to `to` (`setup --secret-store` with nothing new to check): written
/// there first, then the config points at it, then the old copy goes.
pub fn move_secret(
    home: &Home,
    profile: &ProfileName,
    to: StoreKind,
    keyring: &dyn SecretStore,
) -> Result<Placement> {
    let config = Config::load(home)?;
    let stored = config.profile(profile).cloned().unwrap_or_default();
    let api_key = stored.api_key.clone().ok_or_else(|| no_pair(profile))?;
    let from = stored.secret_store.unwrap_or(StoreKind::File);
    let secret =
        read_secret(home, profile, &api_key, from, keyring)?.ok_or_else(|| no_pair(profile))?;
    if from == to {
        let note = if to == StoreKind::Keyring {
            IN_KEYRING
        } else {
            IN_FILE
        };
        return Ok(Placement {
            store: to,
            note: format!("already {note}"),
            keyring_failure: None,
        });
    }
    let choice = match to {
        StoreKind::Keyring => SecretChoice::Keyring,
        StoreKind::File => SecretChoice::File,
    };
    let mut placement = place_secret(home, profile, &api_key, &secret, choice, keyring, |_| {})?;
    placement.note = format!("moved: {}", placement.note);
    Ok(placement)
}

/// The secret from the store the config names; a keyring that lost it is an error that says
/// what to run, not a missing secret.
pub fn read_secret(
    home: &Home,
    profile: &ProfileName,
    api_key: &str,
    store: StoreKind,
    keyring: &dyn SecretStore,
) -> Result<Option<SecretString>> {
    match store {
        StoreKind::File => FileStore { home }.get(profile, api_key),
        StoreKind::Keyring => match keyring.get(profile, api_key)? {
            Some(secret) => Ok(Some(secret)),
            None => Err(Error::NotFound(format!(
                "config.toml says the system keyring holds the API secret of profile {:?} (key \
                 {api_key}), but it has no such entry: run `vonage-onboard setup` to store it again",
                profile.as_str()
            ))),
        },
    }
}

/// Deletes the profile's key and secret from every store (the keyring entry included).
pub fn forget_secret(
    home: &Home,
    profile: &ProfileName,
    keyring: &dyn SecretStore,
) -> Result<bool> {
    Config::update(home, |config| {
        let Some(entry) = config.profiles.get_mut(profile.as_str()) else {
            return Ok(false);
        };
        let had = entry.api_key.is_some();
        if let Some(key) = entry.api_key.as_deref()
            && entry.secret_store == Some(StoreKind::Keyring)
        {
            keyring.delete(profile, key)?;
        }
        FileStore { home }.delete(profile, "")?;
        entry.api_key = None;
        entry.secret_store = None;
        Ok(had)
    })
}

fn no_pair(profile: &ProfileName) -> Error {
    Error::NotFound(format!(
        "profile {:?} has no stored API key and secret: run `vonage-onboard setup`",
        profile.as_str()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::secret_store::KeyringStore;
    use secrecy::ExposeSecret;

    /// A home in a temp dir, the default profile, and a mock keyring.
    fn fixture() -> (tempfile::TempDir, Home, ProfileName, KeyringStore) {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::at(dir.path());
        (dir, home, ProfileName::default(), KeyringStore::mock())
    }

    /// Places `value` as the secret of API key abcd1234 in `profile`.
    fn place(
        home: &Home,
        profile: &ProfileName,
        keyring: &KeyringStore,
        value: &str,
        choice: SecretChoice,
    ) -> Result<Placement> {
        place_secret(
            home,
            profile,
            "abcd1234",
            &secret(value),
            choice,
            keyring,
            |_| {},
        )
    }

    fn secret(s: &str) -> SecretString {
        SecretString::from(s.to_owned())
    }

    fn file_text(home: &Home) -> String {
        std::fs::read_to_string(home.credentials_file()).unwrap_or_default()
    }

    #[test]
    fn auto_uses_the_keyring_records_it_and_leaves_no_secret_in_a_file() {
        let (_dir, home, profile, keyring) = fixture();
        let placed = place(&home, &profile, &keyring, "s3cr3t-auto", SecretChoice::Auto).unwrap();
        assert_eq!(placed.store, StoreKind::Keyring);
        assert_eq!(placed.note, "stored in the system keyring");
        let config = Config::load(&home).unwrap();
        assert_eq!(
            config.profile(&profile).unwrap().secret_store,
            Some(StoreKind::Keyring)
        );
        let config_text = std::fs::read_to_string(home.config_file()).unwrap();
        assert!(
            config_text.contains("secret_store = \"keyring\""),
            "{config_text}"
        );
        assert!(!config_text.contains("s3cr3t") && !file_text(&home).contains("s3cr3t"));
        let got = read_secret(&home, &profile, "abcd1234", StoreKind::Keyring, &keyring).unwrap();
        assert_eq!(got.unwrap().expose_secret(), "s3cr3t-auto");
    }

    #[test]
    fn a_refusing_keyring_falls_back_only_when_not_asked_for_and_says_so() {
        let (_dir, home, profile, keyring) = fixture();

        keyring.refuse_next(&profile, "abcd1234");
        let placed = place(&home, &profile, &keyring, "s3cr3t-one", SecretChoice::Auto).unwrap();
        assert_eq!(placed.store, StoreKind::File);
        assert_eq!(
            placed.note,
            "no keyring available: stored in credentials.toml (0600)"
        );
        let why = placed.keyring_failure.unwrap();
        assert!(
            why.contains("system keyring") && why.contains("locked"),
            "{why}"
        );
        assert!(file_text(&home).contains("s3cr3t-one"));

        // Asked for: an error, and the file and config exactly as they were.
        let config_before = std::fs::read(home.config_file()).unwrap();
        let file_before = file_text(&home);
        keyring.refuse_next(&profile, "abcd1234");
        let err = place(
            &home,
            &profile,
            &keyring,
            "s3cr3t-two",
            SecretChoice::Keyring,
        )
        .unwrap_err();
        assert!(err.to_string().contains("Nothing was changed"), "{err}");
        assert!(!err.to_string().contains("s3cr3t"));
        assert_eq!(std::fs::read(home.config_file()).unwrap(), config_before);
        assert_eq!(file_text(&home), file_before);
    }

    #[test]
    fn moving_file_to_keyring_and_back_keeps_the_secret_and_removes_the_old_copy() {
        let (_dir, home, profile, keyring) = fixture();
        let other = ProfileName::parse("other").unwrap();
        place_secret(
            &home,
            &other,
            "other111",
            &secret("other-secret"),
            SecretChoice::File,
            &keyring,
            |_| {},
        )
        .unwrap();
        place(&home, &profile, &keyring, "s3cr3t-move", SecretChoice::File).unwrap();
        assert!(file_text(&home).contains("s3cr3t-move"));

        let moved = move_secret(&home, &profile, StoreKind::Keyring, &keyring).unwrap();
        assert_eq!(moved.note, "moved: stored in the system keyring");
        assert!(!file_text(&home).contains("s3cr3t-move"));
        assert!(
            file_text(&home).contains("other-secret"),
            "other profiles stay"
        );
        let got = keyring.get(&profile, "abcd1234").unwrap().unwrap();
        assert_eq!(got.expose_secret(), "s3cr3t-move");
        let again = move_secret(&home, &profile, StoreKind::Keyring, &keyring).unwrap();
        assert_eq!(again.note, "already stored in the system keyring");

        let back = move_secret(&home, &profile, StoreKind::File, &keyring).unwrap();
        assert_eq!(back.store, StoreKind::File);
        assert!(
            keyring.get(&profile, "abcd1234").unwrap().is_none(),
            "keyring entry removed"
        );
        assert!(file_text(&home).contains("s3cr3t-move"));
    }

    #[test]
    fn a_failed_move_leaves_the_file_as_it_was() {
        let (_dir, home, profile, keyring) = fixture();
        place(&home, &profile, &keyring, "s3cr3t-stay", SecretChoice::File).unwrap();
        let before = (file_text(&home), std::fs::read(home.config_file()).unwrap());
        keyring.refuse_next(&profile, "abcd1234");
        move_secret(&home, &profile, StoreKind::Keyring, &keyring).unwrap_err();
        assert_eq!(
            (file_text(&home), std::fs::read(home.config_file()).unwrap()),
            before
        );
    }

    #[test]
    fn a_keyring_without_the_recorded_entry_says_what_to_run_and_forget_removes_the_entry() {
        let (_dir, home, profile, keyring) = fixture();
        place(
            &home,
            &profile,
            &keyring,
            "s3cr3t-gone",
            SecretChoice::Keyring,
        )
        .unwrap();
        assert!(forget_secret(&home, &profile, &keyring).unwrap());
        assert!(keyring.get(&profile, "abcd1234").unwrap().is_none());
        assert_eq!(
            Config::load(&home)
                .unwrap()
                .profile(&profile)
                .unwrap()
                .api_key,
            None
        );

        let err =
            read_secret(&home, &profile, "abcd1234", StoreKind::Keyring, &keyring).unwrap_err();
        assert_eq!(err.exit_code(), crate::error::ExitCode::NotFound);
        assert!(
            err.to_string().contains("run `vonage-onboard setup`"),
            "{err}"
        );
    }
}
