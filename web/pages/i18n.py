"""The board's text in Chinese and English, chosen by the user (Chinese by default).

Every string a page shows comes from `CATALOGUE` by key through `t(key, **params)`;
candidate messages of the engine (intake refusals, verdicts) come from
`grader.messages`. The choice is kept in the session (`/lang/<code>`). Times are
shown the same way for every reader, in the board's TIMEZONE (`local`, `form_value`,
`parse_local`: `web.services.clock` with the setting filled in).
"""
from __future__ import annotations

from flask import Flask, current_app, g, has_request_context, session

from ..services import clock
from ..services.contest.messages import CATALOGUE as CONTEST_MESSAGES
from .i18n_candidate import CATALOGUE as CANDIDATE_CATALOGUE
from .i18n_contest import CATALOGUE as CONTEST_CATALOGUE
from .i18n_cert import CATALOGUE as CERT_CATALOGUE
from .i18n_intake import CATALOGUE as INTAKE_CATALOGUE
from .i18n_review import CATALOGUE as REVIEW_CATALOGUE
from .i18n_staff import CATALOGUE as STAFF_CATALOGUE

LANGS = ("zh", "en")

CATALOGUE: dict[str, dict[str, str]] = {
    "app.name": {"zh": "Practicum 实操考试评分", "en": "Practicum exam board"},
    "app.footer": {"zh": "考生代码只在隔离的沙箱中运行。", "en": "Candidate code runs only in isolated sandboxes."},
    "yes": {"zh": "是", "en": "yes"},
    "no": {"zh": "否", "en": "no"},
    # navigation and roles
    "nav.exam": {"zh": "考试", "en": "Exam"},
    "nav.history": {"zh": "我的提交", "en": "My submissions"},
    "nav.candidates": {"zh": "考生", "en": "Candidates"},
    "nav.exams": {"zh": "考试设置", "en": "Exams"},
    "nav.roster": {"zh": "导入名单", "en": "Import roster"},
    "nav.audit": {"zh": "审计日志", "en": "Audit log"},
    "nav.logout": {"zh": "退出", "en": "Sign out"},
    "role.admin": {"zh": "管理员", "en": "admin"},
    "role.examiner": {"zh": "考官", "en": "examiner"},
    "role.proctor": {"zh": "监考", "en": "proctor"},
    "role.candidate": {"zh": "考生", "en": "candidate"},
    "clock.server_time": {"zh": "服务器时间", "en": "Server time"},
    # login
    "login.title": {"zh": "考生登录", "en": "Candidate sign-in"},
    "login.staff_title": {"zh": "工作人员登录", "en": "Staff sign-in"},
    "login.hint": {"zh": "请输入准考证号和监考老师发给你的一次性登录码。",
                   "en": "Enter your candidate number and the one-time code your proctor gave you."},
    "login.number": {"zh": "准考证号", "en": "Candidate number"},
    "login.code": {"zh": "登录码", "en": "Login code"},
    "login.username": {"zh": "用户名", "en": "User name"},
    "login.password": {"zh": "密码", "en": "Password"},
    "login.submit": {"zh": "登录", "en": "Sign in"},
    "login.to_staff": {"zh": "工作人员登录", "en": "Staff sign-in"},
    "login.to_candidate": {"zh": "考生登录", "en": "Candidate sign-in"},
    "login.bad_code": {"zh": "准考证号或登录码不正确，或登录码已使用过。如需新的登录码，请联系监考老师。",
                       "en": "Wrong candidate number or code, or the code was used already. Ask a proctor for a new code."},
    "login.bad_password": {"zh": "用户名或密码不正确。", "en": "Wrong user name or password."},
    "login.throttled_address": {"zh": "从这台电脑登录失败的次数过多，请 {wait}后再试。",
                                "en": "Too many failed sign-ins from this computer. Try again in {wait}."},
    "login.throttled_account": {"zh": "该账号登录失败的次数过多，请 {wait}后再试。",
                                "en": "Too many failed sign-ins for this account. Try again in {wait}."},
    "wait.seconds": {"zh": "{n} 秒", "en": "{n} s"},
    "wait.minutes": {"zh": "{n} 分钟", "en": "{n} min"},
    # errors
    "error.bad_request": {"zh": "请求无效。", "en": "The request was not valid."},
    "error.csrf": {"zh": "表单已过期或缺少安全令牌。请返回、刷新页面后重试。",
                   "en": "The form expired or lacks its security token. Go back, reload the page and try again."},
    "error.forbidden": {"zh": "你没有权限访问此页面。", "en": "You may not open this page."},
    "error.not_found": {"zh": "页面不存在。", "en": "There is no such page."},
    "error.too_large": {"zh": "上传的文件太大。", "en": "The upload is too large."},
    "error.too_many": {"zh": "操作太频繁，请稍后再试。", "en": "Too many requests; try again later."},
    "error.server": {"zh": "服务器出错，请联系工作人员。", "en": "Something went wrong on our side; please tell the staff."},
    "error.home": {"zh": "返回首页", "en": "Back to the start page"},
    # the exam page
    "exam.none": {"zh": "你还没有被分配到任何考试，请联系监考老师。", "en": "You are not assigned to an exam. Please ask a proctor."},
    "exam.start": {"zh": "开始时间", "en": "Starts"},
    "exam.end": {"zh": "结束时间", "en": "Ends"},
    "exam.no_start": {"zh": "已开始", "en": "open"},
    "exam.no_end": {"zh": "不限", "en": "no end"},
    "exam.rule_limit": {"zh": "每道题最多提交 {limit} 次（被拒收的上传不计）。",
                        "en": "At most {limit} submissions per task (refused uploads do not count)."},
    "exam.rule_no_limit": {"zh": "提交次数不限。", "en": "No limit on the number of submissions."},
    "exam.rule_interval": {"zh": "同一题两次提交至少间隔 {seconds} 秒。",
                           "en": "Wait at least {seconds} s between two submissions of a task."},
    "exam.points": {"zh": "{points} 分", "en": "{points} points"},
    "exam.statement": {"zh": "题目说明", "en": "Statement"},
    "exam.hand_in": {"zh": "提交：{files}（或包含它的 zip）", "en": "Hand in: {files} (or a zip holding it)"},
    "exam.choose_file": {"zh": "选择文件", "en": "Choose a file"},
    "exam.upload": {"zh": "上传", "en": "Upload"},
    "exam.attempts_used": {"zh": "已提交 {used} / {limit} 次", "en": "{used} of {limit} submissions used"},
    "exam.attempts_count": {"zh": "已提交 {used} 次", "en": "{used} submissions"},
    "exam.next_at": {"zh": "下次可提交时间：{time}", "en": "next upload from {time}"},
    "exam.latest": {"zh": "最近一次提交", "en": "Latest submission"},
    "window.not_started": {"zh": "考试尚未开始", "en": "The exam has not started"},
    "window.open": {"zh": "考试进行中", "en": "The exam is open"},
    "window.closed": {"zh": "考试已结束", "en": "The exam has ended"},
    "window.starts_in": {"zh": "距开始", "en": "Starts in"},
    "window.ends_in": {"zh": "距结束", "en": "Ends in"},
    # uploads
    "upload.no_file": {"zh": "请先选择要上传的文件。", "en": "Choose a file to upload first."},
    "upload.not_started": {"zh": "考试尚未开始，还不能提交。", "en": "The exam has not started: uploads are not open yet."},
    "upload.closed": {"zh": "考试已结束，不再接受提交。", "en": "The exam has ended: uploads are closed."},
    "upload.paused": {"zh": "提交暂时关闭，请听从监考老师安排。", "en": "Uploads are paused for now; follow the proctor's instructions."},
    "upload.limit": {"zh": "本题已达到 {limit} 次提交上限。", "en": "You have used all {limit} submissions for this task."},
    "upload.too_soon": {"zh": "提交过于频繁，请在 {seconds} 秒后再试。", "en": "Too soon after your last submission; try again in {seconds} s."},
    "upload.rejected": {"zh": "上传的文件未被接受。", "en": "The upload was not accepted."},
    # receipt and result
    "receipt.title": {"zh": "提交回执 #{id}", "en": "Receipt #{id}"},
    "receipt.thanks": {"zh": "已收到你的提交，正在排队评分。", "en": "Your submission was received and is queued for grading."},
    "receipt.task": {"zh": "题目", "en": "Task"},
    "receipt.file": {"zh": "文件", "en": "File"},
    "receipt.bytes": {"zh": "{size} 字节", "en": "{size} bytes"},
    "receipt.time": {"zh": "提交时间", "en": "Time"},
    "receipt.status": {"zh": "状态", "en": "Status"},
    "receipt.live": {"zh": "状态会自动更新。", "en": "This status updates by itself."},
    "receipt.retrying": {"zh": "评分系统出现了技术问题，正在自动重试。这不是你的问题，也不计入你的提交次数；无需重新上传。",
                         "en": "The grading system had a technical problem and is retrying by itself. It is not your fault and not counted against you; there is no need to upload again."},
    "receipt.refresh": {"zh": "刷新", "en": "Reload"},
    "receipt.failed": {"zh": "由于评分系统故障未能评分；工作人员已收到通知，本次提交不计入次数。",
                       "en": "Grading failed because of a fault on our side; the staff have been told and this submission does not count."},
    "receipt.cancelled": {"zh": "本次提交已被工作人员取消，不计入次数。", "en": "Staff cancelled this submission; it does not count."},
    "receipt.rejected_kept": {"zh": "文件已保存（见上方 SHA-256），但未评分，也不计入提交次数。",
                              "en": "The file was kept (SHA-256 above) but not graded, and it does not count as a submission."},
    "receipt.back": {"zh": "返回考试页面", "en": "Back to the exam"},
    "result.title": {"zh": "评分结果", "en": "Result"},
    "result.withheld": {"zh": "完整成绩将在考试成绩公布后显示。", "en": "The full result is shown once the exam's results are published."},
    "result.later": {"zh": "公布后可见", "en": "after publication"},
    "result.check": {"zh": "检查项", "en": "Check"},
    "result.points": {"zh": "得分", "en": "Points"},
    "result.feedback": {"zh": "反馈", "en": "Feedback"},
    "history.none": {"zh": "还没有提交。", "en": "No submissions yet."},
    "status.rejected": {"zh": "未接受", "en": "refused"},
    "status.queued": {"zh": "排队中", "en": "queued"},
    "status.retrying": {"zh": "技术问题，正在重试（不计次）", "en": "technical problem, being retried (not counted against you)"},
    "status.running": {"zh": "评分中", "en": "running"},
    "status.graded": {"zh": "已评分", "en": "graded"},
    "status.failed": {"zh": "评分失败（不计次）", "en": "failed (not counted)"},
    "status.cancelled": {"zh": "已取消", "en": "cancelled"},
    "verdict.ok": {"zh": "通过", "en": "ok"},
    "verdict.wrong": {"zh": "未全部通过", "en": "not all checks passed"},
    "verdict.time_limit": {"zh": "超时", "en": "time limit"},
    "verdict.memory_limit": {"zh": "内存超限", "en": "memory limit"},
    "verdict.output_limit": {"zh": "输出超限", "en": "output limit"},
    "verdict.runtime_error": {"zh": "运行错误", "en": "runtime error"},
    "verdict.missing": {"zh": "未提交", "en": "missing"},
    "verdict.sandbox_error": {"zh": "系统故障", "en": "our fault"},
    "test.passed": {"zh": "通过", "en": "passed"},
    "test.partial": {"zh": "部分得分", "en": "partial"},
    "test.failed": {"zh": "未通过", "en": "failed"},
    "test.error": {"zh": "出错", "en": "error"},
    "test.time_limit": {"zh": "超时", "en": "time limit"},
    "test.memory_limit": {"zh": "内存超限", "en": "memory limit"},
    "test.not_run": {"zh": "未运行", "en": "not run"},
    "test.sandbox_error": {"zh": "系统故障", "en": "our fault"},
    # staff
    "staff.exam": {"zh": "考试", "en": "Exam"},
    "staff.all_exams": {"zh": "全部考试", "en": "All exams"},
    "staff.filter": {"zh": "筛选", "en": "Filter"},
    "staff.name": {"zh": "姓名", "en": "Name"},
    "staff.seat": {"zh": "座位", "en": "Seat"},
    "staff.signed_in": {"zh": "最近登录", "en": "Last sign-in"},
    "staff.never": {"zh": "未登录", "en": "never"},
    "staff.submissions": {"zh": "提交数", "en": "Submissions"},
    "staff.new_code": {"zh": "发新登录码", "en": "New code"},
    "staff.clear_throttle": {"zh": "清除登录失败记录", "en": "Clear failed sign-ins"},
    "staff.failed_signins": {"zh": "登录失败 {n} 次", "en": "{n} failed sign-ins"},
    "staff.throttled_addresses": {"zh": "因登录失败而须等待的电脑（地址）", "en": "Computers (addresses) waiting after failed sign-ins"},
    "staff.throttled_addresses_help": {"zh": "近一小时内被放慢的地址。若整个考场共用一个地址（NAT、代理），可在确认无人猜码后清除。",
                                       "en": "Addresses slowed in the last hour. When a whole room shares one address (NAT, proxy), clear it once you are sure nobody is guessing."},
    "staff.no_candidates": {"zh": "还没有考生，请先导入名单。", "en": "No candidates yet: import a roster first."},
    "roster.help": {"zh": "CSV 文件，每行一名考生：准考证号,姓名,座位号（可带表头；UTF-8 或 GBK 编码）。新考生会得到一次性登录码，只显示一次。",
                    "en": "A CSV file, one candidate a line: candidate number, name, seat (a header row is allowed; UTF-8 or GBK). New candidates get a one-time code, shown once."},
    "roster.file": {"zh": "名单文件", "en": "Roster file"},
    "roster.new_codes": {"zh": "为名单中所有考生重新生成登录码", "en": "New codes for every candidate in the file"},
    "roster.import": {"zh": "导入", "en": "Import"},
    "roster.line": {"zh": "第 {line} 行", "en": "line {line}"},
    "roster.no_exams": {"zh": "还没有考试。启动时用 --exam 指定考试包。", "en": "No exams yet. Start the board with --exam to add a package."},
    "roster.missing": {"zh": "请选择考试和名单文件。", "en": "Choose an exam and a roster file."},
    "roster.encoding": {"zh": "文件既不是 UTF-8 也不是 GBK 编码。", "en": "The file is neither UTF-8 nor GBK text."},
    "roster.bad_number": {"zh": "准考证号“{value}”无效（只能包含字母、数字、- 和 _）。",
                          "en": "Candidate number '{value}' is not valid (letters, digits, - and _ only)."},
    "roster.duplicate": {"zh": "准考证号 {value} 重复。", "en": "Candidate number {value} appears twice."},
    "roster.too_long": {"zh": "{value} 的姓名或座位号太长。", "en": "The name or seat of {value} is too long."},
    "roster.too_many": {"zh": "名单超过 {value} 行。", "en": "The roster has more than {value} lines."},
    "roster.empty": {"zh": "文件中没有考生。", "en": "The file holds no candidates."},
    "roster.staff_conflict": {"zh": "这些编号已被工作人员账号使用：{value}", "en": "These numbers belong to staff accounts: {value}"},
    "codes.title": {"zh": "一次性登录码", "en": "One-time login codes"},
    "codes.once": {"zh": "登录码只显示这一次，请立即打印或分发。", "en": "These codes are shown only now: print or hand them out at once."},
    "codes.none": {"zh": "没有新的登录码（已有考生保留原来的登录码）。", "en": "No new codes (existing candidates keep theirs)."},
    "settings.attempt_limit": {"zh": "每题提交上限", "en": "Submissions per task"},
    "settings.min_interval": {"zh": "最短提交间隔（秒）", "en": "Minimum interval (s)"},
    "settings.published": {"zh": "成绩已公布", "en": "Results published"},
    "settings.intake_paused": {"zh": "暂停提交", "en": "Uploads paused"},
    "settings.edit": {"zh": "编辑", "en": "Edit"},
    "settings.save": {"zh": "保存", "en": "Save"},
    "exam_settings.invalid": {"zh": "设置无效：请检查时间（结束须晚于开始）和数字。",
                              "en": "Invalid settings: check the times (the end after the start) and the numbers."},
    "audit.time": {"zh": "时间", "en": "Time"},
    "audit.actor": {"zh": "操作人", "en": "Who"},
    "audit.action": {"zh": "操作", "en": "Action"},
    "audit.target": {"zh": "对象", "en": "Target"},
    "audit.details": {"zh": "详情", "en": "Details"},
    "audit.newer": {"zh": "较新", "en": "Newer"},
    "audit.older": {"zh": "较早", "en": "Older"},
}

