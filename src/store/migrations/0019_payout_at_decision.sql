-- 0019: the money follows the decision (#10's open points). Every decision
-- stored, by whatever path (the intake, a register event, a re-decision, a
-- case worker), enqueues in its own transaction the durable job
-- 'decision-payout' for its case: the job makes the agreement the decision
-- needs and the case's payout plan, so that the daily run only gathers what
-- is due. A trigger, so that no path that decides can forget it; enqueueing
-- is idempotent as store_job_enqueue() (a job queued or running is left, one
-- done or failed is armed again; the job itself sees a decision newer than
-- the one it planned and runs again).
CREATE TRIGGER decisions_payout_job AFTER INSERT ON decisions
BEGIN
	INSERT INTO jobs(kind, subject_id, state, run_after, created_at)
		VALUES ('decision-payout', NEW.case_id, 'ready', NEW.decided_at, NEW.decided_at)
		ON CONFLICT (kind, subject_id) DO UPDATE SET state = 'ready', attempts = 0,
			run_after = excluded.run_after, lease_until = 0, last_error = NULL
		WHERE state IN ('done', 'failed');
END;

-- The day the bank booked a payment on the person's account (camt.054's
-- BookgDt): a payment is sent on its run's day and on the account two or
-- three banking days later.
ALTER TABLE payout_payments ADD COLUMN booked_on TEXT;
