"""How a user account leaves the gateway: phone masked, roles labelled."""

from __future__ import annotations

from gateway.api.schemas import UserRead
from gateway.domain.context import Identity
from gateway.domain.users import AppUser
from kernel.auth.principal import ROLE_LABELS, Role


def user_read(ident: Identity, user: AppUser) -> UserRead:
    roles = sorted(Role(r) for r in user.roles)
    return UserRead(
        id=user.id, username=user.username, display_name=user.display_name,
        phone=ident.masked_phone(user.phone_enc), roles=roles, role_labels=[ROLE_LABELS[r] for r in roles],
        region_code=user.region_code, project_ids=sorted(user.project_ids), household_id=user.household_id,
        active=user.active,
        has_password=user.password_hash is not None, version=user.version, created_at=user.created_at,
        updated_at=user.updated_at,
    )
