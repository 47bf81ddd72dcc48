//! An OpenID Connect relying party for the national e-ID (VNeID): discovery, the authorization
//! code flow with PKCE (S256), state and nonce, the token request, and ID-token verification
//! (RS256 or ES256 against the provider's JWKS; `iss`, `aud`, `exp`, `nonce` checked).
//!
//! The assurance level comes from the `acr` claim (a value ending in `2` is level 2, anything
//! else level 1); the personal identification number from the `so_dinh_danh` claim (or
//! `personal_id`).

use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use rand::RngCore;
use serde::Deserialize;
use sha2::{Digest, Sha256};

/// Configuration of the relying party.
#[derive(Clone)]
pub struct OidcSettings {
    /// The provider's issuer URL (`MOTCUA_OIDC_ISSUER`); discovery is at
    /// `{issuer}/.well-known/openid-configuration`.
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    /// Where the provider sends the browser back: `{public URL}/dang-nhap/vneid/callback`.
    pub redirect_url: String,
}

impl std::fmt::Debug for OidcSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OidcSettings")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("client_secret", &"[hidden]")
            .field("redirect_url", &self.redirect_url)
            .finish()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    #[error("provider unreachable or answered badly: {0}")]
    Provider(String),
    #[error("ID token malformed: {0}")]
    Malformed(&'static str),
    #[error("ID token signed with an unsupported algorithm {0:?}")]
    Algorithm(String),
    #[error("no provider key matches the ID token")]
    UnknownKey,
    #[error("ID token signature does not verify")]
    BadSignature,
    #[error("ID token claim {0} is wrong")]
    Claim(&'static str),
}

/// The part of the provider's discovery document the relying party uses.
#[derive(Clone, Debug, Deserialize)]
pub struct ProviderMetadata {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub jwks_uri: String,
}

/// One public key of a JWKS.
#[derive(Clone, Debug, Deserialize, serde::Serialize, Default)]
pub struct Jwk {
    pub kty: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alg: Option<String>,
    #[serde(default, rename = "use", skip_serializing_if = "Option::is_none")]
    pub use_: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub n: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub e: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crv: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub y: Option<String>,
}

#[derive(Clone, Debug, Deserialize, serde::Serialize, Default)]
pub struct Jwks {
    pub keys: Vec<Jwk>,
}

/// The verified claims the portal uses.
#[derive(Clone, PartialEq, Eq)]
pub struct IdClaims {
    pub subject: String,
    pub name: Option<String>,
    pub personal_id: Option<String>,
    pub acr: Option<String>,
}

impl std::fmt::Debug for IdClaims {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IdClaims")
            .field("subject", &self.subject)
            .field("acr", &self.acr)
            .field(
                "personal_id",
                &self
                    .personal_id
                    .as_deref()
                    .map(motcua_domain::ids::mask_personal_number),
            )
            .finish()
    }
}

/// The assurance level of an `acr` value: 2 for a value ending in `2`, else 1.
pub fn eid_level(acr: Option<&str>) -> i64 {
    match acr.map(str::trim) {
        Some(a) if a.ends_with('2') => 2,
        _ => 1,
    }
}

/// A random URL-safe token (state, nonce, PKCE verifier): 32 bytes.
pub fn random_token() -> String {
    let mut b = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut b);
    URL_SAFE_NO_PAD.encode(b)
}

/// The PKCE S256 challenge of a verifier.
pub fn pkce_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap_or_default()
}

/// Fetches and checks the discovery document (its `issuer` must be the configured one).
pub async fn discover(issuer: &str) -> Result<ProviderMetadata, OidcError> {
    let url = format!("{}/.well-known/openid-configuration", issuer.trim_end_matches('/'));
    let meta: ProviderMetadata = fetch_json(http().get(&url)).await?;
    if meta.issuer.trim_end_matches('/') != issuer.trim_end_matches('/') {
        return Err(OidcError::Provider(format!("discovery names issuer {:?}", meta.issuer)));
    }
    Ok(meta)
}

pub async fn fetch_jwks(meta: &ProviderMetadata) -> Result<Jwks, OidcError> {
    fetch_json(http().get(&meta.jwks_uri)).await
}

async fn fetch_json<T: serde::de::DeserializeOwned>(req: reqwest::RequestBuilder) -> Result<T, OidcError> {
    let r = req.send().await.map_err(|e| OidcError::Provider(e.to_string()))?;
    let status = r.status();
    let body = r.text().await.map_err(|e| OidcError::Provider(e.to_string()))?;
    if !status.is_success() {
        let short: String = body.chars().take(300).collect();
        return Err(OidcError::Provider(format!("HTTP {status}: {short}")));
    }
    serde_json::from_str(&body).map_err(|e| OidcError::Provider(format!("unreadable answer: {e}")))
}

