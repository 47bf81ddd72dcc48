//! `/can-bo/quan-tri/don-vi/co-quan/{code}`: a province administrator edits the display fields of
//! an organisation that motcua owns — name (Vietnamese and English), address, telephone, e-mail
//! and opening hours — validated (non-empty name, telephone and e-mail formats, NFC text) and
//! audited. The organisation's code and kind, and the administrative units, are national
//! reference data and stay read-only. Names are shown everywhere from the engine's in-memory
//! organisations, reloaded after a save.

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use motcua_store::OrganisationDetails;
use serde::Deserialize;

use super::{audit_change, error_for, failed, require_province_admin, Admin, FieldError};
use crate::pages::{clean, datetime_ms, error_page, redirect, render, Ctx, Lang, Layout};
use crate::state::AppState;

const MAX_NAME_CHARS: usize = 200;
const MAX_ADDRESS_CHARS: usize = 300;
const MAX_HOURS_CHARS: usize = 300;
const MAX_EMAIL_CHARS: usize = 254;

#[derive(Deserialize, Default)]
pub struct OrgForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub name_en: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub opening_hours: String,
}

/// One input of the form.
pub struct FieldRow {
    pub field: &'static str,
    pub label: &'static str,
    pub kind: &'static str,
    pub max: usize,
    pub value: String,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "quan_tri/organisation.html")]
struct OrgPage {
    l: Layout,
    a: Admin,
    code: String,
    kind: String,
    rows: Vec<FieldRow>,
    updated: String,
    errors: Vec<FieldError>,
    done: bool,
}

/// A Vietnamese telephone number as written on a sign: `0` or `+84`, then 8–10 digits, with
/// optional spaces, dots, hyphens or parentheses between them. Empty is allowed.
pub fn phone_ok(phone: &str) -> bool {
    if phone.is_empty() {
        return true;
    }
    if phone.chars().count() > 25 || !phone.chars().all(|c| c.is_ascii_digit() || " .-()+".contains(c)) {
        return false;
    }
    let compact: String = phone.chars().filter(|c| c.is_ascii_digit() || *c == '+').collect();
    let national = if let Some(rest) = compact.strip_prefix("+84") {
        rest.to_string()
    } else if let Some(rest) = compact.strip_prefix('0') {
        rest.to_string()
    } else {
        return false;
    };
    (8..=10).contains(&national.len()) && national.chars().all(|c| c.is_ascii_digit())
}

/// A plain mailbox address: one `@`, a local part of printable ASCII without spaces, a domain of
/// dot-separated labels (letters, digits, hyphens) with at least one dot. Empty is allowed.
pub fn email_ok(email: &str) -> bool {
    if email.is_empty() {
        return true;
    }
    if email.len() > MAX_EMAIL_CHARS || !email.is_ascii() {
        return false;
    }
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    local_ok && domain_ok
}

/// Cleans the form (trimmed, NFC) and returns the details or every problem.
fn validate(code: &str, f: &mut OrgForm, lang: Lang) -> Result<OrganisationDetails, Vec<FieldError>> {
    for v in [
        &mut f.name,
        &mut f.name_en,
        &mut f.address,
        &mut f.phone,
        &mut f.email,
        &mut f.opening_hours,
    ] {
        *v = clean(v);
    }
    let mut errors = Vec::new();
    let mut check = |ok: bool, field: &str, key: &str| {
        if !ok {
            errors.push(FieldError {
                field: field.into(),
                message: lang.t(key).into(),
            });
        }
    };
    let chars = |s: &str| s.chars().count();
    let no_controls = |s: &str| !s.chars().any(char::is_control);
    check(
        !f.name.is_empty() && chars(&f.name) <= MAX_NAME_CHARS && no_controls(&f.name),
        "name",
        "adm.org.err.name",
    );
    check(
        chars(&f.name_en) <= MAX_NAME_CHARS && no_controls(&f.name_en),
        "name_en",
        "adm.org.err.name_en",
    );
    check(
        chars(&f.address) <= MAX_ADDRESS_CHARS && no_controls(&f.address),
        "address",
        "adm.org.err.address",
    );
    check(phone_ok(&f.phone), "phone", "adm.org.err.phone");
    check(email_ok(&f.email), "email", "adm.org.err.email");
    check(
        chars(&f.opening_hours) <= MAX_HOURS_CHARS,
        "opening_hours",
        "adm.org.err.hours",
    );
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(OrganisationDetails {
        code: code.to_string(),
        name: f.name.clone(),
        name_en: f.name_en.clone(),
        address: f.address.clone(),
        phone: f.phone.clone(),
        email: f.email.clone(),
        opening_hours: f.opening_hours.clone(),
        updated_at_ms: None,
        updated_by: None,
    })
}

