-- The scheduler: one job per scheduled time across every `serve` process sharing the
-- database (the first to queue it wins, the others' inserts are ignored), and which
-- process ran a job, so a job left running by a dead process can be queued again.
ALTER TABLE crawl_jobs ADD COLUMN scheduled_for INTEGER;
ALTER TABLE crawl_jobs ADD COLUMN holder TEXT;
CREATE UNIQUE INDEX crawl_jobs_scheduled_for ON crawl_jobs(scheduled_for)
    WHERE scheduled_for IS NOT NULL;
