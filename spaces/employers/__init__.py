"""Employers paying for their staff's bookings: budgets, policies, statements, the monthly mail."""
