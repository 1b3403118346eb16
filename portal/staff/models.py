"""The staff console has no tables of its own: the audit log it shows is portal.audit's."""
