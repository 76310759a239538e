//! `update(&mut Model, Msg) -> Vec<Effect>`: every rule of the wizard, pure (no IO, no clock:
//! time arrives as `Msg::Tick`). Answers for a request that is no longer in flight are dropped.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::effect::Effect;
use super::model::{Model, Overlay, Step};
use super::msg::{Failure, Msg, Outcome, WorkerEvent};
use super::screens::Nav;

pub fn update(model: &mut Model, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Key(key) => on_key(model, key),
        Msg::Paste(text) => on_paste(model, &text),
        Msg::Resize(..) => {}
        Msg::Tick(now) => model.now = now,
        Msg::Spin => model.ctl.spinner_frame = model.ctl.spinner_frame.wrapping_add(1),
        Msg::Worker(event) => on_worker(model, event),
        Msg::Copied { result, otherwise } => {
            let text = crate::clipboard::report(&result, otherwise);
            match result {
                Ok(method) if method.lasts() => model.ctl.success(text),
                // OSC 52 and a copy lost at exit: said plainly, without a tick.
                Ok(_) => model.ctl.info(text),
                Err(_) => model.ctl.error(text),
            }
        }
    }
    std::mem::take(&mut model.ctl.effects)
}

fn on_key(model: &mut Model, key: KeyEvent) {
    if key.kind == KeyEventKind::Release {
        return;
    }
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    if ctrl && key.code == KeyCode::Char('c') {
        model.quit = true;
        model.ctl.effects.push(Effect::Quit);
        return;
    }
    if model.overlay.is_some() {
        if matches!(
            key.code,
            KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q') | KeyCode::Char('?')
        ) {
            model.overlay = None;
        }
        return;
    }
    if key.code == KeyCode::Esc && model.ctl.is_busy() {
        // Only reads can be forgotten: a create whose answer were ignored could be made twice.
        match model.ctl.busy.take() {
            Some(busy) if busy.cancellable => {
                model
                    .ctl
                    .info(format!("Cancelled: {}", busy.label.trim_end_matches('…')));
            }
            other => {
                model.ctl.busy = other;
                model
                    .ctl
                    .info("This cannot be cancelled once sent; it is finishing.");
            }
        }
        return;
    }
    if !model.loaded {
        return;
    }
    let typing = is_typing(model);
    if key.code == KeyCode::F(1) || (key.code == KeyCode::Char('?') && !typing) {
        model.overlay = Some(Overlay::Help);
        return;
    }
    if key.code == KeyCode::Esc {
        let handled = match model.step {
            Step::Application => model.application.back(),
            Step::Tokens => model.tokens.back(),
            Step::Account | Step::Users => false,
        };
        if !handled && let Some(previous) = model.step.previous() {
            go_to(model, previous);
        }
        return;
    }
    if !typing && let KeyCode::Char(c @ '1'..='4') = key.code {
        let step = Step::ALL[c as usize - '1' as usize];
        if step <= model.first_unfinished() || model.is_done(step) {
            go_to(model, step);
        }
        return;
    }
    if key.code == KeyCode::Enter && model.ctl.is_busy() {
        model
            .ctl
            .info("Still working on the last request (Esc cancels it).");
        return;
    }
    let ctl = &mut model.ctl;
    let nav = match model.step {
        Step::Account => model.account.on_key(key, ctl),
        Step::Application => model.application.on_key(key, ctl),
        Step::Users => model.users.on_key(key, ctl),
        Step::Tokens => model.tokens.on_key(key, ctl, &mut model.overlay, model.now),
    };
    match nav {
        Nav::Stay => {}
        Nav::Next => {
            if let Some(next) = model.step.next() {
                go_to(model, next);
            }
        }
        Nav::Back => {
            if let Some(previous) = model.step.previous() {
                go_to(model, previous);
            }
        }
    }
}

fn is_typing(model: &Model) -> bool {
    match model.step {
        Step::Account => model.account.is_typing(),
        Step::Application => model.application.is_typing(),
        Step::Users => model.users.is_typing(),
        Step::Tokens => model.tokens.is_typing(),
    }
}

