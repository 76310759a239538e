//! The header's step bar: `1 Account ✓ · 2 Application · 3 Users · 4 Tokens`, the current
//! step emphasised and done steps marked.

use ratatui::text::{Line, Span};

use crate::tui::model::{Model, Step};
use crate::tui::theme::Theme;

pub fn step_bar(model: &Model, theme: Theme) -> Line<'static> {
    let mut spans = Vec::new();
    for (i, step) in Step::ALL.into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" · ", theme.dim()));
        }
        let done = if model.is_done(step) { " ✓" } else { "" };
        let text = format!("{} {}{done}", step.number(), step.title());
        let style = if step == model.step {
            theme.selected()
        } else if model.is_done(step) {
            theme.success()
        } else {
            theme.dim()
        };
        spans.push(Span::styled(text, style));
    }
    Line::from(spans)
}
