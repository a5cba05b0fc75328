"""The candidate's and proctor's exam-day intake text, zh and en: uploads over the limit,
the cap on refused uploads, intake changes pushed to open pages, the queue on the
receipt, the store's disk (merged into `web.pages.i18n.CATALOGUE`)."""
from __future__ import annotations

CATALOGUE: dict[str, dict[str, str]] = {
    # uploads over the size limit (web/pages/uploads.py)
    "upload.refused_title": {"zh": "上传未被接受", "en": "Upload refused"},
    "upload.too_large": {"zh": "上传的文件至少 {size} MB，超过了 {limit} MB 的上限。",
                         "en": "The upload is at least {size} MB; the limit is {limit} MB."},
    "upload.limit_is": {"zh": "每次上传的文件最大为 {limit} MB。", "en": "One upload may be at most {limit} MB."},
    "upload.nothing_kept": {"zh": "超过上限的文件没有被保存，也不计入提交次数；记录中只保留了它的大小。",
                            "en": "Nothing over the limit was kept and it does not count as a submission; "
                                  "only its size is recorded."},
    "upload.shrink": {"zh": "请删去不需要提交的数据、模型和输出文件，或压缩成 zip 后重新上传。",
                      "en": "Leave out data, models and outputs you need not hand in, or zip the files, "
                            "then upload again."},
    "upload.back": {"zh": "返回考试页面", "en": "Back to the exam"},
    "upload.refused_often": {"zh": "一分钟内被拒绝的上传已达 {limit} 次，请检查文件后稍等一分钟再试。",
                             "en": "{limit} uploads were refused within a minute; check your file and "
                                   "try again in a minute."},
    "upload.refused_hour": {"zh": "一小时内被拒绝的上传已达 {limit} 次，请检查文件或询问监考老师，稍后再试。",
                            "en": "{limit} uploads were refused within an hour; check your file or ask a proctor, "
                                  "and try again later."},
    # the store's disk on the proctor's dashboard (web/services/disk.py)
    "proctor.disk": {"zh": "存储磁盘：已用 {used} / 共 {total}，剩余 {free}（{percent}%）；考试数据占用 {board}。",
                     "en": "Store disk: {used} used of {total}, {free} free ({percent}%); the board's files take {board}."},
    "alert.disk_low": {"zh": "存储磁盘只剩 {free}（{percent}%，低于 {threshold}% 的警戒线）：请尽快清理或扩容，磁盘写满后将无法接收提交。",
                       "en": "The store's disk has only {free} free ({percent}%, under the {threshold}% threshold): "
                             "free space or add some soon; uploads cannot be taken once it is full."},
    # the queue on the receipt (web/services/waiting.py)
    "wait.position": {"zh": "你的提交在评分队列中排第 {position} 位（另有 {running} 个正在评分）。",
                      "en": "Your submission is number {position} in the grading queue ({running} being graded now)."},
    "wait.estimate": {"zh": "按最近 {n} 次评分的平均用时（{mean}）估计，大约 {eta}后出结果。",
                      "en": "From the mean time of the last {n} gradings ({mean}), expect the result in about {eta}."},
    "wait.no_estimate": {"zh": "还没有最近的评分用时，暂时无法估计等待时间。",
                         "en": "No recent gradings to estimate the wait from yet."},
    "wait.seconds": {"zh": "{n} 秒", "en": "{n} s"},
    "wait.minutes": {"zh": "{n} 分钟", "en": "{n} min"},
}
