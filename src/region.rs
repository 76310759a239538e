//! Vonage regions and the base URL each one means (SPEC §2.1, docs/vonage-api.md §1).

/// Where the Users API lives. Applications are always on the global host. (`--region`
/// parses it in `cli::values`.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Region {
    #[default]
    Global,
    Us,
    Eu,
    Ap,
}

/// The global host: Application API, and Users API outside a region.
pub const GLOBAL_BASE: &str = "https://api.nexmo.com";

impl Region {
    pub const ALL: [Region; 4] = [Region::Global, Region::Us, Region::Eu, Region::Ap];

    pub fn users_base(self) -> &'static str {
        match self {
            Region::Global => GLOBAL_BASE,
            Region::Us => "https://api-us.vonage.com",
            Region::Eu => "https://api-eu.vonage.com",
            Region::Ap => "https://api-ap.vonage.com",
        }
    }

    /// Where the Client SDK's websocket connects in this region (the SDK's own default,
    /// outside a region, is the US host).
    pub fn websocket_base(self) -> &'static str {
        match self {
            Region::Global | Region::Us => "wss://ws-us.vonage.com",
            Region::Eu => "wss://ws-eu.vonage.com",
            Region::Ap => "wss://ws-ap.vonage.com",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Region::Global => "global",
            Region::Us => "us",
            Region::Eu => "eu",
            Region::Ap => "ap",
        }
    }
}
