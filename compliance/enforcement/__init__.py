"""Enforcement under § 501.11(e): the compliance record of a provider and proceedings
against it (§ 501.6 suspension, § 501.12 sanction)."""
