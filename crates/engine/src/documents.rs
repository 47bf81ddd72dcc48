//! Dossier documents: content-addressed files in the data dir (one copy per content, named by its
//! SHA-256), checked for size and type at the edge, with the flags the QĐ 766 index needs.

use std::io::Write;
use std::path::{Path, PathBuf};

use motcua_domain::dossier::{DossierState, Status};
use motcua_domain::roles::Role;
use motcua_store::dossiers::DossierDocument;
use motcua_store::User;
use sha2::{Digest, Sha256};

use crate::{Engine, EngineError, EngineResult, Submission, SubmitOptions, Submitted};

/// Largest accepted file (a scanned multi-page PDF fits comfortably).
pub const MAX_DOCUMENT_BYTES: usize = 20 * 1024 * 1024;

/// What the uploader says about the file.
#[derive(Clone, Debug, Default)]
pub struct DocumentMeta {
    pub component: String,
    pub file_name: String,
    pub is_result: bool,
    pub digitised: bool,
    pub reused: bool,
    pub from_data_store: bool,
}

/// The media type recognised from the content itself (the declared type is not trusted).
pub fn sniff_media_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some("image/png")
    } else {
        None
    }
}

/// Path of a stored file under `dir`.
pub fn file_path(dir: &Path, hash: &str) -> PathBuf {
    dir.join(hash.get(..2).unwrap_or("00")).join(hash)
}

/// Writes `bytes` under its hash unless already there: temporary file, fsync, rename.
fn store_file(dir: &Path, hash: &str, bytes: &[u8]) -> std::io::Result<()> {
    let path = file_path(dir, hash);
    if path.exists() {
        return Ok(());
    }
    let parent = path.parent().unwrap_or(dir);
    std::fs::create_dir_all(parent)?;
    let tmp = parent.join(format!(".{hash}.{}.tmp", std::process::id()));
    let mut f = std::fs::File::create(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    std::fs::rename(&tmp, &path)?;
    std::fs::File::open(parent)?.sync_all()
}

fn may_upload(user: &User, s: &DossierState, is_result: bool) -> bool {
    let own = user.role == Role::Citizen && s.applicant_username.as_deref() == Some(user.username.as_str());
    let competent =
        matches!(user.role, Role::Specialist | Role::Leader) && user.unit_code.as_deref() == Some(s.unit.as_str());
    match (is_result, s.status) {
        (true, Status::InProgress | Status::ResultReady) => competent,
        (true, _) => false,
        (false, Status::Submitted | Status::SupplementRequested) => own || user.role == Role::CounterOfficer,
        // Once accepted, the counter that received it (not every counter) may add papers.
        (false, Status::Accepted | Status::InProgress) => {
            user.role == Role::CounterOfficer && user.unit_code.as_deref() == Some(s.receiving_unit.as_str())
                || competent
        }
        (false, Status::FeesDue) => competent,
        (false, _) => false,
    }
}

/// A file handed in with a new application.
pub struct NewDocument {
    pub meta: DocumentMeta,
    pub bytes: Vec<u8>,
}

/// What the application's files say about its papers.
#[derive(Clone, Copy, Debug, Default)]
pub struct PaperFlags {
    pub digitised: bool,
    pub reused: bool,
}

async fn write_file(dir: &Path, hash: &str, bytes: &[u8]) -> EngineResult<()> {
    let owned = bytes.to_vec();
    let (dir, hash) = (dir.to_path_buf(), hash.to_string());
    tokio::task::spawn_blocking(move || store_file(&dir, &hash, &owned))
        .await
        .map_err(|e| EngineError::Internal(e.into()))?
        .map_err(|e| EngineError::Internal(anyhow::anyhow!("storing a document: {e}")))
}

/// A file that passed the edge checks, with its cleaned names, media type and hash.
pub struct CheckedDocument {
    meta: DocumentMeta,
    media_type: &'static str,
    hash: String,
}

/// Checks size, type (from the content) and names before anything is written.
pub fn check_document(meta: DocumentMeta, bytes: &[u8]) -> EngineResult<CheckedDocument> {
    if bytes.is_empty() {
        return Err(EngineError::invalid("file", "the file is empty"));
    }
    if bytes.len() > MAX_DOCUMENT_BYTES {
        return Err(EngineError::invalid(
            "file",
            format!("at most {} MiB", MAX_DOCUMENT_BYTES >> 20),
        ));
    }
    let media_type = sniff_media_type(bytes)
        .ok_or_else(|| EngineError::invalid("file", "only PDF, JPEG and PNG files are accepted"))?;
    let component = motcua_domain::text::nfc(meta.component.trim());
    if component.is_empty() || component.chars().count() > 500 {
        return Err(EngineError::invalid(
            "component",
            "name the required document (1–500 characters)",
        ));
    }
    let file_name: String = meta
        .file_name
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '/' | '\\'))
        .take(200)
        .collect();
    let hash = hex::encode(Sha256::digest(bytes));
    Ok(CheckedDocument {
        meta: DocumentMeta {
            component,
            file_name,
            ..meta
        },
        media_type,
        hash,
    })
}

