"""The competition pages' text, zh and en (merged into `web.pages.i18n.CATALOGUE`, with the
refusal texts of `web.services.contest.messages` the CLI prints too)."""
from __future__ import annotations

CATALOGUE: dict[str, dict[str, str]] = {
    "nav.contests": {"zh": "竞赛", "en": "Competitions"},
    "contest.none": {"zh": "本系统还没有竞赛（用 practicum contest create 创建）。",
                     "en": "No competition on this board yet (practicum contest create)."},
    "contest.title": {"zh": "竞赛", "en": "Competition"},
    "contest.stage": {"zh": "阶段", "en": "Stage"},
    "stage.preliminary": {"zh": "省级预赛", "en": "Preliminary"},
    "stage.final": {"zh": "全国决赛", "en": "Final"},
    "contest.site": {"zh": "赛区", "en": "Site"},
    "contest.national_board": {"zh": "全国汇总", "en": "National board"},
    "contest.tabs": {"zh": "分组", "en": "Tabs"},
    "contest_tab.employee": {"zh": "职工组", "en": "Employee division"},
    "contest_tab.student": {"zh": "学生组", "en": "Student division"},
    "contest_tab.site": {"zh": "赛区总排名", "en": "Whole site"},
    "contest_tab.teams": {"zh": "参赛队", "en": "Teams"},
    "contest_tab.imports": {"zh": "成绩包导入", "en": "Package imports"},
    "contest_tab.sites": {"zh": "赛区与公钥", "en": "Sites and keys"},
    "contest.rules": {"zh": "总分 = 理论 {weight}% + 实操 {rest}%；队伍理论成绩取成员的{rule}；每队 {min}–{max} 人。",
                      "en": "final = theory {weight} % + practical {rest} %; team theory: {rule} of the members'; "
                            "{min}-{max} members per team."},
    "theory_rule.mean": {"zh": "平均分", "en": "the mean"},
    "theory_rule.max": {"zh": "最高分", "en": "the best"},
    "theory_rule.min": {"zh": "最低分", "en": "the lowest"},
    "contest.frozen_since": {"zh": "公开榜自 {time} 起冻结：公开页面只计冻结前提交的作品，不显示奖项。",
                             "en": "The public board is frozen since {time}: it counts what was handed in before, "
                                   "and shows no awards."},
    "contest.not_frozen": {"zh": "公开榜未冻结。", "en": "The public board is not frozen."},
    "contest.board_controls": {"zh": "冻结、解冻与公开（考试排行榜）", "en": "freeze, unfreeze, make public (the exam's board)"},
    "contest.public_frozen": {"zh": "排行榜已冻结：只计冻结前提交的作品；奖项在解冻后公布。",
                              "en": "The board is frozen: only what was handed in before the freeze counts; "
                                    "awards are shown after it is unfrozen."},
    "contest.members": {"zh": "成员", "en": "Members"},
    "contest.captain": {"zh": "队长", "en": "captain"},
    "contest.practical_pct": {"zh": "实操（%）", "en": "Practical (%)"},
    "contest.final": {"zh": "总分", "en": "Final"},
    "contest.site_rank": {"zh": "赛区名次", "en": "Site rank"},
    "contest.award": {"zh": "奖项", "en": "Award"},
    "award.1": {"zh": "一等奖", "en": "First prize"},
    "award.2": {"zh": "二等奖", "en": "Second prize"},
    "award.3": {"zh": "三等奖", "en": "Third prize"},
    "contest.finalist": {"zh": "决赛资格", "en": "Final"},
    "finalist.quota": {"zh": "晋级（赛区名额）", "en": "finalist (site quota)"},
    "finalist.top": {"zh": "晋级（全国排名）", "en": "finalist (national top)"},
    "contest.no_teams": {"zh": "还没有队伍。", "en": "No teams yet."},
    "contest.tie_rule": {"zh": "按总分排名；总分相同时实操成绩高者在前，再相同时最后一次计分提交较早者在前，三者都相同则并列。",
                         "en": "Ranked by the final score; ties go to the higher practical score, then to the "
                               "earlier last counted submission; teams equal on all three share a rank."},
    "award_rule.ratio": {"zh": "奖项按比例：一/二/三等奖 {tiers}%（并列者同奖）。",
                                 "en": "Awards by ratio: first / second / third {tiers} % (ties share the prize)."},
    "award_rule.count": {"zh": "奖项按名额：一/二/三等奖 {tiers} 队（并列者同奖）。",
                                 "en": "Awards by count: first / second / third {tiers} teams (ties share the prize)."},
    "finalist_rule.top": {"zh": "决赛资格：各组全国前 {top} 名（并列者同进）。",
                                  "en": "Finalists: each division's national top {top} (ties go too)."},
    "finalist_rule.quota": {"zh": "决赛资格：每赛区每组前 {quota} 名，另加其余队伍中全国前 {top} 名。",
                                    "en": "Finalists: each site's best {quota} per division, then the national top "
                                          "{top} of the rest."},
    "contest.exports": {"zh": "导出", "en": "Export"},
    "contest.ranking": {"zh": "排名", "en": "Ranking"},
    "contest.awards": {"zh": "获奖与晋级名单", "en": "Awards and finalists"},
    "contest.team_file": {"zh": "队伍名单（Excel .xlsx 或 CSV，UTF-8 或 GBK）", "en": "Team list (Excel .xlsx or CSV, UTF-8 or GBK)"},
    "contest.team_file_help": {"zh": "每行一名成员：队伍编号、队名、组别、单位、单位类型、地区、姓名、身份证号、身份、角色、准考证号……任何一行有问题都不导入，并列出全部问题。",
                               "en": "One row per member: team id, team name, division, affiliation, kind, region, "
                                     "name, ID number, category, role, candidate number... Any bad row imports "
                                     "nothing; every problem is listed."},
    "contest.problems": {"zh": "文件中有 {n} 个问题，未导入任何内容：", "en": "The file has {n} problem(s); nothing was imported:"},
    "contest.no_file": {"zh": "请选择要上传的文件。", "en": "Choose a file to upload."},
    "contest.package_file": {"zh": "赛区成绩包（.zip）", "en": "A site's results package (.zip)"},
    "contest.package_help": {"zh": "导入前先验证签名（赛区公钥）、每个文件的哈希、竞赛、阶段和考试包；验证失败的成绩包不会计入排名，并在下表中显示原因。同一成绩包重复导入不会改变任何内容；同一赛区较新的成绩包替换较旧的（旧的保留为历史）。",
                             "en": "Before anything is imported: the signature (the site's public key), every "
                                   "file's hash, the competition, stage and exam package. A refused package is "
                                   "never ranked and is listed below with its reason. The same package twice "
                                   "changes nothing; a newer export of a site replaces the older (kept as history)."},
    "contest.import_package": {"zh": "验证并导入", "en": "Verify and import"},
    "contest.imported_at": {"zh": "导入时间", "en": "Imported"},
    "contest.file": {"zh": "文件", "en": "File"},
    "contest.exported_at": {"zh": "导出时间", "en": "Exported"},
    "contest.status": {"zh": "状态", "en": "Status"},
    "contest.teams": {"zh": "队伍数", "en": "Teams"},
    "contest.reason": {"zh": "原因", "en": "Reason"},
    "import_status.current": {"zh": "已计入", "en": "current"},
    "import_status.superseded": {"zh": "已被替换（历史）", "en": "superseded (history)"},
    "import_status.refused": {"zh": "已拒绝", "en": "refused"},
    "contest.no_imports": {"zh": "还没有导入任何成绩包。", "en": "No package imported yet."},
    "contest.refused": {"zh": "成绩包被拒绝：{reason}", "en": "Package refused: {reason}"},
    "contest.public_key": {"zh": "公钥（Ed25519）", "en": "Public key (Ed25519)"},
    "contest.no_sites": {"zh": "还没有登记赛区公钥。", "en": "No site key registered yet."},
    "contest.trust_help": {"zh": "登记赛区公钥：practicum results trust {key} --site 赛区代码 --public-key 公钥（赛区执行 practicum results keygen 时打印）。",
                           "en": "Register a site's key: practicum results trust {key} --site CODE --public-key HEX "
                                 "(what the site's practicum results keygen printed)."},
    # confirmations
    "confirm.contest_teams": {"zh": "从文件 {file} 导入 {teams} 支队伍（{members} 名成员）到「{competition}」？队伍编号相同的已有队伍将被替换；新成员会得到一次性登录码。",
                              "en": "Import {teams} team(s) ({members} members) from {file} into {competition}? "
                                    "Teams with the same team id are replaced; new members get one-time codes."},
    "confirm.contest_teams_js": {"zh": "导入这份队伍名单到「{competition}」？队伍编号相同的已有队伍将被替换。",
                                 "en": "Import this team list into {competition}? Teams with the same team id are replaced."},
    "confirm.results_import": {"zh": "导入赛区 {site} 的成绩包 {file}（导出于 {exported}，{teams} 支队伍）？签名已验证；这些队伍将计入全国排名。",
                               "en": "Import site {site}'s package {file} (exported {exported}, {teams} teams)? "
                                     "Its signature is valid; the teams join the national ranking."},
    "confirm.results_replace": {"zh": "导入赛区 {site} 的成绩包 {file}（导出于 {exported}，{teams} 支队伍）？它将替换该赛区导出于 {before} 的成绩包（旧包保留为历史）。",
                                "en": "Import site {site}'s package {file} (exported {exported}, {teams} teams)? "
                                      "It replaces the site's package exported {before} (kept as history)."},
    "confirm.results_js": {"zh": "验证并导入这个成绩包？验证通过时，它会计入全国排名（同一赛区较旧的成绩包将被替换）。",
                           "en": "Verify and import this package? If it is valid, its teams join the national "
                                 "ranking (replacing an older package of the same site)."},
}
