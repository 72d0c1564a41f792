"""Audit log: who changed what, when, with old and new values of the fields that matter.

The log is written by `operations.record` (and the session hook `install`), below every feature; the city
office reads it on the admin pages (`market/admin/views.py`, /admin/audit/)."""