impl Engine {
    /// Attaches a file to a dossier for `user`, after checking who, when, size and type.
    pub async fn attach_document(
        &self,
        user: &User,
        code: &str,
        meta: DocumentMeta,
        bytes: &[u8],
    ) -> EngineResult<DossierDocument> {
        let dir = self
            .files_dir
            .clone()
            .ok_or_else(|| EngineError::NotAllowed("this deployment stores no files".into()))?;
        let state = self.state(code).await?;
        if !(Engine::may_view_full(user, &state) || Engine::may_view_events(user, &state)) {
            return Err(EngineError::Forbidden(
                "only the applicant and the officers handling this dossier add documents".into(),
            ));
        }
        if !may_upload(user, &state, meta.is_result) {
            return Err(EngineError::NotAllowed(format!(
                "{} cannot add {} to this dossier in status {}",
                user.role.as_str(),
                if meta.is_result { "a result" } else { "a document" },
                state.status.code()
            )));
        }
        let checked = check_document(meta, bytes)?;
        let doc = self.store_document(&dir, user, code, checked, bytes).await?;
        Ok(doc)
    }

    /// Writes a checked file to storage and records it against the dossier.
    async fn store_document(
        &self,
        dir: &Path,
        user: &User,
        code: &str,
        checked: CheckedDocument,
        bytes: &[u8],
    ) -> EngineResult<DossierDocument> {
        write_file(dir, &checked.hash, bytes).await?;
        self.record_document(user, code, checked, bytes.len()).await
    }

    async fn record_document(
        &self,
        user: &User,
        code: &str,
        checked: CheckedDocument,
        size: usize,
    ) -> EngineResult<DossierDocument> {
        let CheckedDocument { meta, media_type, hash } = checked;
        let mut doc = DossierDocument {
            seq: 0,
            component: meta.component,
            file_name: if meta.file_name.trim().is_empty() {
                format!("{hash}.bin")
            } else {
                meta.file_name
            },
            hash,
            size: size as i64,
            media_type: media_type.to_string(),
            is_result: meta.is_result,
            digitised: meta.digitised,
            reused: meta.reused,
            from_data_store: meta.from_data_store,
            uploaded_by: user.username.clone(),
            uploaded_at_ms: chrono::Utc::now().timestamp_millis(),
        };
        doc.seq = self.store.attach_document(code, &doc).await?;
        Ok(doc)
    }

    /// Submits an application with its files. Every file is checked and written to storage
    /// before the dossier exists (a bad file refuses the whole submission, and content-addressed
    /// storage makes an unused file harmless); the dossier records that its papers came as files
    /// and whether one reused an earlier document (QĐ 766 4.2 and 4.3, in the event log).
    pub async fn submit_with_documents(
        &self,
        user: &User,
        sub: Submission,
        idempotency_key: Option<&str>,
        options: SubmitOptions,
        files: Vec<NewDocument>,
    ) -> EngineResult<Submitted> {
        let dir = match (&self.files_dir, files.is_empty()) {
            (_, true) => None,
            (Some(dir), false) => Some(dir.clone()),
            (None, false) => return Err(EngineError::NotAllowed("this deployment stores no files".into())),
        };
        let mut checked = Vec::with_capacity(files.len());
        for f in files {
            let size = f.bytes.len();
            let c = check_document(f.meta, &f.bytes)?;
            if let Some(dir) = &dir {
                write_file(dir, &c.hash, &f.bytes).await?;
            }
            checked.push((c, size));
        }
        let papers = PaperFlags {
            digitised: !checked.is_empty(),
            reused: checked.iter().any(|(c, _)| c.meta.reused),
        };
        let submitted = self
            .submit_recorded(user, sub, idempotency_key, options, papers)
            .await?;
        if !submitted.replayed {
            for (c, size) in checked {
                self.record_document(user, &submitted.code, c, size).await?;
            }
        }
        Ok(submitted)
    }

    /// A stored document's content, for someone allowed to see the dossier's full record.
    pub async fn document_content(
        &self,
        user: &User,
        code: &str,
        seq: i64,
    ) -> EngineResult<(DossierDocument, Vec<u8>)> {
        let state = self.state(code).await?;
        if !Engine::may_view_full(user, &state) {
            return Err(EngineError::Forbidden(
                "documents are shown to the applicant and the competent unit".into(),
            ));
        }
        let dir = self
            .files_dir
            .clone()
            .ok_or_else(|| EngineError::NotFound("this deployment stores no files".into()))?;
        let doc = self
            .store
            .dossier_documents(code)
            .await?
            .into_iter()
            .find(|d| d.seq == seq)
            .ok_or_else(|| EngineError::NotFound(format!("no document {seq} in dossier {code}")))?;
        let bytes = tokio::fs::read(file_path(&dir, &doc.hash))
            .await
            .map_err(|e| EngineError::Internal(anyhow::anyhow!("document {} missing from storage: {e}", doc.hash)))?;
        Ok((doc, bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_types_come_from_the_content() {
        assert_eq!(sniff_media_type(b"%PDF-1.7\n..."), Some("application/pdf"));
        assert_eq!(sniff_media_type(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("image/jpeg"));
        assert_eq!(sniff_media_type(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(sniff_media_type(b"MZ\x90\x00"), None);
        assert_eq!(sniff_media_type(b""), None);
    }

    #[test]
    fn files_are_stored_once_under_their_hash() {
        let dir = tempfile_dir();
        let hash = hex::encode(Sha256::digest(b"%PDF-1.4 x"));
        store_file(&dir, &hash, b"%PDF-1.4 x").unwrap();
        store_file(&dir, &hash, b"%PDF-1.4 x").unwrap();
        let path = file_path(&dir, &hash);
        assert_eq!(std::fs::read(&path).unwrap(), b"%PDF-1.4 x");
        assert!(path.starts_with(dir.join(&hash[..2])));
        let _ = std::fs::remove_dir_all(&dir);
    }

    fn tempfile_dir() -> PathBuf {
        let dir = std::env::temp_dir().join(format!("motcua-docs-{}-{}", std::process::id(), line!()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }
}
