//! `key export | import`: the instance actor's signing key, carried from one database to
//! another so that servers which cached its public half keep accepting our signatures.

use std::{io::Read, process::ExitCode};

use anyhow::{Context, bail};
use fedireach_crawler::InstanceKey;
use fedireach_store::SecretPut;

use super::open_store;
use crate::{cli::KeyCommand, config::Config, crawl::INSTANCE_KEY};

/// A PEM larger than this is not a key (an RSA-4096 PKCS#8 PEM is about 3.3 KB).
const MAX_PEM_BYTES: u64 = 64 * 1024;

pub async fn run(config: &Config, command: KeyCommand) -> anyhow::Result<ExitCode> {
    let store = open_store(config).await?;
    match command {
        KeyCommand::Export { out } => {
            let Some(pem) = store.secret_if_any(INSTANCE_KEY).await? else {
                bail!(
                    "{} has no instance key yet: it is made by the first `crawl` or `serve` with public_url set",
                    config.db
                );
            };
            let pem = String::from_utf8(pem)
                .context("the instance actor's key in the store is damaged (not text)")?;
            check(&pem).context("the instance actor's key in the store is damaged")?;
            match out {
                Some(path) => {
                    write_private(&path, pem.as_bytes())
                        .with_context(|| format!("cannot write {}", path.display()))?;
                    eprintln!(
                        "wrote the instance key to {}; keep it secret",
                        path.display()
                    );
                }
                None => print!("{pem}"),
            }
        }
        KeyCommand::Import { file, replace } => {
            let pem = read_pem(&file)?;
            let public = check(&pem).with_context(|| {
                format!(
                    "{} is not a key exported by `fedireach key export` (a PKCS#8 PEM RSA private key)",
                    file.display()
                )
            })?;
            match store
                .put_secret(INSTANCE_KEY, pem.as_bytes(), replace)
                .await?
            {
                SecretPut::Created | SecretPut::Replaced => {
                    println!("imported the instance key; its public key:\n{public}");
                }
                SecretPut::Unchanged => println!("this database already has that key"),
                SecretPut::Kept => bail!(
                    "{} already has another instance key, which servers may have cached; \
                     pass --replace to replace it anyway",
                    config.db
                ),
            }
        }
    }
    store.close().await;
    Ok(ExitCode::SUCCESS)
}

/// The key's public half, or why the PEM is not a usable key.
fn check(pem: &str) -> anyhow::Result<String> {
    let key = InstanceKey::from_pem("", pem)?;
    Ok(key.public_key_pem()?)
}

fn read_pem(file: &std::path::Path) -> anyhow::Result<String> {
    let mut bytes = Vec::new();
    if file.as_os_str() == "-" {
        std::io::stdin()
            .take(MAX_PEM_BYTES + 1)
            .read_to_end(&mut bytes)
            .context("cannot read the key from stdin")?;
    } else {
        std::fs::File::open(file)
            .and_then(|f| f.take(MAX_PEM_BYTES + 1).read_to_end(&mut bytes))
            .with_context(|| format!("cannot read {}", file.display()))?;
    }
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > MAX_PEM_BYTES {
        bail!("{} is too large to be a key", file.display());
    }
    String::from_utf8(bytes).with_context(|| format!("{} is not text", file.display()))
}

/// Writes a new file readable by its owner only.
fn write_private(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(bytes)
}
