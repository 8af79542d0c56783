"""The domain's words and types, below everything else and knowing no domain package: the one
clock, every error code and the error family, the parser of client dates, the vocabulary, ages,
tokens, the base response shape and what a reminder is. Imports nothing of fablab but itself.
"""
