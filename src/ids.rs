//! Ids as a leaf every layer may use: the Vonage application id (a UUID in canonical form).

/// A Vonage application id: a UUID, kept in its canonical lower-case hyphenated form.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct AppId(String);

/// Text that is not an application id; its message quotes the text and shows the shape.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{0:?} is not a Vonage application id (they look like 78d335fa-323d-0114-9c3d-d6f0d48968cf)"
)]
pub struct BadAppId(pub String);

impl AppId {
    pub fn parse(id: &str) -> Result<Self, BadAppId> {
        uuid::Uuid::try_parse(id.trim())
            .map(|u| AppId(u.hyphenated().to_string()))
            .map_err(|_| BadAppId(id.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for AppId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for AppId {
    type Error = String;
    fn try_from(value: String) -> Result<Self, String> {
        AppId::parse(&value).map_err(|e| e.to_string())
    }
}

impl From<AppId> for String {
    fn from(id: AppId) -> String {
        id.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_ids_are_uuids_in_canonical_form() {
        let id = AppId::parse("78D335FA-323D-0114-9C3D-D6F0D48968CF").unwrap();
        assert_eq!(id.as_str(), "78d335fa-323d-0114-9c3d-d6f0d48968cf");
        assert!(AppId::parse("../../etc").is_err());
        assert!(AppId::parse("").is_err());
    }
}
