"""Users, roles and scopes, the policy that says who may do what, sessions, and personal data.

- :mod:`.passwords`: argon2id hashes, tuned so one check costs 20–100 ms;
- :mod:`.accounts`: the accounts (e-mail, role, scope), created, listed, deactivated;
- :mod:`.sessions`: web sessions, API tokens and one-time reset links;
- :mod:`.lockout`: repeated wrong passwords, per account and per address, refused for a while;
- :mod:`.policy`: role × action × scope, read from ``policy.toml``;
- :mod:`.personal_data`: a person's export, deletion, and the anonymisation of inactive accounts.

Every write goes through :func:`tremplin.store.audit.record`.
"""
