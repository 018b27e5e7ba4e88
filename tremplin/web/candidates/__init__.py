"""The candidates' pages and API: sign-up, profile with consent, offers for me, applications."""
