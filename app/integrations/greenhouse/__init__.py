"""The Greenhouse Assessment Partner API under /integrations/greenhouse/."""
