//! `update(&mut Model, Msg) -> Vec<Effect>`: pure (no IO, no clock: time arrives as
//! `Msg::Tick`). The keys of every screen are dispatched here from their table; everything
//! else goes to the current step's screen through the `Screen` trait, and every worker answer
//! to all screens. Answers for a request that is no longer in flight are dropped.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind};

use super::effect::Effect;
use super::keys;
use super::model::{Global, Model, Overlay, Step};
use super::msg::Msg;
use super::protocol::{Command, Failure, NOTICE, Outcome, Snapshot, WorkerEvent};
use super::screen::{Load, Nav};

pub fn update(model: &mut Model, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Key(key) => on_key(model, key),
        Msg::Paste(text) => {
            let step = model.step;
            model.screens.get_mut(step).on_paste(&text);
        }
        Msg::Resize(width, height) => model.size = (width, height),
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
    let global = keys::find(&model.global_bindings(), key).map(|b| b.action);
    if global == Some(Global::Quit) {
        model.quit = true;
        model.ctl.effects.push(Effect::Quit);
        return;
    }
    if model.overlay.is_some() {
        match global {
            Some(Global::Close) => model.overlay = None,
            Some(Global::Scroll) => scroll(model, key.code),
            Some(Global::Doctor) => doctor(model),
            _ => {}
        }
        return;
    }
    // A question on the step takes every key but Ctrl-C: only its answers act.
    if model.is_modal() {
        let step = model.step;
        if let Some(nav) = model.with_screen(step, |screen, ctx| screen.on_key(key, ctx)) {
            navigate(model, step, nav);
        }
        return;
    }
    if key.code == KeyCode::Esc && model.ctl.is_busy() {
        model.held_enter = None;
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
    if global == Some(Global::Help) {
        open(model, Overlay::Help);
        return;
    }
    if !model.loaded {
        return;
    }
    match global {
        Some(Global::Back) => {
            if let Some(previous) = model.step.previous() {
                leave(model);
                go_to(model, previous);
            }
            return;
        }
        Some(Global::GoTo) => {
            let named = match key.code {
                KeyCode::Char(c) => Step::numbered(c),
                _ => None,
            };
            match named {
                Some(step) if step == model.step => {}
                Some(step) if step <= model.first_unfinished() || model.is_done(step) => {
                    leave(model);
                    go_to(model, step);
                }
                // Said, not silently ignored: which step comes first.
                Some(step) => {
                    let first = model.first_unfinished();
                    model.ctl.info(format!(
                        "{} comes after {}: finish that first (press {}).",
                        step.title(),
                        first.title(),
                        first.number()
                    ));
                }
                None => {}
            }
            return;
        }
        Some(Global::Quit | Global::Close | Global::Scroll | Global::Help | Global::Doctor)
        | None => {}
    }
    if key.code == KeyCode::Enter && model.ctl.is_busy() {
        if model.ctl.busy.as_ref().is_some_and(|b| b.listing) {
            model.held_enter = Some((model.step, key));
            model
                .ctl
                .info("Still loading the list; Enter will act once it is in.");
        } else {
            model
                .ctl
                .info("Still working on the last request (Esc cancels it).");
        }
        return;
    }
    let step = model.step;
    let said = model.ctl.status.clone();
    if let Some(nav) = model.with_screen(step, |screen, ctx| screen.on_key(key, ctx)) {
        // A key that leaves the step takes the old step's message with it (unless the key
        // itself just said something).
        if matches!(nav, Nav::Next | Nav::Back) && model.ctl.status == said {
            leave(model);
        }
        navigate(model, step, nav);
    }
}

/// The status line belongs to the step it was said on.
fn leave(model: &mut Model) {
    model.ctl.status = None;
}

/// Carries out where `from`'s screen said to go.
fn navigate(model: &mut Model, from: Step, nav: Nav) {
    match nav {
        Nav::Stay => {}
        Nav::Next => {
            if let Some(next) = from.next() {
                go_to(model, next);
            }
        }
        Nav::Back => {
            if let Some(previous) = from.previous() {
                go_to(model, previous);
            }
        }
        Nav::Show(overlay) => open(model, overlay),
    }
}

/// `d` in the inspect view: the doctor's checks, through the worker (they ask Vonage).
fn doctor(model: &mut Model) {
    let Some(Overlay::Inspect { token, .. }) = &model.overlay else {
        return;
    };
    if model.ctl.is_busy() {
        model
            .ctl
            .info("Still working on the last request (Esc closes this view).");
        return;
    }
    let token = token.0.clone();
    model.ctl.send(
        "Running the doctor's checks with Vonage…",
        Command::Doctor { token },
    );
}

/// The doctor's report: under the inspected token when its view is still open (scrolled to
/// it), and its outcome in the status line either way.
fn doctored(model: &mut Model, report: &[String], passed: bool) {
    if passed {
        model
            .ctl
            .success("The doctor's checks all pass: a Client SDK login with it works.");
    } else {
        let first = report.first().cloned().unwrap_or_default();
        let problem = report
            .iter()
            .find(|l| l.starts_with('✗'))
            .cloned()
            .unwrap_or(first);
        // `✗ title     result` as `Doctor, title: result`.
        let problem = problem.trim_start_matches("✗ ");
        let text = match problem.split_once("  ") {
            Some((title, result)) => format!("Doctor, {}: {}", title.trim(), result.trim()),
            None => format!("Doctor: {problem}"),
        };
        model.ctl.error(text);
    }
    // After the status line is set: its height decides how far the view scrolls.
    if let Some(Overlay::Inspect { lines, .. }) = &mut model.overlay {
        lines.push(String::new());
        lines.push("token doctor:".to_owned());
        lines.extend(report.iter().cloned());
        model.scroll = super::view::overlay_scroll_max(model);
    }
}

/// Opens an overlay at its top.
fn open(model: &mut Model, overlay: Overlay) {
    model.overlay = Some(overlay);
    model.scroll = 0;
}

/// ↑↓ a row, PgUp/PgDn a page, Home/End the ends, within what the overlay holds.
fn scroll(model: &mut Model, code: KeyCode) {
    let max = super::view::overlay_scroll_max(model);
    let page = usize::from(model.size.1.saturating_sub(6)).max(1);
    let at = model.scroll.min(max);
    model.scroll = match code {
        KeyCode::Down => at + 1,
        KeyCode::Up => at.saturating_sub(1),
        KeyCode::PageDown => at + page,
        KeyCode::PageUp => at.saturating_sub(page),
        KeyCode::Home => 0,
        _ => max,
    }
    .min(max);
}

/// Moves to a step and starts what it needs (listing applications or users, say).
fn go_to(model: &mut Model, step: Step) {
    model.step = step;
    model.with_screen(step, |screen, ctx| screen.enter(ctx));
}

fn on_worker(model: &mut Model, event: WorkerEvent) {
    // A notice answers no request: every screen hears it, nothing in flight changes.
    if event.id == NOTICE {
        if let Ok(outcome) = &event.result {
            for &step in Step::ALL {
                model.with_screen(step, |screen, ctx| screen.on_answer(outcome, ctx));
            }
        }
        return;
    }
    // Only the request in flight counts; anything else was cancelled or superseded.
    if model.ctl.busy.as_ref().map(|b| b.id) != Some(event.id) {
        return;
    }
    model.ctl.busy = None;
    match event.result {
        Ok(Outcome::Loaded(snapshot)) => on_loaded(model, &snapshot),
        Ok(Outcome::Doctored { lines, passed }) => doctored(model, &lines, passed),
        Ok(outcome) => {
            // Every screen hears every answer; the first that moves decides where to.
            let mut nav = None;
            for &step in Step::ALL {
                let said = model.with_screen(step, |screen, ctx| screen.on_answer(&outcome, ctx));
                if said != Nav::Stay && nav.is_none() {
                    nav = Some((step, said));
                }
            }
            if let Some((from, nav)) = nav {
                navigate(model, from, nav);
            }
        }
        Err(failure) => on_failure(model, &failure),
    }
    // The Enter held back while a list loaded, now that it is in, on the screen it was for.
    if let Some((step, key)) = model.held_enter.take()
        && step == model.step
        && !model.ctl.is_busy()
    {
        on_key(model, key);
    }
}

fn on_loaded(model: &mut Model, snapshot: &Snapshot) {
    model.loaded = true;
    let mut attention = None;
    for &step in Step::ALL {
        if model.screens.get_mut(step).load(snapshot) == Load::Attention && attention.is_none() {
            attention = Some(step);
        }
    }
    let mut step = model.first_unfinished();
    if let Some(at) = attention {
        // That step shows the whole message (the file's path is long).
        model.ctl.error(format!(
            "A damaged file was found and left untouched: see the {} step.",
            at.title()
        ));
        step = step.min(at);
    } else if step != Step::first() {
        model
            .ctl
            .info("Welcome back: you left off here. Esc goes back a step.");
    }
    go_to(model, step);
}

fn on_failure(model: &mut Model, failure: &Failure) {
    model.ctl.error(failure.message.clone());
    if !model.loaded {
        // The stored state could not be read: start from nothing rather than hang. Saving
        // reads the same files first, so nothing damaged gets overwritten.
        model.loaded = true;
        model.step = Step::first();
        return;
    }
    let step = model.step;
    model.with_screen(step, |screen, ctx| screen.on_failure(failure, ctx));
}
