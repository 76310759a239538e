//! What the Users API refuses (vonage-api.md §5), with its Joi-style reasons: a create or
//! patch body field by field, and the list's paging parameters.

use serde_json::{Map, Value};

use crate::sandbox::errors::ApiError;
use crate::sandbox::paging::{
    self, Cursor, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, MIN_PAGE_SIZE, NumberError, Query,
};

/// A list request's parameters, checked.
#[derive(Debug)]
pub struct ListQuery<'q> {
    pub page_size: u64,
    /// As given (`asc`, `DESC`…), repeated in the links.
    pub order: Option<&'q str>,
    pub descending: bool,
    pub cursor: Option<Cursor>,
    pub name: Option<&'q str>,
}

/// The list's `page_size`, `order`, `cursor` and `name`, with the Users API's reasons.
pub fn list_query(query: &Query) -> Result<ListQuery<'_>, ApiError> {
    let mut invalid: Vec<(String, String)> = Vec::new();
    let page_size = paging::int_param(
        query.get("page_size"),
        DEFAULT_PAGE_SIZE,
        MIN_PAGE_SIZE,
        MAX_PAGE_SIZE,
    )
    .unwrap_or_else(|e| {
        let reason = match e {
            NumberError::NotANumber => "\"page_size\" must be a number",
            NumberError::TooSmall => "\"page_size\" must be greater than or equal to 1",
            NumberError::TooLarge => "\"page_size\" must be less than or equal to 100",
        };
        invalid.push(("page_size".into(), reason.into()));
        DEFAULT_PAGE_SIZE
    });
    let order = query.get("order");
    let descending = match order {
        None => false,
        Some(o @ ("asc" | "ASC" | "desc" | "DESC")) => o.eq_ignore_ascii_case("desc"),
        Some(_) => {
            invalid.push((
                "order".into(),
                "\"order\" must be one of [asc, desc, ASC, DESC]".into(),
            ));
            false
        }
    };
    let cursor = match query.get("cursor") {
        None => None,
        Some(text) => {
            let cursor = Cursor::decode(text);
            if cursor.is_none() {
                invalid.push(("cursor".into(), "\"cursor\" is not a valid cursor".into()));
            }
            cursor
        }
    };
    let name = query.get("name");
    if !invalid.is_empty() {
        return Err(ApiError::users_validation(invalid));
    }
    Ok(ListQuery {
        page_size,
        order,
        descending,
        cursor,
        name,
    })
}

/// One optional body field: not sent, sent as `null` (clears it on PATCH), or a value.
#[derive(Debug)]
pub enum Field<T> {
    Absent,
    Clear,
    Set(T),
}

impl<T> Field<T> {
    pub fn set(self) -> Option<T> {
        match self {
            Field::Set(v) => Some(v),
            Field::Absent | Field::Clear => None,
        }
    }

    pub fn apply(self, target: &mut Option<T>) {
        match self {
            Field::Absent => {}
            Field::Clear => *target = None,
            Field::Set(v) => *target = Some(v),
        }
    }
}

#[derive(Debug)]
pub struct UserInput {
    pub name: Field<String>,
    pub display_name: Field<String>,
    pub image_url: Field<String>,
    pub properties: Field<Value>,
    pub channels: Field<Value>,
}

