"""Every action the audit trail knows, with its Chinese label.

``record`` refuses a name missing here, so a typo cannot scatter one event over
two names. Add a line when a new service is audited.
"""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    # Sign-in and sessions.
    "auth.sign_in": _("登录"),
    "auth.sign_out": _("退出登录"),
    "auth.sign_in_failed": _("登录失败"),
    "auth.locked_out": _("账号锁定"),
    "auth.lockout_released": _("解除锁定"),
    # Accounts and permissions.
    "account.create": _("创建账号"),
    "account.deactivate": _("停用账号"),
    "account.reactivate": _("启用账号"),
    "account.groups": _("变更角色"),
    "account.unit": _("变更所属单位"),
    "account.permissions": _("变更权限"),
    "account.password": _("修改或重置密码"),
    "account.sessions_ended": _("强制下线"),
    "account.otp_enabled": _("启用双因素认证"),
    "account.otp_disabled": _("停用双因素认证"),
    "auth.otp_verified": _("双因素认证通过"),
    "auth.otp_failed": _("双因素认证失败"),
    # Issues and meetings.
    "issue.publish": _("发布简报"),
    "issue.schedule": _("定时发布简报"),
    "issue.withdraw": _("撤回简报"),
    "issue.delete": _("删除简报"),
    "issue.remind": _("催签简报"),
    "meeting.publish": _("发布会议纪要"),
    "meeting.delete": _("删除会议纪要"),
    # Downloads and exports.
    "download.issue_pdf": _("下载简报PDF"),
    "download.attachment": _("下载附件"),
    "download.evidence": _("下载佐证材料"),
    "download.year_zip": _("下载年度ZIP"),
    "export.xlsx": _("导出Excel"),
    "calendar.issue": _("生成日历订阅地址"),
    "calendar.renew": _("更换日历订阅地址"),
    "calendar.revoke": _("停用日历订阅地址"),
    # 信息报送 decisions.
    "submission.return": _("退回报送稿件"),
    "submission.decline": _("不予采用报送稿件"),
    "submission.adopt": _("采用报送稿件"),
    "submission.upward": _("登记上级采用"),
    # Tasks.
    "task.accept_report": _("审核通过"),
    "task.return_report": _("退回报告"),
    "task.remind": _("催办"),
    "task.close": _("办结"),
    "task.score": _("考核评分"),
    "task.extension_approve": _("批准延期"),
    "task.extension_decline": _("不予延期"),
    # Operations (manage.py backup / restore).
    "system.backup": _("数据备份"),
    "system.restore": _("数据恢复"),
    # The audit trail itself.
    "audit.export": _("导出审计日志"),
    "audit.prune": _("清理审计日志"),
}


def action_label(action: str) -> str:
    """The Chinese label of ``action`` (the name itself when unknown)."""
    return str(ACTIONS.get(action, action))
