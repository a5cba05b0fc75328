"""Infrastructure the tests and the benches share, outside both: real Redis and PostgreSQL
servers (`infra`) and a whole distributed deployment on this machine (`cluster`).

Not part of the product (not installed with it): `tests/` and `bench/` import it from the
repository root; it imports neither of them."""
