//! `/brands/{name}`: the panels of `dashboards/brand.toml`, in order.

use axum::{
    body::Bytes,
    extract::{Path, RawQuery, State},
    response::{Html, IntoResponse, Redirect, Response},
};
use minijinja::Value;

use crate::{
    AppState, BrandFigures, ChartName, Panel, View, ViewLabels, WebError,
    draw::drawn,
    tables::{PageFacts, brand_table, segment, top_post_rows, with_query},
};

pub(crate) async fn brand_page(
    State(state): State<AppState>,
    Path(name): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, WebError> {
    let view = View::parse(query.as_deref())?;
    let figures = match state.figures(&name, &view).await {
        Ok(figures) => figures,
        // Brand URLs are case-insensitive: `/brands/ACME` is Acme's page, at its own
        // address.
        Err(WebError::UnknownBrand(missing)) => return same_brand(&state, missing, &view).await,
        Err(other) => return Err(other),
    };
    // The page depends on the figures, the view's query (a rolling and a fixed range
    // over the same days share the figures, not the links) and what is fixed for the
    // process; extra `brand=` parameters only add hidden fields.
    let labels = view.labels();
    // Where the brand stands with the crawler changes without the figures changing (a
    // crawl queued): the cached page serves only the status it was rendered with.
    let brand = state.store().brand(&name).await?;
    // A brand none of whose actors a crawl has resolved has not been crawled.
    let crawled = brand.actors.iter().any(|a| a.actor_uri.is_some());
    let mut status = crawl_status(&state, &name, crawled, view.window.tz()).await?;
    status.push_str(&unread_accounts(&brand));
    let key = format!("{}\n{status}", labels.query);
    let cacheable = view.brands.is_empty();
    if cacheable
        && let Some((cached_key, page)) = figures.page.get()
        && *cached_key == key
    {
        return Ok(Html(page.clone()).into_response());
    }
    let (texts, names) = shown_texts_and_names(&state, &figures).await?;
    let base = format!("/brands/{}", segment(&name));
    let facts = PageFacts {
        crawled,
        texts: &texts,
        tz: view.window.tz(),
        names: &names,
        conversations: brand
            .is_owned()
            .then_some((base.as_str(), labels.query.as_str())),
        unread: crate::figures::unread_brand(&brand, &figures),
    };
    let panels = state
        .dashboards()
        .brand
        .iter()
        .map(|panel| panel_context(&figures, panel, &labels, facts))
        .collect::<Result<Vec<_>, _>>()?;
    let page = minijinja::context! {
        brand => name.clone(),
        owned => brand.is_owned(),
        actors => brand.actors.iter().map(|a| a.input.clone()).collect::<Vec<_>>(),
        panels => panels,
        json_url => with_query(&format!("/api/v1/brands/{}/figures", segment(&name)), &labels.query),
        crawl_status => status,
    };
    let Html(html) = super::render(&state, "brand.html", &view, &name, page)?;
    let html = Bytes::from(html);
    if cacheable {
        // Another request may have rendered it first: the same bytes either way.
        let _ = figures.page.set((key, html.clone()));
    }
    Ok(Html(html).into_response())
}

/// A brand named with other letter cases (`/brands/ACME`) is Acme's page, at its own
/// address: a permanent redirect there, else the unknown brand's 404.
async fn same_brand(state: &AppState, missing: String, view: &View) -> Result<Response, WebError> {
    let wanted = missing.to_lowercase();
    let brands = state.store().list_brands().await?;
    match brands.iter().find(|b| b.name.to_lowercase() == wanted) {
        Some(brand) => Ok(Redirect::permanent(&with_query(
            &format!("/brands/{}", segment(&brand.name)),
            &view.labels().query,
        ))
        .into_response()),
        None => Err(WebError::UnknownBrand(missing)),
    }
}

/// The accounts the last crawl could not read, in sentences: their posts are unknown,
/// not absent.
fn unread_accounts(brand: &fedireach_store::Brand) -> String {
    brand
        .actors
        .iter()
        .filter_map(|actor| {
            let unread = actor.unread.as_ref()?;
            Some(format!(
                " Not read by the last crawl, so its posts are unknown: {} {}.",
                actor.input,
                unread.phrase()
            ))
        })
        .collect()
}

/// The first words of the posts the top-posts panels show, and the names of the
/// engagers the top-engagers panels show (owned brands only).
async fn shown_texts_and_names(
    state: &AppState,
    figures: &BrandFigures,
) -> Result<
    (
        std::collections::HashMap<String, String>,
        std::collections::HashMap<i64, fedireach_store::EngagerName>,
    ),
    WebError,
> {
    let shown = panel_limit(state, crate::TableName::TopPosts);
    let top: Vec<String> = top_post_rows(&figures.posts.rows)
        .into_iter()
        .take(shown)
        .map(|p| p.uri.clone())
        .collect();
    let texts = state.store().post_texts(&top).await?;
    let named = panel_limit(state, crate::TableName::TopEngagers);
    let ids: Vec<i64> = figures
        .engagers
        .iter()
        .flat_map(|e| e.rows.iter().take(named).map(|r| r.actor_id))
        .collect();
    let names = state.store().engager_names(&ids).await?;
    Ok((texts, names))
}

/// The most rows any panel of `table` on the brand page shows (0 without one).
fn panel_limit(state: &AppState, table: crate::TableName) -> usize {
    state
        .dashboards()
        .brand
        .iter()
        .filter_map(|p| match p {
            Panel::Table {
                table: t, limit, ..
            } if *t == table => Some(*limit),
            _ => None,
        })
        .max()
        .unwrap_or(0)
}

/// The brand's last crawl, the crawl asked for it and not ended, and the next
/// scheduled one, in a sentence, times in the view's zone.
async fn crawl_status(
    state: &AppState,
    brand: &str,
    crawled: bool,
    tz: chrono_tz::Tz,
) -> Result<String, WebError> {
    let when = |at: i64| {
        chrono::DateTime::from_timestamp(at, 0).map_or_else(
            || at.to_string(),
            |t| t.with_timezone(&tz).format("%Y-%m-%d %H:%M %Z").to_string(),
        )
    };
    let store = state.store();
    let status = store.brand_crawl_status(brand).await?;
    let mut parts = vec![match &status.last {
        Some((at, how)) if crawled => format!("Last crawled {} ({how}).", when(*at)),
        _ => "Not crawled yet.".to_owned(),
    }];
    if let Some((state, asked)) = &status.pending {
        let doing = if state == "running" {
            "is running"
        } else {
            "is queued"
        };
        parts.push(format!("A crawl {doing} (asked {}).", when(*asked)));
    }
    if let Some(at) = store.next_scheduled_crawl().await? {
        parts.push(format!("Next scheduled crawl: {}.", when(at)));
    }
    Ok(parts.join(" "))
}

/// One panel as the templates see it.
pub(crate) fn panel_context(
    figures: &BrandFigures,
    panel: &Panel,
    view: &ViewLabels,
    page: PageFacts<'_>,
) -> Result<Value, WebError> {
    let base = format!("/brands/{}", segment(&figures.brand));
    Ok(match panel {
        Panel::Figures { title, metrics } | Panel::Brands { title, metrics } => {
            minijinja::context! {
                type => "figures",
                title => title,
                glossary => "engagements",
                figures => Value::from_serialize(crate::figures::shown_key_figures(figures, metrics, page.unread)),
                has_previous => figures.previous.is_some(),
                left_out => left_out(figures, page.unread),
            }
        }
        Panel::Chart { title, chart } => {
            if let Some(why) = crate::empty::chart(figures, *chart, page.crawled) {
                return Ok(minijinja::context! {
                    type => "chart",
                    title => title,
                    glossary => chart.glossary(),
                    name => chart.as_str(),
                    empty => why,
                });
            }
            let drawn = drawn(figures, *chart)?;
            let url = |ext: &str| {
                with_query(
                    &format!("{base}/charts/{}.{ext}", chart.as_str()),
                    &view.query,
                )
            };
            minijinja::context! {
                type => "chart",
                title => title,
                glossary => chart.glossary(),
                name => chart.as_str(),
                svg => Value::from_safe_string(drawn.svg.clone()),
                alt => drawn.alt.clone(),
                png_url => url("png"),
                svg_url => url("svg"),
                csv_url => with_query(
                    &format!("{base}/reports/{}.csv", chart.report()),
                    &view.query,
                ),
                // Reach by software also sums by family: that table as CSV too.
                family_csv_url => (*chart == ChartName::ReachBySoftware).then(|| {
                    with_query(&format!("{base}/reports/reach-by-family.csv"), &view.query)
                }),
            }
        }
        Panel::Table {
            title,
            table,
            limit,
        } => minijinja::context! {
            type => "table",
            title => title,
            glossary => table.glossary(),
            table => Value::from_serialize(brand_table(figures, *table, *limit, view, page)),
        },
    })
}

/// What the key figures leave out, in sentences; first, when the brand could not be
/// read at all, why they are unknown.
fn left_out(figures: &BrandFigures, unread: Option<&str>) -> Vec<String> {
    unread
        .map(str::to_owned)
        .into_iter()
        .chain(figures.key.left_out.iter().cloned())
        .collect()
}
