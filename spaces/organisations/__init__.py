"""Organisations (municipalities, landlords, coworkings, employers), members and invitations."""
