"""The territorial diagnostic on the web: its service, map and figures pages, consoles,
coverage and glossary, and their API."""
