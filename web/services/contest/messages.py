"""What a refused team list or results package says, zh and en: read by the CLI without Flask
and merged into the pages' catalogue (`web.pages.i18n`)."""
from __future__ import annotations

from .sheet import Problem

CATALOGUE: dict[str, dict[str, str]] = {
    # team list rows
    "entrants.missing": {"zh": "必填，但为空", "en": "is required but empty"},
    "entrants.bad_division": {"zh": "组别应为“职工组”或“学生组”：{value}", "en": "division must be employee (职工组) or student (学生组): {value}"},
    "entrants.bad_kind": {"zh": "单位类型应为“学校”或“企业”：{value}", "en": "affiliation kind must be school or company: {value}"},
    "entrants.bad_category": {"zh": "身份应为“学生”“职工”或“教师”：{value}", "en": "category must be student, employee or teacher: {value}"},
    "entrants.bad_role": {"zh": "角色应为“队长”或“队员”：{value}", "en": "role must be captain or member: {value}"},
    "entrants.bad_title": {"zh": "国家级称号应填“是”或“否”：{value}", "en": "national title must be yes or no: {value}"},
    "entrants.bad_id": {"zh": "编号只能含字母、数字、- 和 _：{value}", "en": "ids may hold letters, digits, - and _ only: {value}"},
    "entrants.too_long": {"zh": "内容过长", "en": "is too long"},
    "entrants.id_shape": {"zh": "身份证号应为 18 位（最后一位可为 X）：{value}", "en": "an ID number has 18 characters (the last may be X): {value}"},
    "entrants.id_date": {"zh": "身份证号中的出生日期不存在：{value}", "en": "the birth date in the ID number does not exist: {value}"},
    "entrants.id_checksum": {"zh": "身份证号校验位不对（可能输错了一位）：{value}", "en": "the ID number's check character is wrong (a mistyped digit?): {value}"},
    "entrants.team_name_twice": {"zh": "两个队伍编号使用了同一队名：{value}", "en": "two team ids share the team name {value}"},
    "entrants.team_name_taken": {"zh": "队名已被系统中另一支队伍使用：{value}", "en": "another team on the board has the name {value}"},
    "entrants.two_affiliations": {"zh": "同一队伍的成员来自不同单位：{value}", "en": "a team's members come from two affiliations: {value}"},
    "entrants.team_differs": {"zh": "同一队伍编号的队名不一致：{value}", "en": "the team's name differs from its first row: {value}"},
    "entrants.division_differs": {"zh": "同一队伍的组别不一致：{value}", "en": "the team's division differs from its first row: {value}"},
    "entrants.team_too_big": {"zh": "队伍人数超过上限：{value}", "en": "the team has more members than allowed: {value}"},
    "entrants.team_too_small": {"zh": "队伍人数少于下限：{value}", "en": "the team has fewer members than required: {value}"},
    "entrants.two_captains": {"zh": "同一队伍只能有一名队长：{value}", "en": "a team has one captain only: {value}"},
    "entrants.national_title": {"zh": "获得国家级称号的人员不能作为选手参赛：{value}", "en": "a holder of a national title may not compete: {value}"},
    "entrants.not_eligible_employee": {"zh": "学生不能参加职工组（身份：{value}）", "en": "a student may not enter the employee division (category: {value})"},
    "entrants.not_eligible_student": {"zh": "职工或教师不能参加学生组（身份：{value}）", "en": "an employee or teacher may not enter the student division (category: {value})"},
    "entrants.person_twice": {"zh": "同一人出现在两支队伍中：{value}", "en": "the same person is in two teams: {value}"},
    "entrants.in_other_team": {"zh": "此人已是另一支队伍的成员：{value}", "en": "this person is already a member of team {value}"},
    "entrants.duplicate_number": {"zh": "准考证号重复：{value}", "en": "the candidate number appears twice: {value}"},
    "entrants.number_taken": {"zh": "准考证号已属于其他人或工作人员账号：{value}", "en": "the candidate number belongs to someone else or a staff account: {value}"},
    "entrants.person_id_taken": {"zh": "人员编号已属于另一个人：{value}", "en": "the person id belongs to someone else: {value}"},
    "entrants.kind_needed": {"zh": "新单位需要填写单位类型（学校或企业）：{value}", "en": "a new affiliation needs its kind (school or company): {value}"},
    "entrants.empty": {"zh": "文件中没有数据行", "en": "the file has no data rows"},
    "entrants.sheet_encoding": {"zh": "文件既不是 UTF-8 也不是 GBK 编码", "en": "the file is neither UTF-8 nor GBK"},
    "entrants.sheet_xlsx": {"zh": "无法读取 Excel 文件（{value}）", "en": "the Excel file cannot be read ({value})"},
    "entrants.sheet_too_many": {"zh": "行数过多（上限 {value}）", "en": "too many rows (at most {value})"},
    "entrants.line": {"zh": "第 {line} 行，{field}：{reason}", "en": "line {line}, {field}: {reason}"},
    "entrants.file": {"zh": "文件：{reason}", "en": "file: {reason}"},
    # columns
    "field.team_id": {"zh": "队伍编号", "en": "team id"},
    "field.team": {"zh": "队名", "en": "team name"},
    "field.division": {"zh": "组别", "en": "division"},
    "field.affiliation": {"zh": "单位", "en": "affiliation"},
    "field.kind": {"zh": "单位类型", "en": "affiliation kind"},
    "field.region": {"zh": "地区", "en": "region"},
    "field.name": {"zh": "姓名", "en": "name"},
    "field.id_number": {"zh": "身份证号", "en": "ID number"},
    "field.category": {"zh": "身份", "en": "category"},
    "field.role": {"zh": "角色", "en": "role"},
    "field.number": {"zh": "准考证号", "en": "candidate number"},
    "field.contact": {"zh": "联系方式", "en": "contact"},
    "field.person_id": {"zh": "人员编号", "en": "person id"},
    "field.title": {"zh": "国家级称号", "en": "national title"},
    # results packages
    "results.not_zip": {"zh": "不是成绩包（zip 文件无法打开）", "en": "not a results package (the zip cannot be opened)"},
    "results.no_manifest": {"zh": "成绩包缺少 manifest.json", "en": "the package has no manifest.json"},
    "results.bad_manifest": {"zh": "manifest.json 无法读取：{value}", "en": "manifest.json cannot be read: {value}"},
    "results.schema": {"zh": "不支持的成绩包版本：{value}", "en": "unsupported package schema: {value}"},
    "results.unsigned": {"zh": "成绩包未签名（缺少 manifest.sig）", "en": "the package is not signed (no manifest.sig)"},
    "results.unknown_site": {"zh": "赛区 {value} 的公钥未登记，无法验证", "en": "site {value} has no registered public key: cannot verify"},
    "results.bad_signature": {"zh": "签名无效：成绩包被修改过，或不是该赛区的密钥签名的（赛区 {value}）", "en": "bad signature: the package was changed, or not signed with site {value}'s key"},
    "results.tampered": {"zh": "文件 {value} 与签名的清单不符（已被修改）", "en": "the file {value} does not match the signed manifest (changed)"},
    "results.extra_file": {"zh": "成绩包中有清单未列出的文件：{value}", "en": "the package holds a file the manifest does not list: {value}"},
    "results.missing_file": {"zh": "成绩包缺少清单列出的文件：{value}", "en": "the package lacks a file its manifest lists: {value}"},
    "results.wrong_competition": {"zh": "成绩包属于另一个竞赛：{value}", "en": "the package is for another competition: {value}"},
    "results.wrong_stage": {"zh": "成绩包属于另一个阶段：{value}", "en": "the package is for another stage: {value}"},
    "results.wrong_exam": {"zh": "成绩包的考试包（sha256 {value}）与本竞赛的考试包不同", "en": "the package's exam (sha256 {value}) is not this competition's exam"},
    "results.older": {"zh": "该赛区已导入更新的成绩包（导出于 {value}），此包较旧，未导入", "en": "a newer export of this site (exported {value}) is imported already: this older one was not"},
    "results.bad_results": {"zh": "results.json 无法读取：{value}", "en": "results.json cannot be read: {value}"},
    "results.ok": {"zh": "签名有效，成绩包完整", "en": "signature valid, package complete"},
    "results.api_no_competition": {"zh": "本成绩汇总平台上没有竞赛 {value}", "en": "no competition {value} on this national board"},
    "results.api_too_large": {"zh": "成绩包超过 {value} MB，未接收", "en": "the package is over {value} MB: not taken"},
    "results.api_wrong_site": {"zh": "成绩包由赛区 {value} 签名，与地址中的赛区不符", "en": "the package is signed for site {value}, not the site in the address"},
    "results.imported": {"zh": "已导入：{value} 支队伍", "en": "imported: {value} team(s)"},
    "results.same": {"zh": "此成绩包已导入过，未做任何改动", "en": "this package was imported already: nothing changed"},
    "results.replaced": {"zh": "已导入，替换了该赛区较早的成绩包", "en": "imported, replacing the site's earlier package"},
}


def import_text(status: str, teams: int, lang: str) -> str:
    """What an accepted import did (`national.Outcome.status`: imported, replaced, same)."""
    return text(f"results.{status}", lang, value=teams)


def text(key: str, lang: str, **params) -> str:
    entry = CATALOGUE[key]
    return (entry.get(lang) or entry["en"]).format(**params)


def problem_text(p: Problem, lang: str) -> str:
    reason = text(p.reason, lang, value=p.value)
    if p.line == 0:
        return text("entrants.file", lang, reason=reason)
    return text("entrants.line", lang, line=p.line, field=text(f"field.{p.field}", lang), reason=reason)
