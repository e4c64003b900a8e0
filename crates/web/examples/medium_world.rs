//! Writes the simulated fediverse's medium world into a SQLite store, as a correct
//! crawl of it would leave it (the same loader as the browser test): the data of
//! `make bench-web`. Prints the brands, one a line (`brand owned|watched NAME`, the name as a URL path segment), then the window to look at.
//!
//! `cargo run --release -p fedireach-web --example medium_world -- sqlite://bench.db`

#[path = "../tests/it/medium.rs"]
mod medium;

type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;

#[tokio::main]
async fn main() -> Result {
    let url = std::env::args()
        .nth(1)
        .ok_or("usage: medium_world sqlite://FILE")?;
    let store = fedireach_store::Store::open(&url).await?;
    let medium = medium::load(&store).await?;
    store.close().await;
    for brand in &medium.brands {
        let kind = if medium.owned.contains(brand) {
            "owned"
        } else {
            "watched"
        };
        // As one URL path segment, for the scripts that build the page's address.
        let segment = url::form_urlencoded::byte_serialize(brand.as_bytes())
            .collect::<String>()
            .replace('+', "%20");
        println!("brand {kind} {segment}");
    }
    println!("window {}", medium.window);
    println!("instance /instances/{}", medium.instance);
    println!("conversation of {}", medium.conversation);
    eprintln!(
        "wrote the medium world ({} brands, {} engagements) into {url}",
        medium.brands.len(),
        medium.engagements
    );
    Ok(())
}
