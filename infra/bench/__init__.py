"""`make bench` (`python -m infra.bench`): `figures` measures, `peer_app` is the minimal app it compares with.

Empty on purpose: the peer's cold import goes through this package and pays for nothing here."""
