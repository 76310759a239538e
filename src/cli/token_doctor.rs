//! `token doctor [TOKEN|-]`: reads a token (stdin by default), runs `onboard::doctor`'s
//! checks against the API (or `--sandbox`), prints one line per check, exits with the code
//! of the first check that did not pass.

use super::Session;
use super::net;
use crate::clock::unix_now;
use crate::error::{Error, ExitCode, Result};
use crate::onboard::doctor::{Doctor, Report, Status};

pub fn run(session: &mut Session, arg: Option<String>) -> Result<ExitCode> {
    let text = super::token::read_token_arg(
        arg,
        "pipe the token in (a token in the arguments is visible in ps): vonage-onboard token alice | vonage-onboard token doctor",
    )?;
    let token = text.trim();
    if token.is_empty() {
        return Err(Error::usage(
            "no token on stdin: pipe one in, e.g. `vonage-onboard token alice | vonage-onboard token doctor`",
        ));
    }
    // The key of the context is used only when it is the token's application; a missing
    // context is no error here (the token names its application).
    let context = session.app_context().ok();
    let report = net::runtime()?.block_on(async {
        // As every networked command does: the session names the sandbox, its client asks it.
        let embedded = if session.global.sandbox {
            let (running, target) = super::sandbox::start_embedded(&session.home).await?;
            session.sandbox = Some(target);
            Some(running)
        } else {
            None
        };
        let client = session.client()?;
        let doctor = Doctor {
            home: &session.home,
            profile: &session.profile,
            client: &client,
            context: context.as_ref(),
        };
        let report = session
            .spin(
                "Checking the token with Vonage…",
                doctor.diagnose(token, unix_now()),
            )
            .await;
        if let Some(running) = embedded {
            running.stop().await;
        }
        Ok::<Report, Error>(report)
    })?;
    print(session, &report);
    Ok(report.exit_code())
}

fn print(session: &Session, report: &Report) {
    let out = &session.out;
    if out.json {
        out.json(&report.to_json());
    } else {
        for line in report.lines() {
            out.line(&line);
        }
    }
    // The report went to stdout; the first problem is also said on stderr, as every
    // command says why it failed.
    if let Some(problem) = report.first_problem() {
        let title = problem.id.title();
        match problem.status {
            Status::NotRun => {
                eprintln!("error: the {title} check could not run: {}", problem.result)
            }
            _ => eprintln!("error: {title}: {}", problem.result),
        }
    }
}