fn kind_name(kind: &str, lang: Lang) -> String {
    match kind {
        "service_centre" => lang.t("adm.org.kind.service_centre").into(),
        "department" => lang.t("adm.org.kind.department").into(),
        "people_committee" => lang.t("adm.org.kind.people_committee").into(),
        other => other.into(),
    }
}

#[allow(clippy::too_many_arguments)]
fn page(
    ctx: &Ctx,
    admin: Admin,
    d: &OrganisationDetails,
    kind: &str,
    f: OrgForm,
    errors: Vec<FieldError>,
    done: bool,
    status: StatusCode,
) -> Response {
    let lang = ctx.lang;
    let updated = match (d.updated_at_ms, &d.updated_by) {
        (Some(at), Some(by)) => format!("{} — {by}", datetime_ms(at)),
        _ => String::new(),
    };
    let row = |field: &'static str, label: &str, kind: &'static str, max: usize, value: String| FieldRow {
        field,
        label: lang.t(label),
        kind,
        max,
        value,
        error: error_for(&errors, field).map(str::to_string),
    };
    let rows = vec![
        row("name", "adm.org.name", "text", MAX_NAME_CHARS, f.name),
        row("name_en", "adm.org.name_en", "text", MAX_NAME_CHARS, f.name_en),
        row("address", "adm.org.address", "text", MAX_ADDRESS_CHARS, f.address),
        row("phone", "adm.org.phone", "tel", 25, f.phone),
        row("email", "adm.org.email", "email", MAX_EMAIL_CHARS, f.email),
        row(
            "opening_hours",
            "adm.org.hours",
            "text",
            MAX_HOURS_CHARS,
            f.opening_hours,
        ),
    ];
    let page = OrgPage {
        l: Layout::new(ctx, format!("{} {}", lang.t("adm.org.title"), d.code), "/can-bo"),
        a: admin,
        code: d.code.clone(),
        kind: kind_name(kind, lang),
        rows,
        updated,
        errors,
        done,
    };
    render(ctx, status, &page)
}

fn form_of(d: &OrganisationDetails) -> OrgForm {
    OrgForm {
        csrf: String::new(),
        name: d.name.clone(),
        name_en: d.name_en.clone(),
        address: d.address.clone(),
        phone: d.phone.clone(),
        email: d.email.clone(),
        opening_hours: d.opening_hours.clone(),
    }
}

/// `GET /can-bo/quan-tri/don-vi/co-quan/{code}`: province administrators only.
pub async fn edit(State(state): State<AppState>, ctx: Ctx, Path(code): Path<String>) -> Response {
    let admin = match require_province_admin(&state, &ctx) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let lang = ctx.lang;
    let Some(org) = state.engine().organisation(code.trim()) else {
        return error_page(lang, StatusCode::NOT_FOUND, None);
    };
    let d = match state.store().organisation_details(&org.code).await {
        Ok(Some(d)) => d,
        Ok(None) => return error_page(lang, StatusCode::NOT_FOUND, None),
        Err(e) => return failed(lang, e),
    };
    let done = ctx.uri.query().is_some_and(|q| q.contains("xong=1"));
    page(
        &ctx,
        admin,
        &d,
        &org.kind,
        form_of(&d),
        Vec::new(),
        done,
        StatusCode::OK,
    )
}

