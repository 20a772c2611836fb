"""The 24-hour replay line: a call to the alert caller ID plays back every alert sent in the
previous 24 hours, newest first. A caller who is a subscriber hears them in their language, and
first those whose area covers their address, each said to concern them.

Every step is one webhook of a live call, so each stays small: the alerts are one query shared by
all processes through the cache for a few seconds; the caller is found by one indexed column;
whether an area covers the caller's address is tested on that one point with the targeting code
(`alerts.targeting.area_indices`, the same test `area_civic_numbers` makes on every civic
number), the areas read once per process (a sent alert's area no longer changes).

selectors: what the line plays, and to whom; flow: the call itself.
"""
