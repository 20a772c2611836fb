"""Channels and bulk sends: the provider of each medium, its capacity, the dispatch workers
(sportello.channels, sportello.alerts)."""

from __future__ import annotations

from sportello.config import env

# --- Channels (docs/channels.md) -------------------------------------------------------------
# One provider per medium, by dotted path. The simulator keeps everything on this machine and
# shows it on the phone simulator page; production names real providers here.
SPORTELLO_CHANNELS = {
    "voice": env.text(
        "SPORTELLO_VOICE_PROVIDER", "sportello.channels.providers.simulator.Simulator"
    ),
    "sms": env.text("SPORTELLO_SMS_PROVIDER", "sportello.channels.providers.simulator.Simulator"),
    "fax": env.text("SPORTELLO_FAX_PROVIDER", "sportello.channels.providers.simulator.Simulator"),
    "email": env.text("SPORTELLO_EMAIL_PROVIDER", "sportello.channels.providers.email.DjangoEmail"),
}
# Numbers of these countries (ISO 3166 codes) are the only ones ever called or texted.
SPORTELLO_CALLABLE_COUNTRIES = env.items("SPORTELLO_CALLABLE_COUNTRIES", ["IT"])
# The phone simulator page: anyone may open it in the demo (local settings), only the alert
# roles elsewhere; production has none unless it is switched on for a drill.
SPORTELLO_PHONE_SIMULATOR_ENABLED = env.boolean("SPORTELLO_PHONE_SIMULATOR_ENABLED", True)
SPORTELLO_PHONE_SIMULATOR_PUBLIC = env.boolean("SPORTELLO_PHONE_SIMULATOR_PUBLIC", False)
# The address the outside world (Twilio, Kannel) uses to reach our webhooks, e.g.
# https://sportello.comune.example.it — signatures are computed on it.
SPORTELLO_PUBLIC_URL = env.text("SPORTELLO_PUBLIC_URL", "http://127.0.0.1:8000")
# Twilio (voice and SMS): account and token; webhooks are verified with the token.
TWILIO_ACCOUNT_SID = env.optional("TWILIO_ACCOUNT_SID")
TWILIO_AUTH_TOKEN = env.optional("TWILIO_AUTH_TOKEN")
# Answering-machine detection: a verification code is never read into voicemail.
TWILIO_MACHINE_DETECTION = env.boolean("TWILIO_MACHINE_DETECTION", True)
# SMS over SMPP 3.4 to the operator's SMSC (smpplib); `sportello smpp_listen` takes receipts.
SPORTELLO_SMPP = (
    {
        "host": env.text("SPORTELLO_SMPP_HOST"),
        "port": env.integer("SPORTELLO_SMPP_PORT", 2775, minimum=1),
        "system_id": env.text("SPORTELLO_SMPP_SYSTEM_ID", ""),
        "password": env.text("SPORTELLO_SMPP_PASSWORD", ""),
        "system_type": env.text("SPORTELLO_SMPP_SYSTEM_TYPE", ""),
        "window": env.integer("SPORTELLO_SMPP_WINDOW", 10, minimum=1),
    }
    if env.optional("SPORTELLO_SMPP_HOST")
    else None
)
# SMS through Kannel's HTTP sendsms; delivery reports come back to /canali/kannel/.
SPORTELLO_KANNEL = (
    {
        "url": env.text("SPORTELLO_KANNEL_URL"),
        "username": env.text("SPORTELLO_KANNEL_USERNAME", ""),
        "password": env.text("SPORTELLO_KANNEL_PASSWORD", ""),
    }
    if env.optional("SPORTELLO_KANNEL_URL")
    else None
)
# Fax through a HylaFAX server (sendfax): the host must let us in by address (hosts.hfaxd).
SPORTELLO_HYLAFAX = (
    {
        "host": env.text("SPORTELLO_HYLAFAX_HOST"),
        "port": env.integer("SPORTELLO_HYLAFAX_PORT", 4559, minimum=1),
        "owner": env.text("SPORTELLO_HYLAFAX_OWNER", "sportello"),
    }
    if env.optional("SPORTELLO_HYLAFAX_HOST")
    else None
)
# Fax through an e-mail-to-fax gateway: its SMTP, our sender, its domain ({number}@domain).
SPORTELLO_FAX_EMAIL = (
    {
        "smtp_url": env.text("SPORTELLO_FAX_EMAIL_SMTP_URL"),
        "sender": env.text("SPORTELLO_FAX_EMAIL_SENDER", ""),
        "domain": env.text("SPORTELLO_FAX_EMAIL_DOMAIN", ""),
        "attach": env.text("SPORTELLO_FAX_EMAIL_ATTACH", "pdf"),
    }
    if env.optional("SPORTELLO_FAX_EMAIL_SMTP_URL")
    else None
)
# Key of the suppression list's hashes (numbers that asked to be removed). Set it once and keep
# it: with another key the list no longer recognises the numbers. Defaults to SECRET_KEY.
SPORTELLO_SUPPRESSION_KEY = env.optional("SPORTELLO_SUPPRESSION_KEY")

