//! The catalogue held in memory with its search index (2,642 procedures take a few MB).

use std::collections::HashMap;

use motcua_domain::catalog::{Procedure, SearchIndex};

pub struct CatalogView {
    /// The procedures offered in the province (searchable, open to new dossiers).
    pub procedures: Vec<Procedure>,
    pub index: SearchIndex,
    by_code: HashMap<String, usize>,
    /// Procedures the province has withdrawn: kept so dossiers received before go on.
    withdrawn: HashMap<String, Procedure>,
}

impl CatalogView {
    pub fn new(procedures: Vec<Procedure>) -> CatalogView {
        CatalogView::with_withdrawn(procedures, Vec::new())
    }

    /// A catalogue offering `offered` and keeping `withdrawn` only for dossiers already received.
    pub fn with_withdrawn(offered: Vec<Procedure>, withdrawn: Vec<Procedure>) -> CatalogView {
        let index = SearchIndex::new(&offered);
        let by_code = offered.iter().enumerate().map(|(i, p)| (p.code.clone(), i)).collect();
        CatalogView {
            procedures: offered,
            index,
            by_code,
            withdrawn: withdrawn.into_iter().map(|p| (p.code.clone(), p)).collect(),
        }
    }

    /// A procedure of the catalogue, offered or withdrawn (for dossiers already received).
    pub fn get(&self, code: &str) -> Option<&Procedure> {
        self.offered(code).or_else(|| self.withdrawn.get(code))
    }

    /// A procedure the province offers now (the portal, the API and new dossiers).
    pub fn offered(&self, code: &str) -> Option<&Procedure> {
        self.by_code.get(code).map(|&i| &self.procedures[i])
    }

    /// The withdrawn procedures (in no particular order).
    pub fn withdrawn(&self) -> impl Iterator<Item = &Procedure> {
        self.withdrawn.values()
    }

    pub fn is_withdrawn(&self, code: &str) -> bool {
        self.withdrawn.contains_key(code)
    }
}
