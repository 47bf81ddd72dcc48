//! The notification outbox. Messages are written in the same transaction as the events that cause
//! them and delivered afterwards with retries, so a crash never loses nor invents a notification.

use std::time::Duration;

use std::io::Write;
use std::path::PathBuf;

use motcua_domain::dossier::{exchange, Action, DossierState, Event, EventAction, Status};
use motcua_store::dossiers::OutboxMessage;

/// Topic of the messages for the applicant.
pub const NOTIFICATION: &str = "notification";
/// Topic of the exchange records synchronised to the National Public Service Portal.
pub const PORTAL_SYNC: &str = "portal_sync";

/// Messages for the applicant and for the national portal caused by one event.
pub fn messages_for(before: Option<&DossierState>, e: &Event, after: &DossierState) -> Vec<OutboxMessage> {
    let mut out = Vec::new();
    // A rating, complaint or sync record leaves the status as it was: nothing to announce.
    if e.action.is_remark() {
        return out;
    }
    let kind = match (e.action, e.status) {
        (_, Status::Accepted) => Some("received"),
        (_, Status::Refused) => Some("refused"),
        (_, Status::SupplementRequested) => Some("supplement_needed"),
        (_, Status::FeesDue) => Some("fees_due"),
        (_, Status::ResultReady) => Some("result_ready"),
        (EventAction::Act(Action::Extend), _) => Some("apology_new_date"),
        (_, Status::Stopped) => Some("stopped"),
        _ => None,
    };
    if let Some(kind) = kind {
        out.push(OutboxMessage {
            topic: NOTIFICATION.into(),
            payload: serde_json::json!({
                "kind": kind,
                "status": e.status.code(),
                "at": e.at,
                "appointment": after.appointment,
                "recipient": after.applicant_username,
            }),
        });
    }
    // Every status change is synchronised to the National Public Service Portal (QĐ 766 1.4) as
    // the dossier's exchange record; the writer fills in `MaHoSo`.
    if before.is_none_or(|b| b.status != after.status) {
        let record = exchange::export_record("", after, None);
        out.push(OutboxMessage {
            topic: PORTAL_SYNC.into(),
            payload: serde_json::to_value(&record).unwrap_or(serde_json::Value::Null),
        });
    }
    out
}

/// Where messages go. Implementations: the log (default); e-mail, SMS and Zalo OA adapters plug in
/// here.
pub trait Delivery: Send + Sync {
    /// Delivers one message; an error is retried later with backoff.
    fn deliver(&self, topic: &str, code: &str, payload: &serde_json::Value) -> Result<(), String>;
}

/// Writes each message to the log (no personal data: the code, the kind and the status only).
pub struct LogDelivery;

impl Delivery for LogDelivery {
    fn deliver(&self, topic: &str, code: &str, payload: &serde_json::Value) -> Result<(), String> {
        tracing::info!(topic, code, kind = %payload["kind"], status = %payload["status"], "outbox message delivered");
        Ok(())
    }
}

/// Appends portal-sync records to a daily JSON Lines file in `dir` (the national exchange format),
/// which the province's connector to the National Public Service Portal picks up.
pub struct PortalSyncFile {
    pub dir: PathBuf,
}

impl Delivery for PortalSyncFile {
    fn deliver(&self, _topic: &str, _code: &str, payload: &serde_json::Value) -> Result<(), String> {
        std::fs::create_dir_all(&self.dir).map_err(|e| e.to_string())?;
        let day = chrono::Utc::now()
            .with_timezone(&motcua_domain::calendar::vietnam())
            .format("%Y%m%d");
        let path = self.dir.join(format!("dvcqg-{day}.jsonl"));
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        writeln!(file, "{payload}").map_err(|e| e.to_string())?;
        file.sync_data().map_err(|e| e.to_string())
    }
}

/// Routes each topic to its delivery: portal sync to one, everything else to another.
pub struct ByTopic {
    pub portal_sync: Box<dyn Delivery>,
    pub other: Box<dyn Delivery>,
}

impl Delivery for ByTopic {
    fn deliver(&self, topic: &str, code: &str, payload: &serde_json::Value) -> Result<(), String> {
        if topic == PORTAL_SYNC {
            self.portal_sync.deliver(topic, code, payload)
        } else {
            self.other.deliver(topic, code, payload)
        }
    }
}

/// Delivers pending messages until the process stops; failures back off exponentially (1 min to 1 h).
pub async fn run_delivery(engine: crate::Engine, delivery: Box<dyn Delivery>, every: Duration) {
    loop {
        if let Err(e) = deliver_pending(&engine, delivery.as_ref()).await {
            tracing::warn!(error = %e, "outbox delivery round failed");
        }
        tokio::time::sleep(every).await;
    }
}

/// One delivery round; returns how many messages were delivered.
///
/// A portal-sync delivery is recorded in the dossier's log (QĐ 766 1.4, once per dossier) before
/// the message is marked delivered: should recording fail, the message stays pending and is
/// delivered again, which the portal takes as the same record.
pub async fn deliver_pending(engine: &crate::Engine, delivery: &dyn Delivery) -> crate::EngineResult<usize> {
    let store = engine.store();
    let mut delivered = 0;
    for m in store.pending_outbox(200).await? {
        match delivery.deliver(&m.topic, &m.code, &m.payload) {
            Ok(()) => {
                if m.topic == PORTAL_SYNC {
                    engine.record_portal_sync(&m.code).await?;
                }
                store.mark_outbox_delivered(m.id).await?;
                delivered += 1;
            }
            Err(error) => {
                let backoff_ms = (60_000i64 << m.attempts.clamp(0, 6)).min(3_600_000);
                store
                    .mark_outbox_failed(m.id, &error, chrono::Utc::now().timestamp_millis() + backoff_ms)
                    .await?;
            }
        }
    }
    Ok(delivered)
}
