"""The candidate's exam-day text, zh and en: which submission counts, the kit, upload refusals,
live intake, the queue, verdict labels that fit the score; with the examiner's settings for
them (merged into `web.pages.i18n.CATALOGUE`)."""
from __future__ import annotations

CATALOGUE: dict[str, dict[str, str]] = {
    # which submission counts
    "count.last": {"zh": "计分规则：以最后一次评分完成的提交为准。",
                   "en": "Counting rule: your last graded submission counts."},
    "count.best": {"zh": "计分规则：以得分最高的一次提交为准。",
                   "en": "Counting rule: your best graded submission counts."},
    "count.before_deadline": {"zh": "计分规则：以 {time} 之前最后一次评分完成的提交为准，之后的提交只作反馈。",
                              "en": "Counting rule: your last graded submission handed in by {time} counts; "
                                    "later ones are feedback only."},
    "count.counted": {"zh": "计分的提交", "en": "Counted submission"},
    "count.none": {"zh": "还没有评分完成的提交。", "en": "Nothing graded yet."},
    "count.hidden": {"zh": "哪一次计分将在成绩公布后显示。", "en": "Which one counts is shown once results are published."},
    "count.total": {"zh": "计分总分", "en": "Counted total"},
    "count.marker": {"zh": "计分", "en": "counts"},
    "count.column": {"zh": "是否计分", "en": "Counts"},
    # verdict labels that fit the score (web/services/feedback.py)
    "verdict.full": {"zh": "满分", "en": "full marks"},
    "verdict.partial": {"zh": "部分正确", "en": "partly right"},
    "verdict.zero": {"zh": "未得分", "en": "no points"},
    "receipt.graded": {"zh": "评分已完成。", "en": "Grading is done."},
    # the candidate kit
    "kit.download": {"zh": "下载本题资料包（zip）", "en": "Download this task's kit (zip)"},
    "kit.what": {"zh": "题目说明、起始文件和公开样例数据（放在代码读取的目录中），不含评分用的隐藏数据。",
                 "en": "The statement, starter files and public sample data (where the code reads it); "
                       "never the hidden grading data."},
    "kit.unavailable": {"zh": "资料包暂时无法生成，请稍后再试或联系监考老师。",
                        "en": "The kit cannot be built right now; try again shortly or ask a proctor."},
    # the examiner's settings
    "settings.count_policy": {"zh": "计分规则（整场考试）", "en": "Which submission counts (the exam)"},
    "settings.task_policy": {"zh": "{task} 的计分规则", "en": "Which submission counts for {task}"},
    "settings.same_as_exam": {"zh": "与整场考试相同", "en": "as for the exam"},
    "settings.count_deadline": {"zh": "计分截止时间（留空：考试结束时间）", "en": "Counting deadline (empty: the exam's end)"},
    "settings.board_privacy": {"zh": "公开排行榜显示考生的", "en": "The public scoreboard shows of a candidate"},
    "privacy.masked": {"zh": "准考证号和部分隐藏的姓名（不显示座位）", "en": "the number and a masked name (no seat)"},
    "privacy.no_seat": {"zh": "准考证号和姓名（不显示座位）", "en": "the number and the name (no seat)"},
    "privacy.number_only": {"zh": "仅准考证号", "en": "the candidate number only"},
    "privacy.full": {"zh": "准考证号、姓名和座位", "en": "the number, name and seat"},
    "privacy.shown": {"zh": "公开排行榜显示：{mode}（考官在考试设置中选择）。",
                      "en": "The public scoreboard shows {mode} (the examiner chooses in the exam settings)."},
    "policy.last": {"zh": "最后一次评分完成的提交", "en": "the last graded submission"},
    "policy.best": {"zh": "得分最高的提交", "en": "the best graded submission"},
    "policy.before_deadline": {"zh": "截止时间前最后一次评分完成的提交", "en": "the last graded submission before the deadline"},
}
