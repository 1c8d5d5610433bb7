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

#: FAILED login attempts allowed per client address (Flask-Limiter syntax). Successful logins
#: are not counted: a whole team may sign in from one address (one counter, one proxy).
LMS_LOGIN_RATE_LIMIT = "30 per minute"
#: FAILED login attempts allowed per login name (as typed, whatever the address).
LMS_LOGIN_ACCOUNT_RATE_LIMIT = "5 per minute"
#: Per-account back-off (slowing down, never a long lock-out): after this many failed sign-ins
#: for one login name (as typed, whether the account exists or not)...
LMS_LOGIN_BACKOFF_AFTER = 5
#: ...each further attempt for that name waits this many seconds, doubled at every further
#: failure...
LMS_LOGIN_BACKOFF_SECONDS = 15
#: ...and never longer than this (15 minutes). A sign-in or a new password clears it.
LMS_LOGIN_BACKOFF_MAX_SECONDS = 900
#: Failures older than this many minutes (counted from the last failure) are forgotten.
LMS_LOGIN_BACKOFF_WINDOW_MINUTES = 60
#: "Remember me" on the login page keeps a person signed in on that browser for this many days
#: (a password change, a reset or logging out ends it sooner). 0 hides the choice.
LMS_REMEMBER_DAYS = 14
#: Single sign-on (OpenID Connect): the identity providers organisations may use, by key.
#: Each: {"label", "issuer", "client_id", "client_secret" or "client_secret_env" (the name of
#: an environment variable holding it), optional "discovery_url", "scope", "email_claim",
#: "trust_email"}. See docs/operations.md. Secrets belong in instance/lms.cfg or the
#: environment, never in the database or the repository.
LMS_SSO_PROVIDERS: dict[str, dict] = {}
#: Where Flask-Limiter keeps its counters: "memory://" or a "redis://..." URL.
LMS_RATELIMIT_STORAGE_URI = "memory://"

#: Werkzeug hashing method for passwords ("scrypt" uses its default, strong cost).
LMS_PASSWORD_HASH_METHOD = "scrypt"

#: Minimum password length accepted for new passwords.
LMS_PASSWORD_MIN_LENGTH = 10

#: How long a "forgot password" link works, in hours.
LMS_RESET_TOKEN_HOURS = 1
#: At most one password-reset e-mail per account per this many minutes.
LMS_RESET_MAIL_INTERVAL_MINUTES = 5
#: Password-reset requests allowed per client address (Flask-Limiter syntax; every request
#: counts, whether the account exists or not).
LMS_RESET_RATE_LIMIT = "10 per minute;50 per hour"
#: How long an invitation link works, in days.
LMS_INVITATION_DAYS = 14

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
#: Messages a mail worker claims at a time (several workers share the outbox).
LMS_MAIL_BATCH_SIZE = 20

#: How long a worker's claim on work lasts (seconds; renewed while it works): the mail
#: worker's claimed messages, the xAPI worker's endpoint. Work of a worker that died is
#: taken over by another one after this long. Must exceed the longest single step (an SMTP
#: send; an LRS request, LMS_XAPI_TIMEOUT, for each statement of a refused batch).
LMS_WORKER_LEASE_SECONDS = 300

#: /readyz answers 503 ("not ready") from this many unsent e-mails, or statements not yet
#: delivered to the slowest LRS endpoint: a worker is probably not running.
LMS_READY_MAIL_BACKLOG = 1000
LMS_READY_XAPI_BACKLOG = 50000

#: Public base URL, used in e-mails (links) when there is no request.
LMS_BASE_URL = "http://127.0.0.1:5000"

#: Send the security headers (CSP and friends) on every response of the app, not only on the
#: LMS's own pages. The standalone app sets this; a host app decides for itself.
LMS_SECURITY_HEADERS_EVERYWHERE = False

#: Mark the session cookie ``Secure`` (sent over HTTPS only): true, false, or "auto": on,
#: unless the app runs in debug or testing mode or LMS_BASE_URL is a local http:// address
#: (127.0.0.1, localhost). Cookies are also SameSite=Lax and HttpOnly. In a host app these
#: only fill cookie settings the host left at Flask's defaults.
LMS_SECURE_COOKIES = "auto"

#: Web worker processes `lms serve` starts (gunicorn), and that `lms check` judges the set-up
#: by (SQLite or in-memory rate limits under several workers).
LMS_WORKERS = 4
#: Address `lms serve` listens on (the TLS reverse proxy forwards to it).
LMS_BIND = "127.0.0.1:8000"

