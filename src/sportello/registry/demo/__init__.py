"""The demo anagrafe: plausible households of a Tuscan city with true codici fiscali.

Households follow the head's age (young singles, couples with children, elderly couples and
widows, some three-generation families); children are 18–45 years younger than their parents,
spouses are of similar age, and about one household in twelve comes from abroad. Everything is
drawn from one seeded random generator, so the same seed gives the same people.

On top of the people, the registry facts: identity documents (most adults hold an identity
card), the date and place of the last civil-status event (weddings before the first child),
contratti di convivenza, a few families of Italians living abroad (AIRE), and one convivenza
anagrafica (a religious community). They come from a second stream, so that they never change
who lives in the town.

`wordlists` holds the names, `members` a person before their row, `households` and `facts`
draw them, `people` writes them (`people_build`).
"""
