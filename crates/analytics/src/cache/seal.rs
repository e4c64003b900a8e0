//! `stamp.json`: which state of which store a copy holds, and the seal (size and
//! SHA-256) of every file as written, so a copy whose files changed behind its back is
//! never read.

use std::{
    collections::BTreeMap,
    fs::{self, File},
    io::Read,
    path::{Path, PathBuf},
};

use fedireach_core::FactsStamp;
use serde::{Deserialize, Serialize};

use super::{FORMAT, FactsCache, STAMP_FILE, io};
use crate::{AnalyticsError, Result};

/// The contents of `stamp.json`.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct StampFile {
    pub(super) format: u32,
    pub(super) stamp: FactsStamp,
    /// Every file of the copy (path under the directory) as it was written.
    pub(super) files: BTreeMap<String, Seal>,
}

/// A file as written: any other file of that name is not the one the stamp vouches for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Seal {
    bytes: u64,
    sha256: String,
}

impl Seal {
    pub(super) fn of(path: &Path) -> Result<Self> {
        use sha2::Digest;
        let mut file = File::open(path).map_err(|source| io(path, source))?;
        let mut hasher = sha2::Sha256::new();
        let mut buffer = vec![0_u8; 1 << 16];
        let mut bytes = 0_u64;
        loop {
            let n = file.read(&mut buffer).map_err(|source| io(path, source))?;
            if n == 0 {
                break;
            }
            hasher.update(&buffer[..n]);
            bytes += n as u64;
        }
        Ok(Self {
            bytes,
            sha256: hex::encode(hasher.finalize()),
        })
    }
}

/// Whether the files of the copy are exactly those sealed: none missing, none
/// added, each of its size and checksum.
pub(super) fn check(
    dir: &Path,
    files: &[(String, PathBuf)],
    sealed: &BTreeMap<String, Seal>,
) -> Result<()> {
    let tampered = |reason: String| AnalyticsError::Tampered {
        dir: dir.to_path_buf(),
        reason,
    };
    for (name, path) in files {
        let Some(seal) = sealed.get(name) else {
            return Err(tampered(format!("{name} was not written with this copy")));
        };
        let size = fs::metadata(path).map_err(|source| io(path, source))?.len();
        if size != seal.bytes {
            return Err(tampered(format!(
                "{name} has {size} bytes, {} were written",
                seal.bytes
            )));
        }
        if Seal::of(path)? != *seal {
            return Err(tampered(format!(
                "{name} is not the file written (another checksum)"
            )));
        }
    }
    if let Some(missing) = sealed
        .keys()
        .find(|name| !files.iter().any(|(present, _)| present == *name))
    {
        return Err(tampered(format!("{missing} is missing")));
    }
    Ok(())
}

/// The stamp of a copy: read, written, removed.
impl FactsCache {
    /// `stamp.json` as written, its seals unchecked.
    pub(super) fn stamp_file(&self) -> Option<StampFile> {
        let bytes = fs::read(self.dir.join(STAMP_FILE)).ok()?;
        let file: StampFile = serde_json::from_slice(&bytes).ok()?;
        (file.format == FORMAT).then_some(file)
    }

    pub(super) fn seals(&self) -> Result<BTreeMap<String, Seal>> {
        self.files()?
            .into_iter()
            .map(|(name, path)| Ok((name, Seal::of(&path)?)))
            .collect()
    }

    /// Whether the files of the copy are exactly those sealed (see [`check`]).
    pub(super) fn check_seals(&self, sealed: &BTreeMap<String, Seal>) -> Result<()> {
        check(&self.dir, &self.files()?, sealed)
    }

    pub(super) fn write_stamp(&self, stamp: &FactsStamp) -> Result<()> {
        let path = self.dir.join(STAMP_FILE);
        let tmp = path.with_extension("json.tmp");
        let bytes = serde_json::to_vec(&StampFile {
            format: FORMAT,
            stamp: stamp.clone(),
            files: self.seals()?,
        })?;
        fs::write(&tmp, bytes).map_err(|source| io(&tmp, source))?;
        fs::rename(&tmp, &path).map_err(|source| io(&path, source))
    }

    pub(super) fn unstamp(&self) -> Result<()> {
        let path = self.dir.join(STAMP_FILE);
        match fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io(&path, e)),
            _ => Ok(()),
        }
    }
}
