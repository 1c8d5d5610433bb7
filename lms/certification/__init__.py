"""Certificates: issued once on course completion, signed, rendered to PDF, publicly verifiable.

Rooms: ``models`` (the immutable record, its PDF, the public signing keys), ``codes``
(verification codes), ``signing`` (Ed25519 keys in the instance folder, signatures),
``summary`` (what the certificate says about the learner's results, from the completion
engine), ``rendering`` (HTML template -> PDF with WeasyPrint, QR code with segno),
``services`` (issue, revoke, re-issue), ``documents`` (the PDF, rendered once and stored),
``queries``, ``listeners`` (``course_completed``), ``views``, ``cli`` (``lms certificates``).
"""
