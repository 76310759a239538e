//! The help overlay's text (`?`, F1; drawn and scrolled by `view`): every key that works on
//! this screen and on every screen, from the same tables the keys go through, then what the
//! wizard does (from the step list).

use ratatui::text::{Line, Span};

use super::keys::{Hint, SEPARATOR};
use super::model::{Model, Step};
use super::theme::Theme;

/// The keys the help lists, for this screen and for every screen (the model's hints as if
/// no overlay were open).
pub fn entries(model: &Model) -> (Vec<Hint>, Vec<Hint>) {
    let screen = if model.loaded {
        model.screen().hints()
    } else {
        Vec::new()
    };
    let global = model
        .global_bindings_without_overlay()
        .iter()
        .map(|b| model.hint_of(b))
        .collect();
    (screen, global)
}

/// The help's lines: this screen's keys first (a short window cuts the end), then those of
/// every screen, then what the steps are.
pub fn lines(model: &Model, theme: Theme) -> Vec<Line<'static>> {
    let (screen, global) = entries(model);
    let mut lines = Vec::new();
    if !screen.is_empty() {
        lines.push(keys_line(
            &format!("{}:", model.step.title()),
            &screen,
            theme,
        ));
    }
    lines.push(keys_line("Everywhere:", &global, theme));
    lines.push(Line::from(""));
    lines.push(Line::from(
        "vonage-onboard walks you through what the Vonage Client SDK needs:",
    ));
    let width = Step::ALL
        .iter()
        .map(|s| s.heading().chars().count())
        .max()
        .unwrap_or(0);
    for step in Step::ALL {
        lines.push(Line::from(format!(
            "  {:width$}  {}",
            step.heading(),
            step.about()
        )));
    }
    lines.push(Line::from(""));
    lines.push(Line::from(
        "Everything you do is saved; reopening resumes at the first unfinished step.",
    ));
    lines.push(Line::from(
        "The same steps exist as commands for scripts: vonage-onboard --help",
    ));
    lines
}

/// `Tokens: g/Enter generate a token · …`, wrapped by the paragraph.
fn keys_line(heading: &str, hints: &[Hint], theme: Theme) -> Line<'static> {
    let mut spans = vec![Span::styled(format!("{heading} "), theme.accent())];
    for (i, hint) in hints.iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(SEPARATOR, theme.dim()));
        }
        spans.push(Span::styled(hint.keys.clone(), theme.key()));
        spans.push(Span::raw(format!(" {}", hint.help)));
    }
    Line::from(spans)
}
