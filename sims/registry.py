"""The simulations the site knows, by id: id -> module under sims/.

Empty until the simulation framework lands; `python -m sims bake` then runs
every baker listed here."""

BAKERS: dict[str, str] = {}
