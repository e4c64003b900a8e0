//! The columnar copy of the facts: Parquet files in one directory, so that loading a
//! million engagements is a column read, not a million SQLite rows. The store stays
//! the source of truth; this copy is refreshed after each crawl and purged with it.
//!
//! Layout: one `TABLE.parquet` per small table (brand actors, posts, hashtags, actors,
//! instances, follower snapshots, consent), replaced whole at each refresh; the big
//! engagements table as `engagements/part-NNNNNN.parquet`, one part appended per
//! refresh with the engagements new or changed since the last one. An engagement in
//! several parts is read from the latest (a removal sets `removed_at` on a later
//! copy); [`FactsCache::compact`] merges the parts. Files are written to a temporary
//! name and renamed, so a reader never sees half a file.
//!
//! `stamp.json` says which state of which store the copy holds ([`FactsStamp`]) and
//! seals every file of the copy (name, size, SHA-256) as written; it is removed before
//! any change and written after, so a copy interrupted mid-update has none and is
//! rebuilt. A copy whose files do not match their seals (a part deleted, a table
//! copied from another database's copy, a file truncated) is not trusted either: it is
//! rebuilt from the store, with a warning, and never read. [`FactsCache::apply`] takes an exclusive lock on `lock` (a
//! crawl and the dashboard may both bring the copy up to date), [`FactsCache::load`] a
//! shared one.

mod seal;

use std::{
    fs::{self, File},
    path::{Path, PathBuf},
};

use fedireach_core::{Facts, FactsStamp, FactsUpdate};
use polars::prelude::*;

use crate::{
    Analytics, AnalyticsError, Result,
    frames::Frames,
    raw::{HostIds, RawFrames},
};

/// The tables replaced whole at each refresh (`hosts` is the host dictionary the
/// engagement parts refer to: it only grows).
const SMALL_TABLES: [&str; 8] = [
    "hosts",
    "brand_actors",
    "posts",
    "post_hashtags",
    "actors",
    "instances",
    "follower_snapshots",
    "consent",
];

/// Parts kept before a refresh compacts them: reading several parts costs a
/// deduplication pass over every engagement, a single part none.
const MAX_PARTS: usize = 8;

/// Where the engagement parts live, under the cache directory.
const ENGAGEMENTS_DIR: &str = "engagements";

/// The file naming the state of the store the copy holds.
const STAMP_FILE: &str = "stamp.json";

/// The lock file: exclusive while the copy changes, shared while it is read.
const LOCK_FILE: &str = "lock";

/// The layout of the copy; a copy of another layout is rebuilt. 2: posts carry their
/// coverage; 3: and the stamp seals every file; 4: engagements carry their language;
/// 5: actors whether they may be named.
const FORMAT: u32 = 5;

/// What a purge forgets (`forget actor`, `forget instance`, an HTTP 410, an
/// ActivityPub `Delete`, an opt-out): every row naming one of these goes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Purge {
    pub post_ids: Vec<i64>,
    pub engagement_ids: Vec<i64>,
    /// Engagers: their engagements and actor rows.
    pub actor_ids: Vec<i64>,
    /// Instances: their posts, engagers, engagements and instance rows.
    pub hosts: Vec<String>,
}

/// A columnar copy of the facts on disk; see the module docs.
#[derive(Debug, Clone)]
pub struct FactsCache {
    dir: PathBuf,
}

impl FactsCache {
    /// Opens (creating it if need be) the copy in `dir`.
    pub fn open(dir: impl Into<PathBuf>) -> Result<Self> {
        let dir = dir.into();
        fs::create_dir_all(dir.join(ENGAGEMENTS_DIR)).map_err(|source| io(&dir, source))?;
        Ok(Self { dir })
    }

    /// The directory of the copy.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The state of the store the copy holds; `None` when it has none it can vouch for
    /// (new, interrupted mid-update, of another layout, or with a file that does not
    /// match its seal: that one is logged as a warning): then it needs a full update.
    pub fn stamp(&self) -> Option<FactsStamp> {
        let file = self.stamp_file()?;
        match self.check_seals(&file.files) {
            Ok(()) => Some(file.stamp),
            Err(error) => {
                tracing::warn!(%error, "rebuilding the analytics copy");
                None
            }
        }
    }

