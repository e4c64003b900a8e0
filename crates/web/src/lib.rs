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
mod reports;
mod router;
mod security;
mod state;
mod tables;
mod view;

pub use charts::brand_chart;
pub use dashboards::{ChartName, DashboardError, Dashboards, Metric, Panel, TableName};
pub use error::{ApiError, WebError};
pub use figures::{BrandFigures, KeyFigure, KeyFigures};
pub use instance_actor::{InstanceActor, instance_actor_router};
pub use ops::{CrawlSample, Metrics};
pub use reports::BrandReport;
pub use router::router;
pub use security::CONTENT_SECURITY_POLICY;
pub use state::{AppState, ConfiguredRule, TokenEnvPolicy, WebConfig};
pub use tables::segment;
pub use view::{View, ViewLabels};
