//! Citizen accounts signed in through the national e-ID (VNeID): found by the verified personal
//! identification number, created on first sign-in, their assurance level kept up to date.

use sqlx::Row;

use crate::{enum_from_str, now_ms, Result, Role, Store, User};

/// Stored in place of a password hash: matches no password (e-ID accounts sign in through VNeID).
const NO_PASSWORD: &str = "!vneid";

impl Store {
    /// The enabled citizen account with this personal id, if any.
    pub async fn citizen_by_personal_id(&self, personal_id: &str) -> Result<Option<User>> {
        let row = sqlx::query(
            "SELECT username, full_name, role, unit_code, eid_level, personal_id FROM users \
             WHERE personal_id = $1 AND role = $2 AND disabled = 0 ORDER BY created_at, username LIMIT 1",
        )
        .bind(personal_id)
        .bind(Role::Citizen.as_str())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(User {
                username: r.get(0),
                full_name: r.get(1),
                role: enum_from_str(&r.get::<String, _>(2))?,
                unit_code: r.get(3),
                eid_level: r.get(4),
                personal_id: r.get(5),
            })
        })
        .transpose()
    }

    /// Records the e-ID level of an account's latest VNeID sign-in (and the name the e-ID gave).
    pub async fn set_eid_level(&self, username: &str, eid_level: i64, full_name: &str) -> Result<()> {
        sqlx::query("UPDATE users SET eid_level = $1, full_name = $2 WHERE username = $3")
            .bind(eid_level)
            .bind(full_name)
            .bind(username)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Creates a citizen account for a first VNeID sign-in; it has no usable password.
    pub async fn create_eid_citizen(&self, user: &User) -> Result<()> {
        sqlx::query(
            "INSERT INTO users (username, full_name, role, unit_code, password_hash, eid_level, personal_id, created_at) \
             VALUES ($1, $2, $3, NULL, $4, $5, $6, $7)",
        )
        .bind(&user.username)
        .bind(&user.full_name)
        .bind(Role::Citizen.as_str())
        .bind(NO_PASSWORD)
        .bind(user.eid_level)
        .bind(&user.personal_id)
        .bind(now_ms())
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn found_created_and_levelled(store: &Store) {
        assert_eq!(store.citizen_by_personal_id("064190012345").await.unwrap(), None);
        let u = User {
            username: "vneid-abc".into(),
            full_name: "Trần Thị B".into(),
            role: Role::Citizen,
            unit_code: None,
            eid_level: 1,
            personal_id: Some("064190012345".into()),
        };
        store.create_eid_citizen(&u).await.unwrap();
        store.set_eid_level("vneid-abc", 2, "Trần Thị Bình").await.unwrap();
        let got = store.citizen_by_personal_id("064190012345").await.unwrap().unwrap();
        assert_eq!((got.eid_level, got.full_name.as_str()), (2, "Trần Thị Bình"));
        assert!(store.user_credentials("vneid-abc").await.unwrap().is_some());
    }

    crate::on_both_backends!(found_created_and_levelled);
}
