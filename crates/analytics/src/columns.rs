//! Reading collected frames back into Rust values: the results are small (one row per
//! software, post, host...), so plain vectors are the simplest hand-over.

use polars::prelude::*;

use crate::{AnalyticsError, Result};

/// An integer column, nulls kept.
pub(crate) fn opt_i64s(df: &DataFrame, name: &str) -> Result<Vec<Option<i64>>> {
    let column = df.column(name)?.cast(&DataType::Int64)?;
    Ok(column.i64()?.iter().collect())
}

/// An integer column, nulls read as 0.
pub(crate) fn i64s(df: &DataFrame, name: &str) -> Result<Vec<i64>> {
    Ok(opt_i64s(df, name)?
        .into_iter()
        .map(Option::unwrap_or_default)
        .collect())
}

/// A count column: nulls read as 0, a negative value is inconsistent facts.
pub(crate) fn counts(df: &DataFrame, name: &str) -> Result<Vec<u64>> {
    i64s(df, name)?
        .into_iter()
        .map(|v| count(v, name))
        .collect()
}

/// An optional count column (follower counts, active users): negative reads as unknown.
pub(crate) fn opt_counts(df: &DataFrame, name: &str) -> Result<Vec<Option<u64>>> {
    Ok(opt_i64s(df, name)?
        .into_iter()
        .map(|v| v.and_then(|v| u64::try_from(v).ok()))
        .collect())
}

/// A string column, nulls read as empty.
pub(crate) fn strings(df: &DataFrame, name: &str) -> Result<Vec<String>> {
    let column = df.column(name)?.cast(&DataType::String)?;
    Ok(column
        .str()?
        .iter()
        .map(|s| s.unwrap_or_default().to_owned())
        .collect())
}

/// A nullable string column.
pub(crate) fn opt_strings(df: &DataFrame, name: &str) -> Result<Vec<Option<String>>> {
    let column = df.column(name)?.cast(&DataType::String)?;
    Ok(column.str()?.iter().map(|s| s.map(str::to_owned)).collect())
}

/// A boolean column, nulls read as false.
pub(crate) fn bools(df: &DataFrame, name: &str) -> Result<Vec<bool>> {
    let column = df.column(name)?.cast(&DataType::Boolean)?;
    Ok(column
        .bool()?
        .iter()
        .map(Option::unwrap_or_default)
        .collect())
}

/// One count, checked.
pub(crate) fn count(value: i64, what: &str) -> Result<u64> {
    u64::try_from(value).map_err(|_| AnalyticsError::BadFacts {
        what: format!("`{what}` is negative ({value})"),
    })
}
