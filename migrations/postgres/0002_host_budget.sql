-- Each host's request budget, shared by every crawl process: SQLite's 0015, whose
-- comment says how it is used.
CREATE TABLE host_budget (
    host           TEXT PRIMARY KEY NOT NULL,
    tat_ms         BIGINT NOT NULL,
    not_before_ms  BIGINT NOT NULL DEFAULT 0
);
