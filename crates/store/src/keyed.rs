//! Keyed hashes of personal identification numbers: HMAC-SHA-256 under a random per-deployment
//! key. Searching and joining by number uses the hash, so no index holds the raw number, and a
//! copy of an index alone does not reveal numbers (an attacker also needs the key).

use sha2::{Digest, Sha256};

use crate::{Result, Store, StoreError};

/// The settings key under which the deployment's hashing key lives (hex, 32 bytes).
const KEY_SETTING: &str = "pid_hash_key";

/// HMAC-SHA-256 (RFC 2104).
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    const BLOCK: usize = 64;
    let mut k = [0u8; BLOCK];
    if key.len() > BLOCK {
        k[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let mut inner_pad = [0x36u8; BLOCK];
    let mut outer_pad = [0x5cu8; BLOCK];
    for i in 0..BLOCK {
        inner_pad[i] ^= k[i];
        outer_pad[i] ^= k[i];
    }
    let inner = Sha256::new().chain_update(inner_pad).chain_update(message).finalize();
    Sha256::new()
        .chain_update(outer_pad)
        .chain_update(inner)
        .finalize()
        .into()
}

/// The keyed hash of a number under `key`, as hex; whitespace in the number is ignored.
pub fn pid_hash_with(key: &[u8; 32], personal_id: &str) -> String {
    let digits: String = personal_id.chars().filter(|c| !c.is_whitespace()).collect();
    hex::encode(hmac_sha256(key, digits.as_bytes()))
}

impl Store {
    /// The deployment's hashing key, created on first use (race-safe across processes).
    pub async fn pid_key(&self) -> Result<[u8; 32]> {
        if let Some(k) = self.pid_key.get() {
            return Ok(*k);
        }
        let key = match self.setting(KEY_SETTING).await? {
            Some(hex_key) => parse_key(&hex_key)?,
            None => {
                let mut fresh = [0u8; 32];
                rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut fresh);
                sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING")
                    .bind(KEY_SETTING)
                    .bind(hex::encode(fresh))
                    .execute(&self.pool)
                    .await?;
                // Another process may have won the insert: use whatever is stored.
                let stored = self
                    .setting(KEY_SETTING)
                    .await?
                    .ok_or_else(|| StoreError::Corrupt("the hashing key vanished".into()))?;
                parse_key(&stored)?
            }
        };
        let _ = self.pid_key.set(key);
        Ok(key)
    }

    /// The keyed hash of a personal identification number.
    pub async fn pid_hash(&self, personal_id: &str) -> Result<String> {
        Ok(pid_hash_with(&self.pid_key().await?, personal_id))
    }

    /// Fills the hash and folded-name columns of dossier rows written before they existed.
    /// Returns the number of rows updated.
    pub async fn backfill_dossier_search_columns(&self) -> Result<u64> {
        let key = self.pid_key().await?;
        let mut updated = 0u64;
        loop {
            let rows: Vec<(String, String, Option<String>)> = sqlx::query_as(
                "SELECT code, applicant_name, applicant_pid FROM dossiers WHERE applicant_name_fold IS NULL LIMIT 1000",
            )
            .fetch_all(&self.pool)
            .await?;
            if rows.is_empty() {
                return Ok(updated);
            }
            let mut tx = self.pool.begin().await?;
            for (code, name, pid) in rows {
                sqlx::query("UPDATE dossiers SET applicant_name_fold = $2, applicant_pid_hash = $3 WHERE code = $1")
                    .bind(&code)
                    .bind(motcua_domain::text::fold(&name))
                    .bind(pid.as_deref().map(|p| pid_hash_with(&key, p)))
                    .execute(&mut *tx)
                    .await?;
                updated += 1;
            }
            tx.commit().await?;
        }
    }
}

fn parse_key(text: &str) -> Result<[u8; 32]> {
    hex::decode(text.trim())
        .ok()
        .and_then(|v| <[u8; 32]>::try_from(v).ok())
        .ok_or_else(|| StoreError::Corrupt(format!("setting {KEY_SETTING} is not 32 bytes of hex")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231() {
        // Test case 2 of RFC 4231.
        assert_eq!(
            hex::encode(hmac_sha256(b"Jefe", b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // Test case 6: a key longer than the block is hashed first.
        assert_eq!(
            hex::encode(hmac_sha256(
                &[0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First"
            )),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn hash_ignores_spaces_and_depends_on_the_key() {
        let a = pid_hash_with(&[1; 32], "064190012345");
        assert_eq!(a, pid_hash_with(&[1; 32], "064 190 012 345"));
        assert_ne!(a, pid_hash_with(&[2; 32], "064190012345"));
        assert!(!a.contains("064190012345"));
    }
}
