//! `man`: the manual page (roff, from clap_mangen) with the exit codes, files and environment.

use clap::CommandFactory;

use super::Cli;
use crate::error::{Error, ExitCode, Result};

/// The sections clap does not know about, in roff. Kept beside the page so a new variable or
/// file is added in one place.
const EXTRA: &str = r#".SH "EXIT STATUS"
.TP
\fB0\fR
success
.TP
\fB1\fR
other failure (a damaged file, a keyring that refused)
.TP
\fB2\fR
usage or bad input
.TP
\fB3\fR
authentication refused or bad signature
.TP
\fB4\fR
not found (also: a keyring entry the config names is missing)
.TP
\fB5\fR
conflict
.TP
\fB6\fR
network
.TP
\fB7\fR
rejected by the API's validation
.SH FILES
Under the home (\fB\-\-home\fR, \fBVONAGE_ONBOARD_HOME\fR, else ~/.config/vonage\-onboard on Linux); the directory is 0700, every file 0600, written atomically.
.TP
\fIconfig.toml\fR
profiles: API key, API host, current application, and which store holds the API secret (never the secret).
.TP
\fIcredentials.toml\fR
API secrets of the profiles kept in the file store (no system keyring, or \fB\-\-secret\-store file\fR).
.TP
\fIprofiles/<profile>/state.json\fR
users, their token recipes and last tokens.
.TP
\fIprofiles/<profile>/apps/<app\-id>/private.key\fR
the application's private key (never overwritten), \fIapp.json\fR beside it.
.TP
system keyring
service \fBvonage\-onboard\fR, account \fIprofile\fR:\fIapi_key\fR (Secret Service, macOS Keychain, Windows Credential Manager).
.SH ENVIRONMENT
.TP
\fBVONAGE_API_KEY\fR, \fBVONAGE_API_SECRET\fR
the account's pair; used before the stored profile's.
.TP
\fBVONAGE_ONBOARD_HOME\fR
where config and state live.
.TP
\fBVONAGE_ONBOARD_PROFILE\fR
which stored account to use.
.TP
\fBVONAGE_ONBOARD_SECRET_STORE\fR
\fBkeyring\fR or \fBfile\fR: where a verified API secret is kept (default: the keyring when one answers).
.TP
\fBVONAGE_API_BASE\fR, \fBVONAGE_REGION\fR, \fBVONAGE_ALLOW_INSECURE_HTTP\fR
the API host, the Users API's region, plain http to another machine.
.TP
\fBVONAGE_APPLICATION_ID\fR, \fBVONAGE_PRIVATE_KEY_PATH\fR
the application (and its key) to use instead of the profile's current one.
"#;

/// Renders the whole page.
pub fn render() -> Vec<u8> {
    let man = clap_mangen::Man::new(Cli::command());
    let mut page = Vec::new();
    // Writing into a Vec cannot fail.
    man.render(&mut page).expect("rendering into memory");
    page.extend_from_slice(EXTRA.as_bytes());
    page
}

pub fn run() -> Result<ExitCode> {
    use std::io::Write;
    std::io::stdout()
        .write_all(&render())
        .map_err(|e| Error::Other(format!("could not write the manual page: {e}")))?;
    Ok(ExitCode::Ok)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_page_has_the_commands_options_and_our_sections() {
        let page = String::from_utf8(super::render()).unwrap();
        for needle in [
            ".TH vonage",
            ".SH OPTIONS",
            "secret\\-store",
            "setup",
            ".SH \"EXIT STATUS\"",
            ".SH FILES",
            ".SH ENVIRONMENT",
            "VONAGE_ONBOARD_SECRET_STORE",
        ] {
            assert!(page.contains(needle), "{needle} missing");
        }
    }
}