    /// Every file of the copy, by its path under the directory.
    fn files(&self) -> Result<Vec<(String, PathBuf)>> {
        let mut files = Vec::new();
        for table in SMALL_TABLES {
            let name = format!("{table}.parquet");
            let path = self.dir.join(&name);
            if path.exists() {
                files.push((name, path));
            }
        }
        for part in self.parts()? {
            if let Some(name) = part.file_name().and_then(|n| n.to_str()) {
                files.push((format!("{ENGAGEMENTS_DIR}/{name}"), part.clone()));
            }
        }
        Ok(files)
    }

    /// Brings the copy up to date with what the store says it needs
    /// (`Store::facts_update` of the copy's [`FactsCache::stamp`]). Returns `false`,
    /// changing nothing, when the copy moved since that stamp was read (another
    /// process updated it first): ask the store again.
    pub fn apply(&self, update: &FactsUpdate) -> Result<bool> {
        let _lock = self.lock(true)?;
        match update {
            FactsUpdate::Current => Ok(true),
            FactsUpdate::Full { facts, stamp } => {
                self.unstamp()?;
                self.replace(facts)?;
                self.forget_unnamed_hosts()?;
                self.write_stamp(stamp)?;
                Ok(true)
            }
            FactsUpdate::Changes {
                facts,
                removed,
                base,
                stamp,
            } => {
                // The caller's base came from `stamp` (seals checked); only whether
                // another process moved the copy since matters here.
                if self.stamp_file().map(|f| f.stamp).as_ref() != Some(base) {
                    return Ok(false);
                }
                self.unstamp()?;
                self.drop_engagements(removed)?;
                self.refresh(facts)?;
                self.forget_unnamed_hosts()?;
                self.write_stamp(stamp)?;
                Ok(true)
            }
        }
    }

    /// Drops these engagements from every part that holds one.
    fn drop_engagements(&self, ids: &[i64]) -> Result<()> {
        if ids.is_empty() {
            return Ok(());
        }
        let gone = DataFrame::new_infer_height(vec![
            Series::new("engagement_id".into(), ids.to_vec()).into(),
        ])?;
        for part in self.parts()? {
            let frame = read(&part)?;
            let mut kept = without(frame.clone().lazy(), "engagement_id", &gone).collect()?;
            if kept.height() != frame.height() {
                write(&part, &mut kept)?;
            }
        }
        Ok(())
    }

    /// Blanks the host names that no table and no engagement names any more (a
    /// forgotten instance), so that nothing forgotten survives in the copy.
    fn forget_unnamed_hosts(&self) -> Result<()> {
        let mut hosts = self.host_ids()?;
        let mut named = std::collections::HashSet::new();
        let raw = self.read_small()?;
        for (frame, column) in [
            (&raw.brand_actors, "host"),
            (&raw.posts, "host"),
            (&raw.actors, "host"),
            (&raw.instances, "host"),
        ] {
            named.extend(crate::columns::strings(frame, column)?);
        }
        let mut used = std::collections::HashSet::new();
        for part in self.parts()? {
            let file = File::open(&part).map_err(|source| io(&part, source))?;
            let ids = ParquetReader::new(file)
                .with_columns(Some(vec!["host_id".to_owned()]))
                .finish()?;
            used.extend(crate::columns::i64s(&ids, "host_id")?);
        }
        if hosts.forget_unless(|id, name| named.contains(name) || used.contains(&id)) {
            write(&self.dir.join("hosts.parquet"), &mut hosts.frame()?)?;
        }
        Ok(())
    }

