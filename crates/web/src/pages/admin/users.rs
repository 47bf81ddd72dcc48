//! `/can-bo/quan-tri/nguoi-dung`: officers' accounts — list (filter by unit and role), create,
//! change role and unit, disable and re-enable. Passwords are hashed with argon2id. A unit
//! administrator manages only the accounts of their unit; nobody changes their own account here,
//! so an administrator cannot lock themselves out.

use askama::Template;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use motcua_domain::roles::Role;
use motcua_store::{Account, NewUser, User};
use serde::Deserialize;

use super::{audit_change, error_for, failed, require_admin, Admin, FieldError};
use crate::pages::backoffice::role_name;
use crate::pages::{clean, datetime_ms, error_page, redirect, render, Ctx, Lang, Layout};
use crate::state::AppState;

/// Shortest password accepted for a new account.
pub const MIN_PASSWORD_CHARS: usize = 10;

/// Roles an administrator may give, in the order the form lists them.
const ASSIGNABLE: [Role; 6] = [
    Role::CounterOfficer,
    Role::Specialist,
    Role::Leader,
    Role::UnitAdmin,
    Role::ProvinceAdmin,
    Role::LeadershipViewer,
];

/// Roles that belong to an organisation (the others work for the whole province).
pub fn needs_unit(role: Role) -> bool {
    matches!(
        role,
        Role::CounterOfficer | Role::Specialist | Role::Leader | Role::UnitAdmin
    )
}

/// Roles this administrator may give: a unit administrator only the roles of their unit.
fn assignable(admin: &Admin) -> Vec<Role> {
    ASSIGNABLE
        .into_iter()
        .filter(|r| admin.is_province() || needs_unit(*r))
        .collect()
}

fn parse_role(text: &str) -> Option<Role> {
    ASSIGNABLE.into_iter().find(|r| r.as_str() == text)
}

/// A username: 3–32 characters, lower-case ASCII letters, digits, `.`, `_`, `-`, starting with a
/// letter (it appears in the audit log and in URLs).
pub fn valid_username(name: &str) -> bool {
    let len = name.len();
    (3..=32).contains(&len)
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub struct Row {
    pub username: String,
    pub full_name: String,
    pub role: &'static str,
    pub unit: String,
    pub disabled: bool,
    pub created: String,
}

/// What the creation form holds (kept when it comes back with errors).
#[derive(Deserialize, Default, Clone)]
pub struct CreateForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub full_name: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub unit: String,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    pub don_vi: Option<String>,
    pub vai_tro: Option<String>,
    pub xong: Option<String>,
}

#[derive(Template)]
#[template(path = "quan_tri/users.html")]
struct ListPage {
    l: Layout,
    a: Admin,
    rows: Vec<Row>,
    unit_filter: Vec<Choice>,
    role_filter: Vec<Choice>,
    units: Vec<Choice>,
    roles: Vec<Choice>,
    f: CreateForm,
    errors: Vec<FieldError>,
    done: Option<&'static str>,
}

impl ListPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

/// Organisations this administrator may put accounts in, by name.
async fn unit_choices(state: &AppState, admin: &Admin, selected: &str, lang: Lang) -> anyhow::Result<Vec<Choice>> {
    let mut out: Vec<Choice> = state
        .store()
        .organisations()
        .await?
        .into_iter()
        .filter(|o| admin.manages(Some(&o.code)))
        .map(|o| Choice {
            selected: o.code == selected,
            label: match lang {
                Lang::En if !o.name_en.is_empty() => o.name_en,
                _ => o.name,
            },
            value: o.code,
        })
        .collect();
    out.sort_by(|a, b| a.label.cmp(&b.label));
    Ok(out)
}

