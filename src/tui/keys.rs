//! Key bindings as data: each screen has tables of (keys, action, label, priority). The same
//! table picks the action for a key press, fills the footer and lists the help, so the three
//! cannot drift apart.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// One key a binding answers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    /// This key, whatever the modifiers (a Ctrl binding for the same character wins).
    Code(KeyCode),
    /// Ctrl and this character.
    Ctrl(char),
    /// A digit naming a step (`1` … the number of steps).
    StepNumber,
    /// Any key no other binding of the table takes: it goes to the focused text field.
    Other,
}

/// Shorthands for the tables.
const NEXT_FIELD_KEYS: &[Key] = &[code(KeyCode::Tab), code(KeyCode::Down)];
const PREVIOUS_FIELD_KEYS: &[Key] = &[code(KeyCode::BackTab), code(KeyCode::Up)];

pub const fn code(code: KeyCode) -> Key {
    Key::Code(code)
}

pub const fn ch(c: char) -> Key {
    Key::Code(KeyCode::Char(c))
}

pub const fn ctrl(c: char) -> Key {
    Key::Ctrl(c)
}

impl Key {
    fn is_ctrl(key: &KeyEvent) -> bool {
        key.modifiers.contains(KeyModifiers::CONTROL)
    }

    /// How the help names the key.
    pub fn name(self) -> String {
        match self {
            Key::Code(code) => code_name(code),
            Key::Ctrl(c) => format!("Ctrl-{}", c.to_ascii_uppercase()),
            Key::StepNumber => "digit".into(),
            Key::Other => "type".into(),
        }
    }
}

fn code_name(code: KeyCode) -> String {
    match code {
        KeyCode::Char(' ') => "Space".into(),
        KeyCode::Char(c) => c.to_string(),
        KeyCode::Enter => "Enter".into(),
        KeyCode::Esc => "Esc".into(),
        KeyCode::Tab => "Tab".into(),
        KeyCode::BackTab => "Shift-Tab".into(),
        KeyCode::Up => "↑".into(),
        KeyCode::Down => "↓".into(),
        KeyCode::Left => "←".into(),
        KeyCode::Right => "→".into(),
        KeyCode::PageUp => "PgUp".into(),
        KeyCode::PageDown => "PgDn".into(),
        KeyCode::F(n) => format!("F{n}"),
        other => format!("{other:?}"),
    }
}

/// How hard the footer tries to keep a hint when the line is short: `Always` is never
/// dropped, `HelpOnly` never shown there (the help lists it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Priority {
    Always,
    High,
    Normal,
    Low,
    HelpOnly,
}

/// One row of a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Binding<A> {
    pub keys: &'static [Key],
    /// The key as the footer shows it (`↑↓`, `Tab`).
    pub shown: &'static str,
    pub action: A,
    /// The footer's word for it.
    pub label: &'static str,
    /// The help's sentence for it.
    pub help: &'static str,
    pub priority: Priority,
}

impl<A> Binding<A> {
    pub const fn new(
        keys: &'static [Key],
        shown: &'static str,
        action: A,
        label: &'static str,
        priority: Priority,
    ) -> Self {
        Binding {
            keys,
            shown,
            action,
            label,
            help: label,
            priority,
        }
    }

    /// Tab / ↓ to the next field: one definition, so every form moves alike.
    pub const fn next_field(action: A) -> Self {
        Binding::new(
            NEXT_FIELD_KEYS,
            "Tab",
            action,
            "next field",
            Priority::Normal,
        )
    }

    /// Shift-Tab / ↑ to the previous field (in the help; the footer has no room for it).
    pub const fn previous_field(action: A) -> Self {
        Binding::new(
            PREVIOUS_FIELD_KEYS,
            "Shift-Tab",
            action,
            "previous field",
            Priority::HelpOnly,
        )
    }

    /// A longer sentence for the help than the footer's label.
    pub const fn help(mut self, help: &'static str) -> Self {
        self.help = help;
        self
    }

    /// The footer's and the help's view of the row.
    pub fn hint(&self) -> Hint {
        Hint {
            bound: self.keys,
            key: self.shown.to_owned(),
            keys: self
                .keys
                .iter()
                .map(|k| k.name())
                .collect::<Vec<_>>()
                .join("/"),
            label: self.label,
            help: self.help,
            priority: self.priority,
        }
    }
}

/// A binding without its action: what the footer and the help draw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hint {
    pub bound: &'static [Key],
    /// The footer's short form.
    pub key: String,
    /// Every key the binding answers to, for the help.
    pub keys: String,
    pub label: &'static str,
    pub help: &'static str,
    pub priority: Priority,
}

impl Hint {
    /// Columns the hint takes in the footer: `key label`.
    pub fn width(&self) -> usize {
        self.key.chars().count() + 1 + self.label.chars().count()
    }

    /// Whether the binding takes `key` (as `find` would).
    pub fn names(&self, key: KeyEvent) -> bool {
        find(&[Binding::new(self.bound, "", (), "", self.priority)], key).is_some()
    }
}

/// The binding that takes `key`: a Ctrl binding for it, else one for its key code, else the
/// table's `Other` (the focused field).
pub fn find<A: Copy>(table: &[Binding<A>], key: KeyEvent) -> Option<&Binding<A>> {
    find_named(table, key).or_else(|| table.iter().find(|b| b.keys.contains(&Key::Other)))
}

