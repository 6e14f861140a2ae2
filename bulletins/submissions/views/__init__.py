"""Pages of 信息报送, by who uses them: ``units`` (and the leader's 审签), ``office``."""

from .office import (
    points,
    points_export,
    rules,
    submission_adopt,
    submission_decline,
    submission_return,
    submission_upward,
)
from .units import (
    file_download,
    image,
    submission_create,
    submission_detail,
    submission_edit,
    submission_leader_return,
    submission_list,
    submission_sign_off,
    submission_submit,
    version_detail,
)

__all__ = [
    "file_download",
    "image",
    "points",
    "points_export",
    "rules",
    "submission_adopt",
    "submission_create",
    "submission_decline",
    "submission_detail",
    "submission_edit",
    "submission_leader_return",
    "submission_list",
    "submission_return",
    "submission_sign_off",
    "submission_submit",
    "submission_upward",
    "version_detail",
]
