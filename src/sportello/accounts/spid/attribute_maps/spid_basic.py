"""SPID attribute names, kept as they are (pysaml2's own maps would rename some of them)."""

NAMES = (
    "spidCode", "name", "familyName", "placeOfBirth", "countyOfBirth", "dateOfBirth", "gender",
    "companyName", "registeredOffice", "fiscalNumber", "ivaCode", "idCard", "mobilePhone",
    "email", "address", "expirationDate", "digitalAddress", "domicileStreetAddress",
    "domicilePostalCode", "domicileMunicipality", "domicileProvince", "domicileNation",
)  # fmt: skip

MAP = {
    "identifier": "urn:oasis:names:tc:SAML:2.0:attrname-format:basic",
    "fro": {name: name for name in NAMES},
    "to": {name: name for name in NAMES},
}
