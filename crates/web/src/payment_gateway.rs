//! Online payment gateways: the adapter interface motcua pays through, and the sandbox gateway the
//! demo ships.
//!
//! A gateway takes a payment order (motcua's payment id as the merchant reference, the amount in
//! whole đồng, where to send the payer back and where to post the result), gives a URL to send the
//! payer to, posts a signed result to the callback URL (server to server), and answers status
//! queries for reconciliation. motcua trusts only a callback whose signature verifies.
//!
//! The sandbox behaves like a bank's gateway: its own pages under `/sandbox-thanh-toan/…` where
//! the payer confirms or cancels, its own ledger (`sandbox_gateway_txns`), an HMAC-SHA256 signature
//! over the result fields, a server-to-server POST of the result and a signed return redirect.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use hmac::{Hmac, Mac};
use motcua_store::payments::{SandboxTxn, FAILED, PAID, PENDING};
use motcua_store::Store;
use rand::RngCore;
use sha2::Sha256;

/// Settings of online payment.
#[derive(Clone, Default)]
pub struct PaymentSettings {
    /// The merchant secret shared with the gateway (HMAC key); empty: a random one per process.
    pub secret: String,
    /// motcua's own address as the gateway reaches it (`http://127.0.0.1:8080`), for the
    /// callback URL; none: online payment is not offered.
    pub public_url: Option<String>,
}

impl std::fmt::Debug for PaymentSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PaymentSettings")
            .field("secret", &"[hidden]")
            .field("public_url", &self.public_url)
            .finish()
    }
}

/// A sandbox transaction left pending this long is expired by the gateway (as banks do).
pub const SANDBOX_EXPIRY_MS: i64 = 15 * 60 * 1000;

/// A payment order sent to the gateway.
#[derive(Clone, Debug)]
pub struct PaymentOrder {
    /// motcua's payment id.
    pub merchant_ref: String,
    pub amount_dong: i64,
    pub description: String,
    pub return_url: String,
    pub callback_url: String,
}

/// The gateway's answer to an order.
#[derive(Clone, Debug)]
pub struct Created {
    pub gateway_ref: String,
    /// Where to send the payer's browser.
    pub redirect_url: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Pending,
    Paid,
    Failed,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Pending => PENDING,
            Outcome::Paid => PAID,
            Outcome::Failed => FAILED,
        }
    }

    pub fn parse(text: &str) -> Option<Outcome> {
        match text {
            PENDING => Some(Outcome::Pending),
            PAID => Some(Outcome::Paid),
            FAILED => Some(Outcome::Failed),
            _ => None,
        }
    }
}

/// A verified gateway result (callback or return redirect).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GatewayResult {
    pub merchant_ref: String,
    pub gateway_ref: String,
    pub amount_dong: i64,
    pub outcome: Outcome,
}

