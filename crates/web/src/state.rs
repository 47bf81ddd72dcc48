//! Shared state of the HTTP layer: the store plus in-memory views rebuilt from it (the working
//! calendar and the catalogue search index), swapped atomically when an admin changes them.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use motcua_domain::calendar::{OfficeHours, WorkCalendar};
use motcua_domain::catalog::{Procedure, SearchIndex};
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

/// The catalogue held in memory with its search index (2,642 procedures take a few MB).
pub struct CatalogView {
    pub procedures: Vec<Procedure>,
    pub index: SearchIndex,
    by_code: HashMap<String, usize>,
}

impl CatalogView {
    pub fn new(procedures: Vec<Procedure>) -> CatalogView {
        let index = SearchIndex::new(&procedures);
        let by_code = procedures
            .iter()
            .enumerate()
            .map(|(i, p)| (p.code.clone(), i))
            .collect();
        CatalogView {
            procedures,
            index,
            by_code,
        }
    }

    pub fn get(&self, code: &str) -> Option<&Procedure> {
        self.by_code.get(code).map(|&i| &self.procedures[i])
    }
}

struct Inner {
    store: Store,
    calendar: RwLock<Arc<WorkCalendar>>,
    catalog: RwLock<Arc<CatalogView>>,
    metrics: Metrics,
    settings: WebSettings,
}

#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

impl AppState {
    /// Builds the state from what the store holds.
    pub async fn load(store: Store, settings: WebSettings) -> anyhow::Result<AppState> {
        let state = AppState {
            inner: Arc::new(Inner {
                calendar: RwLock::new(Arc::new(WorkCalendar::default())),
                catalog: RwLock::new(Arc::new(CatalogView::new(Vec::new()))),
                metrics: Metrics::new()?,
                store,
                settings,
            }),
        };
        state.reload_calendar().await?;
        state.reload_catalog().await?;
        Ok(state)
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    pub fn metrics(&self) -> &Metrics {
        &self.inner.metrics
    }

    pub fn settings(&self) -> &WebSettings {
        &self.inner.settings
    }

    pub fn calendar(&self) -> Arc<WorkCalendar> {
        match self.inner.calendar.read() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    pub fn catalog(&self) -> Arc<CatalogView> {
        match self.inner.catalog.read() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Rebuilds the working calendar from the stored year tables.
    pub async fn reload_calendar(&self) -> anyhow::Result<()> {
        let tables = self.store().calendar_years().await?;
        let calendar = Arc::new(WorkCalendar::new(tables, OfficeHours::default())?);
        match self.inner.calendar.write() {
            Ok(mut guard) => *guard = calendar,
            Err(poisoned) => *poisoned.into_inner() = calendar,
        }
        Ok(())
    }

    /// Rebuilds the catalogue view and its search index from the store.
    pub async fn reload_catalog(&self) -> anyhow::Result<()> {
        let procedures = self.store().procedures().await?;
        let view =
            Arc::new(tokio::task::spawn_blocking(move || CatalogView::new(procedures)).await?);
        match self.inner.catalog.write() {
            Ok(mut guard) => *guard = view,
            Err(poisoned) => *poisoned.into_inner() = view,
        }
        Ok(())
    }
}