/// The binding that names `key` itself (not the focused field's catch-all).
pub fn find_named<A: Copy>(table: &[Binding<A>], key: KeyEvent) -> Option<&Binding<A>> {
    let ctrl_char = match key.code {
        KeyCode::Char(c) if Key::is_ctrl(&key) => Some(c.to_ascii_lowercase()),
        _ => None,
    };
    let has = |wanted: &dyn Fn(&Key) -> bool| table.iter().find(|b| b.keys.iter().any(wanted));
    ctrl_char
        .and_then(|c| has(&|k| *k == Key::Ctrl(c)))
        .or_else(|| has(&|k| *k == Key::Code(key.code)))
        .or_else(|| has(&|k| *k == Key::StepNumber && matches!(key.code, KeyCode::Char('1'..='9'))))
}

/// Separator between footer hints.
pub const SEPARATOR: &str = " · ";

/// The hints that fit in `width` columns, in table order: the lowest priority goes first
/// (the rightmost of equals first); `Always` stays whatever the width; `HelpOnly` never shows.
pub fn fit(hints: &[Hint], width: usize) -> Vec<&Hint> {
    let mut shown: Vec<&Hint> = hints
        .iter()
        .filter(|h| h.priority != Priority::HelpOnly)
        .collect();
    let total = |shown: &[&Hint]| {
        shown.iter().map(|h| h.width()).sum::<usize>()
            + SEPARATOR.chars().count() * shown.len().saturating_sub(1)
    };
    while total(&shown) > width {
        let victim = shown
            .iter()
            .enumerate()
            .filter(|(_, h)| h.priority != Priority::Always)
            .max_by_key(|(i, h)| (h.priority, *i))
            .map(|(i, _)| i);
        match victim {
            Some(i) => {
                shown.remove(i);
            }
            None => break,
        }
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum A {
        Save,
        Reveal,
        Edit,
        Go,
    }

    const TABLE: &[Binding<A>] = &[
        Binding::new(&[ch('s')], "s", A::Save, "save", Priority::High),
        Binding::new(&[ctrl('r')], "Ctrl-R", A::Reveal, "reveal", Priority::Low),
        Binding::new(&[Key::StepNumber], "1-4", A::Go, "step", Priority::Low),
        Binding::new(&[Key::Other], "type", A::Edit, "edit", Priority::HelpOnly),
    ];

    fn press(code: KeyCode, modifiers: KeyModifiers) -> Option<A> {
        find(TABLE, KeyEvent::new(code, modifiers)).map(|b| b.action)
    }

    #[test]
    fn ctrl_bindings_win_then_codes_then_the_field() {
        assert_eq!(
            press(KeyCode::Char('r'), KeyModifiers::CONTROL),
            Some(A::Reveal)
        );
        assert_eq!(press(KeyCode::Char('r'), KeyModifiers::NONE), Some(A::Edit));
        assert_eq!(press(KeyCode::Char('s'), KeyModifiers::NONE), Some(A::Save));
        assert_eq!(press(KeyCode::Char('3'), KeyModifiers::NONE), Some(A::Go));
        assert_eq!(press(KeyCode::Char('0'), KeyModifiers::NONE), Some(A::Edit));
        assert_eq!(find(&TABLE[..1], KeyEvent::from(KeyCode::Enter)), None);
        let esc = KeyEvent::from(KeyCode::Esc);
        assert_eq!(find(TABLE, esc).map(|b| b.action), Some(A::Edit));
        assert_eq!(
            find_named(TABLE, esc),
            None,
            "the field's catch-all names no key"
        );
    }

    fn hint(key: &str, label: &'static str, priority: Priority) -> Hint {
        Binding::new(&[], "", (), label, priority)
            .hint()
            .with_key(key)
    }

    impl Hint {
        fn with_key(mut self, key: &str) -> Hint {
            self.key = key.to_owned();
            self
        }
    }

    #[test]
    fn the_footer_drops_the_lowest_priority_first_and_never_always() {
        let hints = [
            hint("Enter", "create", Priority::High),
            hint("x", "extra", Priority::Low),
            hint("Tab", "next field", Priority::Normal),
            hint("?", "help", Priority::Always),
            hint("Ctrl-C", "quit", Priority::Always),
            hint("type", "edit", Priority::HelpOnly),
        ];
        let keys = |w| {
            fit(&hints, w)
                .iter()
                .map(|h| h.key.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(keys(200), ["Enter", "x", "Tab", "?", "Ctrl-C"]);
        // 50 columns of hints and 4 separators: 62 fit all; one less and the Low one goes.
        assert_eq!(keys(62), ["Enter", "x", "Tab", "?", "Ctrl-C"]);
        assert_eq!(keys(61), ["Enter", "Tab", "?", "Ctrl-C"]);
        assert_eq!(keys(51), ["Enter", "?", "Ctrl-C"]);
        assert_eq!(keys(35), ["Enter", "?", "Ctrl-C"]);
        assert_eq!(keys(34), ["?", "Ctrl-C"]);
        assert_eq!(keys(5), ["?", "Ctrl-C"], "help and quit stay however short");
    }
}
