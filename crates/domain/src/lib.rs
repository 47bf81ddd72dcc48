//! Pure rules of motcua, free of I/O: the Vietnamese working-time calendar, identifiers,
//! the procedure catalogue and its parser, administrative units, and text normalisation.

pub mod calendar;
pub mod catalog;
pub mod dossier;
pub mod ids;
pub mod index;
pub mod plans;
pub mod roles;
pub mod text;
pub mod units;
