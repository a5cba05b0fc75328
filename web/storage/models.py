"""The board's tables, as typed SQLAlchemy models.

Status columns are `str` Enums stored by value (`"queued"`), so a claim can be
one portable `UPDATE ... WHERE status = 'queued'`. Job state lives in `Job`;
every execution of a job is its own `JobAttempt` record (habit 11). A
`Submission` mirrors its job's status so the candidate's pages and the SSE
stream read one row. A submission's current `Result` is one row; a regrade moves
the one it replaces to `ResultHistory`. `TheoryScore`, `ProveRun` and
`BoardFreeze` serve the examiner's and proctor's pages.
"""
from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from .db import OutputText, UTCDateTime, db, utcnow


def _enum(cls: type[enum.Enum], length: int = 16) -> sa.Enum:
    return sa.Enum(cls, native_enum=False, length=length, validate_strings=True,
                   values_callable=lambda e: [m.value for m in e])


class Role(str, enum.Enum):
    ADMIN = "admin"
    EXAMINER = "examiner"
    PROCTOR = "proctor"
    CANDIDATE = "candidate"


STAFF_ROLES = frozenset({Role.ADMIN, Role.EXAMINER, Role.PROCTOR})


class SubmissionStatus(str, enum.Enum):
    REJECTED = "rejected"     # refused at intake (kept in the store, never graded, not counted)
    QUEUED = "queued"
    RETRYING = "retrying"     # queued again after our infrastructure failed (not the candidate's fault)
    RUNNING = "running"
    GRADED = "graded"
    FAILED = "failed"         # our infrastructure failed past the retry cap: never charged
    CANCELLED = "cancelled"   # by staff: not counted


COUNTED = (SubmissionStatus.QUEUED, SubmissionStatus.RETRYING, SubmissionStatus.RUNNING, SubmissionStatus.GRADED)
ACTIVE = (SubmissionStatus.QUEUED, SubmissionStatus.RETRYING, SubmissionStatus.RUNNING)


class JobStatus(str, enum.Enum):
    QUEUED = "queued"
    RUNNING = "running"
    GRADED = "graded"
    FAILED = "failed"
    CANCELLED = "cancelled"


class AttemptOutcome(str, enum.Enum):
    GRADED = "graded"
    SANDBOX_ERROR = "sandbox_error"   # infrastructure: retried
    ERROR = "error"                   # a bug of ours: retried
    CONFIG_ERROR = "config_error"     # the exam package is wrong: not retried
    REJECTED = "rejected"             # the intake refused it at grading time: not retried
    ABANDONED = "abandoned"           # heartbeat went stale: the reaper took it back
    CANCELLED = "cancelled"


class User(db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    role: Mapped[Role] = mapped_column(_enum(Role))
    username: Mapped[str] = mapped_column(sa.String(64), unique=True)   # staff login or candidate number
    name: Mapped[str] = mapped_column(sa.String(200), default="")
    seat: Mapped[str | None] = mapped_column(sa.String(32))
    exam_id: Mapped[int | None] = mapped_column(sa.ForeignKey("exams.id"), index=True)  # candidates
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))   # staff
    code_hash: Mapped[str | None] = mapped_column(sa.String(255))       # candidate one-time code
    code_issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    session_version: Mapped[int] = mapped_column(default=0)             # bump to end every session
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    exam: Mapped["Exam | None"] = relationship()

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES


