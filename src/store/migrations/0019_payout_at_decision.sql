-- 0019: the money follows the decision (#10's open points). Every decision
-- stored, by whatever path (the intake, a register event, a re-decision, a
-- case worker), enqueues in its own transaction the durable job
-- 'decision-payout' for its case: the job makes the agreement the decision
-- needs and the case's payout plan, so that the daily run only gathers what
-- is due. A trigger, so that no path that decides can forget it; enqueueing
-- is idempotent as store_job_enqueue() (a job queued or running is left, one
-- done or failed is armed again; the job itself sees a decision newer than
-- the one it planned and runs again).
--
-- A batch intake decides by the hundred thousand, and each of these jobs
-- draws a PDF: they are background jobs, which the runner claims only when
-- no other job is due, so that a letter, a notice or a re-decision is not
-- queued behind them.
ALTER TABLE jobs ADD COLUMN background INTEGER NOT NULL DEFAULT 0 CHECK (background IN (0, 1));

CREATE TRIGGER decisions_payout_job AFTER INSERT ON decisions
BEGIN
	INSERT INTO jobs(kind, subject_id, state, run_after, created_at, background)
		VALUES ('decision-payout', NEW.case_id, 'ready', NEW.decided_at, NEW.decided_at, 1)
		ON CONFLICT (kind, subject_id) DO UPDATE SET state = 'ready', attempts = 0,
			run_after = excluded.run_after, lease_until = 0, last_error = NULL
		WHERE state IN ('done', 'failed');
END;

-- The day the bank booked a payment on the person's account (camt.054's
-- BookgDt): a payment is sent on its run's day and on the account two or
-- three banking days later.
ALTER TABLE payout_payments ADD COLUMN booked_on TEXT;
