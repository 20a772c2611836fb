"""SPID and CIE ID: a SAML2 service provider (djangosaml2 + pysaml2) with Italy's profiles, its
identity providers, the account linked by codice fiscale, and the local «SPID demo» provider."""
