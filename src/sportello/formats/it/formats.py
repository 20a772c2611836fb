"""Dates as Italian writes them: «lunedì 7 dicembre 2026, 13:56» in full, «7 dicembre 2026»,
and one short form (07/12/2026, 07/12/2026 13:56). The lower-case names come from locale/it
(Django's own Italian catalogue capitalises them); what is not here is Django's Italian."""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "l j F Y, H:i"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
