//! Fitting text to a width, by hand so the caller knows how many rows it takes (for scrolling
//! and for the status line's height): word wrap (a word longer than the row is broken), and a
//! cut that ends in `…` for rows that must stay one row (table rows, titles).

use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// `line` wrapped at word boundaries into rows for `width` columns, styles kept. The last
/// column stays free, so a word never touches a border (a row that does was cut, and shows
/// `…`). An empty line stays one empty row.
pub fn wrap_line(line: &Line<'static>, width: usize) -> Vec<Line<'static>> {
    wrap_hanging(line, width, None)
}

/// As `wrap_line`, with the rows after the first indented by `hang` columns (a key list's
/// sentence column) instead of the first row's own indent.
pub fn wrap_hanging(line: &Line<'static>, width: usize, hang: Option<usize>) -> Vec<Line<'static>> {
    let width = width.saturating_sub(1).max(1);
    let chars = styled_chars(line);
    // Rows after the first keep the first row's indent (when it leaves room for text).
    let indent: Vec<(char, Style)> = match hang {
        Some(n) => vec![(' ', Style::default()); n],
        None => chars
            .iter()
            .take_while(|(c, _)| *c == ' ')
            .copied()
            .collect(),
    };
    let indent = if indent.len() * 2 < width {
        indent
    } else {
        Vec::new()
    };
    let mut rows: Vec<Vec<(char, Style)>> = Vec::new();
    let mut rest: Vec<(char, Style)> = chars.clone();
    while rest.len() > width {
        // Break at the last space after a word that keeps the row within the width (not in
        // the indent), else mid-word.
        let lead = rest.iter().take_while(|(c, _)| *c == ' ').count();
        let cut = rest[..=width]
            .iter()
            .rposition(|(c, _)| *c == ' ')
            .filter(|at| *at > lead);
        let (row, next) = match cut {
            Some(at) => (rest[..at].to_vec(), rest[at + 1..].to_vec()),
            None => (rest[..width].to_vec(), rest[width..].to_vec()),
        };
        rows.push(row);
        rest = indent.iter().copied().chain(next).collect();
    }
    rows.push(rest);
    rows.into_iter().map(|row| line_of(&row)).collect()
}

/// Every character of `line` with the style it is drawn in (the line's style patched by its
/// span's).
fn styled_chars(line: &Line<'static>) -> Vec<(char, Style)> {
    line.spans
        .iter()
        .flat_map(|s| {
            let style = line.style.patch(s.style);
            s.content.chars().map(move |c| (c, style))
        })
        .collect()
}

/// Plain text wrapped into rows of at most `width` characters.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    wrap_line(&Line::from(text.to_owned()), width)
        .iter()
        .map(|l| l.to_string())
        .collect()
}

/// `line` in at most `width` characters: cut with `…` at the end when longer.
pub fn ellipsize(line: Line<'static>, width: usize) -> Line<'static> {
    let count: usize = line.spans.iter().map(|s| s.content.chars().count()).sum();
    if count <= width {
        return line;
    }
    let chars = styled_chars(&line);
    let mut kept: Vec<(char, Style)> = chars[..width.saturating_sub(1)].to_vec();
    // Never end on a space before the mark: `word …` reads as a whole word.
    while kept.last().is_some_and(|(c, _)| *c == ' ') {
        kept.pop();
    }
    if width > 0 {
        let style = kept.last().map_or_else(Style::default, |(_, s)| *s);
        kept.push(('…', style));
    }
    line_of(&kept)
}

/// `text` in at most `width` characters, with `…` when cut.
pub fn ellipsize_str(text: &str, width: usize) -> String {
    ellipsize(Line::from(text.to_owned()), width).to_string()
}

/// Consecutive characters of one style as one span.
fn line_of(chars: &[(char, Style)]) -> Line<'static> {
    let mut spans: Vec<Span<'static>> = Vec::new();
    let mut current = String::new();
    let mut style = None;
    for (c, s) in chars {
        if style.is_some_and(|st| st != *s) {
            spans.push(Span::styled(
                std::mem::take(&mut current),
                style.unwrap_or_default(),
            ));
        }
        style = Some(*s);
        current.push(*c);
    }
    if !current.is_empty() {
        spans.push(Span::styled(current, style.unwrap_or_default()));
    }
    Line::from(spans)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_wrap_and_long_words_break() {
        assert_eq!(wrap("one two three", 8), ["one two", "three"]);
        assert_eq!(wrap("abcdefghij", 5), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("", 4), [""]);
        assert_eq!(wrap("exactly", 8), ["exactly"]);
        assert_eq!(wrap("exactly", 7), ["exactl", "y"]);
        assert_eq!(wrap("  /a/long/path", 8), ["  /a/lo", "  ng/pa", "  th"]);
        assert_eq!(wrap("  one two three", 10), ["  one two", "  three"]);
    }

    #[test]
    fn a_cut_ends_in_an_ellipsis() {
        assert_eq!(ellipsize_str("client-sdk-minimal", 10), "client-sd…");
        assert_eq!(ellipsize_str("one two", 5), "one…");
        assert_eq!(ellipsize_str("short", 10), "short");
    }
}
