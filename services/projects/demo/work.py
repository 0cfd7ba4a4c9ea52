"""Demo data: tasks (倒排工期), approvals and their documents, the problem ledger (挂号/销号) and supervision
items (督办). Loaded by ``demo.seed_demo`` after regions and projects, in the same transaction,
through the use cases; idempotent (a rerun adds nothing: every record has a stable id, and a project
whose first record exists is left alone).

The demo's today is 22 November 2026: some tasks and problems are overdue, some closed with evidence;
overdue problems are escalated to supervision items as the scheduled job would."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from kernel import calendar
from kernel.auth.principal import SYSTEM
from kernel.demo_ids import DEMO_NAMESPACE, demo_project_id
from services.projects.documents.service import DocumentStorage, Upload
from services.projects.problems import service as problems
from services.projects.problems.repository import ProblemRepository
from services.projects.problems.vocabulary import ProblemCategory
from services.projects.settings import ProjectsSettings
from services.projects.supervision import service as supervision
from services.projects.supervision.repository import SupervisionRepository
from services.projects.supervision.vocabulary import SupervisionSource
from services.projects.tasks import service as tasks
from services.projects.tasks.repository import TaskRepository
from services.projects.tasks.vocabulary import TaskKind, TaskStatus

D = dt.date


def _id(kind: str, code: str, key: str) -> uuid.UUID:
    return uuid.uuid5(DEMO_NAMESPACE, f"{kind}:{code}:{key}")


def _pdf(text: str) -> bytes:
    """A small PDF-like file: enough to show upload, hash and download in the demo."""
    return b"%PDF-1.4\n% Anju demo document\n" + text.encode() + b"\n%%EOF\n"


@dataclass(frozen=True)
class DemoTask:
    key: str
    title: str
    kind: TaskKind = TaskKind.general
    owner_name: str | None = None
    owner_unit_name: str | None = None
    planned_start: dt.date | None = None
    planned_end: dt.date | None = None
    status: TaskStatus = TaskStatus.not_started
    progress: int = 0
    actual_end: dt.date | None = None
    document_number: str | None = None
    approving_authority: str | None = None
    approved_on: dt.date | None = None
    document: tuple[str, str] | None = None  # (file name, text)
    reports: tuple[tuple[int, str], ...] = ()


@dataclass(frozen=True)
class DemoStep:
    key: str
    title: str
    duration_days: int
    working_days: bool = False
    after: tuple[str, ...] | None = None
    owner_name: str | None = None
    owner_unit_name: str | None = None


@dataclass(frozen=True)
class DemoPlan:
    target: dt.date
    steps: tuple[DemoStep, ...]


@dataclass(frozen=True)
class DemoProblem:
    key: str
    category: ProblemCategory
    title: str
    description: str
    measure: str
    registered_on: dt.date
    deadline: dt.date
    owner_name: str
    owner_unit_name: str
    notes: tuple[str, ...] = ()
    closed: tuple[str, dt.date, str, tuple[str, str] | None] | None = None  # note, on, reference, document


@dataclass(frozen=True)
class DemoItem:
    key: str
    source: SupervisionSource
    meeting_date: dt.date
    meeting_title: str
    subject: str
    detail: str
    deadline: dt.date
    owner_name: str
    owner_unit_name: str
    reports: tuple[tuple[int | None, str], ...] = ()
    result: tuple[str, dt.date] | None = None


@dataclass(frozen=True)
class DemoWork:
    tasks: tuple[DemoTask, ...] = ()
    plan: DemoPlan | None = None
    problems: tuple[DemoProblem, ...] = ()
    items: tuple[DemoItem, ...] = ()
    extra: dict[str, str] = field(default_factory=dict)


HESHAN_ZHENGSHOU = "赫山区房屋征收与补偿办公室"
TAOHUALUN = "桃花仑街道办事处"

WORK: dict[str, DemoWork] = {
    # 桃花仑片区棚改: in signing; every agreement signed by the end of March 2027.
    "YY-PG-2022-003": DemoWork(
        tasks=(
            DemoTask("approval", "桃花仑片区棚户区改造项目立项", TaskKind.project_approval, "王建华",
                     "益阳市发展和改革委员会",
                     D(2025, 12, 1), D(2026, 1, 31), TaskStatus.done, 100, D(2026, 1, 20), "益发改审〔2026〕9号",
                     "益阳市发展和改革委员会", D(2026, 1, 20),
                     ("立项批复.pdf", "益阳市发展和改革委员会关于桃花仑片区棚户区改造项目立项的批复")),
            DemoTask("stability", "桃花仑片区征收社会稳定风险评估", TaskKind.stability_assessment, "罗志勇",
                     "赫山区委政法委",
                     D(2026, 3, 1), D(2026, 4, 15), TaskStatus.done, 100, D(2026, 4, 10), "赫稳评〔2026〕4号",
                     "中共益阳市赫山区委政法委员会", D(2026, 4, 10),
                     ("稳评报告备案意见.pdf", "桃花仑片区房屋征收项目社会稳定风险评估报告备案意见：风险等级低")),
            DemoTask("land", "安置地块用地预审与选址意见", TaskKind.land_use, "曹丽", "益阳市自然资源和规划局赫山分局",
                     D(2026, 9, 1), D(2026, 11, 15), TaskStatus.in_progress, 70,
                     reports=((40, "已完成勘测定界，报市局审查"), (70, "市局审查意见已反馈，正在补正规划条件"))),
            DemoTask("eia", "安置小区建设项目环境影响评价", TaskKind.eia, "邓伟", "益阳市生态环境局赫山分局",
                     D(2026, 12, 1), D(2027, 2, 28)),
            DemoTask("mobilise", "腾空房屋安全巡查与断水断电", TaskKind.general, "陈志强", TAOHUALUN,
                     D(2026, 10, 15), D(2026, 11, 20), TaskStatus.in_progress, 55,
                     reports=((55, "已巡查腾空房屋 186 栋，断水断电 142 户"),)),
        ),
        plan=DemoPlan(D(2027, 3, 31), (
            DemoStep("review", "入户调查结果复核与公示", 15, True, None, "刘建军", TAOHUALUN),
            DemoStep("appraisal", "分户评估报告送达与复估", 20, False, None, "周敏", HESHAN_ZHENGSHOU),
            DemoStep("signing", "补偿安置协议集中签约", 60, False, ("appraisal",), "陈志强", TAOHUALUN),
            DemoStep("clearing", "签约扫尾与清零", 30, False, ("signing",), "李红梅", TAOHUALUN),
        )),
        problems=(
            DemoProblem("appraisal-dispute", ProblemCategory.compensation_dispute,
                        "桃花仑社区 3 组 4 户对评估单价有异议",
                        "王某某等 4 户认为评估单价低于周边二手房成交价，拒绝签约，并要求更换评估机构。",
                        "组织评估机构现场复核并说明估价依据；街道班子成员包户做工作；必要时申请评估专家委员会鉴定。",
                        D(2026, 10, 20), D(2026, 11, 16), "李红梅", TAOHUALUN,
                        notes=("评估机构已复核 2 户，维持原结果，已当面解释",)),
            DemoProblem("housing-shortage", ProblemCategory.resettlement_housing, "两居室安置房源不足",
                        "选房意向统计显示 32 户选择两居室，现有房源仅 20 套。",
                        "协调市住保中心从金银山安置小区调剂房源；对愿意选择货币补偿的给予奖励。",
                        D(2026, 11, 2), D(2026, 11, 30), "周敏", HESHAN_ZHENGSHOU),
            DemoProblem("business-loss", ProblemCategory.policy_demand, "个体经营户要求提高停产停业损失补偿",
                        "临街 6 户个体经营户要求按近三年平均利润计算停产停业损失。",
                        "对照征收补偿方案逐户核实营业执照和纳税记录，依规认定。",
                        D(2026, 9, 15), D(2026, 10, 31), "刘建军", HESHAN_ZHENGSHOU,
                        notes=("已收集 6 户营业执照和纳税证明",),
                        closed=("6 户停产停业损失已按方案逐户认定并签约。", D(2026, 10, 28),
                                "桃花仑片区征收工作协调会纪要〔2026〕第9期",
                                ("停产停业损失认定表.pdf", "桃花仑片区临街经营户停产停业损失认定汇总表（6 户）"))),
            DemoProblem("inheritance", ProblemCategory.conflict, "兄弟析产纠纷致 1 户被征收人无法确定",
                        "桃花仑社区 5 组张氏兄弟三人对祖屋产权有争议，无法确定签约主体。",
                        "司法所牵头调解；调解不成的引导当事人诉讼，补偿款依法提存。",
                        D(2026, 11, 10), D(2026, 12, 20), "罗志勇", "桃花仑街道司法所"),
        ),
        items=(
            DemoItem("week47", SupervisionSource.weekly_bulletin, D(2026, 11, 18), "全区棚改征拆工作第47周通报",
                     "桃花仑片区本周签约进度排名末位，限期提交攻坚方案",
                     "本周仅签约 3 户，累计签约率 41%，低于序时进度。由街道党工委书记牵头制定攻坚方案报区指挥部。",
                     D(2026, 11, 25), "陈志强", "桃花仑街道党工委",
                     reports=((40, "攻坚方案已起草，拟增派 2 个工作组"),)),
        ),
    ),
    # 古杨家园城中村改造: collective land, survey under way; land filing held up.
    "YY-CZC-2023-001": DemoWork(
        tasks=(
            DemoTask("filing", "集体土地征收组卷报批", TaskKind.land_filing, "曹丽", "益阳市自然资源和规划局赫山分局",
                     D(2026, 8, 1), D(2026, 11, 10), TaskStatus.in_progress, 60,
                     reports=((60, "组卷材料已报省自然资源厅，被退回补正"),)),
            DemoTask("survey", "集体土地上房屋调查登记", TaskKind.general, "黄伟", "金银山街道办事处",
                     D(2026, 9, 1), D(2026, 12, 31), TaskStatus.in_progress, 65),
        ),
        problems=(
            DemoProblem("filing-returned", ProblemCategory.approval_procedure, "集体土地征收组卷材料被省厅退回补正",
                        "省自然资源厅审查意见要求补充征地社会稳定风险评估和补偿安置落实情况说明。",
                        "区自然资源分局牵头，一周内补齐材料，区指挥部协调省厅加快审查。",
                        D(2026, 11, 5), D(2026, 11, 19), "曹丽", "益阳市自然资源和规划局赫山分局"),
            DemoProblem("second-batch", ProblemCategory.funding, "第二批征收补偿资金 1.2 亿元未到位",
                        "专项债第二批资金尚未拨付，影响 11 月下旬集中签约后的兑付。",
                        "区财政局对接市财政局加快拨付；不足部分由城投公司过桥资金垫付。",
                        D(2026, 11, 12), D(2026, 11, 27), "彭芳", "赫山区财政局"),
        ),
        items=(
            DemoItem("xun-filing", SupervisionSource.ten_day_coordination, D(2026, 11, 10), "11月上旬城市更新旬协调会",
                     "协调省自然资源厅加快古杨片区组卷报批审查",
                     "组卷材料退回补正后须在 11 月 20 日前重新报送，区指挥部派员赴省厅对接。",
                     D(2026, 11, 20), "曹丽", "益阳市自然资源和规划局赫山分局"),
        ),
    ),
    # 资江南岸棚户区改造: demolishing.
    "YY-PG-2023-004": DemoWork(
        tasks=(
            DemoTask("demolition", "资江南岸片区房屋拆除工程", TaskKind.general, "何斌", "资阳区住房和城乡建设局",
                     D(2026, 7, 1), D(2026, 11, 30), TaskStatus.in_progress, 85,
                     reports=((60, "已拆除 412 户"), (85, "已拆除 585 户，剩余 103 户"))),
        ),
        problems=(
            DemoProblem("dust", ProblemCategory.other, "拆除作业扬尘引发周边居民投诉",
                        "大码头社区居民反映拆除作业扬尘较大，影响生活。",
                        "拆除单位落实湿法作业和围挡，住建局每日巡查。",
                        D(2026, 10, 8), D(2026, 10, 31), "何斌", "资阳区住房和城乡建设局",
                        closed=("已落实雾炮湿法作业和全封闭围挡，投诉人回访满意。", D(2026, 10, 25),
                                "资阳区住建局扬尘整改验收记录 ZJ-2026-118", None)),
        ),
        items=(
            DemoItem("xun-power", SupervisionSource.ten_day_coordination, D(2026, 10, 30), "10月下旬城市更新旬协调会",
                     "协调供电公司完成片区 10 千伏线路迁改",
                     "线路迁改滞后影响剩余房屋拆除，请国网益阳供电公司 11 月 15 日前完成。",
                     D(2026, 11, 15), "何斌", "资阳区住房和城乡建设局",
                     reports=((50, "供电公司已进场施工"),),
                     result=("10 千伏线路迁改已于 11 月 12 日完成并送电，拆除作业恢复。", D(2026, 11, 13))),
        ),
    ),
    # 火车站片区征收拆迁: moving out.
    "YY-ZS-2023-002": DemoWork(
        problems=(
            DemoProblem("shopfront", ProblemCategory.compensation_dispute, "临街门面房营业损失认定分歧",
                        "火车站片区 9 户临街门面对营业面积认定有分歧。",
                        "组织测绘机构重新测量，按方案认定营业面积。",
                        D(2026, 10, 26), D(2026, 11, 18), "唐亮", "汽车路街道办事处"),
        ),
        items=(
            DemoItem("daily-vacate", SupervisionSource.daily_dispatch, D(2026, 11, 20), "火车站片区征拆日调度",
                     "本周完成腾房 25 户", "各包户组每日报送腾房进度，街道每日通报。",
                     D(2026, 11, 27), "唐亮", "汽车路街道办事处"),
        ),
    ),
}


async def _tasks(session: AsyncSession, code: str, project_id: uuid.UUID, work: DemoWork,
                 storage: DocumentStorage) -> int:
    added = 0
    for t in work.tasks:
        ident = _id("task", code, t.key)
        if await TaskRepository(session).exists(ident):
            continue
        status = TaskStatus.not_started if t.reports else t.status
        await tasks.create_task(session, SYSTEM, tasks.TaskDraft(
            id=ident, project_id=project_id, title=t.title, kind=t.kind, owner_name=t.owner_name,
            owner_unit_name=t.owner_unit_name, planned_start=t.planned_start, planned_end=t.planned_end,
            status=status, progress=0 if t.reports else t.progress,
            actual_start=t.planned_start if t.actual_end else None,
            actual_end=t.actual_end, document_number=t.document_number, approving_authority=t.approving_authority,
            approved_on=t.approved_on))
        for i, (percent, note) in enumerate(t.reports):
            await tasks.report_task_progress(session, SYSTEM, ident, tasks.ProgressDraft(
                progress=percent, note=note, id=_id("task-progress", code, f"{t.key}:{i}")))
        if t.document:
            name, text = t.document
            await tasks.add_task_document(session, SYSTEM, ident, Upload(name, "application/pdf", _pdf(text)), storage)
        added += 1
    if work.plan and not await TaskRepository(session).exists(_id("task", code, work.plan.steps[0].key)):
        for s in work.plan.steps:
            await tasks.create_task(session, SYSTEM, tasks.TaskDraft(
                id=_id("task", code, s.key), project_id=project_id, title=s.title, owner_name=s.owner_name,
                owner_unit_name=s.owner_unit_name))
            added += 1
        await tasks.plan_tasks(session, SYSTEM, project_id, work.plan.target, [
            tasks.PlanStepDraft(key=s.key, task_id=_id("task", code, s.key), duration_days=s.duration_days,
                                working_days=s.working_days, after=s.after) for s in work.plan.steps])
    return added


async def _problems(session: AsyncSession, code: str, project_id: uuid.UUID, work: DemoWork,
                    storage: DocumentStorage) -> int:
    added = 0
    for p in work.problems:
        ident = _id("problem", code, p.key)
        if await ProblemRepository(session).exists(ident):
            continue
        problem = await problems.register_problem(session, SYSTEM, problems.ProblemDraft(
            id=ident, project_id=project_id, category=p.category, title=p.title, description=p.description,
            measure=p.measure, deadline=p.deadline, owner_name=p.owner_name, owner_unit_name=p.owner_unit_name,
            registered_on=p.registered_on))
        for i, note in enumerate(p.notes):
            await problems.add_problem_progress(session, SYSTEM, ident, note, _id("problem-note", code, f"{p.key}:{i}"))
        if p.closed:
            note, on, reference, document = p.closed
            evidence = [problems.EvidenceDraft(reference=reference)]
            if document:
                doc = await problems.add_problem_document(session, SYSTEM, ident, Upload(
                    document[0], "application/pdf", _pdf(document[1])), storage)
                evidence.append(problems.EvidenceDraft(document_id=doc.id))
            await problems.close_problem(session, SYSTEM, ident, problems.ClosureDraft(
                note=note, evidence=tuple(evidence), closed_on=on), problem.version)
        added += 1
    return added


async def _items(session: AsyncSession, code: str, project_id: uuid.UUID, work: DemoWork) -> int:
    added = 0
    for s in work.items:
        ident = _id("supervision", code, s.key)
        if await SupervisionRepository(session).exists(ident):
            continue
        await supervision.open_supervision_item(session, SYSTEM, supervision.SupervisionDraft(
            id=ident, project_id=project_id, source=s.source, meeting_date=s.meeting_date,
            meeting_title=s.meeting_title, subject=s.subject, detail=s.detail, deadline=s.deadline,
            owner_name=s.owner_name, owner_unit_name=s.owner_unit_name))
        for i, (percent, note) in enumerate(s.reports):
            await supervision.report_supervision_progress(session, SYSTEM, ident, supervision.ReportDraft(
                note=note, progress=percent, id=_id("supervision-report", code, f"{s.key}:{i}")))
        if s.result:
            await supervision.close_supervision_item(session, SYSTEM, ident, s.result[0], None,
                                                     closed_on=s.result[1])
        added += 1
    return added


async def load(session: AsyncSession) -> dict[str, int]:
    """Returns how many records of each kind were added."""
    settings = ProjectsSettings()
    storage = DocumentStorage(directory=settings.document_dir, max_bytes=settings.document_max_bytes)
    added = {"tasks": 0, "problems": 0, "supervision_items": 0, "escalated_problems": 0}
    for code, work in WORK.items():
        project_id = demo_project_id(code)
        added["tasks"] += await _tasks(session, code, project_id, work, storage)
        added["problems"] += await _problems(session, code, project_id, work, storage)
        added["supervision_items"] += await _items(session, code, project_id, work)
    # What the scheduled job does every day: overdue problems become supervision items (once).
    added["escalated_problems"] = await problems.escalate_overdue_problems(session, calendar.today())
    return added