    /// Locks the copy until the returned file is dropped: exclusively to change it,
    /// shared to read it.
    fn lock(&self, exclusive: bool) -> Result<File> {
        let path = self.dir.join(LOCK_FILE);
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|source| io(&path, source))?;
        if exclusive {
            file.lock()
        } else {
            file.lock_shared()
        }
        .map_err(|source| io(&path, source))?;
        Ok(file)
    }

    /// Replaces the whole copy with these facts (a first export).
    pub fn replace(&self, facts: &Facts) -> Result<()> {
        let dictionary = self.dir.join("hosts.parquet");
        let stale = self
            .parts()?
            .into_iter()
            .chain(dictionary.exists().then_some(dictionary));
        for file in stale {
            fs::remove_file(&file).map_err(|source| io(&file, source))?;
        }
        self.refresh(facts)
    }

    /// After a crawl: `facts` holds the small tables whole and the engagements new or
    /// changed since the last refresh, which become a new part.
    pub fn refresh(&self, facts: &Facts) -> Result<()> {
        let mut raw = RawFrames::from_facts(facts, &mut self.host_ids()?)?;
        for table in SMALL_TABLES {
            if let Some(frame) = raw.table_mut(table) {
                write(&self.dir.join(format!("{table}.parquet")), frame)?;
            }
        }
        if raw.engagements.height() > 0 {
            let next = self.parts()?.len() + 1;
            let path = self
                .dir
                .join(ENGAGEMENTS_DIR)
                .join(format!("part-{next:06}.parquet"));
            write(&path, &mut raw.engagements)?;
        }
        if self.parts()?.len() > MAX_PARTS {
            self.compact()?;
        }
        Ok(())
    }

    /// Forgets what `purge` names, in every table and every part.
    pub fn purge(&self, purge: &Purge) -> Result<()> {
        let mut raw = self.read()?;
        let host_ids = self.host_ids()?.known(&purge.hosts);
        let hosts = Series::new("host".into(), purge.hosts.clone());
        let gone_hosts = DataFrame::new_infer_height(vec![hosts.into()])?;
        let by_host = raw
            .posts
            .clone()
            .lazy()
            .inner_join(gone_hosts.clone().lazy(), col("host"), col("host"))
            .select([col("post_id")])
            .collect()?;
        let mut post_ids = purge.post_ids.clone();
        post_ids.extend(crate::columns::i64s(&by_host, "post_id")?);
        let ids = |name: &str, values: &[i64]| {
            DataFrame::new_infer_height(vec![Series::new(name.into(), values.to_vec()).into()])
        };
        let gone_posts = ids("post_id", &post_ids)?;
        let gone_actors = ids("actor_id", &purge.actor_ids)?;
        let gone_engagements = ids("engagement_id", &purge.engagement_ids)?;
        let gone_host_ids = ids("host_id", &host_ids)?;

        let keep = |frame: &DataFrame, drops: &[(&str, &DataFrame)]| -> Result<DataFrame> {
            let mut lf = frame.clone().lazy();
            for (column, gone) in drops {
                lf = without(lf, column, gone);
            }
            Ok(lf.collect()?)
        };
        raw.posts = keep(
            &raw.posts,
            &[("post_id", &gone_posts), ("host", &gone_hosts)],
        )?;
        raw.post_hashtags = keep(&raw.post_hashtags, &[("post_id", &gone_posts)])?;
        raw.actors = keep(
            &raw.actors,
            &[("actor_id", &gone_actors), ("host", &gone_hosts)],
        )?;
        raw.instances = keep(&raw.instances, &[("host", &gone_hosts)])?;
        for table in SMALL_TABLES {
            if let Some(frame) = raw.table_mut(table) {
                write(&self.dir.join(format!("{table}.parquet")), frame)?;
            }
        }
        let drops = [
            ("post_id", &gone_posts),
            ("engagement_id", &gone_engagements),
            ("actor_id", &gone_actors),
            ("host_id", &gone_host_ids),
        ];
        for part in self.parts()? {
            let mut kept = keep(&read(&part)?, &drops)?;
            write(&part, &mut kept)?;
        }
        Ok(())
    }

    /// Merges the engagement parts into one, each engagement at its latest version.
    pub fn compact(&self) -> Result<()> {
        let parts = self.parts()?;
        if parts.len() < 2 {
            return Ok(());
        }
        let mut merged = self.read()?.engagements;
        let first = self.dir.join(ENGAGEMENTS_DIR).join("part-000001.parquet");
        write(&first, &mut merged)?;
        for part in parts.iter().filter(|p| **p != first) {
            fs::remove_file(part).map_err(|source| io(part, source))?;
        }
        Ok(())
    }

    /// The analytics over the copy. A copy with a stamp is read only while its files
    /// match their seals (an error otherwise: the caller reads the store).
    pub fn load(&self) -> Result<Analytics> {
        let raw = {
            let _lock = self.lock(false)?;
            if let Some(file) = self.stamp_file() {
                self.check_seals(&file.files)?;
            }
            self.read()?
        };
        Ok(Analytics {
            frames: Frames::from_raw(&raw)?,
        })
    }

    /// Every table but the engagements (an empty copy reads as empty facts, with the
    /// right columns).
    fn read_small(&self) -> Result<RawFrames> {
        let mut raw = RawFrames::from_facts(&Facts::default(), &mut HostIds::default())?;
        for table in SMALL_TABLES {
            let path = self.dir.join(format!("{table}.parquet"));
            if path.exists()
                && let Some(frame) = raw.table_mut(table)
            {
                *frame = read(&path)?;
            }
        }
        Ok(raw)
    }

    /// Every table, engagements deduplicated to their latest version.
    fn read(&self) -> Result<RawFrames> {
        let mut raw = self.read_small()?;
        let parts = self
            .parts()?
            .iter()
            .map(|p| read(p))
            .collect::<Result<Vec<_>>>()?;
        raw.engagements = match <[DataFrame; 1]>::try_from(parts) {
            // One part (a first export, or compacted): nothing to deduplicate.
            Ok([only]) => only,
            Err(parts) if parts.is_empty() => raw.engagements,
            Err(parts) => concat(
                parts.into_iter().map(IntoLazy::lazy).collect::<Vec<_>>(),
                UnionArgs::default(),
            )?
            // Row order does not matter to any report: the unordered distinct is the
            // cheaper one, and it still keeps the last (latest) copy.
            .unique_generic(Some(vec![col("engagement_id")]), UniqueKeepStrategy::Last)
            .collect()?,
        };

        Ok(raw)
    }

    /// The host dictionary of the copy (empty for a new copy).
    fn host_ids(&self) -> Result<HostIds> {
        let path = self.dir.join("hosts.parquet");
        if path.exists() {
            HostIds::from_frame(&read(&path)?)
        } else {
            Ok(HostIds::default())
        }
    }

    /// The engagement parts, oldest first.
    fn parts(&self) -> Result<Vec<PathBuf>> {
        let dir = self.dir.join(ENGAGEMENTS_DIR);
        let mut parts: Vec<PathBuf> = fs::read_dir(&dir)
            .map_err(|source| io(&dir, source))?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("part-") && n.ends_with(".parquet"))
            })
            .collect();
        parts.sort();
        Ok(parts)
    }
}

