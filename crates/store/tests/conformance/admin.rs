//! Administration stores: accounts created, re-roled and disabled; the province's settings of
//! catalogue procedures (offered or withdrawn, local fee) applied when the catalogue is read.

use motcua_domain::catalog::FeeKind;
use motcua_store::reference::embedded_catalog;
use motcua_store::{on_both_backends, LocalSetting, NewUser, Role, Store, User};

on_both_backends!(
    accounts_are_created_changed_and_disabled,
    local_settings_apply_to_the_catalogue,
);

fn officer(username: &str, role: Role, unit: Option<&str>) -> NewUser {
    NewUser {
        user: User {
            username: username.into(),
            full_name: "Cán bộ thử".into(),
            role,
            unit_code: unit.map(Into::into),
            eid_level: 0,
            personal_id: None,
        },
        password_hash: "$argon2id$placeholder".into(),
    }
}

async fn accounts_are_created_changed_and_disabled(store: &Store) {
    assert!(store
        .create_user(&officer("cv1", Role::Specialist, Some("23575")))
        .await
        .unwrap());
    // A taken username writes nothing.
    assert!(!store
        .create_user(&officer("cv1", Role::Leader, Some("21583")))
        .await
        .unwrap());
    let a = store.account("cv1").await.unwrap().unwrap();
    assert_eq!(
        (a.user.role, a.user.unit_code.as_deref(), a.disabled),
        (Role::Specialist, Some("23575"), false)
    );
    assert!(a.created_at_ms > 0);

    assert!(store.set_user_role("cv1", Role::ProvinceAdmin, None).await.unwrap());
    let a = store.account("cv1").await.unwrap().unwrap();
    assert_eq!((a.user.role, a.user.unit_code), (Role::ProvinceAdmin, None));
    assert!(!store
        .set_user_role("nobody", Role::Leader, Some("23575"))
        .await
        .unwrap());

    let future = chrono::Utc::now().timestamp_millis() + 60_000;
    store.insert_token("digest-cv1", "cv1", future).await.unwrap();
    assert!(store.set_user_disabled("cv1", true).await.unwrap());
    assert!(store.user_credentials("cv1").await.unwrap().is_none());
    assert!(store.token_owner("digest-cv1").await.unwrap().is_none());
    assert!(store.accounts().await.unwrap()[0].disabled);
    assert!(store.set_user_disabled("cv1", false).await.unwrap());
    assert!(store.user_credentials("cv1").await.unwrap().is_some());
    assert!(store.token_owner("digest-cv1").await.unwrap().is_some());
}

async fn local_settings_apply_to_the_catalogue(store: &Store) {
    let sample: Vec<_> = embedded_catalog()
        .unwrap()
        .into_iter()
        .filter(|p| p.code == "1.001193" || p.code == "1.000656")
        .collect();
    store.import_procedures(&sample).await.unwrap();
    let setting = |code: &str, enabled: bool, fee: Option<i64>| LocalSetting {
        code: code.into(),
        enabled,
        local_fee_dong: fee,
        note: "NQ 12/2025".into(),
        updated_at_ms: 0,
        updated_by: String::new(),
    };
    // Unknown procedure, negative or absurd fee: refused, nothing stored.
    assert!(store
        .put_procedure_setting(&setting("9.999999", true, None), "qt")
        .await
        .is_err());
    assert!(store
        .put_procedure_setting(&setting("1.001193", true, Some(-1)), "qt")
        .await
        .is_err());
    assert!(store
        .put_procedure_setting(&setting("1.001193", true, Some(2_000_000_000)), "qt")
        .await
        .is_err());
    assert!(store.procedure_settings().await.unwrap().is_empty());

    store
        .put_procedure_setting(&setting("1.001193", true, Some(35_000)), "qt")
        .await
        .unwrap();
    store
        .put_procedure_setting(&setting("1.000656", false, Some(0)), "qt")
        .await
        .unwrap();
    let all = store.procedure_settings().await.unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[1].code, "1.001193");
    assert_eq!(
        (all[1].enabled, all[1].local_fee_dong, all[1].updated_by.as_str()),
        (true, Some(35_000), "qt")
    );
    assert!(!all[0].enabled);

    let p = store.procedure("1.001193").await.unwrap().unwrap();
    assert!(!p.channels.is_empty());
    for c in &p.channels {
        assert_eq!(c.fees.len(), 1);
        assert_eq!((c.fees[0].kind, c.fees[0].amount_dong), (FeeKind::Amount, Some(35_000)));
        assert_eq!(c.fees[0].description, "NQ 12/2025");
    }
    let listed = store.procedures().await.unwrap();
    let free = listed.iter().find(|p| p.code == "1.000656").unwrap();
    assert!(free.channels.iter().all(|c| c.fees[0].kind == FeeKind::Free));

    // Back to the catalogue's fees: the stored procedure itself was never changed.
    store
        .put_procedure_setting(&setting("1.001193", true, None), "qt")
        .await
        .unwrap();
    let original = sample.iter().find(|p| p.code == "1.001193").unwrap();
    assert_eq!(&store.procedure("1.001193").await.unwrap().unwrap(), original);
}