#: "json": one JSON line per request on standard error (request id, method, path template,
#: status, duration, user id); "" (default): no request log of the LMS's own.
LMS_LOG_FORMAT = ""

#: Behind a reverse proxy: take the client address and scheme from X-Forwarded-* headers.
LMS_TRUST_PROXY = False

# xAPI ----------------------------------------------------------------------------------------
# Statements are written to an outbox in the database and sent by `lms xapi deliver`.

#: Base IRI of this LMS in xAPI: the actor's account homePage and the root of every activity
#: id (``<base>/xapi/activities/course/<slug>/...``). Keep it stable: changing it changes every
#: activity id the LRS knows.
LMS_XAPI_BASE_IRI = "http://127.0.0.1:5000"
#: ``context.platform`` of every statement.
LMS_XAPI_PLATFORM = "Connectoo LMS"
#: LRS endpoints, each {"name", "url" (the xAPI endpoint, e.g. "https://lrs.example/xAPI/"),
#: "username", "password"}. Each keeps its own cursor. Empty: statements stay in the database
#: (see `lms xapi export`).
LMS_LRS_ENDPOINTS: list[dict[str, str]] = []
#: Seconds to wait for a connection, and for an answer, on every request to an LRS.
LMS_XAPI_CONNECT_TIMEOUT = 5.0
LMS_XAPI_TIMEOUT = 20.0
#: Statements per POST.
LMS_XAPI_BATCH_SIZE = 200
#: Back-off after a failed round: BASE * 2**(failures-1) seconds, at most MAX.
LMS_XAPI_BACKOFF_BASE = 2.0
LMS_XAPI_BACKOFF_MAX = 600.0
#: A statement an LRS rejected this many times becomes a dead letter (`lms xapi failed`).
LMS_XAPI_MAX_ATTEMPTS = 5
#: Seconds between rounds of `lms xapi deliver` when there is nothing to send.
LMS_XAPI_POLL_INTERVAL = 5.0

# Forums and live sessions --------------------------------------------------------------------

#: Minutes during which authors may still change their own forum post.
LMS_FORUM_EDIT_MINUTES = 30
#: Threads per page of a forum, posts per page of a thread.
LMS_FORUM_THREADS_PER_PAGE = 20
LMS_FORUM_POSTS_PER_PAGE = 30
#: Time zone in which session dates are entered, shown and put in invitations (stored UTC).
LMS_TIMEZONE = "Europe/Brussels"

# Tests (assessment) ----------------------------------------------------------------------------

#: Seconds after a test's deadline during which answers are still accepted (a page sent just
#: before the end, a slow connection). Answers saved later are not counted.
LMS_TEST_GRACE_SECONDS = 30
#: Seconds before the deadline at which the timer warns (and announces it to screen readers).
LMS_TEST_WARNING_SECONDS = 120

# Monitoring ----------------------------------------------------------------------------------

#: A mandatory course not yet done is "due soon" from this many days before its due day.
LMS_DUE_SOON_DAYS = 30
#: "At risk" on the dashboard: due soon and below this percentage.
LMS_AT_RISK_BELOW_PERCENT = 75
#: Rows per page of the people table.
LMS_REPORT_PAGE_SIZE = 50
#: The programme's targets per course (id): people certified by a date, and optionally the
#: day the programme started ("from"; default: the month of the first certificate). The
#: national overview draws the progress against a straight line from the start to the target.
LMS_TARGETS: dict[str, dict] = {
    "connectoo": {"certified": 10000, "by": "2027-06-30"},
    "connectoo-plus": {"certified": 1000, "by": "2027-06-30"},
}

# Labels for counters (`lms labels update`, daily) ---------------------------------------------
#: The course whose certificates earn a counter (a department) its label.
LMS_LABEL_COURSE = "connectoo"
#: The share of a department's active staff that must hold a valid certificate (0 to 1).
LMS_LABEL_THRESHOLD = 0.8
#: The fewest staff a department must have to earn the label.
LMS_LABEL_MINIMUM_STAFF = 3
#: Days between the warning to the coordinators and the withdrawal of the label.
LMS_LABEL_GRACE_DAYS = 60
#: Look-ups on the public label verification page per client address.
LMS_LABEL_VERIFY_RATE_LIMIT = "30 per minute"

# Reminders and learning plans ------------------------------------------------------------------

