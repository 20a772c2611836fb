"""The alert system's voice flows, spoken alike by the phone simulator and by Twilio.

- subscription_calls: verification (outbound), deregistration and registration_request
  (inbound lines), paper_confirmation (outbound).
- alert_calls: the alert message and the re-confirmation campaign call (outbound).
- lines: the municipality's inbound lines, registered in the order their shared-number menu
  offers them (the 24-hour replay, alerts/replay/, last).
- speech: what more than one flow says (helpline, digits, the alert message itself).

Importing `lines` (AlertsConfig.ready does) registers every flow and line.
"""
