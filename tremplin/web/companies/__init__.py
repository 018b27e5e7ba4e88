"""Pages and API of companies (declared needs, offers, candidates)."""
