//! What each software's Mastodon-compatible client API does differently, each rule
//! with the software's own source.

use crate::world::SimSoftware;

/// What each software's Mastodon-compatible client API does differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Flavour {
    Mastodon,
    /// Pleroma: the same routes, public (`pipe_through(:api)` in
    /// lib/pleroma/web/router.ex), no cap on `context`; quotes listed publicly at
    /// `/api/v1/pleroma/statuses/:id/quotes` and counted in `quotes_count`; a status's
    /// `url` is its `/notice/ID` page (lib/pleroma/web/mastodon_api/views/status_view.ex).
    Pleroma,
    /// Akkoma (BDX-town/Akkoma): Pleroma's routes without quotes (a status names what
    /// it quotes, `quote_id`, but nothing lists or counts a post's quotes).
    Akkoma,
    /// GoToSocial: every route wants a user's token (see [`Flavour::needs_token`]).
    Gotosocial,
    /// Friendica (friendica/friendica src/Module/Api/Mastodon/): reads are public (no
    /// `checkAllowedScope` in `Statuses`, `Statuses/Context`, `FavouritedBy`,
    /// `RebloggedBy`, `Accounts`, `Accounts/Statuses`), except `accounts/lookup`
    /// (403 without a token); `accounts/{nick@host}` finds an account instead. A status's
    /// `url` is its `/display/GUID` page; `context` serves `limit` (default 40) of each
    /// side; `favourited_by` and `reblogged_by` answer the whole list at once; nothing
    /// lists or counts quotes.
    Friendica,
    /// Pixelfed (pixelfed/pixelfed routes/api.php): every read behind `auth:api`, a
    /// user's token; `context` gives the direct parent and at most 20 direct replies
    /// (no deeper ones, no paging); `favourited_by`/`reblogged_by` page 10 at a time
    /// (at most 80), and only the post's author gets past the first page.
    Pixelfed,
}

impl Flavour {
    pub(super) fn of(software: SimSoftware) -> Self {
        match software {
            SimSoftware::Pleroma => Self::Pleroma,
            SimSoftware::Akkoma => Self::Akkoma,
            SimSoftware::Gotosocial => Self::Gotosocial,
            SimSoftware::Friendica => Self::Friendica,
            SimSoftware::Pixelfed => Self::Pixelfed,
            _ => Self::Mastodon,
        }
    }

    /// GoToSocial: "Using the client API requires authentication"
    /// (docs.gotosocial.org/en/v0.20.1/api/authentication); each handler starts with
    /// `oauth.Authed(c, true, true, true, true)` or `apiutil.TokenAuth(c, true, true,
    /// true, true, ...)` and answers 401 without a user's token
    /// (superseriousbusiness/gotosocial internal/api/client/statuses/statusget.go,
    /// statuscontext.go, statusfavedby.go, statusboostedby.go,
    /// internal/api/client/accounts/lookup.go and statuses.go).
    pub(super) fn needs_token(self) -> bool {
        matches!(self, Self::Gotosocial | Self::Pixelfed)
    }

    /// Whether a post's quotes are listed and counted (`quotes_count`): Mastodon (4.5)
    /// lists them to the author's token at `/api/v1/statuses/:id/quotes`, Pleroma to
    /// anyone at `/api/v1/pleroma/statuses/:id/quotes` (`OAuthScopesPlug ... fallback:
    /// :proceed_unauthenticated` on `quotes` in its status controller). GoToSocial's
    /// `internal/api/client/statuses/` has no quotes handler and its `model.Status` no
    /// `quotes_count`; Akkoma has neither.
    pub(super) fn quotes(self) -> bool {
        matches!(self, Self::Mastodon | Self::Pleroma)
    }

    /// Mastodon caps `context` for a caller without a token
    /// (app/controllers/api/v1/statuses_controller.rb, `CONTEXT_LIMIT` and
    /// `DESCENDANTS_LIMIT`/`DESCENDANTS_DEPTH_LIMIT`); the others serve the thread.
    pub(super) fn caps_context(self) -> bool {
        self == Self::Mastodon
    }

    /// `limit` of `accounts/:id/statuses`: default and maximum (GoToSocial's handler
    /// in internal/api/client/accounts/statuses.go defaults to 30).
    pub(super) fn statuses_limit(self) -> (usize, usize) {
        match self {
            Self::Gotosocial => (30, 40),
            _ => (20, 40),
        }
    }
}
