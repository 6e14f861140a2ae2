"""Demo 议定事项: the three 部署 items of the 1 June 2020 meeting (面上 / 线上 / 点上), which
the 2020 plan's tasks 4.1–4.3 are made from (``tasks.demo``). Through the services."""

from bulletins.models import Meeting

from . import services

MEETING_TITLE = "全市产业工人队伍建设改革试点工作部署推进会"

# (task number it becomes, decision, its text), in the meeting's order
DECISIONS = [
    (
        "4.1",
        "面上要坚持全市一盘棋、同发力",
        "产改办（总工会）对改革任务细化分解、明确分工，为各单位画好施工图、交好任务书，"
        "建立问题收集、督促检查、考核评价等工作机制；各成员单位抓紧制定针对性强、"
        "可操作性高的配套政策。",
    ),
    (
        "4.2",
        "线上要推动县区齐步走、不掉队",
        "立足各县区实际，选取支柱产业、战略性新兴产业和骨干企业等产业工人集聚的重点领域"
        "开展试点，积极选树典型、探索规律、总结经验。",
    ),
    (
        "4.3",
        "点上要助力企业主动推、大胆试",
        "试点企业研究制定年度产改任务清单，建立推动落实机制，确保圆满完成试点任务。",
    ),
]


def meeting_decisions(office) -> tuple[Meeting | None, dict]:
    """The demo meeting (None when the bulletins demo is not loaded) and its decisions
    by the task number each becomes, recorded once."""
    meeting = Meeting.objects.filter(title=MEETING_TITLE).first()
    if meeting is None:
        return None, {}
    existing = {d.order: d for d in meeting.decisions.all()}
    decisions = {}
    for order, (number, title, text) in enumerate(DECISIONS, start=1):
        decisions[number] = existing.get(order) or services.add_decision(
            meeting=meeting, by=office, title=title, text=text, order=order
        )
    return meeting, decisions
