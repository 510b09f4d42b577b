"""The raw data contract: every raw landing table, its columns, keys and rules.

This module is the single source of truth for the shape of `raw.*`. The generator
writes it, the loader validates against it, the dbt sources describe it (a test
checks the sources yml agrees with this file) and staging reads it.

Conventions
- Timestamps are UTC, stored as naive TIMESTAMP (`*_at`).
- Nested lists travel as JSON text (as an app sends them) in every file format;
  staging flattens them.
- `received_at` is when the collector received the event. Late events have a
  `received_at` days after `occurred_at`; it is the watermark for incremental runs.
- Enum values are validated after `lower(trim(value))`; staging normalizes the same way.
- Personal data (`pii` columns: e-mail, phone) may arrive in files but is never stored in
  the warehouse: the loader keeps it in a private file (behavior.pseudonymize) and
  stores the table's `derived` columns in its place (`contact_key`, `has_phone`). So a
  table has the columns a file carries (`columns`, validated by the loader) and the
  columns stored in `raw.*` (`stored_columns`, what dbt reads and the sample seeds hold).
"""

from __future__ import annotations

from dataclasses import dataclass, field

PLATFORMS = ("android", "ios", "web")
ACQUISITION_CHANNELS = (
    "organic",
    "paid_search",
    "paid_social",
    "referral",
    "email",
    "app_store",
)
COURSE_CATEGORIES = ("programming", "data", "design", "business", "language", "math")
DIFFICULTY_LEVELS = ("beginner", "intermediate", "advanced")
CURRENCIES = ("USD", "EUR", "GBP", "INR")
INTERACTION_EVENT_TYPES = (
    "course_click",
    "wishlist_add",
    "wishlist_remove",
    "cart_add",
    "cart_remove",
    "purchase_attempt",
    "module_start",
    "module_complete",
    "progress_update",
)
PURCHASE_EVENT_TYPES = ("cart_add", "purchase_attempt", "transaction_completed", "refund")
PAYMENT_METHODS = ("card", "paypal", "upi", "apple_pay", "google_pay", "wallet")
PAYMENT_STATUSES = ("pending", "succeeded", "failed", "refunded")
FAILURE_REASONS = (
    "card_declined",
    "insufficient_funds",
    "network_error",
    "authentication_failed",
    "timeout",
    "fraud_suspected",
)
FEATURES = (
    "lessons",
    "quiz",
    "search",
    "wishlist",
    "cart",
    "downloads",
    "discussion",
    "notes",
    "leaderboard",
    "certificates",
)
SCREENS = (
    "home",
    "catalog",
    "search",
    "course_detail",
    "lesson",
    "quiz",
    "cart",
    "checkout",
    "profile",
    "settings",
)
QUIZ_OPTIONS = ("a", "b", "c", "d")


@dataclass(frozen=True)
class Column:
    """One raw column. `type` is a DuckDB type; `nested` names a JSON list shape."""

    name: str
    type: str
    description: str
    required: bool = False
    enum: tuple[str, ...] | None = None
    min_value: float | None = None
    max_value: float | None = None
    nested: str | None = None  # "strings", "navigation" or "responses"
    pii: bool = False
    # Stored columns the loader derives from a personal-data file column: (file column,
    # how): "contact_key" (HMAC-SHA256 under the secret) or "has_digit".
    derived_from: tuple[str, str] | None = None


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    is_event: bool = True
    # Columns that must be ordered: (earlier, later), later may be null. Not an event
    # time against received_at: a device clock ahead of the collector is allowed up
    # to the clock-skew bound (Bounds), then kept and counted by the warehouse.
    ordered: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    # Foreign keys checked by dbt relationships tests in staging: column -> table.
    references: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    # Stored in place of the pii columns (each right after the column it derives from).
    derived: tuple[Column, ...] = field(default_factory=tuple)

    @property
    def column_names(self) -> list[str]:
        """The columns a file carries (the loader validates these)."""
        return [c.name for c in self.columns]

    @property
    def stored_columns(self) -> tuple[Column, ...]:
        """The columns of raw.<table>: file columns, pii ones replaced by `derived`."""
        stored: list[Column] = []
        for column in self.columns:
            if not column.pii:
                stored.append(column)
            stored.extend(d for d in self.derived if d.derived_from[0] == column.name)  # type: ignore[index]
        return tuple(stored)

    @property
    def pii_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.pii)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _received() -> Column:
    return Column(
        "received_at",
        "TIMESTAMP",
        "When the event collector received the row (UTC); later than the event "
        "time for late-arriving events. Watermark for incremental runs.",
        required=True,
    )


