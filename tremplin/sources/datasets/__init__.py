"""One module per family of official files, each declaring its datasets as data."""
