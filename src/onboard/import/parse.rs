//! Parsing the formats into raw text values: the JSON files of @vonage/cli, the INI files of
//! nexmo-cli (through `ini`), and PEM text as the tools stored it. Nothing is validated here.

use secrecy::zeroize::Zeroizing;

use super::discovery::Format;
use super::ini::parse_ini;

/// The raw text values of one file, before validation.
#[derive(Default)]
pub(super) struct Raw {
    pub(super) api_key: Option<String>,
    pub(super) api_secret: Option<Zeroizing<String>>,
    pub(super) app_id: Option<String>,
    pub(super) private_key: Option<Zeroizing<String>>,
    pub(super) app_name: Option<String>,
}

pub(super) fn parse(format: Format, text: &str) -> std::result::Result<Raw, String> {
    match format {
        Format::NexmoRc => {
            let ini = parse_ini(text)?;
            Ok(Raw {
                api_key: ini.get("credentials", "api_key").map(str::to_owned),
                api_secret: ini.get("credentials", "api_secret").map(zeroizing),
                ..Raw::default()
            })
        }
        Format::NexmoApp => {
            let ini = parse_ini(text)?;
            Ok(Raw {
                app_id: ini.get("app_config", "app_id").map(str::to_owned),
                private_key: ini.get("app_config", "private_key").map(zeroizing),
                ..Raw::default()
            })
        }
        Format::VonageConfigV1 => {
            let json = parse_json(text)?;
            Ok(Raw {
                api_key: json_str(&json, "apiKey")?.map(plain),
                api_secret: json_str(&json, "apiSecret")?,
                ..Raw::default()
            })
        }
        Format::VonageAppV1 => {
            let json = parse_json(text)?;
            Ok(Raw {
                app_id: json_str(&json, "application_id")?.map(plain),
                private_key: json_str(&json, "private_key")?,
                app_name: json_str(&json, "application_name")?.map(plain),
                ..Raw::default()
            })
        }
        Format::VonageV3 => {
            let json = parse_json(text)?;
            Ok(Raw {
                api_key: json_str(&json, "api-key")?.map(plain),
                api_secret: json_str(&json, "api-secret")?,
                app_id: json_str(&json, "app-id")?.map(plain),
                private_key: json_str(&json, "private-key")?,
                app_name: None,
            })
        }
    }
}

pub(super) fn zeroizing(s: &str) -> Zeroizing<String> {
    Zeroizing::new(s.to_owned())
}

pub(super) fn plain(s: Zeroizing<String>) -> String {
    s.as_str().to_owned()
}

/// A PEM text as the tools stored it (escaped `\n`, indented lines) made parseable.
pub(super) fn normalise_pem(text: &str) -> Zeroizing<String> {
    let unescaped = Zeroizing::new(text.replace("\\r", "").replace("\\n", "\n"));
    let mut out = Zeroizing::new(String::with_capacity(unescaped.len()));
    for line in unescaped.lines() {
        out.push_str(line.trim());
        out.push('\n');
    }
    out
}

pub(super) type JsonObject = serde_json::Map<String, serde_json::Value>;

/// A JSON object; an empty (or blank) file counts as an empty object.
pub(super) fn parse_json(text: &str) -> std::result::Result<JsonObject, String> {
    if text.trim().is_empty() {
        return Ok(JsonObject::new());
    }
    // serde_json's syntax errors give a position, never the text around it.
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(serde_json::Value::Object(map)) => Ok(map),
        Ok(_) => Err("is not a JSON object".into()),
        Err(e) => Err(format!("is not valid JSON ({e})")),
    }
}

/// A text field: trimmed, with `null` and `""` meaning absent. A number is taken as its
/// digits (an all-digit API key may have been written unquoted).
pub(super) fn json_str(
    json: &JsonObject,
    field: &str,
) -> std::result::Result<Option<Zeroizing<String>>, String> {
    let text = match json.get(field) {
        None | Some(serde_json::Value::Null) => return Ok(None),
        Some(serde_json::Value::String(s)) => zeroizing(s.trim()),
        Some(serde_json::Value::Number(n)) => Zeroizing::new(n.to_string()),
        Some(_) => return Err(format!("\"{field}\" should be a string")),
    };
    Ok((!text.is_empty()).then_some(text))
}
