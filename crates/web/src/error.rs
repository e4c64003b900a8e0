//! The web error: one enum, an explicit status per variant. What a visitor typed (a
//! brand, a host, a date, a time zone) can only ever give a 4xx; a 500 means the
//! server itself failed.

use axum::{
    http::StatusCode,
    response::{IntoResponse, Response},
};
use fedireach_analytics::AnalyticsError;
use fedireach_store::StoreError;

use crate::escape::html;

/// What can go wrong while answering a request.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WebError {
    /// No brand of that name: the overview lists the brands.
    #[error("no brand named `{0}`; the overview at / lists the brands")]
    UnknownBrand(String),

    /// No brand has engagements from that host.
    #[error("no engagements from the instance `{0}` are known; the brand pages list the instances")]
    UnknownInstance(String),

    /// A chart, report or page that does not exist.
    #[error("nothing here: {0}")]
    NotFound(String),

    /// A query parameter could not be read (a date, a time zone, a window).
    #[error("bad `{param}`: {message}")]
    BadQuery {
        param: &'static str,
        message: String,
    },

    /// A form or JSON body that cannot be used.
    #[error("bad request: {0}")]
    BadInput(String),

    /// What the request would create exists already (a brand of that name).
    #[error("{0}")]
    Conflict(String),

    /// An action without the admin token, or with a wrong one.
    #[error(
        "this action needs the admin token, sent as `Authorization: Bearer TOKEN` (or typed into the form)"
    )]
    Unauthorized,

    /// Actions are off because no admin token is configured.
    #[error(
        "actions are disabled: no admin token is configured (set the variable named by `admin_token_env`)"
    )]
    ActionsDisabled,

    /// A form posted from another site, or without the page's form token.
    #[error("this form was not sent from this dashboard's own page; reload the page and try again")]
    CrossSite,

    /// The store failed.
    #[error("the database failed: {0}")]
    Store(#[source] StoreError),

    /// The analytics failed on good input.
    #[error("the analytics failed: {0}")]
    Analytics(#[source] AnalyticsError),

    /// A chart could not be drawn.
    #[error("a chart could not be drawn: {0}")]
    Chart(#[from] fedireach_charts::ChartError),

    /// A template failed to render (a broken template under dashboards/templates).
    #[error("the page template failed: {0}")]
    Template(#[from] minijinja::Error),

    /// A background computation panicked or was cancelled.
    #[error("a background computation failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}

impl WebError {
    /// The status of each variant, spelled out so "not found" is never a 500.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::UnknownBrand(_) | Self::UnknownInstance(_) | Self::NotFound(_) => {
                StatusCode::NOT_FOUND
            }
            Self::BadQuery { .. } | Self::BadInput(_) => StatusCode::BAD_REQUEST,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::ActionsDisabled | Self::CrossSite => StatusCode::FORBIDDEN,
            Self::Store(_)
            | Self::Analytics(_)
            | Self::Chart(_)
            | Self::Template(_)
            | Self::Task(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// What the visitor is told: the message for their mistakes, a generic line for
    /// ours (the details go to the log, not to the page).
    pub(crate) fn public_message(&self) -> String {
        if self.status().is_server_error() {
            "the server failed to answer; the details are in its log".to_owned()
        } else {
            self.to_string()
        }
    }

    pub(crate) fn log(&self) {
        if self.status().is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
    }
}

impl From<StoreError> for WebError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::BrandNotFound { name, .. } => Self::UnknownBrand(name),
            StoreError::BrandExists(_) => Self::Conflict(error.to_string()),
            StoreError::BadBrandName(_) | StoreError::NoActors | StoreError::BadTokenEnv(_) => {
                Self::BadInput(error.to_string())
            }
            other => Self::Store(other),
        }
    }
}

impl From<fedireach_handover::HandoverError> for WebError {
    fn from(error: fedireach_handover::HandoverError) -> Self {
        use fedireach_handover::HandoverError as H;
        match error {
            H::Store(e) => e.into(),
            H::Analytics(e) => e.into(),
            H::Task(e) => e.into(),
        }
    }
}

impl From<AnalyticsError> for WebError {
    fn from(error: AnalyticsError) -> Self {
        match error {
            AnalyticsError::UnknownBrand { name, .. } => Self::UnknownBrand(name),
            AnalyticsError::BadDate { .. } => Self::BadQuery {
                param: "from/to",
                message: error.to_string(),
            },
            AnalyticsError::WindowReversed { .. } => Self::BadQuery {
                param: "from/to",
                message: error.to_string(),
            },
            AnalyticsError::BadTimeZone { .. } => Self::BadQuery {
                param: "tz",
                message: error.to_string(),
            },
            AnalyticsError::NoBrand | AnalyticsError::OneBrandOnly { .. } => Self::BadQuery {
                param: "brand",
                message: error.to_string(),
            },
            other => Self::Analytics(other),
        }
    }
}

/// Pages answer errors as a small HTML page.
impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        self.log();
        let status = self.status();
        let body = format!(
            "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{code} · fedireach</title>\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <link rel=\"stylesheet\" href=\"/assets/style.css\"></head>\
             <body><header class=\"top\"><nav aria-label=\"Main\"><a class=\"home\" href=\"/\">fedireach</a>\
             <a href=\"/compare\">Compare</a><a href=\"/crawls\">Crawls</a>\
             <a href=\"/glossary\">What the figures mean</a></nav></header>\
             <main><h1>{code} {reason}</h1><p class=\"error\">{message}</p>\
             <p><a href=\"/\">Back to the overview</a></p></main></body></html>\n",
            code = status.as_u16(),
            reason = status.canonical_reason().unwrap_or(""),
            message = html(&self.public_message()),
        );
        (
            status,
            [(axum::http::header::CONTENT_TYPE, "text/html; charset=utf-8")],
            body,
        )
            .into_response()
    }
}

/// The JSON API answers errors as `{"error": MESSAGE, "status": CODE}`.
#[derive(Debug)]
pub struct ApiError(pub WebError);

impl<E: Into<WebError>> From<E> for ApiError {
    fn from(error: E) -> Self {
        Self(error.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.0.log();
        let status = self.0.status();
        let body = serde_json::json!({
            "error": self.0.public_message(),
            "status": status.as_u16(),
        });
        (status, axum::Json(body)).into_response()
    }
}