#: Automatic reminders this many days before the due day (`lms reminders send`, daily).
LMS_REMINDER_DAYS_BEFORE = [14, 3]
#: While a course is overdue, a reminder the day after the due day and then every this many
#: days (0: only that one).
LMS_REMINDER_OVERDUE_EVERY_DAYS = 7
#: `lms plans nudge` (hourly) mails a person from this many minutes before a planned
#: learning time, and not later than this many hours after it.
LMS_PLAN_NUDGE_BEFORE_MINUTES = 60
LMS_PLAN_NUDGE_LATE_HOURS = 3
#: The plan-prompt experiment: the comparison says "too small to tell" while either group
#: has fewer people than this.
LMS_PLAN_EXPERIMENT_MIN_GROUP = 30
#: Seed of the experiment's random draws (None: unpredictable; tests set a number).
LMS_PLAN_EXPERIMENT_SEED = None

# Certificates --------------------------------------------------------------------------------
# Issued on course completion, signed with an Ed25519 key generated into
# <instance>/certificate-keys/ on first use; the QR code points at LMS_BASE_URL.

#: The issuing organisation, printed on every certificate and signed with it.
LMS_CERTIFICATE_ISSUER = "Connectoo"
#: Look-ups on the public verification page per client address (Flask-Limiter syntax).
LMS_CERTIFICATE_VERIFY_RATE_LIMIT = "30 per minute"
#: Font files by role ("sans", "sans-bold", "serif", "serif-bold"); empty: DejaVu from
#: Debian's fonts-dejavu-core (found with fc-match).
LMS_CERTIFICATE_FONTS: dict[str, str] = {}
#: Time zone of the dates printed on certificates.
LMS_CERTIFICATE_TIMEZONE = "Europe/Brussels"

# Open Badges 3.0 ------------------------------------------------------------------------------
# Every certificate is also an OpenBadgeCredential (VC-JWT signed with the certificate key).

#: Checks of uploaded credentials on /badges/verify per client address (Flask-Limiter syntax).
LMS_BADGE_VERIFY_RATE_LIMIT = "20 per minute"
#: Largest upload the badge check reads (a baked badge is about 25 kB).
LMS_BADGE_MAX_UPLOAD_KB = 1024

# Privacy and backups --------------------------------------------------------------------------

#: Accounts without a sign-in or any learning activity for this many days are listed for
#: review (Administration > Inactive accounts) and erased by `lms users purge-inactive --yes`
#: (nothing is erased without an administrator or that command). Two years by default: the
#: data-protection officer sets the period the municipality's register of processing names.
#: 0: no retention period (nothing is listed). At least 30 when set.
LMS_RETENTION_INACTIVE_DAYS = 730
#: SQLite: after an erasure, rewrite the database file (VACUUM) and empty the write-ahead
#: log, so that no old page keeps the erased person's data (deleted rows are also zeroed:
#: secure_delete). Only a huge database where a VACUUM takes too long turns this off, and
#: then runs `sqlite3 lms.sqlite3 VACUUM` itself soon after.
LMS_ERASURE_VACUUM = True
#: Entries per page of the audit log viewer.
LMS_AUDIT_PAGE_SIZE = 50

#: The resource databank (lms/databank): may visitors who are not signed in search and read it?
#: Favourites, lists and proposals always need an account.
LMS_DATABANK_PUBLIC = True
#: The largest file a proposal may upload, in megabytes.
LMS_DATABANK_MAX_UPLOAD_MB = 10
#: Proposals one person may send (Flask-Limiter syntax); beyond it, the "too many" page.
LMS_DATABANK_PROPOSAL_RATE_LIMIT = "20 per hour"

# LTI 1.3 (lms/lti: this LMS as a tool launched from Moodle, Canvas...; docs/lti.md) -------------

#: Seconds to wait for a platform (its key set, its token and score endpoints).
LMS_LTI_HTTP_TIMEOUT = 5
#: How long a platform's key set is kept before it is fetched again (an unknown key id
#: fetches it at once).
LMS_LTI_KEY_SET_CACHE_SECONDS = 300
#: An id_token issued longer ago than this is refused (used nonces are kept a day).
LMS_LTI_MAX_TOKEN_AGE_SECONDS = 600
#: How long a login started by a platform may take before its launch arrives.
LMS_LTI_STATE_SECONDS = 600
#: Scores posted per round of `lms lti send-scores`, tries before one is given up, and the
#: first wait after a failure (doubled after each one, at most six hours).
LMS_LTI_BATCH_SIZE = 50
LMS_LTI_MAX_ATTEMPTS = 12
LMS_LTI_RETRY_SECONDS = 30