/// The URL that starts the sign-in at the provider.
pub fn authorization_url(
    meta: &ProviderMetadata,
    s: &OidcSettings,
    state: &str,
    nonce: &str,
    verifier: &str,
) -> String {
    let params = [
        ("response_type", "code"),
        ("client_id", s.client_id.as_str()),
        ("redirect_uri", s.redirect_url.as_str()),
        ("scope", "openid profile"),
        ("state", state),
        ("nonce", nonce),
        ("code_challenge", &pkce_challenge(verifier)),
        ("code_challenge_method", "S256"),
    ]
    .iter()
    .map(|(k, v)| format!("{k}={}", urlencoding::encode(v)))
    .collect::<Vec<_>>()
    .join("&");
    let sep = if meta.authorization_endpoint.contains('?') {
        '&'
    } else {
        '?'
    };
    format!("{}{sep}{params}", meta.authorization_endpoint)
}

#[derive(Deserialize)]
struct TokenResponse {
    id_token: String,
}

/// Exchanges the authorization code (with the PKCE verifier) for the ID token.
pub async fn exchange_code(
    meta: &ProviderMetadata,
    s: &OidcSettings,
    code: &str,
    verifier: &str,
) -> Result<String, OidcError> {
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", s.redirect_url.as_str()),
        ("code_verifier", verifier),
    ];
    let req = http()
        .post(&meta.token_endpoint)
        .basic_auth(
            urlencoding::encode(&s.client_id),
            Some(urlencoding::encode(&s.client_secret)),
        )
        .form(&form);
    let t: TokenResponse = fetch_json(req).await?;
    Ok(t.id_token)
}

#[derive(Deserialize)]
struct Header {
    alg: String,
    #[serde(default)]
    kid: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Audience {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize)]
struct RawClaims {
    iss: String,
    sub: String,
    aud: Audience,
    exp: i64,
    #[serde(default)]
    azp: Option<String>,
    #[serde(default)]
    nonce: Option<String>,
    #[serde(default)]
    acr: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    so_dinh_danh: Option<String>,
    #[serde(default)]
    personal_id: Option<String>,
}

/// Clock skew tolerated on `exp`.
const LEEWAY_SECS: i64 = 60;

fn b64(part: &str) -> Result<Vec<u8>, OidcError> {
    URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| OidcError::Malformed("not base64url"))
}

fn verify_signature(alg: &str, key: &Jwk, message: &[u8], signature: &[u8]) -> Result<(), OidcError> {
    match alg {
        "RS256" => {
            use rsa::signature::Verifier;
            let n = b64(key.n.as_deref().ok_or(OidcError::UnknownKey)?)?;
            let e = b64(key.e.as_deref().ok_or(OidcError::UnknownKey)?)?;
            let public = rsa::RsaPublicKey::new(rsa::BigUint::from_bytes_be(&n), rsa::BigUint::from_bytes_be(&e))
                .map_err(|_| OidcError::UnknownKey)?;
            let sig = rsa::pkcs1v15::Signature::try_from(signature).map_err(|_| OidcError::BadSignature)?;
            rsa::pkcs1v15::VerifyingKey::<Sha256>::new(public)
                .verify(message, &sig)
                .map_err(|_| OidcError::BadSignature)
        }
        "ES256" => {
            use p256::ecdsa::signature::Verifier;
            if key.crv.as_deref() != Some("P-256") {
                return Err(OidcError::UnknownKey);
            }
            let x = b64(key.x.as_deref().ok_or(OidcError::UnknownKey)?)?;
            let y = b64(key.y.as_deref().ok_or(OidcError::UnknownKey)?)?;
            if x.len() != 32 || y.len() != 32 {
                return Err(OidcError::UnknownKey);
            }
            let point = p256::EncodedPoint::from_affine_coordinates(
                p256::FieldBytes::from_slice(&x),
                p256::FieldBytes::from_slice(&y),
                false,
            );
            let public = p256::ecdsa::VerifyingKey::from_encoded_point(&point).map_err(|_| OidcError::UnknownKey)?;
            let sig = p256::ecdsa::Signature::from_slice(signature).map_err(|_| OidcError::BadSignature)?;
            public.verify(message, &sig).map_err(|_| OidcError::BadSignature)
        }
        other => Err(OidcError::Algorithm(other.to_string())),
    }
}

/// What an ID token must satisfy.
pub struct Expected<'a> {
    pub issuer: &'a str,
    pub client_id: &'a str,
    pub nonce: &'a str,
    /// Seconds since the epoch.
    pub now: i64,
}

