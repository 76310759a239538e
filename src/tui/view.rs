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

/// Smallest terminal the layout fits in.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 16;

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
    let [header, body, status, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(5),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);

    let mut title = vec![Span::styled("vonage-onboard  ", theme.accent())];
    let steps: Vec<BarStep> = Step::ALL
        .iter()
        .map(|s| BarStep {
            heading: s.heading(),
            done: model.is_done(*s),
            current: *s == model.step,
        })
        .collect();
    title.extend(step_bar(&steps, theme).spans);
    frame.render_widget(Paragraph::new(Line::from(title)), header);

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
    frame.render_widget(Paragraph::new(status_line(model, theme)), status);
    frame.render_widget(
        Paragraph::new(footer_line(model, footer.width, theme)),
        footer,
    );

    match &model.overlay {
        Some(Overlay::Help) => help::view(model, theme, centered(body, 96, 20), frame),
        Some(Overlay::Inspect { title, lines }) => {
            let area = centered(body, 90, lines.len() as u16 + 2);
            frame.render_widget(Clear, area);
            let text: Vec<Line> = lines.iter().map(|l| Line::from(l.as_str())).collect();
            frame.render_widget(
                Paragraph::new(text)
                    .wrap(Wrap { trim: false })
                    .block(Block::bordered().title(format!(" {title} · Esc closes "))),
                area,
            );
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
                format!("{title}: too long for this window; s saves it")
            };
            frame.render_widget(Paragraph::new(head_text).style(theme.dim()), head);
            frame.render_widget(
                Paragraph::new(token.to_owned()).wrap(Wrap { trim: false }),
                text,
            );
        }
        None => {}
    }
}

fn status_line(model: &Model, theme: Theme) -> Line<'static> {
    if let Some(busy) = &model.ctl.busy {
        let frame = SPINNER[model.ctl.spinner_frame % SPINNER.len()];
        // A create in flight cannot be recalled: no Esc hint for it.
        let hint = if busy.cancellable {
            "  (Esc cancels)"
        } else {
            ""
        };
        return Line::from(vec![
            Span::styled(format!("{frame} {}", busy.label), theme.accent()),
            Span::styled(hint, theme.dim()),
        ]);
    }
    match &model.ctl.status {
        Some(status) => {
            let (mark, style) = match status.tone {
                Tone::Info => ("", theme.text()),
                Tone::Success => ("✓ ", theme.success()),
                Tone::Error => ("✗ ", theme.error()),
            };
            Line::styled(format!("{mark}{}", status.text), style)
        }
        None => Line::from(""),
    }
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

/// A rectangle of at most `width`×`height`, centred in `area`.
fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}
