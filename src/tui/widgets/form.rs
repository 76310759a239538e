//! Drawing a labelled form field: label, value with a cursor when focused, and the error
//! (ours, or the API's reason for that field) right beside it.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};

use super::text_field::TextField;
use super::wrap::wrap;
use crate::tui::theme::Theme;

/// Width of the label column.
pub const LABEL_WIDTH: usize = 18;

/// One field in `width` columns: the label, then `[value]` scrolled so the cursor stays in
/// view (`…` marks text beyond either end), then the error beside it when it fits, else on
/// the rows below. Returns the rows and, when focused, the cursor's column in the first row.
pub fn field_line(
    label: &str,
    field: &TextField,
    focused: bool,
    reveal: bool,
    error: Option<&str>,
    theme: Theme,
    width: u16,
) -> (Vec<Line<'static>>, Option<u16>) {
    let marker = if focused { "› " } else { "  " };
    // Always a space before the field, however long the label.
    let label = format!("{marker}{label:<width$} ", width = LABEL_WIDTH - 3);
    let label_width = label.chars().count();
    let style = if focused {
        theme.accent()
    } else {
        theme.text()
    };
    let shown: Vec<char> = field.display(reveal).chars().collect();
    // Room for the value between the brackets, the last column left free (at least a few
    // characters on a narrow screen).
    let room = usize::from(width).saturating_sub(label_width + 3).max(4);
    let cursor = if focused { field.cursor() } else { 0 };
    let start = if shown.len() < room {
        0
    } else {
        cursor.saturating_sub(room - 1)
    };
    let end = (start + room).min(shown.len());
    let mut window: Vec<char> = shown[start..end].to_vec();
    if start > 0 {
        window[0] = '…';
    }
    if end < shown.len()
        && let Some(last) = window.last_mut()
    {
        *last = '…';
    }
    let value: String = window.into_iter().collect();
    let used = label_width + value.chars().count() + 2;
    let mut spans = vec![
        Span::styled(label, style),
        Span::styled(format!("[{value}]"), style),
    ];
    let mut below = Vec::new();
    if let Some(error) = error {
        let beside = format!("  ✗ {error}");
        if used + beside.chars().count() <= usize::from(width) {
            spans.push(Span::styled(beside, theme.error()));
        } else {
            let indent = " ".repeat(LABEL_WIDTH);
            let rows = wrap(
                &format!("✗ {error}"),
                usize::from(width).saturating_sub(LABEL_WIDTH),
            );
            below.extend(
                rows.into_iter()
                    .map(|r| Line::styled(format!("{indent}{r}"), theme.error())),
            );
        }
    }
    let cursor = focused.then(|| (label_width + 1 + cursor - start) as u16);
    let mut lines = vec![Line::from(spans)];
    lines.extend(below);
    (lines, cursor)
}

/// A field that is always typed into beside a list (a filter): the list's row carries the one
/// `›`, so the field shows the terminal cursor but no marker.
pub fn input_line(
    label: &str,
    field: &TextField,
    theme: Theme,
    width: u16,
) -> (Line<'static>, Option<u16>) {
    let (mut lines, cursor) = field_line(label, field, true, true, None, theme, width);
    let mut line = lines.remove(0);
    if let Some(first) = line.spans.first_mut() {
        first.content = format!("  {label:<width$} ", width = LABEL_WIDTH - 3).into();
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

/// How many rows to skip so row `focus` of `total` shows in `height` rows (0 without a focus
/// or when all fit): the focused field and the rows just after it (its error) stay in view.
pub fn scroll_to(focus: Option<usize>, total: usize, height: u16) -> usize {
    let height = usize::from(height).max(1);
    match focus {
        Some(row) if total > height => {
            // Keep a row of what follows (an error under the field) when there is one.
            let want = (row + 2).min(total);
            want.saturating_sub(height).min(row)
        }
        _ => 0,
    }
}
