//! `view(&Model, &mut Frame)`: the frame is a function of the model. Header with the step
//! bar, the step's screen (drawn by its `Screen::render` from a `ViewCtx`), the status line
//! and the footer with the keys that work here, from the same tables the keys go through.
//!
//! ```text
//! vonage-onboard   1 Account ✓ · 2 Application · 3 Users · 4 Tokens
//! ┌ screen ─────────────────────────────────────────────────────┐
//! └─────────────────────────────────────────────────────────────┘
//! | Listing your applications…          (status line)
//! Enter select · Esc back · ? help      (footer)
//! ```

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::help;
use super::keys::{self, SEPARATOR};
use super::model::{Model, Overlay, Step, Tone};
use super::screen::ViewCtx;
use super::theme::Theme;
use super::widgets::SPINNER;
use super::widgets::step_bar::{BarStep, step_bar};
use super::widgets::wrap::{ellipsize, ellipsize_str, wrap_hanging, wrap_line};

/// Smallest terminal the layout fits in.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 16;

/// The frame's rows: header, body, status (one to three rows: a message wraps), footer.
pub struct Areas {
    pub header: Rect,
    pub body: Rect,
    pub status: Rect,
    pub footer: Rect,
}

/// Most rows the status line takes before it is cut with `…`.
const STATUS_ROWS: usize = 3;

pub fn areas(model: &Model, area: Rect) -> Areas {
    let status_rows = status_lines(model, Theme::plain(), area.width).len() as u16;
    let [header, body, status, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(5),
        Constraint::Length(status_rows),
        Constraint::Length(1),
    ])
    .areas(area);
    Areas {
        header,
        body,
        status,
        footer,
    }
}

pub fn view(model: &Model, theme: Theme, frame: &mut Frame) {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        let text = format!(
            "Make the window larger: vonage-onboard needs {MIN_WIDTH}×{MIN_HEIGHT}, this is {}×{}. Ctrl-C quits.",
            area.width, area.height
        );
        frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), area);
        return;
    }
    let Areas {
        header,
        body,
        status,
        footer,
    } = areas(model, area);
    frame.render_widget(
        Paragraph::new(header_line(model, header.width, theme)),
        header,
    );

    if !model.loaded {
        frame.render_widget(
            Paragraph::new("Reading what you did before…").block(Block::bordered()),
            body,
        );
    } else {
        let facts = model.screens.facts();
        let ctx = ViewCtx {
            now: model.now,
            busy: model.ctl.is_busy(),
            app_name: facts.app_name.as_deref(),
            theme,
            title: model.step.heading(),
        };
        model.screen().render(&ctx, body, frame);
    }
    frame.render_widget(
        Paragraph::new(status_lines(model, theme, status.width)),
        status,
    );
    frame.render_widget(
        Paragraph::new(footer_line(model, footer.width, theme)),
        footer,
    );

    match &model.overlay {
        Some(Overlay::Help | Overlay::Inspect { .. }) => {
            // The whole body, so nothing under it shows beside it; long texts scroll.
            let (title, lines) = overlay_text(model, theme, body.width.saturating_sub(2));
            let inner_height = usize::from(body.height.saturating_sub(2));
            let top = model.scroll.min(lines.len().saturating_sub(inner_height));
            let more = lines.len() > top + inner_height;
            let shown: Vec<Line> = lines.into_iter().skip(top).take(inner_height).collect();
            frame.render_widget(Clear, body);
            let mut block = Block::bordered()
                .title(ellipsize_str(
                    &title,
                    usize::from(body.width.saturating_sub(2)),
                ))
                .border_style(theme.accent());
            if more || top > 0 {
                let hint = if more { " ↓ more " } else { " ↑ more " };
                block = block.title_bottom(Line::from(hint).right_aligned());
            }
            frame.render_widget(Paragraph::new(shown).block(block), body);
        }
        Some(Overlay::Raw { title, token }) => {
            // Every row but the footer, no border: the rows under the title hold the token and
            // nothing else (a small window needs all of them for a 700-character token).
            let full = frame.area();
            let area = Rect {
                height: full.height.saturating_sub(1),
                ..full
            };
            frame.render_widget(Clear, area);
            let [head, text] =
                Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
            let token = token.0.expose();
            let width = usize::from(text.width.max(1));
            let fits = token.len().div_ceil(width) <= usize::from(text.height);
            let head_text = if fits {
                format!("{title} · Esc closes · select it with the mouse")
            } else {
                format!("{title} does not fit here: Esc, then s saves it")
            };
            frame.render_widget(
                Paragraph::new(ellipsize_str(&head_text, usize::from(head.width)))
                    .style(theme.dim()),
                head,
            );
            frame.render_widget(
                Paragraph::new(token.to_owned()).wrap(Wrap { trim: false }),
                text,
            );
        }
        None => {}
    }
}

/// The title and the rows (wrapped to `width`) of the help or the inspect overlay.
pub fn overlay_text(model: &Model, theme: Theme, width: u16) -> (String, Vec<Line<'static>>) {
    let w = usize::from(width);
    let (title, lines) = match &model.overlay {
        Some(Overlay::Help) => {
            return (
                " Help · Esc closes ".to_owned(),
                help::rows(model, theme, w),
            );
        }
        Some(Overlay::Inspect { title, lines, .. }) => (
            format!(" {title} · Esc closes "),
            lines.iter().map(|l| Line::from(l.clone())).collect(),
        ),
        _ => (String::new(), Vec::new()),
    };
    let rows = lines
        .iter()
        .flat_map(|l| wrap_hanging(l, w, check_hang(&l.to_string())))
        .collect();
    (title, rows)
}

