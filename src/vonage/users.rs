//! Users API (`/v1/users`, Bearer admin JWT): list (following `_links.next.href`), get by id
//! or name, create, delete. The admin token comes from an `AdminToken` the caller hands in.

use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::VonageClient;
use super::applications::encode_segment;
use super::http::{Auth, CallError};

/// Makes the short-lived backend token the Users API takes (claims `application_id`, `iat`,
/// `jti`, `exp`; no `sub`). Implemented where tokens are made (`onboard::tokens`, for the
/// application's `Signer`), so the client only asks for one, once per call.
pub trait AdminToken: Sync {
    fn admin_token(&self) -> String;
}

/// A shared minter (`Arc<Signer>`, as concurrent callers hold it) mints as its inner one.
impl<T: AdminToken + Send + ?Sized> AdminToken for std::sync::Arc<T> {
    fn admin_token(&self) -> String {
        (**self).admin_token()
    }
}

/// A user as the API returns it (list items carry only id, name, display_name).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct User {
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
}

/// What `POST /v1/users` takes. `name` is always sent: without it Vonage invents one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewUser {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
}

#[derive(Debug, Deserialize)]
struct UserPage {
    #[serde(default, rename = "_embedded")]
    embedded: Embedded,
    #[serde(default, rename = "_links")]
    links: Links,
}

#[derive(Debug, Default, Deserialize)]
struct Embedded {
    #[serde(default)]
    users: Vec<User>,
}

#[derive(Debug, Default, Deserialize)]
struct Links {
    next: Option<Link>,
}

#[derive(Debug, Deserialize)]
struct Link {
    href: String,
}

/// Safety stop for paging: a server that keeps sending `next` links cannot loop us forever.
const MAX_PAGES: usize = 1000;

impl VonageClient {
    fn users_url(&self, suffix: &str) -> String {
        format!("{}/v1/users{suffix}", self.endpoints.users)
    }

    /// Every user of the token's application (optionally those with exactly this name).
    pub async fn list_users(
        &self,
        admin: &dyn AdminToken,
        name: Option<&str>,
    ) -> Result<Vec<User>, CallError> {
        let token = admin.admin_token();
        let mut query: Vec<(&str, &str)> = vec![("page_size", "100")];
        query.extend(name.map(|name| ("name", name)));
        let mut url = self.users_url("");
        let mut users = Vec::new();
        for _ in 0..MAX_PAGES {
            let page: UserPage = self
                .http
                .call(Method::GET, &url, &query, Auth::Bearer(&token), None)
                .await?
                .json()?;
            // The next link carries its own query (the cursor, and the filters).
            query.clear();
            users.extend(page.embedded.users);
            match page.links.next {
                // Followed verbatim (it carries the opaque cursor), but only on a host we trust.
                Some(next) => url = self.checked_link(&next.href)?,
                None => return Ok(users),
            }
        }
        Ok(users)
    }

    /// `GET /v1/users/{id or name}`.
    pub async fn get_user(
        &self,
        admin: &dyn AdminToken,
        id_or_name: &str,
    ) -> Result<User, CallError> {
        self.get_user_with_token(&admin.admin_token(), id_or_name)
            .await
    }

    /// `POST /v1/users`: sent once, never retried by the transport. Any 2xx is success.
    pub async fn create_user(
        &self,
        admin: &dyn AdminToken,
        new: &NewUser,
    ) -> Result<User, CallError> {
        let url = self.users_url("");
        let token = admin.admin_token();
        let body = serde_json::to_value(new).map_err(|e| CallError::BadAnswer {
            status: 0,
            message: e.to_string(),
        })?;
        self.http
            .call(Method::POST, &url, &[], Auth::Bearer(&token), Some(&body))
            .await?
            .json()
    }

    pub async fn delete_user(&self, admin: &dyn AdminToken, id: &str) -> Result<(), CallError> {
        let url = self.users_url(&format!("/{}", encode_segment(id)));
        let token = admin.admin_token();
        self.http
            .call(Method::DELETE, &url, &[], Auth::Bearer(&token), None)
            .await
            .map(|_| ())
    }

    /// `GET /v1/users/{id or name}` with the Bearer `token`: an admin token, or a user's own
    /// (what its ACL lets it read) when no admin token can be made.
    pub async fn get_user_with_token(
        &self,
        token: &str,
        id_or_name: &str,
    ) -> Result<User, CallError> {
        let url = self.users_url(&format!("/{}", encode_segment(id_or_name)));
        self.http
            .call(Method::GET, &url, &[], Auth::Bearer(token), None)
            .await?
            .json()
    }

    /// Calls the Users API with a user's own token (to check what a Client SDK login could do).
    pub async fn get_with_token(&self, path: &str, token: &str) -> Result<Value, CallError> {
        let url = format!("{}{path}", self.endpoints.users);
        self.http
            .call(Method::GET, &url, &[], Auth::Bearer(token), None)
            .await?
            .json()
    }

    /// A `_links` href is absolute; accept it only on the users base's own origin, or on a
    /// Vonage host over https: the next page carries the admin token too, so a link must not
    /// lead it to plain http elsewhere (the base's own plain-HTTP rule was checked already).
    fn checked_link(&self, href: &str) -> Result<String, CallError> {
        let bad = || CallError::BadAnswer {
            status: 200,
            message: format!("unexpected paging link {href:?}"),
        };
        let link = url::Url::parse(href).map_err(|_| bad())?;
        let ours = url::Url::parse(&self.endpoints.users).map_err(|_| bad())?;
        let host = link.host_str().unwrap_or_default();
        let vonage = host.ends_with(".vonage.com") || host.ends_with(".nexmo.com");
        if link.origin() == ours.origin() || (vonage && link.scheme() == "https") {
            Ok(href.to_owned())
        } else {
            Err(bad())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::region::Region;
    use crate::vonage::Endpoints;

    fn client(base: Option<&str>) -> VonageClient {
        VonageClient::new(Endpoints::new(base, Region::Eu).unwrap(), None).unwrap()
    }

    #[test]
    fn paging_links_stay_on_the_base_or_go_to_vonage_over_https() {
        let local = client(Some("http://127.0.0.1:9"));
        assert!(
            local
                .checked_link("http://127.0.0.1:9/v1/users?cursor=x")
                .is_ok()
        );
        assert!(
            local
                .checked_link("https://api-eu.vonage.com/v1/users")
                .is_ok()
        );
        for bad in [
            // Plain http elsewhere, even on a Vonage name: the admin token would go in clear.
            "http://api-eu.vonage.com/v1/users",
            "http://127.0.0.1:10/v1/users",
            "https://127.0.0.1:9/v1/users",
            "https://evil.example/v1/users",
            "not a url",
        ] {
            assert!(local.checked_link(bad).is_err(), "{bad}");
        }
        let real = client(None);
        assert!(
            real.checked_link("https://api-eu.vonage.com/v1/users?c=1")
                .is_ok()
        );
        assert!(real.checked_link("https://api.nexmo.com/v1/users").is_ok());
        assert!(
            real.checked_link("http://api-eu.vonage.com/v1/users")
                .is_err()
        );
        assert!(
            real.checked_link("https://api-eu.vonage.com.evil/v1")
                .is_err()
        );
    }
}
