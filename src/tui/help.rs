//! The help overlay's text (`?`, F1; drawn and scrolled by `view`): every key that works on
//! this screen and on every screen, from the same tables the keys go through, then what the
//! wizard does (from the step list).

use ratatui::text::{Line, Span};

use super::keys::Hint;
use super::model::{Model, Step};
use super::theme::Theme;
use super::widgets::wrap::wrap_hanging;

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

/// The help's lines: this screen's keys first, one per row, then those of every screen, then
/// what the steps are.
pub fn lines(model: &Model, theme: Theme) -> Vec<Line<'static>> {
    let (screen, global) = entries(model);
    let width = screen
        .iter()
        .chain(&global)
        .map(|h| h.keys.chars().count())
        .max()
        .unwrap_or(0)
        .min(KEYS_COLUMN);
    let mut lines = Vec::new();
    if !screen.is_empty() {
        lines.push(Line::styled(
            format!("{}:", model.step.title()),
            theme.accent(),
        ));
        lines.extend(screen.iter().map(|h| entry(h, width, theme)));
    }
    lines.push(Line::styled("Everywhere:", theme.accent()));
    lines.extend(global.iter().map(|h| entry(h, width, theme)));
    lines.push(Line::from(""));
    lines.push(Line::from(
        "vonage-onboard walks you through what the Vonage Client SDK needs:",
    ));
    let step_width = Step::ALL
        .iter()
        .map(|s| s.heading().chars().count())
        .max()
        .unwrap_or(0);
    for step in Step::ALL {
        lines.push(Line::from(format!(
            "  {:step_width$}  {}",
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

/// The help wrapped to `width` columns: a key's sentence goes on under itself, not under
/// the key.
pub fn rows(model: &Model, theme: Theme, width: usize) -> Vec<Line<'static>> {
    let (screen, global) = entries(model);
    let hang = 2
        + screen
            .iter()
            .chain(&global)
            .map(|h| h.keys.chars().count())
            .max()
            .unwrap_or(0)
            .min(KEYS_COLUMN)
        + 2;
    lines(model, theme)
        .iter()
        .flat_map(|l| {
            let entry = l.spans.len() == 2 && l.spans[0].content.starts_with("  ");
            wrap_hanging(l, width, entry.then_some(hang))
        })
        .collect()
}

/// The widest the keys column gets (longer key lists push their sentence right).
const KEYS_COLUMN: usize = 14;

/// `  g/Enter      generate a token`.
pub fn entry(hint: &Hint, width: usize, theme: Theme) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("  {:width$}", hint.keys), theme.key()),
        Span::raw(format!("  {}", hint.help)),
    ])
}
