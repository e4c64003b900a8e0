use thiserror::Error;

/// What can go wrong when turning a user's or a server's text into a core type.
#[derive(Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum CoreError {
    /// The text is not an actor reference in any accepted form.
    #[error(
        "`{input}` is not an actor: {reason}. Accepted forms: @user@domain, user@domain, \
         or an https:// actor URL (http:// only where the config sets network.allow_http)"
    )]
    ActorRef { input: String, reason: String },
    /// The text is not a valid host name.
    #[error("`{input}` is not a host name: {reason}. Give a domain such as mastodon.social")]
    Host { input: String, reason: String },
    /// The text is not a crawl window.
    #[error(
        "`{input}` is not a window: {reason}. Use `all`, a duration such as 90d or 12h, \
         or a date YYYY-MM-DD"
    )]
    Since { input: String, reason: String },
}
