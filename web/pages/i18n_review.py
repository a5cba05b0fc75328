"""Staff review pages' text (artifacts in the browser, the original upload, a candidate's
detail page for proctors), zh and en (merged into `web.pages.i18n.CATALOGUE`)."""
from __future__ import annotations

CATALOGUE: dict[str, dict[str, str]] = {
    "review.view": {"zh": "查看", "en": "view"},
    "review.download": {"zh": "下载", "en": "download"},
    "review.upload": {"zh": "下载原始提交文件", "en": "Download the original upload"},
    "review.upload_gone": {"zh": "原始文件未保留（超过大小限制）。", "en": "The original file was not kept (over the size limit)."},
    "review.artifact": {"zh": "留存文件 · {name}", "en": "Artifact · {name}"},
    "review.back": {"zh": "返回提交 #{id}", "en": "Back to submission #{id}"},
    "review.safe": {"zh": "以下内容由考生代码写出，只作为文本和图片显示，其中的 HTML 和脚本不会执行。",
                    "en": "Candidate code wrote what follows: it is shown as text and pictures only; no HTML or script in it runs."},
    "review.stderr": {"zh": "标准错误输出", "en": "stderr"},
    "review.omitted": {"zh": "未显示的输出（{types}）", "en": "Output not shown ({types})"},
    "review.cut": {"zh": "内容过长，只显示开头；完整内容请下载。", "en": "Too long: only the beginning is shown; download it for all of it."},
    "review.binary": {"zh": "此文件既不是文本也不是图片，只能下载。", "en": "This file is neither text nor a picture: download it."},
    "review.nb_not_json": {"zh": "该笔记本无法读取（不是 JSON）。", "en": "The notebook cannot be read (it is not JSON)."},
    "review.nb_no_cells": {"zh": "该笔记本无法读取（没有单元格列表）。", "en": "The notebook cannot be read (it has no list of cells)."},
    "review.more_cells": {"zh": "另有 {n} 个单元格未显示。", "en": "{n} more cell(s) not shown."},
    "review.no_cells": {"zh": "笔记本中没有单元格。", "en": "The notebook has no cells."},
    "review.picture": {"zh": "输出的图片", "en": "picture output"},
    "review.screenshots": {"zh": "截图", "en": "Screenshots"},
}