fn on_paste(model: &mut Model, text: &str) {
    match model.step {
        Step::Account => model.account.on_paste(text),
        Step::Application => model.application.on_paste(text),
        Step::Users => model.users.on_paste(text),
        Step::Tokens => model.tokens.on_paste(text),
    }
}

/// Moves to a step and starts what it needs (listing applications or users).
fn go_to(model: &mut Model, step: Step) {
    model.step = step;
    match step {
        Step::Account => {}
        Step::Application => model.application.enter(&mut model.ctl),
        Step::Users => model.users.enter(&mut model.ctl),
        Step::Tokens => model.tokens.sync(model.users.known()),
    }
}

fn on_worker(model: &mut Model, event: WorkerEvent) {
    // Only the request in flight counts; anything else was cancelled or superseded.
    if model.ctl.busy.as_ref().map(|b| b.id) != Some(event.id) {
        return;
    }
    model.ctl.busy = None;
    match event.result {
        Ok(outcome) => on_outcome(model, outcome),
        Err(failure) => on_failure(model, &failure),
    }
}

fn on_outcome(model: &mut Model, outcome: Outcome) {
    let ctl = &mut model.ctl;
    match outcome {
        Outcome::Loaded(snapshot) => {
            model.loaded = true;
            model.account.load(&snapshot);
            model.application.load(&snapshot);
            model.users.load(&snapshot);
            model.tokens.load(&snapshot);
            let mut step = model.first_unfinished();
            if !snapshot.problems.is_empty() {
                // The Application step shows the whole message (the file's path is long).
                model.ctl.error(
                    "A damaged file was found and left untouched: see the Application step.",
                );
                step = step.min(Step::Application);
            } else if step != Step::Account {
                model
                    .ctl
                    .info("Welcome back: this is where you left off. Esc goes back a step.");
            }
            go_to(model, step);
        }
        Outcome::Verified(summary) => {
            let balance = summary
                .balance
                .map(|b| format!(", balance €{b:.2}"))
                .unwrap_or_default();
            ctl.success(format!(
                "Verified API key {} ({} application(s){balance}) and stored it.",
                summary.api_key, summary.applications
            ));
            model.account.verified(summary);
            // New credentials: whatever was listed before may not be this account's.
            model.application.apps = None;
            go_to(model, Step::Application);
        }
        Outcome::Apps(apps) => model.application.apps = Some(apps),
        Outcome::AppReady {
            app,
            reconciled,
            note,
        } => {
            ctl.success(format!(
                "Application {} is ready; its private key is saved.",
                app.name
            ));
            model.application.ready(app, reconciled, note);
            model.users.reset();
            model.tokens.reset();
        }
        Outcome::Users(users) => model.users.listed = Some(users),
        Outcome::UserCreated(user) => model.users.created(user, ctl),
        Outcome::UserExists(user) => model.users.exists(user, ctl),
        Outcome::Minted {
            user,
            token,
            ttl,
            acl,
        } => {
            ctl.success(format!("New token for {user}, valid {ttl}: c copies it."));
            model.tokens.minted(&user, token, ttl, acl);
        }
        Outcome::Saved { path } => {
            ctl.success(format!("Saved to {} (0600).", path.display()));
            model.tokens.saved();
        }
    }
}

fn on_failure(model: &mut Model, failure: &Failure) {
    model.ctl.error(failure.message.clone());
    if !model.loaded {
        // The stored state could not be read: start from nothing rather than hang. Saving
        // reads the same files first, so nothing damaged gets overwritten.
        model.loaded = true;
        model.step = Step::Account;
        return;
    }
    match model.step {
        Step::Account => model.account.failed(failure),
        Step::Application => {
            if failure.refused && model.application.apps.is_none() {
                model.ctl.error(
                    "Vonage refused the stored credentials: press Esc, then c to change them.",
                );
            }
            model.application.failed(failure);
        }
        Step::Users => model.users.failed(failure),
        Step::Tokens => model.tokens.save_failed(&failure.message),
    }
}
