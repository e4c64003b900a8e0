//! One file per report kind, each an `impl Analytics` block with the method that
//! computes it and the typed report it returns.

pub(crate) mod best_time;
pub(crate) mod compare;
pub(crate) mod consent;
pub(crate) mod engagers;
pub(crate) mod followers;
pub(crate) mod hashtags;
pub(crate) mod instances;
pub(crate) mod languages;
pub(crate) mod posts;
pub(crate) mod reach;
pub(crate) mod timeline;
