"""What only the scripts use: the path set-up and the wrk driver (the server, scratch databases, the
dataset, the soak and the fuzzer are shared with the suite, in tests/support/)."""
