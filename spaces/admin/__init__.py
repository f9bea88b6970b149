"""Site administration: moderating accounts (and, later, listings)."""
