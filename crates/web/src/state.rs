//! Shared state of the HTTP layer: the store, the lifecycle engine (which holds the in-memory
//! calendar, catalogue and organisations), metrics and settings.

use std::sync::Arc;

use motcua_domain::calendar::WorkCalendar;
use motcua_engine::{CatalogView, Engine};
use motcua_store::Store;

use crate::metrics::Metrics;

/// Settings of the HTTP layer.
#[derive(Clone, Debug)]
pub struct WebSettings {
    /// Lifetime of API tokens.
    pub token_ttl: chrono::Duration,
    /// Demo deployments print their accounts and allow the shared demo password.
    pub demo: bool,
}

impl Default for WebSettings {
    fn default() -> Self {
        WebSettings {
            token_ttl: chrono::Duration::hours(12),
            demo: false,
        }
    }
}

struct Inner {
    store: Store,
    engine: Engine,
    metrics: Metrics,
    settings: WebSettings,
}

#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

impl AppState {
    /// Builds the state from what the store holds and starts the engine.
    pub async fn load(store: Store, settings: WebSettings) -> anyhow::Result<AppState> {
        let engine = Engine::start(store.clone()).await?;
        Self::with_engine(engine, settings)
    }

    /// Builds the state around an engine already started (tests with their own clock).
    pub fn with_engine(engine: Engine, settings: WebSettings) -> anyhow::Result<AppState> {
        Ok(AppState {
            inner: Arc::new(Inner {
                store: engine.store().clone(),
                engine,
                metrics: Metrics::new()?,
                settings,
            }),
        })
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    pub fn engine(&self) -> &Engine {
        &self.inner.engine
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
}
