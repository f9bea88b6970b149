"""People: accounts, log-in, password reset, API tokens."""