def _platform(required: bool = True) -> Column:
    return Column(
        "platform",
        "VARCHAR",
        "Client platform the event came from.",
        required=required,
        enum=PLATFORMS,
    )


USERS = Table(
    name="users",
    description=(
        "One row per version of a user record (user_id, updated_at): the app "
        "exports a new version when the profile, install state or last-seen time "
        "changes. The latest version is the user's current state; older versions "
        "keep the install / uninstall history."
    ),
    key=("user_id", "updated_at"),
    is_event=False,
    ordered=(("signed_up_at", "updated_at"),),
    columns=(
        Column("user_id", "VARCHAR", "Stable user identifier.", required=True),
        Column(
            "updated_at",
            "TIMESTAMP",
            "When this version of the user record was written (UTC).",
            required=True,
        ),
        Column("signed_up_at", "TIMESTAMP", "Account creation time (UTC).", required=True),
        Column("email", "VARCHAR", "E-mail address. Personal data.", pii=True),
        Column("phone", "VARCHAR", "Phone number. Personal data.", pii=True),
        Column("country_code", "VARCHAR", "ISO 3166-1 alpha-2 country of sign-up."),
        Column(
            "acquisition_channel",
            "VARCHAR",
            "Marketing channel that brought the user.",
            required=True,
            enum=ACQUISITION_CHANNELS,
        ),
        _platform(),
        Column("device_model", "VARCHAR", "Device model at sign-up (null on web)."),
        Column(
            "installed_at",
            "TIMESTAMP",
            "First app install (UTC); null for web-only users.",
        ),
        Column(
            "uninstalled_at",
            "TIMESTAMP",
            "Latest uninstall as of this version (UTC), null if never uninstalled.",
        ),
        Column(
            "reinstalled_at",
            "TIMESTAMP",
            "Latest reinstall after an uninstall as of this version (UTC).",
        ),
        Column("last_seen_at", "TIMESTAMP", "Last time the app saw the user (UTC)."),
    ),
    derived=(
        Column(
            "contact_key",
            "VARCHAR",
            "Pseudonymous contact key: HMAC-SHA256 (hex) of the trimmed, lowercased "
            "e-mail under the pseudonymization secret, computed at load time; null "
            "without an address (no e-mail, a blank, or a value with no text on both "
            "sides of an @ or with a space inside, such as the placeholders NULL or "
            "N/A). The e-mail itself stays in the loader's private file.",
            derived_from=("email", "contact_key"),
        ),
        Column(
            "has_phone",
            "BOOLEAN",
            "Whether the user left a phone number: a value with at least one digit "
            "(a placeholder such as N/A is none). The number stays in the loader's "
            "private file.",
            derived_from=("phone", "has_digit"),
        ),
    ),
)

COURSES = Table(
    name="courses",
    description="One row per course in the catalog.",
    key=("course_id",),
    is_event=False,
    columns=(
        Column("course_id", "VARCHAR", "Course identifier.", required=True),
        Column("course_title", "VARCHAR", "Course title.", required=True),
        Column("category", "VARCHAR", "Subject area.", required=True, enum=COURSE_CATEGORIES),
        Column(
            "difficulty_level",
            "VARCHAR",
            "Intended learner level.",
            required=True,
            enum=DIFFICULTY_LEVELS,
        ),
        Column(
            "price_amount",
            "DECIMAL(12,2)",
            "List price in `currency` units; 0 for free courses.",
            required=True,
            min_value=0,
        ),
        Column(
            "currency", "VARCHAR", "ISO 4217 currency of the price.", required=True, enum=CURRENCIES
        ),
        Column("published_at", "TIMESTAMP", "When the course went live (UTC).", required=True),
    ),
)

MODULES = Table(
    name="modules",
    description="One row per module; modules are ordered within their course.",
    key=("module_id",),
    is_event=False,
    references=(("course_id", "courses"),),
    columns=(
        Column("module_id", "VARCHAR", "Module identifier.", required=True),
        Column("course_id", "VARCHAR", "Course the module belongs to.", required=True),
        Column(
            "module_position",
            "INTEGER",
            "1-based order of the module within its course.",
            required=True,
            min_value=1,
        ),
        Column("module_title", "VARCHAR", "Module title.", required=True),
        Column(
            "estimated_minutes",
            "INTEGER",
            "Expected time to finish the module.",
            min_value=0,
        ),
    ),
)

