//! The help overlay (`?`): what the wizard does and every key, step by step.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use crate::tui::theme::Theme;

const HELP: &[&str] = &[
    "vonage-onboard walks you through what the Vonage Client SDK needs:",
    "  1 Account      your API key and secret, checked with Vonage and stored (secret 0600)",
    "  2 Application  an rtc application; its private key is saved here before Vonage is asked",
    "  3 Users        one user per person who logs in",
    "  4 Tokens       a signed JWT per user (at most 24 h), copied with one key, regenerated with r",
    "",
    "Everywhere:  Enter submit · Tab / Shift-Tab fields · Esc back or cancel · ? help · Ctrl-C quit",
    "Account:     Ctrl-R show/hide the secret · Ctrl-O open the dashboard · c change stored credentials",
    "Application: type to filter · ↑↓ PgUp PgDn choose · Enter select · Space toggles · c copy id",
    "Users:       Enter creates; Enter on an empty name goes on to tokens",
    "Tokens:      g generate · r regenerate · c copy · s save to a file · i inspect",
    "             t cycle TTL (15m, 1h, 6h, 24h, custom) · a cycle ACL (presets, custom JSON)",
    "",
    "Everything you do is saved; reopening resumes at the first unfinished step.",
    "The same steps exist as commands for scripts: vonage-onboard --help",
    "",
    "Esc closes this help.",
];

pub fn view(theme: Theme, area: Rect, frame: &mut Frame) {
    let lines: Vec<Line> = HELP.iter().map(|l| Line::from(*l)).collect();
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }).block(
            Block::bordered()
                .title(" Help ")
                .border_style(theme.accent()),
        ),
        area,
    );
}
