"""Transition systems of the parser and the entity recognizer (room 3): the state
(include/fastpipe/parser_state.h), arc-eager moves with a dynamic oracle and BILUO entity
moves, all running without the GIL."""