CATALOGUE.update(STAFF_CATALOGUE)
CATALOGUE.update(CANDIDATE_CATALOGUE)
CATALOGUE.update(INTAKE_CATALOGUE)
CATALOGUE.update(CERT_CATALOGUE)
CATALOGUE.update(REVIEW_CATALOGUE)
CATALOGUE.update(CONTEST_CATALOGUE)
CATALOGUE.update(CONTEST_MESSAGES)

STATUSES = ("rejected", "queued", "retrying", "running", "graded", "failed", "cancelled")


def get_lang() -> str:
    if not has_request_context():
        return current_app.config.get("DEFAULT_LANG", "zh")
    if "lang" not in g:
        chosen = session.get("lang")
        g.lang = chosen if chosen in LANGS else current_app.config.get("DEFAULT_LANG", "zh")
    return g.lang


def t(key: str, **params) -> str:
    entry = CATALOGUE[key]
    text = entry.get(get_lang()) or entry["en"]
    return text.format(**params) if params else text


def local(dt) -> str:
    """A UTC datetime in the board's time zone, as the exam room reads it (pages and templates)."""
    return clock.local(dt, current_app.config["TIMEZONE"])


def form_value(dt) -> str:
    """A UTC datetime as a `datetime-local` form value in the board's time zone."""
    return clock.form_value(dt, current_app.config["TIMEZONE"])


def parse_local(text: str | None):
    """A `datetime-local` form value in the board's time zone, as aware UTC (None when empty)."""
    return clock.parse_local(text, current_app.config["TIMEZONE"])


def _context() -> dict:
    now = clock.utcnow()
    return {"lang": get_lang(),
            "clock": {"now_ms": clock.epoch_ms(now), "now_local": local(now),
                      "tz": current_app.config["TIMEZONE"]},
            "status_labels": {s: t(f"status.{s}") for s in STATUSES}}


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(t=t, local=local, get_lang=get_lang)   # globals reach imported macros too
    app.context_processor(_context)
