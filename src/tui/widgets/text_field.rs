//! A one-line text field: typed characters, cursor movement, paste, and an optional mask for
//! secrets (the value is never drawn unless revealed).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// The state of one input field. Plain data: the view draws it, `handle_key` edits it.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct TextField {
    value: String,
    /// Cursor position in characters.
    cursor: usize,
    pub masked: bool,
}

// A masked field holds a secret: its Debug never shows the value.
impl std::fmt::Debug for TextField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.masked {
            write!(f, "TextField(masked, {} chars)", self.value.chars().count())
        } else {
            write!(f, "TextField({:?})", self.value)
        }
    }
}

/// Longest value a field takes: enough for a URL, a path or a pasted token.
const MAX_CHARS: usize = 4096;

impl TextField {
    pub fn new(value: &str) -> Self {
        let value: String = value.chars().take(MAX_CHARS).collect();
        TextField {
            cursor: value.chars().count(),
            value,
            masked: false,
        }
    }

    pub fn masked(value: &str) -> Self {
        TextField {
            masked: true,
            ..TextField::new(value)
        }
    }

    pub fn value(&self) -> &str {
        &self.value
    }

    pub fn cursor(&self) -> usize {
        self.cursor
    }

    pub fn is_empty(&self) -> bool {
        self.value.is_empty()
    }

    pub fn set(&mut self, value: &str) {
        *self = TextField {
            masked: self.masked,
            ..TextField::new(value)
        };
    }

    /// Inserts text at the cursor; control characters (a pasted newline) are dropped.
    pub fn insert(&mut self, text: &str) {
        for c in text.chars().filter(|c| !c.is_control()) {
            if self.value.chars().count() >= MAX_CHARS {
                break;
            }
            let at = self.byte_index(self.cursor);
            self.value.insert(at, c);
            self.cursor += 1;
        }
    }

    /// Edits for a key; returns whether the key was an edit (so others can use the rest).
    pub fn handle_key(&mut self, key: KeyEvent) -> bool {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Char('u') if ctrl => {
                let at = self.byte_index(self.cursor);
                self.value.replace_range(..at, "");
                self.cursor = 0;
            }
            KeyCode::Char('a') if ctrl => self.cursor = 0,
            KeyCode::Char('e') if ctrl => self.cursor = self.len(),
            KeyCode::Char(c) if !ctrl => self.insert(&c.to_string()),
            KeyCode::Backspace if self.cursor > 0 => {
                self.cursor -= 1;
                let at = self.byte_index(self.cursor);
                self.value.remove(at);
            }
            KeyCode::Delete if self.cursor < self.len() => {
                let at = self.byte_index(self.cursor);
                self.value.remove(at);
            }
            KeyCode::Left => self.cursor = self.cursor.saturating_sub(1),
            KeyCode::Right => self.cursor = (self.cursor + 1).min(self.len()),
            KeyCode::Home => self.cursor = 0,
            KeyCode::End => self.cursor = self.len(),
            KeyCode::Backspace | KeyCode::Delete => {}
            _ => return false,
        }
        true
    }

    /// What is drawn: the value, or one bullet a character when masked and not revealed.
    pub fn display(&self, reveal: bool) -> String {
        if self.masked && !reveal {
            "•".repeat(self.len())
        } else {
            self.value.clone()
        }
    }

    fn len(&self) -> usize {
        self.value.chars().count()
    }

    fn byte_index(&self, chars: usize) -> usize {
        self.value
            .char_indices()
            .nth(chars)
            .map_or(self.value.len(), |(i, _)| i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn editing_with_multibyte_characters() {
        let mut f = TextField::new("zoë");
        f.handle_key(key(KeyCode::Left));
        f.handle_key(key(KeyCode::Backspace));
        f.handle_key(key(KeyCode::Char('é')));
        assert_eq!(f.value(), "zéë");
        f.handle_key(key(KeyCode::Home));
        f.handle_key(key(KeyCode::Delete));
        assert_eq!(f.value(), "éë");
        f.insert("a\nb");
        assert_eq!(f.value(), "abéë");
    }

    #[test]
    fn masked_fields_hide_their_value_everywhere() {
        let f = TextField::masked("s3cret");
        assert_eq!(f.display(false), "••••••");
        assert_eq!(f.display(true), "s3cret");
        assert!(!format!("{f:?}").contains("s3cret"));
    }
}
