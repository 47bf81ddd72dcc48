//! Opening a deployment: migrations, reference data for an empty database, the province's
//! organisations, and (for the demo) the demo accounts.

use anyhow::Context;
use motcua_store::reference::{self, ReferenceLoad};
use motcua_store::{NewUser, Role, Store, User};

use crate::config::Config;

/// Opens the configured database, migrates it, and loads what an empty deployment lacks.
pub async fn open_deployment(config: &Config) -> anyhow::Result<(Store, ReferenceLoad)> {
    let url = config.database_url();
    if url.starts_with("sqlite:") {
        std::fs::create_dir_all(&config.data_dir)
            .with_context(|| format!("cannot create the data directory {}", config.data_dir.display()))?;
    }
    let store = Store::open(&url)
        .await
        .with_context(|| format!("cannot open the database {}", motcua_store::redact_url(&url)))?;
    let load = reference::load_reference_if_empty(&store).await?;
    if store.organisations().await?.is_empty() {
        let units = store.units().await?;
        let orgs = reference::province_organisations(&units, &config.province_code, &config.level1_code)?;
        store.upsert_organisations(&orgs).await?;
        store.set_setting("province_code", &config.province_code).await?;
        store.set_setting("level1_code", &config.level1_code).await?;
    }
    Ok((store, load))
}

/// A demo account: username, full name, role, organisation code, e-ID level, personal id.
pub struct DemoAccount {
    pub username: &'static str,
    pub full_name: &'static str,
    pub role: Role,
    pub unit_code: Option<&'static str>,
    pub eid_level: i64,
    /// Synthetic numbers that obey the personal-id rules (province, century/sex, year).
    pub personal_id: Option<&'static str>,
    pub what: &'static str,
}

/// The province service centre's code in the demo (the receiving unit of the example dossier code).
pub const DEMO_SERVICE_CENTRE: &str = "000.00.12.H21";

pub const DEMO_ACCOUNTS: &[DemoAccount] = &[
    DemoAccount {
        username: "congdan1",
        full_name: "Nguyễn Thị Lan",
        role: Role::Citizen,
        unit_code: None,
        eid_level: 2,
        personal_id: Some("064190012345"),
        what: "công dân, VNeID mức 2 / citizen, e-ID level 2",
    },
    DemoAccount {
        username: "congdan2",
        full_name: "Trần Văn Minh",
        role: Role::Citizen,
        unit_code: None,
        eid_level: 2,
        personal_id: Some("052085006789"),
        what: "công dân, VNeID mức 2 / citizen, e-ID level 2",
    },
    DemoAccount {
        username: "tiepnhan1",
        full_name: "Lê Thị Hoa",
        role: Role::CounterOfficer,
        unit_code: Some(DEMO_SERVICE_CENTRE),
        eid_level: 0,
        personal_id: None,
        what: "một cửa, Trung tâm Phục vụ hành chính công tỉnh / one-stop counter, province service centre",
    },
    DemoAccount {
        username: "chuyenvien1",
        full_name: "Phạm Văn Hùng",
        role: Role::Specialist,
        unit_code: Some("23575"),
        eid_level: 0,
        personal_id: None,
        what: "chuyên viên, UBND Phường Pleiku / specialist",
    },
    DemoAccount {
        username: "lanhdao1",
        full_name: "Võ Minh Tuấn",
        role: Role::Leader,
        unit_code: Some("23575"),
        eid_level: 0,
        personal_id: None,
        what: "lãnh đạo, UBND Phường Pleiku / leader",
    },
    DemoAccount {
        username: "chuyenvien2",
        full_name: "Đặng Thị Thu",
        role: Role::Specialist,
        unit_code: Some("21583"),
        eid_level: 0,
        personal_id: None,
        what: "chuyên viên, UBND Phường Quy Nhơn / specialist",
    },
    DemoAccount {
        username: "quantri",
        full_name: "Quản trị hệ thống",
        role: Role::ProvinceAdmin,
        unit_code: None,
        eid_level: 0,
        personal_id: None,
        what: "quản trị / administrator",
    },
];

/// The shared password of every demo account (demo deployments only).
pub const DEMO_PASSWORD: &str = "demo";

/// Creates (or resets) the demo accounts.
pub async fn create_demo_accounts(store: &Store) -> anyhow::Result<()> {
    let hashes = tokio::task::spawn_blocking(|| {
        DEMO_ACCOUNTS
            .iter()
            .map(|_| motcua_web::auth::hash_password(DEMO_PASSWORD))
            .collect::<anyhow::Result<Vec<String>>>()
    })
    .await??;
    for (account, hash) in DEMO_ACCOUNTS.iter().zip(hashes) {
        if let Some(unit) = account.unit_code {
            if store.organisation(unit).await?.is_none() {
                anyhow::bail!(
                    "demo account {} belongs to unknown organisation {unit}",
                    account.username
                );
            }
        }
        store
            .upsert_user(&NewUser {
                user: User {
                    username: account.username.into(),
                    full_name: account.full_name.into(),
                    role: account.role,
                    unit_code: account.unit_code.map(Into::into),
                    eid_level: account.eid_level,
                    personal_id: account.personal_id.map(Into::into),
                },
                password_hash: hash,
            })
            .await?;
    }
    Ok(())
}

// ---- Sample steering data (issue #8) ----

/// Loads the illustrative plan, PAR-index tree and scores, and directives of `data/plans/`
/// (embedded in the binary, labelled as sample data) into a demo deployment.
pub async fn load_sample_plans(store: &Store) -> anyhow::Result<motcua_store::plans::BundleImport> {
    let mut total = motcua_store::plans::BundleImport::default();
    let bundles = motcua_domain::plans::sample_bundles().map_err(|e| anyhow::anyhow!("sample plans: {e}"))?;
    for bundle in bundles {
        let done = store.import_plans_bundle(&bundle, "demo").await?;
        total.plans += done.plans;
        total.par_trees += done.par_trees;
        total.par_years += done.par_years;
        total.directives += done.directives;
        total.values += done.values;
    }
    Ok(total)
}
