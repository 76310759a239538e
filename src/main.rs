//! Entry point: parse the command line, run it, turn any error into a message and exit code.
#![forbid(unsafe_code)]

use vonage_onboard::cli;

fn main() {
    if let Some(code) = cli::internal_mode() {
        std::process::exit(code as i32);
    }
    // Not `Cli::parse()`: its errors would quote a secret typed in the wrong place.
    let cli = cli::parse();
    let code = match cli::run(cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error}");
            error.exit_code()
        }
    };
    std::process::exit(code as i32);
}