/// A doctor's line (`✓ title   result`) goes on under its result, not under the mark.
fn check_hang(line: &str) -> Option<usize> {
    let rest = line
        .strip_prefix("✓ ")
        .or_else(|| line.strip_prefix("✗ "))
        .or_else(|| line.strip_prefix("? "))?;
    let gap = rest.find("  ")?;
    let result = gap + rest[gap..].len() - rest[gap..].trim_start().len();
    Some(2 + rest[..result].chars().count())
}

/// How far the open overlay can scroll in the model's window (0 when it all fits).
pub fn overlay_scroll_max(model: &Model) -> usize {
    let (width, height) = model.size;
    let body = areas(model, Rect::new(0, 0, width, height)).body;
    let (_, lines) = overlay_text(model, Theme::plain(), body.width.saturating_sub(2));
    lines
        .len()
        .saturating_sub(usize::from(body.height.saturating_sub(2)))
}

/// `vonage-onboard  1 Account ✓ · 2 Application · …`, shortened to fit: the name goes first,
/// then the titles of the steps other than the current one (their numbers and ticks stay).
fn header_line(model: &Model, width: u16, theme: Theme) -> Line<'static> {
    let steps = |titles: bool| -> Vec<BarStep> {
        Step::ALL
            .iter()
            .map(|s| BarStep {
                heading: if titles || *s == model.step {
                    s.heading()
                } else {
                    s.number().to_string()
                },
                done: model.is_done(*s),
                current: *s == model.step,
            })
            .collect()
    };
    let brand = Span::styled("vonage-onboard  ", theme.accent());
    let candidates = [
        Some(brand.clone())
            .into_iter()
            .chain(step_bar(&steps(true), theme).spans)
            .collect(),
        step_bar(&steps(true), theme).spans,
        step_bar(&steps(false), theme).spans,
    ];
    let fits = |spans: &Vec<Span<'static>>| {
        spans
            .iter()
            .map(|s| s.content.chars().count())
            .sum::<usize>()
            <= usize::from(width)
    };
    let chosen: Vec<Span<'static>> = candidates
        .iter()
        .find(|c| fits(c))
        .cloned()
        .unwrap_or_else(|| step_bar(&steps(false), theme).spans);
    ellipsize(Line::from(chosen), usize::from(width))
}

/// The status line: the request in flight, or the last message, wrapped over up to three
/// rows (cut with `…` past that).
fn status_lines(model: &Model, theme: Theme, width: u16) -> Vec<Line<'static>> {
    let w = usize::from(width);
    if let Some(busy) = &model.ctl.busy {
        let frame = SPINNER[model.ctl.spinner_frame % SPINNER.len()];
        // A create in flight cannot be recalled: no Esc hint for it.
        let hint = if busy.cancellable {
            "  (Esc cancels)"
        } else {
            ""
        };
        let line = Line::from(vec![
            Span::styled(format!("{frame} {}", busy.label), theme.accent()),
            Span::styled(hint, theme.dim()),
        ]);
        return vec![ellipsize(line, w)];
    }
    let Some(status) = &model.ctl.status else {
        return vec![Line::from("")];
    };
    let (mark, style) = match status.tone {
        Tone::Info => ("", theme.text()),
        Tone::Success => ("✓ ", theme.success()),
        Tone::Error => ("✗ ", theme.error()),
    };
    let mut rows = wrap_line(&Line::styled(format!("{mark}{}", status.text), style), w);
    if rows.len() > STATUS_ROWS {
        let rest: Vec<String> = rows[STATUS_ROWS - 1..]
            .iter()
            .map(|l| l.to_string())
            .collect();
        rows.truncate(STATUS_ROWS - 1);
        rows.push(ellipsize(Line::styled(rest.join(" "), style), w));
    }
    rows
}

/// The footer: the hints that fit, lowest priority dropped first; help and quit always stay.
fn footer_line(model: &Model, width: u16, theme: Theme) -> Line<'static> {
    let mut spans = Vec::new();
    for (i, hint) in footer(model, width).into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(SEPARATOR, theme.dim()));
        }
        spans.push(Span::styled(hint.key, theme.key()));
        spans.push(Span::raw(format!(" {}", hint.label)));
    }
    Line::from(spans)
}

/// The footer's hints at `width` columns: the screen's, then those of every screen.
pub fn footer(model: &Model, width: u16) -> Vec<keys::Hint> {
    let (screen, global) = model.hints();
    let all: Vec<keys::Hint> = screen.into_iter().chain(global).collect();
    keys::fit(&all, width as usize)
        .into_iter()
        .cloned()
        .collect()
}

/// The footer as text, for tests and the README.
pub fn footer_text(model: &Model, width: u16) -> String {
    footer(model, width)
        .iter()
        .map(|h| format!("{} {}", h.key, h.label))
        .collect::<Vec<_>>()
        .join(SEPARATOR)
}
