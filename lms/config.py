"""Default configuration. Every key starts with ``LMS_``.

Order of precedence (last wins): these defaults, ``<instance>/lms.cfg`` (a Python file), then
``LMS_*`` environment variables. Environment values are parsed as JSON when they look like
JSON (``true``, ``5``, ``["a"]``) and kept as strings otherwise.
"""

#: SQLAlchemy URL. Empty means SQLite in the instance folder (``lms.sqlite3``).
LMS_DATABASE_URL = ""

#: Demo data: "auto" seeds a demo only into the default SQLite database of a new instance;
#: "yes" always seeds into an empty database; "no" never does. An operator who sets
#: LMS_DATABASE_URL gets no demo unless they ask for it with "yes".
LMS_DEMO = "auto"

#: Folders with course and question-bank YAML, relative to the current directory.
LMS_COURSES_PATH = "courses"
LMS_QUIZZES_PATH = "quizzes"
LMS_CERTIFICATES_PATH = "certificates"

#: User-interface languages; the first one is the default.
LMS_LANGUAGES = ["nl", "fr", "de", "en"]

#: Login attempts allowed per client address (Flask-Limiter syntax).
LMS_LOGIN_RATE_LIMIT = "10 per minute"
#: Where Flask-Limiter keeps its counters: "memory://" or a "redis://..." URL.
LMS_RATELIMIT_STORAGE_URI = "memory://"

#: Minimum password length accepted for new passwords.
LMS_PASSWORD_MIN_LENGTH = 10

#: Mail: "file" writes each message as an .eml file into <instance>/mail; "smtp" sends it.
LMS_MAIL_BACKEND = "file"
LMS_MAIL_SENDER = "Connectoo LMS <no-reply@localhost>"
LMS_MAIL_SMTP_HOST = "127.0.0.1"
LMS_MAIL_SMTP_PORT = 25
LMS_MAIL_SMTP_USERNAME = ""
LMS_MAIL_SMTP_PASSWORD = ""
LMS_MAIL_SMTP_STARTTLS = False
LMS_MAIL_SMTP_TIMEOUT = 10
#: A message that failed this many times is no longer tried (it stays in the outbox).
LMS_MAIL_MAX_ATTEMPTS = 5

#: Public base URL, used in e-mails (links) when there is no request.
LMS_BASE_URL = "http://127.0.0.1:5000"

#: Send the security headers (CSP and friends) on every response of the app, not only on the
#: LMS's own pages. The standalone app sets this; a host app decides for itself.
LMS_SECURITY_HEADERS_EVERYWHERE = False

#: Behind a reverse proxy: take the client address and scheme from X-Forwarded-* headers.
LMS_TRUST_PROXY = False