class Exam(db.Model):
    __tablename__ = "exams"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(63), unique=True)         # the package's id
    package_path: Mapped[str] = mapped_column(sa.String(1024))
    package_sha256: Mapped[str | None] = mapped_column(sa.String(64))   # the packed package workers fetch (Blob)
    title_zh: Mapped[str] = mapped_column(sa.String(300), default="")
    title_en: Mapped[str] = mapped_column(sa.String(300), default="")
    window_start: Mapped[datetime | None] = mapped_column(UTCDateTime())  # None: open from now
    window_end: Mapped[datetime | None] = mapped_column(UTCDateTime())    # None: no end
    attempt_limit: Mapped[int | None] = mapped_column()                  # per task; None: unlimited
    min_interval_s: Mapped[int] = mapped_column(default=0)               # between counted uploads
    published: Mapped[bool] = mapped_column(default=False)
    intake_paused: Mapped[bool] = mapped_column(default=False)
    theory_weight: Mapped[int] = mapped_column(default=30, server_default="30")  # % of the total; practical: the rest
    board_public: Mapped[bool] = mapped_column(default=False, server_default=sa.false())  # /scoreboard/<key> shown
    reference_speed: Mapped[float | None] = mapped_column(sa.Float)   # the package's (grader/speed.py)
    # which graded submission counts (web/services/counting.py): "last", "best" or "before_deadline",
    # the exam's rule and per-task exceptions {task id: rule}; the deadline (None: the window's end)
    count_policy: Mapped[str] = mapped_column(sa.String(16), default="last", server_default="last")
    task_count_policy: Mapped[dict | None] = mapped_column(sa.JSON)
    count_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # what the public scoreboard shows of a candidate (web/services/privacy.py)
    board_privacy: Mapped[str] = mapped_column(sa.String(16), default="masked", server_default="masked")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    @validates("title_zh", "title_en")
    def _fit_title(self, key: str, value: str) -> str:
        # a package's title has no length limit; SQLite would store it whole, PostgreSQL refuses it
        return value[:self.__table__.c[key].type.length] if value else value

    def title(self, lang: str) -> str:
        return (self.title_zh if lang == "zh" else self.title_en) or self.key


class Submission(db.Model):
    __tablename__ = "submissions"
    __table_args__ = (sa.Index("ix_submissions_owner_task", "candidate_id", "exam_id", "task_id"),
                      sa.Index("ix_submissions_exam_candidate_task", "exam_id", "candidate_id", "task_id"),
                      sa.Index("ix_submissions_exam_created", "exam_id", "created_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    exam_id: Mapped[int] = mapped_column(sa.ForeignKey("exams.id"))
    task_id: Mapped[str] = mapped_column(sa.String(63))
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    filename: Mapped[str] = mapped_column(sa.String(255))
    size: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    stored_path: Mapped[str | None] = mapped_column(sa.String(1024))
    lang: Mapped[str] = mapped_column(sa.String(2), default="zh")       # language of graded messages
    status: Mapped[SubmissionStatus] = mapped_column(_enum(SubmissionStatus), index=True)
    reject_code: Mapped[str | None] = mapped_column(sa.String(64))
    reject_params: Mapped[dict | None] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    candidate: Mapped[User] = relationship()
    exam: Mapped[Exam] = relationship()
    result: Mapped["Result | None"] = relationship(back_populates="submission", uselist=False)


class Job(db.Model):
    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(sa.ForeignKey("submissions.id"), index=True)
    status: Mapped[JobStatus] = mapped_column(_enum(JobStatus), index=True)
    priority: Mapped[int] = mapped_column(default=0)                 # higher first (regrades lower)
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int] = mapped_column(default=3)
    worker: Mapped[str | None] = mapped_column(sa.String(128))
    current_attempt_id: Mapped[int | None] = mapped_column()         # the claim token
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    enqueued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    available_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)  # retries wait
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # last message sent to the broker
    queue: Mapped[str | None] = mapped_column(sa.String(128))          # the broker queue: one per sandbox image
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    error: Mapped[str | None] = mapped_column(OutputText)            # for staff, never candidates

    submission: Mapped[Submission] = relationship()
    attempt_records: Mapped[list["JobAttempt"]] = relationship(order_by="JobAttempt.number")


