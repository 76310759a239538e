//! How a refusal quotes what was typed: escaped as Rust debug text (no control or invisible
//! character printed raw) and cut at 40 characters, so a name or value of kilobytes (a page
//! may send one) never floods the message.

/// A value as a refusal quotes it: a very long one is cut (the sentence must stay readable).
/// Control and invisible characters come out escaped (`\u{202e}`), never raw.
pub fn quoted(text: &str) -> String {
    const SHOWN: usize = 40;
    if text.chars().count() > SHOWN {
        let start: String = text.chars().take(SHOWN).collect();
        format!("{start:?}…")
    } else {
        format!("{text:?}")
    }
}

#[cfg(test)]
mod tests {
    use super::quoted;

    #[test]
    fn a_long_value_is_cut_and_nothing_is_printed_raw() {
        assert_eq!(quoted("alice"), "\"alice\"");
        assert_eq!(quoted("a\u{202E}b\n"), "\"a\\u{202e}b\\n\"");
        let long = "x".repeat(10_000);
        assert_eq!(quoted(&long), format!("\"{}\"…", "x".repeat(40)));
    }
}
