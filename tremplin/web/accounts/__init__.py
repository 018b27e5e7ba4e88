"""Accounts on the web: logging in and out, « mon compte » (export, deletion), reset links, the
API's sessions, and the administrators' audit log."""