class JobAttempt(db.Model):
    __tablename__ = "job_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(sa.ForeignKey("jobs.id"), index=True)
    number: Mapped[int] = mapped_column()
    worker: Mapped[str] = mapped_column(sa.String(128))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcome: Mapped[AttemptOutcome | None] = mapped_column(_enum(AttemptOutcome), index=True)
    detail: Mapped[str | None] = mapped_column(OutputText)
    # an infrastructure fault's category (grader.errors.FaultCause value); None when none was
    cause: Mapped[str | None] = mapped_column(sa.String(32))
    # the worker token that claimed it over the board's API (None: the board's own threads):
    # only that token may heartbeat or finish the attempt and fetch its job's blobs
    token_id: Mapped[int | None] = mapped_column(sa.ForeignKey("worker_tokens.id"))


class _ResultColumns:
    """What a grading of one submission (one task) decided; shared by the current result and its history."""

    task_id: Mapped[str] = mapped_column(sa.String(63))
    job_id: Mapped[int | None] = mapped_column()                   # the job that graded it
    score: Mapped[float] = mapped_column(sa.Float)
    max_score: Mapped[float] = mapped_column(sa.Float)
    visible_score: Mapped[float] = mapped_column(sa.Float, default=0.0, server_default="0")  # from `visible` tests
    status: Mapped[str] = mapped_column(sa.String(32))      # a grader Verdict value
    message: Mapped[str] = mapped_column(OutputText, default="")
    messages: Mapped[dict | None] = mapped_column(sa.JSON)     # the message in every language {lang: text}
    tests: Mapped[list] = mapped_column(sa.JSON, default=list)
    artifacts: Mapped[list] = mapped_column(sa.JSON, default=list)
    artifacts_dir: Mapped[str | None] = mapped_column(sa.String(1024))
    artifact_blobs: Mapped[dict | None] = mapped_column(sa.JSON)   # artifact path -> Blob sha256 (any worker's)
    duration_s: Mapped[float] = mapped_column(sa.Float, default=0.0)
    graded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # the grading worker's measured speed and the factor it applied to the time limits
    # (grader/speed.py); None for results graded before workers measured themselves
    worker_speed: Mapped[float | None] = mapped_column(sa.Float)
    time_factor: Mapped[float | None] = mapped_column(sa.Float)


class Result(_ResultColumns, db.Model):
    """The current result of a submission (one task). A regrade moves the one before into
    `ResultHistory`; the same job writing twice overwrites (idempotent)."""

    __tablename__ = "results"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(sa.ForeignKey("submissions.id"), unique=True)

    submission: Mapped[Submission] = relationship(back_populates="result")


