"""Certified e-mail (PEC) as it arrives in the municipality's mailbox, read to find requests for
login credentials: `parse.pec_parse` (see there), the envelope's daticert.xml (`daticert`), the
message's text and attachments (`content`, `mime`) and signed .p7m files (`signed`)."""
