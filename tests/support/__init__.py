"""Helpers shared by several test files, and by the benchmark scripts (a scratch database, a served
app, the bench dataset, the soak and the fuzzer); no tests here."""
