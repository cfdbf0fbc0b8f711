"""Integrations with other systems, in their own terms: the Greenhouse Assessment Partner API."""
