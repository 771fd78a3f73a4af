"""The eight roles the standard names (R-4.2.2.3) and what each may do out of the box."""

from __future__ import annotations

DEFAULT_ROLES: list[dict] = [
    {
        "code": "senior_manager",
        "name": "高层管理员",
        "description": "机构管理层：查阅全部数据，导出统计报表。",
        "permissions": [
            "records_query", "certificates_query", "reports_query", "reports_export",
            "devices_query", "people_query", "audit_query", "regulations_query",
        ],
    },
    {
        "code": "system_admin",
        "name": "系统管理员",
        "description": "系统运维：人员、角色、检测规程、模板与编号规则。",
        "permissions": [
            "people_query", "people_manage", "people_view_id_number", "roles_manage", "audit_query",
            "procedures_manage", "templates_manage", "numbering_manage", "regulations_query",
            "regulations_manage", "devices_query",
        ],
    },
    {
        "code": "inspector",
        "name": "计量员",
        "description": "开展检定/校准，录入原始数据。",
        "permissions": ["records_query", "records_enter", "records_edit", "certificates_query", "regulations_query"],
    },
    {
        "code": "verifier",
        "name": "核验员",
        "description": "核验原始记录并提交审批。",
        "permissions": ["records_query", "records_verify", "certificates_query", "regulations_query"],
    },
    {
        "code": "approver",
        "name": "审批员",
        "description": "审批原始记录，批准后签发证书。",
        "permissions": ["records_query", "certificates_query", "certificates_approve", "regulations_query"],
    },
    {
        "code": "document_manager",
        "name": "文档管理员",
        "description": "管理证书、模板和规程规范。",
        "permissions": [
            "certificates_query", "certificates_edit", "certificates_void", "templates_manage",
            "regulations_query", "regulations_manage", "reports_query", "reports_export",
        ],
    },
    {
        "code": "device_manager",
        "name": "设备管理员",
        "description": "授权或停用移动终端，维护计量标准器清单。",
        "permissions": ["devices_query", "devices_manage"],
    },
    {
        "code": "supervisor",
        "name": "政府监督员",
        "description": "政府监督：只读查阅管辖区域内的原始记录、证书、报表和审计日志。",
        # Nothing else (issue #13): not even the regulations, which belong to no jurisdiction.
        "permissions": ["records_query", "certificates_query", "reports_query", "audit_query"],
    },
]


def ensure_default_roles(role_model, grant_model) -> None:
    """Create the built-in roles that are missing; never touch ones an institute has changed."""
    for spec in DEFAULT_ROLES:
        role, created = role_model.objects.get_or_create(
            code=spec["code"],
            defaults={"name": spec["name"], "description": spec["description"], "is_builtin": True},
        )
        if created:
            grant_model.objects.bulk_create(grant_model(role=role, code=code) for code in spec["permissions"])
