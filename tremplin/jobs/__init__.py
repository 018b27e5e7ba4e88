"""Durable background work: jobs are rows of the store, run by a queue.

A job (a simulation, later an optimiser run) is written in the store's ``jobs`` table when it is
asked for (:mod:`~tremplin.jobs.records`), with its owner, its parameters as JSON and its state
(« en_attente », « en_cours », « terminee », « echec », « annulee »); whoever runs it
(:mod:`~tremplin.jobs.runner`) writes its progress, then its result as JSON or its error in
French. So a job outlives the process that queued it, and any process on the same store reads
it. Who runs it depends on the store (:mod:`~tremplin.jobs.queue`):

- on SQLite, a bounded pool of threads in the web process (:mod:`~tremplin.jobs.local_pool`),
  which picks up again at start the jobs a stopped process left queued or running;
- on PostgreSQL, ``procrastinate`` workers (``tremplin worker``, as many as wanted, on any
  machine that reaches the database; :mod:`~tremplin.jobs.procrastinate_queue`): a job queued
  when every worker is stopped stays in procrastinate's queue until one starts.

Who may read a job is :mod:`~tremplin.jobs.visibility`.
"""