fn role_choices(roles: &[Role], selected: &str, lang: Lang) -> Vec<Choice> {
    roles
        .iter()
        .map(|r| Choice {
            value: r.as_str().to_string(),
            label: role_name(*r, lang).to_string(),
            selected: r.as_str() == selected,
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
async fn list_page(
    state: &AppState,
    ctx: &Ctx,
    admin: Admin,
    q: ListQuery,
    f: CreateForm,
    errors: Vec<FieldError>,
    status: StatusCode,
) -> Response {
    let lang = ctx.lang;
    let unit_sel = q.don_vi.as_deref().unwrap_or("").trim().to_string();
    let role_sel = q.vai_tro.as_deref().unwrap_or("").trim().to_string();
    let accounts = match state.store().accounts().await {
        Ok(a) => a,
        Err(e) => return failed(lang, e),
    };
    let rows = accounts
        .into_iter()
        .filter(|a| a.user.role != Role::Citizen && admin.manages(a.user.unit_code.as_deref()))
        .filter(|a| unit_sel.is_empty() || a.user.unit_code.as_deref() == Some(unit_sel.as_str()))
        .filter(|a| role_sel.is_empty() || a.user.role.as_str() == role_sel)
        .map(|a| row(state, &a, lang))
        .collect();
    let (unit_filter, units) = match (
        unit_choices(state, &admin, &unit_sel, lang).await,
        unit_choices(state, &admin, &f.unit, lang).await,
    ) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => return failed(lang, e),
    };
    let roles = assignable(&admin);
    let done = match q.xong.as_deref() {
        Some("tao") => Some("adm.users.created"),
        Some("sua") => Some("adm.users.changed"),
        _ => None,
    };
    let page = ListPage {
        l: Layout::new(ctx, lang.t("adm.users.title"), "/can-bo"),
        role_filter: role_choices(&roles, &role_sel, lang),
        roles: role_choices(&roles, &f.role, lang),
        a: admin,
        rows,
        unit_filter,
        units,
        f: CreateForm {
            password: String::new(),
            ..f
        },
        errors,
        done,
    };
    render(ctx, status, &page)
}

fn row(state: &AppState, a: &Account, lang: Lang) -> Row {
    Row {
        username: a.user.username.clone(),
        full_name: a.user.full_name.clone(),
        role: role_name(a.user.role, lang),
        unit: a
            .user
            .unit_code
            .as_deref()
            .map(|c| super::unit_name(state, c, lang))
            .unwrap_or_default(),
        disabled: a.disabled,
        created: datetime_ms(a.created_at_ms),
    }
}

/// `GET /can-bo/quan-tri/nguoi-dung`: the accounts this administrator manages, and the form to
/// create one.
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Response {
    let admin = match require_admin(&state, &ctx) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let Ok(Query(q)) = query else {
        return error_page(ctx.lang, StatusCode::BAD_REQUEST, None);
    };
    list_page(
        &state,
        &ctx,
        admin,
        q,
        CreateForm::default(),
        Vec::new(),
        StatusCode::OK,
    )
    .await
}

/// Checks a role and organisation given by `admin`: the role, and the unit it needs (one this
/// administrator manages), or none for a province-wide role.
fn check_role_unit(
    state: &AppState,
    admin: &Admin,
    role: &str,
    unit: &str,
    lang: Lang,
    errors: &mut Vec<FieldError>,
) -> Option<(Role, Option<String>)> {
    let Some(role) = parse_role(role).filter(|r| assignable(admin).contains(r)) else {
        errors.push(FieldError {
            field: "role".into(),
            message: lang.t("adm.err.role").into(),
        });
        return None;
    };
    if !needs_unit(role) {
        return Some((role, None));
    }
    let unit = unit.trim();
    if unit.is_empty() || state.engine().organisation(unit).is_none() || !admin.manages(Some(unit)) {
        errors.push(FieldError {
            field: "unit".into(),
            message: lang.t("adm.err.unit").into(),
        });
        return None;
    }
    Some((role, Some(unit.to_string())))
}

/// `POST /can-bo/quan-tri/nguoi-dung`: creates an account; every field is checked before
/// anything is written.
pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    form: Result<Form<CreateForm>, FormRejection>,
) -> Response {
    let admin = match require_admin(&state, &ctx) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let lang = ctx.lang;
    let Ok(Form(mut f)) = form else {
        return error_page(lang, StatusCode::BAD_REQUEST, None);
    };
    if !ctx.csrf_ok(&f.csrf) {
        return error_page(lang, StatusCode::FORBIDDEN, None);
    }
    f.username = f.username.trim().to_lowercase();
    f.full_name = clean(&f.full_name);
    let mut errors = Vec::new();
    if !valid_username(&f.username) {
        errors.push(FieldError {
            field: "username".into(),
            message: lang.t("adm.err.username").into(),
        });
    }
    if f.full_name.is_empty() || f.full_name.chars().count() > 100 {
        errors.push(FieldError {
            field: "full_name".into(),
            message: lang.t("adm.err.full_name").into(),
        });
    }
    if f.password.chars().count() < MIN_PASSWORD_CHARS || f.password.len() > 200 {
        errors.push(FieldError {
            field: "password".into(),
            message: lang.t("adm.err.password").into(),
        });
    }
    let checked = check_role_unit(&state, &admin, &f.role, &f.unit, lang, &mut errors);
    let (role, unit) = match (checked, errors.is_empty()) {
        (Some(ru), true) => ru,
        _ => {
            return list_page(
                &state,
                &ctx,
                admin,
                ListQuery::default(),
                f,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    };
    let password = std::mem::take(&mut f.password);
    let hash = match tokio::task::spawn_blocking(move || crate::auth::hash_password(&password)).await {
        Ok(Ok(h)) => h,
        Ok(Err(e)) => return failed(lang, e),
        Err(e) => return failed(lang, e),
    };
    let new = NewUser {
        user: User {
            username: f.username.clone(),
            full_name: f.full_name.clone(),
            role,
            unit_code: unit.clone(),
            eid_level: 0,
            personal_id: None,
        },
        password_hash: hash,
    };
    match state.store().create_user(&new).await {
        Ok(true) => {}
        Ok(false) => {
            let errors = vec![FieldError {
                field: "username".into(),
                message: lang.t("adm.err.username_taken").into(),
            }];
            return list_page(
                &state,
                &ctx,
                admin,
                ListQuery::default(),
                f,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
        Err(e) => return failed(lang, e),
    }
    audit_change(
        &state,
        &admin,
        "admin.user.create",
        &f.username,
        serde_json::json!({"role": role.as_str(), "unit": unit}),
    )
    .await;
    redirect("/can-bo/quan-tri/nguoi-dung?xong=tao", ctx.cookies())
}

#[derive(Template)]
#[template(path = "quan_tri/user.html")]
struct EditPage {
    l: Layout,
    a: Admin,
    u: Row,
    own: bool,
    units: Vec<Choice>,
    roles: Vec<Choice>,
    errors: Vec<FieldError>,
}

impl EditPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

/// The account of `username` if this administrator manages it (404 for an unknown account, 403
/// for one outside their unit; citizens' accounts are not managed here).
#[allow(clippy::result_large_err)]
async fn managed_account(state: &AppState, admin: &Admin, username: &str, lang: Lang) -> Result<Account, Response> {
    match state.store().account(username).await {
        Ok(Some(a)) if a.user.role == Role::Citizen => Err(error_page(lang, StatusCode::NOT_FOUND, None)),
        Ok(Some(a)) if admin.manages(a.user.unit_code.as_deref()) => Ok(a),
        Ok(Some(_)) => Err(error_page(lang, StatusCode::FORBIDDEN, None)),
        Ok(None) => Err(error_page(lang, StatusCode::NOT_FOUND, None)),
        Err(e) => Err(failed(lang, e)),
    }
}

#[allow(clippy::too_many_arguments)]
async fn edit_page(
    state: &AppState,
    ctx: &Ctx,
    admin: Admin,
    account: &Account,
    role: &str,
    unit: &str,
    errors: Vec<FieldError>,
    status: StatusCode,
) -> Response {
    let lang = ctx.lang;
    let units = match unit_choices(state, &admin, unit, lang).await {
        Ok(u) => u,
        Err(e) => return failed(lang, e),
    };
    let page = EditPage {
        l: Layout::new(ctx, lang.t("adm.users.edit"), "/can-bo"),
        own: account.user.username == admin.user.username,
        roles: role_choices(&assignable(&admin), role, lang),
        a: admin,
        u: row(state, account, lang),
        units,
        errors,
    };
    render(ctx, status, &page)
}

/// `GET /can-bo/quan-tri/nguoi-dung/{username}`: change the role and unit, disable or enable.
pub async fn edit(State(state): State<AppState>, ctx: Ctx, Path(username): Path<String>) -> Response {
    let admin = match require_admin(&state, &ctx) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let account = match managed_account(&state, &admin, &username, ctx.lang).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let role = account.user.role.as_str();
    let unit = account.user.unit_code.clone().unwrap_or_default();
    edit_page(&state, &ctx, admin, &account, role, &unit, Vec::new(), StatusCode::OK).await
}

#[derive(Deserialize, Default)]
pub struct ChangeForm {
    #[serde(default)]
    pub csrf: String,
    /// `role`, `disable` or `enable`.
    #[serde(default)]
    pub op: String,
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub unit: String,
}

/// `POST /can-bo/quan-tri/nguoi-dung/{username}`: one change to an account.
pub async fn change(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(username): Path<String>,
    form: Result<Form<ChangeForm>, FormRejection>,
) -> Response {
    let admin = match require_admin(&state, &ctx) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let lang = ctx.lang;
    let Ok(Form(f)) = form else {
        return error_page(lang, StatusCode::BAD_REQUEST, None);
    };
    if !ctx.csrf_ok(&f.csrf) {
        return error_page(lang, StatusCode::FORBIDDEN, None);
    }
    let account = match managed_account(&state, &admin, &username, lang).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    if account.user.username == admin.user.username {
        // Changing one's own role, unit or access could lock the last administrator out.
        let errors = vec![FieldError {
            field: "role".into(),
            message: lang.t("adm.err.own_account").into(),
        }];
        let unit = account.user.unit_code.clone().unwrap_or_default();
        return edit_page(
            &state,
            &ctx,
            admin,
            &account,
            account.user.role.as_str(),
            &unit,
            errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let name = &account.user.username;
    let (action, details, result) = match f.op.as_str() {
        "role" => {
            let mut errors = Vec::new();
            let Some((role, unit)) = check_role_unit(&state, &admin, &f.role, &f.unit, lang, &mut errors) else {
                return edit_page(
                    &state,
                    &ctx,
                    admin,
                    &account,
                    &f.role,
                    &f.unit,
                    errors,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await;
            };
            let details = serde_json::json!({
                "role": role.as_str(), "unit": unit,
                "was_role": account.user.role.as_str(), "was_unit": account.user.unit_code,
            });
            let result = state.store().set_user_role(name, role, unit.as_deref()).await;
            ("admin.user.role", details, result)
        }
        "disable" | "enable" => {
            let disable = f.op == "disable";
            let result = state.store().set_user_disabled(name, disable).await;
            let action = if disable {
                "admin.user.disable"
            } else {
                "admin.user.enable"
            };
            (action, serde_json::json!({}), result)
        }
        _ => return error_page(lang, StatusCode::BAD_REQUEST, None),
    };
    match result {
        Ok(true) => {}
        Ok(false) => return error_page(lang, StatusCode::NOT_FOUND, None),
        Err(e) => return failed(lang, e),
    }
    audit_change(&state, &admin, action, name, details).await;
    redirect("/can-bo/quan-tri/nguoi-dung?xong=sua", ctx.cookies())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_plain_and_bounded() {
        assert!(valid_username("chuyenvien3") && valid_username("le.hoa_2"));
        assert!(!valid_username("ab") && !valid_username("3abc") && !valid_username("Lê Hoa"));
        assert!(!valid_username(&"a".repeat(33)));
    }

    #[test]
    fn province_wide_roles_have_no_unit() {
        assert!(needs_unit(Role::Specialist) && needs_unit(Role::UnitAdmin));
        assert!(!needs_unit(Role::ProvinceAdmin) && !needs_unit(Role::LeadershipViewer));
    }
}
