"""Documents a planner takes away: exports (CSV, XLSX) and the labels and formats of figures,
shared by the web pages and the command line."""
