"""Candidate-facing text, in Chinese and English (habit 10).

Every message a candidate can read comes from this catalogue by key, so none of
them shows a traceback of our code, an internal path or an exit code.
"""
from __future__ import annotations

import os

LANGS = ("zh", "en")

CATALOGUE: dict[str, dict[str, str]] = {
    # --- intake: why an upload was refused -------------------------------
    "empty_file": {
        "en": "The file {name} is empty.",
        "zh": "文件 {name} 是空的。",
    },
    "too_large": {
        "en": "The upload {name} is {size_mb:.1f} MB; the limit is {limit_mb:.1f} MB.",
        "zh": "上传的文件 {name} 大小为 {size_mb:.1f} MB，超过了 {limit_mb:.1f} MB 的上限。",
    },
    "wrong_type": {
        "en": "{name} is not an accepted file type. Hand in {accepted}.",
        "zh": "{name} 不是可接受的文件类型。请提交 {accepted}。",
    },
    "not_utf8": {
        "en": "{name} is neither UTF-8 nor GBK text. Save it with UTF-8 encoding and upload it again.",
        "zh": "{name} 既不是 UTF-8 也不是 GBK 编码的文本。请用 UTF-8 编码保存后重新上传。",
    },
    "converted_gbk": {
        "en": "Note: {files} was saved in GBK / GB18030 (a Chinese Windows encoding) and was converted to UTF-8 for grading.",
        "zh": "注意：{files} 以 GBK / GB18030 编码保存，评分时已转换为 UTF-8。",
    },
    "repaired_notebook": {
        "en": "Note: in {files} a cell whose type had been changed still carried the old type's fields (outputs on a text cell, or none on a code cell); they were normalised for grading.",
        "zh": "注意：{files} 中有单元格改过类型，仍带着原类型的字段（文本单元格带输出，或代码单元格缺少输出）；评分时已规范化。",
    },
    "bad_notebook": {
        "en": "{name} is not a valid Jupyter notebook ({detail}). Open it in Jupyter, save it, and upload it again.",
        "zh": "{name} 不是有效的 Jupyter 笔记本（{detail}）。请在 Jupyter 中打开并保存后重新上传。",
    },
    "bad_zip": {
        "en": "{name} is not a readable zip archive ({detail}).",
        "zh": "{name} 不是可读取的 zip 压缩包（{detail}）。",
    },
    "zip_bomb": {
        "en": "{name} unpacks to more than {limit_mb:.0f} MB or more than {limit_files} files; remove large or generated files and zip it again.",
        "zh": "{name} 解压后超过 {limit_mb:.0f} MB 或超过 {limit_files} 个文件；请删除大文件或生成的文件后重新压缩。",
    },
    "zip_unsafe_path": {
        "en": "{name} contains an unsafe path '{entry}' (absolute, or leaving the folder with '..'). Zip the project folder itself.",
        "zh": "{name} 中包含不安全的路径“{entry}”（绝对路径或含有“..”）。请直接压缩项目文件夹。",
    },
    "zip_link": {
        "en": "{name} contains a link '{entry}'. Links are not accepted; include the real file instead.",
        "zh": "{name} 中包含链接“{entry}”。不接受链接，请放入真实文件。",
    },
    "zip_too_deep": {
        "en": "{name} has folders nested more than {limit} levels deep ('{entry}'). Zip a flatter project folder.",
        "zh": "{name} 中的文件夹嵌套超过 {limit} 层（“{entry}”）。请减少文件夹层级后重新压缩。",
    },
    "zip_encrypted": {
        "en": "{name} is password-protected. Upload it without a password.",
        "zh": "{name} 设置了密码。请上传未加密的压缩包。",
    },
    "missing_files": {
        "en": "No file for any task was found in {name}. Expected one of: {expected}.",
        "zh": "在 {name} 中没有找到任何题目的文件。应包含：{expected}。",
    },
    "unknown_task": {
        "en": "There is no task '{task}' in this exam. Tasks: {tasks}.",
        "zh": "本考试没有题目“{task}”。题目有：{tasks}。",
    },
    "task_needs_choice": {
        "en": "Cannot tell which task {name} is for. Name the file after its task, or give the task (on the command line: --task TASK; tasks: {tasks}).",
        "zh": "无法判断 {name} 属于哪道题。请按题目命名文件，或指明题目（命令行：--task 题目；题目有：{tasks}）。",
    },
    "kind_not_accepted": {
        "en": "Task {task} does not accept a {kind}; it accepts {accepted}.",
        "zh": "题目 {task} 不接受 {kind}，只接受 {accepted}。",
    },
    "not_found": {
        "en": "The file {name} does not exist.",
        "zh": "文件 {name} 不存在。",
    },
    # --- task and test outcomes -----------------------------------------
    "task_missing": {
        "en": "Not handed in: expected {expected}.",
        "zh": "未提交：应提交 {expected}。",
    },
    "task_ok": {"en": "All checks passed.", "zh": "全部检查通过。"},
    "task_wrong": {
        "en": "{passed} of {total} checks passed.",
        "zh": "{total} 项检查中通过 {passed} 项。",
    },
    "memory_limit": {
        "en": "Your program ran out of memory (limit {memory_mb} MB) and was stopped. Process data in smaller pieces or free large arrays.",
        "zh": "程序内存不足（上限 {memory_mb} MB），已被终止。请分批处理数据或及时释放大的数组。",
    },
    "time_limit_run": {
        "en": "Your program did not finish within {wall_s:.0f} s and was stopped.",
        "zh": "程序未能在 {wall_s:.0f} 秒内结束，已被终止。",
    },
    "time_limit_cell": {
        "en": "Notebook cell {cell} ran longer than {cell_s:.0f} s and was stopped.",
        "zh": "笔记本第 {cell} 个单元格运行超过 {cell_s:.0f} 秒，已被终止。",
    },
    "time_limit_scaled": {
        "en": "(The exam's limit is {nominal:.0f} s; this grading machine's limits are x{factor:.2f} of the exam's, so that every machine allows the same amount of work.)",
        "zh": "（考试规定为 {nominal:.0f} 秒；本评分机器的时限按其速度调整为考试规定的 {factor:.2f} 倍，使每台机器允许的计算量相同。）",
    },
    "time_limit_test": {
        "en": "This check took longer than {test_s:.0f} s and was stopped.",
        "zh": "该项检查运行超过 {test_s:.0f} 秒，已被终止。",
    },
    "output_limit": {
        "en": "Your program wrote too much output (more than {limit}) and was stopped.",
        "zh": "程序输出过多（超过 {limit}），已被终止。",
    },
    "runtime_error": {
        "en": "Your program stopped with an error: {detail}",
        "zh": "程序运行出错：{detail}",
    },
    "cell_error": {
        "en": "Cell {cell}: {detail}",
        "zh": "第 {cell} 个单元格：{detail}",
    },
    "cell_error_line": {
        "en": "Cell {cell}, line {line}: {detail}",
        "zh": "第 {cell} 个单元格第 {line} 行：{detail}",
    },
    "cell_errors": {
        "en": "Notebook cells with errors: {cells}.",
        "zh": "出错的笔记本单元格：{cells}。",
    },
    "test_not_run": {
        "en": "Not run: your program stopped before this check.",
        "zh": "未运行：程序在此项检查前已停止。",
    },
    "test_memory": {
        "en": "Your program ran out of memory during this check.",
        "zh": "在此项检查中程序内存不足。",
    },
    "test_failed": {"en": "Check failed.", "zh": "检查未通过。"},
    "sandbox_error": {
        "en": "Grading could not run because of a fault on our side; this is not counted against you and the submission will be graded again.",
        "zh": "由于评分系统故障未能完成评分；不会影响你的成绩，系统将重新评分。",
    },
    "missing_function": {
        "en": "Your code does not define `{name}`, which this task asks for.",
        "zh": "你的代码没有定义题目要求的 `{name}`。",
    },
}


def default_lang() -> str:
    lang = os.environ.get("PRACTICUM_LANG", "en")
    return lang if lang in LANGS else "en"


def text(key: str, lang: str | None = None, **params) -> str:
    lang = lang or default_lang()
    entry = CATALOGUE[key]
    template = entry.get(lang) or entry["en"]
    return template.format(**params)


def both(key: str, **params) -> str:
    """Chinese first, then English: for places that cannot know the reader."""
    zh, en = text(key, "zh", **params), text(key, "en", **params)
    return zh if zh == en else f"{zh} / {en}"
