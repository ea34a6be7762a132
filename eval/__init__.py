"""Gold sets and scoring: extraction, search and consistency, measured outside the unit tests."""
