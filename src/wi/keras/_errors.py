"""Errors that both wi's exception type and Keras's catch.

wi reports a wrong type as TypeError; Keras's initialisers raise ValueError for some wrong
types (a seed that is neither an int nor a SeedGenerator, a mode or distribution that is not
a str). wi.keras raises this class there, so code written against either catches it.
"""


class TypeAndValueError(TypeError, ValueError):
    """A wrong type where Keras raises ValueError."""