QUIZZES = Table(
    name="quizzes",
    description="One row per quiz; each quiz belongs to one module.",
    key=("quiz_id",),
    is_event=False,
    references=(("module_id", "modules"),),
    columns=(
        Column("quiz_id", "VARCHAR", "Quiz identifier.", required=True),
        Column("module_id", "VARCHAR", "Module the quiz belongs to.", required=True),
        Column("quiz_title", "VARCHAR", "Quiz title.", required=True),
        Column(
            "pass_mark_percent",
            "DOUBLE",
            "Minimum score (0-100) that passes the quiz.",
            required=True,
            min_value=0,
            max_value=100,
        ),
    ),
)

QUIZ_QUESTIONS = Table(
    name="quiz_questions",
    description="One row per quiz question; questions are ordered within their quiz.",
    key=("question_id",),
    is_event=False,
    references=(("quiz_id", "quizzes"),),
    columns=(
        Column("question_id", "VARCHAR", "Question identifier.", required=True),
        Column("quiz_id", "VARCHAR", "Quiz the question belongs to.", required=True),
        Column(
            "question_position",
            "INTEGER",
            "1-based order of the question within its quiz.",
            required=True,
            min_value=1,
        ),
        Column("question_text", "VARCHAR", "Question wording.", required=True),
        Column(
            "correct_option",
            "VARCHAR",
            "The option the answer key marks correct.",
            required=True,
            enum=QUIZ_OPTIONS,
        ),
    ),
)

USER_COURSE_INTERACTIONS = Table(
    name="user_course_interactions",
    description=(
        "One row per course interaction event sent by the app: course clicks, "
        "wishlist and cart changes, purchase attempts, module starts and "
        "completions, progress updates."
    ),
    key=("event_id",),
    references=(("user_id", "users"), ("course_id", "courses"), ("module_id", "modules")),
    columns=(
        Column("event_id", "VARCHAR", "Unique event identifier.", required=True),
        Column("user_id", "VARCHAR", "User who acted.", required=True),
        Column("course_id", "VARCHAR", "Course acted on.", required=True),
        Column(
            "module_id",
            "VARCHAR",
            "Module acted on (module and progress events only).",
        ),
        Column(
            "event_type",
            "VARCHAR",
            "What the user did.",
            required=True,
            enum=INTERACTION_EVENT_TYPES,
        ),
        Column(
            "progress_percent",
            "DOUBLE",
            "Course progress after the event, 0-100 (progress and module events).",
            min_value=0,
            max_value=100,
        ),
        _platform(),
        Column("occurred_at", "TIMESTAMP", "When the event happened (UTC).", required=True),
        _received(),
    ),
)

USER_APP_SESSIONS = Table(
    name="user_app_sessions",
    description=(
        "One row per app session: open and close, active time, app version, "
        "features used and the ordered navigation history."
    ),
    key=("session_id",),
    references=(("user_id", "users"),),
    ordered=(("opened_at", "closed_at"),),
    columns=(
        Column("session_id", "VARCHAR", "Unique session identifier (the event id).", required=True),
        Column("user_id", "VARCHAR", "User of the session.", required=True),
        _platform(),
        Column("app_version", "VARCHAR", "App version string, e.g. 4.2.0."),
        Column("opened_at", "TIMESTAMP", "When the app was opened (UTC).", required=True),
        Column(
            "closed_at",
            "TIMESTAMP",
            "When the app was closed (UTC); null when the app crashed.",
        ),
        Column(
            "active_seconds",
            "INTEGER",
            "Foreground seconds in the session.",
            required=True,
            min_value=0,
        ),
        Column(
            "features_used",
            "VARCHAR",
            'JSON list of feature names used in the session, e.g. ["search","quiz"].',
            nested="strings",
        ),
        Column(
            "navigation_history",
            "VARCHAR",
            'JSON list of screens in order: [{"screen": "home", "viewed_at": '
            '"2026-01-01T10:00:00Z"}, ...]; each of the two keys once per item.',
            nested="navigation",
        ),
        _received(),
    ),
)

QUIZ_ATTEMPTS = Table(
    name="quiz_attempts",
    description=(
        "One row per quiz attempt: start and submit (submit missing = abandoned), "
        "score and the response to each question as a nested list."
    ),
    key=("attempt_id",),
    references=(("user_id", "users"), ("quiz_id", "quizzes")),
    ordered=(("started_at", "submitted_at"),),
    columns=(
        Column("attempt_id", "VARCHAR", "Unique attempt identifier (the event id).", required=True),
        Column("user_id", "VARCHAR", "User who attempted the quiz.", required=True),
        Column("quiz_id", "VARCHAR", "Quiz attempted.", required=True),
        _platform(),
        Column("started_at", "TIMESTAMP", "When the attempt started (UTC).", required=True),
        Column(
            "submitted_at",
            "TIMESTAMP",
            "When the attempt was submitted (UTC); null when abandoned.",
        ),
        Column(
            "score_percent",
            "DOUBLE",
            "Score 0-100 for submitted attempts.",
            min_value=0,
            max_value=100,
        ),
        Column(
            "responses",
            "VARCHAR",
            'JSON list, one item per answered question: [{"question_id": "...", '
            '"chosen_option": "b", "is_correct": true, "seconds_spent": 12.5}]; each key '
            "once per item.",
            nested="responses",
        ),
        _received(),
    ),
)

