"""Helpers without a room: docstring sections, optional imports, quieting
native noise, Dask glue, memory alignment, image reshaping, the backend
check, the class registry of ``load``, pipeline helpers, Keras objects as
bytes."""
