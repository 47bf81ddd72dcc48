//! Portal sessions and CSRF protection, shared by every server-rendered page (citizen portal, back
//! office, dashboards).
//!
//! - The session cookie (`mc_sid`) holds 32 random bytes; the database keeps only their SHA-256
//!   with the account, the per-session CSRF token and the e-ID level of the sign-in. Sessions end
//!   after [`IDLE_TIMEOUT_MS`] without a request, or at sign-out.
//! - Visitors who are not signed in get a random CSRF token in their own cookie (`mc_csrf`,
//!   double-submit), set only by pages that show a POST form.
//! - Sign-in attempts are limited per username and client address ([`LoginLimiter`]).

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Uri};
use motcua_store::User;
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::i18n::Lang;
use crate::state::AppState;

pub const SESSION_COOKIE: &str = "mc_sid";
pub const CSRF_COOKIE: &str = "mc_csrf";
pub const LANG_COOKIE: &str = "mc_lang";

/// A session ends after this long without a request.
pub const IDLE_TIMEOUT_MS: i64 = 30 * 60 * 1000;
/// `last_seen` is written at most this often (saves a write on every page view).
const TOUCH_EVERY_MS: i64 = 60 * 1000;

/// Failed sign-ins allowed per username and address within [`LOGIN_WINDOW`].
pub const MAX_LOGIN_FAILURES: usize = 5;
pub const LOGIN_WINDOW: Duration = Duration::from_secs(15 * 60);

/// A signed-in visitor.
#[derive(Clone, Debug)]
pub struct Session {
    pub user: User,
    /// The per-session CSRF token every POST form carries.
    pub csrf: String,
    /// 0 for a password sign-in, 1 or 2 for the national e-ID.
    pub eid_level: i64,
    /// Milliseconds since the epoch of the request before this one.
    pub last_seen_ms: i64,
}

fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

fn digest(id: &str) -> String {
    hex::encode(Sha256::digest(id.as_bytes()))
}

/// Equality that takes as long whatever the first difference (tokens are secrets).
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The value of one cookie of the request.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
}

/// True when the request reached us over HTTPS (directly or through a proxy that says so):
/// cookies then get the `Secure` attribute.
pub fn is_https(parts: &Parts) -> bool {
    parts.uri.scheme_str() == Some("https")
        || parts
            .headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"))
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, path `/`, Secure over HTTPS.
pub fn set_cookie(name: &str, value: &str, max_age_secs: Option<i64>, secure: bool) -> HeaderValue {
    let mut text = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(age) = max_age_secs {
        text.push_str(&format!("; Max-Age={age}"));
    }
    if secure {
        text.push_str("; Secure");
    }
    // Names and values are our own ASCII tokens.
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static("invalid=; Max-Age=0"))
}

/// Signs `user` in: stores a new session and answers with the cookie to send. `eid_level` is 0
/// for a password, the assurance level for a VNeID sign-in.
pub async fn sign_in(state: &AppState, user: &User, eid_level: i64, secure: bool) -> anyhow::Result<HeaderValue> {
    let id = random_token();
    let csrf = random_token();
    state
        .store()
        .create_portal_session(&digest(&id), &user.username, &csrf, eid_level)
        .await?;
    tracing::info!(username = %user.username, eid_level, "portal sign-in");
    Ok(set_cookie(SESSION_COOKIE, &id, None, secure))
}

/// Ends the session of the request (if any) and answers with the cookie that clears it.
pub async fn sign_out(state: &AppState, headers: &HeaderMap, secure: bool) -> anyhow::Result<HeaderValue> {
    if let Some(id) = cookie(headers, SESSION_COOKIE) {
        state.store().delete_portal_session(&digest(id)).await?;
    }
    Ok(set_cookie(SESSION_COOKIE, "", Some(0), secure))
}

/// Loads the session named by the request's cookie, sliding its idle timeout.
pub async fn load(state: &AppState, headers: &HeaderMap) -> anyhow::Result<Option<Session>> {
    let Some(id) = cookie(headers, SESSION_COOKIE).filter(|v| v.len() == 64) else {
        return Ok(None);
    };
    let hash = digest(id);
    let now = chrono::Utc::now().timestamp_millis();
    let Some(found) = state.store().portal_session(&hash, now - IDLE_TIMEOUT_MS).await? else {
        return Ok(None);
    };
    if now - found.last_seen_ms > TOUCH_EVERY_MS {
        state.store().touch_portal_session(&hash).await?;
    }
    Ok(Some(Session {
        user: found.user,
        csrf: found.csrf_token,
        eid_level: found.eid_level,
        last_seen_ms: found.last_seen_ms,
    }))
}

