"""The audit log viewer: administrators browse, filter and export the audit trail
(``lms.core.audit``); coordinators see the entries about their own organisations."""