/// Verifies an ID token's signature against the JWKS and its claims against `expected`.
pub fn verify_id_token(token: &str, jwks: &Jwks, expected: &Expected) -> Result<IdClaims, OidcError> {
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(s), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err(OidcError::Malformed("not three parts"));
    };
    let header: Header = serde_json::from_slice(&b64(h)?).map_err(|_| OidcError::Malformed("header"))?;
    let kty = match header.alg.as_str() {
        "RS256" => "RSA",
        "ES256" => "EC",
        other => return Err(OidcError::Algorithm(other.to_string())),
    };
    let key = jwks
        .keys
        .iter()
        .filter(|k| k.kty == kty && k.use_.as_deref().is_none_or(|u| u == "sig"))
        .filter(|k| k.alg.as_deref().is_none_or(|a| a == header.alg))
        .find(|k| header.kid.is_none() || k.kid == header.kid)
        .ok_or(OidcError::UnknownKey)?;
    let message = &token[..h.len() + 1 + p.len()];
    verify_signature(&header.alg, key, message.as_bytes(), &b64(s)?)?;
    let c: RawClaims = serde_json::from_slice(&b64(p)?).map_err(|_| OidcError::Malformed("claims"))?;
    if c.iss.trim_end_matches('/') != expected.issuer.trim_end_matches('/') {
        return Err(OidcError::Claim("iss"));
    }
    let aud_ok = match &c.aud {
        Audience::One(a) => a == expected.client_id,
        Audience::Many(list) => {
            list.iter().any(|a| a == expected.client_id)
                && (list.len() == 1 || c.azp.as_deref() == Some(expected.client_id))
        }
    };
    if !aud_ok {
        return Err(OidcError::Claim("aud"));
    }
    if c.exp + LEEWAY_SECS < expected.now {
        return Err(OidcError::Claim("exp"));
    }
    let nonce_ok = c
        .nonce
        .as_deref()
        .is_some_and(|n| crate::pages::session::same_secret(n, expected.nonce));
    if !nonce_ok {
        return Err(OidcError::Claim("nonce"));
    }
    Ok(IdClaims {
        subject: c.sub,
        name: c.name,
        personal_id: c.so_dinh_danh.or(c.personal_id),
        acr: c.acr,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::OsRng;
    use serde_json::json;

    const ISS: &str = "http://127.0.0.1:9/oidc";

    fn rsa_key() -> &'static rsa::RsaPrivateKey {
        static KEY: std::sync::OnceLock<rsa::RsaPrivateKey> = std::sync::OnceLock::new();
        KEY.get_or_init(|| rsa::RsaPrivateKey::new(&mut OsRng, 2048).unwrap())
    }

    fn rsa_jwk(key: &rsa::RsaPrivateKey, kid: &str) -> Jwk {
        use rsa::traits::PublicKeyParts;
        Jwk {
            kty: "RSA".into(),
            kid: Some(kid.into()),
            alg: Some("RS256".into()),
            use_: Some("sig".into()),
            n: Some(URL_SAFE_NO_PAD.encode(key.n().to_bytes_be())),
            e: Some(URL_SAFE_NO_PAD.encode(key.e().to_bytes_be())),
            ..Jwk::default()
        }
    }

    fn ec_jwk(key: &p256::ecdsa::SigningKey, kid: &str) -> Jwk {
        let point = key.verifying_key().to_encoded_point(false);
        Jwk {
            kty: "EC".into(),
            kid: Some(kid.into()),
            crv: Some("P-256".into()),
            x: Some(URL_SAFE_NO_PAD.encode(point.x().unwrap())),
            y: Some(URL_SAFE_NO_PAD.encode(point.y().unwrap())),
            ..Jwk::default()
        }
    }

    fn claims(nonce: &str, aud: serde_json::Value, exp: i64) -> serde_json::Value {
        json!({"iss": ISS, "sub": "abc", "aud": aud, "exp": exp, "iat": exp - 600, "nonce": nonce,
               "acr": "urn:vneid:loa:2", "name": "Trần Thị Bình", "so_dinh_danh": "064190012345"})
    }

    fn signing_input(alg: &str, kid: &str, claims: &serde_json::Value) -> String {
        let h = URL_SAFE_NO_PAD.encode(json!({"alg": alg, "kid": kid, "typ": "JWT"}).to_string());
        let p = URL_SAFE_NO_PAD.encode(claims.to_string());
        format!("{h}.{p}")
    }

    fn rs256(key: &rsa::RsaPrivateKey, kid: &str, claims: &serde_json::Value) -> String {
        use rsa::signature::{SignatureEncoding, Signer};
        let input = signing_input("RS256", kid, claims);
        let sig = rsa::pkcs1v15::SigningKey::<Sha256>::new(key.clone()).sign(input.as_bytes());
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig.to_vec()))
    }

    fn es256(key: &p256::ecdsa::SigningKey, kid: &str, claims: &serde_json::Value) -> String {
        use p256::ecdsa::signature::Signer;
        let input = signing_input("ES256", kid, claims);
        let sig: p256::ecdsa::Signature = key.sign(input.as_bytes());
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig.to_bytes()))
    }

    const NOW: i64 = 1_800_000_000;

    fn expected(nonce: &str) -> Expected<'_> {
        Expected {
            issuer: ISS,
            client_id: "motcua",
            nonce,
            now: NOW,
        }
    }

    #[test]
    fn valid_tokens_of_both_algorithms_verify() {
        let ec = p256::ecdsa::SigningKey::random(&mut OsRng);
        let jwks = Jwks {
            keys: vec![rsa_jwk(rsa_key(), "r1"), ec_jwk(&ec, "e1")],
        };
        let c = claims("n1", json!("motcua"), NOW + 300);
        let got = verify_id_token(&rs256(rsa_key(), "r1", &c), &jwks, &expected("n1")).unwrap();
        assert_eq!(got.personal_id.as_deref(), Some("064190012345"));
        assert_eq!(eid_level(got.acr.as_deref()), 2);
        assert_eq!(got.name.as_deref(), Some("Trần Thị Bình"));
        assert!(!format!("{got:?}").contains("064190012345"), "{got:?}");
        let c = claims("n1", json!(["motcua"]), NOW + 300);
        assert!(verify_id_token(&es256(&ec, "e1", &c), &jwks, &expected("n1")).is_ok());
    }

    #[test]
    fn wrong_nonce_audience_issuer_or_expired_are_refused() {
        let ec = p256::ecdsa::SigningKey::random(&mut OsRng);
        let jwks = Jwks {
            keys: vec![ec_jwk(&ec, "e1")],
        };
        let token = |c: &serde_json::Value| es256(&ec, "e1", c);
        let check = |c: serde_json::Value| verify_id_token(&token(&c), &jwks, &expected("n1")).unwrap_err();
        assert!(matches!(
            check(claims("n2", json!("motcua"), NOW + 300)),
            OidcError::Claim("nonce")
        ));
        assert!(matches!(
            check(claims("n1", json!("other"), NOW + 300)),
            OidcError::Claim("aud")
        ));
        assert!(matches!(
            check(claims("n1", json!(["other", "motcua"]), NOW + 300)),
            OidcError::Claim("aud")
        ));
        assert!(matches!(
            check(claims("n1", json!("motcua"), NOW - 120)),
            OidcError::Claim("exp")
        ));
        let mut c = claims("n1", json!("motcua"), NOW + 300);
        c["iss"] = json!("http://evil.example");
        assert!(matches!(check(c), OidcError::Claim("iss")));
        let mut c = claims("n1", json!("motcua"), NOW + 300);
        c.as_object_mut().unwrap().remove("nonce");
        assert!(matches!(check(c), OidcError::Claim("nonce")));
    }

    #[test]
    fn bad_signatures_and_algorithms_are_refused() {
        let ec = p256::ecdsa::SigningKey::random(&mut OsRng);
        let other = p256::ecdsa::SigningKey::random(&mut OsRng);
        let jwks = Jwks {
            keys: vec![ec_jwk(&ec, "e1"), rsa_jwk(rsa_key(), "r1")],
        };
        let c = claims("n1", json!("motcua"), NOW + 300);
        // Signed by a key the provider does not publish, under a published kid.
        let forged = es256(&other, "e1", &c);
        assert!(matches!(
            verify_id_token(&forged, &jwks, &expected("n1")),
            Err(OidcError::BadSignature)
        ));
        // Claims changed after signing.
        let good = rs256(rsa_key(), "r1", &c);
        let mut parts: Vec<&str> = good.split('.').collect();
        let mut changed = c.clone();
        changed["so_dinh_danh"] = json!("052085006789");
        let payload = URL_SAFE_NO_PAD.encode(changed.to_string());
        parts[1] = &payload;
        assert!(matches!(
            verify_id_token(&parts.join("."), &jwks, &expected("n1")),
            Err(OidcError::BadSignature)
        ));
        // Unknown kid; `none` and HMAC algorithms.
        assert!(matches!(
            verify_id_token(&es256(&ec, "e9", &c), &jwks, &expected("n1")),
            Err(OidcError::UnknownKey)
        ));
        let none = format!(
            "{}.{}.",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"none"}"#),
            URL_SAFE_NO_PAD.encode(c.to_string())
        );
        assert!(matches!(
            verify_id_token(&none, &jwks, &expected("n1")),
            Err(OidcError::Algorithm(_))
        ));
        assert!(matches!(
            verify_id_token("a.b", &jwks, &expected("n1")),
            Err(OidcError::Malformed(_))
        ));
    }

    #[test]
    fn levels_and_pkce() {
        assert_eq!(eid_level(Some("2")), 2);
        assert_eq!(eid_level(Some("urn:vneid:loa:1")), 1);
        assert_eq!(eid_level(None), 1);
        // RFC 7636 appendix B.
        assert_eq!(
            pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }
}
