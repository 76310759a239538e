//! `view(&Model, &mut Frame)`: the frame is a function of the model. Header with the step
//! bar, the step's screen, the status line and the footer with the keys that work here.
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

use super::model::{Model, Overlay, Step, Tone};
use super::screens;
use super::theme::Theme;
use super::widgets::SPINNER;
use super::widgets::step_bar::step_bar;

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
    title.extend(step_bar(model, theme).spans);
    frame.render_widget(Paragraph::new(Line::from(title)), header);

    if !model.loaded {
        frame.render_widget(
            Paragraph::new("Reading what you did before…").block(Block::bordered()),
            body,
        );
    } else {
        match model.step {
            Step::Account => screens::account::view(model, theme, body, frame),
            Step::Application => screens::application::view(model, theme, body, frame),
            Step::Users => screens::users::view(model, theme, body, frame),
            Step::Tokens => screens::tokens::view(model, theme, body, frame),
        }
    }
    frame.render_widget(Paragraph::new(status_line(model, theme)), status);
    frame.render_widget(Paragraph::new(footer_line(model, theme)), footer);

    match &model.overlay {
        Some(Overlay::Help) => screens::help::view(theme, centered(body, 96, 20), frame),
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
        None => {}
    }
}

fn status_line(model: &Model, theme: Theme) -> Line<'static> {
    if let Some(busy) = &model.ctl.busy {
        let frame = SPINNER[model.ctl.spinner_frame % SPINNER.len()];
        return Line::from(vec![
            Span::styled(format!("{frame} {}", busy.label), theme.accent()),
            Span::styled("  (Esc cancels)", theme.dim()),
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

fn footer_line(model: &Model, theme: Theme) -> Line<'static> {
    if model.overlay.is_some() {
        return Line::from(vec![Span::styled("Esc", theme.key()), Span::raw(" close")]);
    }
    let keys = match model.step {
        Step::Account => model.account.keys(),
        Step::Application => model.application.keys(),
        Step::Users => model.users.keys(),
        Step::Tokens => model.tokens.keys(),
    };
    let mut spans = Vec::new();
    for (i, (key, what)) in keys.iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" · ", theme.dim()));
        }
        spans.push(Span::styled(*key, theme.key()));
        spans.push(Span::raw(format!(" {what}")));
    }
    Line::from(spans)
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
