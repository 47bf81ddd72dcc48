//! Documents of a dossier: upload (the raw file as the body), list, download.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use motcua_engine::documents::DocumentMeta;
use motcua_store::dossiers::DossierDocument;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, Json, Path, Query};
use crate::state::AppState;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadQuery {
    /// The required document this file answers, as the procedure names it.
    pub component: String,
    /// The original file name.
    pub file_name: Option<String>,
    /// A result of processing (issued by the competent unit) rather than an application paper.
    #[serde(default)]
    pub result: bool,
    /// Scanned or born digital (QĐ 766 4.2).
    #[serde(default)]
    pub digitised: bool,
    /// Reused from an earlier result (QĐ 766 4.3).
    #[serde(default)]
    pub reused: bool,
    /// Taken from the citizen's personal data store (QĐ 766 4.4).
    #[serde(default)]
    pub from_data_store: bool,
}

#[derive(Serialize, ToSchema)]
pub struct DocumentEntry {
    pub seq: i64,
    pub component: String,
    pub file_name: String,
    /// SHA-256 of the content.
    pub hash: String,
    pub size: i64,
    pub media_type: String,
    pub is_result: bool,
    pub digitised: bool,
    pub reused: bool,
    pub from_data_store: bool,
    pub uploaded_by: String,
}

impl From<DossierDocument> for DocumentEntry {
    fn from(d: DossierDocument) -> Self {
        DocumentEntry {
            seq: d.seq,
            component: d.component,
            file_name: d.file_name,
            hash: d.hash,
            size: d.size,
            media_type: d.media_type,
            is_result: d.is_result,
            digitised: d.digitised,
            reused: d.reused,
            from_data_store: d.from_data_store,
            uploaded_by: d.uploaded_by,
        }
    }
}

/// Attaches a file (PDF, JPEG or PNG, at most 20 MiB; the type is read from the content).
#[utoipa::path(post, path = "/api/v1/dossiers/{code}/documents", tag = "dossiers",
    params(("code" = String, Path, description = "MaHoSo"), UploadQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    security(("bearer" = [])),
    responses((status = 201, body = DocumentEntry), (status = 409, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)))]
pub async fn upload(
    State(state): State<AppState>,
    Caller(user): Caller,
    Path(code): Path<String>,
    Query(q): Query<UploadQuery>,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<DocumentEntry>)> {
    let meta = DocumentMeta {
        component: q.component,
        file_name: q.file_name.unwrap_or_default(),
        is_result: q.result,
        digitised: q.digitised,
        reused: q.reused,
        from_data_store: q.from_data_store,
    };
    let doc = state.engine().attach_document(&user, code.trim(), meta, &body).await?;
    tracing::info!(code = %code.trim(), seq = doc.seq, size = doc.size, "document attached");
    Ok((StatusCode::CREATED, Json(doc.into())))
}

#[derive(Serialize, ToSchema)]
pub struct DocumentList {
    pub items: Vec<DocumentEntry>,
}

/// The documents of a dossier, for the applicant and the competent unit.
#[utoipa::path(get, path = "/api/v1/dossiers/{code}/documents", tag = "dossiers",
    params(("code" = String, Path, description = "MaHoSo")), security(("bearer" = [])),
    responses((status = 200, body = DocumentList), (status = 403, body = crate::error::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    Caller(user): Caller,
    Path(code): Path<String>,
) -> ApiResult<Json<DocumentList>> {
    let s = state.engine().state(code.trim()).await?;
    if !motcua_engine::Engine::may_view_full(&user, &s) {
        return Err(ApiError::Forbidden(
            "documents are shown to the applicant and the competent unit".into(),
        ));
    }
    state
        .engine()
        .audit_event(&user.username, "dossier.documents", code.trim(), serde_json::json!({}))
        .await;
    let items = state.store().dossier_documents(code.trim()).await?;
    Ok(Json(DocumentList {
        items: items.into_iter().map(Into::into).collect(),
    }))
}

/// One document's content.
#[utoipa::path(get, path = "/api/v1/dossiers/{code}/documents/{seq}", tag = "dossiers",
    params(("code" = String, Path, description = "MaHoSo"), ("seq" = i64, Path, description = "Document number")),
    security(("bearer" = [])),
    responses((status = 200, description = "The file"), (status = 404, body = crate::error::ErrorBody)))]
pub async fn download(
    State(state): State<AppState>,
    Caller(user): Caller,
    Path((code, seq)): Path<(String, i64)>,
) -> ApiResult<Response> {
    let (doc, bytes) = state.engine().document_content(&user, code.trim(), seq).await?;
    state
        .engine()
        .audit_event(
            &user.username,
            "document.download",
            code.trim(),
            serde_json::json!({"seq": seq}),
        )
        .await;
    let mut headers = HeaderMap::new();
    if let Ok(v) = doc.media_type.parse() {
        headers.insert(header::CONTENT_TYPE, v);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        header::HeaderValue::from_static("nosniff"),
    );
    let disposition = format!("attachment; filename=\"document-{}\"", doc.seq);
    if let Ok(v) = disposition.parse() {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok((headers, bytes).into_response())
}