class ResultHistory(_ResultColumns, db.Model):
    """An older result of a submission, kept when a regrade replaced it (newest current, these older)."""

    __tablename__ = "result_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(sa.ForeignKey("submissions.id"), index=True)
    archived_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class TheoryScore(db.Model):
    """A candidate's theory score (0-100), imported from CSV, weighted into the total."""

    __tablename__ = "theory_scores"
    __table_args__ = (sa.UniqueConstraint("exam_id", "candidate_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(sa.ForeignKey("exams.id"))
    candidate_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    score: Mapped[float] = mapped_column(sa.Float)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ProveStatus(str, enum.Enum):
    RUNNING = "running"
    PASSED = "passed"             # every reference solution earned its recorded score
    FAILED = "failed"             # some did not
    ERROR = "error"               # could not prove: the package, the solutions or the engine
    INTERRUPTED = "interrupted"   # the board stopped while it ran


class ProveRun(db.Model):
    """One `prove` of an exam's reference solutions, started from the examiner's page."""

    __tablename__ = "prove_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(sa.ForeignKey("exams.id"), index=True)
    status: Mapped[ProveStatus] = mapped_column(_enum(ProveStatus))
    only: Mapped[str | None] = mapped_column(sa.String(255))
    actor: Mapped[str] = mapped_column(sa.String(64), default="")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcome: Mapped[dict | None] = mapped_column(sa.JSON)           # grader.prove.ProveOutcome.to_json()
    error: Mapped[str | None] = mapped_column(OutputText)
    log: Mapped[str] = mapped_column(OutputText, default="")


class BoardFreeze(db.Model):
    """A frozen scoreboard: what the public view shows until it is unfrozen (staff see it live)."""

    __tablename__ = "board_freezes"

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(sa.ForeignKey("exams.id"), unique=True)
    frozen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor: Mapped[str] = mapped_column(sa.String(64), default="")
    rows: Mapped[list] = mapped_column(sa.JSON, default=list)


class AuditLog(db.Model):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    actor: Mapped[str] = mapped_column(sa.String(64), default="")     # username at the time
    role: Mapped[str] = mapped_column(sa.String(16), default="")
    action: Mapped[str] = mapped_column(sa.String(64), index=True)
    target: Mapped[str] = mapped_column(sa.String(255), default="")
    details: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    ip: Mapped[str] = mapped_column(sa.String(64), default="")


class Blob(db.Model):
    """Uploads and packed exam packages by content hash: what a worker on another machine
    fetches (through the database it already talks to) instead of mounting the board's disk."""
    __tablename__ = "blobs"

    sha256: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    size: Mapped[int] = mapped_column(sa.BigInteger)
    data: Mapped[bytes] = mapped_column(sa.LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class WorkerStatus(str, enum.Enum):
    UP = "up"
    STOPPED = "stopped"


class WorkerNode(db.Model):
    """One grading worker process as the proctor sees it, written by its own heartbeat."""
    __tablename__ = "workers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(128), unique=True)      # host:pid
    host: Mapped[str] = mapped_column(sa.String(128))
    queues: Mapped[str] = mapped_column(sa.String(1024), default="")    # the images it grades for
    mode: Mapped[str] = mapped_column(sa.String(16), default="embedded")
    slots: Mapped[int] = mapped_column(default=1)
    busy: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)
    failed: Mapped[int] = mapped_column(default=0)
    status: Mapped[WorkerStatus] = mapped_column(_enum(WorkerStatus), default=WorkerStatus.UP)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    heartbeat_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    speed: Mapped[float | None] = mapped_column(sa.Float)     # measured at its start (grader/speed.py)
    # the worker token it wrote this row with (a worker machine on the board's API); None: the board's own
    token_id: Mapped[int | None] = mapped_column(sa.ForeignKey("worker_tokens.id"), index=True)

    token: Mapped["WorkerToken | None"] = relationship()


class WorkerToken(db.Model):
    """A worker machine's credential for the board's worker API (`web/pages/worker_api.py`):
    only its sha256 is kept; the token itself is shown once, when it is made."""
    __tablename__ = "worker_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(64), unique=True)
    token_sha256: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by: Mapped[str] = mapped_column(sa.String(64), default="")
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_by: Mapped[str | None] = mapped_column(sa.String(64))


# ------------------------------------------------------------------ people (certification sittings, competitions)

class AffiliationKind(str, enum.Enum):
    SCHOOL = "school"
    COMPANY = "company"


class Category(str, enum.Enum):
    """What a person is, which decides the division they may enter."""
    STUDENT = "student"
    EMPLOYEE = "employee"     # employees and teachers


class Gender(str, enum.Enum):
    MALE = "male"
    FEMALE = "female"


class Person(db.Model):
    """A real person the board knows by name and resident ID: a certification candidate or a
    competitor. One row per person across sittings and contests (their record shows each);
    `id_number` is kept whole (GB 11643, normalised) and shown masked everywhere but the one
    audited admin view (`web.services.idnumber.mask`)."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    gender: Mapped[Gender | None] = mapped_column(_enum(Gender, length=8))
    id_number: Mapped[str | None] = mapped_column(sa.String(32), unique=True)   # None: none given (abroad)
    affiliation: Mapped[str] = mapped_column(sa.String(300), default="", server_default="")
    contact: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    external_id: Mapped[str | None] = mapped_column(sa.String(64), unique=True)  # the centre's own key
    # a competitor's eligibility (competitions): the division they may enter, a national title
    category: Mapped[Category | None] = mapped_column(_enum(Category))
    national_title: Mapped[bool] = mapped_column(default=False, server_default=sa.false())  # may not compete
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class Affiliation(db.Model):
    """A school or a company entrants come from."""
    __tablename__ = "affiliations"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    kind: Mapped[AffiliationKind] = mapped_column(_enum(AffiliationKind))
    region: Mapped[str] = mapped_column(sa.String(100), default="")


# ------------------------------------------------------------------ competitions

class Division(str, enum.Enum):
    EMPLOYEE = "employee"     # 职工组 (employees and teachers)
    STUDENT = "student"       # 学生组


class Stage(str, enum.Enum):
    PRELIMINARY = "preliminary"
    FINAL = "final"


class MemberRole(str, enum.Enum):
    CAPTAIN = "captain"
    MEMBER = "member"


class Competition(db.Model):
    """A competition as one board holds it: a site's board runs one stage at one site on one
    exam (`site` set); the national board (`site` empty) imports the sites' signed results."""
    __tablename__ = "competitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(63), unique=True)
    title_zh: Mapped[str] = mapped_column(sa.String(300), default="")
    title_en: Mapped[str] = mapped_column(sa.String(300), default="")
    stage: Mapped[Stage] = mapped_column(_enum(Stage), default=Stage.PRELIMINARY)
    site: Mapped[str] = mapped_column(sa.String(63), default="")            # "" on the national board
    exam_id: Mapped[int | None] = mapped_column(sa.ForeignKey("exams.id"))  # the exam graded at a site
    exam_sha256: Mapped[str | None] = mapped_column(sa.String(64))          # national: the exam every site ran
    practical_max: Mapped[float | None] = mapped_column(sa.Float)           # national: from the packages
    team_min: Mapped[int] = mapped_column(default=1)
    team_max: Mapped[int] = mapped_column(default=3)
    theory_rule: Mapped[str] = mapped_column(sa.String(16), default="mean")
    theory_weight: Mapped[int] = mapped_column(default=30)                  # % of the final score
    awards: Mapped[dict] = mapped_column(sa.JSON, default=dict)             # services.contest.awards.AwardRule
    finalists: Mapped[dict] = mapped_column(sa.JSON, default=dict)          # services.contest.finalists.FinalistRule
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    exam: Mapped[Exam | None] = relationship()

    def title(self, lang: str) -> str:
        return (self.title_zh if lang == "zh" else self.title_en) or self.key


class Team(db.Model):
    __tablename__ = "teams"
    __table_args__ = (sa.UniqueConstraint("competition_id", "external_id"),
                      sa.UniqueConstraint("competition_id", "name"))

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(sa.ForeignKey("competitions.id"), index=True)
    external_id: Mapped[str] = mapped_column(sa.String(64))
    name: Mapped[str] = mapped_column(sa.String(200))
    affiliation_id: Mapped[int] = mapped_column(sa.ForeignKey("affiliations.id"))
    division: Mapped[Division] = mapped_column(_enum(Division))

    affiliation: Mapped[Affiliation] = relationship()
    members: Mapped[list["TeamMember"]] = relationship(order_by="TeamMember.id", cascade="all, delete-orphan")


class TeamMember(db.Model):
    """A person in a team; one team per person in a competition."""
    __tablename__ = "team_members"
    __table_args__ = (sa.UniqueConstraint("competition_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("teams.id"), index=True)
    competition_id: Mapped[int] = mapped_column(sa.ForeignKey("competitions.id"))
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id"))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)  # the sign-in account
    role: Mapped[MemberRole] = mapped_column(_enum(MemberRole), default=MemberRole.MEMBER)

    person: Mapped[Person] = relationship()
    user: Mapped[User | None] = relationship()


class SiteKey(db.Model):
    """A site of a competition and the Ed25519 public key its results are signed with
    (national board); on a site board, its own row (the private key stays in a file)."""
    __tablename__ = "competition_sites"
    __table_args__ = (sa.UniqueConstraint("competition_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(sa.ForeignKey("competitions.id"), index=True)
    code: Mapped[str] = mapped_column(sa.String(63))
    name: Mapped[str] = mapped_column(sa.String(200), default="")
    public_key: Mapped[str] = mapped_column(sa.String(64))                  # raw key, hex


class ImportStatus(str, enum.Enum):
    CURRENT = "current"           # the site's results in the national ranking
    SUPERSEDED = "superseded"     # replaced by a newer export of the same site: history
    REFUSED = "refused"           # failed verification: kept to show why, never ranked


class ResultImport(db.Model):
    """One results package offered to the national board, whatever became of it."""
    __tablename__ = "result_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(sa.ForeignKey("competitions.id"), index=True)
    site: Mapped[str] = mapped_column(sa.String(63), default="")
    status: Mapped[ImportStatus] = mapped_column(_enum(ImportStatus), index=True)
    manifest_sha256: Mapped[str] = mapped_column(sa.String(64), default="")
    file_sha256: Mapped[str] = mapped_column(sa.String(64))
    filename: Mapped[str] = mapped_column(sa.String(255), default="")
    exported_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor: Mapped[str] = mapped_column(sa.String(64), default="")
    reason: Mapped[str | None] = mapped_column(sa.String(64))               # i18n key under "results."
    detail: Mapped[str] = mapped_column(sa.String(500), default="")
    teams: Mapped[int] = mapped_column(default=0)


class NationalTeam(db.Model):
    """A team's preliminary result as its site's package reported it (one import's rows)."""
    __tablename__ = "national_teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(sa.ForeignKey("result_imports.id"), index=True)
    site: Mapped[str] = mapped_column(sa.String(63))
    external_id: Mapped[str] = mapped_column(sa.String(64))
    name: Mapped[str] = mapped_column(sa.String(200))
    affiliation: Mapped[str] = mapped_column(sa.String(200))
    division: Mapped[Division] = mapped_column(_enum(Division))
    practical: Mapped[float] = mapped_column(sa.Float)
    theory: Mapped[float | None] = mapped_column(sa.Float)
    final: Mapped[float | None] = mapped_column(sa.Float)
    last_counted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    site_rank: Mapped[int] = mapped_column(default=0)
    data: Mapped[dict] = mapped_column(sa.JSON, default=dict)               # members, tasks, counted hashes


class Level(str, enum.Enum):
    """The certification levels (初级 / 中级 / 高级); each covers the ones below. Values match the
    exam package's `level` (grader/manifest.py LEVELS)."""
    BASIC = "basic"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"

    @property
    def code(self) -> str:
        """The digit in a certificate number."""
        return str(list(Level).index(self) + 1)


class SittingStatus(str, enum.Enum):
    OPEN = "open"              # registering, sitting, marking, reviewing the pass list
    PUBLISHED = "published"    # pass list frozen, certificates issued


class Outcome(str, enum.Enum):
    PASSED = "passed"
    FAILED = "failed"
    ABSENT = "absent"          # a score missing: did not sit a part


class Sitting(db.Model):
    """One certification sitting (批次): a level, the board exam that is its practical part,
    dates, a site, a versioned pass rule; published once, then frozen."""

    __tablename__ = "sittings"

    id: Mapped[int] = mapped_column(primary_key=True)
    name_zh: Mapped[str] = mapped_column(sa.String(200))
    name_en: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    level: Mapped[Level] = mapped_column(_enum(Level))
    exam_id: Mapped[int] = mapped_column(sa.ForeignKey("exams.id"), index=True)
    site_code: Mapped[str] = mapped_column(sa.String(8))             # in certificate numbers
    site_name: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    starts_on: Mapped[date] = mapped_column(sa.Date)
    ends_on: Mapped[date] = mapped_column(sa.Date)
    status: Mapped[SittingStatus] = mapped_column(_enum(SittingStatus), default=SittingStatus.OPEN)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_by: Mapped[str | None] = mapped_column(sa.String(64))
    package_sha256: Mapped[str | None] = mapped_column(sa.String(64))   # frozen at publish
    rule_version: Mapped[int | None] = mapped_column()                   # the rule applied at publish
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    exam: Mapped[Exam] = relationship()

    def name(self, lang: str) -> str:
        return (self.name_en if lang == "en" and self.name_en else self.name_zh)


class PassRule(db.Model):
    """One version of a sitting's pass rule; a change is a new version, never an edit."""

    __tablename__ = "pass_rules"
    __table_args__ = (sa.UniqueConstraint("sitting_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sitting_id: Mapped[int] = mapped_column(sa.ForeignKey("sittings.id"))
    version: Mapped[int] = mapped_column()
    theory_min: Mapped[float | None] = mapped_column(sa.Float)       # of 100; None: no minimum
    practical_min: Mapped[float | None] = mapped_column(sa.Float)    # of 100
    theory_weight: Mapped[int] = mapped_column(default=30)           # % of the total
    total_min: Mapped[float | None] = mapped_column(sa.Float)        # weighted total cut-off
    actor: Mapped[str] = mapped_column(sa.String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Registration(db.Model):
    """A person registered for a sitting, with their candidate account on the sitting's exam
    (the practical and theory scores are that account's) and any documented exception."""

    __tablename__ = "registrations"
    __table_args__ = (sa.UniqueConstraint("sitting_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sitting_id: Mapped[int] = mapped_column(sa.ForeignKey("sittings.id"), index=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id"), index=True)
    candidate_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    exception_outcome: Mapped[Outcome | None] = mapped_column(_enum(Outcome))
    exception_reason: Mapped[str | None] = mapped_column(OutputText)
    exception_by: Mapped[str | None] = mapped_column(sa.String(64))
    exception_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    person: Mapped[Person] = relationship()
    candidate: Mapped[User | None] = relationship()


class PassListEntry(db.Model):
    """The frozen pass list: what publishing decided for one registration, never recomputed."""

    __tablename__ = "pass_list"
    __table_args__ = (sa.UniqueConstraint("sitting_id", "registration_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sitting_id: Mapped[int] = mapped_column(sa.ForeignKey("sittings.id"), index=True)
    registration_id: Mapped[int] = mapped_column(sa.ForeignKey("registrations.id"))
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))                 # as at publication
    theory: Mapped[float | None] = mapped_column(sa.Float)
    practical: Mapped[float | None] = mapped_column(sa.Float)         # of 100
    total: Mapped[float | None] = mapped_column(sa.Float)
    outcome: Mapped[Outcome] = mapped_column(_enum(Outcome))
    rule_outcome: Mapped[Outcome] = mapped_column(_enum(Outcome))     # what the rule alone said
    exception_reason: Mapped[str | None] = mapped_column(OutputText)

    person: Mapped[Person] = relationship()


class Certificate(db.Model):
    """An issued certificate. Revoking keeps the row (and the number: never reused)."""

    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(32), unique=True)
    token: Mapped[str] = mapped_column(sa.String(64), unique=True)     # in the QR code's URL
    sitting_id: Mapped[int] = mapped_column(sa.ForeignKey("sittings.id"), index=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id"), index=True)
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("pass_list.id"), unique=True)
    holder_name: Mapped[str] = mapped_column(sa.String(200))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_reason: Mapped[str | None] = mapped_column(OutputText)
    revoked_by: Mapped[str | None] = mapped_column(sa.String(64))

    sitting: Mapped[Sitting] = relationship()
    person: Mapped[Person] = relationship()
    entry: Mapped[PassListEntry] = relationship()


class CertificateSerial(db.Model):
    """The last serial issued per number prefix (year, level, site): only ever counts up, in a
    guarded UPDATE, so two publishes at once never draw the same number."""

    __tablename__ = "certificate_serials"

    prefix: Mapped[str] = mapped_column(sa.String(24), primary_key=True)
    last: Mapped[int] = mapped_column(default=0)