/// `POST /can-bo/quan-tri/don-vi/co-quan/{code}`: validates and saves, or shows every problem
/// with nothing written.
pub async fn save(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    form: Result<Form<OrgForm>, FormRejection>,
) -> Response {
    let admin = match require_province_admin(&state, &ctx) {
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
    let Some(org) = state.engine().organisation(code.trim()) else {
        return error_page(lang, StatusCode::NOT_FOUND, None);
    };
    let before = match state.store().organisation_details(&org.code).await {
        Ok(Some(d)) => d,
        Ok(None) => return error_page(lang, StatusCode::NOT_FOUND, None),
        Err(e) => return failed(lang, e),
    };
    let details = match validate(&org.code, &mut f, lang) {
        Ok(d) => d,
        Err(errors) => {
            return page(
                &ctx,
                admin,
                &before,
                &org.kind,
                f,
                errors,
                false,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
    };
    match state
        .store()
        .update_organisation_details(&details, &admin.user.username)
        .await
    {
        Ok(true) => {}
        Ok(false) => return error_page(lang, StatusCode::NOT_FOUND, None),
        Err(e) => return failed(lang, e),
    }
    if let Err(e) = state.engine().reload().await {
        return failed(lang, e);
    }
    // Only what changed, old and new: these are an office's public contact details.
    let mut changes = serde_json::Map::new();
    for (field, old, new) in [
        ("name", &before.name, &details.name),
        ("name_en", &before.name_en, &details.name_en),
        ("address", &before.address, &details.address),
        ("phone", &before.phone, &details.phone),
        ("email", &before.email, &details.email),
        ("opening_hours", &before.opening_hours, &details.opening_hours),
    ] {
        if old != new {
            changes.insert(field.into(), serde_json::json!({"from": old, "to": new}));
        }
    }
    audit_change(
        &state,
        &admin,
        "admin.organisation.set",
        &org.code,
        serde_json::Value::Object(changes),
    )
    .await;
    redirect(
        &format!(
            "/can-bo/quan-tri/don-vi/co-quan/{}?xong=1",
            urlencoding::encode(&org.code)
        ),
        ctx.cookies(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn telephone_numbers_as_written_in_vietnam() {
        for ok in [
            "",
            "0269 3824 123",
            "0269.3824.123",
            "+84 269 3824 123",
            "0905-123-456",
            "(0269) 3824123",
        ] {
            assert!(phone_ok(ok), "{ok}");
        }
        for bad in [
            "123",
            "0269 38",
            "+1 202 555 0100",
            "0269 3824 123 456 7",
            "0269a3824123",
            "84+269",
        ] {
            assert!(!phone_ok(bad), "{bad}");
        }
    }

    #[test]
    fn mailbox_addresses() {
        for ok in ["", "vanphong@gialai.gov.vn", "tiep.nhan+hcc@pleiku.gialai.gov.vn"] {
            assert!(email_ok(ok), "{ok}");
        }
        for bad in [
            "vanphong",
            "@gialai.gov.vn",
            "van phong@gialai.gov.vn",
            "vanphong@localhost",
            "a@b..vn",
            "vănphòng@gialai.gov.vn",
            "a@-x.vn",
            ".a@x.vn",
        ] {
            assert!(!email_ok(bad), "{bad}");
        }
    }

    #[test]
    fn the_form_is_cleaned_to_nfc_and_checked_field_by_field() {
        // "Ủy" typed with a combining hook above.
        let mut f = OrgForm {
            name: "  U\u{0309}y ban nhân dân  ".into(),
            phone: "12".into(),
            email: "x@y".into(),
            ..OrgForm::default()
        };
        let errors = validate("23575", &mut f, Lang::Vi).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["phone", "email"]);
        assert_eq!(f.name, "Ủy ban nhân dân");
        let mut empty = OrgForm::default();
        let errors = validate("23575", &mut empty, Lang::Vi).unwrap_err();
        assert_eq!(errors[0].field, "name");
        let mut good = OrgForm {
            name: "UBND Phường Pleiku".into(),
            email: " VanPhong@Pleiku.GiaLai.gov.vn ".into(),
            ..OrgForm::default()
        };
        let d = validate("23575", &mut good, Lang::Vi).unwrap();
        assert_eq!(d.email, "VanPhong@Pleiku.GiaLai.gov.vn");
    }
}
