"""The encrypted store: the only package that knows SQL and table names."""
