//! Drawing a labelled form field: label, value with a cursor when focused, and the error
//! (ours, or the API's reason for that field) right beside it.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};

use super::text_field::TextField;
use crate::tui::theme::Theme;

/// Width of the label column.
pub const LABEL_WIDTH: usize = 18;

/// One field as a line; returns the cursor position within the line when focused.
pub fn field_line(
    label: &str,
    field: &TextField,
    focused: bool,
    reveal: bool,
    error: Option<&str>,
    theme: Theme,
) -> (Line<'static>, Option<u16>) {
    let marker = if focused { "› " } else { "  " };
    let label = format!("{marker}{label:<width$}", width = LABEL_WIDTH - 2);
    let shown = field.display(reveal);
    let mut spans = vec![
        Span::styled(
            label,
            if focused {
                theme.accent()
            } else {
                theme.text()
            },
        ),
        Span::styled(
            format!("[{shown}]"),
            if focused {
                theme.accent()
            } else {
                theme.text()
            },
        ),
    ];
    if let Some(error) = error {
        spans.push(Span::styled(format!("  ✗ {error}"), theme.error()));
    }
    let cursor = focused.then(|| (LABEL_WIDTH + 1 + field.cursor()) as u16);
    (Line::from(spans), cursor)
}

/// A field that is always typed into beside a list (a filter): the list's row carries the one
/// `›`, so the field shows the terminal cursor but no marker.
pub fn input_line(label: &str, field: &TextField, theme: Theme) -> (Line<'static>, Option<u16>) {
    let (mut line, cursor) = field_line(label, field, true, true, None, theme);
    if let Some(first) = line.spans.first_mut() {
        first.content = format!("  {label:<width$}", width = LABEL_WIDTH - 2).into();
    }
    (line, cursor)
}

/// A choice (toggle or cycle) as a line.
pub fn choice_line(label: &str, value: &str, focused: bool, theme: Theme) -> Line<'static> {
    let marker = if focused { "› " } else { "  " };
    let label = format!("{marker}{label:<width$}", width = LABEL_WIDTH - 2);
    let style = if focused {
        theme.accent()
    } else {
        theme.text()
    };
    Line::from(vec![
        Span::styled(label, style),
        Span::styled(format!("< {value} >"), style),
    ])
}

/// Shows the terminal cursor at (`row`, `column`) of `inner`, when that is inside it.
pub fn place_cursor(frame: &mut Frame, inner: Rect, cursor: Option<(usize, u16)>) {
    if let Some((row, column)) = cursor
        && (row as u16) < inner.height
        && column < inner.width
    {
        frame.set_cursor_position(Position::new(inner.x + column, inner.y + row as u16));
    }
}
