"""The home page, the « Sources de données » page and the sources' API."""
