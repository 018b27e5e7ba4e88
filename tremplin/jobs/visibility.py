"""Who may read a job, and which jobs a list shows: the rule the access policy wires in.

Today there are no accounts: a visitor's jobs have no owner, and such a job is read by whoever
knows its id (128 random bits, see :func:`~tremplin.jobs.records.new_id`), as one reads a
document from an unguessable link. A list never shows other people's ids: it shows the jobs
of the account asking, and the jobs whose ids the visitor already holds (the web keeps them in
a cookie of the browser that asked). Once accounts exist, a job has its account as owner; the
policy decides, through ``may_read``, which other roles read it (``allowed_by_policy``).
"""

from __future__ import annotations

from collections.abc import Callable

from tremplin.jobs.records import Job

__all__ = ["ANONYMOUS", "Viewer", "may_read"]


class Viewer:
    """Who is asking: an account id (None: an anonymous visitor), and what the policy lets
    them read beyond their own jobs (default: nothing)."""

    def __init__(
        self, account: str | None = None, allowed_by_policy: Callable[[Job], bool] | None = None
    ) -> None:
        self.account = account
        self._allowed = allowed_by_policy

    def __repr__(self) -> str:
        return f"Viewer({self.account!r})"

    def owns(self, job: Job) -> bool:
        return self.account is not None and job.owner == self.account

    def allowed(self, job: Job) -> bool:
        return self._allowed is not None and self._allowed(job)


ANONYMOUS = Viewer()


def may_read(job: Job, viewer: Viewer) -> bool:
    """Whether ``viewer``, who holds the job's id, may read ``job``: a job without owner by
    anyone holding its id; an owned one by its owner and whom the policy allows."""
    if job.owner is None:
        return True
    return viewer.owns(job) or viewer.allowed(job)
