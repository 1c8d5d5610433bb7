"""LTI 1.3: this LMS as a tool that another platform (Moodle, Canvas, a regional LMS) launches.

Registrations of platforms, the OIDC login and launch, Deep Linking (the platform's teacher
picks a course or module) and Assignment and Grade Services (scores and completion go back
to the platform's grade book through an outbox). See docs/lti.md.
"""
