//! Query strings, page sizes, opaque user-list cursors and absolute `_links` hrefs (the
//! Vonage Node SDK pages with `new URL(href)`, which throws on a relative link).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// Page sizes the APIs accept (vonage-api.md §4.2, §5.1).
pub const MIN_PAGE_SIZE: u64 = 1;
pub const MAX_PAGE_SIZE: u64 = 100;
/// The Users API's documented default; the Application API's list uses the same.
pub const DEFAULT_PAGE_SIZE: u64 = 10;

/// A parsed query string; a repeated parameter keeps its first value.
#[derive(Debug, Default)]
pub struct Query(Vec<(String, String)>);

impl Query {
    pub fn parse(raw: Option<&str>) -> Self {
        Query(
            url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Why a number parameter was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberError {
    NotANumber,
    TooSmall,
    TooLarge,
}

/// Reads an integer parameter within `min..=max`; absent gives `default`.
pub fn int_param(
    value: Option<&str>,
    default: u64,
    min: u64,
    max: u64,
) -> Result<u64, NumberError> {
    let Some(text) = value else {
        return Ok(default);
    };
    let n: i128 = text.trim().parse().map_err(|_| NumberError::NotANumber)?;
    if n < i128::from(min) {
        Err(NumberError::TooSmall)
    } else if n > i128::from(max) {
        Err(NumberError::TooLarge)
    } else {
        u64::try_from(n).map_err(|_| NumberError::TooLarge)
    }
}

/// A position in a users list, in the list's order: "the page after user #seq" or "the
/// page before user #seq". Positions are creation sequence numbers, not indexes, so pages
/// stay consistent when users come and go between requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cursor {
    After(u64),
    Before(u64),
}

impl Cursor {
    /// Opaque to clients, like Vonage's: base64 of our small position record.
    pub fn encode(self) -> String {
        let plain = match self {
            Cursor::After(seq) => format!("after:{seq}"),
            Cursor::Before(seq) => format!("before:{seq}"),
        };
        STANDARD.encode(plain)
    }

    pub fn decode(text: &str) -> Option<Cursor> {
        let plain = String::from_utf8(STANDARD.decode(text.trim()).ok()?).ok()?;
        let (kind, seq) = plain.split_once(':')?;
        let seq = seq.parse().ok()?;
        match kind {
            "after" => Some(Cursor::After(seq)),
            "before" => Some(Cursor::Before(seq)),
            _ => None,
        }
    }
}

/// One page cut from a list of items with sequence numbers, already in the wanted order.
#[derive(Debug, PartialEq, Eq)]
pub struct Cut {
    pub start: usize,
    pub end: usize,
    /// Cursor of the page after this one, when there is one.
    pub next: Option<Cursor>,
    /// Cursor of the page before this one, when there is one.
    pub prev: Option<Cursor>,
}

/// Cuts a page of `size` from `seqs` (the list's sequence numbers in list order, where
/// `descending` says which way that order runs) at `cursor`.
pub fn cut(seqs: &[u64], descending: bool, size: usize, cursor: Option<Cursor>) -> Cut {
    // "a comes after b in this list's order"
    let after = |a: u64, b: u64| if descending { a < b } else { a > b };
    let (start, end) = match cursor {
        None => (0, size.min(seqs.len())),
        Some(Cursor::After(seq)) => {
            let start = seqs
                .iter()
                .position(|s| after(*s, seq))
                .unwrap_or(seqs.len());
            (start, (start + size).min(seqs.len()))
        }
        Some(Cursor::Before(seq)) => {
            let end = seqs
                .iter()
                .position(|s| *s == seq || after(*s, seq))
                .unwrap_or(seqs.len());
            (end.saturating_sub(size), end)
        }
    };
    Cut {
        start,
        end,
        next: (end < seqs.len() && end > 0).then(|| Cursor::After(seqs[end - 1])),
        prev: (start > 0 && start < seqs.len()).then(|| Cursor::Before(seqs[start])),
    }
}

/// `base + path + ?query`, with the query built from `(name, value)` pairs, encoded.
pub fn href(base: &str, path: &str, params: &[(&str, String)]) -> String {
    if params.is_empty() {
        return format!("{base}{path}");
    }
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in params {
        query.append_pair(name, value);
    }
    format!("{base}{path}?{}", query.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_range() {
        assert_eq!(int_param(None, 10, 1, 100), Ok(10));
        assert_eq!(int_param(Some("1"), 10, 1, 100), Ok(1));
        assert_eq!(int_param(Some("100"), 10, 1, 100), Ok(100));
        assert_eq!(int_param(Some("0"), 10, 1, 100), Err(NumberError::TooSmall));
        assert_eq!(
            int_param(Some("-3"), 10, 1, 100),
            Err(NumberError::TooSmall)
        );
        assert_eq!(
            int_param(Some("101"), 10, 1, 100),
            Err(NumberError::TooLarge)
        );
        assert_eq!(
            int_param(Some("99999999999999999999999"), 10, 1, 100),
            Err(NumberError::TooLarge)
        );
        assert_eq!(
            int_param(Some("ten"), 10, 1, 100),
            Err(NumberError::NotANumber)
        );
        assert_eq!(
            int_param(Some(""), 10, 1, 100),
            Err(NumberError::NotANumber)
        );
    }

    #[test]
    fn cursors_round_trip_and_reject_junk() {
        for c in [Cursor::After(7), Cursor::Before(0)] {
            assert_eq!(Cursor::decode(&c.encode()), Some(c));
        }
        assert_eq!(Cursor::decode("!!"), None);
        assert_eq!(Cursor::decode(&STANDARD.encode("sideways:3")), None);
        assert_eq!(Cursor::decode(&STANDARD.encode("after:x")), None);
    }

    #[test]
    fn walking_forward_and_back() {
        let seqs: Vec<u64> = (1..=7).collect();
        let first = cut(&seqs, false, 3, None);
        assert_eq!((first.start, first.end, first.prev), (0, 3, None));
        let second = cut(&seqs, false, 3, first.next);
        assert_eq!((second.start, second.end), (3, 6));
        let third = cut(&seqs, false, 3, second.next);
        assert_eq!((third.start, third.end, third.next), (6, 7, None));
        let back = cut(&seqs, false, 3, third.prev);
        assert_eq!((back.start, back.end), (3, 6));
        let back = cut(&seqs, false, 3, back.prev);
        assert_eq!((back.start, back.end, back.prev), (0, 3, None));
    }

    #[test]
    fn descending_and_deleted_positions() {
        let seqs = [9, 7, 4, 2];
        let first = cut(&seqs, true, 2, None);
        assert_eq!(first.next, Some(Cursor::After(7)));
        // user 7 was deleted meanwhile: the cursor still lands after where it was
        let seqs = [9, 4, 2];
        let second = cut(&seqs, true, 2, first.next);
        assert_eq!((second.start, second.end, second.next), (1, 3, None));
        assert!(cut(&[], false, 10, None).next.is_none());
    }

    #[test]
    fn hrefs_are_absolute_and_encoded() {
        assert_eq!(
            href(
                "http://127.0.0.1:1",
                "/v1/users",
                &[("cursor", "a+b=".into())]
            ),
            "http://127.0.0.1:1/v1/users?cursor=a%2Bb%3D"
        );
        assert_eq!(href("http://h", "/x", &[]), "http://h/x");
        let q = Query::parse(Some("page_size=5&name=a%20b&page_size=6"));
        assert_eq!(q.get("page_size"), Some("5"));
        assert_eq!(q.get("name"), Some("a b"));
        assert_eq!(q.get("cursor"), None);
    }
}
