"""All models. Importing this package registers every table (see base.REGISTRY).

Each domain keeps its models in a module of its own; add the import here.
"""

from kiosk.models.base import REGISTRY, BaseModel, register  # noqa: F401
from kiosk.models.core import (  # noqa: F401
    Alert,
    AuditEvent,
    Draft,
    LoginThrottle,
    RoleGrant,
    MailOutbox,
    Meta,
    ProcedureSignoff,
    RetentionGate,
    SshKey,
    User,
    UserRole,
)

# Domain models (each module registers its own tables).
from kiosk.models import pupils as _pupils  # noqa: F401,E402
from kiosk.models import concerns as _concerns  # noqa: F401,E402
from kiosk.models import early_help as _early_help  # noqa: F401,E402
from kiosk.models import adults as _adults  # noqa: F401,E402
from kiosk.models import transfers as _transfers  # noqa: F401,E402
from kiosk.models import retention as _retention  # noqa: F401,E402
from kiosk.models import two_factor as _two_factor  # noqa: F401,E402
from kiosk.models import chronology_index as _chronology_index  # noqa: F401,E402