# --- Alert dispatch (issue 5) --------------------------------------------------------------
# Providers' capacity, shared by all workers (channels.limits): messages (or new calls) per
# second and simultaneous lines, per medium. Empty = uncapped (the simulator).
SPORTELLO_CHANNEL_LIMITS = {
    "voice": {
        "rate": env.integer("SPORTELLO_VOICE_RATE", 0),
        "lines": env.integer("SPORTELLO_VOICE_LINES", 0),
    },
    "sms": {"rate": env.integer("SPORTELLO_SMS_RATE", 0)},
    "fax": {"lines": env.integer("SPORTELLO_FAX_LINES", 0)},
    "email": {"rate": env.integer("SPORTELLO_EMAIL_RATE", 0)},
}
# Where those limits are counted: redis://… in production (one budget for every worker on every
# machine); memory:// counts per process (one machine, one worker).
SPORTELLO_RATE_LIMIT_URL = env.text("SPORTELLO_RATE_LIMIT_URL", "memory://")
# A line is held at most this long if the end of a call is never reported.
SPORTELLO_LINE_HOLD_SECONDS = env.integer("SPORTELLO_LINE_HOLD_SECONDS", 600)
# Average length of an alert call, for the time estimates.
SPORTELLO_CALL_SECONDS = env.integer("SPORTELLO_CALL_SECONDS", 40)
# Rows a worker claims at once (uncapped media), workers queued per medium and dispatch, and how
# long a claimed row may stay "sending" before the watchdog asks the provider about it.
SPORTELLO_DISPATCH_BATCH = env.integer("SPORTELLO_DISPATCH_BATCH", 2000)
SPORTELLO_DISPATCH_WORKERS = {
    "voice": env.integer("SPORTELLO_DISPATCH_WORKERS_VOICE", 2),
    "sms": env.integer("SPORTELLO_DISPATCH_WORKERS_SMS", 2),
    "fax": env.integer("SPORTELLO_DISPATCH_WORKERS_FAX", 1),
    "email": env.integer("SPORTELLO_DISPATCH_WORKERS_EMAIL", 2),
}
SPORTELLO_DISPATCH_LEASE_SECONDS = env.integer("SPORTELLO_DISPATCH_LEASE_SECONDS", 120)
SPORTELLO_DISPATCH_WATCHDOG_SECONDS = env.integer("SPORTELLO_DISPATCH_WATCHDOG_SECONDS", 30)
# Unanswered or busy calls: attempts in all, minutes between them, then an SMS to mobiles.
SPORTELLO_VOICE_ATTEMPTS = env.integer("SPORTELLO_VOICE_ATTEMPTS", 3)
SPORTELLO_VOICE_RETRY_MINUTES = env.integer("SPORTELLO_VOICE_RETRY_MINUTES", 5)
SPORTELLO_SMS_FALLBACK = env.boolean("SPORTELLO_SMS_FALLBACK", True)
# Subscriptions never verified are deleted (with their codes) after this many hours.
SPORTELLO_PENDING_SUBSCRIPTION_HOURS = env.integer(
    "SPORTELLO_PENDING_SUBSCRIPTION_HOURS", 72, minimum=1
)
# Four-eyes rule: an alert goes out only after a second operator approves it.
SPORTELLO_ALERT_FOUR_EYES = env.boolean("SPORTELLO_ALERT_FOUR_EYES", False)
# Phone simulator: seconds a call rings before "no answer"; with CALL_SECONDS set, every call is
# answered and ends after that many seconds by itself (benchmarks, unattended drills).
SPORTELLO_SIMULATOR_RING_SECONDS = env.integer("SPORTELLO_SIMULATOR_RING_SECONDS", 120)
SPORTELLO_SIMULATOR_CALL_SECONDS = env.integer("SPORTELLO_SIMULATOR_CALL_SECONDS", 0)
