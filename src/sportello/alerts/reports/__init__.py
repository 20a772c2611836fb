"""What the operator sees of an alert being sent and after: the live figures per channel
(monitor), the people reached per address (addresses, the map), the CSV of every delivery
(deliveries_csv) and the PDF summary with charts (pdf); statuses says what a delivery status
means for the person, formatting how figures, moments and addresses are written.

Reads only: the numbers come from `channels.dispatch.dispatch_progress` and from SQL
aggregations over the delivery rows, never from Python loops over them (an alert to a whole city
has 300,000 rows). See docs/alerts-console.md, "Andamento e resoconto".

Re-exported here: what the console's monitor pages call as `reports.<name>`.
"""

from sportello.alerts.reports.addresses import (
    UNREACHED_LISTED,
    address_state_label,
    alert_addresses,
    unreached_addresses,
)
from sportello.alerts.reports.deliveries_csv import report_csv_lines, report_filename
from sportello.alerts.reports.monitor import alert_progress, monitor_figures, monitor_texts
from sportello.alerts.reports.pdf import report_context

__all__ = [
    "UNREACHED_LISTED",
    "address_state_label",
    "alert_addresses",
    "alert_progress",
    "monitor_figures",
    "monitor_texts",
    "report_context",
    "report_csv_lines",
    "report_filename",
    "unreached_addresses",
]