USER_PURCHASES = Table(
    name="user_purchases",
    description=(
        "One row per commerce event from the payment backend: cart add (order "
        "created), purchase attempt (succeeded or failed), completed transaction, "
        "refund."
    ),
    key=("event_id",),
    references=(("user_id", "users"), ("course_id", "courses")),
    columns=(
        Column("event_id", "VARCHAR", "Unique event identifier.", required=True),
        Column("order_id", "VARCHAR", "Order the event belongs to.", required=True),
        Column("user_id", "VARCHAR", "Buyer.", required=True),
        Column("course_id", "VARCHAR", "Course being bought.", required=True),
        Column(
            "event_type",
            "VARCHAR",
            "Commerce step.",
            required=True,
            enum=PURCHASE_EVENT_TYPES,
        ),
        Column(
            "amount",
            "DECIMAL(12,2)",
            "Amount in `currency` units (order value; refunded amount for refunds).",
            required=True,
            min_value=0,
        ),
        Column("currency", "VARCHAR", "ISO 4217 currency.", required=True, enum=CURRENCIES),
        Column(
            "payment_method",
            "VARCHAR",
            "Payment method (null on cart adds).",
            enum=PAYMENT_METHODS,
        ),
        Column(
            "payment_status",
            "VARCHAR",
            "pending (cart add), succeeded / failed (attempt), succeeded "
            "(completed transaction), refunded (refund).",
            required=True,
            enum=PAYMENT_STATUSES,
        ),
        Column(
            "failure_reason",
            "VARCHAR",
            "Why a failed attempt failed (failed attempts only).",
            enum=FAILURE_REASONS,
        ),
        _platform(),
        Column("occurred_at", "TIMESTAMP", "When the event happened (UTC).", required=True),
        _received(),
    ),
)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        USERS,
        COURSES,
        MODULES,
        QUIZZES,
        QUIZ_QUESTIONS,
        USER_COURSE_INTERACTIONS,
        USER_APP_SESSIONS,
        QUIZ_ATTEMPTS,
        USER_PURCHASES,
    )
}

CATALOG_TABLES = ("courses", "modules", "quizzes", "quiz_questions")
EVENT_TABLES = tuple(name for name, t in TABLES.items() if t.is_event)


def ddl(table: Table, schema: str = "raw") -> str:
    """CREATE TABLE statement for a raw table (its stored columns)."""
    cols = ",\n    ".join(f"{c.name} {c.type}" for c in table.stored_columns)
    return f"create table if not exists {schema}.{table.name} (\n    {cols}\n)"


@dataclass(frozen=True)
class Bounds:
    """Plausibility bounds the loader enforces on top of the column rules.

    A row outside them is quarantined with its reason, never altered. Every value
    can be overridden with an environment variable BEHAVIOR_BOUND_<FIELD NAME>
    (upper case), e.g. BEHAVIOR_BOUND_EARLIEST_AT=2012-01-01 (see `behavior.load.bounds`
    and README, "Loading").
    """

    # No timestamp (event time, received_at, navigation viewed_at, catalog or user
    # dates) before the app's launch.
    earliest_at: str = "2015-01-01"
    # Allowed clock skew: event times up to this many minutes after received_at,
    # and received_at (or any timestamp) up to this after the load time.
    clock_skew_minutes: int = 60
    # Money (amount, price_amount) in its own currency units.
    max_amount: float = 100_000.0
    # Seconds in the foreground in one session.
    max_active_seconds: int = 86_400
    # closed_at - opened_at of a session, submitted_at - started_at of an attempt.
    max_session_seconds: int = 86_400
    max_attempt_seconds: int = 86_400
    # seconds_spent on one answer inside quiz_attempts.responses.
    max_answer_seconds: int = 86_400
    # estimated_minutes of a module.
    max_module_minutes: int = 10_000
    # Decimals allowed in money values (more are quarantined, not rounded).
    money_decimals: int = 2


BOUNDS = Bounds()
# UTC offsets that exist on Earth, in minutes: -12:00 .. +14:00.
MIN_OFFSET_MINUTES = -12 * 60
MAX_OFFSET_MINUTES = 14 * 60