/// Checks a create or patch body, with the API's Joi-style reasons (`"name" must be a
/// string`). Unknown fields (such as an `id` or `_links` sent back) are ignored.
pub fn body(body: &Map<String, Value>, creating: bool) -> Result<UserInput, ApiError> {
    let mut invalid: Vec<(String, String)> = Vec::new();
    let mut string = |field: &str, check: fn(&str) -> Option<&'static str>| -> Field<String> {
        match body.get(field) {
            None => Field::Absent,
            Some(Value::Null) => Field::Clear,
            Some(Value::String(s)) => match check(s) {
                None => Field::Set(s.clone()),
                Some(reason) => {
                    invalid.push((field.into(), format!("\"{field}\" {reason}")));
                    Field::Absent
                }
            },
            Some(_) => {
                invalid.push((field.into(), format!("\"{field}\" must be a string")));
                Field::Absent
            }
        }
    };
    let name = string("name", |s| {
        s.trim().is_empty().then_some("is not allowed to be empty")
    });
    let display_name = string("display_name", |_| None);
    let image_url = string("image_url", |s| {
        url::Url::parse(s).is_err().then_some("must be a valid uri")
    });
    if !creating && matches!(name, Field::Clear) {
        invalid.push(("name".into(), "\"name\" must be a string".into()));
    }
    let properties = object_field(body, "properties", &mut invalid, |props, invalid| {
        if props
            .get("custom_data")
            .is_some_and(|c| !c.is_object() && !c.is_null())
        {
            invalid.push((
                "properties.custom_data".into(),
                "\"properties.custom_data\" must be of type object".into(),
            ));
        }
        if props
            .get("ttl")
            .is_some_and(|t| !t.is_null() && t.as_u64().is_none_or(|t| t > 2_147_483_648))
        {
            invalid.push((
                "properties.ttl".into(),
                "\"properties.ttl\" must be a positive integer up to 2147483648".into(),
            ));
        }
    });
    let channels = object_field(body, "channels", &mut invalid, |channels, invalid| {
        for (kind, list) in channels {
            match list.as_array() {
                Some(items) => {
                    if let Some(i) = items.iter().position(|item| !item.is_object()) {
                        invalid.push((
                            format!("channels.{kind}[{i}]"),
                            format!("\"channels.{kind}[{i}]\" must be of type object"),
                        ));
                    }
                }
                None => invalid.push((
                    format!("channels.{kind}"),
                    format!("\"channels.{kind}\" must be an array"),
                )),
            }
        }
    });
    if !invalid.is_empty() {
        return Err(ApiError::users_validation(invalid));
    }
    Ok(UserInput {
        name,
        display_name,
        image_url,
        properties,
        channels,
    })
}

/// An optional object field (`properties`, `channels`): absent, null (clear it), or an
/// object that `check` finds nothing wrong with; every other value is a field error.
fn object_field(
    body: &Map<String, Value>,
    name: &str,
    invalid: &mut Vec<(String, String)>,
    check: impl FnOnce(&Map<String, Value>, &mut Vec<(String, String)>),
) -> Field<Value> {
    match body.get(name) {
        None => Field::Absent,
        Some(Value::Null) => Field::Clear,
        Some(value @ Value::Object(object)) => {
            let before = invalid.len();
            check(object, invalid);
            if invalid.len() == before {
                Field::Set(value.clone())
            } else {
                Field::Absent
            }
        }
        Some(_) => {
            invalid.push((name.into(), format!("\"{name}\" must be of type object")));
            Field::Absent
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn invalid_names(body: Value, creating: bool) -> Vec<String> {
        let Value::Object(map) = body else { panic!() };
        match super::body(&map, creating) {
            Ok(_) => Vec::new(),
            Err(e) => e.body()["invalid_parameters"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["name"].as_str().unwrap().to_owned())
                .collect(),
        }
    }

    #[test]
    fn good_bodies_pass() {
        let body = json!({
            "name": "alice", "display_name": "Alice", "image_url": "https://example.com/a.png",
            "properties": { "custom_data": { "tier": "gold" }, "ttl": 3600 },
            "channels": { "pstn": [ { "number": 447700900000u64 } ], "sms": [ { "number": "447700900000" } ] },
            "id": "USR-ignored", "_links": {}
        });
        assert!(invalid_names(body, true).is_empty());
        assert!(invalid_names(json!({}), true).is_empty());
        assert!(invalid_names(json!({"name": null}), true).is_empty());
    }

    #[test]
    fn names_are_any_string_as_in_the_contract() {
        // The Users API documents `name` and `display_name` as plain strings (no pattern), so
        // invisible and bidi characters are the client's to refuse (onboard::names), not ours.
        let body = json!({ "name": "ad\u{202E}min", "display_name": "\u{200B}Alice\u{FEFF}" });
        assert!(invalid_names(body, true).is_empty());
    }

    #[test]
    fn bad_fields_are_each_named() {
        let got = invalid_names(
            json!({
                "name": 3, "display_name": [], "image_url": "not a url",
                "properties": { "custom_data": 1, "ttl": -1 },
                "channels": { "sms": {}, "pstn": [1] }
            }),
            true,
        );
        for expected in [
            "name",
            "display_name",
            "image_url",
            "properties.custom_data",
            "properties.ttl",
            "channels.sms",
            "channels.pstn[0]",
        ] {
            assert!(got.contains(&expected.to_owned()), "{expected} in {got:?}");
        }
        assert_eq!(invalid_names(json!({"name": ""}), true), ["name"]);
        assert_eq!(invalid_names(json!({"name": null}), false), ["name"]);
        assert_eq!(invalid_names(json!({"channels": 1}), false), ["channels"]);
    }
}