/// `lf` without the rows whose `column` is one of `gone`'s values (an anti-join made of
/// a left join and a marker, which needs no extra polars feature).
fn without(lf: LazyFrame, column: &str, gone: &DataFrame) -> LazyFrame {
    if gone.height() == 0 {
        return lf;
    }
    let marked = gone
        .clone()
        .lazy()
        .unique_stable(None, UniqueKeepStrategy::First)
        .with_column(lit(true).alias("__gone"));
    lf.left_join(marked, col(column), col(column))
        .filter(col("__gone").is_null())
        .drop(cols(["__gone"]))
}

fn write(path: &Path, frame: &mut DataFrame) -> Result<()> {
    let tmp = path.with_extension("parquet.tmp");
    let file = File::create(&tmp).map_err(|source| io(&tmp, source))?;
    ParquetWriter::new(file).finish(frame)?;
    fs::rename(&tmp, path).map_err(|source| io(path, source))
}

fn read(path: &Path) -> Result<DataFrame> {
    let file = File::open(path).map_err(|source| io(path, source))?;
    Ok(ParquetReader::new(file).finish()?)
}

pub(super) fn io(path: &Path, source: std::io::Error) -> AnalyticsError {
    AnalyticsError::Cache {
        path: path.to_path_buf(),
        source,
    }
}

#[cfg(test)]
mod tests;
