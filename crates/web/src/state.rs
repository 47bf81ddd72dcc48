//! Shared state of the HTTP layer: the store, the lifecycle engine (which holds the in-memory
//! calendar, catalogue and organisations), metrics and settings.

use std::sync::Arc;

use motcua_assistant::{Assistant, Dictionary};
use motcua_domain::calendar::WorkCalendar;
use motcua_engine::{CatalogView, Engine};
use motcua_store::Store;

use crate::metrics::Metrics;
use crate::pages::session::LoginLimiter;

/// Settings of the HTTP layer.
#[derive(Clone, Debug)]
pub struct WebSettings {
    /// Lifetime of API tokens.
    pub token_ttl: chrono::Duration,
    /// Where dossier documents are stored; none refuses uploads.
    pub files_dir: Option<std::path::PathBuf>,
    /// Online payment (gateway secret, motcua's own address for callbacks).
    pub payments: crate::payment_gateway::PaymentSettings,
    /// VNeID sign-in (OpenID Connect); none: not offered.
    pub oidc: Option<crate::oidc::OidcSettings>,
}

impl Default for WebSettings {
    fn default() -> Self {
        WebSettings {
            token_ttl: chrono::Duration::hours(12),
            files_dir: None,
            payments: Default::default(),
            oidc: None,
        }
    }
}

/// The assistant in use, replaced whole when a rebuild finishes: readers clone the `Arc` and keep
/// answering from the old index while a new one builds.
type AssistantSlot = Arc<std::sync::RwLock<Arc<Assistant>>>;

struct Inner {
    store: Store,
    engine: Engine,
    assistant: AssistantSlot,
    /// Wakes the rebuilder; one queued request is enough (it reads the catalogue when it starts).
    assistant_rebuild: tokio::sync::mpsc::Sender<()>,
    /// Rebuilds finished since start (tests wait on it).
    assistant_generation: Arc<std::sync::atomic::AtomicU64>,
    metrics: Metrics,
    settings: WebSettings,
    portal: PortalState,
}

#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

impl AppState {
    /// Builds the state from what the store holds and starts the engine.
    pub async fn load(store: Store, settings: WebSettings) -> anyhow::Result<AppState> {
        let mut engine = Engine::start(store.clone()).await?;
        if let Some(dir) = &settings.files_dir {
            engine = engine.with_files_dir(dir.clone());
        }
        Self::with_engine(engine, settings).await
    }

    /// Builds the state around an engine already started (tests with their own clock); the
    /// assistant's index is built from the engine's catalogue (about a second for 2,642 procedures).
    pub async fn with_engine(engine: Engine, settings: WebSettings) -> anyhow::Result<AppState> {
        let assistant: AssistantSlot = Arc::new(std::sync::RwLock::new(Arc::new(build_assistant(&engine).await?)));
        let generation = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let (rebuild, mut requests) = tokio::sync::mpsc::channel::<()>(1);
        {
            // Ends when the state (the only sender) is dropped.
            let (engine, slot, generation) = (engine.clone(), assistant.clone(), generation.clone());
            tokio::spawn(async move {
                while requests.recv().await.is_some() {
                    let started = std::time::Instant::now();
                    match build_assistant(&engine).await {
                        Ok(fresh) => {
                            let fresh = Arc::new(fresh);
                            match slot.write() {
                                Ok(mut current) => *current = fresh,
                                Err(poisoned) => *poisoned.into_inner() = fresh,
                            }
                            generation.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                            tracing::info!(ms = started.elapsed().as_millis() as u64, "assistant index rebuilt");
                        }
                        // The old index keeps answering.
                        Err(e) => tracing::error!(error = %e, "assistant index not rebuilt"),
                    }
                }
            });
        }
        Ok(AppState {
            inner: Arc::new(Inner {
                store: engine.store().clone(),
                assistant,
                assistant_rebuild: rebuild,
                assistant_generation: generation,
                engine,
                metrics: Metrics::new()?,
                settings,
                portal: PortalState::default(),
            }),
        })
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    pub fn engine(&self) -> &Engine {
        &self.inner.engine
    }

    /// The assistant as last built (an answer in progress keeps its copy across a swap).
    pub fn assistant(&self) -> Arc<Assistant> {
        match self.inner.assistant.read() {
            Ok(a) => a.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Asks for the assistant's index to be rebuilt from the engine's catalogue in the background
    /// (after an administrator changed a fee or withdrew or offered a procedure). Requests made
    /// while one is queued are served by it: it reads the catalogue when it starts.
    pub fn refresh_assistant(&self) {
        let _ = self.inner.assistant_rebuild.try_send(());
    }

    /// How many background rebuilds of the assistant have finished.
    pub fn assistant_generation(&self) -> u64 {
        self.inner
            .assistant_generation
            .load(std::sync::atomic::Ordering::SeqCst)
    }

    pub fn metrics(&self) -> &Metrics {
        &self.inner.metrics
    }

    pub fn settings(&self) -> &WebSettings {
        &self.inner.settings
    }

    pub fn calendar(&self) -> Arc<WorkCalendar> {
        self.inner.engine.calendar()
    }

    pub fn catalog(&self) -> Arc<CatalogView> {
        self.inner.engine.catalog()
    }

    pub fn portal(&self) -> &PortalState {
        &self.inner.portal
    }
}

/// The assistant over the procedures the engine's catalogue offers (about a second for 2,642
/// procedures, off the async threads).
async fn build_assistant(engine: &Engine) -> anyhow::Result<Assistant> {
    let procedures = engine.catalog().procedures.clone();
    tokio::task::spawn_blocking(move || -> anyhow::Result<Assistant> {
        Ok(Assistant::new(procedures, Dictionary::bundled_checked()?))
    })
    .await?
}

/// What the portal pages keep in memory: the sign-in limiter and the home page's "most used"
/// list (recounted at most every ten minutes).
#[derive(Default)]
pub struct PortalState {
    pub login_limiter: LoginLimiter,
    most_used: tokio::sync::Mutex<Option<(std::time::Instant, Vec<String>)>>,
}

impl PortalState {
    const MOST_USED_TTL: std::time::Duration = std::time::Duration::from_secs(600);

    /// Codes of the procedures with the most dossiers.
    pub async fn most_used(&self, state: &AppState, limit: usize) -> anyhow::Result<Vec<String>> {
        let mut cached = self.most_used.lock().await;
        if let Some((at, codes)) = cached.as_ref() {
            if at.elapsed() < Self::MOST_USED_TTL {
                return Ok(codes.iter().take(limit).cloned().collect());
            }
        }
        let codes = state.store().most_used_procedures(limit as i64).await?;
        *cached = Some((std::time::Instant::now(), codes.clone()));
        Ok(codes)
    }
}
