//! The catalogue held in memory with its search index (2,642 procedures take a few MB).

use std::collections::HashMap;

use motcua_domain::catalog::{Procedure, SearchIndex};

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
