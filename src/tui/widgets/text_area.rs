//! A small multi-line editor for a custom ACL: typing, Enter for a new line, Backspace across
//! lines, arrows, Home/End, paste. Enough for a JSON object of a few paths.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextArea {
    lines: Vec<Vec<char>>,
    row: usize,
    col: usize,
}

impl Default for TextArea {
    fn default() -> Self {
        TextArea {
            lines: vec![Vec::new()],
            row: 0,
            col: 0,
        }
    }
}

/// Largest text the editor holds (an ACL is a few hundred bytes).
const MAX_CHARS: usize = 16 * 1024;

impl TextArea {
    pub fn new(text: &str) -> Self {
        let mut area = TextArea::default();
        area.insert(text);
        area
    }

    pub fn text(&self) -> String {
        self.lines
            .iter()
            .map(|l| l.iter().collect::<String>())
            .collect::<Vec<_>>()
            .join("\n")
    }

    pub fn lines(&self) -> Vec<String> {
        self.lines.iter().map(|l| l.iter().collect()).collect()
    }

    /// (row, column) of the cursor.
    pub fn cursor(&self) -> (usize, usize) {
        (self.row, self.col)
    }

    fn len(&self) -> usize {
        self.lines.iter().map(|l| l.len() + 1).sum()
    }

    pub fn insert(&mut self, text: &str) {
        for c in text.chars() {
            if self.len() >= MAX_CHARS {
                break;
            }
            match c {
                '\n' => self.newline(),
                '\r' => {}
                '\t' => {
                    self.lines[self.row].insert(self.col, ' ');
                    self.col += 1;
                }
                c if c.is_control() => {}
                c => {
                    self.lines[self.row].insert(self.col, c);
                    self.col += 1;
                }
            }
        }
    }

    fn newline(&mut self) {
        let rest = self.lines[self.row].split_off(self.col);
        self.lines.insert(self.row + 1, rest);
        self.row += 1;
        self.col = 0;
    }

    /// Edits for a key; returns whether it was an edit.
    pub fn handle_key(&mut self, key: KeyEvent) -> bool {
        if key.modifiers.contains(KeyModifiers::CONTROL) {
            // Ctrl-U clears the line the cursor is on, as in a shell.
            if key.code == KeyCode::Char('u') {
                self.lines[self.row].clear();
                self.col = 0;
                return true;
            }
            return false;
        }
        match key.code {
            KeyCode::Char(c) => self.insert(&c.to_string()),
            KeyCode::Enter => self.newline(),
            KeyCode::Backspace if self.col > 0 => {
                self.col -= 1;
                self.lines[self.row].remove(self.col);
            }
            KeyCode::Backspace if self.row > 0 => {
                let line = self.lines.remove(self.row);
                self.row -= 1;
                self.col = self.lines[self.row].len();
                self.lines[self.row].extend(line);
            }
            KeyCode::Left if self.col > 0 => self.col -= 1,
            KeyCode::Right if self.col < self.lines[self.row].len() => self.col += 1,
            KeyCode::Up if self.row > 0 => {
                self.row -= 1;
                self.col = self.col.min(self.lines[self.row].len());
            }
            KeyCode::Down if self.row + 1 < self.lines.len() => {
                self.row += 1;
                self.col = self.col.min(self.lines[self.row].len());
            }
            KeyCode::Home => self.col = 0,
            KeyCode::End => self.col = self.lines[self.row].len(),
            KeyCode::Backspace | KeyCode::Left | KeyCode::Right | KeyCode::Up | KeyCode::Down => {}
            _ => return false,
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_split_and_join() {
        let mut a = TextArea::new("{\n  \"paths\": {}\n}");
        assert_eq!(a.lines().len(), 3);
        assert_eq!(a.cursor(), (2, 1));
        a.handle_key(KeyEvent::new(KeyCode::Home, KeyModifiers::NONE));
        a.handle_key(KeyEvent::new(KeyCode::Backspace, KeyModifiers::NONE));
        assert_eq!(a.text(), "{\n  \"paths\": {}}");
        a.handle_key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
        assert_eq!(a.text(), "{\n");
        assert_eq!(a.cursor(), (1, 0));
    }
}
