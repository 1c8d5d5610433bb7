"""Open Badges 3.0: each certificate as a signed ``OpenBadgeCredential`` (VC-JWT), baked into
a PNG if wanted, and a page where anyone can check one."""
