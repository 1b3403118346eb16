"""The audit log: one row per staff action, whichever door it came through (portal.audit.log)."""