#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    #[error("the gateway's signature does not verify")]
    BadSignature,
    #[error("the gateway's message is incomplete or malformed: {0}")]
    Malformed(&'static str),
    #[error("unknown gateway transaction")]
    Unknown,
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What motcua needs of a payment gateway.
pub trait PaymentGateway: Send + Sync {
    /// Short name stored with each payment.
    fn name(&self) -> &'static str;
    /// Registers an order; the payer is then sent to the returned URL.
    fn create<'a>(&'a self, order: &'a PaymentOrder) -> BoxFuture<'a, Result<Created, GatewayError>>;
    /// Checks a result's signature and reads it (callback body or return query).
    fn verify(&self, fields: &BTreeMap<String, String>) -> Result<GatewayResult, GatewayError>;
    /// Asks the gateway where a transaction stands (reconciliation).
    fn query<'a>(&'a self, gateway_ref: &'a str) -> BoxFuture<'a, Result<Outcome, GatewayError>>;
}

/// The gateway configured for this deployment (the sandbox; a bank's adapter would be chosen here).
pub fn gateway(store: &Store, settings: &PaymentSettings) -> Arc<dyn PaymentGateway> {
    Arc::new(SandboxGateway::new(store.clone(), &settings.secret))
}

/// The text signed: the fields other than the signature, sorted by name, `k=v` joined with `&`
/// (values percent-encoded so no separator can be smuggled in).
fn canonical(fields: &BTreeMap<String, String>) -> String {
    fields
        .iter()
        .filter(|(k, _)| k.as_str() != "signature")
        .map(|(k, v)| format!("{}={}", urlencoding::encode(k), urlencoding::encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn mac(secret: &[u8], fields: &BTreeMap<String, String>) -> Hmac<Sha256> {
    // HMAC takes keys of any length.
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(secret).unwrap_or_else(|_| unreachable!());
    m.update(canonical(fields).as_bytes());
    m
}

/// Signs result fields: returns them with `signature` (hex HMAC-SHA256) added.
pub fn sign(secret: &[u8], mut fields: BTreeMap<String, String>) -> BTreeMap<String, String> {
    let tag = hex::encode(mac(secret, &fields).finalize().into_bytes());
    fields.insert("signature".into(), tag);
    fields
}

/// Checks the `signature` field of result fields (constant-time).
pub fn signature_ok(secret: &[u8], fields: &BTreeMap<String, String>) -> bool {
    let Some(tag) = fields.get("signature").and_then(|t| hex::decode(t).ok()) else {
        return false;
    };
    mac(secret, fields).verify_slice(&tag).is_ok()
}

fn process_secret() -> &'static [u8] {
    static SECRET: std::sync::OnceLock<[u8; 32]> = std::sync::OnceLock::new();
    SECRET.get_or_init(|| {
        let mut b = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut b);
        b
    })
}

/// The demo's gateway (see the module documentation).
pub struct SandboxGateway {
    store: Store,
    secret: Vec<u8>,
    http: reqwest::Client,
}

impl SandboxGateway {
    pub fn new(store: Store, secret: &str) -> SandboxGateway {
        let secret = if secret.is_empty() {
            process_secret().to_vec()
        } else {
            secret.as_bytes().to_vec()
        };
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .unwrap_or_default();
        SandboxGateway { store, secret, http }
    }

    /// The signed result fields of a transaction.
    pub fn result_fields(&self, t: &SandboxTxn) -> BTreeMap<String, String> {
        let fields = BTreeMap::from([
            ("merchant_ref".to_string(), t.merchant_ref.clone()),
            ("gateway_ref".to_string(), t.gateway_ref.clone()),
            ("amount".to_string(), t.amount_dong.to_string()),
            ("status".to_string(), t.status.clone()),
        ]);
        sign(&self.secret, fields)
    }

    /// The payer's decision on the gateway's page: records it, posts the signed result to the
    /// merchant's callback, and answers where to send the payer back (the signed return URL).
    /// A failed callback leaves the merchant's payment pending for reconciliation.
    pub async fn decide(&self, gateway_ref: &str, confirm: bool) -> Result<String, GatewayError> {
        let status = if confirm { PAID } else { FAILED };
        self.store
            .decide_sandbox_txn(gateway_ref, status)
            .await
            .map_err(anyhow::Error::from)?;
        let t = self
            .store
            .sandbox_txn(gateway_ref)
            .await
            .map_err(anyhow::Error::from)?
            .ok_or(GatewayError::Unknown)?;
        let fields = self.result_fields(&t);
        match self.http.post(&t.callback_url).form(&fields).send().await {
            Ok(r) if r.status().is_success() => {}
            Ok(r) => tracing::warn!(status = %r.status(), gateway_ref, "sandbox callback refused"),
            Err(e) => tracing::warn!(error = %e, gateway_ref, "sandbox callback failed"),
        }
        let query = fields
            .iter()
            .map(|(k, v)| format!("{k}={}", urlencoding::encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let sep = if t.return_url.contains('?') { '&' } else { '?' };
        Ok(format!("{}{sep}{query}", t.return_url))
    }
}

impl PaymentGateway for SandboxGateway {
    fn name(&self) -> &'static str {
        "sandbox"
    }

    fn create<'a>(&'a self, order: &'a PaymentOrder) -> BoxFuture<'a, Result<Created, GatewayError>> {
        Box::pin(async move {
            if order.amount_dong <= 0 {
                return Err(GatewayError::Malformed("amount"));
            }
            let mut b = [0u8; 8];
            rand::thread_rng().fill_bytes(&mut b);
            let gateway_ref = format!("SBX{}", hex::encode_upper(b));
            self.store
                .insert_sandbox_txn(&SandboxTxn {
                    gateway_ref: gateway_ref.clone(),
                    merchant_ref: order.merchant_ref.clone(),
                    amount_dong: order.amount_dong,
                    description: order.description.clone(),
                    return_url: order.return_url.clone(),
                    callback_url: order.callback_url.clone(),
                    status: PENDING.into(),
                    created_at_ms: chrono::Utc::now().timestamp_millis(),
                })
                .await
                .map_err(anyhow::Error::from)?;
            Ok(Created {
                redirect_url: format!("/sandbox-thanh-toan/{gateway_ref}"),
                gateway_ref,
            })
        })
    }

    fn verify(&self, fields: &BTreeMap<String, String>) -> Result<GatewayResult, GatewayError> {
        if !signature_ok(&self.secret, fields) {
            return Err(GatewayError::BadSignature);
        }
        let get = |k: &'static str| {
            fields
                .get(k)
                .filter(|v| !v.is_empty())
                .ok_or(GatewayError::Malformed(k))
        };
        Ok(GatewayResult {
            merchant_ref: get("merchant_ref")?.clone(),
            gateway_ref: get("gateway_ref")?.clone(),
            amount_dong: get("amount")?.parse().map_err(|_| GatewayError::Malformed("amount"))?,
            outcome: Outcome::parse(get("status")?).ok_or(GatewayError::Malformed("status"))?,
        })
    }

    fn query<'a>(&'a self, gateway_ref: &'a str) -> BoxFuture<'a, Result<Outcome, GatewayError>> {
        Box::pin(async move {
            let t = self
                .store
                .sandbox_txn(gateway_ref)
                .await
                .map_err(anyhow::Error::from)?
                .ok_or(GatewayError::Unknown)?;
            let now = chrono::Utc::now().timestamp_millis();
            if t.status == PENDING && now - t.created_at_ms > SANDBOX_EXPIRY_MS {
                // The payer never decided: the gateway expires the order.
                self.store
                    .decide_sandbox_txn(gateway_ref, FAILED)
                    .await
                    .map_err(anyhow::Error::from)?;
                return Ok(Outcome::Failed);
            }
            Outcome::parse(&t.status).ok_or(GatewayError::Malformed("status"))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields() -> BTreeMap<String, String> {
        BTreeMap::from([
            ("merchant_ref".to_string(), "p1".to_string()),
            ("gateway_ref".to_string(), "SBX1".to_string()),
            ("amount".to_string(), "50000".to_string()),
            ("status".to_string(), "paid".to_string()),
        ])
    }

    #[test]
    fn signatures_verify_and_detect_tampering() {
        let signed = sign(b"k", fields());
        assert!(signature_ok(b"k", &signed));
        assert!(!signature_ok(b"other", &signed));
        let mut tampered = signed.clone();
        tampered.insert("amount".into(), "5000".into());
        assert!(!signature_ok(b"k", &tampered));
        let mut smuggled = signed.clone();
        smuggled.insert("status".into(), "paid&amount=1".into());
        assert!(!signature_ok(b"k", &smuggled));
        assert!(!signature_ok(b"k", &fields()));
    }
}
