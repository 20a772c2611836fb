"""The school canteen as a comune runs it: school years with their enrolment window and rules,
schools and classes with their canteen days, tariffs by ISEE band, the calendar's closures; the
families' enrolments (with diet and ISEE), each child's prepaid credit and its movements, the
absences, and one row per canteen day once its meals are debited.

Amounts are integer cents, as in payments.

One module per part: setup, enrolments, credit, days."""

from sportello.canteen.models.credit import (  # noqa: F401
    CreditAccount,
    Movement,
    MovementKind,
    TopUp,
    TopUpKind,
)
from sportello.canteen.models.days import (  # noqa: F401
    Absence,
    CanteenDay,
)
from sportello.canteen.models.enrolments import (  # noqa: F401
    ACTIVE_STATUSES,
    DietKind,
    Enrolment,
    EnrolmentEvent,
    EnrolmentStatus,
)
from sportello.canteen.models.setup import (  # noqa: F401
    Closure,
    ClosureKind,
    DietOption,
    Grade,
    School,
    SchoolClass,
    SchoolYear,
    TariffBand,
)
