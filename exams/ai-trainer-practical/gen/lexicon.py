"""Word lists and sentence templates for the text tasks (work orders from a factory).

Shared by gen/text.py and gen/audit.py. Everything is kept here, nothing is
downloaded. A template holds {DEVICE} and {LOC} slots (the entities) and {N}.
Some locations contain others ("装配线" in "装配线A"): the labeling
specification asks for the longest name.
"""
from __future__ import annotations

CLASSES = ("fault", "shortage", "safety", "quality")
CLASS_ZH = {"fault": "设备故障", "shortage": "物料短缺", "safety": "安全隐患", "quality": "质量问题"}
TYPES = ("DEVICE", "LOC")

DEVICES = ("冲压机", "传送带", "焊接机器人", "空压机", "数控车床", "注塑机", "叉车", "包装机", "行车", "激光切割机")
LOCATIONS = ("一号车间", "二号车间", "三号仓库", "装配线", "装配线A", "装配线B", "喷涂区", "质检室", "东门", "成品库")

TEMPLATES = {
    "fault": (
        "{LOC}的{DEVICE}突然停机，报警灯一直闪。",
        "{DEVICE}在{LOC}运行时异响很大，电机发烫。",
        "早班反映{LOC}那台{DEVICE}启动不了，屏幕报错。",
        "{LOC}{DEVICE}的液压系统漏油，压力上不去。",
        "{DEVICE}又卡死了，{LOC}已经停了{N}分钟。",
    ),
    "shortage": (
        "{LOC}的螺丝只剩{N}箱了，{DEVICE}快要停工待料。",
        "{DEVICE}旁边的包装膜用完了，请尽快往{LOC}补货。",
        "{LOC}缺少垫片，{DEVICE}今天只能开半班。",
        "下午{LOC}的钢板库存不足{N}张，{DEVICE}要等料。",
        "{LOC}急需补充润滑油，{DEVICE}的备件也没有了。",
    ),
    "safety": (
        "{LOC}地面有油污，{DEVICE}旁边有人没戴安全帽。",
        "{DEVICE}的防护罩被拆掉了，{LOC}的工人直接伸手操作。",
        "{LOC}的消防通道被{DEVICE}挡住了。",
        "有人在{LOC}的{DEVICE}下方站立，非常危险。",
        "{LOC}电线裸露，离{DEVICE}不到{N}米。",
    ),
    "quality": (
        "{DEVICE}今天加工的零件尺寸超差，{LOC}退回了{N}件。",
        "{LOC}抽检发现{DEVICE}做的外壳有毛刺。",
        "客户投诉{LOC}发出的货有划痕，怀疑是{DEVICE}的问题。",
        "{DEVICE}生产的这批产品颜色不均，{LOC}判定不合格。",
        "{LOC}复检时{DEVICE}的焊点有{N}处虚焊。",
    ),
}


def sentence(rng, label: str) -> dict:
    """One work order of class `label`: its text and its entity spans (start, end exclusive)."""
    template = TEMPLATES[label][int(rng.integers(len(TEMPLATES[label])))]
    values = {"DEVICE": DEVICES[int(rng.integers(len(DEVICES)))],
              "LOC": LOCATIONS[int(rng.integers(len(LOCATIONS)))],
              "N": str(int(rng.integers(2, 60)))}
    text, entities, i = "", [], 0
    while i < len(template):
        if template[i] == "{":
            j = template.index("}", i)
            slot = template[i + 1:j]
            if slot in TYPES:
                entities.append({"start": len(text), "end": len(text) + len(values[slot]), "type": slot})
            text += values[slot]
            i = j + 1
        else:
            text += template[i]
            i += 1
    return {"text": text, "label": label, "entities": entities}
