"""Use cases: plain functions with keyword-only arguments, one transaction per caller."""