/// What every page handler needs to know about the request: language, session, CSRF state.
pub struct Ctx {
    pub lang: Lang,
    pub session: Option<Session>,
    pub secure: bool,
    pub uri: Uri,
    /// `?lang=` was given: remember it in a cookie.
    remember_lang: bool,
    /// The visitor's own CSRF cookie, if any.
    anon_csrf: Option<String>,
    /// A CSRF cookie to set with this response.
    new_anon_csrf: Mutex<Option<String>>,
    pub client: Option<IpAddr>,
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = axum::response::Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let query_lang = parts.uri.query().and_then(|q| {
            q.split('&')
                .filter_map(|kv| kv.split_once('='))
                .find(|(k, _)| *k == "lang")
                .and_then(|(_, v)| Lang::parse(v))
        });
        let lang = query_lang
            .or_else(|| cookie(&parts.headers, LANG_COOKIE).and_then(Lang::parse))
            .unwrap_or(Lang::Vi);
        let secure = is_https(parts);
        let session = match load(state, &parts.headers).await {
            Ok(s) => s,
            Err(e) => {
                return Err(super::error_page(
                    lang,
                    axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                    Some(e),
                ));
            }
        };
        let client = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip());
        Ok(Ctx {
            lang,
            session,
            secure,
            uri: parts.uri.clone(),
            remember_lang: query_lang.is_some(),
            anon_csrf: cookie(&parts.headers, CSRF_COOKIE)
                .filter(|v| v.len() == 64)
                .map(str::to_string),
            new_anon_csrf: Mutex::new(None),
            client,
        })
    }
}

impl Ctx {
    pub fn user(&self) -> Option<&User> {
        self.session.as_ref().map(|s| &s.user)
    }

    /// The token for this response's POST forms (the session's, or the visitor's own cookie,
    /// created on first use).
    pub fn csrf_token(&self) -> String {
        if let Some(s) = &self.session {
            return s.csrf.clone();
        }
        if let Some(t) = &self.anon_csrf {
            return t.clone();
        }
        let mut new = self.new_anon_csrf.lock().unwrap_or_else(|p| p.into_inner());
        new.get_or_insert_with(random_token).clone()
    }

    /// Checks a submitted form's token against the session (or the visitor's cookie).
    pub fn csrf_ok(&self, submitted: &str) -> bool {
        let expected = match (&self.session, &self.anon_csrf) {
            (Some(s), _) => s.csrf.as_str(),
            (None, Some(t)) => t.as_str(),
            (None, None) => return false,
        };
        !submitted.is_empty() && same_secret(expected, submitted)
    }

    /// The cookies this response must set (language remembered, a new CSRF token).
    pub fn cookies(&self) -> Vec<HeaderValue> {
        let mut out = Vec::new();
        if self.remember_lang {
            out.push(set_cookie(
                LANG_COOKIE,
                self.lang.code(),
                Some(365 * 24 * 3600),
                self.secure,
            ));
        }
        let new = self.new_anon_csrf.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(t) = new.as_ref() {
            out.push(set_cookie(CSRF_COOKIE, t, None, self.secure));
        }
        out
    }

    /// Key of the login limiter for a username from this client.
    pub fn login_key(&self, username: &str) -> String {
        let ip = self.client.map(|a| a.to_string()).unwrap_or_default();
        format!("{}|{ip}", motcua_domain::text::fold(username))
    }
}

/// Failed sign-ins per (username, address) in a sliding window, kept in memory: a restart forgets
/// them, which only gives an attacker a few more guesses.
#[derive(Default)]
pub struct LoginLimiter {
    failures: Mutex<HashMap<String, Vec<Instant>>>,
}

impl LoginLimiter {
    fn prune(list: &mut Vec<Instant>, now: Instant) {
        list.retain(|t| now.duration_since(*t) < LOGIN_WINDOW);
    }

    /// True when this key has used up its attempts.
    pub fn blocked(&self, key: &str) -> bool {
        let now = Instant::now();
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        match map.get_mut(key) {
            Some(list) => {
                Self::prune(list, now);
                list.len() >= MAX_LOGIN_FAILURES
            }
            None => false,
        }
    }

    pub fn failed(&self, key: &str) {
        let now = Instant::now();
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        // Bound the memory an attacker can make us hold.
        if map.len() > 100_000 {
            map.retain(|_, list| {
                Self::prune(list, now);
                !list.is_empty()
            });
        }
        let list = map.entry(key.to_string()).or_default();
        Self::prune(list, now);
        list.push(now);
    }

    pub fn succeeded(&self, key: &str) {
        self.failures.lock().unwrap_or_else(|p| p.into_inner()).remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_parsed_by_name() {
        let mut h = HeaderMap::new();
        h.insert("cookie", HeaderValue::from_static("a=1; mc_sid=abc; mc_lang=en"));
        assert_eq!(cookie(&h, "mc_sid"), Some("abc"));
        assert_eq!(cookie(&h, "mc_lang"), Some("en"));
        assert_eq!(cookie(&h, "x"), None);
    }

    #[test]
    fn cookie_attributes() {
        let v = set_cookie("mc_sid", "x", None, true);
        let s = v.to_str().unwrap();
        assert!(
            s.contains("HttpOnly") && s.contains("SameSite=Lax") && s.contains("Secure"),
            "{s}"
        );
        assert!(!set_cookie("a", "b", Some(0), false)
            .to_str()
            .unwrap()
            .contains("Secure"));
    }

    #[test]
    fn limiter_blocks_after_the_allowed_failures() {
        let l = LoginLimiter::default();
        for _ in 0..MAX_LOGIN_FAILURES {
            assert!(!l.blocked("u|1"));
            l.failed("u|1");
        }
        assert!(l.blocked("u|1"));
        assert!(!l.blocked("u|2"));
        l.succeeded("u|1");
        assert!(!l.blocked("u|1"));
    }

    #[test]
    fn secrets_compare() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "ab"));
    }
}
