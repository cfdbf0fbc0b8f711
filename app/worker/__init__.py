"""The worker: delivers the outbox (e-mails, webhooks, partner callbacks) at least once, with
retries, and runs the periodic jobs (expiry, and what later issues add to periodic.py).

  schedule.py  backoff and when to give up (pure)
  store.py     claiming due messages under a lease; recording each attempt
  drain.py     claim, deliver concurrently on a thread pool, record
  periodic.py  the periodic jobs, one list for every place the worker runs
  wake.py      waking the worker after a commit that wrote a message
  inline.py    the loop without a job engine (SQLite: in the server, or `stagefit worker`)
  queue.py     the same on PostgreSQL, run by procrastinate; schema.py its tables
  runtime.py   which of these a process runs, from the settings
"""
