//! The header's step bar: `1 Account ✓ · 2 Application · 3 Users · 4 Tokens`, the current
//! step emphasised and done steps marked.

use ratatui::text::{Line, Span};

use crate::tui::screens::Step;
use crate::tui::theme::Theme;

/// `steps` in order, each with whether it is done.
pub fn step_bar(steps: &[(Step, bool)], current: Step, theme: Theme) -> Line<'static> {
    let mut spans = Vec::new();
    for (i, &(step, done)) in steps.iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" · ", theme.dim()));
        }
        let mark = if done { " ✓" } else { "" };
        let style = if step == current {
            theme.selected()
        } else if done {
            theme.success()
        } else {
            theme.dim()
        };
        spans.push(Span::styled(format!("{}{mark}", step.heading()), style));
    }
    Line::from(spans)
}
