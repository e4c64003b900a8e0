#![doc = include_str!("../README.md")]

mod actions;
mod api;
mod audience;
mod charts;
mod compared;
mod dashboards;
mod downloads;
mod draw;
mod empty;
mod error;
mod escape;
mod etag;
mod figures;
mod instance_actor;
mod ops;
mod pages;
mod panels;
mod router;
mod security;
mod state;
mod tables;
mod view;

/// The report kinds with a JSON route under `/api/v1/brands/{name}/`.
pub fn api_report_kinds() -> &'static [&'static str] {
    &api::BRAND_KINDS
}

pub use charts::brand_chart;
pub use dashboards::{ChartName, DashboardError, Dashboards, Metric, Panel, TableName};
pub use error::{ApiError, WebError};
pub use figures::{BrandFigures, KeyFigure, KeyFigures};
pub use instance_actor::{InstanceActor, instance_actor_router};
pub use ops::{CrawlSample, Metrics};
pub use router::router;
pub use security::CONTENT_SECURITY_POLICY;
pub use state::{AppState, ConfiguredRule, TokenEnvPolicy, WebConfig};
pub use tables::segment;
pub use view::{View, ViewLabels};
