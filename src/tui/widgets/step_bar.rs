//! The header's step bar: `1 Account ✓ · 2 Application · 3 Users · 4 Tokens`, the current
//! step emphasised and done steps marked.

use ratatui::text::{Line, Span};

use crate::tui::theme::Theme;

/// One step as the bar shows it.
pub struct BarStep {
    /// `2 Application`.
    pub heading: String,
    pub done: bool,
    pub current: bool,
}

pub fn step_bar(steps: &[BarStep], theme: Theme) -> Line<'static> {
    let mut spans = Vec::new();
    for (i, step) in steps.iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" · ", theme.dim()));
        }
        let mark = if step.done { " ✓" } else { "" };
        let style = if step.current {
            theme.selected()
        } else if step.done {
            theme.success()
        } else {
            theme.dim()
        };
        spans.push(Span::styled(format!("{}{mark}", step.heading), style));
    }
    Line::from(spans)
}
