-- Journeys (issue 15): a definition, who entered it (enrolments) and what each step did for each
-- of them (step executions). The runner (runner.ts) claims due enrolments FOR UPDATE SKIP LOCKED;
-- a step's effect and its execution row commit in one transaction, and the execution's primary key
-- (enrolment, step) makes a step take effect once per enrolment whatever crashes or retries.
CREATE TABLE journeys (
  id              text PRIMARY KEY,
  name            text NOT NULL,
  definition      jsonb NOT NULL,
  state           text NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'active', 'paused', 'archived')),
  holdout_percent integer NOT NULL DEFAULT 0 CHECK (holdout_percent BETWEEN 0 AND 100),
  reentry         boolean NOT NULL DEFAULT false,
  version         integer NOT NULL DEFAULT 1,
  -- triggers' progress: events and segment entries read up to here; the last inactivity scan; a broadcast sent
  cursor_at       timestamptz,
  scanned_at      timestamptz,
  activated_at    timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE journey_enrolments (
  id            text PRIMARY KEY,
  journey_id    text NOT NULL REFERENCES journeys (id),
  customer_id   text NOT NULL,
  -- what made them enter (an event id, an inactive spell, a segment entry, ...): once per journey
  trigger_key   text NOT NULL,
  trigger       jsonb NOT NULL DEFAULT '{}',
  entered_at    timestamptz NOT NULL,
  holdout       boolean NOT NULL,
  variant       text,
  state         text NOT NULL CHECK (state IN ('active', 'completed', 'exited')),
  exit_reason   text,
  -- the step to run next (null once finished) and when
  position      text,
  next_run_at   timestamptz,
  -- the coupon the journey issued last (send_message's {{coupon}})
  coupon_code   text,
  updated_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (journey_id, trigger_key)
);
CREATE INDEX journey_enrolments_due ON journey_enrolments (next_run_at) WHERE state = 'active';
CREATE INDEX journey_enrolments_customer ON journey_enrolments (customer_id);
CREATE INDEX journey_enrolments_journey ON journey_enrolments (journey_id, customer_id);

CREATE TABLE journey_step_executions (
  enrolment_id text NOT NULL REFERENCES journey_enrolments (id),
  step_id      text NOT NULL,
  journey_id   text NOT NULL,
  outcome      text NOT NULL CHECK (outcome IN ('done', 'suppressed')),
  reason       text,
  -- what it made: a coupon code, a message id, a variant, a branch taken
  result       text,
  executed_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (enrolment_id, step_id)
);
CREATE INDEX journey_step_executions_journey ON journey_step_executions (journey_id, step_id);
