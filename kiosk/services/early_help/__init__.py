"""Early help (procedures paragraph 6): what pastoral staff do, one function per action.

The offer comes from the school profile (`sync_offers`) and lives in the database, so the
school can add, rename and retire offers without losing the history that refers to them.
Around it: internal referrals for 1:1 or group work (`refer_internally`, `decide_referral`),
enrolments with reviews (`enrol`, `record_review`, `end_enrolment`, `reviews_due`), session
registers (`register_sheet`, `take_register`, `take_family_register`), referrals to outside
agencies named in the profile with their status history (`refer_to_agency`,
`record_agency_status`), a caseload summary (`caseload`) and the pupil's early-help record
(`pupil_record`, `chronology_entries` for the DSL team's chronology).

Reads need Cap.EARLY_HELP_VIEW, writes Cap.EARLY_HELP_MANAGE, an internal referral
Cap.EARLY_HELP_REFER and changes to the offer Cap.EARLY_HELP_OFFERS. Nothing here reads or
returns child-protection concern details: pastoral staff see early help only.

Functions that need the profile (agencies, the offer) take `profile=`; screens pass
`app.profile`. Without it the packaged default profile is used.
"""

from __future__ import annotations

from kiosk.services.early_help.common import (  # noqa: F401
    AGENCY_NEXT,
    AGENCY_STATUSES,
    AGENCY_WAITING,
    AgencyReferralView,
    AttendanceLine,
    CONSENT,
    CONSENT_NEEDS_NOTE,
    Caseload,
    CountRow,
    DECISIONS,
    EnrolmentView,
    FAMILY_REGISTER_KINDS,
    FREQUENCIES,
    FamilyLine,
    FamilyMark,
    KIND_NAMES,
    Mark,
    NOTE_MAX,
    OFFER_KINDS,
    OfferChangeView,
    OfferView,
    PUPIL_REGISTER_KINDS,
    PupilEarlyHelp,
    REFERRAL_KINDS,
    RateRow,
    ReferralView,
    RegisterLine,
    RegisterResult,
    RegisterSheet,
    ReviewDue,
    ReviewView,
    SessionSpec,
    SessionView,
    StatusView,
    TEXT_MAX,
    parse_date,
)
from kiosk.services.early_help.offer import (  # noqa: F401
    StaffOption,
    add_offer,
    keyworkers,
    list_offers,
    offer_history,
    rename_offer,
    restore_offer,
    retire_offer,
    sync_offers,
)
from kiosk.services.early_help.enrolments import (  # noqa: F401
    end_enrolment,
    enrol,
    enrol_choices,
    get_enrolment,
    list_enrolments,
    record_review,
    review_due_on,
    reviews_due,
    week_bounds,
)
from kiosk.services.early_help.referrals import (  # noqa: F401
    REFERRAL_DECLINED_ALERT,
    decide_referral,
    get_referral,
    list_referrals,
    my_referrals,
    refer_internally,
)
from kiosk.services.early_help.registers import (  # noqa: F401
    family_register,
    list_sessions,
    register_sheet,
    take_family_register,
    take_register,
)
from kiosk.services.early_help.agencies import (  # noqa: F401
    AgencyReferralInput,
    agency_choices,
    agency_waiting,
    get_agency_referral,
    list_agency_referrals,
    record_agency_status,
    refer_to_agency,
)
from kiosk.services.early_help.caseload import (  # noqa: F401
    caseload,
    chronology_entries,
    chronology_page_entries,
    home_counts,
    hub_counts,
    pupil_record,
)
